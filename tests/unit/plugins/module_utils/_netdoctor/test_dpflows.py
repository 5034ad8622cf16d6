# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Priority-tagged frames in OVS datapath flows, from real `ovs-appctl dpctl/dump-flows --names` captures."""

from __future__ import annotations

import os

import pytest

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import dpflows

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "fixtures", "ovs-appctl")


def capture(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return handle.read()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # one megaflow for PCP 3 and PCP 0 (PCP wildcarded): no priority named, forwarded tagged
        ("dpctl-dump-flows-names-netdev-vid0-unstripped.txt", {"up0": {"packets": 5, "pcp": [], "popped": False}}),
        # with the strip flow each PCP gets its own flow, popped
        ("dpctl-dump-flows-names-netdev-vid0-stripped.txt", {"up0": {"packets": 4, "pcp": [0, 3], "popped": True}}),
    ],
)
def test_priority_tagged_ports(name, expected):
    assert dpflows.priority_tagged_ports(capture(name)) == expected


def test_vid_100_and_idle_flows_are_not_priority_tags():
    text = capture("dpctl-dump-flows-names-netdev-vid0-unstripped.txt")
    lines = [line for line in text.splitlines() if "vid=100" in line or "packets:0" in line]
    assert lines and dpflows.priority_tagged_ports("\n".join(lines)) == {}
    assert dpflows.priority_tagged_ports("") == {}
    assert dpflows.dump_flows_args() == ["ovs-appctl", "dpctl/dump-flows", "--names"]
