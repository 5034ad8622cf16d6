# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""MTU arithmetic: Neutron's network MTUs, tunnel overheads on the wire, deficit explanations.

Pure functions, no I/O. Shared by net_facts (managed host), the audit judge and the
overlay_mtu / tunnel_overhead filters (controller).
"""

from __future__ import annotations

IP_HEADER = {4: 20, 6: 40}

# Neutron's type driver constants (neutron_lib.constants): the encapsulation a
# tenant network's MTU is reduced by, on top of the outer IP header.
NEUTRON_VXLAN_ENCAP_OVERHEAD = 30  # UDP 8 + VXLAN 8 + inner Ethernet 14
NEUTRON_GRE_ENCAP_OVERHEAD = 22  # GRE with key 8 + inner Ethernet 14
NEUTRON_GENEVE_DEFAULT_MAX_HEADER_SIZE = 30  # ml2_type_geneve.max_header_size default
OVN_GENEVE_MIN_MAX_HEADER_SIZE = 38  # OVN needs 8 bytes of Geneve options
NEUTRON_DEFAULT_GLOBAL_PHYSNET_MTU = 1500

ETHERNET_HEADER = 14
VLAN_TAG = 4
UDP_HEADER = 8
VXLAN_HEADER = 8
GENEVE_HEADER = 8
GRE_BASE_HEADER = 4
GRE_OPTION = 4  # each of key, sequence number, checksum

MIN_MTU = {4: 68, 6: 1280}
MAX_MTU = 65535

TUNNEL_KINDS = ("vxlan", "geneve", "gre", "gretap", "ip6gre", "ip6gretap", "ipip", "sit", "ip6tnl")


class MTUError(ValueError):
    """An MTU value or combination that cannot be right."""


def validate_mtu(value, min_mtu: int | None = None, max_mtu: int | None = None, name: str = "mtu") -> int:
    """Return ``value`` as an int or raise MTUError with a message naming the allowed range."""
    try:
        mtu = int(value)
    except (TypeError, ValueError):
        raise MTUError(f"{name} must be an integer, got {value!r}") from None
    if isinstance(value, float) and value != mtu:
        raise MTUError(f"{name} must be an integer, got {value!r}")
    low = 68 if min_mtu is None else int(min_mtu)
    high = MAX_MTU if max_mtu in (None, 0) else int(max_mtu)
    if not low <= mtu <= high:
        raise MTUError(f"{name} {mtu} is outside the allowed range {low}-{high}")
    return mtu


def neutron_segment_mtu(global_physnet_mtu: int | None = None, path_mtu: int | None = None) -> int:
    """The smallest of global_physnet_mtu and path_mtu, ignoring values <= 0 (0 = no limit known)."""
    candidates = []
    gpm = NEUTRON_DEFAULT_GLOBAL_PHYSNET_MTU if global_physnet_mtu is None else int(global_physnet_mtu)
    if gpm > 0:
        candidates.append(gpm)
    if path_mtu is not None and int(path_mtu) > 0:
        candidates.append(int(path_mtu))
    return min(candidates) if candidates else 0


def neutron_encap_overhead(network_type: str, geneve_max_header_size: int | None = None) -> int:
    """The encapsulation Neutron subtracts for a tunnel network type, outer IP header not included."""
    if network_type == "vxlan":
        return NEUTRON_VXLAN_ENCAP_OVERHEAD
    if network_type == "gre":
        return NEUTRON_GRE_ENCAP_OVERHEAD
    if network_type == "geneve":
        return NEUTRON_GENEVE_DEFAULT_MAX_HEADER_SIZE if geneve_max_header_size is None else int(geneve_max_header_size)
    raise MTUError(f"unknown tunnel network type {network_type!r}")


def neutron_tunnel_mtu(
    network_type: str,
    global_physnet_mtu: int | None = None,
    path_mtu: int | None = None,
    overlay_ip_version: int = 4,
    geneve_max_header_size: int | None = None,
) -> int:
    """The MTU Neutron's vxlan/gre/geneve type driver gives a network (0 when indeterminate)."""
    encap = neutron_encap_overhead(network_type, geneve_max_header_size)
    if int(overlay_ip_version) not in IP_HEADER:
        raise MTUError(f"overlay_ip_version must be 4 or 6, got {overlay_ip_version!r}")
    segment = neutron_segment_mtu(global_physnet_mtu, path_mtu)
    if segment <= 0:
        return 0
    return segment - IP_HEADER[int(overlay_ip_version)] - encap


def neutron_physnet_mtu(physnet: str, global_physnet_mtu: int | None = None, physical_network_mtus: dict | None = None) -> int:
    """The MTU Neutron's flat/vlan type driver gives a network on ``physnet`` (0 when indeterminate)."""
    candidates = []
    gpm = NEUTRON_DEFAULT_GLOBAL_PHYSNET_MTU if global_physnet_mtu is None else int(global_physnet_mtu)
    if gpm > 0:
        candidates.append(gpm)
    if physical_network_mtus and physnet in physical_network_mtus:
        candidates.append(int(physical_network_mtus[physnet]))
    return min(candidates) if candidates else 0


