# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""The ``neutron`` facts: parsed Neutron configuration, computed network MTUs, DHCP namespaces and fill rules.

Pure parsers (INI the way oslo.config reads it, iptables-save, ``ip -all netns exec`` output,
dnsmasq command lines) plus :func:`collect`, which reads files and runs commands through the
``run(argv) -> (rc, stdout, stderr)`` callable it is given (rc 127 or OSError: tool missing).
"""

from __future__ import annotations

import glob
import json
import os
import re

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import ethtool, mtu
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import InvalidName, validate_ifname, validate_netns

# Packaged and OpenStack-Ansible (agents on metal, /etc/neutron in each LXC container) and kolla.
DEFAULT_CONFIG_GLOBS = ("/etc/neutron", "/etc/kolla/neutron-*", "/var/lib/lxc/*neutron*/rootfs/etc/neutron")

# Files in a config directory, in the order Neutron services load them (later ones override).
_FILE_RANKS = (
    ("neutron.conf", 0),
    ("neutron.conf.d/*.conf", 1),
    ("ml2_conf.ini", 2),
    ("plugins/ml2/ml2_conf.ini", 2),
    ("openvswitch_agent.ini", 4),
    ("linuxbridge_agent.ini", 4),
    ("sriov_agent.ini", 4),
    ("plugins/ml2/openvswitch_agent.ini", 4),
    ("plugins/ml2/linuxbridge_agent.ini", 4),
    ("plugins/ml2/sriov_agent.ini", 4),
    ("plugins/ml2/*.ini", 3),
)

NAMESPACE_KINDS = (("qdhcp-", "dhcp"), ("qrouter-", "router"), ("snat-", "snat"), ("fip-", "fip"), ("ovnmeta-", "ovn_metadata"))

# INI lines as oslo.config's iniparser reads them:
#   "[ml2_type_vlan]"                       section
#   "network_vlan_ranges = physnet1:100:200"  or "key: value"   assignment
#   "    physnet2:300:400"                  continuation of the previous value (leading whitespace)
_SECTION_RE = re.compile(r"^\[(?P<name>[^\]]*)\]\s*$")
_ASSIGN_RE = re.compile(r"^(?P<key>[^:=]*[^:=\s])\s*[:=](?P<value>.*)$")

# iptables-save rule: "-A POSTROUTING -p udp -m udp --dport 68 -j CHECKSUM --checksum-fill"
#                     "-A neutron-dhcp-age-POSTROUTING -p udp -m udp --dport bootpc -j CHECKSUM --checksum-fill"
_DPORT_RE = re.compile(r"--dport\s+(?P<port>\S+)")
_DHCP_CLIENT_PORTS = {4: ("68", "bootpc"), 6: ("546", "dhcpv6-client")}
# `ip -all netns exec` separator line: "netns: qdhcp-0b1c5d2e-..." (preceded by an empty line)
_NETNS_HEADER_RE = re.compile(r"^netns: (?P<name>\S+)$")


class IniError(ValueError):
    """A line oslo.config would refuse; carries its 1-based line number."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def ini_lines(text: str):
    """Classify every line of INI text the way oslo.config's iniparser reads it, raising IniError on the first bad one.

    Yields ``(number, kind, raw, section, key, value)`` per physical line, ``raw`` with its line
    ending: ``kind`` is ``blank``, ``comment``, ``section`` (``section`` is its name), ``assign``
    (``key``, ``value`` stripped, surrounding quotes removed) or ``continuation`` (of ``key``,
    ``value`` the continued text). Both :func:`parse_ini` and the editor in neutron_edit read this.
    """
    section = None
    key = None
    for number, raw in enumerate(text.splitlines(keepends=True), 1):
        line = raw.rstrip()
        if not line:
            key = None
            yield number, "blank", raw, section, None, None
            continue
        if line[0] in " \t":
            if key is None:
                raise IniError(number, f"unexpected continuation line {line.strip()!r}")
            yield number, "continuation", raw, section, key, line.lstrip()
            continue
        key = None
        if line.startswith("["):
            if line[-1] != "]":
                raise IniError(number, f"invalid section (must end with ]): {line!r}")
            if len(line) <= 2:
                raise IniError(number, "empty section name")
            section = line[1:-1]
            yield number, "section", raw, section, None, None
        elif line[0] in "#;":
            yield number, "comment", raw, section, None, None
        else:
            match = _ASSIGN_RE.match(line)
            if not match:
                raise IniError(number, f"no ':' or '=' found in assignment {line!r}")
            if section is None:
                raise IniError(number, "section must be started before assignment")
            key = match.group("key").strip()
            value = match.group("value").strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            yield number, "assign", raw, section, key, value


