# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""vlan0strip (the ovs_flow method) against real ovs-ofctl / ovs-vsctl captures (tests/unit/fixtures/SOURCES.md).

The lab-*-br-phy-* captures are the molecule scenario's bridge after the role ran: they hold the
flow this module plans, as OVS prints it back, so "plan, add, dump, plan again" is checked on
OVS's own words.
"""

from __future__ import annotations

import re

import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import ovs, vlan0strip
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import InvalidName
from ansible_collections.netdoctor.openstack.plugins.plugin_utils import _judge

OURS_OF10 = "ovs-ofctl/lab-dump-flows-br-phy-ptag-strip.txt"
OURS_OF15 = "ovs-ofctl/lab-dump-flows-O-all-versions-br-phy-ptag-strip.txt"
NORMAL_ONLY = "ovs-ofctl/lab-dump-flows-br-ex-normal-only.txt"
NEUTRON_DVR = "ovs-ofctl/dump-flows-br-data-neutron-physnet-flat.txt"
BR_LAB = "ovs-ofctl/lab-dump-flows-br-lab-vlan0-strip.txt"
VERSIONS = ["-O", "OpenFlow10,OpenFlow11,OpenFlow12,OpenFlow13,OpenFlow14,OpenFlow15"]
SPEC = "cookie=0x6e64707461670000,table=0,priority=10,in_port=up0,dl_vlan=0,actions=strip_vlan,NORMAL"
FILTER = "cookie=0x6e64707461670000/-1,table=0,in_port=up0,dl_vlan=0"


def test_flow_text():
    assert vlan0strip.COOKIE_HEX == "0x6e64707461670000"
    assert vlan0strip.flow_spec("up0", 10) == SPEC
    assert vlan0strip.flow_filter("up0") == FILTER
    assert vlan0strip.ofctl("add-flow", "br-phy", SPEC) == ["ovs-ofctl", *VERSIONS, "add-flow", "br-phy", SPEC]


@pytest.mark.parametrize("name", ["eth0,actions=drop", "eth0 x", "a" * 16, "eth/0", ""])
def test_flow_text_refuses_odd_names(name):
    with pytest.raises(InvalidName):
        vlan0strip.flow_spec(name, 10)


@pytest.mark.parametrize("priority", [9, 65536])
def test_flow_priority_range(priority):
    with pytest.raises(vlan0strip.PlanError):
        vlan0strip.flow_spec("up0", priority)


def test_plan_adds_our_flow_next_to_normal():
    plan = vlan0strip.plan_bridge("br-ex", [{"name": "up0", "ofport": 2}], read_fixture(NORMAL_ONLY))
    assert plan["commands"] == [["ovs-ofctl", *VERSIONS, "add-flow", "br-ex", SPEC]]
    assert plan["before"] == []
    assert plan["after"] == [SPEC]
    (flow,) = plan["flows"]
    assert flow["check"] == ["ovs-ofctl", *VERSIONS, "dump-flows", "br-ex", FILTER]
    assert flow["monitor"] == ["ovs-ofctl", *VERSIONS, "monitor", "br-ex", "watch:"]


@pytest.mark.parametrize("fixture", [OURS_OF10, OURS_OF15])
def test_plan_finds_our_flow_as_ovs_prints_it(fixture):
    # OVS prints in_port as the ofport and, in OpenFlow 1.1+, pop_vlan for strip_vlan
    plan = vlan0strip.plan_bridge("br-phy", [{"name": "up0", "ofport": 2}], read_fixture(fixture))
    assert plan["commands"] == []
    assert len(plan["before"]) == 1
    assert plan["before"][0].startswith("priority=10,in_port=2,dl_vlan=0 actions=")


def test_plan_moves_our_flow_to_a_new_uplink():
    # up0 (ofport 2) is no longer an uplink, rx0 (ofport 1) is: ours for port 2 goes, only ours
    plan = vlan0strip.plan_bridge("br-phy", [{"name": "rx0", "ofport": 1}], read_fixture(OURS_OF10))
    assert plan["commands"] == [
        ["ovs-ofctl", *VERSIONS, "add-flow", "br-phy", SPEC.replace("up0", "rx0")],
        ["ovs-ofctl", *VERSIONS, "del-flows", "br-phy", "cookie=0x6e64707461670000/-1,table=0,in_port=2"],
    ]


def test_plan_absent_removes_only_ours():
    plan = vlan0strip.plan_bridge("br-phy", [{"name": "up0", "ofport": 2}], read_fixture(OURS_OF10), state="absent")
    assert plan["commands"] == [["ovs-ofctl", *VERSIONS, "del-flows", "br-phy", FILTER]]
    assert plan["flows"] == []
    assert vlan0strip.plan_bridge("br-ex", [{"name": "up0", "ofport": 2}], read_fixture(NORMAL_ONLY), state="absent")["commands"] == []


def test_plan_on_neutron_dvr_physical_bridge():
    # Neutron's br-data: priority=2,in_port=2 resubmit(,1) (the patch from br-int), priority=1 resubmit(,3), priority=0 NORMAL.
    # For an uplink on port 1 only the wildcard flows could see its frames: 10 beats them; Neutron's flows stay.
    flows = ovs.parse_dump_flows(read_fixture(NEUTRON_DVR))
    assert vlan0strip.normal_priority(flows, "ens4", 1) == 1
    plan = vlan0strip.plan_bridge("br-data", [{"name": "ens4", "ofport": 1}], read_fixture(NEUTRON_DVR))
    assert [argv[-2:] for argv in plan["commands"]] == [["br-data", SPEC.replace("up0", "ens4")]]
    # on port 2 (had the uplink been there) Neutron's priority 2 resubmit must be beaten too
    assert vlan0strip.normal_priority(flows, "phy-br-data", 2) == 2


def test_priority_above_a_higher_normal_flow():
    # br-lab: priority=100,in_port=2,dl_vlan=0 strip,NORMAL and priority=90,dl_vlan=0 pop,NORMAL (foreign cookies);
    # priority=80,dl_vlan=10 cannot see VLAN 0; priority=70,dl_vlan=0 is a drop
    flows = ovs.parse_dump_flows(read_fixture(BR_LAB))
    assert vlan0strip.wanted_priority(flows, "ovsp3", 2) == 101
    assert vlan0strip.wanted_priority(flows, "ovsp1", 3) == 91
    plan = vlan0strip.plan_bridge("br-lab", [{"name": "ovsp3", "ofport": 2}], read_fixture(BR_LAB))
    assert plan["commands"][0][-1] == "cookie=0x6e64707461670000,table=0,priority=101,in_port=ovsp3,dl_vlan=0,actions=strip_vlan,NORMAL"


def test_resolve_uplinks_from_real_vsctl():
    _facts, per_interface = ovs.parse_vsctl_chained(read_fixture("ovs-vsctl/lab-netdev-chained-list-json-br-phy.txt"))
    assert vlan0strip.resolve_uplinks(["up0"], per_interface, None) == {"br-phy": [{"name": "up0", "ofport": 2}]}
    assert vlan0strip.resolve_uplinks(["up0"], per_interface, "br-phy") == {"br-phy": [{"name": "up0", "ofport": 2}]}
    with pytest.raises(vlan0strip.PlanError, match="not of br-ex"):
        vlan0strip.resolve_uplinks(["up0"], per_interface, "br-ex")
    with pytest.raises(vlan0strip.PlanError, match="not an Open vSwitch port"):
        vlan0strip.resolve_uplinks(["eth9"], per_interface, None)
    with pytest.raises(vlan0strip.PlanError, match="internal port"):
        vlan0strip.resolve_uplinks(["br-phy"], per_interface, None)


@pytest.mark.parametrize(
    ("method", "in_ovs", "in_lb", "tc", "vlan", "expected"),
    [
        ("auto", True, False, "no flower", "no 8021q", "ovs_flow"),
        ("auto", False, True, None, None, "tc"),
        ("auto", False, True, "no flower", None, "vlan0_device"),
        ("auto", False, False, "no flower", None, None),
        ("auto", False, True, "no flower", "no 8021q", None),
        ("tc", True, False, "no flower", None, "tc"),  # an explicit method is the caller's; the module refuses it
    ],
)
def test_choose_method(method, in_ovs, in_lb, tc, vlan, expected):
    chosen, reasons = vlan0strip.choose_method(method, in_ovs, in_lb, tc, vlan)
    assert chosen == expected
    assert bool(reasons) is (expected is None)


def test_choose_method_reasons_and_unknown():
    _chosen, reasons = vlan0strip.choose_method("auto", False, True, "the kernel has no flower classifier (cls_flower)", "no 8021q")
    assert reasons == [
        "the uplink is not in an Open vSwitch bridge (ovs_flow)",
        "tc: the kernel has no flower classifier (cls_flower)",
        "vlan0_device: no 8021q",
    ]
    with pytest.raises(vlan0strip.PlanError):
        vlan0strip.choose_method("vlan_pop", False, False, None, None)


@pytest.mark.parametrize("fixture", [OURS_OF10, OURS_OF15])
def test_net_facts_detection_and_judge_see_our_flow(fixture):
    """Our flow, as OVS prints it, is a vlan0_strip for net_facts and clears VLAN_PRIORITY_TAG_RISK on an enic uplink."""
    _facts, per_interface = ovs.parse_vsctl_chained(read_fixture("ovs-vsctl/lab-netdev-chained-list-json-br-phy.txt"))
    strips = {"br-phy": ovs.vlan0_strip_flows(ovs.parse_dump_flows(read_fixture(fixture)))}
    methods = ovs.vlan0_methods_for("up0", per_interface["up0"], strips)
    assert [(m["method"], m["bridge"]) for m in methods] == [("ovs_flow", "br-phy")]
    assert ovs.vlan0_methods_for("rx0", per_interface["rx0"], strips) == []
    driver = re.search(r"Kernel driver in use: (\S+)", read_fixture("lspci/lspci-nnk-cisco-vic-1225-enic.txt")).group(1)
    entry = {"name": "up0", "kind": "veth", "driver": {"driver": driver, "bus": "pci"}, "ovs": per_interface["up0"]}
    facts = {"gather_subset": ["links", "drivers", "vlan"], "interfaces": {"up0": entry}}
    assert [f["code"] for f in _judge.check_priority_tags(facts, "node1")] == ["VLAN_PRIORITY_TAG_RISK"]
    entry["vlan0_strip"] = methods
    assert _judge.check_priority_tags(facts, "node1") == []
