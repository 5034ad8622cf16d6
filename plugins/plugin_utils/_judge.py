# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""The audit's judge: ``ansible_facts.netdoctor`` (docs/facts.md) and pmtu_probe results in, findings out.

Pure functions, no I/O, controller side. A finding is a dict
``{code, severity, host, interface, message, evidence, remediation}`` where ``remediation`` is the
fully qualified name of the role that repairs it. Every code of DESIGN.md (## Findings) is judged here,
plus four codes the audit needs for a cluster (documented in roles/audit/README.md):
``HOST_UNREACHABLE``, ``FACTS_GATHER_FAILED``, ``OVERLAY_MTU_MISMATCH`` and ``NEUTRON_CONFIG_MISMATCH``.
"""

from __future__ import annotations

import json
from collections import Counter

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import as_int as _int
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.mtu import (
    IP_HEADER,
    OVN_GENEVE_MIN_MAX_HEADER_SIZE,
    TUNNEL_KINDS,
    MTUError,
    explain_deficit,
    neutron_encap_overhead,
    tunnel_overhead,
)
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.neutron import network_mtus as neutron_network_mtus_of
from ansible_collections.netdoctor.openstack.plugins.plugin_utils import (
    _judge_networks,  # its checks call back into this module
    _judge_ovn,
    _judge_ports,
)

try:
    import netaddr

    HAS_NETADDR = True
except ImportError:  # pragma: no cover - requirements.txt installs it
    netaddr = None
    HAS_NETADDR = False

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}
FAIL_ON = ("error", "warning", "info", "never")

ROLE_PREFIX = "netdoctor.openstack."

# code: (severity, role that repairs it, how to fix it in one line)
CODES = {
    "MTU_TUNNEL_UNDERLAY": ("error", "jumbo_underlay", "raise the MTU of the underlay interface (and what it is stacked on) to at least the required value"),
    "MTU_CHILD_EXCEEDS_PARENT": ("error", "jumbo_underlay", "raise the lower device's MTU to at least the upper device's, lower device first"),
    "MTU_BRIDGE_PORT_MISMATCH": ("warning", "jumbo_underlay", "give every port of the bridge the same MTU"),
    "NEUTRON_MTU_EXCEEDS_UNDERLAY": (
        "error",
        "physnet_mtu",
        "set global_physnet_mtu / physical_network_mtus / path_mtu to what the mapped interface carries, or raise that interface's MTU",
    ),
    "NEUTRON_GENEVE_HEADER_TOO_SMALL": ("error", "physnet_mtu", "set [ml2_type_geneve] max_header_size = 38 (OVN needs its 8 bytes of options)"),
    "PMTU_BELOW_EXPECTED": ("error", "jumbo_underlay", "raise the MTU of every hop between the two ends to the expected MTU"),
    "PMTU_DEFICIT_UNEXPLAINED": ("warning", "usb_nic_driver", "suspect the NIC driver on the path (e.g. a USB adapter eating bytes): use a fixed driver"),
    "PMTU_BLACKHOLE": ("error", "jumbo_underlay", "find the hop with the smaller MTU and raise it; large packets vanish without ICMP frag-needed"),
    "KERNEL_OVER_MTU_DROPS": ("warning", "physnet_mtu", "make the MTU of the port match the network's MTU so packets are not dropped"),
    "DHCP_CHECKSUM_UNFILLED": ("warning", "dhcp_checksum", "add the mangle POSTROUTING CHECKSUM --checksum-fill rule for DHCP (udp dport 68/546)"),
    "UDP_CHECKSUM_ERRORS": ("warning", "nic_offloads", "find the sender of bad UDP checksums; fill DHCP checksums or switch tx checksum offload off"),
    "VLAN_PRIORITY_TAG_RISK": ("warning", "priority_tag_strip", "strip VLAN 0 priority tags (OVS flow, tc filter or a VLAN-0 device)"),
    "NIC_DRIVER_KNOWN_BAD": ("error", "usb_nic_driver", "bind the device to a driver without the known issue"),
    "OFFLOAD_LRO_ON_BRIDGED": ("warning", "nic_offloads", "switch large-receive-offload off on interfaces enslaved to a bridge"),
    _judge_ports.CODE: _judge_ports.CODE_ENTRY,
    "NEUTRON_NETWORK_MTU_STALE": (
        "warning",
        "physnet_mtu",
        "update the network's MTU to the expected one (physnet_mtu with physnet_mtu_update_networks: true, after neutron-server runs the new settings)",
    ),
    "OVERLAY_MTU_MISMATCH": ("error", "physnet_mtu", "give the overlay the same MTU on every node"),
    "NEUTRON_CONFIG_MISMATCH": ("warning", "physnet_mtu", "make the Neutron MTU settings identical on every node"),
    "HOST_UNREACHABLE": ("error", None, "make the host reachable and run the audit again"),
    "FACTS_GATHER_FAILED": ("error", None, "read the error, fix it and run the audit again"),
    # OVN chassis (_judge_ovn.py)
    "OVN_ENCAP_MTU_EXCEEDS_UNDERLAY": (
        "error",
        "jumbo_underlay",
        "raise the MTU of the interface holding ovn-encap-ip (and what it is stacked on), or lower global_physnet_mtu / path_mtu",
    ),
    "OVN_ENCAP_MTU_MISMATCH": ("warning", "jumbo_underlay", "give the interface holding ovn-encap-ip the same MTU on every chassis"),
    "NEUTRON_NETWORKS_NOT_CHECKED": ("info", None, "set netdoctor_openstack_cloud or netdoctor_openstack_auth so the audit reads the networks"),
}

HOST_CODES = (
    "MTU_TUNNEL_UNDERLAY",
    "MTU_CHILD_EXCEEDS_PARENT",
    "MTU_BRIDGE_PORT_MISMATCH",
    "NEUTRON_MTU_EXCEEDS_UNDERLAY",
    "NEUTRON_GENEVE_HEADER_TOO_SMALL",
    "PMTU_BELOW_EXPECTED",
    "PMTU_DEFICIT_UNEXPLAINED",
    "PMTU_BLACKHOLE",
    "KERNEL_OVER_MTU_DROPS",
    "DHCP_CHECKSUM_UNFILLED",
    "UDP_CHECKSUM_ERRORS",
    "VLAN_PRIORITY_TAG_RISK",
    "NIC_DRIVER_KNOWN_BAD",
    "OFFLOAD_LRO_ON_BRIDGED",
    "OVN_ENCAP_MTU_EXCEEDS_UNDERLAY",
    _judge_ports.CODE,
)
PMTU_CODES = ("PMTU_BELOW_EXPECTED", "PMTU_DEFICIT_UNEXPLAINED", "PMTU_BLACKHOLE")
CLUSTER_CODES = ("OVERLAY_MTU_MISMATCH", "NEUTRON_CONFIG_MISMATCH", "NEUTRON_MTU_EXCEEDS_UNDERLAY", "MTU_TUNNEL_UNDERLAY", "NEUTRON_NETWORK_MTU_STALE")
CLUSTER_CODES += ("OVN_ENCAP_MTU_EXCEEDS_UNDERLAY", "OVN_ENCAP_MTU_MISMATCH")

# Drivers known to insert 802.1p priority tags (VLAN 0) on received frames.
PRIORITY_TAG_DRIVERS = frozenset(("enic",))

# Neutron settings that must agree across nodes (neutron facts keys).
NEUTRON_SETTINGS = ("global_physnet_mtu", "path_mtu", "physical_network_mtus", "overlay_ip_version", "geneve_max_header_size")
NEUTRON_TUNNEL_TYPES = ("vxlan", "gre", "geneve")
# OVS port types that are not a frame-carrying kernel port of the bridge's L2 domain.
_OVS_NON_L2_TYPES = frozenset(("patch", "internal", "vxlan", "geneve", "gre", "stt", "lisp", "erspan", "ip6erspan", "ip6gre", "bareudp", "gtpu", "srv6"))
_CHILD_KINDS = frozenset(("vlan", "macvlan", "macvtap", "ipvlan"))


class JudgeError(ValueError):
    """Input the judge cannot work with (wrong type, unknown severity)."""


def finding(code: str, host, interface, message: str, evidence: dict | None = None, *, severity: str | None = None) -> dict:
    """Build one finding of ``code`` with its severity and the role that repairs it."""
    if code not in CODES:
        raise JudgeError(f"unknown finding code {code!r}")
    default_severity, role, _hint = CODES[code]
    return {
        "code": code,
        "severity": severity or default_severity,
        "host": host,
        "interface": interface,
        "message": message,
        "evidence": dict(evidence or {}),
        "remediation": ROLE_PREFIX + role if role else None,
    }


def remediation_hint(code: str) -> str:
    """One line telling a person how to fix ``code``."""
    return CODES.get(code, (None, None, ""))[2]


def _ifaces(facts: dict) -> dict:
    return (facts or {}).get("interfaces") or {}


def _mtu(ifaces: dict, name) -> int | None:
    entry = ifaces.get(name) if name else None
    return _int(entry.get("mtu")) if isinstance(entry, dict) else None


def ip_version(address) -> int | None:
    """4 or 6 for an address (with or without a prefix length), None when it is not one."""
    if not address:
        return None
    if not HAS_NETADDR:  # pragma: no cover
        raise JudgeError("the netaddr Python library is required on the controller (requirements.txt)")
    try:
        return int(netaddr.IPNetwork(str(address)).version)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        return None


def interface_holding(ifaces: dict, address) -> str | None:
    """The interface that has ``address`` assigned, else the one whose subnet holds it (longest prefix)."""
    if not address or not HAS_NETADDR:
        return None
    try:
        wanted = netaddr.IPAddress(str(address).split("/", maxsplit=1)[0])
    except (netaddr.AddrFormatError, ValueError, TypeError):
        return None
    best = None
    for name in sorted(ifaces):
        for addr in ifaces[name].get("addresses") or []:
            try:
                net = netaddr.IPNetwork(f"{addr.get('address')}/{addr.get('prefixlen')}")
            except (netaddr.AddrFormatError, ValueError, TypeError):
                continue
            if net.version != wanted.version:
                continue
            if net.ip == wanted:
                return name
            if wanted in net and (best is None or net.prefixlen > best[0]):
                best = (net.prefixlen, name)
    return best[1] if best else None


# ---------------------------------------------------------------- per-host checks


def check_tunnel_underlay(facts: dict, host) -> list:
    """MTU_TUNNEL_UNDERLAY: a tunnel device's MTU plus its overhead exceeds its underlay's MTU."""
    ifaces = _ifaces(facts)
    out = []
    for name in sorted(ifaces):
        entry = ifaces[name]
        tunnel = entry.get("tunnel")
        if not isinstance(tunnel, dict) or tunnel.get("external"):
            continue  # flow-based devices (OVS vxlan_sys_4789) carry no MTU of their own
        mtu = _int(entry.get("mtu"))
        overhead = _int(tunnel.get("overhead"))
        if overhead is None:
            try:
                overhead = tunnel_overhead(tunnel.get("type") or entry.get("kind"), tunnel.get("ip_version") or 4)
            except MTUError:
                overhead = None
        underlay = tunnel.get("underlay")
        underlay_mtu = _mtu(ifaces, underlay)
        if underlay_mtu is None:
            underlay_mtu = _int(tunnel.get("underlay_mtu"))
        if mtu is None or overhead is None or underlay_mtu is None:
            continue
        required = mtu + overhead
        if required > underlay_mtu:
            out.append(
                finding(
                    "MTU_TUNNEL_UNDERLAY",
                    host,
                    name,
                    f"{tunnel.get('type') or entry.get('kind')} device {name} (MTU {mtu}) needs an underlay MTU of {required} "
                    f"(MTU + {overhead} bytes of encapsulation) but {underlay} carries {underlay_mtu}",
                    {
                        "type": tunnel.get("type") or entry.get("kind"),
                        "mtu": mtu,
                        "overhead": overhead,
                        "underlay": underlay,
                        "underlay_mtu": underlay_mtu,
                        "required_underlay_mtu": required,
                        "deficit": required - underlay_mtu,
                    },
                )
            )
    return out


def check_child_exceeds_parent(facts: dict, host) -> list:
    """MTU_CHILD_EXCEEDS_PARENT: a VLAN/macvlan device above a smaller lower device, a bond above a smaller member."""
    ifaces = _ifaces(facts)
    out = []
    for name in sorted(ifaces):
        entry = ifaces[name]
        mtu = _int(entry.get("mtu"))
        if mtu is None:
            continue
        lowers = []
        if entry.get("kind") in _CHILD_KINDS and entry.get("lower"):
            lowers = [entry["lower"]]
        elif entry.get("kind") == "bond":
            lowers = list(entry.get("bond_members") or [])
        for lower in lowers:
            lower_mtu = _mtu(ifaces, lower)
            if lower_mtu is not None and mtu > lower_mtu:
                out.append(
                    finding(
                        "MTU_CHILD_EXCEEDS_PARENT",
                        host,
                        name,
                        f"{entry.get('kind')} device {name} has MTU {mtu}, larger than {lower} beneath it ({lower_mtu})",
                        {"kind": entry.get("kind"), "mtu": mtu, "lower": lower, "lower_mtu": lower_mtu, "deficit": mtu - lower_mtu},
                    )
                )
    return out


def _ovs_l2_ports(facts: dict, bridge: str) -> list:
    """Ports of OVS ``bridge`` that carry its frames in the kernel: no patch/tunnel/internal ports, not the bridge itself."""
    ifaces = _ifaces(facts)
    info = (((facts or {}).get("ovs") or {}).get("bridges") or {}).get(bridge) or {}
    ports = []
    for port in info.get("ports") or []:
        if port == bridge:
            continue
        entry = ifaces.get(port)
        if not isinstance(entry, dict):
            continue
        ovs = entry.get("ovs") or {}
        if ovs.get("type") in _OVS_NON_L2_TYPES or entry.get("kind") in ("ovs_internal", "ovs_system"):
            continue
        ports.append(port)
    return ports


def _bridge_groups(facts: dict):
    """Yield (bridge, flavour, {group label: [ports]}) for every Linux and OVS bridge."""
    ifaces = _ifaces(facts)
    linux = dict((facts or {}).get("linux_bridges") or {})
    for name, entry in ifaces.items():
        if entry.get("kind") == "bridge" and name not in linux:
            linux[name] = entry.get("bridge_ports") or []
    for bridge in sorted(linux):
        yield bridge, "linux", {None: sorted(linux[bridge] or [])}
    ovs_bridges = ((facts or {}).get("ovs") or {}).get("bridges") or {}
    for bridge in sorted(ovs_bridges):
        groups: dict = {}
        for port in _ovs_l2_ports(facts, bridge):
            tag = (ifaces[port].get("ovs") or {}).get("tag")
            groups.setdefault(tag, []).append(port)
        yield bridge, "ovs", groups


def check_bridge_port_mismatch(facts: dict, host) -> list:
    """MTU_BRIDGE_PORT_MISMATCH: ports of one bridge (one OVS VLAN tag) disagree on MTU."""
    ifaces = _ifaces(facts)
    mapped = set(_judge_ovn.bridge_mappings(facts).values())  # Neutron's bridge_mappings and ovn-bridge-mappings
    out = []
    for bridge, flavour, groups in _bridge_groups(facts):
        for tag in sorted(groups, key=lambda t: (t is not None, str(t))):
            mtus = {port: _mtu(ifaces, port) for port in groups[tag]}
            mtus = {port: mtu for port, mtu in mtus.items() if mtu is not None}
            if len(set(mtus.values())) < 2:
                continue
            counts = Counter(mtus.values())
            evidence = {"bridge": bridge, "bridge_type": flavour, "ports": mtus, "mtus": sorted(counts)}
            if tag is not None:
                evidence["tag"] = tag
            odd = sorted(port for port, mtu in mtus.items() if counts[mtu] < max(counts.values()))
            where = f" (VLAN tag {tag})" if tag is not None else ""
            item = finding(
                "MTU_BRIDGE_PORT_MISMATCH",
                host,
                bridge,
                f"ports of {flavour} bridge {bridge}{where} disagree on MTU: " + ", ".join(f"{p}={m}" for p, m in sorted(mtus.items())),
                evidence,
            )
            if odd:
                item["evidence"]["odd_ports"] = odd
            if bridge in mapped:
                item["remediation"] = ROLE_PREFIX + "physnet_mtu"
            out.append(item)
    return out


def _neutron(facts: dict) -> dict:
    neutron = (facts or {}).get("neutron") or {}
    return neutron if neutron.get("found") else {}


def network_mtus(neutron: dict) -> dict:
    """Neutron's computed MTUs from the facts, computed from the settings when the facts lack them."""
    given = neutron.get("network_mtus")
    if isinstance(given, dict) and given:
        return given
    try:
        return neutron_network_mtus_of(neutron)
    except MTUError:
        return {}


def physnet_mtu(mtus: dict, physnet: str) -> int | None:
    """The largest MTU Neutron gives a flat or VLAN network on ``physnet``."""
    values = [_int((mtus.get(kind) or {}).get(physnet)) for kind in ("flat", "vlan")]
    values = [v for v in values if v]
    return max(values) if values else None


def mapped_interfaces(facts: dict) -> dict:
    """{physnet: {"via": bridge or None, "interfaces": [names], "mtu": smallest MTU or None}} for this node."""
    neutron = _neutron(facts)
    ifaces = _ifaces(facts)
    linux = (facts or {}).get("linux_bridges") or {}
    result = {}
    for physnet, bridge in sorted(_judge_ovn.bridge_mappings(facts).items()):  # ovn-bridge-mappings too
        if bridge in (((facts or {}).get("ovs") or {}).get("bridges") or {}):
            ports = _ovs_l2_ports(facts, bridge)
        else:
            ports = list(linux.get(bridge) or (ifaces.get(bridge) or {}).get("bridge_ports") or [])
        ports = [p for p in ports if (ifaces.get(p) or {}).get("kind") not in ("tap", "tun")]
        mtus = [m for m in (_mtu(ifaces, p) for p in ports) if m is not None]
        result[physnet] = {"via": bridge, "interfaces": sorted(ports), "mtu": min(mtus) if mtus else None}
    for physnet, iface in sorted((neutron.get("physical_interface_mappings") or {}).items()):
        result[physnet] = {"via": None, "interfaces": [iface], "mtu": _mtu(ifaces, iface)}
    return result


def tunnel_types_in_use(neutron: dict) -> list:
    """Tunnel network types this node uses: the agent's tunnel_types, else the server's tenant/type drivers."""
    types = [t for t in neutron.get("tunnel_types") or [] if t in NEUTRON_TUNNEL_TYPES]
    if not types:
        types = [t for t in neutron.get("tenant_network_types") or [] if t in NEUTRON_TUNNEL_TYPES]
    return sorted(set(types))


def tunnel_endpoint(facts: dict) -> dict | None:
    """{"local_ip", "ip_version", "interface", "mtu"} of the interface holding Neutron's local_ip, or None."""
    neutron = _neutron(facts)
    local_ip = neutron.get("local_ip")
    if not local_ip:
        return None
    ifaces = _ifaces(facts)
    iface = interface_holding(ifaces, local_ip)
    return {"local_ip": local_ip, "ip_version": ip_version(local_ip) or 4, "interface": iface, "mtu": _mtu(ifaces, iface)}


def _neutron_underlay_findings(facts: dict, host, mtus: dict, scope: str, skip_same_as: dict | None = None) -> list:
    """NEUTRON_MTU_EXCEEDS_UNDERLAY against ``mtus`` (this node's own, or the cluster's)."""
    neutron = _neutron(facts)
    if not neutron:
        return []
    own = network_mtus(neutron)
    out = []
    for physnet, mapped in mapped_interfaces(facts).items():
        want = physnet_mtu(mtus, physnet)
        if want is None or mapped["mtu"] is None or want <= mapped["mtu"]:
            continue
        if skip_same_as is not None and physnet_mtu(own, physnet) == want:
            continue  # the node's own judgment already reports it
        via = f" through {mapped['via']}" if mapped["via"] else ""
        out.append(
            finding(
                "NEUTRON_MTU_EXCEEDS_UNDERLAY",
                host,
                ",".join(mapped["interfaces"]) or mapped["via"],
                f"Neutron gives flat/VLAN networks on physnet {physnet} MTU {want}{' (cluster value)' if scope == 'cluster' else ''} "
                f"but the mapped interface{via} carries {mapped['mtu']}",
                {
                    "scope": scope,
                    "physnet": physnet,
                    "network_mtu": want,
                    "bridge": mapped["via"],
                    "interfaces": mapped["interfaces"],
                    "interface_mtu": mapped["mtu"],
                    "deficit": want - mapped["mtu"],
                },
            )
        )
    endpoint = tunnel_endpoint(facts)
    if endpoint and endpoint["mtu"] is not None:
        for network_type in tunnel_types_in_use(neutron):
            want = _int(mtus.get(network_type))
            if not want:
                continue
            if skip_same_as is not None and _int(own.get(network_type)) == want:
                continue
            header = IP_HEADER[endpoint["ip_version"]]
            encap = neutron_encap_overhead(network_type, _int(neutron.get("geneve_max_header_size")))
            required = want + header + encap
            if required <= endpoint["mtu"]:
                continue
            out.append(
                finding(
                    "NEUTRON_MTU_EXCEEDS_UNDERLAY",
                    host,
                    endpoint["interface"],
                    f"Neutron gives {network_type} networks MTU {want}{' (cluster value)' if scope == 'cluster' else ''}, which needs {required} "
                    f"on the wire (+{header} IPv{endpoint['ip_version']} +{encap} {network_type}), but {endpoint['interface']} "
                    f"holding local_ip {endpoint['local_ip']} carries {endpoint['mtu']}",
                    {
                        "scope": scope,
                        "network_type": network_type,
                        "network_mtu": want,
                        "local_ip": endpoint["local_ip"],
                        "ip_header": header,
                        "encapsulation": encap,
                        "required_underlay_mtu": required,
                        "interface_mtu": endpoint["mtu"],
                        "deficit": required - endpoint["mtu"],
                    },
                )
            )
    return out


def check_neutron_underlay(facts: dict, host) -> list:
    """NEUTRON_MTU_EXCEEDS_UNDERLAY with this node's own Neutron settings."""
    neutron = _neutron(facts)
    return _neutron_underlay_findings(facts, host, network_mtus(neutron), "host") if neutron else []


def check_geneve_header(facts: dict, host) -> list:
    """NEUTRON_GENEVE_HEADER_TOO_SMALL: OVN with Geneve networks and max_header_size below 38."""
    neutron = _neutron(facts)
    if not neutron:
        return []
    drivers = [str(d).lower() for d in neutron.get("mechanism_drivers") or []]
    types = set(neutron.get("type_drivers") or []) | set(neutron.get("tenant_network_types") or []) | set(neutron.get("tunnel_types") or [])
    size = neutron_encap_overhead("geneve", _int(neutron.get("geneve_max_header_size")))
    if "ovn" not in drivers or "geneve" not in types or size >= OVN_GENEVE_MIN_MAX_HEADER_SIZE:
        return []
    return [
        finding(
            "NEUTRON_GENEVE_HEADER_TOO_SMALL",
            host,
            None,
            f"OVN with Geneve networks needs [ml2_type_geneve] max_header_size >= {OVN_GENEVE_MIN_MAX_HEADER_SIZE}, it is {size}: "
            f"network MTUs come out {OVN_GENEVE_MIN_MAX_HEADER_SIZE - size} bytes too large",
            {"geneve_max_header_size": size, "minimum": OVN_GENEVE_MIN_MAX_HEADER_SIZE, "mechanism_drivers": drivers},
        )
    ]


def check_pmtu(results, host) -> list:
    """PMTU_BELOW_EXPECTED, PMTU_DEFICIT_UNEXPLAINED and PMTU_BLACKHOLE from pmtu_probe result dicts."""
    out = []
    for result in results or []:
        if not isinstance(result, dict):
            continue
        evidence = {
            key: result.get(key)
            for key in ("target", "path_mtu", "expected_mtu", "deficit", "blackhole", "icmp_mtu", "network", "source_host", "target_host")
            if key in result
        }
        target = result.get("target_host") or result.get("target")
        path = _int(result.get("path_mtu"))
        expected = _int(result.get("expected_mtu"))
        iface = result.get("source") or result.get("interface")
        on = f" on {result['network']}" if result.get("network") else ""
        if result.get("blackhole"):
            out.append(
                finding(
                    "PMTU_BLACKHOLE",
                    host,
                    iface,
                    f"don't-fragment probes to {target}{on} larger than {path if path is not None else '?'} bytes vanish with no ICMP frag-needed",
                    evidence,
                )
            )
        if path is None or expected is None or path >= expected:
            continue
        deficit = expected - path
        evidence["deficit"] = deficit
        explained = explain_deficit(deficit)
        evidence["explained_by"] = explained
        out.append(
            finding(
                "PMTU_BELOW_EXPECTED",
                host,
                iface,
                f"path MTU to {target}{on} is {path}, {deficit} bytes below the expected {expected}"
                + (f" (matches {', '.join(explained)})" if explained else ""),
                evidence,
            )
        )
        if not explained:
            out.append(
                finding(
                    "PMTU_DEFICIT_UNEXPLAINED",
                    host,
                    iface,
                    f"the {deficit}-byte deficit on the path to {target}{on} matches no encapsulation: suspect a NIC driver",
                    dict(evidence),
                )
            )
    return out


def check_over_mtu_drops(facts: dict, host) -> list:
    """KERNEL_OVER_MTU_DROPS: the kernel log counts "dropped over-mtu packet" on an interface the host has."""
    ifaces = _ifaces(facts)
    log = (((facts or {}).get("counters") or {}).get("kernel_log") or {}).get("over_mtu_drops") or {}
    # Only interfaces that exist now: the log outlives deleted tap ports, and containers share the host's kernel log.
    names = {n for n in log if n in ifaces}
    names |= {n for n, e in ifaces.items() if (_int((e.get("counters") or {}).get("over_mtu_drops")) or 0) > 0}
    out = []
    for name in sorted(names):
        entry = log.get(name) or {}
        count = max(_int(entry.get("count")) or 0, _int(((ifaces.get(name) or {}).get("counters") or {}).get("over_mtu_drops")) or 0)
        if count <= 0:
            continue
        evidence = {"count": count, "last_size": _int(entry.get("last_size")), "last_mtu": _int(entry.get("last_mtu")), "mtu": _mtu(ifaces, name)}
        window = (((facts or {}).get("counters") or {}).get("kernel_log") or {}).get("window_hours")
        for key in ("first_seen", "last_seen", "total"):
            if entry.get(key) is not None:
                evidence[key] = entry[key]
        size = f" (last {evidence['last_size']} bytes over MTU {evidence['last_mtu']})" if evidence["last_size"] else ""
        if window and entry.get("last_seen"):
            size += f" in the {window} h before the report, {entry.get('first_seen')} to {entry['last_seen']}"
        out.append(finding("KERNEL_OVER_MTU_DROPS", host, name, f"the kernel log counts {count} over-MTU packet drop(s) on {name}{size}", evidence))
    return out


def _offload_enabled(entry: dict, feature: str):
    """The feature's state from ``offloads`` ({feature: bool}); None when not reported."""
    value = ((entry or {}).get("offloads") or {}).get(feature)
    return value if isinstance(value, bool) else None


def check_dhcp_checksum(facts: dict, host) -> list:
    """DHCP_CHECKSUM_UNFILLED: DHCP served over an interface with tx checksum offload and no fill rule."""
    neutron = (facts or {}).get("neutron") or {}
    ifaces = _ifaces(facts)
    servers = neutron.get("dhcp_servers") or []
    out = []
    for ns in sorted(neutron.get("namespaces") or {}):
        info = neutron["namespaces"][ns] or {}
        if not info.get("dhcp_served"):
            continue
        offloaded = sorted(n for n, i in (info.get("interfaces") or {}).items() if (i or {}).get("tx_checksum"))
        families = ["ipv4"] + (["ipv6"] if any(s.get("netns") == ns and s.get("ipv6") for s in servers) else [])
        fill = info.get("checksum_fill") or {}
        missing = [f for f in families if not fill.get(f)]
        if offloaded and missing:
            out.append(
                finding(
                    "DHCP_CHECKSUM_UNFILLED",
                    host,
                    offloaded[0],
                    f"namespace {ns} serves DHCP over {', '.join(offloaded)} with tx checksum offload and no "
                    f"CHECKSUM --checksum-fill rule for {'/'.join(missing)}",
                    {"netns": ns, "interfaces": offloaded, "missing_families": missing, "checksum_fill": fill},
                )
            )
    fill_root = neutron.get("checksum_fill_root") or {}
    for server in servers:
        if server.get("netns"):
            continue
        families = ["ipv4"] + (["ipv6"] if server.get("ipv6") else [])
        missing = [f for f in families if not fill_root.get(f)]
        if not missing:
            continue
        for name in sorted(server.get("interfaces") or []):
            if _offload_enabled(ifaces.get(name), "tx-checksumming") is not True:
                continue
            out.append(
                finding(
                    "DHCP_CHECKSUM_UNFILLED",
                    host,
                    name,
                    f"dnsmasq (pid {server.get('pid')}) serves DHCP over {name} with tx checksum offload and no "
                    f"CHECKSUM --checksum-fill rule for {'/'.join(missing)}",
                    {"netns": None, "pid": server.get("pid"), "interfaces": [name], "missing_families": missing, "checksum_fill": fill_root},
                )
            )
    return out


def check_udp_csum_errors(facts: dict, host, dhcp_unfilled: bool = False) -> list:
    """UDP_CHECKSUM_ERRORS: Udp InCsumErrors above zero."""
    udp = ((((facts or {}).get("counters") or {}).get("snmp")) or {}).get("udp") or {}
    count = _int(udp.get("InCsumErrors"))
    if not count or count <= 0:
        return []
    item = finding(
        "UDP_CHECKSUM_ERRORS",
        host,
        None,
        f"the kernel dropped {count} UDP datagram(s) with a bad checksum (Udp InCsumErrors)",
        {"InCsumErrors": count, "InDatagrams": _int(udp.get("InDatagrams")), "InErrors": _int(udp.get("InErrors"))},
    )
    if dhcp_unfilled:
        item["remediation"] = ROLE_PREFIX + "dhcp_checksum"
    return [item]


def _vlan0_stripped(facts: dict, name: str):
    """True when a VLAN-0 strip is in place on ``name``, its bridge or its OVS bridge; None when the vlan subset was not gathered."""
    if "vlan" not in ((facts or {}).get("gather_subset") or []):
        return None
    ifaces = _ifaces(facts)
    entry = ifaces.get(name) or {}
    candidates = [entry, ifaces.get(entry.get("master") or "") or {}, ifaces.get((entry.get("ovs") or {}).get("bridge") or "") or {}]
    return any(cand.get("vlan0_strip") for cand in candidates)


def check_priority_tags(facts: dict, host) -> list:
    """VLAN_PRIORITY_TAG_RISK: a driver known to insert 802.1p tags, or tagged frames seen arriving, and no VLAN-0 strip in place."""
    ifaces = _ifaces(facts)
    out = []
    for name in sorted(ifaces):
        driver = ifaces[name].get("driver") or {}
        issues = [i for i in driver.get("known_issues") or [] if i.get("finding") == "VLAN_PRIORITY_TAG_RISK"]
        seen = ifaces[name].get("priority_tags_seen")
        if driver.get("driver") not in PRIORITY_TAG_DRIVERS and not issues and not seen:
            continue
        if _vlan0_stripped(facts, name) is not False:
            continue
        if seen:
            why = f"priority-tagged frames (VLAN 0) arrive on {name}: the OVS datapath counted {seen.get('packets')} in the last seconds"
        else:
            why = f"{name} uses driver {driver.get('driver')}, known to insert 802.1p priority tags (VLAN 0)"
        evidence = {"driver": driver.get("driver"), "version": driver.get("version"), "known_issues": [i.get("id") for i in issues], "vlan0_strip": False}
        if seen:
            evidence["priority_tags_seen"] = seen
        out.append(finding("VLAN_PRIORITY_TAG_RISK", host, name, f"{why}, and no VLAN-0 strip is in place", evidence))
    return out


def check_known_bad_driver(facts: dict, host) -> list:
    """NIC_DRIVER_KNOWN_BAD: the driver matches the known-issues catalogue."""
    ifaces = _ifaces(facts)
    out = []
    for name in sorted(ifaces):
        driver = ifaces[name].get("driver") or {}
        for issue in driver.get("known_issues") or []:
            if issue.get("finding", "NIC_DRIVER_KNOWN_BAD") != "NIC_DRIVER_KNOWN_BAD":
                continue
            item = finding(
                "NIC_DRIVER_KNOWN_BAD",
                host,
                name,
                f"{name}: driver {driver.get('driver')} {driver.get('version') or ''}".rstrip()
                + f" has a known issue: {issue.get('summary') or issue.get('id')}",
                {
                    "driver": driver.get("driver"),
                    "version": driver.get("version"),
                    "bus": driver.get("bus"),
                    "usb": driver.get("usb"),
                    "issue": issue.get("id"),
                    "reference": issue.get("reference"),
                },
            )
            symptoms = ((((facts or {}).get("counters") or {}).get("kernel_log") or {}).get("usb_symptoms") or {}).get(name)
            if symptoms:  # the kernel log's USB trouble for this NIC (Tx status -71, disconnects): what the user sees
                item["evidence"]["kernel_log"] = symptoms
            if driver.get("bus") != "usb":
                item["remediation"] = ROLE_PREFIX + "nic_offloads"
            out.append(item)
    return out


def check_lro_bridged(facts: dict, host) -> list:
    """OFFLOAD_LRO_ON_BRIDGED: LRO on an interface enslaved to a Linux bridge or OVS."""
    ifaces = _ifaces(facts)
    out = []
    for name in sorted(ifaces):
        entry = ifaces[name]
        bridged = entry.get("master_kind") in ("bridge", "openvswitch") or bool(entry.get("ovs"))
        if not bridged or _offload_enabled(entry, "large-receive-offload") is not True:
            continue
        where = entry.get("master") or (entry.get("ovs") or {}).get("bridge")
        out.append(
            finding(
                "OFFLOAD_LRO_ON_BRIDGED",
                host,
                name,
                f"large-receive-offload is on for {name}, enslaved to {where}: merged frames exceed the MTU when forwarded",
                {"large-receive-offload": True, "master": where, "master_kind": entry.get("master_kind") or "openvswitch"},
            )
        )
    return out


def sort_findings(findings: list) -> list:
    """Findings in a stable order: host, severity (worst first), code, interface."""
    order = {code: i for i, code in enumerate(CODES)}
    return sorted(
        findings,
        key=lambda f: (str(f.get("host") or ""), -SEVERITY_RANK.get(f.get("severity"), 0), order.get(f.get("code"), 999), str(f.get("interface") or "")),
    )


def host_findings(facts: dict | None, host, pmtu_results=None) -> list:
    """Every finding for one host from its ``ansible_facts.netdoctor`` and, if given, its pmtu_probe results."""
    if facts is not None and not isinstance(facts, dict):
        raise JudgeError(f"facts for {host} must be a dict (ansible_facts.netdoctor), got {type(facts).__name__}")
    facts = facts or {}
    out = []
    out += check_tunnel_underlay(facts, host)
    out += check_child_exceeds_parent(facts, host)
    out += check_bridge_port_mismatch(facts, host)
    out += check_neutron_underlay(facts, host)
    out += check_geneve_header(facts, host)
    out += check_pmtu(pmtu_results, host)
    out += check_over_mtu_drops(facts, host)
    dhcp = check_dhcp_checksum(facts, host)
    out += dhcp
    out += check_udp_csum_errors(facts, host, dhcp_unfilled=bool(dhcp))
    out += check_priority_tags(facts, host)
    out += check_known_bad_driver(facts, host)
    out += check_lro_bridged(facts, host)
    out += _judge_ovn.host_findings(facts, host)
    neutron = _neutron(facts)
    out += _judge_ports.check_port_mtu_overlay(
        facts,
        host,
        settings=neutron,
        endpoint=tunnel_endpoint(facts) if neutron else None,
        types=tunnel_types_in_use(neutron) if neutron else [],
        physnets=bool(mapped_interfaces(facts)) if neutron else False,
        finding=finding,
    )
    return sort_findings(out)


# ---------------------------------------------------------------- cluster checks


def _key(value) -> str:
    return json.dumps(value, sort_keys=True)


def _majority(values: dict):
    """(majority value or None, {host: value} of the others) for {host: value}; no majority on a tie."""
    counts = Counter(_key(v) for v in values.values())
    ranked = counts.most_common()
    if len(ranked) < 2:
        return None, {}
    if ranked[0][1] == ranked[1][1]:
        return None, dict(values)
    top = ranked[0][0]
    return json.loads(top), {h: v for h, v in values.items() if _key(v) != top}


def _mismatch_findings(code: str, label: str, values: dict, evidence_extra: dict, what: str) -> list:
    """One finding per odd node out when a majority exists, else one finding naming every node's value."""
    majority, odd = _majority(values)
    if not odd:
        return []
    base = dict(evidence_extra)
    if majority is not None:
        holders = sorted(h for h, v in values.items() if _key(v) == _key(majority))
        return [
            finding(
                code,
                host,
                evidence_extra.get("interface"),
                f"{what} is {json.dumps(value, sort_keys=True)} on {host} but {json.dumps(majority, sort_keys=True)} on "
                f"{len(holders)} other node(s) ({', '.join(holders)}): {host} is the odd one out",
                dict(base, setting=label, value=value, majority_value=majority, majority_hosts=holders),
            )
            for host, value in sorted(odd.items())
        ]
    return [
        finding(
            code,
            None,
            evidence_extra.get("interface"),
            f"{what} differs between nodes with no majority: " + ", ".join(f"{h}={json.dumps(v, sort_keys=True)}" for h, v in sorted(values.items())),
            dict(base, setting=label, values=dict(sorted(values.items()))),
        )
    ]


def _tunnel_device_groups(hosts_facts: dict) -> dict:
    """{(type, vni, dstport): {host: (device, mtu, underlay_mtu, overhead)}} for non flow-based tunnel devices."""
    groups: dict = {}
    for host in sorted(hosts_facts):
        ifaces = _ifaces(hosts_facts[host])
        for name in sorted(ifaces):
            entry = ifaces[name]
            tunnel = entry.get("tunnel")
            if not isinstance(tunnel, dict) or tunnel.get("external") or tunnel.get("vni") is None:
                continue
            kind = tunnel.get("type") or entry.get("kind")
            if kind not in TUNNEL_KINDS:
                continue
            underlay_mtu = _mtu(ifaces, tunnel.get("underlay"))
            if underlay_mtu is None:
                underlay_mtu = _int(tunnel.get("underlay_mtu"))
            key = (kind, _int(tunnel.get("vni")), _int(tunnel.get("dstport")))
            groups.setdefault(key, {})[host] = (name, _int(entry.get("mtu")), underlay_mtu, _int(tunnel.get("overhead")), tunnel.get("underlay"))
    return groups


def cluster_findings(hosts_facts: dict) -> list:
    """Cross-node findings over {host: ansible_facts.netdoctor} of the hosts that answered."""
    if not isinstance(hosts_facts, dict):
        raise JudgeError("cluster judgment needs a dict {host: ansible_facts.netdoctor}")
    hosts_facts = {h: f for h, f in hosts_facts.items() if isinstance(f, dict)}
    out = []

    # Overlay MTU of kernel tunnel devices sharing a segment (type, VNI, port).
    for (kind, vni, port), members in sorted(_tunnel_device_groups(hosts_facts).items(), key=lambda kv: _key(list(kv[0]))):
        if len(members) < 2:
            continue
        mtus = {h: m[1] for h, m in members.items() if m[1] is not None}
        label = f"{kind} VNI {vni}" + (f" port {port}" if port else "")
        out += _mismatch_findings(
            "OVERLAY_MTU_MISMATCH",
            "tunnel_mtu",
            mtus,
            {"segment": label, "devices": {h: m[0] for h, m in members.items()}},
            f"the MTU of {label}",
        )
        biggest = max(mtus.values()) if mtus else None
        for host, (device, mtu, underlay_mtu, overhead, underlay) in sorted(members.items()):
            if biggest is None or mtu is None or underlay_mtu is None or overhead is None or mtu == biggest:
                continue  # mtu == biggest: the host's own check already covers it
            required = biggest + overhead
            if required > underlay_mtu:
                senders = sorted(h for h, m in mtus.items() if m == biggest)
                out.append(
                    finding(
                        "MTU_TUNNEL_UNDERLAY",
                        host,
                        device,
                        f"peers {', '.join(senders)} send {label} frames of MTU {biggest}, which need {required} on the wire, "
                        f"but {underlay} on {host} carries {underlay_mtu}",
                        {
                            "scope": "cluster",
                            "segment": label,
                            "peer_mtu": biggest,
                            "peers": senders,
                            "overhead": overhead,
                            "underlay": underlay,
                            "underlay_mtu": underlay_mtu,
                            "required_underlay_mtu": required,
                            "deficit": required - underlay_mtu,
                        },
                    )
                )

    # Neutron: settings agree, overlay MTUs agree, every endpoint's underlay carries the cluster's MTUs.
    neutrons = {h: _neutron(f) for h, f in hosts_facts.items()}
    neutrons = {h: n for h, n in neutrons.items() if n}
    if len(neutrons) >= 2:
        flagged = set()
        for setting in NEUTRON_SETTINGS:
            values = {h: n.get(setting) for h, n in neutrons.items()}
            found = _mismatch_findings("NEUTRON_CONFIG_MISMATCH", setting, values, {}, f"Neutron's {setting}")
            flagged |= {f["host"] for f in found} | (set(values) if any(f["host"] is None for f in found) else set())
            out += found
        computed = {h: network_mtus(n) for h, n in neutrons.items()}
        out += [
            f
            for f in _mismatch_findings("NEUTRON_CONFIG_MISMATCH", "network_mtus", computed, {}, "Neutron's computed network_mtus")
            if f["host"] is not None and f["host"] not in flagged
        ]
        used = sorted({t for n in neutrons.values() for t in tunnel_types_in_use(n)})
        cluster_mtus: dict = {"flat": {}, "vlan": {}}
        for network_type in used:
            values = {h: _int(computed[h].get(network_type)) for h in neutrons}
            values = {h: v for h, v in values.items() if v}
            out += _mismatch_findings(
                "OVERLAY_MTU_MISMATCH", f"network_mtus.{network_type}", values, {"network_type": network_type}, f"the MTU Neutron gives {network_type} networks"
            )
            value = _cluster_value(values)
            if value:
                cluster_mtus[network_type] = value
        physnets = sorted({p for m in computed.values() for kind in ("flat", "vlan") for p in (m.get(kind) or {})})
        for physnet in physnets:
            value = _cluster_value({h: physnet_mtu(computed[h], physnet) for h in neutrons})
            if value:
                cluster_mtus["flat"][physnet] = value
        for host in sorted(neutrons):
            out += _neutron_underlay_findings(hosts_facts[host], host, cluster_mtus, "cluster", skip_same_as=computed[host])
    out += _judge_ovn.cluster_findings(hosts_facts)
    return sort_findings(out)


def _cluster_value(values: dict):
    """The cluster's value: the majority, else the largest (the worst case for underlays)."""
    values = {h: v for h, v in values.items() if v}
    if not values:
        return None
    majority, odd = _majority(values)
    if not odd:
        return next(iter(values.values()))
    return majority if majority is not None else max(values.values())


# ---------------------------------------------------------------- report


def unreachable_finding(host, message: str | None = None) -> dict:
    """HOST_UNREACHABLE for a host the audit could not reach (not judged)."""
    return finding("HOST_UNREACHABLE", host, None, f"{host} was unreachable and was not audited" + (f": {message}" if message else ""), {"message": message})


def gather_failed_finding(host, message: str | None = None) -> dict:
    """FACTS_GATHER_FAILED for a host whose net_facts run failed (not judged)."""
    text = f"net_facts failed on {host}, which was not audited" + (f": {message}" if message else "")
    return finding("FACTS_GATHER_FAILED", host, None, text, {"message": message})


# What the report keeps of each pmtu_probe result (report.html's path-MTU matrix is drawn from them).
PROBE_KEYS = ("network", "source_host", "target_host", "target", "path_mtu", "expected_mtu", "deficit", "blackhole", "icmp_mtu", "reachable")


def build_report(inputs: dict, collection_version: str | None = None, generated: str | None = None, networks: dict | None = None) -> dict:
    """The audit report (DESIGN.md schema) from {host: {"status", "facts", "pmtu_results", "message"}}.

    ``status`` is ``ok`` (facts judged), ``unreachable`` or ``failed`` (not judged: one finding says so).
    Hosts entries carry ``reachable``, ``audited`` and ``pmtu_probed`` beside ``findings``; ``probes`` (only when
    some host has pmtu_probe results) lists every probe with its network, ends and numbers (PROBE_KEYS).
    ``networks`` (``_judge_networks.api_input``): the Networking API's networks, judged with the cluster.
    """
    if not isinstance(inputs, dict):
        raise JudgeError("the audit report needs a dict {host: {status, facts, pmtu_results, message}}")
    hosts = {}
    judged = {}
    for host in sorted(inputs):
        item = inputs[host] or {}
        status = item.get("status") or ("ok" if item.get("facts") else "failed")
        if status == "unreachable":
            hosts[host] = {"reachable": False, "audited": False, "findings": [unreachable_finding(host, item.get("message"))]}
        elif status != "ok" or not isinstance(item.get("facts"), dict):
            hosts[host] = {"reachable": True, "audited": False, "findings": [gather_failed_finding(host, item.get("message"))]}
        else:
            judged[host] = item["facts"]
            hosts[host] = {
                "reachable": True,
                "audited": True,
                "pmtu_probed": item.get("pmtu_results") is not None,
                "findings": host_findings(item["facts"], host, item.get("pmtu_results")),
            }
    cluster = sort_findings(cluster_findings(judged) + _judge_networks.network_findings(networks, judged))
    probes = [
        {key: result.get(key) for key in PROBE_KEYS if key in result}
        for host in sorted(inputs)
        for result in (inputs[host] or {}).get("pmtu_results") or []
        if isinstance(result, dict)
    ]
    summary = {severity: 0 for severity in SEVERITIES}
    for item in [f for h in hosts.values() for f in h["findings"]] + cluster:
        summary[item["severity"]] += 1
    report = {
        "generated": generated,
        "collection_version": collection_version,
        "summary": summary,
        "hosts": hosts,
        "cluster_findings": cluster,
    }
    if probes:
        report["probes"] = probes
    return report


def all_findings(report: dict) -> list:
    """Every finding of a report: hosts first, then the cluster's."""
    return [f for h in sorted((report or {}).get("hosts") or {}) for f in report["hosts"][h].get("findings") or []] + list(
        (report or {}).get("cluster_findings") or []
    )


def failing_findings(report: dict, fail_on: str = "error") -> list:
    """Findings at or above ``fail_on`` (error|warning|info); none for ``never``."""
    if fail_on not in FAIL_ON:
        raise JudgeError(f"fail_on must be one of {', '.join(FAIL_ON)}, got {fail_on!r}")
    if fail_on == "never":
        return []
    threshold = SEVERITY_RANK[fail_on]
    return [f for f in all_findings(report) if SEVERITY_RANK.get(f.get("severity"), 0) >= threshold]
