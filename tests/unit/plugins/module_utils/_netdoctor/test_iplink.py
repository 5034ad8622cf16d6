# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""iplink parsers against real `ip` output (tests/unit/fixtures/SOURCES.md)."""

from __future__ import annotations

import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import iplink
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import ParseError

LAB_LINKS = "ip-link-json/lab-netns-veth-bridge-vxlan-macvlan-tap-ovs-netdev.json"
LAB_ADDRS = "ip-addr-json/lab-netns-addr-show.json"
LAB_ROUTES4 = "ip-route-json/lab-netns-route-show-table-all.json"
LAB_ROUTES6 = "ip-route-json/lab-netns-6-route-show-table-all.json"


def lab_facts():
    facts = iplink.link_facts(iplink.parse_link_json(read_fixture(LAB_LINKS)), iplink.parse_addr_json(read_fixture(LAB_ADDRS)))
    routes = iplink.parse_routes_json(read_fixture(LAB_ROUTES4), read_fixture(LAB_ROUTES6))
    return iplink.resolve_tunnels(facts, routes)


def text_facts(fixture):
    facts = iplink.link_facts(iplink.parse_link_text(read_fixture(fixture)))
    return iplink.resolve_tunnels(facts, [])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("lo", ("loopback", 65536, None, None, None)),
        ("v1", ("veth", 1500, "br0", "bridge", None)),
        ("v0", ("veth", 1500, None, None, None)),
        ("uplink", ("veth", 1500, None, None, None)),
        ("br0", ("bridge", 1500, None, None, None)),
        ("vx42", ("vxlan", 1500, None, None, None)),
        ("vx43", ("vxlan", 1450, None, None, None)),
        ("mv0", ("macvlan", 1500, None, None, "uplink")),
        ("tap0", ("tap", 1500, "br0", "bridge", None)),
        ("tun0", ("tun", 1500, None, None, None)),
        ("int1", ("tap", 1400, None, None, None)),  # OVS netdev internal port: a tap until OVS data refines it
    ],
)
def test_lab_json_links(name, expected):
    """expected: (kind, mtu, master, master_kind, lower)."""
    entry = lab_facts()[name]
    assert (entry["kind"], entry["mtu"], entry["master"], entry["master_kind"], entry["lower"]) == expected
    assert entry["min_mtu"] is not None


def test_lab_json_bridge_ports_addresses_and_counters():
    facts = lab_facts()
    assert facts["br0"]["bridge_ports"] == ["tap0", "v1"]
    assert iplink.linux_bridges(facts) == {"br0": ["tap0", "v1"]}
    assert {(a["family"], a["address"], a["prefixlen"]) for a in facts["uplink"]["addresses"] if a["scope"] == "global"} == {
        (4, "192.0.2.1", 24),
        (6, "2001:db8::1", 64),
    }
    assert facts["uplink"]["mac"] == "9a:5a:d0:76:b1:1c"
    # IFF_UP from ip's flags: uplink is <...,UP,LOWER_UP>, vx42 was never set up, tun0 has no MAC
    assert (facts["uplink"]["admin_up"], facts["uplink"]["operstate"]) == (True, "UP")
    assert (facts["vx42"]["admin_up"], facts["vx42"]["operstate"]) == (False, "DOWN")
    assert facts["tun0"]["mac"] is None
    assert facts["uplink"]["counters"] == {"rx_dropped": 0, "tx_dropped": 0, "rx_errors": 0, "tx_errors": 0}


