# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The report_files action plugin on real temporary directories: created, unchanged, changed, check mode,
diff, bad input refused before anything is written. The plugin runs with a real Task and a local connection,
so argument validation, check mode and diff mode come from where a play puts them (the molecule scenarios
audit and audit_sosreport run it from a play)."""

from __future__ import annotations

import os
import stat

import pytest
from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.plugins.loader import connection_loader

from ansible_collections.netdoctor.openstack.plugins.action.report_files import ActionModule, write_report_files

REPORTS = {
    "report.json": '{\n  "hosts": {}\n}\n',
    "report.md": "# netdoctor audit\n\nNo findings: \u2713\n",
    "report.xml": '<?xml version="1.0" encoding="utf-8"?>\n<testsuites/>\n',
}


@pytest.fixture(autouse=True)
def strict_umask():
    """A umask that would strip the modes the plugin promises, so the tests see it sets them itself."""
    old = os.umask(0o077)
    yield
    os.umask(old)


def run_action(args: dict, check_mode: bool = False, diff: bool = False) -> dict:
    """Run netdoctor.openstack.report_files as the task executor would, on a local connection."""
    task = Task.load({"action": "netdoctor.openstack.report_files", "args": args})
    task.check_mode = check_mode
    task.diff = diff
    play_context = PlayContext()
    connection = connection_loader.get("local", play_context, os.devnull)
    action = ActionModule(task=task, connection=connection, play_context=play_context, loader=None, templar=None, shared_loader_obj=None)
    return action.run(task_vars={})


def snapshot(root) -> dict:
    """Every path below ``root`` with its bytes (files), mode, inode and mtime: what must not move in check mode."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            info = os.lstat(path)
            data = None
            if stat.S_ISREG(info.st_mode):
                with open(path, "rb") as handle:
                    data = handle.read()
            out[os.path.relpath(path, root)] = (data, stat.S_IMODE(info.st_mode), info.st_ino, info.st_mtime_ns)
    return out


