# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""A sosreport (or a directory of captured output in sos's layout) as the source of net_facts.

The live gatherer runs commands; :class:`SosReport` answers the same questions from the files sos
wrote, and hands them to the same parsers (iplink, ovs, ethtool, counters, neutron). sos names a
command's output file after the command line, spaces turned into ``_`` and ``/`` into ``.``:
``ip -s -d link`` → ``sos_commands/networking/ip_-s_-d_link``, ``ovs-appctl ofproto/list-tunnels`` →
``sos_commands/openvswitch/ovs-appctl_ofproto.list-tunnels``. Files that are missing shrink the
facts and are named in ``errors``; nothing here raises on a partial report. Only reads files below
the root it is given.
"""

from __future__ import annotations

import glob
import json
import os
import re

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import (
    counters,
    drivers,
    ethtool,
    iplink,
    kernlog,
    neutron,
    nic_catalogue,
    ovs,
)
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import InvalidName, ParseError, validate_netns

NET = "sos_commands/networking"
OVS = "sos_commands/openvswitch"
# Where sos (3.x, 4.x) and the plugins net_facts reads leave what it needs.
LINK_FILES = (f"{NET}/ip_-s_-d_link", f"{NET}/ip_-d_-s_link")
ADDRESS_FILES = (f"{NET}/ip_-d_address", f"{NET}/ip_address", f"{NET}/ip_addr")
ROUTE4_FILES = (f"{NET}/ip_route_show_table_all", f"{NET}/ip_-4_route_show_table_all")
ROUTE6_FILES = (f"{NET}/ip_-6_route_show_table_all",)
HOSTNAME_FILES = ("hostname", "sos_commands/host/hostname", "sos_commands/general/hostname", "etc/hostname")
UNAME_FILES = ("uname", "sos_commands/kernel/uname_-a", "sos_commands/general/uname_-a")
DATE_FILES = ("sos_commands/date/date", "date", "sos_commands/general/date")
UPTIME_FILES = ("sos_commands/host/uptime", "uptime", "sos_commands/general/uptime", "proc/uptime")
KERNEL_LOG_FILES = (
    "var/log/kern.log",
    "sos_commands/logs/journalctl_--no-pager",
    "sos_commands/logs/journalctl_--no-pager_--catalog_--boot",
    "sos_commands/kernel/dmesg",
)
PS_FILES = ("sos_commands/process/ps_auxwww", "sos_commands/process/ps_auxwwwm", "sos_commands/process/ps_alxwww")
IPTABLES_ROOT = ("sos_commands/firewall_tables/iptables-save", f"{NET}/iptables-save")
IP6TABLES_ROOT = ("sos_commands/firewall_tables/ip6tables-save", f"{NET}/ip6tables-save")
NEUTRON_CONFIG_GLOBS = ("etc/neutron", "etc/kolla/neutron-*", "var/lib/config-data/puppet-generated/neutron/etc/neutron")
OPENFLOW_VERSIONS = ("OpenFlow15", "OpenFlow14", "OpenFlow13", "OpenFlow12", "OpenFlow11", "OpenFlow10")

# ethtool -i bus-info: "0000:00:03.0" (PCI), "usb-0000:00:14.0-1" / "2-1:1.0" (USB)
_PCI_BUS_RE = re.compile(r"^[0-9a-fA-F]{4,8}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$")
_USB_BUS_RE = re.compile(r"^(?:usb-\S+|\d+-[\d.]+(?::\d+\.\d+)?)$")
# `ip netns` line: "qrouter-984c22fd-64b3-4fa1-8ddd-87090f401ce5 (id: 10)"
# `ovs-vsctl show` lines, by indentation: "    Bridge br-int", "        Port tap0e778df8-ca", "            tag: 1",
# "            Interface tap0e778df8-ca", "                type: patch"
_SHOW_RE = re.compile(r"^(?P<indent>\s*)(?P<key>Bridge|Port|Interface|tag|trunks|vlan_mode|type|options|datapath_type|error|ovs_version)[:]?\s+(?P<value>.*)$")
# "default via 10.0.0.2 dev br-ens3 proto static" (ip route text)
_ROUTE_TYPES = frozenset(("unicast", "local", "broadcast", "multicast", "anycast", "unreachable", "blackhole", "prohibit", "throw", "nat"))


def sos_name(command: str) -> str:
    """The file name sos gives a command's output: ``ovs-appctl ofproto/list-tunnels`` → ``ovs-appctl_ofproto.list-tunnels``."""
    return command.strip().replace("/", ".").replace(" ", "_")[:255]


