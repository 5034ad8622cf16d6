# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The judge: for every finding code a host that must produce it and a healthy host that must not; cluster cases."""

from __future__ import annotations

import copy

import pytest
from conftest import read_fixture
from factsbuilder import SUBSETS, addr, host, iface, lab_netns_facts, neutron

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import counters
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import neutron as neutron_parser
from ansible_collections.netdoctor.openstack.plugins.plugin_utils import _judge

KEYS = {"code", "severity", "host", "interface", "message", "evidence", "remediation"}


def codes(findings):
    return sorted((f["code"], f["interface"]) for f in findings)


def vxlan(name, mtu, *, underlay="eth1", underlay_mtu=1500, vni=42, overhead=50, external=False, ip_version=4):
    tunnel = {
        "type": "vxlan",
        "vni": vni,
        "local": "10.0.0.5",
        "remote": "10.0.0.6",
        "group": None,
        "dstport": 4789,
        "external": external,
        "ip_version": ip_version,
        "overhead": overhead,
        "underlay": underlay,
        "underlay_mtu": underlay_mtu,
        "required_underlay_mtu": None if overhead is None else mtu + overhead,
        "headroom": None if overhead is None else underlay_mtu - mtu - overhead,
    }
    return iface(name, "vxlan", mtu, tunnel=tunnel)


def ovs_port(name, bridge, mtu, kind="veth", *, tag=None, port_type=""):
    port = {
        "bridge": bridge,
        "port": name,
        "type": port_type,
        "mtu": mtu,
        "mtu_request": None,
        "tag": tag,
        "trunks": [],
        "vlan_mode": None,
        "options": {},
        "ofport": 1,
    }
    return iface(name, kind, mtu, ovs=port, master="ovs-system", master_kind="openvswitch")


def ovs_block(bridges):
    return {
        "running": True,
        "version": "3.1.0",
        "bridges": {b: {"datapath_type": "netdev", "ports": ports, "mtu_request": None, "flows_checked": True} for b, ports in bridges.items()},
    }


def pmtu(path_mtu, expected=1500, blackhole=False, target="10.0.0.6"):
    return {
        "target": target,
        "path_mtu": path_mtu,
        "expected_mtu": expected,
        "deficit": expected - path_mtu if path_mtu is not None else None,
        "blackhole": blackhole,
        "icmp_mtu": None if blackhole else path_mtu,
        "probes": 4,
        "elapsed": 0.2,
        "network": "tunnel",
        "source_host": "node1",
        "target_host": "node2",
    }


VLAN10 = {"id": 10, "protocol": "802.1Q"}
ETH1 = iface("eth1", mtu=1500, addresses=[addr("10.0.0.5", 24)])
ETH1_JUMBO = iface("eth1", mtu=9000, addresses=[addr("10.0.0.5", 24)])
BR_EX_OVS = ovs_block({"br-ex": ["br-ex", "eth2", "phy-br-ex"]})
ETH2_1500 = ovs_port("eth2", "br-ex", 1500, kind="physical")
ETH2_9000 = ovs_port("eth2", "br-ex", 9000, kind="physical")
BR_EX_INT = ovs_port("br-ex", "br-ex", 1500, kind="ovs_internal", port_type="internal")
DHCP_NS = {
    "qdhcp-6f3c": {
        "kind": "dhcp",
        "interfaces": {"tap6f3c": {"mtu": 1450, "tx_checksum": True}},
        "dhcp_served": True,
        "checksum_fill": {"ipv4": False, "ipv6": False},
    }
}
DHCP_NS_FILLED = {"qdhcp-6f3c": dict(DHCP_NS["qdhcp-6f3c"], checksum_fill={"ipv4": True, "ipv6": False})}
ENIC = dict(iface("eth0")["driver"], driver="enic", version="2.3.0.53")
# what dpflows.priority_tagged_ports made of the real dpctl capture (tests/unit/fixtures/ovs-appctl)
SEEN = {"packets": 5, "pcp": [], "popped": False}
AX88179_ISSUE = {
    "id": "ax88179-trailer",
    "finding": "NIC_DRIVER_KNOWN_BAD",
    "summary": "in-tree ax88179_178a appends a 2-byte trailer",
    "reference": "https://example.invalid/ax88179",
}
AX88179 = dict(
    iface("eth0")["driver"],
    driver="ax88179_178a",
    version="6.1.0",
    bus="usb",
    usb={"vendor_id": "0b95", "product_id": "1790", "configuration": 1},
    known_issues=[AX88179_ISSUE],
)
LRO_ON = {"large-receive-offload": True}
KERNLOG_TAP = counters.parse_over_mtu_drops(read_fixture("kernlog/ovs-dropped-over-mtu-tap-1450.txt").splitlines())
KERNLOG_NONE = counters.parse_over_mtu_drops(read_fixture("kernlog/vlan0-hw-filter-stmmac-not-supported.txt").splitlines())
TAPS = [iface("tap0e778df8-ca", "tap", 1450), iface("tape901c8af-fb", "tap", 1450)]


