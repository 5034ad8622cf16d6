# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tables for the pure path-MTU code: packets captured from real raw sockets, real ping output, bisection."""

from __future__ import annotations

import errno
import json
import struct

import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import pmtu
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.pmtu import (
    LOCAL_TOO_BIG,
    REPLY,
    SILENT,
    TOO_BIG,
    UNREACHABLE,
    PmtuError,
    PmtuSearch,
)

# The captures in fixtures/icmp were made by sending these echo requests (see SOURCES.md).
CAPTURE_IDENT = 0x4E44
CAPTURE_COOKIE = b"NDPMTU01"


def _capture(name: str) -> list[dict]:
    return json.loads(read_fixture(f"icmp/{name}"))


@pytest.mark.parametrize(
    ("size", "family", "payload"),
    [
        (1500, 4, 1472),  # ping -s 1472 makes 1500 (fixtures/ping: "1472(1500) bytes of data")
        (1450, 4, 1422),
        (68, 4, 40),
        (1500, 6, 1452),  # ping -6 -s 1452 is a 1500-byte packet
        (1280, 6, 1232),
        (65535, 4, 65507),
    ],
)
def test_payload_size(size, family, payload):
    assert pmtu.payload_size(size, family) == payload


@pytest.mark.parametrize(("size", "family"), [(35, 4), (55, 6), (65536, 4), (1500, 5)])
def test_payload_size_rejects(size, family):
    with pytest.raises(PmtuError):
        pmtu.payload_size(size, family)


@pytest.mark.parametrize(
    ("data", "checksum"),
    [
        # RFC 1071 section 3: the sum of 0001 f203 f4f5 f6f7 is ddf2, the checksum its complement.
        (bytes.fromhex("0001f203f4f5f6f7"), 0x220D),
        (b"\x00\x00", 0xFFFF),
        (b"\xff", 0x00FF),  # odd length: padded with a zero byte
    ],
)
def test_icmp_checksum(data, checksum):
    assert pmtu.icmp_checksum(data) == checksum


@pytest.mark.parametrize(
    ("capture", "family", "queue_index", "seq", "size"),
    [
        # The requests as the kernel handed them back on the error queue: byte for byte what we built
        # (as far as the ICMP error quoted them: 576 bytes of IPv4, 1280 of IPv6).
        ("raw-socket-ipv4-echo-reply-1400-and-too-big-1450-routed-netns.json", 4, 1, 2, 1500),
        ("raw-socket-ipv6-echo-reply-1400-and-too-big-1450-routed-netns.json", 6, 1, 2, 1500),
        ("raw-socket-ipv4-host-unreachable-routed-netns.json", 4, 1, 1, 100),
    ],
)
def test_build_echo_request_matches_the_captured_request(capture, family, queue_index, seq, size):
    record = _capture(capture)[queue_index]
    assert record["queue"] == "errqueue"
    built = pmtu.build_echo_request(family, CAPTURE_IDENT, seq, size, CAPTURE_COOKIE)
    sent = bytes.fromhex(record["hex"])
    if family == 6:
        sent = sent[:2] + b"\0\0" + sent[4:]  # the kernel filled the ICMPv6 checksum in
    assert len(sent) >= 64
    assert built[: len(sent)] == sent
    assert len(built) + pmtu.IP_HEADER[family] == size


def test_ipv4_request_checksum_verifies():
    packet = pmtu.build_echo_request(4, 1, 2, 100, CAPTURE_COOKIE)
    assert pmtu.icmp_checksum(packet) == 0


def test_build_echo_request_needs_a_cookie_of_eight_bytes():
    with pytest.raises(PmtuError):
        pmtu.build_echo_request(4, 1, 1, 100, b"short")


