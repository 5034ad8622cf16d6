# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""The jumbo_underlay role's plan, on the controller: which interfaces to raise, to what, which peers
prove it, whether the change can cut the host off, and which findings it must make disappear.

Pure functions over ``ansible_facts.netdoctor`` (docs/facts.md); the discovery reuses the judge
(interface_holding, tunnel_endpoint, mapped_interfaces and the MTU checks themselves).
"""

from __future__ import annotations

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import mtu_plan
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import InvalidName, validate_ifname
from ansible_collections.netdoctor.openstack.plugins.plugin_utils import _judge

ROLE = _judge.ROLE_PREFIX + "jumbo_underlay"
# The host findings the role exists for (PMTU_BELOW_EXPECTED / PMTU_BLACKHOLE come from its own probe).
CODES = ("MTU_TUNNEL_UNDERLAY", "MTU_CHILD_EXCEEDS_PARENT", "MTU_BRIDGE_PORT_MISMATCH")
PROBE_CODES = ("PMTU_BELOW_EXPECTED", "PMTU_BLACKHOLE")


class PlanError(ValueError):
    """Role input that cannot be planned (bad MTU, unknown or odd interface name, wrong type)."""


def validate_mtu(value) -> int:
    """``value`` as an MTU (68-65535) or PlanError."""
    if isinstance(value, bool):
        raise PlanError(f"jumbo_underlay_mtu must be an integer, got {value!r}")
    try:
        mtu = int(str(value).strip())
    except (TypeError, ValueError):
        raise PlanError(f"jumbo_underlay_mtu must be an integer, got {value!r}") from None
    if not 68 <= mtu <= 65535:
        raise PlanError(f"jumbo_underlay_mtu {mtu} is outside 68-65535")
    return mtu


def _ifaces(facts: dict) -> dict:
    return (facts or {}).get("interfaces") or {}


def _add(targets: dict, name, mtu: int, reason: str, ifaces: dict) -> None:
    if not name or name not in ifaces:
        return
    current = _judge._int(ifaces[name].get("mtu")) or 0
    if current >= mtu:
        return
    entry = targets.setdefault(name, {"name": name, "mtu": mtu, "current": current, "reasons": []})
    entry["mtu"] = max(entry["mtu"], mtu)
    if reason not in entry["reasons"]:
        entry["reasons"].append(reason)


def role_findings(facts: dict, host) -> list:
    """The findings of this host that name this role as the remediation."""
    return [f for f in _judge.host_findings(facts, host) if f.get("code") in CODES and f.get("remediation") == ROLE]


def discover(facts: dict, host, mtu: int) -> list:
    """Targets from facts (DESIGN "Roles"): the interfaces holding local_ip and ovn-encap-ip, those behind
    bridge_mappings/physical_interface_mappings, the underlays of tunnels that do not fit (to ``mtu``);
    the lower device of a child larger than it (to the child's MTU); the odd ports of a bridge (to its largest port MTU)."""
    ifaces = _ifaces(facts)
    targets: dict = {}
    endpoint = _judge.tunnel_endpoint(facts)
    if endpoint and endpoint.get("interface"):
        _add(targets, endpoint["interface"], mtu, f"holds Neutron local_ip {endpoint['local_ip']}", ifaces)
    ovn = (facts or {}).get("ovn") or {}
    if ovn.get("encap_ip"):
        _add(targets, _judge.interface_holding(ifaces, ovn["encap_ip"]), mtu, f"holds ovn-encap-ip {ovn['encap_ip']}", ifaces)
    for physnet, mapped in _judge.mapped_interfaces(facts).items():
        for name in mapped["interfaces"]:
            _add(targets, name, mtu, f"carries physnet {physnet}", ifaces)
    for name in sorted(ifaces):
        tunnel = ifaces[name].get("tunnel")
        if isinstance(tunnel, dict) and not tunnel.get("external") and (_judge._int(tunnel.get("headroom")) or 0) < 0:
            _add(targets, tunnel.get("underlay"), mtu, f"underlay of {name} (needs {tunnel.get('required_underlay_mtu')})", ifaces)
    for item in role_findings(facts, host):
        evidence = item.get("evidence") or {}
        if item["code"] == "MTU_TUNNEL_UNDERLAY":
            _add(
                targets,
                evidence.get("underlay"),
                max(mtu, _judge._int(evidence.get("required_underlay_mtu")) or 0),
                f"underlay of {item['interface']} (needs {evidence.get('required_underlay_mtu')})",
                ifaces,
            )
        elif item["code"] == "MTU_CHILD_EXCEEDS_PARENT":
            _add(targets, evidence.get("lower"), _judge._int(evidence.get("mtu")) or 0, f"beneath {item['interface']}", ifaces)
        elif item["code"] == "MTU_BRIDGE_PORT_MISMATCH":
            ports = evidence.get("ports") or {}
            largest = max((_judge._int(v) or 0 for v in ports.values()), default=0)
            for port in sorted(ports):
                _add(targets, port, largest, f"port of {item['interface']} (largest port MTU {largest})", ifaces)
    return [targets[n] for n in sorted(targets)]


def _closure(ifaces: dict, names, step) -> set:
    """``names`` and every device ``step(ifaces, name)`` reaches from them, transitively."""
    seen, queue = set(), [n for n in names if n in ifaces]
    while queue:
        name = queue.pop()
        if name in seen:
            continue
        seen.add(name)
        queue.extend(n for n in step(ifaces, name) if n not in seen)
    return seen


def closure_down(ifaces: dict, names) -> set:
    """``names`` and every device beneath them (bridge ports, bond members, a VLAN's parent …)."""
    return _closure(ifaces, names, mtu_plan.lowers)


def closure_up(ifaces: dict, names) -> set:
    """``names`` and every device stacked on them."""
    return _closure(ifaces, names, mtu_plan.uppers)


def tunnel_peers(facts: dict, names) -> list:
    """Remote endpoints of the tunnels carried by ``names`` (kernel tunnels and OVS tunnel ports)."""
    ifaces = _ifaces(facts)
    carried = closure_up(ifaces, names)
    peers = []
    for name in sorted(ifaces):
        tunnel = ifaces[name].get("tunnel")
        if isinstance(tunnel, dict) and not tunnel.get("external") and tunnel.get("remote") and tunnel.get("underlay") in carried:
            peers.append(str(tunnel["remote"]))
    ovs_ifaces = (((facts or {}).get("ovs") or {}).get("interfaces")) or {}
    local_holders = {_judge.interface_holding(ifaces, (e.get("options") or {}).get("local_ip")) for e in ovs_ifaces.values()}
    for name in sorted(ovs_ifaces):
        options = ovs_ifaces[name].get("options") or {}
        remote = options.get("remote_ip")
        if remote and remote != "flow" and _judge.ip_version(remote) and (local_holders & carried or not options.get("local_ip")):
            peers.append(str(remote))
    return sorted(set(peers), key=peers.index)


def plan(facts: dict, host, interfaces, mtu, verify_peers=None, connection_address=None, default_route_devices=None) -> dict:
    """{targets, peers, at_risk, risky, findings} for one host; PlanError on bad input."""
    if facts is not None and not isinstance(facts, dict):
        raise PlanError("facts must be ansible_facts.netdoctor (a dict)")
    mtu = validate_mtu(mtu)
    ifaces = _ifaces(facts)
    if interfaces:
        if not isinstance(interfaces, list):
            raise PlanError(f"jumbo_underlay_interfaces must be a list of interface names, got {interfaces!r}")
        targets = []
        for name in interfaces:
            try:
                validate_ifname(name)
            except InvalidName as exc:
                raise PlanError(f"jumbo_underlay_interfaces: {exc}") from None
            if name not in ifaces:
                raise PlanError(f"jumbo_underlay_interfaces: interface {name!r} does not exist on {host}")
            current = _judge._int(ifaces[name].get("mtu")) or 0
            targets.append({"name": name, "mtu": max(mtu, current), "current": current, "reasons": ["given"]})
        names = list(interfaces)
    else:
        targets = discover(facts, host, mtu)
        names = [t["name"] for t in targets]
    if verify_peers is None:
        peers = tunnel_peers(facts, names)
    elif isinstance(verify_peers, list):
        peers = [str(p) for p in verify_peers]
    else:
        raise PlanError(f"jumbo_underlay_verify_peers must be a list of addresses, got {verify_peers!r}")
    holders = set()
    if connection_address:
        holders.add(_judge.interface_holding(ifaces, connection_address))
    holders |= {d for d in default_route_devices or [] if d in ifaces}
    holders.discard(None)
    risky = closure_down(ifaces, holders)
    touched = set()
    for target in targets:
        touched |= closure_up(ifaces, [target["name"]]) | closure_down(ifaces, [target["name"]])
    at_risk = sorted(touched & (risky | holders))
    scope = set(names) | touched
    before = [f for f in role_findings(facts, host) if not interfaces or _in_scope(f, scope)]
    return {"targets": targets, "peers": peers, "at_risk": bool(at_risk), "risky": at_risk, "findings": before, "mtu": mtu}


def _in_scope(item: dict, names: set) -> bool:
    evidence = item.get("evidence") or {}
    related = {item.get("interface"), evidence.get("underlay"), evidence.get("lower"), *(evidence.get("ports") or {})}
    return bool(related & names)


def probe_failures(results, mtu: int) -> list:
    """[{target, path_mtu}] of pmtu_probe results that did not carry ``mtu``."""
    failed = []
    for result in results or []:
        path = _judge._int((result or {}).get("path_mtu"))
        if path is None or path < int(mtu):
            failed.append({"target": (result or {}).get("target"), "path_mtu": path, "blackhole": bool((result or {}).get("blackhole"))})
    return failed


def remaining(facts_after: dict, host, findings_before, pmtu_results=None) -> list:
    """Findings the role was run for that are still there after the change (and PMTU findings from the probe)."""
    keys = {(f.get("code"), f.get("interface")) for f in findings_before or []}
    left = [f for f in role_findings(facts_after, host) if (f.get("code"), f.get("interface")) in keys]
    left += [f for f in _judge.check_pmtu(pmtu_results, host) if f.get("code") in PROBE_CODES]
    return left