def real_neutron(*files):
    """Neutron facts as net_facts builds them from real configuration files."""
    conf = neutron_parser.merge_configs([neutron_parser.parse_ini(read_fixture("neutron/" + name)) for name in files])
    return neutron(**neutron_parser.summarize(conf, []))


KOLLA_AGENT = real_neutron("kolla-neutron-openvswitch-agent-openvswitch_agent.ini")
SNMP_BAD = counters.parse_snmp(read_fixture("snmp/proc-net-snmp-udp-incsumerrors-3-veth-netns-kernel-6.18.txt"))


def with_counters(udp=None, over_mtu=None):
    block = host()["counters"]
    if udp is not None:
        block["snmp"] = {"udp": udp}
    if over_mtu is not None:
        block["kernel_log"]["over_mtu_drops"] = over_mtu
    return block


# (id, facts, pmtu results, expected [(code, interface)])
OVN_CHASSIS = {"encap_ip": "10.0.0.5", "encap_type": "geneve", "bridge_mappings": {}, "system_id": "compute1"}
ML2_OVN_9000 = neutron(global_physnet_mtu=9000, type_drivers=["geneve"], tenant_network_types=["geneve"], mechanism_drivers=["ovn"], geneve_max_header_size=38)

HOST_CASES = [
    # MTU_TUNNEL_UNDERLAY
    ("tunnel-1500-over-1500", host([ETH1, vxlan("vx42", 1500)]), None, [("MTU_TUNNEL_UNDERLAY", "vx42")]),
    ("tunnel-1450-over-1500", host([ETH1, vxlan("vx42", 1450)]), None, []),
    ("tunnel-external-ignored", host([ETH1, vxlan("vxlan_sys_4789", 65000, external=True, overhead=None)]), None, []),
    # NEUTRON_PORT_MTU_EXCEEDS_OVERLAY: a qr- port at 1500 on VXLAN over a 1500 underlay (tunnel-only node)
    (
        "router-port-1500-on-vxlan-over-1500",
        host(
            [ETH1],
            neutron=neutron(local_ip="10.0.0.5", tunnel_types=["vxlan"], namespaces={"qrouter-r1": {"kind": "router", "interfaces": {"qr-aa": {"mtu": 1500}}}}),
        ),
        None,
        [("NEUTRON_PORT_MTU_EXCEEDS_OVERLAY", "qr-aa")],
    ),
    (
        "router-port-1450-on-vxlan-over-1500",
        host(
            [ETH1],
            neutron=neutron(local_ip="10.0.0.5", tunnel_types=["vxlan"], namespaces={"qrouter-r1": {"kind": "router", "interfaces": {"qr-aa": {"mtu": 1450}}}}),
        ),
        None,
        [],
    ),
    (
        "port-network-unknown-with-physnets-not-judged",
        host(
            [ETH1],
            neutron=neutron(
                local_ip="10.0.0.5",
                tunnel_types=["vxlan"],
                bridge_mappings={"physnet1": "br-ex"},
                namespaces={"snat-r1": {"kind": "snat", "interfaces": {"qg-aa": {"mtu": 1500}}}},
            ),
        ),
        None,
        [],
    ),
    # MTU_CHILD_EXCEEDS_PARENT
    ("vlan-9000-on-1500", host([ETH1, iface("eth1.10", "vlan", 9000, lower="eth1", vlan=VLAN10)]), None, [("MTU_CHILD_EXCEEDS_PARENT", "eth1.10")]),
    ("vlan-1500-on-9000", host([ETH1_JUMBO, iface("eth1.10", "vlan", 1500, lower="eth1", vlan=VLAN10)]), None, []),
    ("macvlan-above-smaller", host([ETH1, iface("mv0", "macvlan", 1600, lower="eth1")]), None, [("MTU_CHILD_EXCEEDS_PARENT", "mv0")]),
    (
        "bond-above-smaller-member",
        host([iface("bond0", "bond", 9000, bond_members=["eth3", "eth4"]), iface("eth3", mtu=9000), iface("eth4", mtu=1500)]),
        None,
        [("MTU_CHILD_EXCEEDS_PARENT", "bond0")],
    ),
    ("bond-members-agree", host([iface("bond0", "bond", 9000, bond_members=["eth3", "eth4"]), iface("eth3", mtu=9000), iface("eth4", mtu=9000)]), None, []),
    # MTU_BRIDGE_PORT_MISMATCH
    (
        "linux-bridge-ports-disagree",
        host([iface("br0", "bridge", 1400, bridge_ports=["v1", "v2"]), iface("v1", "veth", 1500, master="br0"), iface("v2", "veth", 1400, master="br0")]),
        None,
        [("MTU_BRIDGE_PORT_MISMATCH", "br0")],
    ),
    (
        "linux-bridge-ports-agree",
        host([iface("br0", "bridge", 1500, bridge_ports=["v1", "v2"]), iface("v1", "veth", 1500, master="br0"), iface("v2", "veth", 1500, master="br0")]),
        None,
        [],
    ),
    (
        "ovs-same-tag-disagree",
        host(
            [ovs_port("tap1", "br-int", 1450, "tap", tag=1), ovs_port("tap2", "br-int", 1500, "tap", tag=1)],
            ovs=ovs_block({"br-int": ["br-int", "tap1", "tap2", "patch-tun"]}),
        ),
        None,
        [("MTU_BRIDGE_PORT_MISMATCH", "br-int")],
    ),
    (
        "ovs-different-tags-may-differ",
        host(
            [ovs_port("tap1", "br-int", 1450, "tap", tag=1), ovs_port("tap2", "br-int", 1500, "tap", tag=2)],
            ovs=ovs_block({"br-int": ["br-int", "tap1", "tap2", "patch-tun"]}),
        ),
        None,
        [],
    ),
    # NEUTRON_MTU_EXCEEDS_UNDERLAY (tunnel: local_ip holder; flat/vlan: mapped interface)
    (
        "neutron-vxlan-9000-over-1500",
        host([ETH1], neutron=neutron(global_physnet_mtu=9000, local_ip="10.0.0.5", tunnel_types=["vxlan"])),
        None,
        [("NEUTRON_MTU_EXCEEDS_UNDERLAY", "eth1")],
    ),
    ("neutron-vxlan-9000-over-9000", host([ETH1_JUMBO], neutron=neutron(global_physnet_mtu=9000, local_ip="10.0.0.5", tunnel_types=["vxlan"])), None, []),
    (
        "neutron-ipv6-endpoint-ipv4-overlay",
        host(
            [iface("eth1", mtu=1500, addresses=[addr("fd00::5", 64, 6)])],
            neutron=neutron(local_ip="fd00::5", tunnel_types=["vxlan"], overlay_ip_version=4),
        ),
        None,
        [("NEUTRON_MTU_EXCEEDS_UNDERLAY", "eth1")],
    ),
    (
        "neutron-physnet-9000-on-1500-port",
        host(
            [ETH2_1500, BR_EX_INT],
            ovs=BR_EX_OVS,
            neutron=neutron(global_physnet_mtu=9000, bridge_mappings={"physnet1": "br-ex"}, flat_networks=["physnet1"]),
        ),
        None,
        [("NEUTRON_MTU_EXCEEDS_UNDERLAY", "eth2")],
    ),
    (
        "neutron-physnet-9000-on-9000-port",
        host(
            [ETH2_9000, iface("br-ex", "ovs_internal", 9000, ovs=dict(BR_EX_INT["ovs"], mtu=9000))],
            ovs=BR_EX_OVS,
            neutron=neutron(global_physnet_mtu=9000, bridge_mappings={"physnet1": "br-ex"}, flat_networks=["physnet1"]),
        ),
        None,
        [],
    ),
    (
        "neutron-linuxbridge-interface-mapping",
        host([ETH1], neutron=neutron(physical_network_mtus={"provider": 9000}, global_physnet_mtu=9000, physical_interface_mappings={"provider": "eth1"})),
        None,
        [("NEUTRON_MTU_EXCEEDS_UNDERLAY", "eth1")],
    ),
    # NEUTRON_GENEVE_HEADER_TOO_SMALL
    (
        "ovn-geneve-30",
        host([], neutron=neutron(mechanism_drivers=["ovn"], type_drivers=["geneve", "flat"], tenant_network_types=["geneve"], geneve_max_header_size=30)),
        None,
        [("NEUTRON_GENEVE_HEADER_TOO_SMALL", None)],
    ),
    (
        "ovn-geneve-38",
        host([], neutron=neutron(mechanism_drivers=["ovn"], type_drivers=["geneve", "flat"], tenant_network_types=["geneve"], geneve_max_header_size=38)),
        None,
        [],
    ),
    (
        "ovs-agent-geneve-30-is-fine",
        host([], neutron=neutron(mechanism_drivers=["openvswitch"], type_drivers=["geneve"], tenant_network_types=["geneve"], geneve_max_header_size=30)),
        None,
        [],
    ),
    # PMTU_*
    ("pmtu-vxlan-deficit", host([ETH1]), [pmtu(1450)], [("PMTU_BELOW_EXPECTED", None)]),
    ("pmtu-2-byte-deficit", host([ETH1]), [pmtu(1498)], [("PMTU_BELOW_EXPECTED", None), ("PMTU_DEFICIT_UNEXPLAINED", None)]),
    ("pmtu-blackhole", host([ETH1]), [pmtu(1450, blackhole=True)], [("PMTU_BELOW_EXPECTED", None), ("PMTU_BLACKHOLE", None)]),
    ("pmtu-clean", host([ETH1]), [pmtu(1500)], []),
    ("pmtu-unreached-target", host([ETH1]), [dict(pmtu(1500), path_mtu=None, deficit=None)], []),
    # KERNEL_OVER_MTU_DROPS (real kernel log lines)
    (
        "over-mtu-drops-in-kernel-log",
        host(TAPS, counters=with_counters(over_mtu=KERNLOG_TAP)),
        None,
        [("KERNEL_OVER_MTU_DROPS", "tap0e778df8-ca"), ("KERNEL_OVER_MTU_DROPS", "tape901c8af-fb")],
    ),
    ("over-mtu-drops-of-deleted-ports", host([], counters=with_counters(over_mtu=KERNLOG_TAP)), None, []),
    ("kernel-log-without-drops", host(TAPS, counters=with_counters(over_mtu=KERNLOG_NONE)), None, []),
    (
        "over-mtu-drops-interface-counter",
        host([iface("tap1", "tap", 1450, counters={"rx_dropped": 0, "tx_dropped": 0, "rx_errors": 0, "tx_errors": 0, "over_mtu_drops": 7})]),
        None,
        [("KERNEL_OVER_MTU_DROPS", "tap1")],
    ),
    # real Neutron configuration (kolla OVS agent: local_ip 192.168.105.147, vxlan, physnet1 -> br-ex)
    (
        "kolla-agent-underlay-1450",
        host([iface("eth1", mtu=1450, addresses=[addr("192.168.105.147", 24)])], neutron=KOLLA_AGENT),
        None,
        [("NEUTRON_MTU_EXCEEDS_UNDERLAY", "eth1")],
    ),
    ("kolla-agent-underlay-1500", host([iface("eth1", mtu=1500, addresses=[addr("192.168.105.147", 24)])], neutron=KOLLA_AGENT), None, []),
    (
        "kolla-agent-physnet-port-1400",
        host(
            [iface("eth1", mtu=1500, addresses=[addr("192.168.105.147", 24)]), ovs_port("eth2", "br-ex", 1400, "physical"), BR_EX_INT],
            ovs=BR_EX_OVS,
            neutron=KOLLA_AGENT,
        ),
        None,
        [("NEUTRON_MTU_EXCEEDS_UNDERLAY", "eth2")],
    ),
    # DHCP_CHECKSUM_UNFILLED
    ("qdhcp-without-fill", host([], neutron=neutron(namespaces=DHCP_NS)), None, [("DHCP_CHECKSUM_UNFILLED", "tap6f3c")]),
    ("qdhcp-with-fill", host([], neutron=neutron(namespaces=DHCP_NS_FILLED)), None, []),
    (
        "qdhcp-ipv6-without-fill6",
        host([], neutron=neutron(namespaces=DHCP_NS_FILLED, dhcp_servers=[{"pid": 9, "netns": "qdhcp-6f3c", "interfaces": ["tap6f3c"], "ipv6": True}])),
        None,
        [("DHCP_CHECKSUM_UNFILLED", "tap6f3c")],
    ),
    (
        "qdhcp-no-tx-offload",
        host([], neutron=neutron(namespaces={"qdhcp-6f3c": dict(DHCP_NS["qdhcp-6f3c"], interfaces={"tap6f3c": {"mtu": 1450, "tx_checksum": False}})})),
        None,
        [],
    ),
    (
        "root-dnsmasq-without-fill",
        host([iface("br0", "bridge", 1500)], neutron={"found": False, "dhcp_servers": [{"pid": 1234, "netns": None, "interfaces": ["br0"], "ipv6": False}]}),
        None,
        [("DHCP_CHECKSUM_UNFILLED", "br0")],
    ),
    (
        "root-dnsmasq-with-fill",
        host(
            [iface("br0", "bridge", 1500)],
            neutron={
                "found": False,
                "dhcp_servers": [{"pid": 1234, "netns": None, "interfaces": ["br0"], "ipv6": False}],
                "checksum_fill_root": {"ipv4": True, "ipv6": False},
            },
        ),
        None,
        [],
    ),
    # UDP_CHECKSUM_ERRORS (real /proc/net/snmp)
    ("udp-incsumerrors-3", host([], counters=with_counters(udp=SNMP_BAD["udp"])), None, [("UDP_CHECKSUM_ERRORS", None)]),
    ("udp-incsumerrors-0", host([]), None, []),
    # VLAN_PRIORITY_TAG_RISK
    ("enic-without-strip", host([iface("eth0", driver=ENIC)]), None, [("VLAN_PRIORITY_TAG_RISK", "eth0")]),
    (
        "enic-with-ovs-strip",
        host([iface("eth0", driver=ENIC, vlan0_strip=[{"method": "ovs_flow", "bridge": "br-ex", "detail": "dl_vlan=0"}])]),
        None,
        [],
    ),
    ("enic-strip-unknown", host([iface("eth0", driver=ENIC)], gather_subset=[s for s in SUBSETS if s != "vlan"]), None, []),
    ("virtio-no-risk", host([iface("eth0")]), None, []),
    # priority-tagged frames seen in the OVS datapath (dpflows.priority_tagged_ports), whatever the driver
    ("veth-tags-seen", host([iface("up0", "veth", priority_tags_seen=SEEN)]), None, [("VLAN_PRIORITY_TAG_RISK", "up0")]),
    (
        "veth-tags-seen-stripped",
        host([iface("up0", "veth", priority_tags_seen=SEEN, vlan0_strip=[{"method": "ovs_flow", "bridge": "br-ex", "detail": "dl_vlan=0"}])]),
        None,
        [],
    ),
    # NIC_DRIVER_KNOWN_BAD
    ("ax88179-known-bad", host([iface("eth0", driver=AX88179)]), None, [("NIC_DRIVER_KNOWN_BAD", "eth0")]),
    ("ax88179-no-known-issue", host([iface("eth0", driver=dict(AX88179, known_issues=[]))]), None, []),
    # OFFLOAD_LRO_ON_BRIDGED
    ("lro-on-bridge-port", host([iface("eth3", master="br0", master_kind="bridge", offloads=LRO_ON)]), None, [("OFFLOAD_LRO_ON_BRIDGED", "eth3")]),
    ("lro-on-ovs-port", host([dict(ovs_port("eth3", "br-ex", 1500, "physical"), offloads=LRO_ON)]), None, [("OFFLOAD_LRO_ON_BRIDGED", "eth3")]),
    ("lro-on-unbridged", host([iface("eth3", offloads=LRO_ON)]), None, []),
    ("lro-off-bridge-port", host([iface("eth3", master="br0", master_kind="bridge")]), None, []),
    # OVN_ENCAP_MTU_EXCEEDS_UNDERLAY (more in test_judge_ovn.py)
    ("ovn-geneve-8942-over-1500", host([ETH1], ovn=OVN_CHASSIS, neutron=ML2_OVN_9000), None, [("OVN_ENCAP_MTU_EXCEEDS_UNDERLAY", "eth1")]),
    ("ovn-geneve-8942-over-9000", host([ETH1_JUMBO], ovn=OVN_CHASSIS, neutron=ML2_OVN_9000), None, []),
]


