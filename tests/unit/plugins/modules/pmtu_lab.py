# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Path-MTU labs built from network namespaces, for the real-network tests and bench/bench_pmtu.py.

Every lab is a context manager: it builds its namespaces and veth pairs on entry and deletes
every namespace it made on exit, also when building or the test fails. Deleting a namespace
deletes the veth ends inside it, so nothing is left in the root namespace.

Topologies (the prober always lives in namespace ``a``, the target in ``b``):

- ``routed``: a --1500-- r(1500 | 1450) --1450-- b. The router answers oversized
  don't-fragment packets with ICMP frag-needed (IPv4) / packet-too-big (IPv6), mtu 1450.
- ``blackhole``: ``routed`` with the router's frag-needed and packet-too-big dropped by
  iptables/ip6tables (OUTPUT), so oversized probes vanish without an ICMP.
- ``hidden``: a(1500) -- bridge in s -- b(1500), the bridge port towards b has MTU 1498:
  frames above 1498 bytes are dropped silently (the seed's 2 bytes).
- ``jumbo``: a(9000) -- bridge -- b(9000), the bridge port towards b has MTU 1450.
"""

from __future__ import annotations

import os
import shutil
import subprocess

V4 = {"a": "10.91.1.1", "r_a": "10.91.1.254", "r_b": "10.91.2.254", "b": "10.91.2.1", "b_l2": "10.91.1.2"}
V6 = {"a": "fd00:91:1::1", "r_a": "fd00:91:1::fe", "r_b": "fd00:91:2::fe", "b": "fd00:91:2::1", "b_l2": "fd00:91:1::2"}

TOPOLOGIES = ("routed", "blackhole", "hidden", "jumbo")


def can_build_labs() -> str | None:
    """None when this process can build namespace labs, else the reason it cannot."""
    if os.geteuid() != 0:
        return "needs root to create network namespaces"
    if not shutil.which("ip"):
        return "iproute2 (ip) is not installed"
    probe = f"ndprobe{os.getpid()}"
    try:
        subprocess.run(["ip", "netns", "add", probe], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        return f"cannot create a network namespace: {exc}"
    subprocess.run(["ip", "netns", "del", probe], check=False, capture_output=True)
    return None


def _sh(*argv: str) -> None:
    subprocess.run(list(argv), check=True, capture_output=True, text=True)


class Lab:
    """One topology; ``ns(name)`` gives the real namespace name, ``target(family)`` the address to probe."""

    def __init__(self, topology: str, tag: str = "") -> None:
        if topology not in TOPOLOGIES:
            raise ValueError(f"unknown topology {topology}")
        self.topology = topology
        self.prefix = f"nd{os.getpid() % 100000}{tag}{topology[:3]}"
        self.namespaces: list[str] = []

    def ns(self, short: str) -> str:
        return f"{self.prefix}-{short}"

    def exec_argv(self, short: str, *argv: str) -> list[str]:
        return ["ip", "netns", "exec", self.ns(short), *argv]

    def run(self, short: str, *argv: str) -> None:
        _sh(*self.exec_argv(short, *argv))

    def target(self, family: int = 4) -> str:
        table = V4 if family == 4 else V6
        return table["b"] if self.topology in ("routed", "blackhole") else table["b_l2"]

    def source(self, family: int = 4) -> str:
        return (V4 if family == 4 else V6)["a"]

    def __enter__(self) -> Lab:
        try:
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for name in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", name], check=False, capture_output=True)
        self.namespaces = []

    def _add_ns(self, short: str) -> None:
        name = self.ns(short)
        subprocess.run(["ip", "netns", "del", name], check=False, capture_output=True)
        _sh("ip", "netns", "add", name)
        self.namespaces.append(name)
        self.run(short, "ip", "link", "set", "lo", "up")
        self.run(short, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0")
        self.run(short, "sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0")

    def _veth(self, left: tuple, right: tuple) -> None:
        """A veth pair between two namespaces; each end given as (namespace, name, mtu)."""
        (left, lname, lmtu), (right, rname, rmtu) = left, right
        peer = ["peer", "name", rname, "mtu", str(rmtu), "netns", self.ns(right)]
        _sh("ip", "link", "add", lname, "mtu", str(lmtu), "netns", self.ns(left), "type", "veth", *peer)
        self.run(left, "ip", "link", "set", lname, "up")
        self.run(right, "ip", "link", "set", rname, "up")

    def _addr(self, short: str, dev: str, v4: str, v6: str) -> None:
        self.run(short, "ip", "addr", "add", f"{v4}/24", "dev", dev)
        self.run(short, "ip", "-6", "addr", "add", f"{v6}/64", "dev", dev, "nodad")

    def _build(self) -> None:
        if self.topology in ("routed", "blackhole"):
            for short in ("a", "r", "b"):
                self._add_ns(short)
            self._veth(("a", "a0", 1500), ("r", "ra", 1500))
            self._veth(("r", "rb", 1450), ("b", "b0", 1450))
            self._addr("a", "a0", V4["a"], V6["a"])
            self._addr("r", "ra", V4["r_a"], V6["r_a"])
            self._addr("r", "rb", V4["r_b"], V6["r_b"])
            self._addr("b", "b0", V4["b"], V6["b"])
            self.run("r", "sysctl", "-qw", "net.ipv4.ip_forward=1")
            self.run("r", "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1")
            self.run("a", "ip", "route", "add", "default", "via", V4["r_a"])
            self.run("a", "ip", "-6", "route", "add", "default", "via", V6["r_a"])
            self.run("b", "ip", "route", "add", "default", "via", V4["r_b"])
            self.run("b", "ip", "-6", "route", "add", "default", "via", V6["r_b"])
            if self.topology == "blackhole":
                self.run("r", "iptables", "-A", "OUTPUT", "-p", "icmp", "--icmp-type", "fragmentation-needed", "-j", "DROP")
                self.run("r", "ip6tables", "-A", "OUTPUT", "-p", "ipv6-icmp", "--icmpv6-type", "packet-too-big", "-j", "DROP")
        else:
            end_mtu, hop_mtu = (1500, 1498) if self.topology == "hidden" else (9000, 1450)
            for short in ("a", "s", "b"):
                self._add_ns(short)
            self.run("s", "ip", "link", "add", "br0", "type", "bridge")
            self._veth(("a", "a0", end_mtu), ("s", "sa", end_mtu))
            # The hidden hop: the bridge port towards b is smaller than both ends.
            self._veth(("s", "sb", hop_mtu), ("b", "b0", end_mtu))
            self.run("s", "ip", "link", "set", "sa", "master", "br0")
            self.run("s", "ip", "link", "set", "sb", "master", "br0")
            self.run("s", "ip", "link", "set", "br0", "up")
            self._addr("a", "a0", V4["a"], V6["a"])
            self._addr("b", "b0", V4["b_l2"], V6["b_l2"])
