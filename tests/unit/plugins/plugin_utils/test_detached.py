# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""plugin_utils/_detached: the network list started as a real detached process of the controller's Python.

Each test starts the real process (the bootstrap, the collection imported from its root, openstacksdk) and
reads its results file with the same reader netdoctor.openstack.async_result uses. The API is a loopback
server answering with the lab neutron-server's captured pages (tests/unit/lab_pages.py), a closed port, or
a socket that accepts and never answers.
"""

from __future__ import annotations

import json
import os
import socket
import stat

import pytest
from lab_pages import PAGE1, PAGE2, read_json, serve_lab_pages

from ansible_collections.netdoctor.openstack.plugins.action.async_result import read_text
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import async_job
from ansible_collections.netdoctor.openstack.plugins.plugin_utils import _detached

pytest.importorskip("openstack", reason="openstacksdk is a controller requirement (requirements.txt)")

ROOT = _detached.collection_root(_detached.__file__)


def noauth(port: int, **options) -> dict:
    return dict({"auth": {"auth_type": "none", "auth": {"endpoint": f"http://127.0.0.1:{port}"}}, "api_timeout": 10, "page_size": 2}, **options)


def wait(started: dict, timeout: float = 60) -> dict:
    return async_job.wait_for_job(started["results_file"], timeout, read_text)


def test_the_collection_root_is_found_from_a_plugin_file():
    assert ROOT is not None and os.path.isdir(os.path.join(ROOT, "ansible_collections", "netdoctor", "openstack", "plugins"))
    assert _detached.collection_root("/srv/c/ansible_collections/netdoctor/openstack/plugins/action/x.py") == "/srv/c"
    assert _detached.collection_root("/work/tree/plugins/action/x.py") is None  # not laid out as a collection
    assert _detached.collection_root("/ansible_collections/other/openstack/plugins/action/x.py") is None


def test_a_detached_list_writes_the_networks_as_the_module_returns_them(tmp_path):
    with serve_lab_pages() as (server, handler):
        started = _detached.start(str(tmp_path), "neutron_networks_info", noauth(server.server_address[1]), 60, ROOT)
        # the start is an async start: the job id and a "started" record at once, nothing changed
        assert (started["started"], started["finished"], started["changed"]) == (True, False, False)
        assert started["results_file"] == str(tmp_path / started["ansible_job_id"])
        assert os.path.exists(started["results_file"])  # written before the process starts: a waiter never finds none
        result = wait(started)
    expected = read_json(PAGE1)["networks"] + read_json(PAGE2)["networks"]
    assert [n["id"] for n in result["networks"]] == [n["id"] for n in expected]
    assert {n["mtu"] for n in result["networks"]} == {8950} and result["changed"] is False and result["elapsed"] > 0
    assert len([path for path, _query in handler.seen if path == "/v2.0/networks"]) == 2  # the pages, followed
    assert stat.S_IMODE(os.stat(started["results_file"]).st_mode) == 0o600  # the file holds what the API listed
    assert sorted(os.listdir(tmp_path)) == [started["ansible_job_id"]]  # no temporary file left beside it


def test_a_refused_list_is_a_failed_record_with_the_endpoint_masked(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again when the job connects: refused
    result = wait(_detached.start(str(tmp_path), "neutron_networks_info", noauth(port), 60, ROOT))
    assert result["failed"] is True
    assert result["msg"].startswith("listing the networks: the API cannot be reached")
    assert f"127.0.0.1:{port}" not in json.dumps(result) and "********" in result["msg"]  # a no_log value, as the module masks it


def test_options_the_module_would_refuse_are_refused_by_the_job(tmp_path):
    result = wait(_detached.start(str(tmp_path), "neutron_networks_info", {"page_size": "many", "auth": {"password": "s3cret"}}, 60, ROOT))
    assert result["failed"] is True and "page_size" in result["msg"]
    assert "s3cret" not in json.dumps(result)


def test_a_job_past_its_async_limit_ends_as_timeout_exceeded(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)  # accepts, never answers
        started = _detached.start(str(tmp_path), "neutron_networks_info", noauth(sock.getsockname()[1], api_timeout=120), 1, ROOT)
        result = wait(started, timeout=60)
    assert result["failed"] is True and result["msg"].startswith("Timeout exceeded") and "1 s" in result["msg"]


def test_a_root_without_the_collection_fails_the_job_instead_of_leaving_it_running(tmp_path):
    (tmp_path / "jobs").mkdir()
    result = wait(_detached.start(str(tmp_path / "jobs"), "neutron_networks_info", {}, 60, str(tmp_path / "nowhere")))
    assert result["failed"] is True and result["msg"].startswith("the detached job could not start: ModuleNotFoundError")


def test_the_async_dir_is_created_private(tmp_path):
    jobs = tmp_path / "new" / ".ansible_async"
    wait(_detached.start(str(jobs), "neutron_networks_info", {"page_size": 0}, 60, ROOT))
    assert stat.S_IMODE(os.stat(jobs).st_mode) == 0o700


def test_an_unknown_target_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValueError, match="no detached job 'shell'"):
        _detached.start(str(tmp_path), "shell", {}, 60, ROOT)
    assert os.listdir(tmp_path) == []


def test_a_python_that_cannot_be_started_leaves_no_record(tmp_path):
    with pytest.raises(RuntimeError, match="could not start the detached job"):
        _detached.start(str(tmp_path), "neutron_networks_info", {}, 60, ROOT, python=str(tmp_path / "no-python"))
    assert os.listdir(tmp_path) == []