@pytest.mark.parametrize(("facts", "results", "expected"), [c[1:] for c in HOST_CASES], ids=[c[0] for c in HOST_CASES])
def test_host_findings(facts, results, expected):
    findings = _judge.host_findings(copy.deepcopy(facts), "node1", results)
    assert codes(findings) == sorted(expected)
    for item in findings:
        assert set(item) == KEYS
        assert item["host"] == "node1"
        assert item["severity"] == _judge.CODES[item["code"]][0]
        assert item["remediation"].startswith("netdoctor.openstack.")
        assert item["evidence"]
        assert item["message"]


def test_every_design_code_has_a_producing_and_a_clean_case():
    produced = {code for case in HOST_CASES for code, _iface in case[3]}
    assert produced == set(_judge.HOST_CODES)
    assert any(not case[3] for case in HOST_CASES)


def test_severities_and_roles_follow_design():
    design = {
        "MTU_TUNNEL_UNDERLAY": "error",
        "MTU_CHILD_EXCEEDS_PARENT": "error",
        "MTU_BRIDGE_PORT_MISMATCH": "warning",
        "NEUTRON_MTU_EXCEEDS_UNDERLAY": "error",
        "NEUTRON_GENEVE_HEADER_TOO_SMALL": "error",
        "PMTU_BELOW_EXPECTED": "error",
        "PMTU_DEFICIT_UNEXPLAINED": "warning",
        "PMTU_BLACKHOLE": "error",
        "KERNEL_OVER_MTU_DROPS": "warning",
        "DHCP_CHECKSUM_UNFILLED": "warning",
        "UDP_CHECKSUM_ERRORS": "warning",
        "VLAN_PRIORITY_TAG_RISK": "warning",
        "NIC_DRIVER_KNOWN_BAD": "error",
        "OFFLOAD_LRO_ON_BRIDGED": "warning",
    }
    assert {code: _judge.CODES[code][0] for code in design} == design
    roles = {"jumbo_underlay", "physnet_mtu", "dhcp_checksum", "priority_tag_strip", "usb_nic_driver", "nic_offloads"}
    assert {_judge.CODES[code][1] for code in design} <= roles


