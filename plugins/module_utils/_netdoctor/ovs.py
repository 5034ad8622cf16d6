# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""Open vSwitch: ovs-vsctl tables (JSON or the text of `list`) and ovs-ofctl flows.

Pure functions, no I/O. The module runs one chained ``ovs-vsctl --format=json`` call
(VSCTL_ARGS) and one ``ovs-ofctl dump-flows`` per bridge, and hands the text here.
"""

from __future__ import annotations

import json
import re

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import ParseError

# The columns net_facts asks for, one `list` per table chained with `--`: one JSON document per line.
VSCTL_TABLES = (
    ("Open_vSwitch", ("ovs_version", "external_ids")),  # external_ids: OVN chassis settings (ovn.py)
    ("Bridge", ("name", "datapath_type", "ports", "other_config")),
    ("Port", ("_uuid", "name", "interfaces", "tag", "trunks", "vlan_mode", "other_config")),
    ("Interface", ("_uuid", "name", "type", "mtu", "mtu_request", "options", "ofport", "error")),
)


def vsctl_args() -> list[str]:
    """The arguments after ``ovs-vsctl`` for the single chained call."""
    args = ["--timeout=5", "--format=json"]
    for index, (table, columns) in enumerate(VSCTL_TABLES):
        if index:
            args.append("--")
        args.extend(["--columns=" + ",".join(columns), "list", table])
    return args


def ovsdb_value(value):
    """Decode one OVSDB JSON datum: ["uuid", u] → u, ["set", [...]] → list, ["map", [[k, v]]] → dict.

    An empty set (how OVSDB writes an unset optional column) becomes None for optional scalars;
    callers that want a list use ovsdb_list().
    """
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str):
        tag, payload = value
        if tag in ("uuid", "named-uuid"):
            return payload
        if tag == "set":
            items = [ovsdb_value(item) for item in payload]
            return items if items else None
        if tag == "map":
            return {str(ovsdb_value(k)): ovsdb_value(v) for k, v in payload}
    return value


def ovsdb_list(value) -> list:
    """A set column as a list (a single element is stored bare by OVSDB)."""
    decoded = ovsdb_value(value)
    if decoded is None:
        return []
    return decoded if isinstance(decoded, list) else [decoded]


def parse_vsctl_json(text: str) -> list[list[dict]]:
    """``ovs-vsctl --format=json list ...`` (one or several chained): one list of row dicts per document."""
    tables = []
    decoder = json.JSONDecoder()
    position = 0
    text = text or ""
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            break
        try:
            document, position = decoder.raw_decode(text, position)
        except ValueError as exc:
            raise ParseError(f"ovs-vsctl: not JSON: {exc}") from None
        if not isinstance(document, dict) or "headings" not in document or "data" not in document:
            raise ParseError("ovs-vsctl: a JSON document without headings/data")
        headings = document["headings"]
        tables.append([{heading: ovsdb_value(cell) for heading, cell in zip(headings, row)} for row in document["data"]])
    return tables


# `ovs-vsctl list interface` text (sosreports):
# "_uuid               : aa87cf22-4d5c-4c92-93e6-c4aa2875a22f"
# "external_ids        : {attached-mac="fa:16:3e:87:45:fc", iface-id="189f...", iface-status=active}"
_LIST_LINE_RE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s?(?P<value>.*)$")
# one element of a {k=v, ...} map or [a, b] set: a quoted string or a bare word
_LIST_ITEM_RE = re.compile(r'\s*(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<bare>[^,=\s]+))\s*')


def _text_scalar(token: str):
    if token.lstrip("-").isdigit():
        return int(token)
    if token in ("true", "false"):
        return token == "true"
    return token


def _text_items(body: str) -> list:
    """Split 'a, "b c", d=e' into tokens; k=v pairs become tuples."""
    items: list = []
    position = 0
    while position < len(body):
        match = _LIST_ITEM_RE.match(body, position)
        if not match or match.end() == position:
            raise ParseError(f"ovs-vsctl list: cannot parse {body!r}")
        key = match.group("quoted") if match.group("quoted") is not None else _text_scalar(match.group("bare"))
        if isinstance(key, str) and match.group("quoted") is not None:
            key = bytes(key, "utf-8").decode("unicode_escape")
        position = match.end()
        if position < len(body) and body[position] == "=":
            value_match = _LIST_ITEM_RE.match(body, position + 1)
            if not value_match:
                raise ParseError(f"ovs-vsctl list: cannot parse {body!r}")
            value = value_match.group("quoted") if value_match.group("quoted") is not None else _text_scalar(value_match.group("bare"))
            items.append((str(key), value))
            position = value_match.end()
        else:
            items.append(key)
        if position < len(body) and body[position] == ",":
            position += 1
    return items


def text_value(raw: str):
    """Decode one value of ``ovs-vsctl list`` text: [] → None, {} → {}, "x" → x, 5 → 5, {a=b} → dict, [1, 2] → list."""
    raw = raw.strip()
    if raw == "[]":
        return None
    if raw.startswith("{") and raw.endswith("}"):
        return dict(item for item in _text_items(raw[1:-1]) if isinstance(item, tuple))
    if raw.startswith("[") and raw.endswith("]"):
        return [item for item in _text_items(raw[1:-1]) if not isinstance(item, tuple)]
    if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
        return bytes(raw[1:-1], "utf-8").decode("unicode_escape")
    return _text_scalar(raw)


def parse_vsctl_list_text(text: str) -> list[dict]:
    """Rows of ``ovs-vsctl list TABLE`` text (records separated by blank lines)."""
    rows: list[dict] = []
    current: dict = {}
    for line in text.splitlines():
        if not line.strip():
            if current:
                rows.append(current)
                current = {}
            continue
        match = _LIST_LINE_RE.match(line)
        if not match:
            raise ParseError(f"ovs-vsctl list: unexpected line {line!r}")
        current[match.group("key")] = text_value(match.group("value"))
    if current:
        rows.append(current)
    return rows


def _int_or_none(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def build_ovs(version, bridges: list[dict], ports: list[dict], interfaces: list[dict]) -> tuple[dict, dict[str, dict]]:
    """(docs/facts.md ``ovs``, {interface name: interfaces[NAME].ovs}) from the three tables' rows.

    Rows are as parse_vsctl_json() returns them: ``ports``/``interfaces`` columns hold UUIDs.
    """
    iface_by_uuid = {row.get("_uuid"): row for row in interfaces}
    port_by_uuid = {row.get("_uuid"): row for row in ports}
    per_interface: dict[str, dict] = {}
    bridge_facts: dict[str, dict] = {}
    for bridge in sorted(bridges, key=lambda row: str(row.get("name"))):
        name = bridge.get("name")
        port_names = []
        bridge_mtu_request = None
        for port_uuid in ovsdb_list(bridge.get("ports")):
            port = port_by_uuid.get(port_uuid)
            if port is None:
                continue
            port_names.append(port.get("name"))
            other = port.get("other_config") or {}
            for iface_uuid in ovsdb_list(port.get("interfaces")):
                iface = iface_by_uuid.get(iface_uuid)
                if iface is None:
                    continue
                mtu_request = _int_or_none(iface.get("mtu_request"))
                if iface.get("name") == name:
                    bridge_mtu_request = mtu_request
                per_interface[iface.get("name")] = {
                    "bridge": name,
                    "port": port.get("name"),
                    "type": iface.get("type") or "",
                    "mtu": _int_or_none(iface.get("mtu")),
                    "mtu_request": mtu_request,
                    "tag": _int_or_none(port.get("tag")),
                    "trunks": sorted(int(t) for t in ovsdb_list(port.get("trunks"))),
                    "vlan_mode": port.get("vlan_mode") or None,
                    "priority_tags": other.get("priority-tags"),
                    "options": dict(iface.get("options") or {}),
                    "ofport": _int_or_none(iface.get("ofport")),
                    "error": iface.get("error") or None,
                }
        bridge_facts[name] = {
            "datapath_type": bridge.get("datapath_type") or "system",
            "ports": sorted(p for p in port_names if p),
            "mtu_request": bridge_mtu_request,
            "flows_checked": False,
        }
    return {"running": True, "version": version, "bridges": bridge_facts}, per_interface


def parse_vsctl_chained_with_system(text: str) -> tuple[dict, dict[str, dict], dict]:
    """build_ovs() on the output of ``ovs-vsctl`` + vsctl_args(), plus the Open_vSwitch row's external_ids."""
    tables = parse_vsctl_json(text)
    if len(tables) != len(VSCTL_TABLES):
        raise ParseError(f"ovs-vsctl: expected {len(VSCTL_TABLES)} JSON documents, got {len(tables)}")
    version_rows, bridges, ports, interfaces = tables
    version = version_rows[0].get("ovs_version") if version_rows else None
    external_ids = (version_rows[0].get("external_ids") if version_rows else None) or {}
    return (*build_ovs(version, bridges, ports, interfaces), external_ids if isinstance(external_ids, dict) else {})


