# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""The probers of pmtu_probe: don't-fragment ICMP echo over raw sockets, or ``ping -M do`` processes, and the
measuring loop that sends a round of sizes at once and feeds the replies to ``pmtu.PmtuSearch``.

These do the sending and receiving (sockets, processes); the search itself is the pure logic in ``pmtu``.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import queue
import select
import socket
import threading
import time

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import pmtu

# Linux socket options (linux/in.h, linux/in6.h); the socket module does not name them all.
IP_MTU_DISCOVER = getattr(socket, "IP_MTU_DISCOVER", 10)
IP_RECVERR = getattr(socket, "IP_RECVERR", 11)
IP_PMTUDISC_PROBE = getattr(socket, "IP_PMTUDISC_PROBE", 3)
IPV6_MTU_DISCOVER = getattr(socket, "IPV6_MTU_DISCOVER", 23)
IPV6_RECVERR = getattr(socket, "IPV6_RECVERR", 25)
IPV6_PMTUDISC_PROBE = getattr(socket, "IPV6_PMTUDISC_PROBE", 3)
IPV6_DONTFRAG = getattr(socket, "IPV6_DONTFRAG", 62)
SO_BINDTODEVICE = getattr(socket, "SO_BINDTODEVICE", 25)
MSG_ERRQUEUE = getattr(socket, "MSG_ERRQUEUE", 0x2000)

MAX_ROUNDS = 24
PING_GRACE = 0.3  # seconds a ping process may take beyond its -W to start and report


def _same_address(left: str, right: str) -> bool:
    try:
        return ipaddress.ip_address(left.split("%", 1)[0]) == ipaddress.ip_address(right.split("%", 1)[0])
    except ValueError:
        return False


class SocketProber:
    """Sends echo requests of chosen sizes on one raw ICMP socket and reports what came back."""

    method = "socket"
    grace = 0.0

    def __init__(self, family: int, address: str, source_address: str | None, device: str | None) -> None:
        self.family = family
        self.address = address
        self.ident = (os.getpid() ^ int.from_bytes(os.urandom(2), "big")) & 0xFFFF
        self.cookie = os.urandom(pmtu.COOKIE_LEN)
        self.seq = int.from_bytes(os.urandom(2), "big")
        self.sent: dict[int, int] = {}
        if family == 4:
            sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        else:
            sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        try:
            if family == 4:
                sock.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_PROBE)
                sock.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
            else:
                sock.setsockopt(socket.IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_PROBE)
                sock.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1)
                sock.setsockopt(socket.IPPROTO_IPV6, IPV6_DONTFRAG, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
            if device:
                sock.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, device.encode())
            if source_address:
                sock.bind((source_address, 0))
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        self.sock = sock

    def close(self) -> None:
        self.sock.close()

    def send(self, size: int, wait: float) -> tuple[int, tuple | None]:
        """Send one probe; returns (token, immediate outcome or None)."""
        self.seq = (self.seq + 1) & 0xFFFF
        token = self.seq
        self.sent[token] = size
        packet = pmtu.build_echo_request(self.family, self.ident, token, size, self.cookie)
        for _attempt in range(4):
            try:
                self.sock.sendto(packet, (self.address, 0))
                return token, None
            except BlockingIOError:
                select.select([], [self.sock], [], 0.05)
            except OSError as exc:
                # An ICMP error that arrived earlier is reported once by the next call (sk_err):
                # only a repeated EMSGSIZE is this host refusing the size.
                if exc.errno != errno.EMSGSIZE:
                    return token, (pmtu.SILENT, 0, "")
        return token, (pmtu.LOCAL_TOO_BIG, 0, "")

    def _drain(self) -> list[tuple]:
        events = []
        while True:
            try:
                data, addr = self.sock.recvfrom(pmtu.MAX_PACKET + 100)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                continue  # a pending error (sk_err) reported once; the error queue holds the details
            event = pmtu.parse_icmp(self.family, data, addr[0])
            if event is None or event.ident != self.ident or event.seq not in self.sent:
                continue
            if event.kind == pmtu.REPLY and not (
                _same_address(event.source, self.address) and event.cookie == self.cookie and event.size == self.sent[event.seq]
            ):
                continue
            events.append((event.seq, event.kind, event.mtu, event.source))
        while True:
            try:
                data, ancdata, _flags, _addr = self.sock.recvmsg(pmtu.MAX_PACKET + 100, 1024, MSG_ERRQUEUE)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                break
            for _level, _type, cmsg in ancdata:
                err = pmtu.parse_extended_err(cmsg)
                if err is None:
                    continue
                found = pmtu.errqueue_event(self.family, data, err, errno.EMSGSIZE)
                if found and found[1] == self.ident and found[2] in self.sent:
                    kind, _ident, seq, mtu, offender = found
                    events.append((seq, kind, mtu, offender))
        return events

    def wait(self, deadline: float) -> list[tuple]:
        """Events (token, kind, mtu, source) that arrive before ``deadline`` (returns at the first)."""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return self._drain()
            readable, _w, _x = select.select([self.sock], [], [], remaining)
            if readable:
                events = self._drain()
                if events:
                    return events


