# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""The judge's OVN checks: ML2/OVN chassis (``ansible_facts.netdoctor.ovn``) have no local_ip and no agent ini.

Called from _judge.host_findings() / cluster_findings() (the codes are registered in _judge.CODES); pure
functions, controller side. This module reaches _judge's helpers only when its functions run, so either
module may be imported first.

- ``OVN_ENCAP_MTU_EXCEEDS_UNDERLAY``: the MTU Neutron gives the overlay networks of the chassis'
  encapsulation (geneve, or vxlan) plus what OVN puts on the wire (outer IP + 38 bytes for Geneve
  with OVN's 8-byte option, + 30 for VXLAN) exceeds the MTU of the interface holding ovn-encap-ip.
  The overlay MTU is the chassis' own Neutron computation when it has the ML2/OVN server
  configuration, else the cluster's (the Neutron hosts with the ``ovn`` mechanism driver).
- ``NEUTRON_GENEVE_HEADER_TOO_SMALL`` on a chassis whose ML2 configuration offers Geneve networks
  with ``max_header_size`` below 38 while ``mechanism_drivers`` does not name ovn (the generic check
  in _judge.py covers the case where it does).
- ``OVN_ENCAP_MTU_MISMATCH`` (cluster): the chassis' encap interfaces disagree on MTU.
- Physnets: bridge_mappings() merges ``ovn-bridge-mappings`` into Neutron's ``bridge_mappings`` so
  the flat/VLAN checks of _judge.py see OVN chassis too; chassis without a Neutron configuration of
  their own are checked against the cluster's physnet MTUs here.
"""

from __future__ import annotations

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.mtu import (
    IP_HEADER,
    NEUTRON_VXLAN_ENCAP_OVERHEAD,
    OVN_GENEVE_MIN_MAX_HEADER_SIZE,
)
from ansible_collections.netdoctor.openstack.plugins.plugin_utils import _judge

# Bytes OVN adds between the outer IP header and the inner frame's payload: UDP 8 + Geneve 8 +
# OVN's option 8 + inner Ethernet 14 = 38 (hence Neutron's max_header_size >= 38); VXLAN 30.
OVN_WIRE_ENCAP = {"geneve": OVN_GENEVE_MIN_MAX_HEADER_SIZE, "vxlan": NEUTRON_VXLAN_ENCAP_OVERHEAD}


def chassis(facts: dict) -> dict:
    """``ansible_facts.netdoctor.ovn`` (empty when the host is no OVN chassis)."""
    value = (facts or {}).get("ovn")
    return value if isinstance(value, dict) else {}


def bridge_mappings(facts: dict) -> dict:
    """{physnet: bridge} from ovn-bridge-mappings, with Neutron's own ``bridge_mappings`` taking precedence."""
    merged = dict(chassis(facts).get("bridge_mappings") or {})
    merged.update(((facts or {}).get("neutron") or {}).get("bridge_mappings") or {})
    return merged


def runs_ovn(neutron: dict) -> bool:
    """Neutron settings of an ML2/OVN server: ``ovn`` among the mechanism drivers."""
    return "ovn" in [str(d).lower() for d in (neutron or {}).get("mechanism_drivers") or []]


def encap_endpoint(facts: dict) -> dict | None:
    """{"encap_ip", "encap_type", "ip_version", "interface", "mtu"} of an OVN chassis, None elsewhere."""
    ovn = chassis(facts)
    if not ovn or not ovn.get("encap_ip"):
        return None
    ifaces = _judge._ifaces(facts)
    interface = ovn.get("encap_interface") or _judge.interface_holding(ifaces, ovn["encap_ip"])
    mtu = _judge._mtu(ifaces, interface)
    if mtu is None and interface == ovn.get("encap_interface"):
        mtu = _judge._int(ovn.get("encap_interface_mtu"))
    return {
        "encap_ip": ovn["encap_ip"],
        "encap_type": (ovn.get("encap_type") or "geneve").lower(),
        "ip_version": _judge.ip_version(ovn["encap_ip"]) or 4,
        "interface": interface,
        "mtu": mtu,
    }


def _overlay_mtu(neutron: dict, network_type: str) -> int | None:
    return _judge._int(_judge.network_mtus(neutron).get(network_type)) or None


def _encap_finding(host, endpoint: dict, network_mtu: int, scope: str) -> dict | None:
    encap = OVN_WIRE_ENCAP.get(endpoint["encap_type"])
    if encap is None or endpoint["mtu"] is None:
        return None
    header = IP_HEADER[endpoint["ip_version"]]
    required = network_mtu + header + encap
    if required <= endpoint["mtu"]:
        return None
    kind = endpoint["encap_type"]
    where = " (cluster value)" if scope == "cluster" else ""
    return _judge.finding(
        "OVN_ENCAP_MTU_EXCEEDS_UNDERLAY",
        host,
        endpoint["interface"],
        f"Neutron gives {kind} networks MTU {network_mtu}{where}; OVN sends them as {required}-byte packets "
        f"(+{header} IPv{endpoint['ip_version']} +{encap} {kind}), but {endpoint['interface']} holding ovn-encap-ip "
        f"{endpoint['encap_ip']} carries {endpoint['mtu']}",
        {
            "scope": scope,
            "encap_type": kind,
            "encap_ip": endpoint["encap_ip"],
            "network_type": kind,
            "network_mtu": network_mtu,
            "ip_header": header,
            "encapsulation": encap,
            "required_underlay_mtu": required,
            "interface_mtu": endpoint["mtu"],
            "deficit": required - endpoint["mtu"],
        },
    )


def check_encap_underlay(facts: dict, host) -> list:
    """OVN_ENCAP_MTU_EXCEEDS_UNDERLAY from this chassis' own ML2/OVN settings."""
    endpoint = encap_endpoint(facts)
    neutron = _judge._neutron(facts)
    if endpoint is None or not runs_ovn(neutron):
        return []
    network_mtu = _overlay_mtu(neutron, endpoint["encap_type"])
    item = _encap_finding(host, endpoint, network_mtu, "host") if network_mtu else None
    return [item] if item else []


def check_geneve_header(facts: dict, host) -> list:
    """NEUTRON_GENEVE_HEADER_TOO_SMALL on a Geneve chassis whose ML2 settings lack ``ovn`` in mechanism_drivers."""
    endpoint = encap_endpoint(facts)
    neutron = _judge._neutron(facts)
    if endpoint is None or endpoint["encap_type"] != "geneve" or not neutron or runs_ovn(neutron):
        return []  # with the ovn driver named, _judge.check_geneve_header() judges it
    types = set(neutron.get("type_drivers") or []) | set(neutron.get("tenant_network_types") or [])
    size = _judge._int(neutron.get("geneve_max_header_size"))
    if "geneve" not in types or size is None or size >= OVN_GENEVE_MIN_MAX_HEADER_SIZE:
        return []
    return [
        _judge.finding(
            "NEUTRON_GENEVE_HEADER_TOO_SMALL",
            host,
            None,
            f"this OVN chassis (ovn-encap-type geneve) offers Geneve networks with [ml2_type_geneve] max_header_size = {size}: "
            f"OVN needs >= {OVN_GENEVE_MIN_MAX_HEADER_SIZE}, so network MTUs come out {OVN_GENEVE_MIN_MAX_HEADER_SIZE - size} bytes too large",
            {"geneve_max_header_size": size, "minimum": OVN_GENEVE_MIN_MAX_HEADER_SIZE, "encap_type": "geneve", "encap_ip": endpoint["encap_ip"]},
        )
    ]


def host_findings(facts: dict, host) -> list:
    """Every OVN host finding of one host."""
    return check_encap_underlay(facts, host) + check_geneve_header(facts, host)


def _physnet_findings(facts: dict, host, cluster_mtus: dict) -> list:
    """NEUTRON_MTU_EXCEEDS_UNDERLAY (cluster) for a chassis with no Neutron settings of its own, through ovn-bridge-mappings."""
    ifaces = _judge._ifaces(facts)
    ovs_bridges = ((facts or {}).get("ovs") or {}).get("bridges") or {}
    out = []
    for physnet, bridge in sorted((chassis(facts).get("bridge_mappings") or {}).items()):
        want = _judge.physnet_mtu(cluster_mtus, physnet)
        if want is None or bridge not in ovs_bridges:
            continue
        ports = [p for p in _judge._ovs_l2_ports(facts, bridge) if (ifaces.get(p) or {}).get("kind") not in ("tap", "tun")]
        mtus = [m for m in (_judge._mtu(ifaces, p) for p in ports) if m is not None]
        if not mtus or want <= min(mtus):
            continue
        out.append(
            _judge.finding(
                "NEUTRON_MTU_EXCEEDS_UNDERLAY",
                host,
                ",".join(sorted(ports)),
                f"Neutron gives flat/VLAN networks on physnet {physnet} MTU {want} (cluster value) but the interface mapped "
                f"through {bridge} (ovn-bridge-mappings) carries {min(mtus)}",
                {
                    "scope": "cluster",
                    "physnet": physnet,
                    "network_mtu": want,
                    "bridge": bridge,
                    "interfaces": sorted(ports),
                    "interface_mtu": min(mtus),
                    "deficit": want - min(mtus),
                    "mapped_by": "ovn-bridge-mappings",
                },
            )
        )
    return out


def _encap_mismatch(endpoints: dict) -> list:
    """OVN_ENCAP_MTU_MISMATCH: one finding per odd chassis out, or one naming every chassis on a tie."""
    values = {host: ep["mtu"] for host, ep in endpoints.items() if ep["mtu"] is not None}
    majority, odd = _judge._majority(values)
    if not odd:
        return []
    what = "the MTU of the interface holding ovn-encap-ip"
    if majority is None:
        return [
            _judge.finding(
                "OVN_ENCAP_MTU_MISMATCH",
                None,
                None,
                f"{what} differs between chassis with no majority: " + ", ".join(f"{h}={v}" for h, v in sorted(values.items())),
                {
                    "setting": "encap_interface_mtu",
                    "values": dict(sorted(values.items())),
                    "interfaces": {h: endpoints[h]["interface"] for h in sorted(values)},
                },
            )
        ]
    holders = sorted(h for h, v in values.items() if v == majority)
    return [
        _judge.finding(
            "OVN_ENCAP_MTU_MISMATCH",
            host,
            endpoints[host]["interface"],
            f"{what} is {value} on {host} ({endpoints[host]['interface']}, {endpoints[host]['encap_ip']}) but {majority} on "
            f"{len(holders)} other chassis ({', '.join(holders)}): {host} is the odd one out",
            {"setting": "encap_interface_mtu", "value": value, "majority_value": majority, "majority_hosts": holders, "encap_ip": endpoints[host]["encap_ip"]},
        )
        for host, value in sorted(odd.items())
    ]


def cluster_findings(hosts_facts: dict) -> list:
    """Cross-chassis OVN findings over {host: ansible_facts.netdoctor} of the hosts that answered."""
    endpoints = {h: ep for h, ep in ((h, encap_endpoint(f)) for h, f in sorted(hosts_facts.items())) if ep}
    if not endpoints:
        return []
    out = _encap_mismatch(endpoints) if len(endpoints) >= 2 else []
    ovn_servers = {h: n for h, n in ((h, _judge._neutron(f)) for h, f in hosts_facts.items()) if runs_ovn(n)}
    if not ovn_servers:
        return out
    computed = {h: _judge.network_mtus(n) for h, n in ovn_servers.items()}
    for host, endpoint in sorted(endpoints.items()):
        kind = endpoint["encap_type"]
        value = _judge._cluster_value({h: _judge._int(m.get(kind)) for h, m in computed.items()})
        own = _judge._neutron(hosts_facts[host])
        if value and not (runs_ovn(own) and _overlay_mtu(own, kind) == value):  # else the host check covers it
            item = _encap_finding(host, endpoint, value, "cluster")
            if item:
                out.append(item)
        if not own:
            physnets = sorted({p for m in computed.values() for k in ("flat", "vlan") for p in (m.get(k) or {})})
            cluster_mtus = {"flat": {}}
            for physnet in physnets:
                mtu = _judge._cluster_value({h: _judge.physnet_mtu(m, physnet) for h, m in computed.items()})
                if mtu:
                    cluster_mtus["flat"][physnet] = mtu
            out += _physnet_findings(hosts_facts[host], host, cluster_mtus)
    return out
