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

try:
    import netaddr
except ImportError:  # pragma: no cover - a requirement on the controller (requirements.txt); _judge says so
    netaddr = None

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


def validate_rollback_timeout(value) -> int:
    """``value`` as the rollback timeout in seconds (at least 10) or PlanError."""
    try:
        timeout = int(str(value).strip())
    except (TypeError, ValueError):
        raise PlanError(f"jumbo_underlay_rollback_timeout must be an integer number of seconds, got {value!r}; nothing was changed") from None
    if isinstance(value, bool) or timeout < 10:
        raise PlanError(f"jumbo_underlay_rollback_timeout must be at least 10 seconds, got {value}; nothing was changed")
    return timeout


def runtime_change(ifaces: dict, targets: list) -> bool:
    """True when raising ``targets`` changes a running MTU: a device the change moves (the targets, what is
    stacked on them and what lies beneath those) is below its target's MTU. An over-approximation of link_mtu's plan."""
    for target in targets:
        moved = closure_down(ifaces, closure_up(ifaces, [target["name"]]))
        if any((_judge._int(ifaces[n].get("mtu")) or 0) < int(target["mtu"]) for n in moved):
            return True
    return False


def plan(facts: dict, host, interfaces, mtu, verify_peers=None, connection_address=None, default_route_devices=None, rollback_timeout=None) -> dict:
    """{targets, apply, peers, at_risk, detach, risky, findings, mtu} for one host; PlanError on bad input.

    ``apply`` is what link_mtu gets (name and MTU of each target); ``detach`` says the change must run detached
    (it is at risk and changes a running MTU; a change of files only, or none, cannot cut the connection)."""
    if facts is not None and not isinstance(facts, dict):
        raise PlanError("facts must be ansible_facts.netdoctor (a dict)")
    if rollback_timeout is not None:
        validate_rollback_timeout(rollback_timeout)
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
    return {
        "targets": targets,
        "apply": [{"name": t["name"], "mtu": t["mtu"]} for t in targets],
        "peers": peers,
        "at_risk": bool(at_risk),
        "detach": bool(at_risk) and runtime_change(ifaces, targets),
        "risky": at_risk,
        "findings": before,
        "mtu": mtu,
    }


def _in_scope(item: dict, names: set) -> bool:
    evidence = item.get("evidence") or {}
    related = {item.get("interface"), evidence.get("underlay"), evidence.get("lower"), *(evidence.get("ports") or {})}
    return bool(related & names)


def holder(ifaces: dict, address) -> str | None:
    """The interface that has ``address`` assigned (exactly; no subnet match), else None."""
    wanted = _address(address)
    if wanted is None:
        return None
    for name in sorted(ifaces or {}):
        for addr in (ifaces[name] or {}).get("addresses") or []:
            if _address(addr.get("address")) == wanted:
                return name
    return None


def _address(value):
    """``value`` as a normalised IP address string, None when it is not one."""
    if not value or not _judge.ip_version(str(value)) or "/" in str(value):
        return None
    return str(netaddr.IPAddress(str(value)))


def _routable(addr: dict) -> bool:
    """An address another host reaches this one at (link-local fe80::/169.254 ones are on every link)."""
    return (addr or {}).get("scope", "global") not in ("link", "host")


def _networks(ifaces: dict, names) -> list:
    nets = []
    for name in sorted(names):
        for addr in (ifaces.get(name) or {}).get("addresses") or []:
            if not _routable(addr):
                continue
            try:
                nets.append(netaddr.IPNetwork(f"{addr.get('address')}/{addr.get('prefixlen')}"))
            except (netaddr.AddrFormatError, ValueError, TypeError):
                continue
    return nets


def _address_on(ifaces: dict, nets: list):
    """(interface, address) of the first address of ``ifaces`` inside one of ``nets``."""
    for name in sorted(ifaces or {}):
        for addr in (ifaces[name] or {}).get("addresses") or []:
            value = _address(addr.get("address")) if _routable(addr) else None
            if value and any(netaddr.IPAddress(value) in net for net in nets):
                return name, value
    return None, None


def _raised_to(view: dict, interface: str):
    """The MTU a peer's own plan (in this batch) gives ``interface``, None when its plan leaves it alone."""
    ifaces = _ifaces(view.get("facts"))
    best = None
    for target in ((view.get("plan") or {}).get("apply")) or []:
        if target.get("name") in ifaces and interface in closure_up(ifaces, [target["name"]]) | closure_down(ifaces, [target["name"]]):
            best = max(best or 0, int(target["mtu"]))
    return best


