# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""Links, addresses, routes and tunnels from iproute2's output.

Pure functions, no I/O. The module runs ``ip -j -d -s link show``, ``ip -j addr show``,
``ip -j route show table all`` and ``ip -j -6 route show table all`` once each and hands the
text here. ``parse_link_text`` turns the plain-text ``ip -d -s link`` / ``ip -d address``
format (what sosreports hold) into the same shape as ``ip -j`` so one code path serves both.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import load_json_list
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.mtu import IP_HEADER, TUNNEL_KINDS, MTUError, tunnel_overhead

# linkinfo info_kind values reported as they are (docs/facts.md kinds).
_PLAIN_KINDS = frozenset(
    (
        "veth",
        "bridge",
        "bond",
        "vlan",
        "macvlan",
        "macvtap",
        "dummy",
        "ifb",
        "wireguard",
    )
    + TUNNEL_KINDS
)

# info_slave_kind -> master_kind
_SLAVE_KINDS = {"bridge": "bridge", "bond": "bond", "openvswitch": "openvswitch"}


def parse_link_json(text: str) -> list[dict]:
    """The raw link objects of ``ip -j -d -s link show``."""
    return [link for link in load_json_list(text, "ip -j link") if link.get("ifname")]


# ---------------------------------------------------------------------------
# Plain-text `ip -d [-s] link` / `ip -d address` (sosreports): into ip -j's shape.

# "4: eth0_1: <BROADCAST,MULTICAST,SLAVE,UP,LOWER_UP> mtu 9000 qdisc mq master bond0 state UP mode DEFAULT group default qlen 1000"
# "3: eth0.10@eth0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN ..."
_TEXT_HEADER_RE = re.compile(r"^(?P<ifindex>\d+):\s+(?P<name>[^\s:@]+)(?:@(?P<link>[^\s:]+))?:\s+<(?P<flags>[^>]*)>\s+(?P<rest>.*)$")
# "    link/ether 0c:c4:7a:4d:84:b4 brd ff:ff:ff:ff:ff:ff promiscuity 0 minmtu 68 maxmtu 65535"
_TEXT_LINK_RE = re.compile(r"^\s+link/(?P<type>\S+)(?:\s+(?P<address>[0-9a-fA-F:.]+))?")
# "    RX: bytes  packets  errors  dropped overrun mcast" / "    RX:  bytes packets errors dropped  missed   mcast"
_TEXT_STATS_HEAD_RE = re.compile(r"^\s+(?P<dir>RX|TX):\s+(?P<cols>.*)$")
# "    inet 10.0.0.128/24 brd 10.0.0.255 scope global br-ens3" / "    inet6 fe80::5054:ff:febb:47e2/64 scope link"
_TEXT_ADDR_RE = re.compile(r"^\s+(?P<family>inet6?)\s+(?P<local>[0-9a-fA-F:.]+)(?:\s+peer\s+\S+)?/(?P<prefixlen>\d+).*?\bscope\s+(?P<scope>\S+)")
# "    vlan protocol 802.1Q id 10 <REORDER_HDR> addrgenmode eui64 ..."
_TEXT_VLAN_RE = re.compile(r"^vlan protocol (?P<protocol>\S+) id (?P<id>\d+)")

_TEXT_STATS_COLUMNS = {"collsns": "collisions", "carrier": "carrier_errors", "overrun": "over_errors", "mcast": "multicast"}
_TEXT_DETAIL_KINDS = frozenset(_PLAIN_KINDS | {"tun", "openvswitch", "ipvlan", "vrf", "team", "nlmon"})


