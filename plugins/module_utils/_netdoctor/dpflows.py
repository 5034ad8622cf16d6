# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""OVS datapath flows (``ovs-appctl dpctl/dump-flows --names``): the ports priority-tagged frames arrive on.

A NIC that inserts 802.1p priority tags (VLAN id 0) on receive shows no tag in tcpdump when rx VLAN offload
strips it, but the OVS datapath sees it: the cached flow matches ``vlan(vid=0,...)`` on the port the frame came
in. The cache only holds what passed in the last seconds (idle flows expire after about 10 s): a port with no
such flow proves nothing, a port with one proves the tags arrive.
"""

from __future__ import annotations

import re

# recirc_id(0),in_port(up0),packet_type(ns=0,id=0),eth(...),eth_type(0x8100),vlan(vid=0,pcp=3/0x0),encap(...),
#   packets:5, bytes:230, used:3.826s, actions:br-ex,in0
_IN_PORT = re.compile(r"(?:^|,)in_port\(([^)]+)\)")
_VID0 = re.compile(r"(?:^|,)vlan\(vid=0(?:/0xfff)?(?:,pcp=(\d+)(?:/(0x[0-9a-f]+))?)?\)")
_PACKETS = re.compile(r"\bpackets:(\d+)")
_ACTIONS = re.compile(r"\bactions:(.*)$")


def dump_flows_args() -> list[str]:
    """The one command: every datapath's cached flows, ports by name (OVS >= 2.10)."""
    return ["ovs-appctl", "dpctl/dump-flows", "--names"]


def priority_tagged_ports(text: str) -> dict[str, dict]:
    """{port: {"packets", "pcp", "popped"}} for ports whose cached flows match VLAN id 0 frames with packets.

    ``pcp``: the priorities the flows name exactly (a wildcarded PCP, ``/0x0``, names none); ``popped``: every such
    flow's actions pop the tag (a strip is working in the datapath).
    """
    ports: dict[str, dict] = {}
    for line in (text or "").splitlines():
        vid0 = _VID0.search(line)
        port = _IN_PORT.search(line)
        packets = _PACKETS.search(line)
        if not vid0 or not port or not packets or int(packets.group(1)) == 0:
            continue
        entry = ports.setdefault(port.group(1), {"packets": 0, "pcp": [], "popped": True})
        entry["packets"] += int(packets.group(1))
        pcp, mask = vid0.group(1), vid0.group(2)
        if pcp is not None and mask in (None, "0x7") and int(pcp) not in entry["pcp"]:
            entry["pcp"].append(int(pcp))
        actions = _ACTIONS.search(line)
        if not actions or not actions.group(1).startswith("pop_vlan"):
            entry["popped"] = False
    for entry in ports.values():
        entry["pcp"].sort()
    return ports