def parse_vsctl_chained(text: str) -> tuple[dict, dict[str, dict]]:
    """build_ovs() on the output of ``ovs-vsctl`` + vsctl_args()."""
    ovs_facts, per_interface, _external_ids = parse_vsctl_chained_with_system(text)
    return ovs_facts, per_interface


# ---------------------------------------------------------------------------
# ovs-ofctl dump-flows

# " cookie=0x0, duration=6.338s, table=0, n_packets=0, n_bytes=0, idle_age=6, priority=100,in_port=2,dl_vlan=0 actions=strip_vlan,NORMAL"
# " cookie=0x0, duration=13.083s, table=0, n_packets=0, n_bytes=0, reset_counts priority=100,in_port=2,dl_vlan=0 actions=pop_vlan,NORMAL"
_FLOW_RE = re.compile(r"^\s*cookie=(?P<cookie>\S+?),\s.*?\btable=(?P<table>\d+),\s(?P<rest>.*?)\s*actions=(?P<actions>\S*)\s*$")
# statistics and flags that precede the match ("n_packets=0, ", "idle_age=6, ", "reset_counts ", "send_flow_rem ")
_FLOW_META_RE = re.compile(
    r"\b(?:n_packets|n_bytes|idle_age|hard_age|idle_timeout|hard_timeout|importance|duration)=[^,\s]*,?\s*"
    r"|\b(?:reset_counts|send_flow_rem|no_packet_counts|no_byte_counts|check_overlap)\b\s*"
)
# "vlan_tci=0x1000/0x1fff" (VLAN present, VID 0)
_VLAN_TCI_RE = re.compile(r"^(?P<value>0x[0-9a-fA-F]+|\d+)(?:/(?P<mask>0x[0-9a-fA-F]+|\d+))?$")
_STRIP_ACTIONS = ("strip_vlan", "pop_vlan", "load:0->NXM_OF_VLAN_TCI[]", "set_field:0->vlan_tci")