def _text_tunnel_data(kind: str, words: list[str]) -> dict:
    """info_data from a text tunnel line, using ip -j's key names.

    "vxlan id 1 local 10.6.3.201 dev ens3 srcport 0 0 dstport 8472 nolearning ttl auto ..."
    "gre remote 172.168.10.25 local 10.211.47.217 ttl 255 ikey 0.0.0.7 okey 0.0.0.7 iseq oseq icsum ocsum"
    "geneve id 10 remote 192.168.43.254 dstport 6081 noudpcsum udp6zerocsumrx"
    """
    data: dict = {}
    index = 1
    while index < len(words):
        word = words[index]
        nxt = words[index + 1] if index + 1 < len(words) else None
        if word in ("id", "dstport") and nxt is not None and nxt.isdigit():
            data["id" if word == "id" else "port"] = int(nxt)
            index += 2
            continue
        if word in ("remote", "local", "group") and nxt is not None:
            if nxt != "any":
                key = word + ("6" if ":" in nxt and kind in ("vxlan", "geneve") else "")
                data[key] = nxt
            index += 2
            continue
        if word == "dev" and nxt is not None:
            data["link"] = nxt
            index += 2
            continue
        if word in ("ikey", "okey") and nxt is not None:
            data[word] = nxt
            index += 2
            continue
        if word == "key" and nxt is not None:
            data["ikey"] = data["okey"] = nxt
            index += 2
            continue
        if word in ("iseq", "oseq", "icsum", "ocsum", "external"):
            data[word] = True
        index += 1
    if kind in ("vxlan", "geneve"):
        data.setdefault("external", False)
    return data


def _text_detail_line(link: dict, line: str) -> None:
    """Fold one indented detail line (kind, slave kind, vlan, tunnel, parentbus) into ``link``."""
    words = line.split()
    if not words:
        return
    linkinfo = link.setdefault("linkinfo", {})
    first = words[0]
    if first in ("bond_slave", "bridge_slave", "openvswitch_slave", "team_slave", "vrf_slave"):
        linkinfo["info_slave_kind"] = first[: -len("_slave")]
    elif first in _TEXT_DETAIL_KINDS and "info_kind" not in linkinfo:
        linkinfo["info_kind"] = first
        match = _TEXT_VLAN_RE.match(line.strip())
        if first == "vlan" and match:
            linkinfo["info_data"] = {"protocol": match.group("protocol"), "id": int(match.group("id"))}
        elif first == "tun" and len(words) > 2 and words[1] == "type":
            linkinfo["info_data"] = {"type": words[2]}
        elif first in TUNNEL_KINDS:
            linkinfo["info_data"] = _text_tunnel_data(first, words)
        elif first == "bond" and len(words) > 2 and words[1] == "mode":
            linkinfo["info_data"] = {"mode": words[2]}
    if "parentbus" in words:
        link["parentbus"] = words[words.index("parentbus") + 1] if words.index("parentbus") + 1 < len(words) else None
    for key, json_key in (("minmtu", "min_mtu"), ("maxmtu", "max_mtu")):
        if key in words:
            position = words.index(key) + 1
            if position < len(words) and words[position].isdigit():
                link[json_key] = int(words[position])
    if not linkinfo:
        del link["linkinfo"]


def parse_link_text(text: str) -> list[dict]:
    """Links from ``ip -d [-s] link`` or ``ip -d address`` text, shaped like ``ip -j -d -s link`` (with addr_info)."""
    links: list[dict] = []
    current: dict | None = None
    stats_dir: str | None = None
    stats_cols: list[str] = []
    for line in text.splitlines():
        header = _TEXT_HEADER_RE.match(line)
        if header:
            rest = header.group("rest").split()
            current = {"ifindex": int(header.group("ifindex")), "ifname": header.group("name"), "flags": [f for f in header.group("flags").split(",") if f]}
            if header.group("link") and header.group("link") != "NONE" and not header.group("link").startswith("if"):
                current["link"] = header.group("link")
            for key, json_key in (("mtu", "mtu"), ("master", "master"), ("state", "operstate")):
                if key in rest and rest.index(key) + 1 < len(rest):
                    value = rest[rest.index(key) + 1]
                    current[json_key] = int(value) if json_key == "mtu" else value
            links.append(current)
            stats_dir = None
            continue
        if current is None:
            continue
        if stats_dir is not None:
            values = line.split()
            if values and all(v.isdigit() for v in values):
                columns = [_TEXT_STATS_COLUMNS.get(col.rstrip(":"), col.rstrip(":")) for col in stats_cols]
                current.setdefault("stats64", {})[stats_dir.lower()] = {col: int(val) for col, val in zip(columns, values)}
            stats_dir = None
            continue
        stats_head = _TEXT_STATS_HEAD_RE.match(line)
        if stats_head:
            stats_dir = stats_head.group("dir")
            stats_cols = stats_head.group("cols").split()
            continue
        link_line = _TEXT_LINK_RE.match(line)
        if link_line:
            current["link_type"] = link_line.group("type")
            if link_line.group("address") and link_line.group("type") in ("ether", "loopback", "infiniband"):
                current["address"] = link_line.group("address")
            _text_detail_line(current, line.split(None, 2)[2] if len(line.split()) > 2 else "")
            continue
        addr = _TEXT_ADDR_RE.match(line)
        if addr:
            current.setdefault("addr_info", []).append(
                {
                    "family": addr.group("family"),
                    "local": addr.group("local"),
                    "prefixlen": int(addr.group("prefixlen")),
                    "scope": addr.group("scope"),
                }
            )
            continue
        if line.strip().startswith(("valid_lft", "altname")):
            continue
        _text_detail_line(current, line.strip())
    return links


