# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""Path-MTU measurement, the pure part: ICMP packets, probe-size planning, bisection, verdict.

No I/O here. ``pmtu_probe`` sends the probes (raw ICMP sockets, or ``ping -M do``) and feeds
what came back into a :class:`PmtuSearch`, which plans the next batch of sizes and finally
says what the path carries. Sizes are always whole IP packets (header included), the
number an interface MTU is compared with.

How a batch is planned: the unknown range ``(lo, hi]`` (``lo`` the largest size answered,
``hi`` the smallest size known not to pass, minus one) is cut into ``batch_size`` steps
and all of them go out at once, so each round shrinks the range ``batch_size`` times;
1,500 bytes need three rounds, 9,000 four. A size that brings an ICMP frag-needed /
packet-too-big caps ``hi`` at the MTU it names (the next round then probes that MTU and
the byte above it). The answer N is only given when N was answered and N+1 was refused
(an ICMP or a local "message too long") or vanished twice.
"""

from __future__ import annotations

import ipaddress
import json
import re
import struct
from typing import NamedTuple

IP_HEADER = {4: 20, 6: 40}
ICMP_HEADER = 8
# Smallest packet every IPv4 link must carry (RFC 791) / every IPv6 link (RFC 8200).
MIN_PATH_MTU = {4: 68, 6: 1280}
MAX_PACKET = 65535

ICMP_ECHO_REPLY = 0
ICMP_DEST_UNREACH = 3
ICMP_FRAG_NEEDED = 4  # code of ICMP_DEST_UNREACH
ICMP_ECHO_REQUEST = 8
ICMP_TIME_EXCEEDED = 11
ICMPV6_DEST_UNREACH = 1
ICMPV6_PACKET_TOO_BIG = 2
ICMPV6_TIME_EXCEEDED = 3
ICMPV6_ECHO_REQUEST = 128
ICMPV6_ECHO_REPLY = 129
IPPROTO_ICMPV6 = 58

# struct sock_extended_err (linux/errqueue.h): errno, origin, type, code, pad, info, data.
_SOCK_EXTENDED_ERR = struct.Struct("=IBBBBII")
SO_EE_ORIGIN_LOCAL = 1
SO_EE_ORIGIN_ICMP = 2
SO_EE_ORIGIN_ICMP6 = 3

COOKIE_LEN = 8

# Outcome kinds of one probe.
REPLY = "reply"  # echo reply of the probe's size came back
TOO_BIG = "too_big"  # ICMP frag-needed / packet-too-big named an MTU (``mtu`` may be 0: not said)
LOCAL_TOO_BIG = "local_too_big"  # this host refused to send it (interface MTU or cached PMTU)
UNREACHABLE = "unreachable"  # another ICMP error: the target cannot be reached at all
SILENT = "silent"  # nothing came back in time


class IcmpEvent(NamedTuple):
    """One ICMP message that concerns a probe: ``kind`` is REPLY, TOO_BIG or UNREACHABLE."""

    kind: str
    ident: int
    seq: int
    size: int = 0  # REPLY: IP packet size of the reply
    mtu: int = 0  # TOO_BIG: the next-hop MTU the message named (0: not given)
    source: str = ""  # who sent the message (the target for a reply, a router for an error)
    icmp_type: int = 0
    icmp_code: int = 0
    cookie: bytes = b""  # REPLY: the first bytes of the echoed payload


class PmtuError(ValueError):
    """Inputs a measurement cannot start from."""


def payload_size(size: int, family: int) -> int:
    """Bytes of ICMP echo data that make an IP packet of ``size`` bytes (what ``ping -s`` takes)."""
    if family not in IP_HEADER:
        raise PmtuError(f"family must be 4 or 6, got {family!r}")
    payload = int(size) - IP_HEADER[family] - ICMP_HEADER
    if payload < COOKIE_LEN or size > MAX_PACKET:
        raise PmtuError(f"probe size {size} is outside {IP_HEADER[family] + ICMP_HEADER + COOKIE_LEN}-{MAX_PACKET} for IPv{family}")
    return payload


def icmp_checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071) of ``data``."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def build_echo_request(family: int, ident: int, seq: int, size: int, cookie: bytes) -> bytes:
    """The ICMP (or ICMPv6) echo request that travels in an IP packet of ``size`` bytes.

    The payload starts with ``cookie`` (COOKIE_LEN bytes) so a reply can be told from another
    program's. The ICMPv6 checksum is left 0: the kernel fills it on raw ICMPv6 sockets.
    """
    data_len = payload_size(size, family)
    if len(cookie) != COOKIE_LEN:
        raise PmtuError(f"cookie must be {COOKIE_LEN} bytes")
    data = cookie + bytes(i & 0xFF for i in range(data_len - COOKIE_LEN))
    icmp_type = ICMP_ECHO_REQUEST if family == 4 else ICMPV6_ECHO_REQUEST
    header = struct.pack("!BBHHH", icmp_type, 0, 0, ident & 0xFFFF, seq & 0xFFFF)
    if family == 6:
        return header + data
    checksum = icmp_checksum(header + data)
    return struct.pack("!BBHHH", icmp_type, 0, checksum, ident & 0xFFFF, seq & 0xFFFF) + data


def _ipv4_address(raw: bytes) -> str:
    return str(ipaddress.IPv4Address(bytes(raw)))


def _ipv6_address(raw: bytes) -> str:
    return str(ipaddress.IPv6Address(bytes(raw)))


def _inner_echo(family: int, inner: bytes) -> tuple[int, int] | None:
    """(ident, seq) of our echo request quoted in an ICMP error (``inner`` starts at its IP header)."""
    if family == 4:
        if len(inner) < 20 or inner[0] >> 4 != 4 or inner[9] != 1:
            return None
        ihl = (inner[0] & 0x0F) * 4
        echo = inner[ihl : ihl + 8]
        if len(echo) < 8 or echo[0] != ICMP_ECHO_REQUEST:
            return None
    else:
        if len(inner) < 48 or inner[0] >> 4 != 6 or inner[6] != IPPROTO_ICMPV6:
            return None
        echo = inner[40:48]
        if echo[0] != ICMPV6_ECHO_REQUEST:
            return None
    _type, _code, _csum, ident, seq = struct.unpack("!BBHHH", echo)
    return ident, seq


def parse_icmp(family: int, data: bytes, source: str = "") -> IcmpEvent | None:
    """Parse what a raw ICMP socket received; None for anything that is not about an echo request.

    IPv4 raw sockets deliver the IP header too (``data`` starts with it, ``source`` is then
    taken from it); IPv6 raw sockets deliver the ICMPv6 message only (pass ``source``).
    """
    if family == 4:
        if len(data) < 20 or data[0] >> 4 != 4 or data[9] != 1:
            return None
        ihl = (data[0] & 0x0F) * 4
        total = struct.unpack("!H", data[2:4])[0] or len(data)
        source = _ipv4_address(data[12:16])
        icmp = data[ihl:]
        ip_size = total
    else:
        icmp = data
        ip_size = len(data) + IP_HEADER[6]
    if len(icmp) < 8:
        return None
    icmp_type, code = icmp[0], icmp[1]
    reply_type = ICMP_ECHO_REPLY if family == 4 else ICMPV6_ECHO_REPLY
    if icmp_type == reply_type:
        _t, _c, _s, ident, seq = struct.unpack("!BBHHH", icmp[:8])
        return IcmpEvent(REPLY, ident, seq, size=ip_size, source=source, icmp_type=icmp_type, icmp_code=code, cookie=bytes(icmp[8 : 8 + COOKIE_LEN]))
    if family == 4 and icmp_type in (ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED):
        quoted = _inner_echo(4, icmp[8:])
        if quoted is None:
            return None
        if icmp_type == ICMP_DEST_UNREACH and code == ICMP_FRAG_NEEDED:
            # RFC 1191: next-hop MTU in the low 16 bits of the second word (0 from old routers).
            mtu = struct.unpack("!H", icmp[6:8])[0]
            return IcmpEvent(TOO_BIG, quoted[0], quoted[1], mtu=mtu, source=source, icmp_type=icmp_type, icmp_code=code)
        return IcmpEvent(UNREACHABLE, quoted[0], quoted[1], source=source, icmp_type=icmp_type, icmp_code=code)
    if family == 6 and icmp_type in (ICMPV6_DEST_UNREACH, ICMPV6_PACKET_TOO_BIG, ICMPV6_TIME_EXCEEDED):
        quoted = _inner_echo(6, icmp[8:])
        if quoted is None:
            return None
        if icmp_type == ICMPV6_PACKET_TOO_BIG:
            mtu = struct.unpack("!I", icmp[4:8])[0]
            return IcmpEvent(TOO_BIG, quoted[0], quoted[1], mtu=mtu, source=source, icmp_type=icmp_type, icmp_code=code)
        return IcmpEvent(UNREACHABLE, quoted[0], quoted[1], source=source, icmp_type=icmp_type, icmp_code=code)
    return None


class ExtendedError(NamedTuple):
    """``struct sock_extended_err`` from an IP_RECVERR / IPV6_RECVERR control message."""

    errno: int
    origin: int
    icmp_type: int
    icmp_code: int
    info: int  # the MTU for EMSGSIZE errors
    offender: str  # address of the router that sent the ICMP ("" for local errors)


def parse_extended_err(cmsg_data: bytes) -> ExtendedError | None:
    """Decode the control message of an error-queue read (``recvmsg(..., MSG_ERRQUEUE)``)."""
    if len(cmsg_data) < _SOCK_EXTENDED_ERR.size:
        return None
    errno_, origin, icmp_type, code, _pad, info, _data = _SOCK_EXTENDED_ERR.unpack_from(cmsg_data)
    offender = ""
    rest = cmsg_data[_SOCK_EXTENDED_ERR.size :]
    if len(rest) >= 8:
        sa_family = struct.unpack("=H", rest[:2])[0]
        if sa_family == 2:  # AF_INET: sockaddr_in
            offender = _ipv4_address(rest[4:8])
        elif sa_family == 10 and len(rest) >= 24:  # AF_INET6: sockaddr_in6
            offender = _ipv6_address(rest[8:24])
    return ExtendedError(errno_, origin, icmp_type, code, info, offender)


def errqueue_event(family: int, data: bytes, err: ExtendedError, emsgsize: int) -> tuple[str, int, int, int, str] | None:
    """(kind, ident, seq, mtu, offender) for an error-queue entry about one of our echo requests.

    ``data`` is the echo request the error is about (raw sockets queue the original ICMP
    message). EMSGSIZE with an ICMP origin is a frag-needed / packet-too-big (TOO_BIG),
    with a local origin this host's own refusal (LOCAL_TOO_BIG); other ICMP errors are
    UNREACHABLE.
    """
    request = ICMP_ECHO_REQUEST if family == 4 else ICMPV6_ECHO_REQUEST
    if len(data) < 8 or data[0] != request:
        return None
    _t, _c, _s, ident, seq = struct.unpack("!BBHHH", data[:8])
    if err.errno == emsgsize:
        kind = LOCAL_TOO_BIG if err.origin == SO_EE_ORIGIN_LOCAL else TOO_BIG
        return kind, ident, seq, err.info, err.offender
    if err.origin in (SO_EE_ORIGIN_ICMP, SO_EE_ORIGIN_ICMP6):
        return UNREACHABLE, ident, seq, 0, err.offender
    return None


# `ping` output, iputils (the ping fallback). Samples are from tests/unit/fixtures/ping and /tracepath.
# "1430 bytes from 10.91.2.1: icmp_seq=1 ttl=63 time=0.299 ms"
_PING_REPLY_RE = re.compile(r"^(\d+) bytes from \S+: icmp_seq=(\d+)", re.M)
# "From 10.91.1.254 icmp_seq=1 Frag needed and DF set (mtu = 1450)"
# "From 192.168.252.252 icmp_seq=1 Frag needed and DF set (mtu = 1406)"
_PING_FRAG_RE = re.compile(r"^From (\S+) icmp_seq=(\d+) Frag needed and DF set \(mtu = (\d+)\)", re.M)
# "From fd00:91:1::fe icmp_seq=1 Packet too big: mtu=1450"
_PING_PTB_RE = re.compile(r"^From (\S+) icmp_seq=(\d+) Packet too big: mtu=(\d+)", re.M)
# "ping: local error: message too long, mtu=1450"   (IPv4; older iputils: "Message too long")
# "ping: local error: message too long, mtu: 1450"  (IPv6)
# "/usr/bin/ping: local error: message too long, mtu=1450"  (ping names itself by argv[0])
_PING_LOCAL_RE = re.compile(r"^(?:\S*/)?ping: local error: [Mm]essage too long, mtu(?:=|: )(\d+)", re.M)
# "From 10.91.1.254 icmp_seq=1 Destination Host Unreachable"
_PING_FROM_RE = re.compile(r"^From (\S+) icmp_seq=(\d+) (.+)$", re.M)


class PingOutcome(NamedTuple):
    """What one ``ping -M do -c 1`` run said about its probe."""

    kind: str  # REPLY, TOO_BIG, LOCAL_TOO_BIG, UNREACHABLE or SILENT
    mtu: int = 0
    source: str = ""
    detail: str = ""


def parse_ping_output(text: str) -> PingOutcome:
    """Classify the output of one ``ping -n -M do -c 1 -s N TARGET`` (stdout and stderr together)."""
    match = _PING_REPLY_RE.search(text)
    if match:
        return PingOutcome(REPLY, detail=match.group(0))
    match = _PING_FRAG_RE.search(text) or _PING_PTB_RE.search(text)
    if match:
        return PingOutcome(TOO_BIG, mtu=int(match.group(3)), source=match.group(1), detail=match.group(0))
    match = _PING_LOCAL_RE.search(text)
    if match:
        return PingOutcome(LOCAL_TOO_BIG, mtu=int(match.group(1)), detail=match.group(0))
    match = _PING_FROM_RE.search(text)
    if match:
        return PingOutcome(UNREACHABLE, source=match.group(1), detail=match.group(3).strip())
    return PingOutcome(SILENT)


def parse_route_get(text: str) -> dict:
    """The first route of ``ip -j route get ADDR`` as ``{dev, gateway, prefsrc, type, cached_mtu}``."""
    try:
        routes = json.loads(text)
    except ValueError as exc:
        raise PmtuError(f"cannot parse `ip -j route get` output: {exc}") from None
    if not isinstance(routes, list) or not routes or not isinstance(routes[0], dict):
        raise PmtuError("`ip -j route get` returned no route")
    route = routes[0]
    cached_mtu = None
    for metric in route.get("metrics") or []:
        if isinstance(metric, dict) and "mtu" in metric:
            cached_mtu = int(metric["mtu"])
    return {
        "dev": route.get("dev"),
        "gateway": route.get("gateway"),
        "prefsrc": route.get("prefsrc") or route.get("from"),
        "type": route.get("type", "unicast"),
        "cached_mtu": cached_mtu,
    }


def settle_time(rtts: list[float], timeout: float, factor: float = 4.0, floor: float = 0.05) -> float:
    """How long a later batch waits for its replies: a few of the slowest round trips seen.

    ``floor`` keeps scheduler noise on a busy host from turning into lost probes; the result
    never exceeds ``timeout``.
    """
    slowest = max(rtts) if rtts else timeout
    return min(float(timeout), max(float(floor), factor * slowest))


class PmtuSearch:
    """The bisection state of one measurement: feed it outcomes, ask it for the next batch.

    ``floor`` is the smallest size tried (68 for IPv4, 1280 for IPv6); ``ceiling`` the
    largest this host can send (the MTU of the interface the route leaves by).
    """

    def __init__(self, floor: int, ceiling: int, batch_size: int = 16, confirmations: int = 2) -> None:
        if floor > ceiling:
            raise PmtuError(f"the interface MTU {ceiling} is below the smallest probe {floor}")
        if batch_size < 2:
            raise PmtuError("batch_size must be at least 2")
        self.floor = int(floor)
        self.ceiling = int(ceiling)
        self.batch_size = int(batch_size)
        self.confirmations = int(confirmations)
        self.answered: set[int] = set()
        self.refused: dict[int, int] = {}  # size -> MTU named by an ICMP / local error (0: none named)
        self.icmp: dict[int, tuple[int, str]] = {}  # size -> (mtu, source) of ICMP too-big messages only
        self.local: dict[int, int] = {}  # size -> MTU this host gave in its own EMSGSIZE
        self.silent: dict[int, int] = {}  # size -> how many probes of that size vanished
        self.unreachable: list[str] = []
        self.rounds = 0
        self.probes = 0

    # -- feeding -------------------------------------------------------------------------
    def record(self, size: int, kind: str, mtu: int = 0, source: str = "") -> None:
        """Record what became of one probe of ``size`` bytes."""
        size = int(size)
        if kind == REPLY:
            self.answered.add(size)
        elif kind == TOO_BIG:
            self.refused[size] = int(mtu or 0)
            self.icmp[size] = (int(mtu or 0), source)
        elif kind == LOCAL_TOO_BIG:
            self.refused[size] = int(mtu or 0)
            self.local[size] = int(mtu or 0)
        elif kind == SILENT:
            self.silent[size] = self.silent.get(size, 0) + 1
        elif kind == UNREACHABLE:
            self.unreachable.append(source or "?")
        else:
            raise PmtuError(f"unknown probe outcome {kind!r}")

    # -- reasoning -----------------------------------------------------------------------
    @property
    def lo(self) -> int | None:
        """The largest size answered (None before any reply)."""
        return max(self.answered) if self.answered else None

    @property
    def hi(self) -> int:
        """The largest size that may still pass, from every refusal that the replies do not contradict."""
        lo = self.lo or 0
        limits = [self.ceiling]
        for size, mtu in self.refused.items():
            if size > lo:
                limits.append(size - 1)
            if mtu and mtu >= lo:
                limits.append(mtu)
        limits.extend(size - 1 for size in self.silent if size > lo)
        return max(min(limits), lo)

    def confirmed(self) -> bool:
        """True when the answer is exact: lo answered and lo+1 refused, or vanished often enough."""
        lo = self.lo
        if lo is None or lo < self.hi:
            return False
        if lo >= self.ceiling:
            return True
        above = lo + 1
        return above in self.refused or self.silent.get(above, 0) >= self.confirmations

    @property
    def done(self) -> bool:
        return self.confirmed()

    def next_batch(self) -> list[int]:
        """Sizes to send next, all at once ([] when the answer is confirmed)."""
        if self.confirmed():
            return []
        lo, hi = self.lo, self.hi
        if lo is None:
            # The opening batch: the smallest size (is the target there at all, and how far)
            # and the interface MTU (a clean path is then confirmed in one round trip).
            return sorted({self.floor, self.ceiling})
        if lo >= hi:
            # Converged, but lo+1 vanished only once: ask again (lost packets happen).
            return [lo + 1] * self.confirmations
        span = hi - lo
        if span <= self.batch_size:
            sizes = set(range(lo + 1, hi + 1))
        else:
            steps = self.batch_size
            sizes = {lo + -(-index * span // steps) for index in range(1, steps + 1)}
        if hi < self.ceiling and hi + 1 not in self.refused and hi + 1 not in self.silent:
            sizes.add(hi + 1)  # the byte above the best candidate: confirms it in the same round
        return sorted(sizes)

    # -- verdict -------------------------------------------------------------------------
    def verdict(self, expected_mtu: int | None = None) -> dict:
        """The measurement's result fields (see pmtu_probe's RETURN)."""
        lo = self.lo
        path_mtu = lo if lo is not None and self.confirmed() else None
        icmp_mtus = [mtu for mtu, _source in self.icmp.values() if mtu]
        # A cached PMTU below the interface MTU is also an ICMP the kernel heard earlier.
        icmp_mtus.extend(mtu for mtu in self.local.values() if mtu and mtu < self.ceiling)
        icmp_mtu = min(icmp_mtus) if icmp_mtus else None
        icmp_from = sorted({source for _mtu, source in self.icmp.values() if source})
        blackhole = False
        if path_mtu is not None and path_mtu < self.ceiling:
            above = path_mtu + 1
            blackhole = above not in self.refused and self.silent.get(above, 0) > 0
        deficit = None
        if expected_mtu is not None and path_mtu is not None:
            deficit = max(0, int(expected_mtu) - path_mtu)
        return {
            "path_mtu": path_mtu,
            "reachable": lo is not None,
            "exact": path_mtu is not None,
            "expected_mtu": expected_mtu,
            "deficit": deficit,
            "blackhole": blackhole,
            "icmp_mtu": icmp_mtu,
            "icmp_from": icmp_from,
            "largest_answered": lo,
            "smallest_refused": min((s for s in list(self.refused) + list(self.silent) if lo is None or s > lo), default=None),
            "probes": self.probes,
            "rounds": self.rounds,
        }