def find_root(path: str) -> str:
    """``path`` itself when it looks like a sosreport, else its single ``sosreport-*`` (or ``sos_commands``-holding) child."""
    if os.path.isdir(os.path.join(path, "sos_commands")):
        return path
    try:
        children = [os.path.join(path, name) for name in sorted(os.listdir(path))]
    except OSError:
        return path
    candidates = [child for child in children if os.path.isdir(os.path.join(child, "sos_commands"))]
    return candidates[0] if len(candidates) == 1 else path


def _unquote(value: str) -> str:
    value = value.strip()
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def parse_vsctl_show(text: str) -> dict:
    """``ovs-vsctl show`` → ``{"version", "bridges": {name: {"datapath_type", "ports": {port: PORT}}}}``.

    PORT is ``{tag, trunks, vlan_mode, interfaces: {name: {type, options, error}}}``.
    """
    bridges: dict = {}
    version = None
    bridge = port = iface = None
    for line in (text or "").splitlines():
        match = _SHOW_RE.match(line)
        if not match:
            continue
        key, value, depth = match.group("key"), match.group("value").strip(), len(match.group("indent"))
        if key == "ovs_version":
            version = _unquote(value)
        elif key == "Bridge":
            bridge = bridges.setdefault(_unquote(value), {"datapath_type": None, "ports": {}})
            port = iface = None
        elif bridge is None:
            continue
        elif key == "datapath_type" and port is None:
            bridge["datapath_type"] = value
        elif key == "Port":
            port = bridge["ports"].setdefault(_unquote(value), {"tag": None, "trunks": [], "vlan_mode": None, "interfaces": {}})
            iface = None
        elif port is None:
            continue
        elif key == "Interface":
            iface = port["interfaces"].setdefault(_unquote(value), {"type": "", "options": {}, "error": None})
        elif iface is not None and depth > 12 and key in ("type", "options", "error"):
            iface[key] = ovs.text_value(value) if key == "options" else _unquote(value)
        elif key == "tag":
            port["tag"] = int(value) if value.isdigit() else None
        elif key == "trunks":
            port["trunks"] = [int(item) for item in re.findall(r"\d+", value)]
        elif key == "vlan_mode":
            port["vlan_mode"] = value
    return {"version": version, "bridges": bridges}


def parse_route_text(text: str) -> list[dict]:
    """``ip [-6] route show table all`` text → route objects shaped like ``ip -j route`` (type, dst, dev, gateway, table, metric)."""
    routes: list[dict] = []
    for line in (text or "").splitlines():
        words = line.split()
        if not words:
            continue
        if line[0].isspace():  # "\tnexthop via 10.0.0.1 dev eth0 weight 1" of a multipath route
            if routes and words[0] == "nexthop" and "dev" in words and not routes[-1].get("dev"):
                routes[-1]["dev"] = words[words.index("dev") + 1] if words.index("dev") + 1 < len(words) else None
            continue
        route: dict = {"type": "unicast"}
        index = 0
        if words[0] in _ROUTE_TYPES:
            route["type"] = words[0]
            index = 1
        if index >= len(words):
            continue
        route["dst"] = words[index]
        index += 1
        while index < len(words):
            word = words[index]
            nxt = words[index + 1] if index + 1 < len(words) else None
            if word in ("dev", "table", "metric") and nxt is not None:
                route[word] = int(nxt) if word == "metric" and nxt.isdigit() else nxt
                index += 2
            elif word == "via" and nxt is not None:
                route["gateway"] = nxt.split("/")[-1] if nxt.startswith("inet") else nxt
                index += 2
            else:
                index += 1
        routes.append(route)
    return routes


