# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tcfilter parsers against real `tc -j` output captured on the lab machine.

This kernel has no flower/matchall classifier and no vlan action, so no real ``vlan pop``
capture exists here (SOURCES.md): the tests cover the qdisc scan, the batch split and filters
that do not pop.
"""

from __future__ import annotations

import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import tcfilter
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import InvalidName


def test_ingress_devices():
    qdiscs = tcfilter.parse_qdisc_json(read_fixture("tc-json/lab-netns-qdisc-show-clsact-ingress.json"))
    assert qdiscs["uplink"] == ["noqueue", "clsact"]
    assert qdiscs["lo"] == ["noqueue"]
    assert tcfilter.ingress_devices(qdiscs) == ["uplink", "v0"]


def test_u32_mirred_filter_is_not_a_vlan_pop():
    filters = tcfilter.parse_filter_json(read_fixture("tc-json/lab-netns-filter-uplink-ingress-u32-mirred.json"))
    # the header entries without options are skipped
    assert [(f["kind"], f["protocol"], f["pref"]) for f in filters] == [("u32", "802.1Q", 49152), ("u32", "802.1Q", 49152)]
    assert [a["kind"] for f in filters for a in f["actions"]] == ["mirred"]
    assert tcfilter.vlan_pop_methods("uplink", filters) == []


def test_batch_output_is_split_in_command_order():
    devices = ["uplink", "v0", "uplink"]
    text = read_fixture("tc-json/lab-netns-batch-filter-show-ingress.txt")
    with pytest.raises(tcfilter.ParseError):
        tcfilter.parse_batch_output(text, devices[:2])
    per_device = tcfilter.parse_batch_output(text, ["uplink", "v0", "uplink-egress"])
    assert len(per_device["uplink"]) == 2
    assert per_device["v0"] == []


def test_batch_commands_validate_names():
    assert tcfilter.batch_commands(["uplink", "tap0e778df8-ca"]) == "filter show dev uplink ingress\nfilter show dev tap0e778df8-ca ingress\n"
    with pytest.raises(InvalidName):
        tcfilter.batch_commands(["eth0\nqdisc del dev eth0 root"])


def test_not_json():
    with pytest.raises(tcfilter.ParseError):
        tcfilter.parse_qdisc_json("Error: Cannot find device")
    assert tcfilter.parse_qdisc_json("") == {}
