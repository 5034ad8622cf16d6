# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""pmtu_probe: option errors, the measurement loop against simulated paths, real runs on loopback."""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import pmtu_probers
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.pmtu import (
    LOCAL_TOO_BIG,
    REPLY,
    SILENT,
    TOO_BIG,
    UNREACHABLE,
    PmtuSearch,
)
from ansible_collections.netdoctor.openstack.plugins.modules import pmtu_probe

ROOT = os.geteuid() == 0


def run_main(args, capsys):
    with patch_module_args(args), pytest.raises(SystemExit):
        pmtu_probe.main()
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"targets": []}, "targets must name at least one host"),
        ({"targets": ["127.0.0.1"], "timeout": 0}, "timeout must be above 0"),
        ({"targets": ["127.0.0.1"], "expected_mtu": 10}, "expected_mtu 10 is outside the allowed range 68-65535"),
        ({"targets": ["127.0.0.1"], "family": "6"}, "target '127.0.0.1' is an IPv4 address but family is 6"),
        ({"targets": ["::1"], "family": "4"}, "target '::1' is an IPv6 address but family is 4"),
        ({"targets": ["127.0.0.1"], "family": "5"}, "value of family must be one of: auto, 4, 6"),
        ({"targets": ["127.0.0.1"], "source": "192.0.2.199"}, "source address 192.0.2.199 is not an address of this host"),
        ({"targets": ["127.0.0.1"], "source": "::1"}, "source ::1 is an IPv6 address but target 127.0.0.1 is probed over IPv4"),
        ({"targets": ["127.0.0.1"], "source": "ndnosuch0"}, "source interface ndnosuch0 does not exist on this host"),
        ({"targets": ["127.0.0.1"], "source": "bad/name"}, "is neither an IP address nor a valid interface name"),
    ],
)
def test_module_fails_cleanly(args, message, capsys):
    result = run_main(args, capsys)
    assert result["failed"] is True
    assert message in result["msg"]


def test_unresolvable_target(monkeypatch, capsys):
    def no_such_host(*_args, **_kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(pmtu_probe.socket, "getaddrinfo", no_such_host)
    result = run_main({"targets": ["compute9.invalid"], "family": "4"}, capsys)
    assert result["failed"] is True
    assert result["msg"] == "cannot resolve target 'compute9.invalid' as IPv4: [Errno -2] Name or service not known"


@pytest.mark.parametrize(
    ("target", "family", "expected"),
    [
        ("127.0.0.1", "auto", (4, "127.0.0.1")),
        ("::1", "auto", (6, "::1")),
        ("fe80::1%lo", "6", (6, "fe80::1%lo")),
        ("localhost", "4", (4, "127.0.0.1")),  # /etc/hosts
    ],
)
def test_resolve(target, family, expected):
    assert pmtu_probe._resolve(target, family) == expected


class SimulatedProber:
    """Answers probes at once from a model path; ``late`` sizes answer one wait() later."""

    method = "simulated"
    grace = 0.0

    def __init__(self, mtu, icmp_mtu=None, unreachable=False, late=(), ceiling=1500):
        self.mtu, self.icmp_mtu, self.unreachable, self.late = mtu, icmp_mtu, unreachable, set(late)
        self.ceiling = ceiling
        self.token = 0
        self.ready, self.delayed, self.sizes = [], [], []

    def send(self, size, wait):
        self.token += 1
        self.sizes.append(size)
        if size > self.ceiling:
            return self.token, (LOCAL_TOO_BIG, self.ceiling, "")
        if self.unreachable:
            self.ready.append((self.token, UNREACHABLE, 0, "192.0.2.254"))
        elif size <= self.mtu:
            target = self.delayed if size in self.late else self.ready
            target.append((self.token, REPLY, 0, "192.0.2.1"))
        elif self.icmp_mtu is not None:
            self.ready.append((self.token, TOO_BIG, self.icmp_mtu, "192.0.2.254"))
        return self.token, None

    def wait(self, deadline):
        if self.ready:
            events, self.ready = self.ready, []
            return events
        # Nothing more in this round: the delayed replies turn up in the next one.
        self.ready, self.delayed = self.delayed, []
        time.sleep(max(0.0, deadline - time.monotonic()))
        return []


@pytest.mark.parametrize(
    ("prober", "expected"),
    [
        # "rounds": the most batches the measurement may take
        (SimulatedProber(1500), {"path_mtu": 1500, "blackhole": False, "icmp_mtu": None, "rounds": 1}),
        (SimulatedProber(1450, icmp_mtu=1450), {"path_mtu": 1450, "blackhole": False, "icmp_mtu": 1450, "rounds": 2}),
        (SimulatedProber(1498), {"path_mtu": 1498, "blackhole": True, "icmp_mtu": None, "rounds": 5}),
        (SimulatedProber(1450, ceiling=9000), {"path_mtu": 1450, "blackhole": True, "icmp_mtu": None, "rounds": 6}),
        # Nothing answers: one round, no answer.
        (SimulatedProber(0), {"path_mtu": None, "blackhole": False, "icmp_mtu": None, "rounds": 1}),
        (SimulatedProber(1500, unreachable=True), {"path_mtu": None, "blackhole": False, "icmp_mtu": None, "rounds": 1}),
    ],
)
def test_measure_against_simulated_paths(prober, expected):
    search = PmtuSearch(68, prober.ceiling)
    pmtu_probers.measure(prober, search, timeout=0.001)
    verdict = search.verdict(prober.ceiling)
    expected = dict(expected)
    max_rounds = expected.pop("rounds")
    assert {key: verdict[key] for key in expected} == expected
    assert search.rounds <= max_rounds
    assert search.probes == len(prober.sizes)
    assert max(prober.sizes) <= prober.ceiling


def test_measure_counts_a_late_reply():
    # The 1500-byte reply of the opening batch comes one wait() late: first counted silent, then answered.
    prober = SimulatedProber(1500, late={1500})
    search = PmtuSearch(68, 1500)
    pmtu_probers.measure(prober, search, timeout=0.001)
    assert search.silent.get(1500) == 1
    assert search.verdict()["path_mtu"] == 1500


def test_silent_outcome_names():
    # The outcome constants the module hands to the search are the search's own.
    assert {SILENT, REPLY, TOO_BIG, LOCAL_TOO_BIG, UNREACHABLE} == {"silent", "reply", "too_big", "local_too_big", "unreachable"}


# --- real runs, loopback only ---------------------------------------------------------------------


@pytest.mark.skipif(not ROOT, reason="raw ICMP sockets need root (CAP_NET_RAW)")
@pytest.mark.parametrize(("target", "family"), [("127.0.0.1", 4), ("::1", 6)])
def test_loopback_socket(target, family, capsys):
    if family == 6 and not os.path.exists("/proc/net/if_inet6"):
        pytest.skip("IPv6 is disabled on this host")
    result = run_main({"targets": [target], "timeout": 1, "method": "socket", "expected_mtu": 1500}, capsys)
    assert result["changed"] is False
    (entry,) = result["results"]
    with open("/sys/class/net/lo/mtu", encoding="ascii") as handle:
        lo_mtu = min(int(handle.read()), 65535)
    assert entry["interface"] == "lo"
    assert entry["method"] == "socket"
    assert (entry["family"], entry["interface_mtu"], entry["path_mtu"]) == (family, lo_mtu, lo_mtu)
    assert (entry["blackhole"], entry["icmp_mtu"], entry["deficit"], entry["exact"]) == (False, None, 0, True)
    assert entry["probes"] == 2 and entry["rounds"] == 1


@pytest.mark.skipif(shutil.which("ping") is None, reason="iputils ping is not installed")
def test_loopback_ping_fallback(capsys):
    result = run_main({"targets": ["127.0.0.1"], "timeout": 1, "method": "ping", "source": "lo"}, capsys)
    if result.get("failed"):
        pytest.skip(f"ping cannot run here: {result['msg']}")
    (entry,) = result["results"]
    assert entry["method"] == "ping"
    assert entry["path_mtu"] == entry["interface_mtu"] == entry["expected_mtu"]
    assert entry["deficit"] == 0


@pytest.mark.skipif(not ROOT, reason="raw ICMP sockets need root (CAP_NET_RAW)")
def test_check_mode_measures_too(capsys):
    result = run_main({"targets": ["127.0.0.1"], "timeout": 1, "_ansible_check_mode": True}, capsys)
    assert result["changed"] is False
    assert result["results"][0]["path_mtu"] == result["results"][0]["interface_mtu"]


# --- waiting for a detached job first (real results files of ansible-core 2.19's async_wrapper) ---------------


def _fixture(name):
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "ansible-async", name), encoding="utf-8") as handle:
        return handle.read()


