# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""NEUTRON_PORT_MTU_EXCEEDS_OVERLAY: Neutron port devices whose MTU the overlay cannot carry.

Pure, controller side; registered in _judge.py. A port device is a ``qr-``/``qg-``/``sg-``/``ns-``/``tap``
interface in the root namespace or in a ``qrouter-``/``snat-``/``qdhcp-`` namespace
(``neutron.namespaces[NS].interfaces``). On a tunnel network a port may carry at most the MTU of the
interface holding ``local_ip`` minus the outer IP header and the encapsulation (Neutron's own
arithmetic, DESIGN "MTU arithmetic"): a ``qr-`` port at 1500 on VXLAN over a 1500 underlay sends
1550-byte frames that the underlay drops.

Whether a port is on a tunnel network is taken from the evidence the facts hold, in this order:
its br-int tag among the local VLANs br-tun's flows give tunnel traffic (``ovs.bridges[BR].tunnel_local_vlans``);
its Linux bridge holding a VXLAN/GRE/Geneve device (linuxbridge agent); else, on a node that maps no
physical network at all, every port is on a tunnel network. Ports whose network cannot be told are
not judged (a ``qg-`` port on a flat external network at 1500 is right).
"""

from __future__ import annotations

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import as_int as _int
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.mtu import IP_HEADER, TUNNEL_KINDS, neutron_encap_overhead

CODE = "NEUTRON_PORT_MTU_EXCEEDS_OVERLAY"
CODE_ENTRY = (
    "error",
    "physnet_mtu",
    "give the port the MTU its network's overlay carries (Neutron sets it from the network MTU: fix global_physnet_mtu/path_mtu, "
    "update the network and restart the agents) or raise the underlay's MTU",
)
PORT_PREFIXES = ("qr-", "qg-", "sg-", "ns-", "tap")
PORT_NAMESPACE_KINDS = ("router", "snat", "dhcp")


def port_devices(facts: dict) -> list:
    """[{name, netns, mtu, ovs, master}] of the Neutron port devices in the facts (root namespace first)."""
    ifaces = (facts or {}).get("interfaces") or {}
    ovs_ifaces = (((facts or {}).get("ovs") or {}).get("interfaces")) or {}
    ports = []
    for name in sorted(ifaces):
        entry = ifaces[name]
        if name.startswith(PORT_PREFIXES) and entry.get("kind") not in TUNNEL_KINDS:
            ports.append(
                {"name": name, "netns": None, "mtu": _int(entry.get("mtu")), "ovs": entry.get("ovs") or ovs_ifaces.get(name), "master": entry.get("master")}
            )
    namespaces = (((facts or {}).get("neutron") or {}).get("namespaces")) or {}
    for netns in sorted(namespaces):
        data = namespaces[netns] or {}
        if data.get("kind") not in PORT_NAMESPACE_KINDS:
            continue
        for name in sorted(data.get("interfaces") or {}):
            if name.startswith(PORT_PREFIXES):
                ports.append(
                    {"name": name, "netns": netns, "mtu": _int((data["interfaces"][name] or {}).get("mtu")), "ovs": ovs_ifaces.get(name), "master": None}
                )
    return ports


def _tunnel_vlans(facts: dict):
    """The br-int tags of tunnel networks, from br-tun's flows; None when no bridge's flows told."""
    bridges = (((facts or {}).get("ovs") or {}).get("bridges")) or {}
    found = [set(b.get("tunnel_local_vlans") or []) for b in bridges.values() if b.get("tunnel_local_vlans")]
    return set().union(*found) if found else None


def _bridge_tunnel(facts: dict, bridge) -> bool:
    """True when Linux bridge ``bridge`` has a VXLAN/GRE/Geneve device among its ports (linuxbridge agent)."""
    ifaces = (facts or {}).get("interfaces") or {}
    ports = ((facts or {}).get("linux_bridges") or {}).get(bridge) or (ifaces.get(bridge) or {}).get("bridge_ports") or []
    return any((ifaces.get(p) or {}).get("kind") in TUNNEL_KINDS for p in ports)


def on_tunnel_network(facts: dict, port: dict, physnets: bool):
    """(True/False/None, how) for one port: None when the facts cannot tell."""
    tag = _int((port.get("ovs") or {}).get("tag"))
    vlans = _tunnel_vlans(facts)
    if tag is not None and vlans is not None:
        return (tag in vlans), f"br-int tag {tag} {'is' if tag in vlans else 'is not'} a tunnel network's local VLAN in br-tun's flows"
    if port.get("master") and _bridge_tunnel(facts, port["master"]):
        return True, f"its bridge {port['master']} carries a tunnel device"
    if not physnets:
        return True, "the node maps no physical network, so every network is a tunnel network"
    return None, "the port's network type cannot be told from the facts"


def check_port_mtu_overlay(facts: dict, host, *, settings: dict, endpoint: dict | None, types: list, physnets: bool, finding) -> list:
    """NEUTRON_PORT_MTU_EXCEEDS_OVERLAY findings for one host.

    _judge hands in what it already knows of the node: the Neutron ``settings`` (empty when none were
    found), the tunnel ``endpoint`` (the interface holding local_ip, its MTU and IP version), the tunnel
    ``types`` in use, whether any physical network is mapped, and its ``finding`` builder.
    """
    if not settings or not endpoint or endpoint.get("mtu") is None or not types:
        return []
    header = IP_HEADER.get(endpoint["ip_version"], 20)
    geneve = _int(settings.get("geneve_max_header_size"))
    # a port on an unknown one of several tunnel types is held to the most lenient of them (never a false alarm)
    capacities = {t: endpoint["mtu"] - header - neutron_encap_overhead(t, geneve) for t in types}
    network_type = max(capacities, key=lambda t: (capacities[t], t))
    capacity = capacities[network_type]
    out = []
    for port in port_devices(facts):
        if port["mtu"] is None or port["mtu"] <= capacity:
            continue
        tunnel, how = on_tunnel_network(facts, port, physnets)
        if not tunnel:
            continue
        where = f" in {port['netns']}" if port["netns"] else ""
        encap = endpoint["mtu"] - header - capacity
        out.append(
            finding(
                CODE,
                host,
                port["name"],
                f"Neutron port {port['name']}{where} has MTU {port['mtu']}, but {network_type} over {endpoint['interface']} (MTU {endpoint['mtu']}) "
                f"carries at most {capacity} (-{header} IPv{endpoint['ip_version']} -{encap} {network_type}): "
                f"frames of {port['mtu'] - capacity} byte(s) more are dropped or fragmented",
                {
                    "netns": port["netns"],
                    "mtu": port["mtu"],
                    "network_type": network_type,
                    "underlay": endpoint["interface"],
                    "underlay_mtu": endpoint["mtu"],
                    "local_ip": endpoint["local_ip"],
                    "ip_header": header,
                    "encapsulation": encap,
                    "max_mtu": capacity,
                    "excess": port["mtu"] - capacity,
                    "tag": _int((port.get("ovs") or {}).get("tag")),
                    "how": how,
                },
            )
        )
    return out