def probe_size(mtu: int, peer: str, host, interface, peer_mtu, raised_to=None) -> tuple[int, str]:
    """(size, why): the size a verify peer is probed at, the largest the path can carry now.

    min(new MTU, the peer's current MTU) where that is known (a peer still at 1500 cannot receive more, so a
    host raised first in a rolling rollout probes it at 1500); the new MTU where it is not known, where the peer
    is raised already, or where the peer raises that interface in the same batch."""
    mtu = int(mtu)
    if host is None:
        return mtu, f"{peer} is not an inventory host with netdoctor facts: probed at the new MTU {mtu}"
    if interface is None or peer_mtu is None:
        return mtu, f"the MTU of {host}'s interface holding {peer} is not known: probed at the new MTU {mtu}"
    if raised_to is not None and raised_to >= peer_mtu:
        size = min(mtu, raised_to)
        return size, f"{host} raises {interface} to {raised_to} in this batch: probed at {size}"
    if peer_mtu >= mtu:
        return mtu, f"{host} {interface} is at {peer_mtu} already: probed at the new MTU {mtu}"
    return peer_mtu, f"{host} {interface} is still at {peer_mtu} (not raised yet): probed at {peer_mtu}, the most the path carries until it is"


def probe_sizes(plan_: dict, facts: dict, peers: dict | None = None, batch=None) -> list:
    """[{peer, target, host, interface, peer_mtu, size, why}] for each verify peer of ``plan_``.

    ``peers``: {inventory host: {facts (its ansible_facts.netdoctor or None), plan (its jumbo_underlay plan or
    None), address (its ansible_host or None)}} of the other hosts; ``batch``: the hosts of this batch (their
    plans count, the others' are from earlier runs). A peer entry naming an inventory host is probed at its address
    on a network of a raised interface (else at its ansible_host, else by name)."""
    mtu = int(plan_["mtu"])
    peers = peers or {}
    batch = set(batch or [])
    ifaces = _ifaces(facts)
    nets = _networks(ifaces, set().union(*[closure_up(ifaces, [t["name"]]) for t in plan_.get("targets") or []]))
    out = []
    for peer in (str(p) for p in plan_.get("peers") or []):
        host = interface = None
        target = peer
        if peer in peers:
            host = peer
            peer_ifaces = _ifaces(peers[peer].get("facts"))
            interface, address = _address_on(peer_ifaces, nets)
            if address is None:
                address = _address(peers[peer].get("address"))
                interface = holder(peer_ifaces, address)
            target = address or peer
        elif _address(peer):
            for name in sorted(peers):
                found = holder(_ifaces(peers[name].get("facts")), peer)
                if found:
                    host, interface = name, found
                    break
        view = peers.get(host) or {}
        entry = _ifaces(view.get("facts")).get(interface) if interface else None
        peer_mtu = _judge._int(entry.get("mtu")) if entry else None
        raised = _raised_to(view, interface) if host in batch and interface else None
        size, why = probe_size(mtu, peer, host, interface, peer_mtu, raised)
        out.append({"peer": peer, "target": target, "host": host, "interface": interface, "peer_mtu": peer_mtu, "size": size, "why": why})
    return out


def _sizes(results, sizes) -> list:
    if isinstance(sizes, list):
        return [int((p or {}).get("size")) for p in sizes] + [None] * max(0, len(results or []) - len(sizes))
    return [int(sizes)] * len(results or [])


def probe_failures(results, sizes) -> list:
    """[{target, path_mtu, size, blackhole, why}] of pmtu_probe results whose path did not carry its size.

    ``sizes``: one MTU for every result, or the list probe_sizes returned (in the order of the results)."""
    failed = []
    probes = sizes if isinstance(sizes, list) else []
    for index, (given, wanted) in enumerate(zip(results or [], _sizes(results, sizes))):
        result = given or {}
        size = wanted if wanted is not None else _judge._int(result.get("expected_mtu"))
        path = _judge._int(result.get("path_mtu"))
        if path is None or size is None or path < size:
            why = (probes[index] or {}).get("why") if index < len(probes) else None
            failed.append({"target": result.get("target"), "path_mtu": path, "size": size, "blackhole": bool(result.get("blackhole")), "why": why})
    return failed


def probe_judged(results, probes) -> list:
    """pmtu_probe results judged at the size each peer was probed at (probe_sizes): a peer not raised yet is
    expected to carry only its own MTU, and the larger probes it cannot receive are no black hole of the path."""
    judged = []
    for index, given in enumerate(results or []):
        result = dict(given or {})
        probe = (probes or [])[index] if index < len(probes or []) else None
        size = _judge._int((probe or {}).get("size"))
        expected = _judge._int(result.get("expected_mtu"))
        if size is not None and expected is not None and size < expected:
            path = _judge._int(result.get("path_mtu"))
            result["expected_mtu"] = size
            result["probed_size"], result["why"] = size, probe.get("why")
            if path is not None:
                result["deficit"] = max(0, size - path)
                if path >= size:
                    result["blackhole"] = False
        judged.append(result)
    return judged


def remaining(facts_after: dict, host, findings_before, pmtu_results=None) -> list:
    """Findings the role was run for that are still there after the change (and PMTU findings from the probe)."""
    keys = {(f.get("code"), f.get("interface")) for f in findings_before or []}
    left = [f for f in role_findings(facts_after, host) if (f.get("code"), f.get("interface")) in keys]
    left += [f for f in _judge.check_pmtu(pmtu_results, host) if f.get("code") in PROBE_CODES]
    return left
