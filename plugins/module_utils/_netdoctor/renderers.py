# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""Which network renderer owns a device, and the file content it gets for a new MTU.

Pure functions, no I/O: the module reads the files and the tools' output and hands the text here.
Exactly one renderer owns a device (two would fight): OVS (``mtu_request`` in OVSDB),
os-net-config, netplan, NetworkManager, systemd-networkd, ifupdown, in that order of precedence
(os-net-config and netplan generate the others' files, so their source is what must change).
"""

from __future__ import annotations

import json
import re

OVS = "ovs"
OS_NET_CONFIG = "os-net-config"
NETPLAN = "netplan"
NETWORKMANAGER = "NetworkManager"
NETWORKD = "systemd-networkd"
IFUPDOWN = "ifupdown"
RENDERERS = (OVS, OS_NET_CONFIG, NETPLAN, NETWORKMANAGER, NETWORKD, IFUPDOWN)

NETPLAN_SECTIONS = ("ethernets", "bonds", "bridges", "vlans", "tunnels", "vrfs", "dummy-devices", "virtual-ethernets", "wifis", "modems", "nm-devices")
NETPLAN_DROPIN = "/etc/netplan/90-netdoctor-mtu.yaml"
NETPLAN_GENERATED_PREFIXES = ("10-netplan-", "netplan-")


class RendererError(ValueError):
    """A configuration file the renderer would refuse (or that cannot be edited without guessing)."""


# ---------------------------------------------------------------- systemd-networkd


def parse_networkctl_list(text: str) -> dict[str, dict]:
    """``networkctl --json=short list`` → {name: {admin_state, network_file, link_file}}."""
    if not text or not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise RendererError(f"networkctl --json=short list: not JSON: {exc}") from None
    result = {}
    for item in (data or {}).get("Interfaces") or []:
        if isinstance(item, dict) and item.get("Name"):
            result[item["Name"]] = {
                "admin_state": item.get("AdministrativeState"),
                "network_file": item.get("NetworkFile"),
                "link_file": item.get("LinkFile"),
            }
    return result


def networkd_owns(state: dict | None) -> bool:
    """networkd manages the device: it applied a .network file and does not call it unmanaged."""
    return bool(state) and bool(state.get("network_file")) and state.get("admin_state") not in (None, "unmanaged", "linger")


def netplan_generated(path: str | None) -> bool:
    """A networkd unit or NM connection netplan generated (``/run/…/10-netplan-eth0.network``)."""
    if not path or not path.startswith("/run/"):
        return False
    base = path.rsplit("/", 1)[-1]
    return base.startswith(NETPLAN_GENERATED_PREFIXES)


_SECTION_RE = re.compile(r"^\s*\[(?P<name>[^\]]+)\]\s*$")


def ini_set(text: str, section: str, key: str, value, aliases: tuple = ()) -> str:
    """``text`` with ``key=value`` in ``[section]`` (or the first of ``aliases`` the file uses instead).

    Replaces the key where it is (keeping the first occurrence in that section), adds it after the
    section's last line otherwise, and appends the section when the file has none. Comments, blank
    lines and every other line are kept byte for byte.
    """
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    headers = [(index, match.group("name").strip()) for index, line in enumerate(lines) if (match := _SECTION_RE.match(line))]
    names = [name for _index, name in headers]
    target = section if section in names else next((alias for alias in aliases if alias in names), section)
    position = next((pos for pos, (_index, name) in enumerate(headers) if name == target), None)
    entry = f"{key}={value}\n"
    if position is None:
        if lines and lines[-1].strip():
            lines.append("\n")
        lines.append(f"[{target}]\n{entry}")
        return "".join(lines)
    start = headers[position][0]
    end = headers[position + 1][0] if position + 1 < len(headers) else len(lines)
    key_re = re.compile(r"^\s*" + re.escape(key) + r"\s*=")
    body, written = [], False
    for line in lines[start + 1 : end]:
        if key_re.match(line):
            if not written:
                body.append(entry)
                written = True
            continue
        body.append(line)
    if not written:
        last = len(body)
        while last > 0 and not body[last - 1].strip():
            last -= 1
        body.insert(last, entry)
    return "".join(lines[: start + 1] + body + lines[end:])


def ini_get(text: str, section: str, key: str):
    """The value of ``key`` in ``[section]`` (last one wins, as systemd and NM read it), or None."""
    current = None
    value = None
    for line in text.splitlines():
        match = _SECTION_RE.match(line)
        if match:
            current = match.group("name").strip()
            continue
        stripped = line.strip()
        if current == section and not stripped.startswith(("#", ";")) and "=" in stripped:
            name, _sep, rest = stripped.partition("=")
            if name.strip() == key:
                value = rest.strip()
    return value


def networkd_set_mtu(text: str, mtu: int) -> str:
    """A ``.network`` or ``.link`` unit with ``[Link] MTUBytes=mtu``."""
    return ini_set(text, "Link", "MTUBytes", int(mtu))


def networkd_unit_for_mtu(network_text: str | None, link_text: str | None) -> str:
    """Which unit carries the MTU: the ``.link`` only when it sets MTUBytes and the ``.network`` does not."""
    if link_text is not None and ini_get(link_text, "Link", "MTUBytes") and not (network_text and ini_get(network_text, "Link", "MTUBytes")):
        return "link"
    return "network"


def networkd_commands(unit: str, name: str) -> list[list[str]]:
    """Make networkd (or udev, for a .link) read the new unit. The runtime MTU is set directly before."""
    if unit == "link":
        return [["udevadm", "control", "--reload"], ["udevadm", "trigger", "--action=move", "--subsystem-match=net", f"--sysname-match={name}"]]
    return [["networkctl", "reload"]]


# ---------------------------------------------------------------- ifupdown

_STANZA_RE = re.compile(r"^(iface|mapping|auto|allow-[\w-]+|source|source-directory|rename|no-auto-down|no-scripts)\b")
_MTU_RE = re.compile(r"^(?P<indent>\s+)mtu\s+(?P<value>\S+)\s*$")


def ifupdown_sources(text: str) -> list[str]:
    """The ``source`` globs and ``source-directory`` directories an interfaces file includes."""
    found = []
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] in ("source", "source-directory"):
            found.append(("dir:" if words[0] == "source-directory" else "") + words[1])
    return found


def ifupdown_stanzas(text: str, name: str) -> list[tuple[int, int]]:
    """(first, end) line ranges of every ``iface NAME <family> <method>`` stanza of ``name``."""
    lines = text.splitlines()
    ranges = []
    index = 0
    while index < len(lines):
        words = lines[index].split()
        if len(words) >= 2 and words[0] == "iface" and words[1] == name:
            end = index + 1
            while end < len(lines) and not _STANZA_RE.match(lines[end]):
                end += 1
            ranges.append((index, end))
            index = end
            continue
        index += 1
    return ranges


def ifupdown_get_mtu(text: str, name: str) -> int | None:
    """The ``mtu`` option of ``name``'s stanza, or None."""
    lines = text.splitlines()
    for first, end in ifupdown_stanzas(text, name):
        for line in lines[first + 1 : end]:
            match = _MTU_RE.match(line)
            if match and match.group("value").isdigit():
                return int(match.group("value"))
    return None


def ifupdown_set_mtu(text: str, name: str, mtu: int) -> str:
    """``text`` with ``mtu N`` in every stanza of ``name`` (inet and inet6), replacing an old one in place.

    A new option goes right after the ``iface`` line, indented like the stanza's other options.
    """
    ranges = ifupdown_stanzas(text, name)
    if not ranges:
        raise RendererError(f"no 'iface {name}' stanza to put the MTU in")
    lines = text.splitlines(keepends=True)
    for first, end in reversed(ranges):
        body = lines[first + 1 : end]
        indent = next((re.match(r"^(\s+)\S", ln).group(1) for ln in body if re.match(r"^\s+\S", ln) and not ln.lstrip().startswith("#")), "    ")
        replaced = False
        for offset, line in enumerate(body):
            match = _MTU_RE.match(line.rstrip("\n"))
            if match:
                if not replaced:
                    lines[first + 1 + offset] = f"{match.group('indent')}mtu {int(mtu)}\n"
                    replaced = True
                else:
                    lines[first + 1 + offset] = ""
        if not replaced:
            if not lines[first].endswith("\n"):
                lines[first] += "\n"
            lines.insert(first + 1, f"{indent}mtu {int(mtu)}\n")
    return "".join(lines)


# ---------------------------------------------------------------- NetworkManager

# NetworkManager setting that holds the MTU, by connection type (nmcli settings(5)).
NM_MTU_SETTING = {
    "802-3-ethernet": "802-3-ethernet.mtu",
    "ethernet": "802-3-ethernet.mtu",
    "bond": "802-3-ethernet.mtu",
    "bridge": "802-3-ethernet.mtu",
    "vlan": "802-3-ethernet.mtu",
    "team": "802-3-ethernet.mtu",
    "veth": "802-3-ethernet.mtu",
    "macvlan": "802-3-ethernet.mtu",
    "vxlan": "802-3-ethernet.mtu",
    "ip-tunnel": "ip-tunnel.mtu",
    "infiniband": "infiniband.mtu",
    "wireguard": "wireguard.mtu",
}


def parse_nmcli_terse(text: str) -> list[list[str]]:
    """``nmcli -t`` lines split on ':' (a literal ':' or '\\' is escaped with '\\')."""
    rows = []
    for line in (text or "").splitlines():
        if not line:
            continue
        fields, current, escaped = [], [], False
        for ch in line:
            if escaped:
                current.append(ch)
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == ":":
                fields.append("".join(current))
                current = []
            else:
                current.append(ch)
        fields.append("".join(current))
        rows.append(fields)
    return rows


def nm_active_connections(text: str) -> dict[str, dict]:
    """``nmcli -t -f UUID,TYPE,DEVICE,FILENAME connection show --active`` → {device: {uuid, type, filename}}."""
    result = {}
    for row in parse_nmcli_terse(text):
        if len(row) >= 4 and row[2]:
            result[row[2]] = {"uuid": row[0], "type": row[1], "filename": row[3] or None}
    return result


def nm_mtu_setting(conn_type: str) -> str:
    """The property ``nmcli connection modify`` sets for a connection of ``conn_type``."""
    try:
        return NM_MTU_SETTING[conn_type]
    except KeyError:
        raise RendererError(f"NetworkManager connections of type {conn_type!r} have no MTU setting this module knows") from None


def nm_commands(uuid: str, conn_type: str, name: str, mtu: int) -> list[list[str]]:
    """Persist the MTU in the connection profile, then apply the profile to the device without a down/up."""
    if not re.match(r"^[0-9a-fA-F-]{36}$", uuid or ""):
        raise RendererError(f"{uuid!r} is not a connection UUID")
    return [["nmcli", "connection", "modify", uuid, nm_mtu_setting(conn_type), str(int(mtu))], ["nmcli", "device", "reapply", name]]


def keyfile_set_mtu(text: str, mtu: int) -> str:
    """A keyfile (``.nmconnection``) with the MTU in ``[ethernet]`` (or the old ``[802-3-ethernet]`` name it uses)."""
    conn_type = ini_get(text, "connection", "type") or "ethernet"
    setting = nm_mtu_setting(conn_type).split(".", 1)[0]
    if setting == "802-3-ethernet":
        return ini_set(text, "ethernet", "mtu", int(mtu), aliases=("802-3-ethernet",))
    return ini_set(text, setting, "mtu", int(mtu))


# ---------------------------------------------------------------- netplan


def netplan_find(docs: dict, name: str) -> tuple[str, str] | None:
    """(section, id) of the netplan definition of ``name`` across parsed YAML documents {path: data}.

    An id matches by name, or by ``set-name``; the last file (in netplan's lexical order) wins.
    """
    found = None
    for path in sorted(docs):
        network = (docs[path] or {}).get("network") if isinstance(docs[path], dict) else None
        if not isinstance(network, dict):
            continue
        for section in NETPLAN_SECTIONS:
            for ident, conf in (network.get(section) or {}).items():
                if ident == name or (isinstance(conf, dict) and conf.get("set-name") == name):
                    found = (section, ident)
    return found


def netplan_dropin(entries: dict) -> str:
    """The netplan drop-in file for {(section, id): mtu}: JSON-style flow YAML netplan merges over the others."""
    network: dict = {"version": 2}
    for (section, ident), mtu in sorted(entries.items()):
        network.setdefault(section, {})[ident] = {"mtu": int(mtu)}
    body = json.dumps({"network": network}, indent=2, sort_keys=True)
    return "# netdoctor.openstack.link_mtu: MTUs netplan merges over the other files (lexically last).\n" + body + "\n"


def netplan_dropin_entries(data) -> dict:
    """{(section, id): mtu} already in a drop-in written by netplan_dropin."""
    entries = {}
    network = (data or {}).get("network") if isinstance(data, dict) else None
    for section in NETPLAN_SECTIONS:
        for ident, conf in ((network or {}).get(section) or {}).items():
            if isinstance(conf, dict) and "mtu" in conf:
                entries[(section, ident)] = int(conf["mtu"])
    return entries


# ---------------------------------------------------------------- os-net-config


def _osnet_objects(items):
    for item in items or []:
        if isinstance(item, dict):
            yield item
            yield from _osnet_objects(item.get("members"))


def osnet_find(data, name: str) -> dict | None:
    """The os-net-config object (interface, bond, bridge, vlan …) named ``name``, members included."""
    for item in _osnet_objects((data or {}).get("network_config") if isinstance(data, dict) else None):
        if item.get("name") == name or (item.get("type") == "vlan" and f"vlan{item.get('vlan_id')}" == name):
            return item
    return None


def osnet_set_mtu(data, name: str, mtu: int):
    """A copy of the os-net-config document with ``mtu`` on the object named ``name``."""
    copy = json.loads(json.dumps(data))
    item = osnet_find(copy, name)
    if item is None:
        raise RendererError(f"os-net-config has no object named {name!r}")
    item["mtu"] = int(mtu)
    return copy


def osnet_render_json(data) -> str:
    """os-net-config's JSON form, 4-space indented like its samples."""
    return json.dumps(data, indent=4) + "\n"


# ---------------------------------------------------------------- detection


def detect_owner(
    name: str,
    *,
    ovs: bool = False,
    osnet: dict | None = None,
    netplan_docs: dict | None = None,
    nm_connection: dict | None = None,
    networkd_state: dict | None = None,
    ifupdown_files: dict | None = None,
) -> dict:
    """{renderer, path, detail} of the one renderer that owns ``name``, renderer None when nothing does.

    ``osnet``: {path: parsed os-net-config document}; ``netplan_docs``: {path: parsed YAML};
    ``nm_connection``: nm_active_connections()[name]; ``networkd_state``: parse_networkctl_list()[name];
    ``ifupdown_files``: {path: text} of /etc/network/interfaces and what it sources.
    """
    if ovs:
        return {"renderer": OVS, "path": None, "detail": "mtu_request in OVSDB"}
    for path in sorted(osnet or {}):
        if osnet_find(osnet[path], name) is not None:
            return {"renderer": OS_NET_CONFIG, "path": path, "detail": "network_config object"}
    found = netplan_find(netplan_docs or {}, name)
    generated = netplan_generated((networkd_state or {}).get("network_file")) or netplan_generated((nm_connection or {}).get("filename"))
    if found is not None:
        return {"renderer": NETPLAN, "path": NETPLAN_DROPIN, "detail": f"{found[0]}.{found[1]}", "section": found[0], "id": found[1]}
    if generated:
        raise RendererError(f"{name} is configured by a netplan-generated file but no netplan YAML defines it")
    if nm_connection and nm_connection.get("uuid"):
        return {"renderer": NETWORKMANAGER, "path": nm_connection.get("filename"), "detail": nm_connection.get("type"), **nm_connection}
    if networkd_owns(networkd_state):
        return {
            "renderer": NETWORKD,
            "path": networkd_state["network_file"],
            "detail": "network",
            "link_file": networkd_state.get("link_file"),
        }
    for path in ifupdown_files or {}:
        if ifupdown_stanzas(ifupdown_files[path], name):
            return {"renderer": IFUPDOWN, "path": path, "detail": "iface stanza"}
    return {"renderer": None, "path": None, "detail": "no renderer configures this device"}
