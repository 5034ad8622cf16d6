# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""counters: /proc/net/snmp and kernel-log over-MTU drops, with the source fallbacks."""

from __future__ import annotations

import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import counters

TAP_LOG = read_fixture("kernlog/ovs-dropped-over-mtu-tap-1450.txt")
NET2_LOG = read_fixture("kernlog/ovs-dropped-over-mtu-act_ct-defrag.txt")


@pytest.mark.parametrize(
    "fixture, udp",
    [
        (
            "snmp/proc-net-snmp-udp-incsumerrors-zero.txt",
            {"InDatagrams": 319248, "NoPorts": 35, "InErrors": 0, "OutDatagrams": 615694, "InCsumErrors": 0, "IgnoredMulti": 278},
        ),
        ("snmp/proc-net-snmp-udp-incsumerrors-3-veth-netns-kernel-6.18.txt", {"InDatagrams": 0, "InErrors": 3, "InCsumErrors": 3, "MemErrors": 0}),
    ],
)
def test_parse_snmp(fixture, udp):
    snmp = counters.parse_snmp(read_fixture(fixture))
    for name, value in udp.items():
        assert snmp["udp"][name] == value
    assert snmp["udplite"]["InCsumErrors"] == 0
    assert set(snmp) >= {"ip", "icmp", "tcp", "udp", "udplite"}


def test_parse_snmp_negative_values():
    snmp = counters.parse_snmp(read_fixture("snmp/proc-net-snmp-udp-incsumerrors-zero.txt"))
    assert snmp["tcp"]["MaxConn"] == -1


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            TAP_LOG,
            {
                "tap0e778df8-ca": {"count": 5, "last_size": 8950, "last_mtu": 1450},
                "tape901c8af-fb": {"count": 10, "last_size": 1460, "last_mtu": 1450},
            },
        ),
        (NET2_LOG, {"net2": {"count": 1, "last_size": 1528, "last_mtu": 1500}}),
        # journal -o cat form with the module prefix
        (
            "openvswitch: tap0e778df8-ca: dropped over-mtu packet: 8950 > 1450\n",
            {"tap0e778df8-ca": {"count": 1, "last_size": 8950, "last_mtu": 1450}},
        ),
        # ovs-vswitchd's userspace warning is not a kernel over-mtu drop
        (read_fixture("ovs-log/ovs-vswitchd-dpdk-dropped-packet-too-big.txt"), {}),
        (read_fixture("kernlog/hw-csum-failure-ovs-ct-mlx5-rep.txt"), {}),
    ],
)
def test_parse_over_mtu_drops(text, expected):
    assert counters.parse_over_mtu_drops(text.splitlines()) == expected


class FakeRun:
    """Answers like a host where some tools are missing (rc 127) or fail."""

    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def __call__(self, argv):
        self.calls.append(argv)
        answer = self.answers.get(argv[0], (127, "", f"{argv[0]}: not found"))
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def proc_root(tmp_path):
    (tmp_path / "net").mkdir()
    (tmp_path / "net" / "snmp").write_text(read_fixture("snmp/proc-net-snmp-udp-incsumerrors-3-veth-netns-kernel-6.18.txt"))
    return str(tmp_path)


@pytest.mark.parametrize(
    "case",
    [
        ({"journalctl": (0, TAP_LOG, "")}, None, "journal", {"tap0e778df8-ca": 5, "tape901c8af-fb": 10}),
        # a journal without kernel messages (containers, volatile journal off) answers "-- No entries --"
        ({"journalctl": (0, "-- No entries --\n", ""), "dmesg": (0, NET2_LOG, "")}, None, "dmesg", {"net2": 1}),
        (
            {"journalctl": (0, "", ""), "dmesg": (1, "", "dmesg: read kernel buffer failed: Operation not permitted")},
            TAP_LOG,
            "kern.log",
            {"tap0e778df8-ca": 5, "tape901c8af-fb": 10},
        ),
        ({"journalctl": OSError(2, "No such file or directory")}, NET2_LOG, "kern.log", {"net2": 1}),
        ({}, None, None, {}),
    ],
)
def test_collect_host_sources(proc_root, tmp_path, case):
    answers, kern_log, source, drops = case
    path = tmp_path / "kern.log"
    if kern_log is not None:
        path.write_text(kern_log)
    run = FakeRun(answers)
    result = counters.collect_host(run, proc_root=proc_root, max_log_lines=100, kern_log_paths=(str(path),))
    assert result["snmp"]["udp"]["InCsumErrors"] == 3
    expected_source = str(path) if source == "kern.log" else source
    assert result["kernel_log"]["source"] == expected_source
    assert {name: entry["count"] for name, entry in result["kernel_log"]["over_mtu_drops"].items()} == drops
    assert run.calls[0] == ["journalctl", "-k", "-o", "cat", "-n", "100", "--no-pager"]


def test_collect_host_bounds_the_log(proc_root, tmp_path):
    run = FakeRun({"dmesg": (0, TAP_LOG, "")})
    result = counters.collect_host(run, proc_root=proc_root, max_log_lines=3)
    assert result["kernel_log"]["lines_read"] == 3
    # only the last three lines are read: all of them tape901c8af-fb at 1460
    assert result["kernel_log"]["over_mtu_drops"] == {"tape901c8af-fb": {"count": 3, "last_size": 1460, "last_mtu": 1450}}


def test_read_tail_reads_only_the_end(tmp_path):
    path = tmp_path / "kern.log"
    lines = [f"line {i}: filler " + "x" * 100 for i in range(100000)]
    path.write_text("\n".join(lines + [TAP_LOG.splitlines()[-1]]) + "\n")
    tail = counters.read_tail(str(path), 10)
    assert len(tail) == 10
    assert tail[-1].endswith("dropped over-mtu packet: 1460 > 1450")
    assert tail[0] == lines[-9]


def test_collect_host_unreadable_snmp(tmp_path):
    result = counters.collect_host(FakeRun({}), proc_root=str(tmp_path / "missing"), kern_log_paths=())
    assert result == {"snmp": {}, "kernel_log": {"source": None, "lines_read": 0, "over_mtu_drops": {}}}
