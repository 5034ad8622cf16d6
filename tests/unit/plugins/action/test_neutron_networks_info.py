# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The neutron_networks_info action: when the list starts detached in the controller's Python, and what it returns.

Every other case (no async, a managed host, become, a task environment) runs the module as usual through
ansible-core; molecule/neutron_api and the audit scenario run both paths against a real neutron-server.
"""

from __future__ import annotations

import os

import pytest
from ansible.errors import AnsibleActionFail
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.plugins.loader import connection_loader
from lab_pages import PAGE1, PAGE2, read_json, serve_lab_pages

from ansible_collections.netdoctor.openstack.plugins.action.async_result import read_text
from ansible_collections.netdoctor.openstack.plugins.action.neutron_networks_info import ActionModule
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import async_job

pytest.importorskip("openstack", reason="openstacksdk is a controller requirement (requirements.txt)")


def action_for(args: dict, async_dir, async_val: int = 600, transport: str = "local", become: bool = False, environment=None) -> ActionModule:
    data = {"action": "netdoctor.openstack.neutron_networks_info", "args": args, "async": async_val, "poll": 0}
    if environment is not None:
        data["environment"] = environment
    task = Task.load(data)
    play_context = PlayContext()
    play_context.become = become
    connection = connection_loader.get("local", play_context, os.devnull)
    connection._shell.set_options(var_options={"ansible_async_dir": str(async_dir)})
    connection.transport = transport
    return ActionModule(task=task, connection=connection, play_context=play_context, loader=None, templar=None, shared_loader_obj=None)


def endpoint(port: int) -> dict:
    return {"auth": {"auth_type": "none", "auth": {"endpoint": f"http://127.0.0.1:{port}"}}, "page_size": 2}


@pytest.mark.parametrize(
    ("given", "detached"),
    [
        ({}, True),
        ({"environment": [{}]}, True),  # what a task without environment carries
        ({"async_val": 0}, False),
        ({"transport": "ssh"}, False),
        ({"become": True}, False),
        ({"environment": [{"OS_CLIENT_CONFIG_FILE": "/etc/openstack/clouds.yaml"}]}, False),
    ],
)
def test_only_an_async_list_on_the_controller_as_its_user_starts_detached(tmp_path, given, detached):
    action = action_for({}, tmp_path, **given)
    if "environment" in given:
        action._task.environment = given["environment"]
    assert (action._detached_root() is not None) is detached


def test_the_detached_start_returns_at_once_and_the_job_lists_the_pages(tmp_path):
    with serve_lab_pages() as (server, _handler):
        result = action_for(endpoint(server.server_address[1]), tmp_path).run(task_vars={})
        assert (result["started"], result["finished"], result["changed"]) == (True, False, False)
        assert result["results_file"] == str(tmp_path / result["ansible_job_id"])
        job = async_job.wait_for_job(result["results_file"], 60, read_text)
    assert [n["id"] for n in job["networks"]] == [n["id"] for n in read_json(PAGE1)["networks"] + read_json(PAGE2)["networks"]]


def test_bad_options_are_refused_before_a_job_starts(tmp_path):
    with pytest.raises(AnsibleActionFail, match="page_size"):
        action_for({"page_size": "many"}, tmp_path).run(task_vars={})
    with pytest.raises(AnsibleActionFail, match="nonsense"):
        action_for({"nonsense": 1}, tmp_path).run(task_vars={})
    assert not os.listdir(tmp_path)