def parse_ini(text: str) -> dict:
    """Parse INI text as oslo.config's iniparser does: ``{section: {key: [values...]}}``, every occurrence kept.

    Whole-line comments start with ``#`` or ``;`` (an inline ``#`` is part of the value, as in
    oslo.config); a line starting with whitespace continues the previous value (joined with a
    newline) and a blank line ends it; matching surrounding quotes are removed. Raises IniError
    with oslo.config's reasons: unexpected continuation, bad section header, no ``:``/``=``,
    empty key, assignment before any section.
    """
    sections: dict = {}
    for _number, kind, _raw, section, key, value in ini_lines(text):
        if kind == "section":
            sections.setdefault(section, {})
        elif kind == "assign":
            sections[section].setdefault(key, []).append(value)
        elif kind == "continuation":
            values = sections[section][key]
            values[-1] = values[-1] + "\n" + value
    return sections


def merge_configs(parsed_files) -> dict:
    """Merge parsed files in load order: a later file's value for a key replaces an earlier one."""
    merged: dict = {}
    for sections in parsed_files:
        for section, keys in sections.items():
            target = merged.setdefault(section, {})
            for key, values in keys.items():
                target[key] = list(values)
    return merged


def _last(conf: dict, section: str, key: str):
    values = conf.get(section, {}).get(key)
    return values[-1] if values else None


def parse_list(value) -> list:
    """oslo.config ListOpt: comma separated, items stripped, empty items dropped (``public,`` -> ['public'])."""
    if value is None:
        return []
    return [item.strip() for item in value.replace("\n", ",").split(",") if item.strip()]


def parse_mappings(value) -> dict:
    """``physnet1:br-ex,physnet2:br-vlan`` -> ``{"physnet1": "br-ex", ...}`` (bad items skipped)."""
    result = {}
    for item in parse_list(value):
        name, sep, target = item.partition(":")
        if sep and name.strip():
            result[name.strip()] = target.strip()
    return result


def parse_vlan_ranges(value) -> dict:
    """``physnet1:100:200,physnet2`` -> ``{"physnet1": [[100, 200]], "physnet2": []}``."""
    result: dict = {}
    for item in parse_list(value):
        parts = [part.strip() for part in item.split(":")]
        ranges = result.setdefault(parts[0], [])
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            ranges.append([int(parts[1]), int(parts[2])])
    return result


def _int_option(conf, section, key, default, errors, source):
    value = _last(conf, section, key)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        errors.append({"file": source.get((section, key)), "line": None, "message": f"[{section}] {key} = {value!r} is not an integer"})
        return default


