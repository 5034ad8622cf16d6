"""Waiting on the node for an Ansible async job (real results files written by ansible-core 2.19's async_wrapper)."""

from __future__ import annotations

import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import async_job

RUNNING = read_fixture("ansible-async/running-command-sleep.json")
FINISHED = read_fixture("ansible-async/finished-command-sleep.json")
FAILED = read_fixture("ansible-async/failed-command-false.json")
LINK_MTU = read_fixture("ansible-async/finished-link_mtu-eth0-9000-to-1500.json")


@pytest.mark.parametrize(
    "text, finished, key, value",
    [
        (RUNNING, False, "ansible_job_id", "j765726709988.340"),
        (FINISHED, True, "rc", 0),
        (FAILED, True, "failed", True),
        (LINK_MTU, True, "devices", [{"name": "eth0", "before": 9000, "after": 1500, "method": "ip", "why": "target"}]),
    ],
)
def test_job_state_of_captured_files(text, finished, key, value):
    done, result = async_job.job_state(text)
    assert done is finished
    assert result[key] == value


@pytest.mark.parametrize("text", [None, "", "  \n", RUNNING[: len(RUNNING) // 2]])
def test_missing_or_partial_file_counts_as_running(text):
    assert async_job.job_state(text) == (False, {})


def test_started_and_finished_flags_are_obeyed():
    assert async_job.job_state('{"started": 1, "finished": 1, "rc": 0}') == (True, {"started": 1, "finished": 1, "rc": 0})
    assert async_job.job_state('{"started": 1}')[0] is False


def test_not_an_async_results_file():
    with pytest.raises(async_job.JobError, match="JSON list"):
        async_job.job_state("[1, 2]")


class Clock:
    """A fake clock that sleep() advances: the wait is tested without waiting."""

    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_wait_reads_until_the_job_has_finished():
    texts = iter([None, RUNNING, RUNNING, LINK_MTU])
    paths = []
    clock = Clock()

    def read(path):
        paths.append(path)
        return next(texts)

    result = async_job.wait_for_job("/root/.ansible_async/j1", 5, read, clock=clock, sleep=clock.sleep, interval=0.05)
    assert result["changed"] is True and result["devices"][0]["after"] == 1500
    assert paths == ["/root/.ansible_async/j1"] * 4
    assert clock.sleeps == [0.05, 0.05, 0.05]


def test_wait_gives_up_after_the_timeout():
    clock = Clock()
    with pytest.raises(async_job.JobError, match="did not finish within 1 s"):
        async_job.wait_for_job("/root/.ansible_async/j1", 1, lambda _path: RUNNING, clock=clock, sleep=clock.sleep, interval=0.25)
    assert clock.now == pytest.approx(101.0)


def test_wait_returns_a_failed_job_for_the_caller_to_judge():
    result = async_job.wait_for_job("/x", 1, lambda _path: FAILED)
    assert result["failed"] is True and result["msg"] == "non-zero return code"