def parse_ps_dnsmasq(text: str, names) -> list:
    """dnsmasq processes from ``ps auxwww``-style output: ``[{pid, netns, interfaces, ipv6}]`` (netns from the network id in its arguments)."""
    servers = []
    for line in (text or "").splitlines():
        if "dnsmasq" not in line:
            continue
        words = line.split()
        start = next((i for i, word in enumerate(words) if os.path.basename(word) == "dnsmasq"), None)
        if start is None:
            continue
        pid = next((int(word) for word in words[:start] if word.isdigit()), None)
        parsed = neutron.parse_dnsmasq_cmdline("\0".join(words[start:]).encode())
        if parsed is None:
            continue
        server = {"pid": pid, "netns": neutron._namespace_named_in(parsed["text"], names), "interfaces": parsed["interfaces"], "ipv6": parsed["ipv6"]}
        servers.append(server)
    return sorted(servers, key=lambda server: server["pid"] or 0)


class SosReport:
    """The files of one sosreport below ``root``; ``errors`` collects what is missing, per subset."""

    def __init__(self, root: str, window_hours: int = kernlog.DEFAULT_WINDOW_HOURS):
        self.root = os.path.abspath(root)
        self.window_hours = window_hours
        self.errors: list[dict] = []
        self._cache: dict = {}

    # ------------------------------------------------------------------ files

    def path(self, relpath: str) -> str:
        """The absolute path of ``relpath`` (never outside the root: '..' parts are refused)."""
        if ".." in relpath.split("/"):
            raise ValueError(f"{relpath}: not below the sosreport")
        return os.path.join(self.root, relpath)

    def read(self, relpath: str) -> str | None:
        """The text of ``relpath`` or None when the report lacks it (or it cannot be read)."""
        if relpath not in self._cache:
            try:
                with open(self.path(relpath), encoding="utf-8", errors="replace") as handle:
                    self._cache[relpath] = handle.read()
            except (OSError, ValueError):
                self._cache[relpath] = None
        return self._cache[relpath]

    def first(self, candidates, subset: str | None = None, what: str | None = None):
        """``(relpath, text)`` of the first of ``candidates`` present; ``(None, None)`` (and an error under ``subset``) when none is."""
        for relpath in candidates:
            text = self.read(relpath)
            if text is not None:
                return relpath, text
        if subset is not None:
            self.missing(subset, what or " or ".join(candidates))
        return None, None

    def missing(self, subset: str, what: str) -> None:
        """Record that the report lacks ``what`` (the facts that need it are left out)."""
        self.errors.append({"subset": subset, "message": f"sosreport {os.path.basename(self.root)} has no {what}"})

    # ------------------------------------------------------------------ identity

    def hostname(self) -> str:
        """The host's name (``hostname``), else the report directory's name."""
        _path, text = self.first(HOSTNAME_FILES, "links", "hostname")
        name = (text or "").strip().splitlines()[0].strip() if (text or "").strip() else ""
        return name or os.path.basename(self.root)

    def kernel(self) -> str | None:
        """The kernel release from ``uname -a``."""
        _path, text = self.first(UNAME_FILES, "drivers", "uname -a")
        words = (text or "").split()
        return words[2] if len(words) > 2 else None

    def anchor(self):
        """The report's own clock (``date``), or None."""
        _path, text = self.first(DATE_FILES, "counters", "sos_commands/date/date (the time anchor of kernel-log windows)")
        return kernlog.parse_date(text)

    def source_facts(self) -> dict:
        """``ansible_facts.netdoctor.source``."""
        anchor = self.anchor()
        return {"kind": "sosreport", "path": self.root, "hostname": self.hostname(), "date": anchor.isoformat(sep=" ") if anchor else None}

    # ------------------------------------------------------------------ commands

    def run(self, argv, data=None):
        """Answer a command the live gatherer would run from the report: ``(rc, stdout, stderr)``; rc 127 when it holds no such output."""
        del data  # the live runner's signature; nothing here reads standard input
        argv = list(argv)
        if argv[:1] == ["ovs-ofctl"] and "dump-flows" in argv:
            bridge = argv[-1]
            candidates = [f"{OVS}/ovs-ofctl_dump-flows_{bridge}"] + [f"{OVS}/ovs-ofctl_-O_{version}_dump-flows_{bridge}" for version in OPENFLOW_VERSIONS]
            for relpath in candidates:
                text = self.read(relpath)
                if text is not None and ("cookie=" in text or "_FLOW reply" in text):
                    return 0, text, ""
            return 127, "", f"the sosreport has no ovs-ofctl dump-flows {bridge}"
        return 127, "", f"the sosreport has no output of {' '.join(argv)[:200]}"

    # ------------------------------------------------------------------ links

    def links(self) -> tuple[list, list]:
        """(raw link objects in ``ip -j`` shape with ``addr_info``, route objects) from the text files."""
        _lpath, link_text = self.first(LINK_FILES)
        _apath, addr_text = self.first(ADDRESS_FILES)
        if link_text is None and addr_text is None:
            self.missing("links", "ip -s -d link or ip -d address output")
            return [], []
        links = iplink.parse_link_text(link_text if link_text is not None else addr_text)
        if link_text is not None and addr_text is not None:
            addresses = {link["ifname"]: link.get("addr_info") for link in iplink.parse_link_text(addr_text)}
            for link in links:
                if addresses.get(link["ifname"]):
                    link["addr_info"] = addresses[link["ifname"]]
        elif addr_text is None:
            self.missing("links", "ip -d address output (addresses)")
        routes = []
        for candidates in (ROUTE4_FILES, ROUTE6_FILES):
            _rpath, text = self.first(candidates, "links", " or ".join(candidates))
            if text is not None:
                routes.extend(parse_route_text(text))
        return links, iplink.parse_routes_json(json.dumps(routes))

    # ------------------------------------------------------------------ OVS

    def ovs(self):
        """(``ovs`` facts, {iface: ovs entry}) from ``ovs-vsctl -t 5 list``/``show``; None when the report has no OVS data."""
        _p, interfaces_text = self.first((f"{OVS}/ovs-vsctl_-t_5_list_interface", f"{OVS}/ovs-vsctl_list_interface"))
        _p, show_text = self.first((f"{OVS}/ovs-vsctl_-t_5_show", f"{OVS}/ovs-vsctl_show"))
        if interfaces_text is None and show_text is None:
            return None
        _p, bridges_text = self.first((f"{OVS}/ovs-vsctl_-t_5_list_bridge", f"{OVS}/ovs-vsctl_list_bridge"))
        _p, system_text = self.first((f"{OVS}/ovs-vsctl_-t_5_list_Open_vSwitch", f"{OVS}/ovs-vsctl_list_Open_vSwitch"))
        try:
            iface_rows = ovs.parse_vsctl_list_text(interfaces_text or "")
            bridge_rows = ovs.parse_vsctl_list_text(bridges_text or "")
            system_rows = ovs.parse_vsctl_list_text(system_text or "")
        except ParseError as exc:
            self.errors.append({"subset": "links", "message": f"sosreport ovs-vsctl list: {exc}"})
            return None
        show = parse_vsctl_show(show_text or "")
        version = (system_rows[0].get("ovs_version") if system_rows else None) or show["version"]
        external_ids = system_rows[0].get("external_ids") if system_rows else None
        self.ovs_external_ids = external_ids if isinstance(external_ids, dict) else {}  # OVN chassis settings
        by_name = {row.get("name"): row for row in iface_rows}
        bridges_by_name = {row.get("name"): row for row in bridge_rows}
        ports, bridges = [], []
        for bridge_name in sorted(set(show["bridges"]) | set(bridges_by_name)):
            shown = show["bridges"].get(bridge_name) or {"datapath_type": None, "ports": {}}
            row = dict(bridges_by_name.get(bridge_name) or {"name": bridge_name})
            row["datapath_type"] = row.get("datapath_type") or shown["datapath_type"]
            row["ports"] = []
            for port_name, port in sorted(shown["ports"].items()):
                uuid = f"show:{bridge_name}:{port_name}"
                row["ports"].append(uuid)
                iface_uuids = []
                for iface_name, iface in port["interfaces"].items():
                    iface_row = by_name.get(iface_name)
                    if iface_row is None:  # list interface missing: what show says is all there is
                        iface_row = {
                            "_uuid": f"show-if:{iface_name}",
                            "name": iface_name,
                            "type": iface["type"],
                            "options": iface["options"],
                            "error": iface["error"],
                        }
                        iface_rows.append(iface_row)
                        by_name[iface_name] = iface_row
                    iface_uuids.append(iface_row.get("_uuid"))
                ports.append(
                    {"_uuid": uuid, "name": port_name, "interfaces": iface_uuids, "tag": port["tag"], "trunks": port["trunks"], "vlan_mode": port["vlan_mode"]}
                )
            bridges.append(row)
        if show_text is None:
            self.missing("links", "ovs-vsctl -t 5 show (OVS port tags and membership)")
        return ovs.build_ovs(version, bridges, ports, iface_rows)

    # ------------------------------------------------------------------ ethtool and drivers

    def ethtool_collect(self, names, features=None) -> dict:
        """ethtool.collect()'s shape from ``ethtool_-k_IF`` and ``ethtool_-i_IF``."""
        result = {}
        for name in names:
            k_text = self.read(f"{NET}/ethtool_-k_{name}")
            i_text = self.read(f"{NET}/ethtool_-i_{name}")
            states = ethtool.parse_ethtool_k(k_text) if k_text else {}
            if features is not None:
                wanted = set(features)
                states = {feature: state for feature, state in states.items() if feature in wanted}
            info = ethtool.parse_ethtool_i(i_text) if i_text else None
            drvinfo = None
            if info and info.get("driver"):
                drvinfo = {key: info.get(key) or "" for key in ("driver", "version", "firmware_version", "bus_info")}
            error = None
            if k_text is None and i_text is None:
                error = "the sosreport has no ethtool -k/-i output for it"
            result[name] = {"offloads": states, "drvinfo": drvinfo, "error": error}
        return result

    def describe_driver(self, name: str, drvinfo, usb_devices: dict | None = None) -> dict:
        """drivers.describe() against the report's sys/ copy, the bus told from ethtool's bus-info, USB ids from the kernel log."""
        result = drivers.describe(name, drvinfo, sysfs_root=self.path("sys"), kernel_release=self.kernel() or "")
        bus_info = result.get("bus_info") or ""
        if result.get("bus") is None:
            if _PCI_BUS_RE.match(bus_info):
                result["bus"] = "pci"
            elif _USB_BUS_RE.match(bus_info):
                result["bus"] = "usb"
            elif bus_info in ("", "N/A", "tap") and result.get("driver"):
                result["bus"] = "virtual"  # veth, bridge, tun, vxlan, openvswitch: no device below
        device = (usb_devices or {}).get(name)
        if device and result.get("bus") in (None, "usb"):
            result["bus"] = "usb"
            if result.get("usb") is None and device.get("vendor_id"):
                result["usb"] = {"vendor_id": device["vendor_id"], "product_id": device["product_id"], "configuration": device.get("configuration")}
            result["bound_driver"] = result.get("bound_driver") or device.get("driver")
            result["known_issues"] = nic_catalogue.match(result, self.kernel() or "")
        return result

    # ------------------------------------------------------------------ counters

    def kernel_log_lines(self):
        """(relpath, lines) of the first kernel log the report holds: kern.log, the journal (kernel lines), dmesg."""
        if "kernel_log" not in self._cache:
            self._cache["kernel_log"] = self._kernel_log_lines()
        return self._cache["kernel_log"]

    def _kernel_log_lines(self):
        for relpath in KERNEL_LOG_FILES:
            text = self.read(relpath)
            if text is None:
                continue
            lines = counters._log_lines(text)
            if relpath.startswith("sos_commands/logs/journalctl"):
                lines = [line for line in lines if " kernel: " in line]
            if lines:
                return relpath, lines
        self.missing("counters", "kernel log (var/log/kern.log, the journal or sos_commands/kernel/dmesg)")
        return None, []

    def host_counters(self) -> dict:
        """The host-wide ``counters`` facts, kernel-log counts within the window before the report's date."""
        _path, snmp_text = self.first(("proc/net/snmp",), "counters", "proc/net/snmp")
        snmp = counters.parse_snmp(snmp_text) if snmp_text else {}
        source, lines = self.kernel_log_lines()
        anchor = self.anchor()
        _upath, uptime_text = self.first(UPTIME_FILES)
        uptime = kernlog.parse_uptime(uptime_text)
        return {
            "snmp": snmp,
            "kernel_log": {
                "source": source,
                "lines_read": len(lines),
                "over_mtu_drops": kernlog.over_mtu_drops_windowed(lines, anchor, uptime, self.window_hours),
                "usb_symptoms": kernlog.usb_nic_symptoms(lines, anchor, uptime, self.window_hours),
                "anchor": anchor.isoformat(sep=" ") if anchor else None,
                "window_hours": self.window_hours,
            },
        }

    def usb_devices(self) -> dict:
        """{ifname: {usb_path, vendor_id, product_id, driver}} from the kernel log's enumeration lines."""
        return kernlog.usb_nic_devices(self.kernel_log_lines()[1])

    # ------------------------------------------------------------------ neutron

    def neutron(self, config_dirs=None) -> dict:
        """The ``neutron`` facts: the report's Neutron configuration, namespaces with their port MTUs, DHCP servers and fill rules."""
        explicit = config_dirs is not None
        if explicit:
            dirs = [self.path(str(d).lstrip("/")) for d in config_dirs]
        else:
            dirs = []
            for pattern in NEUTRON_CONFIG_GLOBS:
                dirs.extend(sorted(glob.glob(self.path(pattern))) if "*" in pattern else [self.path(pattern)])
        files, merged, errors, source = neutron.load_config(dirs, explicit)
        if files:
            facts = {"found": True, "files": files, "errors": errors}
            facts.update(neutron.summarize(merged, errors, source))
        else:
            facts = neutron.empty_facts()
            facts["errors"] = errors
        namespaces, servers, root_fill = self.namespaces()
        facts.update({"namespaces": namespaces, "dhcp_servers": servers, "checksum_fill_root": root_fill})
        return facts

    def namespaces(self) -> tuple:
        """``(namespaces, dhcp_servers, checksum_fill_root)`` from ``ip netns`` and the per-namespace files."""
        _p, text = self.first((f"{NET}/ip_netns",), "neutron", "ip netns output")
        names = []
        for line in (text or "").splitlines():
            if not line.strip() or line[:1].isspace() or line.startswith("Object "):
                continue
            try:
                names.append(validate_netns(line.partition(" ")[0]))
            except InvalidName:
                continue
        namespaces = {}
        for name in names:
            kind = neutron._namespace_kind(name)
            if kind is None:
                continue
            entry = {"kind": kind}
            if kind in ("dhcp", "router", "snat"):
                entry["interfaces"] = self._namespace_interfaces(name, with_checksum=kind == "dhcp")
            if kind == "dhcp":
                entry["checksum_fill"] = {
                    "ipv4": neutron.has_dhcp_checksum_fill(self.read(f"{NET}/ip_netns_exec_{name}_iptables-save") or "", 4),
                    "ipv6": neutron.has_dhcp_checksum_fill(self.read(f"{NET}/ip_netns_exec_{name}_ip6tables-save") or "", 6),
                }
            namespaces[name] = entry
        _p, ps_text = self.first(PS_FILES, "neutron", "ps auxwww output (dnsmasq processes)")
        servers = parse_ps_dnsmasq(ps_text or "", names)
        served = {server["netns"] for server in servers}
        for name, entry in namespaces.items():
            if entry["kind"] == "dhcp":
                entry["dhcp_served"] = name in served
                entry["checksum_fill"] = entry.pop("checksum_fill")
        root_fill = {
            "ipv4": neutron.has_dhcp_checksum_fill(self.first(IPTABLES_ROOT)[1] or "", 4),
            "ipv6": neutron.has_dhcp_checksum_fill(self.first(IP6TABLES_ROOT)[1] or "", 6),
        }
        return namespaces, servers, root_fill

    def _namespace_interfaces(self, name: str, with_checksum: bool) -> dict:
        """{ifname: {"mtu"[, "tx_checksum"]}} of one namespace (``ip netns exec NS ip [-d] address show``)."""
        candidates = [f"{NET}/ip_netns_exec_{name}_ip_-d_address_show", f"{NET}/ip_netns_exec_{name}_ip_address_show"]
        _p, text = self.first(candidates, "neutron", f"ip netns exec {name} ip address show")
        result = {}
        for ifname, link in neutron.port_links(iplink.parse_link_text(text or "")):
            entry = {"mtu": link.get("mtu")}
            if with_checksum:
                features = self.read(f"{NET}/ip_netns_exec_{name}_ethtool_-k_{ifname}")
                tx = ethtool.parse_ethtool_k(features).get("tx-checksumming") if features else None
                entry["tx_checksum"] = tx["enabled"] if tx else None
            result[ifname] = entry
        return result