# ---------------------------------------------------------------------------
# Normalised facts


def classify_kind(link: dict) -> str:
    """The docs/facts.md ``kind`` of one raw link object."""
    if link.get("link_type") == "loopback" or link.get("ifname") == "lo":
        return "loopback"
    linkinfo = link.get("linkinfo") or {}
    info_kind = linkinfo.get("info_kind")
    if info_kind == "tun":
        tun_type = (linkinfo.get("info_data") or {}).get("type")
        return "tun" if tun_type == "tun" else "tap"
    if info_kind == "openvswitch":
        return "ovs_system" if link.get("ifname") == "ovs-system" else "ovs_internal"
    if info_kind in _PLAIN_KINDS:
        return info_kind
    if info_kind:
        return "other"
    return "physical"


def _max_mtu(value) -> int | None:
    """ip reports max_mtu 0 when the driver sets no upper bound: null, not 0."""
    return int(value) if isinstance(value, int) and value > 0 else None


def _counters(link: dict) -> dict:
    stats = link.get("stats64") or link.get("stats") or {}
    rx, tx = stats.get("rx") or {}, stats.get("tx") or {}
    return {
        "rx_dropped": rx.get("dropped"),
        "tx_dropped": tx.get("dropped"),
        "rx_errors": rx.get("errors"),
        "tx_errors": tx.get("errors"),
    }


def parse_addr_json(text: str) -> dict[str, list[dict]]:
    """``ip -j addr show`` → {ifname: [{family, address, prefixlen, scope}]}."""
    return {item["ifname"]: addresses_of(item) for item in load_json_list(text, "ip -j addr") if item.get("ifname")}


def addresses_of(item: dict) -> list[dict]:
    """The addresses of one ``ip -j addr`` object (its ``addr_info``) in facts shape."""
    result = []
    for addr in item.get("addr_info") or []:
        family = {"inet": 4, "inet6": 6}.get(addr.get("family"))
        if family is None or not addr.get("local"):
            continue
        result.append({"family": family, "address": addr["local"], "prefixlen": addr.get("prefixlen"), "scope": addr.get("scope")})
    return result


def _tunnel_raw(kind: str, data: dict) -> dict:
    """Tunnel parameters from linkinfo.info_data (ip -j names)."""

    def first(*keys):
        for key in keys:
            value = data.get(key)
            if value not in (None, "", "any"):
                return value
        return None

    remote, local, group = first("remote", "remote6"), first("local", "local6"), first("group", "group6")
    external = bool(data.get("external") or data.get("collect_metadata"))
    gre = kind in ("gre", "gretap", "ip6gre", "ip6gretap")
    key = bool(first("ikey", "okey", "key")) if gre else False
    # ip -j prints set GRE flags as present keys with a null value ({"iseq": null}): test presence.
    seq = gre and ("iseq" in data or "oseq" in data)
    csum = gre and ("icsum" in data or "ocsum" in data)
    vni = data.get("id") if kind in ("vxlan", "geneve") else None
    dstport = data.get("port") if kind in ("vxlan", "geneve") else None
    return {
        "type": kind,
        "vni": vni,
        "local": local,
        "remote": remote,
        "group": group,
        "dstport": dstport,
        "external": external,
        "key": key,
        "seq": seq,
        "csum": csum,
        "dev": data.get("link"),
    }