def neutron_network_mtus(
    global_physnet_mtu: int | None = None,
    path_mtu: int | None = None,
    physical_network_mtus: dict | None = None,
    physnets=(),
    overlay_ip_version: int = 4,
    geneve_max_header_size: int | None = None,
) -> dict:
    """All of Neutron's computed MTUs: ``{"vxlan", "gre", "geneve", "vlan": {physnet}, "flat": {physnet}}``."""
    names = sorted(set(physnets) | set(physical_network_mtus or {}))
    result = {kind: neutron_tunnel_mtu(kind, global_physnet_mtu, path_mtu, overlay_ip_version, geneve_max_header_size) for kind in ("vxlan", "gre", "geneve")}
    per_physnet = {name: neutron_physnet_mtu(name, global_physnet_mtu, physical_network_mtus) for name in names}
    result["vlan"] = dict(per_physnet)
    result["flat"] = dict(per_physnet)
    return result


def tunnel_overhead(kind: str, ip_version: int = 4, key: bool = False, seq: bool = False, csum: bool = False, options: int = 0) -> int:
    """Bytes a Linux tunnel device of ``kind`` adds on the wire, outer IP header included.

    vxlan/geneve: IP + UDP 8 + header 8 + inner Ethernet 14 (+ Geneve options);
    gretap: IP + GRE 4 (+4 per key/seq/csum) + inner Ethernet 14; gre (L3): no inner Ethernet;
    ipip/sit/ip6tnl: the outer IP header only.
    """
    if int(ip_version) not in IP_HEADER:
        raise MTUError(f"ip_version must be 4 or 6, got {ip_version!r}")
    outer = IP_HEADER[int(ip_version)]
    if kind in ("ip6gre", "ip6gretap", "ip6tnl"):
        outer = IP_HEADER[6]
    gre = GRE_BASE_HEADER + GRE_OPTION * (int(bool(key)) + int(bool(seq)) + int(bool(csum)))
    if kind == "vxlan":
        return outer + UDP_HEADER + VXLAN_HEADER + ETHERNET_HEADER
    if kind == "geneve":
        return outer + UDP_HEADER + GENEVE_HEADER + int(options) + ETHERNET_HEADER
    if kind in ("gretap", "ip6gretap"):
        return outer + gre + ETHERNET_HEADER
    if kind in ("gre", "ip6gre"):
        return outer + gre
    if kind in ("ipip", "sit", "ip6tnl"):
        return outer
    raise MTUError(f"unknown tunnel kind {kind!r}")


def required_underlay_mtu(overlay_mtu: int, kind: str, ip_version: int = 4, **flags) -> int:
    """The underlay MTU a tunnel device of MTU ``overlay_mtu`` needs so its packets are never dropped."""
    return int(overlay_mtu) + tunnel_overhead(kind, ip_version, **flags)


def overlay_mtu(underlay_mtu: int, kind: str, ip_version: int = 4, **flags) -> int:
    """The largest tunnel device MTU an underlay of ``underlay_mtu`` carries."""
    return int(underlay_mtu) - tunnel_overhead(kind, ip_version, **flags)


# Deficits (expected MTU minus measured path MTU) that an encapsulation explains.
KNOWN_DEFICITS = (
    (VLAN_TAG, "802.1Q VLAN tag"),
    (2 * VLAN_TAG, "802.1ad QinQ tags"),
    (tunnel_overhead("vxlan", 4), "VXLAN over IPv4"),
    (tunnel_overhead("vxlan", 6), "VXLAN over IPv6"),
    (tunnel_overhead("geneve", 4), "Geneve over IPv4"),
    (tunnel_overhead("geneve", 4, options=8), "Geneve over IPv4 with 8 bytes of OVN options"),
    (tunnel_overhead("geneve", 6), "Geneve over IPv6"),
    (tunnel_overhead("geneve", 6, options=8), "Geneve over IPv6 with 8 bytes of OVN options"),
    (tunnel_overhead("gretap", 4, key=True), "GRE (Neutron, with key) over IPv4"),
    (tunnel_overhead("gretap", 6, key=True), "GRE (Neutron, with key) over IPv6"),
    (tunnel_overhead("gretap", 4), "gretap over IPv4"),
    (tunnel_overhead("gretap", 6), "gretap over IPv6"),
    (tunnel_overhead("gre", 4), "GRE over IPv4"),
    (tunnel_overhead("gre", 4, key=True), "GRE with key over IPv4"),
    (tunnel_overhead("gre", 6), "GRE over IPv6"),
    (tunnel_overhead("ipip", 4), "IP-in-IP"),
    (tunnel_overhead("ipip", 6), "IPv6 tunnel"),
    (8, "PPPoE"),
)


def explain_deficit(deficit: int) -> list[str]:
    """Names of the encapsulations whose overhead equals ``deficit`` bytes (empty: unexplained)."""
    return [name for size, name in KNOWN_DEFICITS if size == int(deficit)]
