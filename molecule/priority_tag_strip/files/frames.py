# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Send priority-tagged and VLAN 100 frames into the uplink, report how the receiver sees them.

Runs on the lab node: the "switch" namespace holds the far end of the uplink, the "guest"
namespace the far end of a bridge port. The sniffer thread is started inside the guest namespace
(a thread keeps the namespace it was created in), then the main thread moves to the switch
namespace and sends as soon as the sniffer listens; it stops once every frame has been seen (or after
RECEIVE_TIMEOUT seconds). Prints one JSON object: {label: {"seen": n, "vlan": id or null, "prio": pcp or null}}.

usage: python3 frames.py SWITCH_NS SEND_IFACE GUEST_NS SNIFF_IFACE
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import threading
import time

from scapy.all import IP, UDP, AsyncSniffer, Dot1Q, Ether, Raw, conf, sendp  # pylint: disable=no-name-in-module

CLONE_NEWNET = 0x40000000
LABELS = {"pcp3-vid0": (0, 3), "pcp0-vid0": (0, 0), "vid100": (100, 0)}
SRC_MAC = "02:6e:64:00:00:01"
LISTEN_TIMEOUT = 10.0  # seconds the sniffer may take to open its socket (under load)
RECEIVE_TIMEOUT = 3.0  # seconds to wait for a frame that does not come


def setns(name: str) -> None:
    """Move the calling thread into the named network namespace."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {name}")
    finally:
        os.close(fd)


def frames() -> list:
    out = []
    for label, (vid, prio) in LABELS.items():
        out.append(
            Ether(src=SRC_MAC, dst="ff:ff:ff:ff:ff:ff")
            / Dot1Q(vlan=vid, prio=prio)
            / IP(src="10.220.0.1", dst="10.220.0.2")
            / UDP(sport=40000, dport=40000)
            / Raw(label.encode())
        )
    return out


def main(switch_ns: str, send_iface: str, guest_ns: str, sniff_iface: str) -> int:
    conf.verb = 0
    report = {label: {"seen": 0, "vlan": None, "prio": None} for label in LABELS}

    def note(packet) -> None:
        """Count a frame of ours as the receiver sees it (its last tag's VID and PCP, or none)."""
        label = bytes(packet[Raw].load).decode(errors="replace") if Raw in packet else None
        if label not in report:
            return
        report[label]["seen"] += 1
        if Dot1Q in packet:
            report[label]["vlan"] = packet[Dot1Q].vlan
            report[label]["prio"] = packet[Dot1Q].prio

    setns(guest_ns)
    listening = threading.Event()
    sniffer = AsyncSniffer(iface=sniff_iface, lfilter=lambda p: Ether in p and p[Ether].src == SRC_MAC, prn=note, store=False, started_callback=listening.set)
    sniffer.start()
    if not listening.wait(LISTEN_TIMEOUT):
        raise RuntimeError(f"the sniffer on {sniff_iface} did not start within {LISTEN_TIMEOUT} s")
    setns(switch_ns)
    sendp(frames(), iface=send_iface)
    # every frame of ours crosses the bridge within milliseconds: stop once each has been seen, or give up
    deadline = time.monotonic() + RECEIVE_TIMEOUT
    while time.monotonic() < deadline and not all(entry["seen"] for entry in report.values()):
        time.sleep(0.02)
    time.sleep(0.1)  # a copy that follows the first one (a second path) is still counted
    sniffer.stop()
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
