# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""neutron_config on real files in a temporary directory: check mode, diff, backup, create, malformed input."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.modules import neutron_config


def run(args, capsys, check=False, diff=True):
    args = dict(args, _ansible_check_mode=check, _ansible_diff=diff)
    with patch_module_args(args), pytest.raises(SystemExit):
        neutron_config.main()
    return json.loads(capsys.readouterr().out)


def digest(path) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@pytest.fixture
def conf(tmp_path):
    path = tmp_path / "neutron.conf"
    path.write_text(read_fixture("neutron/juju-charm-compute-neutron.conf"), encoding="utf-8")
    os.chmod(path, 0o640)
    return path


SETTINGS = {"DEFAULT": {"global_physnet_mtu": 9000}}


def test_check_mode_reports_the_diff_and_writes_nothing(conf, capsys):
    before = digest(conf)
    result = run({"path": str(conf), "settings": SETTINGS}, capsys, check=True)
    assert result["changed"] is True
    assert result["changes"] == [{"section": "DEFAULT", "key": "global_physnet_mtu", "before": None, "after": "9000", "action": "added"}]
    assert "global_physnet_mtu = 9000" in result["diff"]["after"] and "global_physnet_mtu" not in result["diff"]["before"]
    assert digest(conf) == before
    assert sorted(os.listdir(conf.parent)) == ["neutron.conf"]


def test_apply_with_backup_then_nothing_to_do(conf, capsys):
    original = conf.read_bytes()
    result = run({"path": str(conf), "settings": SETTINGS, "backup": True}, capsys)
    assert result["changed"] is True
    assert Path(result["backup_file"]).read_bytes() == original
    assert conf.read_text(encoding="utf-8").count("global_physnet_mtu = 9000") == 1
    assert oct(os.stat(conf).st_mode & 0o777) == "0o640"  # the file keeps its mode
    again = run({"path": str(conf), "settings": SETTINGS, "backup": True}, capsys)
    assert again["changed"] is False and again["changes"] == [] and "diff" not in again
    assert len(os.listdir(conf.parent)) == 2  # no second backup


def test_malformed_file_fails_with_file_and_line_and_stays_identical(conf, capsys):
    text = conf.read_text(encoding="utf-8").replace("rpc_response_timeout = 60", "rpc_response_timeout 60")
    conf.write_text(text, encoding="utf-8")
    line = text.splitlines().index("rpc_response_timeout 60") + 1
    before = digest(conf)
    result = run({"path": str(conf), "settings": SETTINGS, "backup": True}, capsys)
    assert result["failed"] is True
    assert result["msg"].startswith(f"{conf}:{line}: no ':' or '=' found in assignment")
    assert result["msg"].endswith("nothing was written")
    assert result["line"] == line
    assert digest(conf) == before and len(os.listdir(conf.parent)) == 1


def test_missing_file_fails_unless_create(tmp_path, capsys):
    path = tmp_path / "config" / "neutron.conf"
    result = run({"path": str(path), "settings": SETTINGS}, capsys)
    assert result["failed"] is True and "does not exist" in result["msg"]
    assert "directory" in run({"path": str(path), "settings": SETTINGS, "create": True}, capsys)["msg"]
    path.parent.mkdir()
    check = run({"path": str(path), "settings": SETTINGS, "create": True, "header": "# Ansible managed"}, capsys, check=True)
    assert check["changed"] is True and check["created"] is True and not path.exists()
    result = run({"path": str(path), "settings": SETTINGS, "create": True, "header": "# Ansible managed"}, capsys)
    assert result["created"] is True
    assert path.read_text(encoding="utf-8") == "# Ansible managed\n\n[DEFAULT]\nglobal_physnet_mtu = 9000\n"
    assert run({"path": str(path), "settings": SETTINGS, "create": True, "header": "# Ansible managed"}, capsys)["changed"] is False


def test_bad_header_and_bad_settings_are_refused(tmp_path, conf, capsys):
    result = run({"path": str(tmp_path / "x.conf"), "settings": SETTINGS, "create": True, "header": "not a comment"}, capsys)
    assert "header lines must be comments" in result["msg"]
    before = digest(conf)
    result = run({"path": str(conf), "settings": {"DEFAULT": {"global_physnet_mtu": "1500\n[evil]"}}}, capsys)
    assert result["failed"] is True and "cannot span lines" in result["msg"]
    assert digest(conf) == before
