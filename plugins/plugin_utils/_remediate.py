# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""remediate.yml's plan: audit findings turned into repair roles and their variables, in one place.

``plan(report, facts)`` reads an audit report (and, where it has them, the hosts' net_facts) and returns,
per host, the repair roles to run in the safe order (underlay before Neutron settings before network
updates) with each role's variables, plus the findings no role can fix with what a person must do.
``outcome(plan, after)`` compares a fresh audit with the plan: per finding before, action and after.
"""

from __future__ import annotations

import json
from collections import Counter

from ansible_collections.netdoctor.openstack.plugins.plugin_utils._judge import (
    ROLE_PREFIX,
    JudgeError,
    all_findings,
)

# The safe order: the underlay first, then Neutron's settings (and the network updates that need the
# restarted server), then what is local to one host.
ROLE_ORDER = ("jumbo_underlay", "physnet_mtu", "dhcp_checksum", "nic_offloads", "priority_tag_strip", "usb_nic_driver")

# Neutron settings the physnet_mtu role writes: facts key -> role variable.
PHYSNET_VARIABLES = {
    "global_physnet_mtu": "physnet_mtu_global_physnet_mtu",
    "path_mtu": "physnet_mtu_path_mtu",
    "physical_network_mtus": "physnet_mtu_physical_network_mtus",
    "geneve_max_header_size": "physnet_mtu_geneve_max_header_size",
}
OVN_GENEVE_MAX_HEADER_SIZE = 38

# What a person must do for findings no role fixes (from the host, the fault is elsewhere).
MANUAL_ACTIONS = {
    "PMTU_BELOW_EXPECTED": "a hop between the two ends carries less than both ends: raise the MTU of the switch ports (or routers) on the path",
    "PMTU_DEFICIT_UNEXPLAINED": "a deficit no encapsulation explains: check the NIC drivers on the path (USB adapters) and the switch ports' MTU",
    "PMTU_BLACKHOLE": "large packets vanish without ICMP frag-needed: find the hop with the smaller MTU and raise it, and let ICMP type 3 code 4 "
    "(IPv6: packet too big) through the firewalls",
    "KERNEL_OVER_MTU_DROPS": "the drops are a symptom: they stop once the MTUs on the port's path agree (the kernel log keeps the old lines)",
    "UDP_CHECKSUM_ERRORS": "find the sender of the bad UDP checksums (tcpdump -vv on the receiving interface); fill DHCP checksums where DHCP is served",
    "OVERLAY_MTU_MISMATCH": "give the tunnel device the overlay's MTU on every node (the MTU the other nodes use), through the tool that made it",
    "NEUTRON_CONFIG_MISMATCH": "make the setting identical on every node",
    "NIC_DRIVER_KNOWN_BAD": "replace the driver (or the adapter): only USB NIC drivers are repaired by netdoctor.openstack.usb_nic_driver",
    "NEUTRON_PORT_MTU_EXCEEDS_OVERLAY": "update the network's MTU through the Networking API (physnet_mtu_update_networks), then renew DHCP leases",
    "HOST_UNREACHABLE": "make the host reachable and run the audit again",
    "FACTS_GATHER_FAILED": "read the error, fix it and run the audit again",
}


def finding_key(item: dict) -> str:
    """A finding's identity across audits: code, host, interface and the evidence that names what it is about."""
    evidence = item.get("evidence") or {}
    about = {
        k: evidence.get(k) for k in ("netns", "physnet", "network_type", "setting", "segment", "network_id", "target", "bridge") if evidence.get(k) is not None
    }
    return json.dumps([item.get("code"), item.get("host"), item.get("interface"), about], sort_keys=True)


def _role(item: dict) -> str | None:
    role = item.get("remediation")
    return role[len(ROLE_PREFIX) :] if isinstance(role, str) and role.startswith(ROLE_PREFIX) else role


class _Planner:
    """Collects role variables per host while walking the findings."""

    def __init__(self, facts: dict, underlay_mtu: int):
        self.facts = facts or {}
        self.underlay_mtu = underlay_mtu
        self.jumbo: dict = {}  # host -> {interface: mtu}
        self.physnet: dict = {}  # setting -> value (cluster-wide)
        self.update_networks = False
        self.local: dict = {}  # (host, role) -> vars
        self.actions: list = []
        self.manual: list = []
        self.derived: list = []  # findings on Neutron's computed MTUs, fixed by the settings when some are planned

    def act(self, item, role, change):
        self.actions.append({"key": finding_key(item), "finding": item, "role": role, "change": change})

    def person(self, item, why=None):
        self.manual.append({"key": finding_key(item), "finding": item, "action": why or MANUAL_ACTIONS.get(item.get("code"), "see the finding's message")})

    def raise_mtu(self, item, host, interfaces, mtu, why):
        if not host or not interfaces or not mtu:
            self.person(item, "the finding does not name the interface to raise")
            return
        wanted = self.jumbo.setdefault(host, {})
        for name in interfaces:
            wanted[name] = max(wanted.get(name, 0), int(mtu))
        self.act(item, "jumbo_underlay", f"raise {', '.join(interfaces)} to MTU {mtu} ({why})")

    def set_physnet(self, item, setting, value, why):
        if setting == "physical_network_mtus":
            merged = dict(self.physnet.get(setting) or {})
            for physnet, mtu in (value or {}).items():
                merged[physnet] = min(int(mtu), merged.get(physnet, int(mtu)))
            self.physnet[setting] = merged
        elif setting == "geneve_max_header_size":
            self.physnet[setting] = max(int(value), self.physnet.get(setting) or 0)
        else:
            self.physnet[setting] = min(int(value), self.physnet.get(setting) or int(value))
        self.act(item, "physnet_mtu", f"set {setting} = {json.dumps(value, sort_keys=True)} on every Neutron node ({why})")

    def local_vars(self, host, role):
        return self.local.setdefault((host, role), {})


def _handle(planner: _Planner, item: dict) -> None:
    code, host, evidence = item.get("code"), item.get("host"), item.get("evidence") or {}
    role = _role(item)
    if code in ("MTU_TUNNEL_UNDERLAY", "OVN_ENCAP_MTU_EXCEEDS_UNDERLAY"):
        underlay = evidence.get("underlay") or evidence.get("interface") or (item.get("interface") if code.startswith("OVN") else None)
        required = evidence.get("required_underlay_mtu") or 0
        planner.raise_mtu(item, host, [underlay] if underlay else [], max(planner.underlay_mtu, int(required)), f"the overlay needs {required}")
    elif code == "MTU_CHILD_EXCEEDS_PARENT":
        planner.raise_mtu(
            item,
            host,
            [evidence.get("lower")] if evidence.get("lower") else [],
            evidence.get("mtu"),
            f"{item.get('interface')} above it has MTU {evidence.get('mtu')}",
        )
    elif code == "MTU_BRIDGE_PORT_MISMATCH":
        ports = evidence.get("ports") or {}
        if not ports:
            planner.person(item)
            return
        top = max(ports.values())
        planner.raise_mtu(item, host, sorted(p for p, m in ports.items() if m < top), top, f"the largest port MTU of {evidence.get('bridge')}")
    elif code == "NEUTRON_MTU_EXCEEDS_UNDERLAY":
        if evidence.get("network_type"):
            # network MTU = physical MTU - IP header - encapsulation: the physical MTU that fits is the interface's
            planner.set_physnet(item, "global_physnet_mtu", evidence.get("interface_mtu"), f"{evidence.get('network_type')} must fit {item.get('interface')}")
        elif evidence.get("physnet"):
            planner.set_physnet(
                item, "physical_network_mtus", {evidence["physnet"]: evidence.get("interface_mtu")}, f"physnet {evidence['physnet']} must fit its interface"
            )
        else:
            planner.person(item)
    elif code == "NEUTRON_GENEVE_HEADER_TOO_SMALL":
        planner.set_physnet(item, "geneve_max_header_size", OVN_GENEVE_MAX_HEADER_SIZE, "OVN's Geneve options need 38 bytes")
    elif code in ("NEUTRON_CONFIG_MISMATCH", "OVERLAY_MTU_MISMATCH") and evidence.get("setting") in PHYSNET_VARIABLES and "majority_value" in evidence:
        planner.set_physnet(item, evidence["setting"], evidence["majority_value"], f"the value on {', '.join(evidence.get('majority_hosts') or [])}")
    elif code in ("NEUTRON_CONFIG_MISMATCH", "OVERLAY_MTU_MISMATCH") and str(evidence.get("setting") or "").startswith("network_mtus"):
        planner.derived.append(item)  # computed from the settings: fixed by them, decided once all are known
    elif code == "NEUTRON_NETWORK_MTU_STALE":  # only an audit with API access raises it: the update can reach the API
        planner.update_networks = True
        planner.act(
            item,
            "physnet_mtu",
            f"update network {evidence.get('network_name') or evidence.get('network_id') or item.get('interface')} to MTU {evidence.get('expected_mtu', '?')}",
        )
    elif code == "DHCP_CHECKSUM_UNFILLED":
        planner.local_vars(host, "dhcp_checksum").setdefault("dhcp_checksum_state", "present")
        where = f"namespace {evidence['netns']}" if evidence.get("netns") else "the root namespace"
        planner.act(item, "dhcp_checksum", f"keep the CHECKSUM --checksum-fill rule for {'/'.join(evidence.get('missing_families') or ['ipv4'])} in {where}")
    elif code == "UDP_CHECKSUM_ERRORS" and role == "dhcp_checksum":
        planner.act(item, "dhcp_checksum", "the fill rule above stops the bad checksums (the counter itself only grows)")
    elif code == "OFFLOAD_LRO_ON_BRIDGED" and item.get("interface"):
        features = planner.local_vars(host, "nic_offloads").setdefault("nic_offloads_features", {})
        features.setdefault(item["interface"], {})["large-receive-offload"] = False
        planner.act(item, "nic_offloads", f"switch large-receive-offload off on {item['interface']} (persisted)")
    elif code == "VLAN_PRIORITY_TAG_RISK" and item.get("interface"):
        names = planner.local_vars(host, "priority_tag_strip").setdefault("priority_tag_strip_interfaces", [])
        if item["interface"] not in names:
            names.append(item["interface"])
        planner.act(item, "priority_tag_strip", f"strip VLAN-0 priority tags arriving on {item['interface']}")
    elif code == "NIC_DRIVER_KNOWN_BAD" and role == "usb_nic_driver":
        planner.local_vars(host, "usb_nic_driver")
        planner.act(item, "usb_nic_driver", f"install and pin the fixed driver for {item.get('interface')} ({evidence.get('issue')})")
    else:
        planner.person(item)


def plan(report: dict, facts: dict | None = None, codes=None, underlay_mtu: int = 9000) -> dict:
    """The repair plan for ``report``.

    ``facts``: {host: ansible_facts.netdoctor} of the hosts in the play, to find the Neutron nodes the settings go
    to; ``codes``: only these finding codes (None: all); ``underlay_mtu``: what underlays are raised to (at least
    what a finding needs). Variables the plan does not derive (usb_nic_driver's package and version, a rollback
    timeout) are the operator's, set as usual in the inventory or with -e.

    Returns {"hosts": {host: [{"role", "vars", "codes"}...] in ROLE_ORDER}, "actions": [...], "manual": [...],
    "skipped": [...]}; every action and manual entry carries the finding and its ``key``.
    """
    if not isinstance(report, dict) or "hosts" not in report:
        raise JudgeError("remediation_plan needs an audit report (report.json: generated, summary, hosts, cluster_findings)")
    wanted = None if codes in (None, "", []) else set([codes] if isinstance(codes, str) else codes)
    facts = {h: f for h, f in (facts or {}).items() if isinstance(f, dict)}
    planner = _Planner(facts, int(underlay_mtu))
    skipped = []
    for item in all_findings(report):
        if (wanted is not None and item.get("code") not in wanted) or item.get("severity") == "info":
            skipped.append({"key": finding_key(item), "finding": item})  # left out, or only information
            continue
        _handle(planner, item)
    gpm = planner.physnet.get("global_physnet_mtu")
    if gpm and planner.physnet.get("physical_network_mtus"):
        # a physnet MTU at or above the new global_physnet_mtu changes nothing: Neutron takes the smaller
        kept = {p: m for p, m in planner.physnet["physical_network_mtus"].items() if m < gpm}
        if kept:
            planner.physnet["physical_network_mtus"] = kept
        else:
            del planner.physnet["physical_network_mtus"]
    for item in planner.derived:
        if planner.physnet:
            planner.act(item, "physnet_mtu", "follows from the Neutron settings above")
        else:
            planner.person(item)

    hosts: dict = {}

    def add(host, role, variables, codes_for):
        hosts.setdefault(host, []).append({"role": role, "vars": dict(variables), "codes": sorted(set(codes_for))})

    def codes_of(role, host=None):
        return [a["finding"].get("code") for a in planner.actions if a["role"] == role and (host is None or a["finding"].get("host") == host)]

    for host, wanted_mtus in sorted(planner.jumbo.items()):
        for mtu in sorted(set(wanted_mtus.values())):
            names = sorted(n for n, m in wanted_mtus.items() if m == mtu)
            add(host, "jumbo_underlay", {"jumbo_underlay_interfaces": names, "jumbo_underlay_mtu": mtu}, codes_of("jumbo_underlay", host))
    if planner.physnet or planner.update_networks:
        neutron_hosts = sorted(h for h, f in facts.items() if ((f.get("neutron") or {}).get("found")))
        named = sorted({a["finding"].get("host") for a in planner.actions if a["role"] == "physnet_mtu" and a["finding"].get("host")})
        targets = neutron_hosts or named
        settings = {PHYSNET_VARIABLES[k]: v for k, v in sorted(planner.physnet.items())}
        for index, host in enumerate(targets):
            variables = dict(settings)
            if planner.update_networks and index == 0:
                variables["physnet_mtu_update_networks"] = True  # the API is the cluster's: one node asks it
            if variables:
                add(host, "physnet_mtu", variables, codes_of("physnet_mtu"))
    for (host, role), variables in sorted(planner.local.items()):
        add(host, role, variables, codes_of(role, host))
    for entries in hosts.values():
        entries.sort(key=lambda entry: ROLE_ORDER.index(entry["role"]))
    return {"hosts": dict(sorted(hosts.items())), "actions": planner.actions, "manual": planner.manual, "skipped": skipped}


def outcome(the_plan: dict, after: dict) -> dict:
    """Per finding of the plan: before, action, after (``fixed``, ``remains`` with the finding now; ``manual`` while a
    person's finding is still there, ``gone`` once it is not), plus ``new`` rows for findings only the fresh audit has.

    ``remaining`` lists the findings the plan set out to fix that the fresh audit ``after`` still reports.
    """
    if not isinstance(the_plan, dict) or not isinstance(after, dict):
        raise JudgeError("remediation_outcome needs the plan and a fresh audit report")
    now = {finding_key(f): f for f in all_findings(after)}
    audited = {h for h, entry in (after.get("hosts") or {}).items() if (entry or {}).get("audited", True)}
    rows, remaining = [], []
    for action in the_plan.get("actions") or []:
        item = action["finding"]
        still = now.get(action["key"])
        if still is None and item.get("host") and item["host"] not in audited:
            # a host that failed its repair or dropped out of the play: nothing proves the fault gone
            still = dict(item, message=f"{item['host']} was not audited after the repairs: {item.get('message')}")
        rows.append({"finding": item, "role": action["role"], "action": action["change"], "after": "remains" if still else "fixed", "now": still})
        if still:
            remaining.append(still)
    for entry in the_plan.get("manual") or []:
        still = now.get(entry["key"])
        rows.append({"finding": entry["finding"], "role": None, "action": entry["action"], "after": "manual" if still else "gone", "now": still})
    planned = {a["key"] for a in the_plan.get("actions") or []} | {m["key"] for m in the_plan.get("manual") or []}
    planned |= {s["key"] for s in the_plan.get("skipped") or []}
    for key, item in now.items():
        if key not in planned:  # found only now (a probe the first audit did not run, or a side effect)
            rows.append(
                {"finding": item, "role": None, "action": MANUAL_ACTIONS.get(item.get("code"), "new since the plan: read it"), "after": "new", "now": item}
            )
    count = Counter(r["after"] for r in rows)
    summary = {"fixed": count["fixed"], "remains": len(remaining), "manual": count["manual"], "new": count["new"]}
    return {"rows": rows, "remaining": remaining, "summary": summary}


def _cell(value) -> str:
    return "-" if value in (None, "") else str(value).replace("|", "\\|").replace("\n", " ")


def plan_lines(the_plan: dict) -> list:
    """One line per planned change and per manual finding: what --check shows."""
    lines = [
        f"{a['finding'].get('host') or '(cluster)'}: {a['finding'].get('code')} on {a['finding'].get('interface') or '-'} -> {a['role']}: {a['change']}"
        for a in the_plan.get("actions") or []
    ]
    lines += [
        f"{m['finding'].get('host') or '(cluster)'}: {m['finding'].get('code')} on {m['finding'].get('interface') or '-'} -> a person: {m['action']}"
        for m in the_plan.get("manual") or []
    ]
    return lines


def markdown(result: dict) -> str:
    """remediation.md: a before / action / after table."""
    summary = result.get("summary") or {}
    lines = [
        "# netdoctor remediation",
        "",
        f"Fixed: {summary.get('fixed', 0)}. Still there: {summary.get('remains', 0)}. For a person: {summary.get('manual', 0)}."
        f" New since the plan: {summary.get('new', 0)}.",
        "",
    ]
    if not result.get("rows"):
        return "\n".join(lines + ["Nothing to do: the audit found nothing a role repairs."]) + "\n"
    lines += ["| Host | Code | Interface | Before | Action | After |", "|---|---|---|---|---|---|"]
    for row in result["rows"]:
        item = row["finding"]
        action = (f"`{row['role']}`: " if row["role"] else "a person: ") + row["action"]
        after = row["after"] + (f": {row['now'].get('message')}" if row.get("now") and row["after"] == "remains" else "")
        lines.append(
            "| "
            + " | ".join(_cell(v) for v in (item.get("host") or "(cluster)", item.get("code"), item.get("interface"), item.get("message"), action, after))
            + " |"
        )
    return "\n".join(lines) + "\n"
