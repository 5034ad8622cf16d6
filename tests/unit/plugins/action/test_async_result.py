# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""netdoctor.openstack.async_result: a detached controller job's result, read where it ran.

The results files are real ones, captured from async jobs (tests/unit/fixtures/ansible-async, SOURCES.md):
the "started" record while a job runs, a finished job's and a failed job's result, a failed
neutron_networks_info list, and the ansible-core 2.19 record of a module that warned and deprecated
(typed objects that must be decoded the way async_status's result is).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from ansible.errors import AnsibleActionFail
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.plugins.loader import connection_loader

from ansible_collections.netdoctor.openstack.plugins.action import async_result

try:  # ansible-core 2.19 and later write warnings as typed records
    from ansible.module_utils._internal._messages import WarningSummary
except ImportError:
    WarningSummary = None
from ansible_collections.netdoctor.openstack.plugins.action.async_result import ActionModule, collect

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ansible-async"
JID = "j765726709988.340"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


RUNNING = fixture("running-command-sleep.json")
FINISHED = fixture("finished-command-sleep.json")
FAILED = fixture("failed-command-false.json")


def run_action(args: dict, async_dir: Path, transport: str = "local") -> dict:
    """Run the action as the task executor would, with ``ansible_async_dir`` pointing at ``async_dir``."""
    task = Task.load({"action": "netdoctor.openstack.async_result", "args": args})
    play_context = PlayContext()
    connection = connection_loader.get("local", play_context, os.devnull)
    connection._shell.set_options(var_options={"ansible_async_dir": str(async_dir)})
    connection.transport = transport
    action = ActionModule(task=task, connection=connection, play_context=play_context, loader=None, templar=None, shared_loader_obj=None)
    return action.run(task_vars={})


def job_file(async_dir: Path, text: str, jid: str = JID) -> Path:
    path = async_dir / jid
    path.write_text(text, encoding="utf-8")
    return path


def test_finished_job_gives_the_module_result_and_its_file_is_removed(tmp_path):
    path = job_file(tmp_path, FINISHED)
    result = run_action({"jid": JID}, tmp_path)
    assert (result["cmd"], result["rc"], result["delta"]) == (["sleep", "4"], 0, "0:00:04.005844")
    assert (result["finished"], result["started"], result["ansible_job_id"]) == (True, True, JID)
    assert result["erased"] == result["results_file"] == str(path)
    assert not result.get("failed")
    assert not path.exists()


def test_cleanup_false_keeps_the_results_file(tmp_path):
    path = job_file(tmp_path, FINISHED)
    result = run_action({"jid": JID, "cleanup": False}, tmp_path)
    assert result["finished"] is True and "erased" not in result
    assert path.read_text(encoding="utf-8") == FINISHED


def test_failed_module_fails_the_task_with_its_message(tmp_path):
    job_file(tmp_path, FAILED)
    result = run_action({"jid": JID}, tmp_path)
    assert result["failed"] is True and result["finished"] is True
    assert (result["msg"], result["rc"]) == ("non-zero return code", 1)


@pytest.mark.parametrize("name", ["failed-neutron_networks_info-refused.json", "failed-neutron_networks_info-refused-detached.json"])
def test_failed_network_list_keeps_the_reason_the_audit_reports(tmp_path, name):
    """async_wrapper's record and the detached start's record of the same refused list read the same."""
    job_file(tmp_path, fixture(name), "j-list")
    result = run_action({"jid": "j-list"}, tmp_path)
    assert result["failed"] is True and result["finished"] is True
    assert result["msg"].startswith("listing the networks: the API cannot be reached (or does not answer as an OpenStack API)")
    assert "********" in result["msg"] and "127.0.0.1" not in result["msg"]  # the endpoint is a no_log value
    assert "networks" not in result


def test_running_job_times_out_as_not_finished_and_keeps_its_file(tmp_path):
    path = job_file(tmp_path, RUNNING)
    result = run_action({"jid": JID, "timeout": 0}, tmp_path)
    assert (result["failed"], result["finished"]) == (True, False)
    assert "did not finish within 0 s" in result["msg"]
    assert path.read_text(encoding="utf-8") == RUNNING


def test_missing_file_counts_as_running(tmp_path):
    result = run_action({"jid": JID, "timeout": 0}, tmp_path)
    assert (result["failed"], result["finished"]) == (True, False)


def test_waits_until_the_job_writes_its_result(tmp_path):
    """The job finishes while the action waits: the result is the module's, read on the poll after it."""
    path = job_file(tmp_path, RUNNING)
    now = [0.0]
    polls = []

    def sleep(seconds):
        polls.append(seconds)
        now[0] += seconds
        if len(polls) == 3:
            path.write_text(FINISHED, encoding="utf-8")  # async_wrapper replaces the file with the result

    result = collect(str(path), JID, 10, True, clock=lambda: now[0], sleep=sleep, interval=0.05)
    assert result["cmd"] == ["sleep", "4"] and result["finished"] is True
    assert polls == [0.05, 0.05, 0.05]
    assert not path.exists()


def test_a_real_2_19_record_with_warnings_decodes_like_async_status(tmp_path):
    """ansible-core 2.19 writes a module's warnings as typed objects: they must come back as warnings, not as dicts."""
    job_file(tmp_path, fixture("finished-warned-deprecated-module.json"))
    result = run_action({"jid": JID}, tmp_path)
    assert result["value"] == "{{ not_rendered }}" and result["nested"] == {"a": [1, 2]}
    if WarningSummary is None:
        pytest.skip("ansible-core before 2.19 writes warnings as strings")
    assert len(result["warnings"]) == 1 and isinstance(result["warnings"][0], WarningSummary)
    assert result["warnings"][0].event.msg == "a warning here"
    assert not any("__ansible_type" in json.dumps(w, default=str) for w in result["deprecations"])


@pytest.mark.parametrize("jid", ["../etc/passwd", "a/b", "", ".hidden", "j1 2", "j1;rm"])
def test_a_job_id_that_is_not_a_name_is_refused_before_anything_is_read(tmp_path, jid):
    with pytest.raises(AnsibleActionFail, match="is not an async job id"):
        run_action({"jid": jid}, tmp_path)


def test_a_managed_host_connection_is_refused(tmp_path):
    path = job_file(tmp_path, FINISHED)
    with pytest.raises(AnsibleActionFail, match="delegate the detached task and this one to localhost"):
        run_action({"jid": JID}, tmp_path, transport="ssh")
    assert path.exists()


def test_negative_timeout_refused(tmp_path):
    with pytest.raises(AnsibleActionFail, match="timeout must be 0 or more"):
        run_action({"jid": JID, "timeout": -1}, tmp_path)


@pytest.mark.parametrize("text", ["[1, 2]", "42"])
def test_a_file_that_is_not_an_async_record_fails_clearly_and_is_kept(tmp_path, text):
    path = job_file(tmp_path, text)
    with pytest.raises(AnsibleActionFail, match="not an Ansible async results file"):
        run_action({"jid": JID}, tmp_path)
    assert path.exists()


def test_default_async_dir_is_the_controller_users(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".ansible_async").mkdir()
    job_file(tmp_path / ".ansible_async", FINISHED)
    task = Task.load({"action": "netdoctor.openstack.async_result", "args": {"jid": JID}})
    play_context = PlayContext()
    connection = connection_loader.get("local", play_context, os.devnull)
    connection._shell.set_options(var_options={})
    action = ActionModule(task=task, connection=connection, play_context=play_context, loader=None, templar=None, shared_loader_obj=None)
    result = action.run(task_vars={})
    assert result["results_file"] == str(tmp_path / ".ansible_async" / JID)
    assert async_result.DEFAULT_ASYNC_DIR == "~/.ansible_async"