def summarize(conf: dict, errors: list, source: dict | None = None) -> dict:
    """The neutron facts computed from a merged config (Neutron's defaults where unset)."""
    source = source or {}
    global_physnet_mtu = _int_option(conf, "DEFAULT", "global_physnet_mtu", mtu.NEUTRON_DEFAULT_GLOBAL_PHYSNET_MTU, errors, source)
    path_mtu = _int_option(conf, "ml2", "path_mtu", 0, errors, source)
    overlay_ip_version = _int_option(conf, "ml2", "overlay_ip_version", 4, errors, source)
    if overlay_ip_version not in mtu.IP_HEADER:
        errors.append({"file": source.get(("ml2", "overlay_ip_version")), "line": None, "message": f"overlay_ip_version {overlay_ip_version} is not 4 or 6"})
        overlay_ip_version = 4
    geneve = _int_option(conf, "ml2_type_geneve", "max_header_size", mtu.NEUTRON_GENEVE_DEFAULT_MAX_HEADER_SIZE, errors, source)
    physical_network_mtus = {}
    for name, value in parse_mappings(_last(conf, "ml2", "physical_network_mtus")).items():
        try:
            physical_network_mtus[name] = int(value)
        except ValueError:
            message = f"physical_network_mtus {name}:{value} is not an integer"
            errors.append({"file": source.get(("ml2", "physical_network_mtus")), "line": None, "message": message})
    flat_value = _last(conf, "ml2_type_flat", "flat_networks")
    flat_networks = ["*"] if flat_value is None else parse_list(flat_value)
    vlan_ranges = parse_vlan_ranges(_last(conf, "ml2_type_vlan", "network_vlan_ranges"))
    bridge_mappings = parse_mappings(_last(conf, "ovs", "bridge_mappings"))
    interface_mappings = parse_mappings(_last(conf, "linux_bridge", "physical_interface_mappings"))
    local_ip = _last(conf, "ovs", "local_ip") or _last(conf, "vxlan", "local_ip")
    tunnel_types = parse_list(_last(conf, "agent", "tunnel_types"))
    settings = {
        "global_physnet_mtu": global_physnet_mtu,
        "path_mtu": path_mtu,
        "physical_network_mtus": physical_network_mtus,
        "overlay_ip_version": overlay_ip_version,
        "type_drivers": parse_list(_last(conf, "ml2", "type_drivers")),
        "tenant_network_types": parse_list(_last(conf, "ml2", "tenant_network_types")),
        "mechanism_drivers": parse_list(_last(conf, "ml2", "mechanism_drivers")),
        "geneve_max_header_size": geneve,
        "network_vlan_ranges": vlan_ranges,
        "flat_networks": flat_networks,
        "bridge_mappings": bridge_mappings,
        "physical_interface_mappings": interface_mappings,
        "local_ip": local_ip or None,
        "tunnel_types": tunnel_types,
        "dhcp_lease_duration": _int_option(conf, "DEFAULT", "dhcp_lease_duration", 86400, errors, source),
    }
    settings["network_mtus"] = network_mtus(settings)
    return settings


def network_mtus(settings: dict) -> dict:
    """Neutron's MTU per network type from parsed settings: physnets are those of network_vlan_ranges,
    flat_networks (``*`` names none), physical_network_mtus, bridge_mappings and physical_interface_mappings."""
    physnets = set(settings.get("network_vlan_ranges") or {}) | {name for name in settings.get("flat_networks") or [] if name != "*"}
    for key in ("physical_network_mtus", "bridge_mappings", "physical_interface_mappings"):
        physnets |= set(settings.get(key) or {})
    return mtu.neutron_network_mtus(
        settings.get("global_physnet_mtu"),
        settings.get("path_mtu"),
        settings.get("physical_network_mtus") or {},
        sorted(physnets),
        settings.get("overlay_ip_version") or 4,
        settings.get("geneve_max_header_size"),
    )


def config_files(directory: str) -> list:
    """``(rank, path)`` of the Neutron config files present in ``directory``."""
    found = []
    seen = set()
    for pattern, rank in _FILE_RANKS:
        for path in sorted(glob.glob(os.path.join(directory, pattern))):
            if path not in seen and os.path.isfile(path):
                seen.add(path)
                found.append((rank, path))
    return found


def load_config(config_dirs, explicit: bool) -> tuple:
    """Read and merge the config files of ``config_dirs``; returns ``(files, merged, errors, source)``."""
    errors: list = []
    ranked = []
    for order, directory in enumerate(config_dirs):
        if not os.path.isdir(directory):
            if explicit:
                errors.append({"file": directory, "line": None, "message": "not a readable directory"})
            continue
        if not os.access(directory, os.R_OK | os.X_OK):
            errors.append({"file": directory, "line": None, "message": "directory is not readable"})
            continue
        ranked.extend((rank, order, path) for rank, path in config_files(directory))
    ranked.sort(key=lambda item: (item[0], item[1]))
    files, parsed, source = [], [], {}
    for _rank, _order, path in ranked:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                sections = parse_ini(handle.read())
        except IniError as exc:
            errors.append({"file": path, "line": exc.line, "message": str(exc)})
            files.append(path)
            continue
        except OSError as exc:
            errors.append({"file": path, "line": None, "message": exc.strerror or str(exc)})
            continue
        files.append(path)
        parsed.append(sections)
        for section, keys in sections.items():
            for key in keys:
                source[(section, key)] = path
    return files, merge_configs(parsed), errors, source