@pytest.mark.parametrize(
    ("facts", "results", "code", "evidence"),
    [
        (
            host([ETH1, vxlan("vx42", 1500)]),
            None,
            "MTU_TUNNEL_UNDERLAY",
            {"mtu": 1500, "overhead": 50, "underlay_mtu": 1500, "required_underlay_mtu": 1550, "deficit": 50},
        ),
        (
            host([ETH1], neutron=neutron(global_physnet_mtu=9000, local_ip="10.0.0.5", tunnel_types=["vxlan"])),
            None,
            "NEUTRON_MTU_EXCEEDS_UNDERLAY",
            {"network_mtu": 8950, "ip_header": 20, "encapsulation": 30, "required_underlay_mtu": 9000, "interface_mtu": 1500, "deficit": 7500},
        ),
        (
            host([iface("eth1", mtu=1500, addresses=[addr("fd00::5", 64, 6)])], neutron=neutron(local_ip="fd00::5", tunnel_types=["vxlan"])),
            None,
            "NEUTRON_MTU_EXCEEDS_UNDERLAY",
            {"network_mtu": 1450, "ip_header": 40, "required_underlay_mtu": 1520, "deficit": 20},
        ),
        (
            host([ETH2_1500, BR_EX_INT], ovs=BR_EX_OVS, neutron=neutron(global_physnet_mtu=9000, bridge_mappings={"physnet1": "br-ex"})),
            None,
            "NEUTRON_MTU_EXCEEDS_UNDERLAY",
            {"physnet": "physnet1", "network_mtu": 9000, "bridge": "br-ex", "interfaces": ["eth2"], "interface_mtu": 1500},
        ),
        (host([ETH1]), [pmtu(1498)], "PMTU_DEFICIT_UNEXPLAINED", {"deficit": 2, "explained_by": [], "path_mtu": 1498, "expected_mtu": 1500}),
        (host([ETH1]), [pmtu(1450)], "PMTU_BELOW_EXPECTED", {"deficit": 50, "explained_by": ["VXLAN over IPv4", "Geneve over IPv4"], "target_host": "node2"}),
        (
            host(TAPS, counters=with_counters(over_mtu=KERNLOG_TAP)),
            None,
            "KERNEL_OVER_MTU_DROPS",
            {"count": 5, "last_size": 8950, "last_mtu": 1450},
        ),
        (host([], counters=with_counters(udp=SNMP_BAD["udp"])), None, "UDP_CHECKSUM_ERRORS", {"InCsumErrors": 3}),
        (host([iface("eth0", driver=AX88179)]), None, "NIC_DRIVER_KNOWN_BAD", {"issue": "ax88179-trailer", "bus": "usb"}),
    ],
)
def test_evidence_holds_the_numbers(facts, results, code, evidence):
    found = [f for f in _judge.host_findings(facts, "node1", results) if f["code"] == code]
    assert found
    assert {k: found[0]["evidence"].get(k) for k in evidence} == evidence