class PingProber:
    """The fallback: one ``ping -M do -c 1`` process per probe, run in threads."""

    method = "ping"
    grace = PING_GRACE

    def __init__(self, run_command, ping: str, family: int, address: str, source: str | None) -> None:
        self.run_command = run_command
        self.ping = ping
        self.family = family
        self.address = address
        self.source = source
        self.token = 0
        self.results: queue.Queue = queue.Queue()
        self.threads: list[threading.Thread] = []

    def close(self) -> None:
        for thread in self.threads:
            thread.join()

    def _run(self, token: int, argv: list[str]) -> None:
        _rc, out, err = self.run_command(argv)
        outcome = pmtu.parse_ping_output(f"{out}\n{err}")
        self.results.put((token, outcome.kind, outcome.mtu, outcome.source))

    def send(self, size: int, wait: float) -> tuple[int, tuple | None]:
        self.token += 1
        argv = [self.ping, "-n", f"-{self.family}", "-M", "do", "-c", "1", "-W", f"{max(wait, 0.05):.3f}", "-s", str(pmtu.payload_size(size, self.family))]
        if self.source:
            argv += ["-I", self.source]
        argv.append(self.address)
        thread = threading.Thread(target=self._run, args=(self.token, argv), daemon=True)
        thread.start()
        self.threads.append(thread)
        return self.token, None

    def wait(self, deadline: float) -> list[tuple]:
        remaining = deadline - time.monotonic()
        try:
            events = [self.results.get(timeout=max(remaining, 0.0))]
        except queue.Empty:
            return []
        while True:
            try:
                events.append(self.results.get_nowait())
            except queue.Empty:
                return events


def measure(prober, search: pmtu.PmtuSearch, timeout: float) -> None:
    """Run batches of probes through ``prober`` until ``search`` is confirmed (or cannot be)."""
    inflight: dict[int, tuple[int, float]] = {}
    rtts: list[float] = []
    while search.rounds < MAX_ROUNDS:
        batch = search.next_batch()
        if not batch:
            return
        opening = search.lo is None
        wait = timeout if opening else pmtu.settle_time(rtts, timeout)
        search.rounds += 1
        pending = set()
        for size in batch:
            search.probes += 1
            token, immediate = prober.send(size, wait)
            if immediate:
                search.record(size, *immediate)
            else:
                inflight[token] = (size, time.monotonic())
                pending.add(token)
        deadline = time.monotonic() + wait + prober.grace
        while pending and time.monotonic() < deadline:
            for token, kind, mtu, source in prober.wait(deadline):
                if token not in inflight:
                    continue
                size, sent_at = inflight.pop(token)
                pending.discard(token)
                if kind == pmtu.REPLY:
                    rtts.append(time.monotonic() - sent_at)
                search.record(size, kind, mtu, source)
            if opening and search.lo is not None:
                # The target answered: the rest of the opening batch gets a few round trips, not the timeout.
                deadline = min(deadline, time.monotonic() + pmtu.settle_time(rtts, timeout) + prober.grace)
        for token in pending:
            search.record(inflight[token][0], pmtu.SILENT)  # stays in inflight: a late reply still counts
        if search.lo is None:
            return  # nothing answered the opening batch within the timeout: unreachable