def test_root_namespace_physical_and_unbounded_max_mtu():
    facts = iplink.link_facts(iplink.parse_link_json(read_fixture("ip-link-json/lab-root-virtio-ifb.json")), {})
    assert facts["eth0"]["kind"] == "physical"
    assert (facts["eth0"]["mtu"], facts["eth0"]["min_mtu"], facts["eth0"]["max_mtu"]) == (1400, 68, 65535)
    assert facts["ifb0"]["kind"] == "ifb"
    assert facts["ifb0"]["max_mtu"] is None  # the kernel reports 0: no upper bound known


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # unicast remote, no dev: the route 198.51.100.0/24 via uplink carries it; 1500 + 50 > 1500
        ("vx42", {"vni": 42, "ip_version": 4, "overhead": 50, "underlay": "uplink", "underlay_by": "route", "required_underlay_mtu": 1550, "headroom": -50}),
        # multicast group with dev uplink; mtu 1450 fits exactly
        ("vx43", {"vni": 43, "group": "239.1.1.1", "underlay": "uplink", "underlay_by": "dev", "required_underlay_mtu": 1500, "headroom": 0}),
        # IPv6 endpoints: 40-byte outer header
        ("vx6", {"vni": 44, "ip_version": 6, "overhead": 70, "underlay": "uplink", "underlay_by": "route", "headroom": -70}),
        # flow-based (external): nothing can be known from the device alone
        ("vxext", {"external": True, "dstport": 4790, "ip_version": None, "overhead": None, "underlay": None, "headroom": None}),
    ],
)
def test_lab_tunnels(name, expected):
    tunnel = lab_facts()[name]["tunnel"]
    assert {key: tunnel[key] for key in expected} == expected
    assert tunnel["type"] == "vxlan"


def test_multicast_json_from_netdev_patch_has_dev_underlay():
    facts = iplink.link_facts(iplink.parse_link_json(read_fixture("ip-link-json/vxlan-multicast-ipv4.json")), {})
    tunnel = iplink.resolve_tunnels(facts, [])["vxlan0"]["tunnel"]
    # enp2s0 is not in this one-device capture: no underlay, no guess
    assert (tunnel["vni"], tunnel["group"], tunnel["dstport"], tunnel["underlay"], tunnel["required_underlay_mtu"]) == (42, "239.1.1.1", 4789, None, 1500)


@pytest.mark.parametrize(
    ("fixture", "name", "kind", "master", "master_kind"),
    [
        ("ip-link/ip-s-d-link-bond-lacp-ovs-gre-gretap-geneve.txt", "eth0_1", "physical", "bond0", "bond"),
        ("ip-link/ip-s-d-link-bond-lacp-ovs-gre-gretap-geneve.txt", "ovs-system", "ovs_system", None, None),
        ("ip-link/ip-s-d-link-bond-lacp-ovs-gre-gretap-geneve.txt", "br-int", "ovs_internal", None, None),
        ("ip-link/ip-s-d-link-bond-lacp-ovs-gre-gretap-geneve.txt", "vxlan_sys_4789", "vxlan", "ovs-system", "openvswitch"),
        ("ip-link/ip-s-d-link-bond-lacp-ovs-gre-gretap-geneve.txt", "gre1", "gre", None, None),
        ("ip-link/ip-s-d-link-bond-lacp-ovs-gre-gretap-geneve.txt", "gretap0", "gretap", None, None),
        ("ip-link/ip-s-d-link-bond-lacp-ovs-gre-gretap-geneve.txt", "geneve0", "geneve", None, None),
        ("ip-link/ip-d-address-openstack-dvr-compute.txt", "ens3", "physical", "br-ens3", "bridge"),
        ("ip-link/ip-d-address-openstack-dvr-compute.txt", "ens7", "physical", "ovs-system", "openvswitch"),
        ("ip-link/ip-d-address-openstack-dvr-compute.txt", "tap0e778df8-ca", "tap", "ovs-system", "openvswitch"),
        ("ip-link/ip-d-address-openstack-dvr-compute.txt", "veth1883dceb", "veth", "br-ens3", "bridge"),
        ("ip-link/ip-d-address-openstack-dvr-compute.txt", "lxdbr0", "bridge", None, None),
        ("ip-link/ip-d-s-link-bond-active-backup-iproute2-6.x.txt", "enp2s0", "physical", "bond0", "bond"),
        ("ip-link/ip-d-s-link-bond-active-backup-iproute2-6.x.txt", "bond0", "bond", None, None),
        ("ip-link/vlan-8021q-eth0.10-iproute2-ubuntu20.txt", "eth0.10", "vlan", None, None),
        ("ip-link/ip-s-d-link-openstack-ovs-vxlan-jumbo.txt", "eno1", "physical", "ovs-system", "openvswitch"),
    ],
)
def test_text_links_kind_and_master(fixture, name, kind, master, master_kind):
    entry = text_facts(fixture)[name]
    assert (entry["kind"], entry["master"], entry["master_kind"]) == (kind, master, master_kind)