def read(path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def test_new_directory_with_parents_and_every_file(tmp_path):
    target = tmp_path / "a" / "b" / "reports"
    result = run_action({"path": str(target), "files": REPORTS})
    assert result["changed"] is True
    assert result["path"] == str(target)
    assert result["created"] == [str(tmp_path / "a"), str(tmp_path / "a" / "b"), str(target)]
    assert result["written"] == ["report.json", "report.md", "report.xml"]
    for directory in result["created"]:
        assert stat.S_IMODE(os.stat(directory).st_mode) == 0o755
    assert sorted(os.listdir(target)) == sorted(REPORTS)  # no temporary file left behind
    for name, content in REPORTS.items():
        assert read(target / name) == content.encode("utf-8")
        assert stat.S_IMODE(os.stat(target / name).st_mode) == 0o644


def test_same_content_again_is_not_a_change_and_touches_nothing(tmp_path):
    run_action({"path": str(tmp_path), "files": REPORTS})
    before = snapshot(tmp_path)
    result = run_action({"path": str(tmp_path), "files": REPORTS})
    assert result["changed"] is False
    assert result["written"] == []
    assert result["created"] == []
    assert snapshot(tmp_path) == before


def test_changed_content_rewrites_only_that_file(tmp_path):
    run_action({"path": str(tmp_path), "files": REPORTS})
    before = snapshot(tmp_path)
    changed = dict(REPORTS, **{"report.md": "# netdoctor audit\n\n1 error\n"})
    result = run_action({"path": str(tmp_path), "files": changed})
    assert result["changed"] is True
    assert result["written"] == ["report.md"]
    after = snapshot(tmp_path)
    assert read(tmp_path / "report.md") == b"# netdoctor audit\n\n1 error\n"
    assert after["report.md"][2] != before["report.md"][2]  # a new inode: replaced, not rewritten in place
    assert after["report.json"] == before["report.json"]
    assert after["report.xml"] == before["report.xml"]


def test_mode_only_change_sets_the_mode_and_keeps_the_content(tmp_path):
    run_action({"path": str(tmp_path), "files": REPORTS})
    os.chmod(tmp_path / "report.json", 0o600)
    inode = os.stat(tmp_path / "report.json").st_ino
    result = run_action({"path": str(tmp_path), "files": REPORTS}, diff=True)
    assert result["changed"] is True
    assert result["written"] == ["report.json"]
    assert stat.S_IMODE(os.stat(tmp_path / "report.json").st_mode) == 0o644
    assert os.stat(tmp_path / "report.json").st_ino == inode
    assert result["diff"] == [
        {"before": {"path": str(tmp_path / "report.json"), "mode": "0600"}, "after": {"path": str(tmp_path / "report.json"), "mode": "0644"}}
    ]


@pytest.mark.parametrize("mode", ["0600", "600", 0o600])
def test_mode_option_as_octal_string_or_int(tmp_path, mode):
    result = run_action({"path": str(tmp_path / "r"), "files": {"notes.txt": "x\n"}, "mode": mode})
    assert result["written"] == ["notes.txt"]
    assert stat.S_IMODE(os.stat(tmp_path / "r" / "notes.txt").st_mode) == 0o600


def test_check_mode_on_a_new_directory_creates_nothing(tmp_path):
    target = tmp_path / "new" / "reports"
    result = run_action({"path": str(target), "files": REPORTS}, check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["created"] == [str(tmp_path / "new"), str(target)]
    assert result["written"] == list(REPORTS)
    assert os.listdir(tmp_path) == []
    assert result["diff"][0] == {"before": {"path": str(target), "state": "absent"}, "after": {"path": str(target), "state": "directory"}}
    assert [d["after"] for d in result["diff"][1:]] == list(REPORTS.values())


def test_check_mode_on_changed_files_leaves_them_byte_identical(tmp_path):
    run_action({"path": str(tmp_path), "files": REPORTS})
    os.chmod(tmp_path / "report.xml", 0o640)
    before = snapshot(tmp_path)
    changed = dict(REPORTS, **{"report.json": '{\n  "hosts": {"c1": {}}\n}\n'})
    result = run_action({"path": str(tmp_path), "files": changed}, check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["written"] == ["report.json", "report.xml"]
    assert snapshot(tmp_path) == before
    json_diff = result["diff"][0]
    assert json_diff["before_header"] == str(tmp_path / "report.json")
    assert json_diff["before"] == REPORTS["report.json"]
    assert json_diff["after"] == changed["report.json"]


def test_no_diff_key_without_diff_mode(tmp_path):
    assert "diff" not in run_action({"path": str(tmp_path), "files": REPORTS})


def test_diff_is_bounded_by_max_file_size_for_diff(tmp_path):
    big = "x" * (C.MAX_FILE_SIZE_FOR_DIFF + 1)
    result = run_action({"path": str(tmp_path), "files": {"report.html": big}}, diff=True)
    entry = result["diff"][1] if result["created"] else result["diff"][0]
    assert entry["src_larger"] == C.MAX_FILE_SIZE_FOR_DIFF
    assert "after" not in entry
    assert read(tmp_path / "report.html") == big.encode()


@pytest.mark.parametrize("bad", ["../escape", "sub/report.json", "", ".", "..", "/etc/passwd", "nul\0byte"])
def test_bad_names_refused_before_anything_is_written(tmp_path, bad):
    target = tmp_path / "reports"
    files = {"report.json": "{}\n", bad: "x", "report.md": "# m\n"}
    with pytest.raises(AnsibleActionFail, match="not a plain file name"):
        run_action({"path": str(target), "files": files})
    assert os.listdir(tmp_path) == []  # not even the directory


def test_bad_names_leave_existing_files_alone(tmp_path):
    run_action({"path": str(tmp_path), "files": REPORTS})
    before = snapshot(tmp_path)
    with pytest.raises(AnsibleActionFail, match="not a plain file name"):
        run_action({"path": str(tmp_path), "files": {"report.json": "new\n", "../x": "y"}})
    assert snapshot(tmp_path) == before
    assert not (tmp_path.parent / "x").exists()


def test_non_string_content_refused(tmp_path):
    with pytest.raises(AnsibleActionFail, match="content of report.json must be a string, not dict"):
        run_action({"path": str(tmp_path / "r"), "files": {"report.md": "# m\n", "report.json": {"hosts": {}}}})
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("mode", ["u=rw", "0888", "", "077777", True, -1])
def test_bad_mode_refused(tmp_path, mode):
    with pytest.raises(AnsibleActionFail, match="mode"):
        run_action({"path": str(tmp_path / "r"), "files": REPORTS, "mode": mode})
    assert os.listdir(tmp_path) == []


def test_path_that_is_a_file_refused(tmp_path):
    (tmp_path / "taken").write_bytes(b"keep\n")
    with pytest.raises(AnsibleActionFail, match="exists and is not a directory"):
        run_action({"path": str(tmp_path / "taken" / "reports"), "files": REPORTS})
    assert read(tmp_path / "taken") == b"keep\n"


def test_directory_at_a_file_place_refused_before_any_file_is_written(tmp_path):
    (tmp_path / "report.md").mkdir()
    with pytest.raises(AnsibleActionFail, match="is a directory"):
        run_action({"path": str(tmp_path), "files": REPORTS})
    assert sorted(os.listdir(tmp_path)) == ["report.md"]


def test_unknown_option_and_missing_option_refused(tmp_path):
    with pytest.raises(AnsibleActionFail, match="dest"):
        run_action({"path": str(tmp_path), "files": REPORTS, "dest": "x"})
    with pytest.raises(AnsibleActionFail, match="files"):
        run_action({"path": str(tmp_path)})


def test_symlink_at_a_file_place_is_replaced_and_its_target_kept(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"not a report\n")
    reports = tmp_path / "reports"
    reports.mkdir()
    os.symlink(outside, reports / "report.md")
    result = run_action({"path": str(reports), "files": {"report.md": REPORTS["report.md"]}})
    assert result["written"] == ["report.md"]
    assert not os.path.islink(reports / "report.md")
    assert read(reports / "report.md") == REPORTS["report.md"].encode()
    assert read(outside) == b"not a report\n"


def test_existing_directory_mode_is_left_alone(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    result = run_action({"path": str(shared), "files": REPORTS})
    assert result["created"] == []
    assert stat.S_IMODE(os.stat(shared).st_mode) == 0o1777


def test_relative_path_is_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = write_report_files("rel/reports", {"a.txt": "a\n"})
    assert result["path"] == str(tmp_path / "rel" / "reports")
    assert read(tmp_path / "rel" / "reports" / "a.txt") == b"a\n"