def link_facts(links: list[dict], addresses: dict[str, list[dict]] | None = None) -> dict[str, dict]:
    """Per-interface facts (docs/facts.md ``interfaces[NAME]``, links subset) from raw link objects.

    ``addresses`` is parse_addr_json's result; when None, each link's own ``addr_info`` is used.
    Tunnel entries carry their raw parameters; resolve_tunnels() fills in the underlay.
    """
    by_name = {link["ifname"]: link for link in links}
    facts: dict[str, dict] = {}
    for link in links:
        name = link["ifname"]
        linkinfo = link.get("linkinfo") or {}
        kind = classify_kind(link)
        master = link.get("master")
        master_kind = None
        if master:
            slave_kind = linkinfo.get("info_slave_kind")
            if slave_kind in _SLAVE_KINDS:
                master_kind = _SLAVE_KINDS[slave_kind]
            elif master in by_name:
                master_raw_kind = classify_kind(by_name[master])
                master_kind = {"bridge": "bridge", "bond": "bond", "ovs_system": "openvswitch", "ovs_internal": "openvswitch"}.get(master_raw_kind, "other")
            else:
                master_kind = "other"
        data = linkinfo.get("info_data") or {}
        lower = None
        if kind in ("vlan", "macvlan", "macvtap", "other") and link.get("link"):
            lower = link["link"]
        vlan = None
        if kind == "vlan":
            vlan = {"id": data.get("id"), "protocol": data.get("protocol", "802.1Q")}
        tunnel = _tunnel_raw(kind, data) if kind in TUNNEL_KINDS else None
        addrs = addresses.get(name, []) if addresses is not None else addresses_of(link)
        facts[name] = {
            "name": name,
            "ifindex": link.get("ifindex"),
            "kind": kind,
            "mtu": link.get("mtu"),
            "min_mtu": link.get("min_mtu"),
            "max_mtu": _max_mtu(link.get("max_mtu")),
            "operstate": link.get("operstate"),
            "mac": link.get("address") if link.get("link_type") in ("ether", None) else None,
            "admin_up": "UP" in (link.get("flags") or ()),  # IFF_UP; carrier shows in operstate
            "master": master,
            "master_kind": master_kind,
            "lower": lower,
            "vlan": vlan,
            "addresses": addrs,
            "bridge_ports": [],
            "bond_members": [],
            "ovs": None,
            "tunnel": tunnel,
            "counters": _counters(link),
        }
    for name, entry in facts.items():
        master = entry["master"]
        if master in facts:
            if entry["master_kind"] == "bridge":
                facts[master]["bridge_ports"].append(name)
            elif entry["master_kind"] == "bond":
                facts[master]["bond_members"].append(name)
    for entry in facts.values():
        entry["bridge_ports"].sort()
        entry["bond_members"].sort()
    return facts


def linux_bridges(facts: dict[str, dict]) -> dict[str, list[str]]:
    """{bridge: [ports]} for every Linux bridge (docs/facts.md ``linux_bridges``)."""
    return {name: list(entry.get("bridge_ports") or []) for name, entry in sorted(facts.items()) if entry["kind"] == "bridge"}


# ---------------------------------------------------------------------------
# Routes and tunnel underlays

_NON_UNICAST = frozenset(("local", "broadcast", "multicast", "anycast", "unreachable", "blackhole", "prohibit", "throw", "nat"))


def default_route_devices(*texts: str) -> list[str]:
    """Devices of the default routes in ``ip -j [-6] route show default`` outputs (multipath hops too), sorted."""
    names = set()
    for text in texts:
        for route in load_json_list(text, "ip -j route show default"):
            if route.get("dev"):
                names.add(route["dev"])
            for hop in route.get("nexthops") or []:
                if isinstance(hop, dict) and hop.get("dev"):
                    names.add(hop["dev"])
    return sorted(names)


def parse_routes_json(*texts: str) -> list[dict]:
    """Unicast routes from ``ip -j [-6] route show table all`` outputs: [{network, dev, table, metric, gateway}].

    ``dst`` is "default", "10.0.0.0/24" or a bare host address; multipath routes use the first nexthop's dev.
    """
    routes = []
    for text in texts:
        for route in load_json_list(text, "ip -j route"):
            if route.get("type", "unicast") in _NON_UNICAST:
                continue
            dev = route.get("dev")
            if not dev and route.get("nexthops"):
                dev = (route["nexthops"][0] or {}).get("dev")
            dst = route.get("dst")
            if not dev or not dst:
                continue
            gateway = route.get("gateway")
            try:
                if dst == "default":
                    family_hint = gateway or ""
                    network = ipaddress.ip_network("::/0" if ":" in family_hint or route.get("family") == "inet6" else "0.0.0.0/0")
                else:
                    network = ipaddress.ip_network(dst, strict=False)
            except ValueError:
                continue
            routes.append(
                {"network": network, "dev": dev, "table": str(route.get("table", "main")), "metric": int(route.get("metric") or 0), "gateway": gateway}
            )
    return routes


