"""The transaction around a saved MTU change: arm, commit, revert (a recording runner, a temporary directory)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

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


def test_write_text_is_atomic_and_keeps_the_mode(tmp_path):
    moves = []

    def move(src, dst):
        moves.append((os.path.dirname(src), os.path.basename(src).startswith(".netdoctor-"), dst))
        os.replace(src, dst)

    path = tmp_path / "etc" / "interfaces"
    mtu_txn.write_text(str(path), "auto eth0\n", move)
    assert path.read_text() == "auto eth0\n" and stat.S_IMODE(path.stat().st_mode) == 0o644
    path.chmod(0o640)
    mtu_txn.write_text(str(path), "auto eth1\n", move)
    assert path.read_text() == "auto eth1\n" and stat.S_IMODE(path.stat().st_mode) == 0o640
    assert moves == [(str(path.parent), True, str(path))] * 2
    assert os.listdir(path.parent) == ["interfaces"]


def test_save_backs_up_once_and_writes_a_runnable_revert(tmp_path):
    directory, target, new = tmp_path / "state", tmp_path / "eth0.network", tmp_path / "new.network"
    target.write_text("[Match]\nName=eth0\n")
    steps = [{"name": "eth0", "before": 1500, "after": 9000, "method": "ip", "why": "target"}]
    mtu_txn.save(str(directory), steps, {str(target): "x", str(new): "y"}, [["networkctl", "reload"]], [], os.replace)
    state = json.loads((directory / "state.json").read_text())
    backups = {f["path"]: f["backup"] for f in state["files"]}
    assert backups[str(new)] is None  # did not exist: the revert removes it
    assert Path(backups[str(target)]).read_text(encoding="utf-8") == "[Match]\nName=eth0\n"
    assert stat.S_IMODE((directory / "revert.sh").stat().st_mode) == 0o700
    target.write_text("changed by the first run\n")
    mtu_txn.save(str(directory), steps, {str(target): "z"}, [], [], os.replace)  # a second run in the same transaction
    again = json.loads((directory / "state.json").read_text())
    assert {f["path"]: f["backup"] for f in again["files"]}[str(target)] == backups[str(target)]
    assert Path(backups[str(target)]).read_text(encoding="utf-8") == "[Match]\nName=eth0\n"  # the original, not the first run's


def test_nm_checkpoint_without_devices_runs_nothing():
    run = Recorder()
    assert mtu_txn.nm_checkpoint(run, [], 30) == []
    assert run.calls == []