def test_remediation_depends_on_context():
    mapped = host(
        [ovs_port("eth2", "br-ex", 1500, "physical"), ovs_port("eth3", "br-ex", 9000, "physical")],
        ovs=ovs_block({"br-ex": ["br-ex", "eth2", "eth3"]}),
        neutron=neutron(bridge_mappings={"physnet1": "br-ex"}),
    )
    bridge = [f for f in _judge.host_findings(mapped, "n", None) if f["code"] == "MTU_BRIDGE_PORT_MISMATCH"]
    assert [f["remediation"] for f in bridge] == ["netdoctor.openstack.physnet_mtu"]
    both = host([], neutron=neutron(namespaces=DHCP_NS), counters=with_counters(udp=SNMP_BAD["udp"]))
    udp = [f for f in _judge.host_findings(both, "n", None) if f["code"] == "UDP_CHECKSUM_ERRORS"]
    assert udp[0]["remediation"] == "netdoctor.openstack.dhcp_checksum"
    alone = host([], counters=with_counters(udp=SNMP_BAD["udp"]))
    assert _judge.host_findings(alone, "n", None)[0]["remediation"] == "netdoctor.openstack.nic_offloads"


def test_real_lab_capture():
    """Facts parsed from the real lab capture: vx42 (1500 over a 1500 uplink) and vx6 (IPv6, 70 bytes) fail; vx43, vxext, br0 pass."""
    findings = _judge.host_findings(lab_netns_facts(), "lab", None)
    assert codes(findings) == [("MTU_TUNNEL_UNDERLAY", "vx42"), ("MTU_TUNNEL_UNDERLAY", "vx6")]
    deficits = {f["interface"]: f["evidence"]["deficit"] for f in findings}
    assert deficits == {"vx42": 50, "vx6": 70}