def test_text_vlan_bond_and_counters():
    vlan = text_facts("ip-link/vlan-8021q-eth0.10-iproute2-ubuntu20.txt")["eth0.10"]
    assert (vlan["vlan"], vlan["lower"], vlan["min_mtu"], vlan["max_mtu"]) == ({"id": 10, "protocol": "802.1Q"}, "eth0", 0, 65535)
    bond = text_facts("ip-link/ip-d-s-link-bond-active-backup-iproute2-6.x.txt")
    assert bond["bond0"]["bond_members"] == ["enp1s0", "enp2s0"]
    assert bond["enp2s0"]["counters"]["rx_dropped"] == 2498170
    lacp = text_facts("ip-link/ip-s-d-link-bond-lacp-ovs-gre-gretap-geneve.txt")
    assert lacp["br-int"]["counters"]["rx_dropped"] == 101259804
    assert lacp["geneve1"]["counters"]["rx_errors"] == 8


def test_text_addresses():
    facts = text_facts("ip-link/ip-d-address-openstack-dvr-compute.txt")
    assert facts["br-ens3"]["addresses"][0] == {"family": 4, "address": "10.0.0.128", "prefixlen": 24, "scope": "global"}
    assert facts["br-int"]["mtu"] == 1450


@pytest.mark.parametrize(
    ("fixture", "name", "expected"),
    [
        # flannel: dev ens3 (mtu 8958), vxlan mtu 8908: exactly 50 bytes of room
        ("ip-link/ip-s-d-link-flannel-vxlan-ipv4.txt", "flannel.1", {"vni": 1, "dstport": 8472, "underlay": "ens3", "underlay_mtu": 8958, "headroom": 0}),
        ("ip-link/ip-s-d-link-bond-lacp-ovs-gre-gretap-geneve.txt", "gre1", {"remote": "172.168.10.25", "overhead": 24, "required_underlay_mtu": 1500}),
        ("ip-link/ip-s-d-link-bond-lacp-ovs-gre-gretap-geneve.txt", "gretap0", {"remote": None, "overhead": 38, "required_underlay_mtu": 1500}),
        ("ip-link/ip-s-d-link-bond-lacp-ovs-gre-gretap-geneve.txt", "geneve0", {"vni": 10, "dstport": 6081, "overhead": 50, "required_underlay_mtu": 1550}),
        ("ip-link/ip-d-address-openstack-dvr-compute.txt", "vxlan_sys_4789", {"external": True, "overhead": None, "underlay": None}),
        ("ip-link/vxlan-multicast-ipv4-iproute2-6.3.txt", "vxlan0", {"vni": 42, "group": "239.1.1.1", "dstport": 4789, "required_underlay_mtu": 1500}),
    ],
)
def test_text_tunnels(fixture, name, expected):
    tunnel = text_facts(fixture)[name]["tunnel"]
    assert {key: tunnel[key] for key in expected} == expected


def test_routes_longest_prefix_and_non_unicast_skipped():
    routes = iplink.parse_routes_json(read_fixture(LAB_ROUTES4), read_fixture(LAB_ROUTES6))
    assert iplink.route_lookup("198.51.100.7", routes)["gateway"] == "192.0.2.254"
    assert iplink.route_lookup("10.10.0.9", routes)["dev"] == "br0"
    assert iplink.route_lookup("2001:db8::2", routes)["dev"] == "uplink"
    assert iplink.route_lookup("203.0.113.1", routes) is None  # no default route in this namespace
    assert iplink.route_lookup("not-an-address", routes) is None
    # the local table's "local"/"broadcast" entries are not unicast routes
    assert not any(str(route["network"]) == "192.0.2.1/32" for route in routes)


def test_local_address_holder_is_the_underlay_without_routes():
    facts = iplink.link_facts(iplink.parse_link_json(read_fixture(LAB_LINKS)), iplink.parse_addr_json(read_fixture(LAB_ADDRS)))
    tunnel = iplink.resolve_tunnel("vx42", facts, [])
    assert (tunnel["underlay"], tunnel["underlay_by"], tunnel["headroom"]) == ("uplink", "local_address", -50)


@pytest.mark.parametrize("text", ["{not json", '{"ifname": "x"}'])
def test_bad_json_raises(text):
    with pytest.raises(ParseError):
        iplink.parse_link_json(text)


def test_empty_output_is_no_links():
    assert iplink.parse_link_json("") == []
    assert iplink.parse_routes_json("", "") == []