def parse_dump_flows(text: str) -> list[dict]:
    """Flows of ``ovs-ofctl dump-flows BR``: [{table, cookie, match, fields, actions}] (header lines skipped)."""
    flows = []
    for line in text.splitlines():
        match = _FLOW_RE.match(line)
        if not match:
            continue
        rest = _FLOW_META_RE.sub("", match.group("rest")).strip().strip(",").strip()
        fields: dict[str, str | None] = {}
        for part in (p for p in rest.split(",") if p):
            key, _sep, value = part.partition("=")
            fields[key.strip()] = value.strip() if _sep else None
        flows.append({"table": int(match.group("table")), "cookie": match.group("cookie"), "match": rest, "fields": fields, "actions": match.group("actions")})
    return flows


def matches_vlan0(fields: dict) -> bool:
    """True when a flow's match selects 802.1Q frames with VLAN id 0 (priority tags)."""
    if fields.get("dl_vlan") == "0" or fields.get("vlan_vid") in ("0x1000/0x1fff", "4096/0x1fff"):
        return True
    tci = fields.get("vlan_tci")
    if tci:
        parsed = _VLAN_TCI_RE.match(tci)
        if parsed:
            value = int(parsed.group("value"), 0)
            mask = int(parsed.group("mask"), 0) if parsed.group("mask") else 0xFFFF
            return (mask & 0x1FFF) == 0x1FFF and (value & 0x1FFF) == 0x1000
    return False


def vlan0_strip_flows(flows: list[dict]) -> list[dict]:
    """Flows that match VLAN 0 and strip/pop the tag: [{in_port, detail}] (in_port None = every port)."""
    result = []
    for flow in flows:
        if not matches_vlan0(flow["fields"]):
            continue
        actions = flow["actions"]
        if not any(action in actions for action in _STRIP_ACTIONS):
            continue
        result.append({"in_port": flow["fields"].get("in_port"), "table": flow["table"], "detail": f"{flow['match']} actions={actions}"})
    return result


def vlan0_methods_for(interface: str, ovs_entry: dict | None, strips_by_bridge: dict[str, list[dict]]) -> list[dict]:
    """docs/facts.md vlan0_strip methods contributed by OVS flows for one OVS interface."""
    if not ovs_entry:
        return []
    bridge = ovs_entry.get("bridge")
    methods = []
    for strip in strips_by_bridge.get(bridge, []):
        in_port = strip["in_port"]
        if in_port is None or in_port == interface or (ovs_entry.get("ofport") is not None and in_port == str(ovs_entry["ofport"])):
            methods.append({"method": "ovs_flow", "bridge": bridge, "detail": strip["detail"]})
    return methods


# "table=4, ..., priority=1,tun_id=0x4d1 actions=mod_vlan_vid:3,resubmit(,9)" (Neutron's br-tun: tunnel id -> local VLAN)
_MOD_VLAN_RE = re.compile(r"\bmod_vlan_vid:(?P<vid>\d+)")


def tunnel_local_vlans(flows: list[dict]) -> list[int]:
    """The local VLANs a bridge's flows give traffic that arrives from a tunnel (``tun_id=...`` matched, ``mod_vlan_vid:N``).

    On a Neutron ML2/OVS node these are the br-int tags of ports on VXLAN/GRE/Geneve networks.
    """
    vids = set()
    for flow in flows:
        if "tun_id" not in flow["fields"]:
            continue
        vids.update(int(match.group("vid")) for match in _MOD_VLAN_RE.finditer(flow["actions"]))
    return sorted(vids)