@pytest.mark.parametrize(
    ("capture", "family", "index", "expected"),
    [
        # echo reply to the 1400-byte probe, from the target
        ("raw-socket-ipv4-echo-reply-1400-and-too-big-1450-routed-netns.json", 4, 2, (REPLY, 1, 1400, 0, "10.91.2.1", 0, 0)),
        # frag-needed (type 3 code 4) from the router naming MTU 1450, quoting probe 2 (1500 bytes)
        ("raw-socket-ipv4-echo-reply-1400-and-too-big-1450-routed-netns.json", 4, 3, (TOO_BIG, 2, 0, 1450, "10.91.1.254", 3, 4)),
        # host unreachable (type 3 code 1) from the router: the target's neighbour never answered
        ("raw-socket-ipv4-host-unreachable-routed-netns.json", 4, 2, (UNREACHABLE, 1, 0, 0, "10.91.1.254", 3, 1)),
        # packet too big (ICMPv6 type 2) naming MTU 1450
        ("raw-socket-ipv6-echo-reply-1400-and-too-big-1450-routed-netns.json", 6, 4, (TOO_BIG, 2, 0, 1450, "fd00:91:1::fe", 2, 0)),
        # ICMPv6 echo reply: 1360 bytes of ICMPv6 + the 40-byte header the socket does not deliver
        ("raw-socket-ipv6-echo-reply-1400-and-too-big-1450-routed-netns.json", 6, 3, (REPLY, 1, 1400, 0, "fd00:91:2::1", 129, 0)),
    ],
)
def test_parse_icmp_captures(capture, family, index, expected):
    record = _capture(capture)[index]
    event = pmtu.parse_icmp(family, bytes.fromhex(record["hex"]), record["from"])
    kind, seq, size, mtu, source, icmp_type, icmp_code = expected
    assert event is not None
    assert (event.kind, event.ident, event.seq, event.size, event.mtu, event.source) == (kind, CAPTURE_IDENT, seq, size, mtu, source)
    assert (event.icmp_type, event.icmp_code) == (icmp_type, icmp_code)
    if kind == REPLY:
        assert event.cookie == CAPTURE_COOKIE


def test_parse_icmp_ignores_neighbour_advertisements():
    # The IPv6 raw socket also received the router's neighbour advertisement (type 136).
    record = _capture("raw-socket-ipv6-echo-reply-1400-and-too-big-1450-routed-netns.json")[2]
    assert bytes.fromhex(record["hex"])[0] == 136
    assert pmtu.parse_icmp(6, bytes.fromhex(record["hex"]), record["from"]) is None


@pytest.mark.parametrize("data", [b"", b"\x45\x00", bytes(40)])
def test_parse_icmp_ignores_garbage(data):
    assert pmtu.parse_icmp(4, data) is None
    assert pmtu.parse_icmp(6, data, "::1") is None


@pytest.mark.parametrize(
    ("capture", "family", "expected_err", "expected_event"),
    [
        (
            "raw-socket-ipv4-echo-reply-1400-and-too-big-1450-routed-netns.json",
            4,
            (errno.EMSGSIZE, pmtu.SO_EE_ORIGIN_ICMP, 3, 4, 1450, "10.91.1.254"),
            (TOO_BIG, CAPTURE_IDENT, 2, 1450, "10.91.1.254"),
        ),
        (
            "raw-socket-ipv6-echo-reply-1400-and-too-big-1450-routed-netns.json",
            6,
            (errno.EMSGSIZE, pmtu.SO_EE_ORIGIN_ICMP6, 2, 0, 1450, "fd00:91:1::fe"),
            (TOO_BIG, CAPTURE_IDENT, 2, 1450, "fd00:91:1::fe"),
        ),
        (
            "raw-socket-ipv4-host-unreachable-routed-netns.json",
            4,
            (errno.EHOSTUNREACH, pmtu.SO_EE_ORIGIN_ICMP, 3, 1, 0, "10.91.1.254"),
            (UNREACHABLE, CAPTURE_IDENT, 1, 0, "10.91.1.254"),
        ),
    ],
)
def test_error_queue_captures(capture, family, expected_err, expected_event):
    record = next(r for r in _capture(capture) if r["queue"] == "errqueue")
    (_level, _type, cmsg_hex) = record["cmsg"][0]
    err = pmtu.parse_extended_err(bytes.fromhex(cmsg_hex))
    assert (err.errno, err.origin, err.icmp_type, err.icmp_code, err.info, err.offender) == expected_err
    assert pmtu.errqueue_event(family, bytes.fromhex(record["hex"]), err, errno.EMSGSIZE) == expected_event


