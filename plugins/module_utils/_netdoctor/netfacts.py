# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""Assembly of ``ansible_facts.netdoctor`` (docs/facts.md) for the net_facts module.

Option checks are pure; gather() does its I/O only through the ``run`` callable it is
given (``run(argv, data=None) -> (rc, stdout, stderr)``), the SIOCETHTOOL collector and sysfs
reads, so unit tests feed it captured output. Nothing here changes the system.
"""

from __future__ import annotations

import fnmatch
import os
import platform
import socket

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import (
    counters,
    dpflows,
    drivers,
    ethtool,
    iplink,
    neutron,
    ovn,
    ovs,
    tcfilter,
)
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import InvalidName, validate_ifname

SCHEMA = 1
SUBSETS = ("links", "offloads", "drivers", "vlan", "counters", "neutron")
_GLOB_CHARS = "*?[]"

# The ethtool features offloads reports by default: those the audit judges and an operator
# tunes (checksums, segmentation, receive coalescing, VLAN and tunnel offloads). Every feature
# of every port would be ~60 entries an interface, megabytes of facts on a node with 1,000 taps.
DEFAULT_OFFLOAD_FEATURES = (
    "rx-checksumming",
    "tx-checksumming",
    "scatter-gather",
    "tcp-segmentation-offload",
    "generic-segmentation-offload",
    "generic-receive-offload",
    "large-receive-offload",
    "rx-vlan-offload",
    "tx-vlan-offload",
    "rx-vlan-filter",
    "tx-udp_tnl-segmentation",
    "tx-gre-segmentation",
)


# The ethtool features that hold hardware VLAN stripping, filtering and insertion: the vlan
# subset reports them in ``offloads`` even when the offloads subset is not gathered.
VLAN_OFFLOAD_FEATURES = ("rx-vlan-offload", "rx-vlan-filter", "tx-vlan-offload")

# Keys of an interface entry left out when they do not apply to it (None or empty): a veth has
# no tunnel, an unenslaved port no master. A value that applies but could not be read stays null.
# On a node with 1,000 ports every key costs ansible-core time per value, so absent beats null.
OPTIONAL_LINK_KEYS = ("mac", "master", "master_kind", "lower", "vlan", "addresses", "bridge_ports", "bond_members", "ovs", "tunnel")
OPTIONAL_DRIVER_KEYS = ("version", "firmware_version", "bus_info", "usb", "bound_driver", "module", "known_issues")


def prune(entry: dict, keys) -> dict:
    """``entry`` without those of ``keys`` whose value is None or empty."""
    for key in keys:
        if key in entry and (entry[key] is None or entry[key] in ([], {}, "")):
            del entry[key]
    return entry


def report_offloads(states: dict, features) -> dict:
    """The offload keys of an interface entry for ``features`` (those the device has), in that order.

    ``offloads``: {feature: enabled}; ``offloads_fixed``: the features the device cannot change;
    ``offloads_requested``: {feature: wanted} only where ethtool prints "[requested on|off]"
    (the wanted state differs from the active one). Empty keys are left out.
    """
    enabled, fixed, requested = {}, [], {}
    for feature in features:
        state = states.get(feature)
        if state is None or feature in enabled:
            continue
        enabled[feature] = state.get("enabled")
        if state.get("fixed"):
            fixed.append(feature)
        if state.get("requested") is not None and state.get("requested") != state.get("enabled"):
            requested[feature] = state["requested"]
    return prune({"offloads": enabled, "offloads_fixed": fixed, "offloads_requested": requested}, ("offloads", "offloads_fixed", "offloads_requested"))


_PATTERN_FORBIDDEN = "$`;&|<>()\\'\"{}#~"


class OptionError(ValueError):
    """A module option that cannot be used; the message says why."""


def resolve_subsets(requested) -> list[str]:
    """gather_subset → the subsets to gather, in SUBSETS order (``links`` always).

    As with setup: ``all`` adds every subset, ``!all`` removes all but links, ``!name``
    excludes one; a list of only exclusions starts from ``all``.
    """
    items = [str(item).strip() for item in (requested if requested is not None else ["all"])]
    if not items:
        items = ["all"]
    valid = ", ".join(("all",) + SUBSETS)
    for item in items:
        name = item[1:] if item.startswith("!") else item
        if name not in SUBSETS and name != "all":
            raise OptionError(f"gather_subset: unknown subset {item!r}; valid subsets are {valid} (prefix with ! to exclude)")
        if item == "!links":
            raise OptionError("gather_subset: links cannot be excluded; every other subset hangs off it")
    includes = [item for item in items if not item.startswith("!")]
    excludes = {item[1:] for item in items if item.startswith("!")}
    selected = set(SUBSETS) if (not includes or "all" in includes) else set(includes)
    if "all" in excludes:
        selected = set(includes) - {"all"}
    selected -= excludes - {"all"}
    selected.add("links")
    return [name for name in SUBSETS if name in selected]


def resolve_offload_features(requested) -> tuple[str, ...] | None:
    """offload_features → the feature names to report, or None for every feature (``all``)."""
    if requested is None:
        return DEFAULT_OFFLOAD_FEATURES
    items = [str(item).strip() for item in requested]
    if "all" in items:
        return None
    for item in items:
        if not item or any(ch.isspace() or ch in _PATTERN_FORBIDDEN or ch in _GLOB_CHARS for ch in item):
            raise OptionError(f"offload_features: {item!r} is not an ethtool feature name")
    return tuple(items)


def validate_patterns(patterns) -> list[str]:
    """Check ``interfaces`` glob patterns; raise OptionError naming the bad one."""
    result = []
    for pattern in patterns or []:
        if not isinstance(pattern, str) or not pattern:
            raise OptionError(f"interfaces: {pattern!r} is not a non-empty string")
        if not any(ch in pattern for ch in _GLOB_CHARS):
            try:
                validate_ifname(pattern)
            except InvalidName as exc:
                raise OptionError(f"interfaces: {exc}") from None
        else:
            bad = [ch for ch in pattern if ch == "/" or ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or ch in _PATTERN_FORBIDDEN]
            if bad:
                raise OptionError(f"interfaces: pattern {pattern!r} contains {bad[0]!r}, which no interface name can hold")
            if pattern.count("[") != pattern.count("]"):
                raise OptionError(f"interfaces: pattern {pattern!r} has an unbalanced bracket expression")
        result.append(pattern)
    return result


def validate_config_dirs(dirs) -> list[str] | None:
    """Explicit neutron_config_dirs: an existing path that is not a readable directory is an error."""
    if dirs is None:
        return None
    result = []
    for path in dirs:
        if not isinstance(path, str) or not path:
            raise OptionError(f"neutron_config_dirs: {path!r} is not a path")
        if os.path.exists(path):
            if not os.path.isdir(path):
                raise OptionError(f"neutron_config_dirs: {path} exists but is not a directory")
            try:
                os.listdir(path)
            except OSError as exc:
                raise OptionError(f"neutron_config_dirs: {path} cannot be read: {exc.strerror or exc}") from None
        result.append(path)
    return result


def select(names, patterns) -> list[str]:
    """Interface names matching any glob pattern (all when there are no patterns)."""
    if not patterns:
        return list(names)
    return [name for name in names if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)]


def _ok(run, argv, errors, subset, *, data=None, quiet=False):
    """stdout of ``argv`` or None (recording a non-fatal error unless ``quiet``)."""
    try:
        rc, out, err = run(argv, data=data) if data is not None else run(argv)
    except OSError as exc:
        if not quiet:
            errors.append({"subset": subset, "message": f"{argv[0]}: {exc}"})
        return None
    if rc != 0:
        if not quiet:
            errors.append({"subset": subset, "message": f"{' '.join(argv)} failed (rc={rc}): {(err or '').strip()[:300]}"})
        return None
    return out or ""


def _gather_links(run, errors, source=None) -> tuple[dict, list]:
    if source is not None:  # a sosreport: the text of ip -s -d link / ip -d address, same facts
        links, routes = source.links()
        facts = iplink.link_facts(links, None)
        iplink.resolve_tunnels(facts, routes)
        return facts, routes
    out = _ok(run, ["ip", "-j", "-d", "-s", "link", "show"], errors, "links")
    if out is None:
        return {}, []
    links = iplink.parse_link_json(out)
    addr_out = _ok(run, ["ip", "-j", "addr", "show"], errors, "links")
    addresses = iplink.parse_addr_json(addr_out) if addr_out is not None else None
    facts = iplink.link_facts(links, addresses if addresses is not None else {})
    route4 = _ok(run, ["ip", "-j", "route", "show", "table", "all"], errors, "links") or ""
    route6 = _ok(run, ["ip", "-j", "-6", "route", "show", "table", "all"], errors, "links") or ""
    routes = iplink.parse_routes_json(route4, route6)
    iplink.resolve_tunnels(facts, routes)
    return facts, routes


def _gather_ovn(external_ids, facts, proc_root) -> dict | None:
    """docs/facts.md ``ovn`` (None on a host that is no OVN chassis): settings, encap interface, ovn-controller.

    ``proc_root`` None (a sosreport): whether ovn-controller runs is not known (null).
    """
    chassis = ovn.chassis_facts(external_ids)
    if chassis is None:
        return None
    chassis["encap_interface"], chassis["encap_interface_mtu"] = ovn.encap_interface(facts, chassis["encap_ip"])
    pid = ovn.controller_pid(proc_root) if proc_root is not None else None
    chassis["controller_running"], chassis["controller_pid"] = (pid is not None if proc_root is not None else None), pid
    return chassis


def _gather_ovs(run, facts, errors, proc_root="/proc", source=None) -> tuple[dict, dict, dict | None]:
    """(``ovs`` facts, {iface: ovs entry}, ``ovn`` facts or None); ``running: false`` when ovs-vsctl is missing or does not answer."""
    if source is not None:
        parsed = source.ovs()
        if parsed is None:
            return {"running": False, "version": None, "bridges": {}, "interfaces": {}}, {}, None
        ovs_facts, per_interface = parsed
        external_ids = getattr(source, "ovs_external_ids", None) or {}
        proc_root = None
    else:
        out = _ok(run, ["ovs-vsctl"] + ovs.vsctl_args(), errors, "links", quiet=True)
        if out is None:
            return {"running": False, "version": None, "bridges": {}, "interfaces": {}}, {}, None
        try:
            ovs_facts, per_interface, external_ids = ovs.parse_vsctl_chained_with_system(out)
        except ovs.ParseError as exc:
            errors.append({"subset": "links", "message": str(exc)})
            return {"running": False, "version": None, "bridges": {}, "interfaces": {}}, {}, None
    ovs_facts["interfaces"] = per_interface
    netdev = any(bridge["datapath_type"] == "netdev" for bridge in ovs_facts["bridges"].values())
    for name, entry in facts.items():
        ovs_entry = per_interface.get(name)
        if ovs_entry is not None:
            entry["ovs"] = ovs_entry
            if ovs_entry["type"] == "internal" and entry["kind"] in ("tap", "ovs_internal"):
                entry["kind"] = "ovs_internal"  # userspace datapath: internal ports are tap devices
        elif netdev and name == "ovs-netdev" and entry["kind"] == "tap":
            entry["kind"] = "ovs_system"  # the netdev datapath's own device
    return ovs_facts, per_interface, _gather_ovn(external_ids, facts, proc_root)


def _gather_vlan(run, facts, ovs_facts, selected, errors) -> dict[str, list]:
    """{iface: vlan0_strip methods} from OVS flows, tc ingress filters and VLAN-0 sub-devices."""
    methods: dict[str, list] = {name: [] for name in selected}
    strips_by_bridge = {}
    for bridge in sorted(ovs_facts.get("bridges") or {}):
        # Neutron bridges may refuse OpenFlow 1.0: offer every version, ovs-ofctl uses the highest both speak.
        out = _ok(run, ["ovs-ofctl", "-O", "OpenFlow10,OpenFlow11,OpenFlow12,OpenFlow13,OpenFlow14,OpenFlow15", "dump-flows", bridge], errors, "vlan")
        if out is None:
            continue
        flows = ovs.parse_dump_flows(out)
        strips_by_bridge[bridge] = ovs.vlan0_strip_flows(flows)
        ovs_facts["bridges"][bridge]["flows_checked"] = True
        tunnel_vlans = ovs.tunnel_local_vlans(flows)
        if tunnel_vlans:  # Neutron's br-tun: the br-int tags of ports on tunnel networks
            ovs_facts["bridges"][bridge]["tunnel_local_vlans"] = tunnel_vlans
    qdisc_out = _ok(run, ["tc", "-j", "qdisc", "show"], errors, "vlan")
    devices = tcfilter.ingress_devices(tcfilter.parse_qdisc_json(qdisc_out)) if qdisc_out else []
    devices = [dev for dev in devices if dev in methods]
    filters: dict[str, list] = {}
    if devices:
        out = _ok(run, ["tc", "-j", "-batch", "-"], errors, "vlan", data=tcfilter.batch_commands(devices))
        if out is not None:
            try:
                filters = tcfilter.parse_batch_output(out, devices)
            except tcfilter.ParseError as exc:
                errors.append({"subset": "vlan", "message": str(exc)})
    if strips_by_bridge:
        # frames that arrive priority-tagged, as the datapath saw them in the last seconds (one call, all datapaths)
        out = _ok(run, dpflows.dump_flows_args(), errors, "vlan")
        for port, seen in dpflows.priority_tagged_ports(out or "").items():
            if port in methods:
                facts[port]["priority_tags_seen"] = seen
    for name in selected:
        entry = facts[name]
        methods[name].extend(ovs.vlan0_methods_for(name, entry.get("ovs"), strips_by_bridge))
        methods[name].extend(tcfilter.vlan_pop_methods(name, filters.get(name, [])))
    for name, entry in facts.items():
        if entry["kind"] == "vlan" and (entry.get("vlan") or {}).get("id") == 0 and entry.get("lower") in methods:
            methods[entry["lower"]].append({"method": "vlan0_device", "device": name, "detail": f"{name}: vlan id 0 on {entry['lower']}"})
    return methods


def _reported_features(subsets, offload_features):
    """The ethtool features an interface entry reports: None for every one, () for none."""
    features: tuple = ()
    if "offloads" in subsets:
        if offload_features is None:
            return None
        features = tuple(offload_features)
    if "vlan" in subsets:
        features += tuple(f for f in VLAN_OFFLOAD_FEATURES if f not in features)
    return features


def gather(
    run,
    subsets,
    *,
    patterns=None,
    neutron_config_dirs=None,
    sysfs_root: str = "/sys",
    proc_root: str = "/proc",
    netns_root: str = "/run/netns",
    ethtool_collect=None,
    offload_features=DEFAULT_OFFLOAD_FEATURES,
    source=None,
) -> dict:
    """Everything docs/facts.md describes for ``subsets``; ``run(argv, data=None) -> (rc, out, err)``.

    ``source`` (a sosreport.SosReport) answers from a sosreport's files instead of the live host:
    ``run`` is then its ``run`` and the same parsers see the report's text.
    """
    errors: list[dict] = []
    facts, _routes = _gather_links(run, errors, source)
    ovs_facts, _per_iface, ovn_facts = _gather_ovs(run, facts, errors, proc_root, source)
    selected = select(sorted(facts, key=lambda n: (facts[n].get("ifindex") or 0, n)), patterns)
    valid_names = []
    for name in selected:
        try:
            valid_names.append(validate_ifname(name))
        except InvalidName as exc:
            errors.append({"subset": "links", "message": str(exc)})
    host_counters = None
    if "counters" in subsets:
        host_counters = source.host_counters() if source is not None else counters.collect_host(run, proc_root=proc_root)
    reported = _reported_features(subsets, offload_features)
    eth = {}
    if {"offloads", "drivers", "vlan"} & set(subsets):
        eth = (ethtool_collect or (source.ethtool_collect if source is not None else ethtool.collect))(valid_names, reported)
    usb_devices = source.usb_devices() if source is not None and "drivers" in subsets else None
    vlan_methods = _gather_vlan(run, facts, ovs_facts, valid_names, errors) if "vlan" in subsets else {}
    interfaces = {}
    kernel_log = (host_counters or {}).get("kernel_log") or {}
    over_mtu, log_source = kernel_log.get("over_mtu_drops") or {}, kernel_log.get("source")
    for name in valid_names:
        entry = prune(facts[name], OPTIONAL_LINK_KEYS)
        link_counters = entry.pop("counters")
        eth_entry = eth.get(name) or {"offloads": {}, "drvinfo": None, "error": None}
        if eth_entry.get("error"):  # eth holds entries only when an ethtool subset was gathered
            errors.append({"subset": "offloads", "message": f"{name}: {eth_entry['error']}"})
        if reported is None or reported:
            states = eth_entry.get("offloads") or {}
            entry.update(report_offloads(states, states if reported is None else reported))
        if "drivers" in subsets:
            if source is not None:
                entry["driver"] = prune(source.describe_driver(name, eth_entry.get("drvinfo"), usb_devices), OPTIONAL_DRIVER_KEYS)
            else:
                entry["driver"] = prune(drivers.describe(name, eth_entry.get("drvinfo"), sysfs_root=sysfs_root), OPTIONAL_DRIVER_KEYS)
        if vlan_methods.get(name):
            entry["vlan0_strip"] = vlan_methods[name]
        if "counters" in subsets:
            drops = over_mtu.get(name)
            link_counters["over_mtu_drops"] = drops["count"] if drops else (0 if log_source else None)
            entry["counters"] = link_counters
        interfaces[name] = entry
    result = {
        "schema": SCHEMA,
        "gather_subset": list(subsets),
        "hostname": source.hostname() if source is not None else socket.gethostname(),
        "kernel": source.kernel() if source is not None else platform.release(),
        "errors": errors,
        "interfaces": interfaces,
        "ovs": ovs_facts,
        "linux_bridges": iplink.linux_bridges(facts),
    }
    if ovn_facts is not None:
        result["ovn"] = ovn_facts  # only on an OVN chassis
    if "counters" in subsets:
        result["counters"] = host_counters
    if "neutron" in subsets:
        if source is not None:
            result["neutron"] = source.neutron(neutron_config_dirs)
        else:
            result["neutron"] = neutron.collect(neutron_config_dirs, run, netns_root=netns_root, proc_root=proc_root)
    if source is not None:
        result["source"] = source.source_facts()
        errors.extend(error for error in source.errors if error not in errors)
    return result
