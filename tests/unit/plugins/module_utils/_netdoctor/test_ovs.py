# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ovs parsers against real ovs-vsctl / ovs-ofctl output (tests/unit/fixtures/SOURCES.md)."""

from __future__ import annotations

import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import ovs

CHAINED = "ovs-vsctl/lab-netdev-chained-list-json.txt"


def test_vsctl_args_chain_one_list_per_table():
    args = ovs.vsctl_args()
    assert args[:2] == ["--timeout=5", "--format=json"]
    assert [args[i + 1] for i, arg in enumerate(args) if arg == "list"] == ["Open_vSwitch", "Bridge", "Port", "Interface"]
    assert args.count("--") == 3


def test_chained_bridges():
    facts, _per_interface = ovs.parse_vsctl_chained(read_fixture(CHAINED))
    assert facts["running"] is True
    assert facts["version"] == "3.1.0"
    assert facts["bridges"]["br-lab"]["ports"] == ["br-lab", "int1", "ovsp1", "ovsp2", "ovsp3", "patch-ex", "vxt1"]
    assert facts["bridges"]["br-ex"] == {"datapath_type": "netdev", "ports": ["br-ex", "patch-lab"], "mtu_request": None, "flows_checked": False}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ovsp1", {"bridge": "br-lab", "type": "", "tag": 10, "trunks": [], "vlan_mode": None, "mtu": 1500, "ofport": 3, "priority_tags": None}),
        ("ovsp2", {"tag": None, "trunks": [20, 30], "vlan_mode": "trunk", "ofport": 1}),
        ("ovsp3", {"priority_tags": "if-nonzero", "ofport": 2}),
        ("int1", {"type": "internal", "mtu": 1400, "mtu_request": 1400, "ofport": 4}),
        ("br-lab", {"type": "internal", "mtu": 1400, "mtu_request": None, "ofport": 65534}),
        ("vxt1", {"type": "vxlan", "mtu": None, "options": {"key": "flow", "local_ip": "192.0.2.1", "remote_ip": "198.51.100.7"}}),
        ("patch-lab", {"bridge": "br-ex", "type": "patch", "options": {"peer": "patch-ex"}}),
    ],
)
def test_chained_interfaces(name, expected):
    _facts, per_interface = ovs.parse_vsctl_chained(read_fixture(CHAINED))
    entry = per_interface[name]
    assert {key: entry[key] for key in expected} == expected


def test_single_table_json():
    (rows,) = ovs.parse_vsctl_json(read_fixture("ovs-vsctl/lab-netdev-list-interface.json"))
    by_name = {row["name"]: row for row in rows}
    assert by_name["int1"]["mtu_request"] == 1400
    assert by_name["ovsp1"]["mtu_request"] is None
    assert by_name["vxt1"]["options"]["remote_ip"] == "198.51.100.7"