def test_error_queue_local_error_and_foreign_data():
    local = pmtu.ExtendedError(errno.EMSGSIZE, pmtu.SO_EE_ORIGIN_LOCAL, 0, 0, 1500, "")
    request = pmtu.build_echo_request(4, 7, 9, 1600, CAPTURE_COOKIE)
    assert pmtu.errqueue_event(4, request, local, errno.EMSGSIZE) == (LOCAL_TOO_BIG, 7, 9, 1500, "")
    # A local error queues an IP header, not our request: not ours to interpret.
    assert pmtu.errqueue_event(4, bytes.fromhex("45000064"), local, errno.EMSGSIZE) is None
    assert pmtu.parse_extended_err(b"\x00" * 4) is None


@pytest.mark.parametrize(
    ("fixture", "kind", "mtu", "source"),
    [
        ("ping/ipv4-M-do-frag-needed-mtu-1450-routed-netns.txt", TOO_BIG, 1450, "10.91.1.254"),
        ("ping/ipv4-M-do-frag-needed-then-local-error-mtu-1450-routed-netns.txt", LOCAL_TOO_BIG, 1450, ""),
        ("ping/ipv4-M-do-local-error-cached-pmtu-1450-size-1501.txt", LOCAL_TOO_BIG, 1450, ""),
        ("ping/ipv4-M-do-reply-1450-routed-netns.txt", REPLY, 0, ""),
        ("ping/ipv4-M-do-reply-1498-hidden-hop-netns.txt", REPLY, 0, ""),
        ("ping/ipv4-M-do-silent-drop-hidden-1498-hop-netns.txt", SILENT, 0, ""),
        ("ping/ipv4-M-do-host-unreachable-netns.txt", UNREACHABLE, 0, "10.91.1.254"),
        ("ping/ipv6-M-do-packet-too-big-mtu-1450-routed-netns.txt", TOO_BIG, 1450, "fd00:91:1::fe"),
        ("ping/ipv6-M-do-packet-too-big-then-local-error-mtu-1450-routed-netns.txt", LOCAL_TOO_BIG, 1450, ""),
        ("ping/ipv6-M-do-local-error-cached-pmtu-1450-size-1501.txt", LOCAL_TOO_BIG, 1450, ""),
        ("ping/ipv6-M-do-reply-1450-routed-netns.txt", REPLY, 0, ""),
        # Published captures (SOURCES.md): the older "Message too long" spelling, and a router's frag-needed.
        ("tracepath/ping-M-do-frag-needed-and-local-error-pmtu-1406.txt", TOO_BIG, 1406, "192.168.252.252"),
        ("tracepath/ping-M-do-frag-needed-no-exception-netns-multipath.txt", TOO_BIG, 1406, "192.168.252.252"),
        ("tracepath/tracepath-no-icmp-frag-needed-pmtu-1500.txt", SILENT, 0, ""),
    ],
)
def test_parse_ping_output(fixture, kind, mtu, source):
    outcome = pmtu.parse_ping_output(read_fixture(fixture))
    assert (outcome.kind, outcome.mtu, outcome.source) == (kind, mtu, source)


@pytest.mark.parametrize(
    "line",
    [
        "ping: local error: Message too long, mtu=1406",  # iputils of the netdev report
        "/usr/bin/ping: local error: message too long, mtu=1450",  # argv[0] as run by a module
    ],
)
def test_parse_ping_local_error_spellings(line):
    assert pmtu.parse_ping_output(line).kind == LOCAL_TOO_BIG


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("route-get-ipv4-via-gateway-netns.json", {"dev": "a0", "gateway": "10.91.1.254", "prefsrc": "10.91.1.1", "type": "unicast", "cached_mtu": None}),
        ("route-get-ipv6-via-gateway-netns.json", {"dev": "a0", "gateway": "fd00:91:1::fe", "prefsrc": "fd00:91:1::1", "type": "unicast", "cached_mtu": None}),
        ("route-get-ipv4-from-oif-netns.json", {"dev": "a0", "gateway": "10.91.1.254", "prefsrc": "10.91.1.1", "type": "unicast", "cached_mtu": None}),
        ("route-get-ipv4-local-netns.json", {"dev": "lo", "gateway": None, "prefsrc": "10.91.1.1", "type": "local", "cached_mtu": None}),
        ("route-get-ipv4-cached-pmtu-1450-netns.json", {"dev": "a0", "gateway": "10.91.1.254", "prefsrc": "10.91.1.1", "type": "unicast", "cached_mtu": 1450}),
    ],
)
def test_parse_route_get(fixture, expected):
    assert pmtu.parse_route_get(read_fixture(f"ip-route-json/{fixture}")) == expected


