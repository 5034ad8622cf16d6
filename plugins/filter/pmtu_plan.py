# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Who probes whom in verify.yml: endpoints per host, a bounded probe plan, results tagged for the audit.

Documentation of each filter is in the .yml file of the same name beside this one.
"""

from __future__ import annotations

import ipaddress

from ansible.errors import AnsibleFilterError

MANAGEMENT = "management"
TUNNEL = "tunnel"
OVN_ENCAP = "ovn_encap"


def _address(value) -> str | None:
    """The address in ``value`` (a bare address or address/prefix), or None when it is not one."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return str(ipaddress.ip_interface(value.strip().split("%", 1)[0]).ip)
    except ValueError:
        return None


def _interface_of(facts: dict, address: str) -> tuple[str | None, int | None]:
    """(name, mtu) of the interface that holds ``address`` in ansible_facts.netdoctor."""
    wanted = ipaddress.ip_address(address)
    for name, iface in sorted(((facts or {}).get("interfaces") or {}).items()):
        for entry in iface.get("addresses") or []:
            try:
                if ipaddress.ip_address(str(entry.get("address"))) == wanted:
                    return name, iface.get("mtu")
            except ValueError:
                continue
    return None, None


def pmtu_endpoints(facts, management=None, overlays=None, management_mtu=None) -> dict:
    """This host's address and interface MTU on each network worth probing.

    ``facts`` is the host's ansible_facts.netdoctor (links, neutron subsets); ``management`` its
    management address, or a list of candidates of which the first IP address wins (e.g. an explicit
    address, ansible_host, the default IPv4 address); ``overlays`` a dict
    ``{network name: address of this host on it}``. The tunnel network is Neutron's ``local_ip``, the
    ovn_encap network an OVN chassis' ``ovn-encap-ip`` (``ansible_facts.netdoctor.ovn``).
    """
    if facts is not None and not isinstance(facts, dict):
        raise AnsibleFilterError("pmtu_endpoints: the input must be ansible_facts.netdoctor (a dict)")
    if overlays is not None and not isinstance(overlays, dict):
        raise AnsibleFilterError("pmtu_endpoints: overlays must be a dict of network name to address")
    facts = facts or {}
    if isinstance(management, (list, tuple)):
        # candidates in order of preference (e.g. an explicit address, ansible_host, the default IPv4 address)
        management = next((value for value in management if _address(value)), None)
    ovn = facts.get("ovn") or {}
    wanted = [(MANAGEMENT, management), (TUNNEL, ((facts.get("neutron") or {}).get("local_ip"))), (OVN_ENCAP, ovn.get("encap_ip"))]
    wanted.extend(sorted((overlays or {}).items()))
    endpoints = {}
    for network, value in wanted:
        address = _address(value)
        if address is None:
            if value not in (None, "") and network not in (MANAGEMENT, TUNNEL, OVN_ENCAP):
                raise AnsibleFilterError(f"pmtu_endpoints: the address {value!r} given for network {network!r} is not an IP address")
            continue
        interface, mtu = _interface_of(facts, address)
        if network == MANAGEMENT and mtu is None and management_mtu:
            mtu = int(management_mtu)
        if network == OVN_ENCAP and interface is None and ovn.get("encap_interface"):
            interface, mtu = ovn["encap_interface"], ovn.get("encap_interface_mtu")  # net_facts also matched by subnet
        endpoints[str(network)] = {"address": address, "interface": interface, "mtu": mtu, "family": ipaddress.ip_address(address).version}
    return endpoints


def _offsets(count: int, max_peers: int) -> list[int]:
    """Distinct ring offsets in 1..count-1, spread over the ring (1 always among them)."""
    peers = min(max_peers, count - 1)
    if peers <= 0:
        return []
    offsets = []
    for index in range(peers):
        offset = 1 + (index * (count - 1)) // peers
        if offset not in offsets:
            offsets.append(offset)
    return offsets


def pmtu_plan(endpoints_by_host, max_peers=3) -> dict:
    """``{host: [probe, ...]}``: per network, each host probes ``max_peers`` others on a ring.

    Hosts of a network are sorted by name; host ``i`` probes hosts ``i + d`` for offsets ``d``
    spread over the ring (1, then evenly up to n-1), so every host probes and is probed by
    ``min(max_peers, n - 1)`` others on every network it is on: n * max_peers probes, not n².
    A probe: ``{network, target_host, target, source, expected_mtu}``; ``expected_mtu`` is the
    smaller of both ends' interface MTUs (null when neither is known).
    """
    if not isinstance(endpoints_by_host, dict):
        raise AnsibleFilterError("pmtu_plan: the input must be a dict of host name to pmtu_endpoints")
    try:
        max_peers = int(max_peers)
    except (TypeError, ValueError):
        raise AnsibleFilterError(f"pmtu_plan: max_peers must be an integer, got {max_peers!r}") from None
    if max_peers < 1:
        raise AnsibleFilterError(f"pmtu_plan: max_peers must be at least 1, got {max_peers}")
    plan: dict = {str(host): [] for host in sorted(endpoints_by_host)}
    networks = sorted({net for eps in endpoints_by_host.values() for net in (eps or {})})
    for network in networks:
        for family in (4, 6):
            members = sorted(
                host
                for host, eps in endpoints_by_host.items()
                if (eps or {}).get(network) and (eps[network].get("family") or ipaddress.ip_address(eps[network]["address"]).version) == family
            )
            count = len(members)
            for index, host in enumerate(members):
                mine = endpoints_by_host[host][network]
                for offset in _offsets(count, max_peers):
                    peer = members[(index + offset) % count]
                    theirs = endpoints_by_host[peer][network]
                    mtus = [int(m) for m in (mine.get("mtu"), theirs.get("mtu")) if m]
                    plan[str(host)].append(
                        {
                            "network": network,
                            "target_host": peer,
                            "target": theirs["address"],
                            "source": mine["address"],
                            "expected_mtu": min(mtus) if mtus else None,
                        }
                    )
    return plan


def pmtu_collect(probe_loop, source_host) -> list:
    """``netdoctor_pmtu_results``: the ``results`` of a looped pmtu_probe task, each tagged with its plan entry.

    ``probe_loop`` is the registered result of a task looping over this host's plan; every
    result dict gets ``network``, ``source_host`` and ``target_host``. Failed or skipped
    iterations are left out.
    """
    if not isinstance(probe_loop, dict):
        raise AnsibleFilterError("pmtu_collect: the input must be the registered result of the pmtu_probe loop")
    out = []
    for item in probe_loop.get("results") or []:
        if not isinstance(item, dict) or item.get("failed") or item.get("skipped"):
            continue
        plan = item.get("item") or {}
        for result in item.get("results") or []:
            tagged = dict(result)
            tagged.update({"network": plan.get("network"), "source_host": source_host, "target_host": plan.get("target_host")})
            out.append(tagged)
    return out


class FilterModule:
    """The verify playbook's planning filters."""

    def filters(self):
        return {"pmtu_endpoints": pmtu_endpoints, "pmtu_plan": pmtu_plan, "pmtu_collect": pmtu_collect}