def test_chained_wrong_document_count():
    (single,) = read_fixture("ovs-vsctl/lab-netdev-list-interface.json").splitlines()
    with pytest.raises(ovs.ParseError):
        ovs.parse_vsctl_chained(single)
    with pytest.raises(ovs.ParseError):
        ovs.parse_vsctl_json("ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("br-int", {"type": "internal", "mtu": 1450, "mtu_request": None, "ofport": 65534, "status": {"driver_name": "openvswitch"}}),
        (
            "vxlan-0a000072",
            {
                "type": "vxlan",
                "mtu": None,
                "options": {
                    "df_default": "true",
                    "egress_pkt_mark": "0",
                    "in_key": "flow",
                    "local_ip": "10.0.0.128",
                    "out_key": "flow",
                    "remote_ip": "10.0.0.114",
                },
            },
        ),
        ("tap0e778df8-ca", {"type": "", "mtu": 1450, "ofport": 9}),
        (
            "sg-189f4c40-9d",
            {"external_ids": {"attached-mac": "fa:16:3e:87:45:fc", "iface-id": "189f4c40-9da1-4c4c-ad24-1eeff45343c3", "iface-status": "active"}},
        ),
    ],
)
def test_list_interface_text(name, expected):
    rows = ovs.parse_vsctl_list_text(read_fixture("ovs-vsctl/list-interface-neutron-ovs-dvr.txt"))
    assert len(rows) == 17
    row = {row["name"]: row for row in rows}[name]
    assert {key: row[key] for key in expected} == expected


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "ovs-ofctl/lab-dump-flows-br-lab-vlan0-strip.txt",
            [("2", "priority=100,in_port=2,dl_vlan=0 actions=strip_vlan,NORMAL"), (None, "priority=90,dl_vlan=0 actions=strip_vlan,NORMAL")],
        ),
        (
            "ovs-ofctl/lab-dump-flows-O-OpenFlow13-br-lab-vlan0-pop.txt",
            [("2", "priority=100,in_port=2,dl_vlan=0 actions=pop_vlan,NORMAL"), (None, "priority=90,dl_vlan=0 actions=pop_vlan,NORMAL")],
        ),
        (
            "ovs-ofctl/lab-dump-flows-O-all-versions-br-lab-of15.txt",
            [("2", "priority=100,in_port=2,dl_vlan=0 actions=pop_vlan,NORMAL"), (None, "priority=90,dl_vlan=0 actions=pop_vlan,NORMAL")],
        ),
        ("ovs-ofctl/lab-dump-flows-br-ex-normal-only.txt", []),
        # Neutron strips real VLAN ids (dl_vlan=2/3), never VLAN 0; vlan_tci=0x0000/0x1fff is "untagged"
        ("ovs-ofctl/dump-flows-br-int-neutron-dvr-ovsfw.txt", []),
        ("ovs-ofctl/dump-flows-br-data-neutron-physnet-flat.txt", []),
        ("ovs-ofctl/dump-flows-br-tun-neutron-dvr-l2pop.txt", []),
    ],
)
def test_vlan0_strip_flows(fixture, expected):
    flows = ovs.parse_dump_flows(read_fixture(fixture))
    assert flows  # every capture holds flows
    assert [(strip["in_port"], strip["detail"]) for strip in ovs.vlan0_strip_flows(flows)] == expected


def test_dump_flows_fields():
    flows = ovs.parse_dump_flows(read_fixture("ovs-ofctl/dump-flows-br-int-neutron-dvr-ovsfw.txt"))
    first = flows[0]
    assert (first["table"], first["cookie"], first["match"], first["actions"]) == (0, "0x565d7680690eea02", "priority=65535,vlan_tci=0x0fff/0x1fff", "drop")
    assert len(flows) == 110


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"dl_vlan": "0"}, True),
        ({"vlan_tci": "0x1000/0x1fff"}, True),
        ({"vlan_tci": "0x0000/0x1fff"}, False),  # no VLAN header at all
        ({"vlan_tci": "0x0fff/0x1fff"}, False),
        ({"vlan_tci": "0x0001/0x0fff"}, False),
        ({"dl_vlan": "3"}, False),
    ],
)
def test_matches_vlan0(fields, expected):
    assert ovs.matches_vlan0(fields) is expected


def test_vlan0_methods_per_port():
    _facts, per_interface = ovs.parse_vsctl_chained(read_fixture(CHAINED))
    strips = {"br-lab": ovs.vlan0_strip_flows(ovs.parse_dump_flows(read_fixture("ovs-ofctl/lab-dump-flows-br-lab-vlan0-strip.txt")))}
    ovsp3 = ovs.vlan0_methods_for("ovsp3", per_interface["ovsp3"], strips)  # ofport 2: both flows
    ovsp1 = ovs.vlan0_methods_for("ovsp1", per_interface["ovsp1"], strips)  # only the flow without in_port
    patch = ovs.vlan0_methods_for("patch-lab", per_interface["patch-lab"], strips)  # other bridge
    assert [m["detail"] for m in ovsp3] == [
        "priority=100,in_port=2,dl_vlan=0 actions=strip_vlan,NORMAL",
        "priority=90,dl_vlan=0 actions=strip_vlan,NORMAL",
    ]
    assert [m["detail"] for m in ovsp1] == ["priority=90,dl_vlan=0 actions=strip_vlan,NORMAL"]
    assert ovsp1[0]["method"] == "ovs_flow" and ovsp1[0]["bridge"] == "br-lab"
    assert patch == []
    assert ovs.vlan0_methods_for("v0", None, strips) == []
