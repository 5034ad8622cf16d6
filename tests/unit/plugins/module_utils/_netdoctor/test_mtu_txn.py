"""The transaction around a saved MTU change: arm, commit, revert (a recording runner, a temporary directory)."""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import mtu_plan, mtu_txn

UNIT = "netdoctor-jumbo-underlay-revert"


class Recorder:
    """Records every argv; the revert script is really run by /bin/sh when asked (it creates the marker)."""

    def __init__(self):
        self.calls = []

    def __call__(self, argv, check=True):
        self.calls.append(list(argv))
        if argv[0] == "/bin/sh":
            subprocess.run(["/bin/sh", argv[1]], check=True)  # the script the test wrote, in its temporary directory
        return 0, "", ""


def _saved(tmp_path, checkpoints=()):
    directory = tmp_path / "state"
    directory.mkdir()
    state = mtu_plan.merge_state(None, [], [], nm_checkpoints=list(checkpoints))
    (directory / "state.json").write_text(json.dumps(state))
    (directory / "revert.sh").write_text(f"#!/bin/sh\ntouch {directory / 'ran'} {directory / 'reverted'}\n")
    return directory


def test_arm_replaces_an_earlier_timer(tmp_path):
    run = Recorder()
    mtu_txn.arm(run, UNIT, 30, str(tmp_path))
    assert run.calls[0] == ["systemctl", "stop", f"{UNIT}.timer"]
    assert run.calls[-1] == mtu_plan.revert_timer_argv(UNIT, 30, str(tmp_path / "revert.sh"))


def test_commit_destroys_checkpoints_and_forgets(tmp_path):
    run = Recorder()
    directory = _saved(tmp_path, ["/org/freedesktop/NetworkManager/Checkpoint/3"])
    mtu_txn.commit(run, str(directory), UNIT)
    assert ["systemctl", "stop", f"{UNIT}.timer"] in run.calls
    assert run.calls[-1] == mtu_plan.nm_checkpoint_argv("CheckpointDestroy", "/org/freedesktop/NetworkManager/Checkpoint/3")
    assert not directory.exists()


def test_commit_refuses_a_change_that_reverted_already(tmp_path):
    directory = _saved(tmp_path)
    (directory / "reverted").touch()
    with pytest.raises(RuntimeError, match="already reverted"):
        mtu_txn.commit(Recorder(), str(directory), UNIT)
    assert directory.exists()  # the rescue reverts and clears it


def test_revert_runs_the_script_once(tmp_path):
    run = Recorder()
    directory = _saved(tmp_path)
    assert mtu_txn.revert(run, str(directory), UNIT) is True
    assert ["/bin/sh", str(directory / "revert.sh")] in run.calls
    assert not directory.exists()
    directory = _saved(tmp_path)
    (directory / "reverted").touch()  # the timer did it
    run = Recorder()
    assert mtu_txn.revert(run, str(directory), UNIT) is False
    assert not any(c[0] == "/bin/sh" for c in run.calls)


def test_connection_address_and_default_route_devices():
    assert mtu_txn.ssh_local_address("10.213.100.1 51234 10.213.100.11 22") == "10.213.100.11"
    assert mtu_txn.ssh_local_address(None) is None
    via_eth0 = read_fixture("ip-route-json/lab-netns-route-show-default-via-eth0.json")
    multipath = read_fixture("ip-route-json/lab-netns-route-show-default-multipath.json")
    none6 = read_fixture("ip-route-json/lab-netns-6-route-show-default-none.json")
    assert mtu_txn.parse_default_routes(via_eth0, none6) == ["eth0"]
    assert mtu_txn.parse_default_routes(multipath, none6) == ["enx00e04c680001", "eth0"]
    assert mtu_txn.parse_default_routes("", "not json") == []

    def run(argv, check=True):
        return 0, {"-4": multipath, "-6": none6}[argv[2]], ""

    assert mtu_txn.connection(run, "ip", {"SSH_CONNECTION": "10.0.0.1 5 10.0.0.2 22"}) == {
        "address": "10.0.0.2",
        "default_route_devices": ["enx00e04c680001", "eth0"],
    }