def default_config_dirs() -> list:
    """The directories searched when ``neutron_config_dirs`` is not given."""
    dirs = []
    for pattern in DEFAULT_CONFIG_GLOBS:
        dirs.extend(sorted(glob.glob(pattern)) if "*" in pattern else [pattern])
    return dirs


def has_dhcp_checksum_fill(text: str, family: int = 4) -> bool:
    """Whether iptables-save output holds a mangle rule ``-p udp --dport 68|bootpc (546) -j CHECKSUM --checksum-fill``."""
    table = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("*"):
            table = line[1:]
            continue
        if table != "mangle" or not line.startswith("-A ") or "-j CHECKSUM" not in line or "--checksum-fill" not in line:
            continue
        tokens = line.split()
        if "-p" not in tokens or tokens[tokens.index("-p") + 1 : tokens.index("-p") + 2] != ["udp"]:
            continue
        match = _DPORT_RE.search(line)
        if match and match.group("port") in _DHCP_CLIENT_PORTS[family]:
            return True
    return False


def split_all_netns_output(text: str) -> dict:
    """Split ``ip -all netns exec CMD`` output into ``{netns: output}``."""
    result: dict = {}
    current = None
    lines: list = []
    for line in text.splitlines():
        match = _NETNS_HEADER_RE.match(line)
        if match:
            if current is not None:
                result[current] = "\n".join(lines).strip("\n") + "\n"
            current, lines = match.group("name"), []
            continue
        if current is not None:
            lines.append(line)
    if current is not None:
        result[current] = "\n".join(lines).strip("\n") + "\n"
    return result


def parse_dnsmasq_cmdline(raw: bytes):
    """``{"interfaces", "ipv6"}`` from a /proc/PID/cmdline of dnsmasq (NUL separated), None for another program."""
    argv = [part.decode("utf-8", "replace") for part in raw.split(b"\0") if part]
    if not argv or os.path.basename(argv[0]) != "dnsmasq":
        return None
    interfaces, ipv6 = [], False
    iterator = iter(argv[1:])
    for arg in iterator:
        if arg.startswith("--interface="):
            interfaces.append(arg.split("=", 1)[1])
        elif arg in ("-i", "--interface"):
            interfaces.append(next(iterator, ""))
        elif arg.startswith("-i") and len(arg) > 2:
            interfaces.append(arg[2:])
        elif arg.startswith("--dhcp-range="):
            # "--dhcp-range=set:subnet-...,fd00:1::,static,64,86400s" or "...,10.0.0.0,static,255.255.255.0,86400s"
            ipv6 = ipv6 or any(":" in field and "set:" not in field and "tag:" not in field for field in arg.split("=", 1)[1].split(","))
    return {"interfaces": [name for name in interfaces if name], "ipv6": ipv6, "text": " ".join(argv)}


def _namespace_kind(name: str):
    for prefix, kind in NAMESPACE_KINDS:
        if name.startswith(prefix):
            return kind
    return None


def _try_run(run, argv):
    try:
        rc, out, err = run(argv)
    except (OSError, ValueError):
        return None, ""
    return (out if rc == 0 else None), err or ""


def _save_argv(tool: str) -> list:
    """iptables-save of the mangle table. The legacy tools get no ``-t mangle``: naming a table loads it into the
    namespace (an empty legacy mangle table appears), and a read must change nothing; the table header tells."""
    return [tool] if "legacy" in tool else [tool, "-t", "mangle"]