def route_lookup(address: str, routes: list[dict]) -> dict | None:
    """Longest-prefix match of ``address`` (main table first, then the lowest metric) or None."""
    try:
        addr = ipaddress.ip_address(address)
    except ValueError:
        return None
    best = None
    best_key = None
    for route in routes:
        network = route["network"]
        if network.version != addr.version or addr not in network:
            continue
        key = (network.prefixlen, route["table"] == "main", -route["metric"])
        if best_key is None or key > best_key:
            best, best_key = route, key
    return best


def _ip_version(*addresses) -> int | None:
    for address in addresses:
        if address:
            try:
                return ipaddress.ip_address(address).version
            except ValueError:
                continue
    return None


def _address_holder(address: str | None, facts: dict[str, dict]) -> str | None:
    if not address:
        return None
    for name, entry in sorted(facts.items()):
        if any(addr["address"] == address for addr in entry.get("addresses") or []):
            return name
    return None


def resolve_tunnel(name: str, facts: dict[str, dict], routes: list[dict]) -> dict:
    """Tunnel facts of ``name`` completed with ip_version, overhead, underlay and headroom (pure).

    Underlay: the tunnel's ``dev``; else the route to remote (or group); else the interface
    that holds the local address; else the route to the local address. Every value that
    cannot be known is None.
    """
    entry = facts[name]
    raw = dict(entry["tunnel"])
    kind = raw["type"]
    ip_version = _ip_version(raw["remote"], raw["group"], raw["local"])
    if ip_version is None and kind in ("ip6gre", "ip6gretap", "ip6tnl"):
        ip_version = 6
    if ip_version is None and kind in ("gre", "gretap", "ipip", "sit"):
        ip_version = 4
    overhead = None
    if ip_version in IP_HEADER:
        try:
            overhead = tunnel_overhead(kind, ip_version, key=raw["key"], seq=raw["seq"], csum=raw["csum"])
        except MTUError:
            overhead = None
    underlay, underlay_by = None, None
    if raw["dev"] and raw["dev"] in facts:
        underlay, underlay_by = raw["dev"], "dev"
    if underlay is None:
        target = raw["remote"] or raw["group"]
        route = route_lookup(target, routes) if target else None
        if route is not None and route["dev"] in facts:
            underlay, underlay_by = route["dev"], "route"
    if underlay is None:
        holder = _address_holder(raw["local"], facts)
        if holder is not None:
            underlay, underlay_by = holder, "local_address"
    if underlay is None and raw["local"]:
        route = route_lookup(raw["local"], routes)
        if route is not None and route["dev"] in facts:
            underlay, underlay_by = route["dev"], "route"
    underlay_mtu = facts[underlay]["mtu"] if underlay else None
    mtu = entry.get("mtu")
    required = mtu + overhead if (overhead is not None and isinstance(mtu, int)) else None
    headroom = underlay_mtu - required if (required is not None and isinstance(underlay_mtu, int)) else None
    return {
        "type": kind,
        "vni": raw["vni"],
        "local": raw["local"],
        "remote": raw["remote"],
        "group": raw["group"],
        "dstport": raw["dstport"],
        "external": raw["external"],
        "key": raw["key"],
        "seq": raw["seq"],
        "csum": raw["csum"],
        "ip_version": ip_version,
        "overhead": overhead,
        "underlay": underlay,
        "underlay_by": underlay_by,
        "underlay_mtu": underlay_mtu,
        "required_underlay_mtu": required,
        "headroom": headroom,
    }


def resolve_tunnels(facts: dict[str, dict], routes: list[dict]) -> dict[str, dict]:
    """Replace every tunnel entry's raw parameters with resolve_tunnel()'s result; returns ``facts``."""
    resolved = {name: resolve_tunnel(name, facts, routes) for name, entry in facts.items() if entry.get("tunnel")}
    for name, tunnel in resolved.items():
        facts[name]["tunnel"] = tunnel
    return facts