@pytest.mark.parametrize("text", ["", "[]", "{", '{"dev": "a0"}'])
def test_parse_route_get_rejects(text):
    with pytest.raises(PmtuError):
        pmtu.parse_route_get(text)


@pytest.mark.parametrize(
    ("rtts", "timeout", "expected"),
    [
        ([], 2.0, 2.0),  # nothing measured yet: the whole timeout
        ([0.0001, 0.0002], 2.0, 0.05),  # a namespace: the floor
        ([0.02, 0.08], 2.0, 0.32),  # a WAN-ish path: four of the slowest round trips
        ([0.9], 2.0, 2.0),  # never more than the timeout
    ],
)
def test_settle_time(rtts, timeout, expected):
    assert pmtu.settle_time(rtts, timeout) == pytest.approx(expected)


# --- bisection, against simulated paths --------------------------------------------------------


class Path:
    """A path of MTU ``mtu``; probes above it bring an ICMP naming ``icmp_mtu`` or vanish."""

    def __init__(self, mtu, icmp_mtu=None, lost=(), hops=()):
        self.mtu = mtu
        self.icmp_mtu = icmp_mtu
        self.lost = list(lost)  # sizes whose next probe is lost once (random loss)
        self.hops = hops  # extra (mtu, sends_icmp) hops nearer than the last one

    def outcome(self, size):
        if size in self.lost:
            self.lost.remove(size)
            return SILENT, 0
        for hop_mtu, sends_icmp in self.hops:
            if size > hop_mtu:
                return (TOO_BIG, hop_mtu) if sends_icmp else (SILENT, 0)
        if size <= self.mtu:
            return REPLY, 0
        return (TOO_BIG, self.icmp_mtu) if self.icmp_mtu is not None else (SILENT, 0)


def run(search, path, max_rounds=30):
    while not search.done and search.rounds < max_rounds:
        batch = search.next_batch()
        assert batch, "no batch although not done"
        assert all(search.floor <= size <= search.ceiling for size in batch)
        search.rounds += 1
        search.probes += len(batch)
        for size in batch:
            kind, mtu = path.outcome(size)
            search.record(size, kind, mtu, "192.0.2.254" if kind == TOO_BIG else "")
    return search.verdict(search.ceiling)