def _fill_rules(run, prefix, names):
    """``{netns: {"ipv4", "ipv6"}}`` for ``names`` via one ``ip -all netns exec`` per tool, per-namespace if that fails."""
    result = {name: {"ipv4": False, "ipv6": False} for name in names}
    for family, tools in ((4, ("iptables-save", "iptables-legacy-save")), (6, ("ip6tables-save", "ip6tables-legacy-save"))):
        key = f"ipv{family}"
        for index, tool in enumerate(tools):
            out, err = _try_run(run, [*prefix, *_save_argv(tool)])
            outputs = split_all_netns_output(out) if out is not None else None
            if outputs is None:
                outputs = {}
                for name in names:
                    single, _err = _try_run(run, ["ip", "netns", "exec", name, *_save_argv(tool)])
                    if single is not None:
                        outputs[name] = single
            for name in names:
                if has_dhcp_checksum_fill(outputs.get(name, ""), family):
                    result[name][key] = True
            # the nft-backed tool says so when legacy tables exist: only then read them as well
            if index == 0 and "legacy tables present" not in err:
                break
    return result


def _root_fill_rule(run):
    result = {"ipv4": False, "ipv6": False}
    for family, tools in ((4, ("iptables-save", "iptables-legacy-save")), (6, ("ip6tables-save", "ip6tables-legacy-save"))):
        for index, tool in enumerate(tools):
            out, err = _try_run(run, _save_argv(tool))
            if out is not None and has_dhcp_checksum_fill(out, family):
                result[f"ipv{family}"] = True
            if index == 0 and "legacy tables present" not in err:
                break
    return result


def _netns_inodes(netns_root: str, names) -> dict:
    inodes = {}
    for name in names:
        try:
            inodes[os.stat(os.path.join(netns_root, name)).st_ino] = name
        except OSError:
            continue
    return inodes


def dnsmasq_processes(proc_root: str, netns_root: str, names) -> list:
    """dnsmasq processes from /proc/*/cmdline with the namespace they run in (None: the root namespace)."""
    inodes = _netns_inodes(netns_root, names)
    try:
        root_ns = os.stat(os.path.join(proc_root, "self", "ns", "net")).st_ino
    except OSError:
        root_ns = None
    servers = []
    for entry in os.listdir(proc_root) if os.path.isdir(proc_root) else []:
        if not entry.isdigit():
            continue
        try:
            with open(os.path.join(proc_root, entry, "cmdline"), "rb") as handle:
                parsed = parse_dnsmasq_cmdline(handle.read())
        except OSError:
            continue
        if parsed is None:
            continue
        server = {"pid": int(entry), "netns": None, "interfaces": parsed["interfaces"], "ipv6": parsed["ipv6"]}
        try:
            inode = os.stat(os.path.join(proc_root, entry, "ns", "net")).st_ino
        except OSError:
            # dnsmasq drops to an unprivileged user; without CAP_SYS_PTRACE (a container) its
            # namespace link cannot be read. Neutron names the namespace after the network id,
            # which also stands in dnsmasq's own paths (--pid-file=/var/lib/neutron/dhcp/<id>/pid).
            server["netns"] = _namespace_named_in(parsed["text"], names)
            server["netns_unknown"] = server["netns"] is None
        else:
            if inode != root_ns:
                server["netns"] = inodes.get(inode, f"net:[{inode}]")
        servers.append(server)
    return sorted(servers, key=lambda server: server["pid"])


def _namespace_named_in(text: str, names) -> str | None:
    """The qdhcp namespace whose network id appears in a dnsmasq command line, if exactly one does."""
    found = [name for name in names if name.startswith("qdhcp-") and len(name) > 6 and name[6:] in text]
    return found[0] if len(found) == 1 else None


def port_links(links):
    """Yield ``(ifname, link)`` for a namespace's links (``ip -j link`` dicts), leaving out loopback and odd names."""
    for link in links:
        ifname = link.get("ifname")
        if not ifname or link.get("link_type") == "loopback":
            continue
        try:
            validate_ifname(ifname)
        except InvalidName:
            continue
        yield ifname, link