def test_wait_for_a_failed_job_probes_nothing(tmp_path, capsys):
    job = tmp_path / "j1"
    job.write_text(_fixture("failed-command-false.json"))
    result = run_main({"targets": ["127.0.0.1"], "wait_for_job": str(job)}, capsys)
    assert result["failed"] is True
    assert result["msg"] == "the async job failed: non-zero return code; nothing was probed"
    assert result["job"]["rc"] == 1 and "results" not in result


def test_wait_for_a_job_still_running_gives_up(tmp_path, capsys):
    job = tmp_path / "j2"
    job.write_text(_fixture("running-command-sleep.json"))
    started = time.monotonic()
    result = run_main({"targets": ["127.0.0.1"], "wait_for_job": str(job), "wait_for_job_timeout": 0.3}, capsys)
    assert result["failed"] is True and "did not finish within 0.3 s; nothing was probed" in result["msg"]
    assert 0.3 <= time.monotonic() - started < 5


@pytest.mark.parametrize("timeout", [0, 3601])
def test_wait_for_job_timeout_range(timeout, capsys):
    result = run_main({"targets": ["127.0.0.1"], "wait_for_job": "/nonexistent", "wait_for_job_timeout": timeout}, capsys)
    assert result["failed"] is True and "wait_for_job_timeout must be above 0" in result["msg"]


@pytest.mark.skipif(not ROOT, reason="raw ICMP sockets need root (CAP_NET_RAW)")
def test_wait_for_a_finished_job_then_probe(tmp_path, capsys):
    job = tmp_path / "j3"
    job.write_text(_fixture("running-command-sleep.json"))
    finished = _fixture("finished-link_mtu-eth0-9000-to-1500.json")

    def finish_later():
        time.sleep(0.3)
        (tmp_path / "j3.tmp").write_text(finished)
        os.rename(tmp_path / "j3.tmp", job)  # as async_wrapper writes it

    writer = threading.Thread(target=finish_later)
    writer.start()
    try:
        result = run_main({"targets": ["127.0.0.1"], "timeout": 1, "wait_for_job": str(job), "wait_for_job_timeout": 10}, capsys)
    finally:
        writer.join()
    assert result["job"] == json.loads(finished)
    assert result["results"][0]["path_mtu"] == result["results"][0]["interface_mtu"]
