# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Build ``ansible_facts.netdoctor`` dicts that follow docs/facts.md, from real captures where parsers exist."""

from __future__ import annotations

import copy

from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import counters, ethtool, iplink, netfacts, ovs
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import neutron as neutron_facts

SUBSETS = ["links", "offloads", "drivers", "vlan", "counters", "neutron"]


def iface(name: str, kind: str = "physical", mtu: int = 1500, **extra) -> dict:
    """One interfaces[NAME] entry as net_facts returns it (docs/facts.md): keys that do not apply are left out."""
    entry = {
        "name": name,
        "ifindex": extra.pop("ifindex", 2),
        "kind": kind,
        "mtu": mtu,
        "min_mtu": 68,
        "max_mtu": 9216,
        "operstate": "UP",
        "mac": "52:54:00:12:34:56",
        "admin_up": True,
        "master": None,
        "master_kind": None,
        "lower": None,
        "vlan": None,
        "addresses": [],
        "bridge_ports": [],
        "bond_members": [],
        "ovs": None,
        "tunnel": None,
        "offloads": {"tx-checksumming": True, "large-receive-offload": False},
        "offloads_fixed": ["large-receive-offload"],
        "driver": {
            "driver": "virtio_net",
            "version": "1.0.0",
            "firmware_version": "",
            "bus_info": "0000:00:03.0",
            "bus": "pci",
            "usb": None,
            "module": None,
            "known_issues": [],
        },
        "counters": {"rx_dropped": 0, "tx_dropped": 0, "rx_errors": 0, "tx_errors": 0, "over_mtu_drops": 0},
    }
    entry.update(extra)
    netfacts.prune(entry, netfacts.OPTIONAL_LINK_KEYS)
    netfacts.prune(entry["driver"], netfacts.OPTIONAL_DRIVER_KEYS)
    return entry


def addr(address: str, prefixlen: int, family: int = 4) -> dict:
    return {"family": family, "address": address, "prefixlen": prefixlen, "scope": "global"}


def neutron(**settings) -> dict:
    """A neutron facts block (found) with Neutron's defaults; network_mtus left for the judge to compute unless given."""
    block = neutron_facts.empty_facts()
    block.update(
        found=True,
        files=["/etc/neutron/neutron.conf", "/etc/neutron/plugins/ml2/ml2_conf.ini"],
        global_physnet_mtu=1500,
        path_mtu=0,
        overlay_ip_version=4,
        type_drivers=["flat", "vlan", "vxlan"],
        tenant_network_types=["vxlan"],
        mechanism_drivers=["openvswitch", "l2population"],
        geneve_max_header_size=30,
        network_mtus=None,
        namespaces={},
        dhcp_servers=[],
        checksum_fill_root={"ipv4": False, "ipv6": False},
    )
    block.update(settings)
    return block


def host(interfaces=(), **top) -> dict:
    """A whole ansible_facts.netdoctor dict."""
    facts = {
        "schema": 1,
        "gather_subset": list(SUBSETS),
        "hostname": top.pop("hostname", "node"),
        "kernel": "6.1.0-26-amd64",
        "errors": [],
        "interfaces": {i["name"]: copy.deepcopy(i) for i in interfaces},
        "ovs": {"running": False, "version": None, "bridges": {}},
        "linux_bridges": {},
        "counters": {
            "snmp": {"udp": counters.parse_snmp(read_fixture("snmp/proc-net-snmp-udp-incsumerrors-zero.txt"))["udp"]},
            "kernel_log": {"source": "dmesg", "lines_read": 0, "over_mtu_drops": {}},
        },
        "neutron": {"found": False},
    }
    facts.update(top)
    for entry in facts["interfaces"].values():
        if entry["kind"] == "bridge":
            facts["linux_bridges"].setdefault(entry["name"], list(entry.get("bridge_ports", [])))
    return facts


def lab_netns_facts() -> dict:
    """Facts of the real lab capture (ip -j link/addr/route in namespace ndcap, OVS netdev bridges)."""
    links = iplink.parse_link_json(read_fixture("ip-link-json/lab-netns-veth-bridge-vxlan-macvlan-tap-ovs-netdev.json"))
    addrs = iplink.parse_addr_json(read_fixture("ip-addr-json/lab-netns-addr-show.json"))
    routes = iplink.parse_routes_json(
        read_fixture("ip-route-json/lab-netns-route-show-table-all.json"), read_fixture("ip-route-json/lab-netns-6-route-show-table-all.json")
    )
    interfaces = iplink.resolve_tunnels(iplink.link_facts(links, addrs), routes)
    ovs_facts, per_port = ovs.parse_vsctl_chained(read_fixture("ovs-vsctl/lab-netdev-chained-list-json.txt"))
    for name, port in per_port.items():
        if name in interfaces:
            interfaces[name]["ovs"] = port
    offloads = ethtool.parse_ethtool_k(read_fixture("ethtool-k/veth-sg-off-requested-on-kernel-6.18.txt"))
    driver = ethtool.parse_ethtool_i(read_fixture("ethtool-i/veth-1.0-kernel-6.18.txt"))
    features = netfacts.DEFAULT_OFFLOAD_FEATURES + netfacts.VLAN_OFFLOAD_FEATURES
    for entry in interfaces.values():
        netfacts.prune(entry, netfacts.OPTIONAL_LINK_KEYS)
        entry.update(netfacts.report_offloads(offloads, features))
        entry["driver"] = netfacts.prune(dict(driver, bus="virtual", usb=None, module=None, known_issues=[]), netfacts.OPTIONAL_DRIVER_KEYS)
    facts = host([], ovs=ovs_facts, linux_bridges=iplink.linux_bridges(interfaces))
    facts["interfaces"] = interfaces
    return facts