def test_real_lab_capture_bridge_port_mismatch():
    facts = lab_netns_facts()
    facts["interfaces"]["tap0"]["mtu"] = 1400
    findings = [f for f in _judge.host_findings(facts, "lab", None) if f["code"] == "MTU_BRIDGE_PORT_MISMATCH"]
    assert [(f["interface"], f["evidence"]["ports"]) for f in findings] == [("br0", {"tap0": 1400, "v1": 1500})]


def test_empty_facts_judge_clean():
    assert _judge.host_findings({}, "n", None) == []
    assert _judge.host_findings(None, "n", []) == []


def test_bad_input_raises():
    with pytest.raises(_judge.JudgeError):
        _judge.host_findings(["not", "a", "dict"], "n")
    with pytest.raises(_judge.JudgeError):
        _judge.cluster_findings([])
    with pytest.raises(_judge.JudgeError):
        _judge.finding("NO_SUCH_CODE", "n", None, "x")


@pytest.mark.parametrize(
    ("address", "version"),
    [("10.0.0.5", 4), ("10.0.0.5/24", 4), ("fd00::5", 6), ("fd00::5/64", 6), ("not-an-ip", None), (None, None)],
)
def test_ip_version(address, version):
    assert _judge.ip_version(address) == version


def test_interface_holding_exact_then_subnet():
    ifaces = host([iface("eth1", addresses=[addr("10.0.0.5", 24)]), iface("br-ex", addresses=[addr("10.0.0.0", 16)])])["interfaces"]
    assert _judge.interface_holding(ifaces, "10.0.0.5") == "eth1"
    assert _judge.interface_holding(ifaces, "10.0.0.9") == "eth1"
    assert _judge.interface_holding(ifaces, "10.0.9.9") == "br-ex"
    assert _judge.interface_holding(ifaces, "192.0.2.1") is None