def _dhcp_interfaces(run, names, checksum_for=None) -> dict:
    """``{netns: {ifname: {"mtu", "tx_checksum"}}}`` of Neutron's namespaces: one `ip -j link` for all, ethtool per interface.

    ``tx_checksum`` (one ethtool per interface) only for the namespaces in ``checksum_for`` (default: all).
    """
    result = {name: {} for name in names}
    out, _err = _try_run(run, ["ip", "-all", "netns", "exec", "ip", "-j", "link", "show"])
    outputs = split_all_netns_output(out) if out is not None else {}
    for name in names:
        text = outputs.get(name)
        if text is None:
            text, _err = _try_run(run, ["ip", "-n", name, "-j", "link", "show"])
        try:
            links = json.loads(text) if text else []
        except ValueError:
            links = []
        for ifname, link in port_links(links):
            if checksum_for is not None and name not in checksum_for:
                result[name][ifname] = {"mtu": link.get("mtu")}
                continue
            features, _err = _try_run(run, ["ip", "netns", "exec", name, "ethtool", "-k", ifname])
            offloads = ethtool.parse_ethtool_k(features) if features else {}
            tx = offloads.get("tx-checksumming")
            result[name][ifname] = {"mtu": link.get("mtu"), "tx_checksum": tx["enabled"] if tx else None}
    return result


def collect_namespaces(run, netns_root: str = "/run/netns", proc_root: str = "/proc") -> tuple:
    """``(namespaces, dhcp_servers, checksum_fill_root)`` of the neutron facts."""
    try:
        entries = sorted(os.listdir(netns_root))
    except OSError:
        entries = []
    names = []
    for entry in entries:
        try:
            names.append(validate_netns(entry))
        except InvalidName:
            continue
    namespaces = {name: {"kind": _namespace_kind(name)} for name in names if _namespace_kind(name)}
    dhcp = [name for name, data in namespaces.items() if data["kind"] == "dhcp"]
    servers = dnsmasq_processes(proc_root, netns_root, names)
    # router and SNAT namespaces: the MTUs of their qr-/qg-/sg- ports (NEUTRON_PORT_MTU_EXCEEDS_OVERLAY)
    routers = [name for name, data in namespaces.items() if data["kind"] in ("router", "snat")]
    port_mtus = _dhcp_interfaces(run, dhcp + routers, set(dhcp)) if (dhcp or routers) else {}
    for name in routers:
        namespaces[name]["interfaces"] = port_mtus[name]
    if dhcp:
        fills = _fill_rules(run, ["ip", "-all", "netns", "exec"], dhcp)
        interfaces = {name: port_mtus[name] for name in dhcp}
        served = {server["netns"] for server in servers}
        for server in servers:
            if server.get("netns_unknown"):
                # last resort: the namespace that holds the interface dnsmasq serves on
                holders = [name for name in dhcp if set(server["interfaces"]) & set(interfaces[name])]
                if len(holders) == 1:
                    server["netns"] = holders[0]
                    served.add(holders[0])
        for server in servers:
            server.pop("netns_unknown", None)
        for name in dhcp:
            namespaces[name].update({"interfaces": interfaces[name], "dhcp_served": name in served, "checksum_fill": fills[name]})
    return namespaces, servers, _root_fill_rule(run)


def empty_facts() -> dict:
    """The neutron facts when no configuration is found: ``found: false`` and empty/null values."""
    return {
        "found": False,
        "files": [],
        "errors": [],
        "global_physnet_mtu": None,
        "path_mtu": None,
        "physical_network_mtus": {},
        "overlay_ip_version": None,
        "type_drivers": [],
        "tenant_network_types": [],
        "mechanism_drivers": [],
        "geneve_max_header_size": None,
        "network_vlan_ranges": {},
        "flat_networks": [],
        "bridge_mappings": {},
        "physical_interface_mappings": {},
        "local_ip": None,
        "tunnel_types": [],
        "network_mtus": {"vxlan": None, "gre": None, "geneve": None, "vlan": {}, "flat": {}},
    }


def collect(config_dirs, run, netns_root: str = "/run/netns", proc_root: str = "/proc") -> dict:
    """The ``neutron`` facts of docs/facts.md. Never raises on bad configuration: problems go to ``errors``."""
    explicit = config_dirs is not None
    dirs = list(config_dirs) if explicit else default_config_dirs()
    files, merged, errors, source = load_config(dirs, explicit)
    if files:
        facts = {"found": True, "files": files, "errors": errors}
        facts.update(summarize(merged, errors, source))
    else:
        facts = empty_facts()
        facts["errors"] = errors
    namespaces, servers, root_fill = collect_namespaces(run, netns_root, proc_root)
    facts.update({"namespaces": namespaces, "dhcp_servers": servers, "checksum_fill_root": root_fill})
    return facts