@pytest.mark.parametrize(
    ("ceiling", "path", "expected"),
    [
        # clean path: the opening batch confirms the interface MTU
        (1500, Path(1500), (1500, False, None, 1)),
        # routed 1500 -> 1450 with frag-needed: opening, then 1450 and 1451 together
        (1500, Path(1450, icmp_mtu=1450), (1450, False, 1450, 2)),
        # the seed: a hidden 1498-byte hop, frames above it dropped silently
        (1500, Path(1498), (1498, True, None, 5)),
        # frag-needed filtered: the same path as routed, but a black hole
        (1500, Path(1450), (1450, True, None, 5)),
        # jumbo interface, path carries 1450
        (9000, Path(1450), (1450, True, None, 6)),
        # IPv6 bounds, packet too big
        (1500, Path(1450, icmp_mtu=1450), (1450, False, 1450, 2)),
        # a router that sends frag-needed without the MTU (RFC 792 routers put 0 there)
        (1500, Path(1400, icmp_mtu=0), (1400, False, None, 5)),
        # the nearer hop names 1450, a farther one silently carries only 1400
        (1500, Path(1400, hops=[(1450, True)]), (1400, True, 1450, 6)),
        # the path carries nothing above the minimum
        (1500, Path(68), (68, True, None, 6)),
        # one probe of the deciding size lost: asked again, still exact
        (1500, Path(1498, lost=[1499]), (1498, True, None, 6)),
        # loss of a size that passes: the later rounds correct it
        (1500, Path(1480, lost=[1480]), (1480, True, None, 7)),
    ],
)
def test_search_is_exact(ceiling, path, expected):
    path_mtu, blackhole, icmp_mtu, max_rounds = expected
    search = PmtuSearch(68, ceiling)
    verdict = run(search, path)
    assert verdict["path_mtu"] == path_mtu
    assert verdict["exact"] is True
    assert verdict["blackhole"] is blackhole
    assert verdict["icmp_mtu"] == icmp_mtu
    assert verdict["deficit"] == ceiling - path_mtu
    assert search.rounds <= max_rounds
    # the answer is confirmed: N answered, N+1 refused or vanished twice (unless N is the interface MTU)
    assert path_mtu in search.answered
    if path_mtu < ceiling:
        assert path_mtu + 1 in search.refused or search.silent.get(path_mtu + 1, 0) >= 2


def test_search_ipv6_floor():
    search = PmtuSearch(pmtu.MIN_PATH_MTU[6], 1500)
    assert search.next_batch() == [1280, 1500]
    assert run(search, Path(1450, icmp_mtu=1450))["path_mtu"] == 1450


def test_search_rounds_are_logarithmic():
    # Every size of a 9000-byte interface: never more than 7 batches, never more than 16+1 probes per batch.
    for mtu in range(68, 9001, 97):
        search = PmtuSearch(68, 9000)
        rounds_sizes = []
        while not search.done:
            batch = search.next_batch()
            rounds_sizes.append(len(batch))
            search.rounds += 1
            for size in batch:
                search.record(size, REPLY if size <= mtu else SILENT)
        assert search.verdict()["path_mtu"] == mtu
        assert len(rounds_sizes) <= 7
        assert max(rounds_sizes) <= 17


def test_search_unreachable():
    search = PmtuSearch(68, 1500)
    for size in search.next_batch():
        search.record(size, SILENT)
    verdict = search.verdict(1500)
    assert verdict["path_mtu"] is None
    assert verdict["reachable"] is False
    assert verdict["deficit"] is None


def test_search_late_reply_raises_the_answer():
    search = PmtuSearch(68, 1500)
    search.record(68, REPLY)
    search.record(1500, SILENT)
    assert search.hi == 1499
    search.record(1500, REPLY)  # the reply was only late
    assert search.done and search.verdict()["path_mtu"] == 1500


def test_search_ignores_icmp_contradicted_by_a_reply():
    search = PmtuSearch(68, 1500)
    search.record(1400, REPLY)
    search.record(1500, TOO_BIG, 1300)  # a stale or lying frag-needed: 1400 did pass
    assert search.hi == 1499


@pytest.mark.parametrize(("floor", "ceiling", "batch"), [(1280, 1200, 16), (68, 1500, 1)])
def test_search_rejects(floor, ceiling, batch):
    with pytest.raises(PmtuError):
        PmtuSearch(floor, ceiling, batch_size=batch)


def test_record_rejects_unknown_outcome():
    with pytest.raises(PmtuError):
        PmtuSearch(68, 1500).record(100, "maybe")


def test_local_too_big_below_interface_counts_as_icmp():
    # ping -M do after the kernel cached 1450 from a frag-needed: only local errors, mtu=1450.
    search = PmtuSearch(68, 1500)
    run(search, Path(1450, icmp_mtu=1450))
    fallback = PmtuSearch(68, 1500)
    fallback.record(68, REPLY)
    fallback.record(1450, REPLY)
    fallback.record(1451, LOCAL_TOO_BIG, 1450)
    verdict = fallback.verdict(1500)
    assert (verdict["path_mtu"], verdict["icmp_mtu"], verdict["blackhole"]) == (1450, 1450, False)
    assert struct.calcsize("=IBBBBII") == 16