# ---------------------------------------------------------------- cluster


def neutron_node(gpm=1500, local_ip="10.0.0.5", eth1_mtu=1500, **settings):
    ip = local_ip.split("/")[0]
    return host(
        [iface("eth1", mtu=eth1_mtu, addresses=[addr(ip, 24)])],
        neutron=neutron(global_physnet_mtu=gpm, local_ip=ip, tunnel_types=["vxlan"], **settings),
    )


def cluster_codes(findings):
    return sorted((f["code"], f["host"], f["evidence"].get("setting")) for f in findings)


CLUSTER_CASES = [
    ("healthy", {"a": neutron_node(), "b": neutron_node(local_ip="10.0.0.6"), "c": neutron_node(local_ip="10.0.0.7")}, []),
    (
        "one-node-out-of-three",
        {"a": neutron_node(9000, eth1_mtu=9000), "b": neutron_node(9000, "10.0.0.6", 9000), "c": neutron_node(1500, "10.0.0.7", 9000)},
        [
            ("NEUTRON_CONFIG_MISMATCH", "c", "global_physnet_mtu"),
            ("OVERLAY_MTU_MISMATCH", "c", "network_mtus.vxlan"),
        ],
    ),
    (
        "two-nodes-no-majority",
        {"a": neutron_node(1500), "b": neutron_node(1400, "10.0.0.6")},
        [
            ("NEUTRON_CONFIG_MISMATCH", None, "global_physnet_mtu"),
            ("OVERLAY_MTU_MISMATCH", None, "network_mtus.vxlan"),
        ],
    ),
    (
        "endpoint-underlay-too-small-for-cluster",
        {
            "a": neutron_node(9000, eth1_mtu=9000),
            "b": neutron_node(9000, "10.0.0.6", 9000),
            "c": neutron_node(1500, "10.0.0.7", 1500),
        },
        [
            ("NEUTRON_CONFIG_MISMATCH", "c", "global_physnet_mtu"),
            ("NEUTRON_MTU_EXCEEDS_UNDERLAY", "c", None),
            ("OVERLAY_MTU_MISMATCH", "c", "network_mtus.vxlan"),
        ],
    ),
    (
        "geneve-header-outlier",
        {
            "a": neutron_node(geneve_max_header_size=38),
            "b": neutron_node(local_ip="10.0.0.6", geneve_max_header_size=38),
            "c": neutron_node(local_ip="10.0.0.7", geneve_max_header_size=30),
        },
        [("NEUTRON_CONFIG_MISMATCH", "c", "geneve_max_header_size")],
    ),
    (
        "tunnel-devices-disagree",
        {
            "a": host([iface("eth1", mtu=1500), vxlan("vx42", 1450)]),
            "b": host([iface("eth1", mtu=1500), vxlan("vx42", 1450)]),
            "c": host([iface("eth1", mtu=1550), vxlan("vx42", 1500)]),
        },
        [("MTU_TUNNEL_UNDERLAY", "a", None), ("MTU_TUNNEL_UNDERLAY", "b", None), ("OVERLAY_MTU_MISMATCH", "c", "tunnel_mtu")],
    ),
    (
        "tunnel-devices-other-vni-independent",
        {"a": host([iface("eth1"), vxlan("vx42", 1450)]), "b": host([iface("eth1"), vxlan("vx43", 1400, vni=43)])},
        [],
    ),
    ("no-neutron-anywhere", {"a": host([iface("eth0")]), "b": host([iface("eth0")])}, []),
]


@pytest.mark.parametrize(("hosts", "expected"), [c[1:] for c in CLUSTER_CASES], ids=[c[0] for c in CLUSTER_CASES])
def test_cluster_findings(hosts, expected):
    findings = _judge.cluster_findings(copy.deepcopy(hosts))
    assert cluster_codes(findings) == sorted(expected, key=lambda t: (t[0], t[1] or "", t[2] or ""))
    for item in findings:
        assert set(item) == KEYS


def test_cluster_outlier_names_the_majority():
    hosts = {"a": neutron_node(9000, eth1_mtu=9000), "b": neutron_node(9000, "10.0.0.6", 9000), "c": neutron_node(1500, "10.0.0.7", 9000)}
    item = next(f for f in _judge.cluster_findings(hosts) if f["code"] == "NEUTRON_CONFIG_MISMATCH")
    assert item["evidence"]["value"] == 1500
    assert item["evidence"]["majority_value"] == 9000
    assert item["evidence"]["majority_hosts"] == ["a", "b"]
    assert "odd one out" in item["message"]


def test_cluster_underlay_evidence():
    hosts = {"a": neutron_node(9000, eth1_mtu=9000), "b": neutron_node(9000, "10.0.0.6", 9000), "c": neutron_node(1500, "10.0.0.7", 1500)}
    item = next(f for f in _judge.cluster_findings(hosts) if f["code"] == "NEUTRON_MTU_EXCEEDS_UNDERLAY")
    assert item["evidence"]["scope"] == "cluster"
    assert (item["evidence"]["network_mtu"], item["evidence"]["required_underlay_mtu"], item["evidence"]["interface_mtu"]) == (8950, 9000, 1500)
    # the host's own judgment does not see it: its own settings fit its own underlay
    assert _judge.host_findings(hosts["c"], "c") == []


# ---------------------------------------------------------------- report


def test_build_report_schema_and_summary():
    inputs = {
        "a": {"status": "ok", "facts": host([ETH1, vxlan("vx42", 1500)]), "pmtu_results": [pmtu(1498)]},
        "b": {"status": "ok", "facts": host([ETH1])},
        "down": {"status": "unreachable", "message": "ssh: connect to host down port 22: No route to host"},
        "broken": {"status": "failed", "message": "net_facts: python3 not found"},
    }
    report = _judge.build_report(inputs, "0.1.0", "2026-01-01T00:00:00Z")
    # DESIGN's keys, plus the probes (a has pmtu_probe results)
    assert set(report) == {"generated", "collection_version", "summary", "hosts", "cluster_findings", "probes"}
    assert [(p["path_mtu"], p["expected_mtu"]) for p in report["probes"]] == [(1498, 1500)]
    assert report["summary"] == {"error": 4, "warning": 1, "info": 0}
    assert [f["code"] for f in report["hosts"]["down"]["findings"]] == ["HOST_UNREACHABLE"]
    assert report["hosts"]["down"]["reachable"] is False
    assert [f["code"] for f in report["hosts"]["broken"]["findings"]] == ["FACTS_GATHER_FAILED"]
    assert report["hosts"]["b"] == {"reachable": True, "audited": True, "pmtu_probed": False, "findings": []}
    assert report["hosts"]["a"]["pmtu_probed"] is True
    assert report["cluster_findings"] == []


@pytest.mark.parametrize(
    ("fail_on", "count"),
    [("error", 3), ("warning", 4), ("info", 4), ("never", 0)],
)
def test_failing_findings(fail_on, count):
    inputs = {
        "a": {"status": "ok", "facts": host([ETH1, vxlan("vx42", 1500)]), "pmtu_results": [pmtu(1498)]},
        "down": {"status": "unreachable"},
    }
    report = _judge.build_report(inputs, "0.1.0", "now")
    assert len(_judge.failing_findings(report, fail_on)) == count


def test_failing_findings_rejects_unknown_threshold():
    with pytest.raises(_judge.JudgeError):
        _judge.failing_findings({}, "fatal")
