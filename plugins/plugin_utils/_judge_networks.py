# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""The judge of the Networking API's networks: ``NEUTRON_NETWORK_MTU_STALE`` and ``NEUTRON_NETWORKS_NOT_CHECKED``.

Pure functions, controller side. The networks are the records of neutron_networks_info
(module_utils/_netdoctor/networks.py); the settings and underlays come from the hosts'
``ansible_facts.netdoctor`` (the same computation as net_facts' ``neutron.network_mtus``).

The MTU a network should have (``expected_mtu``) is the smallest of what the cluster's current
Neutron settings give its type (``settings_mtu``) and what the underlay carries for it
(``underlay_mtu``: the interface holding ``local_ip`` minus IP header and encapsulation for a
tunnel type, the smallest port behind the physnet's mapping for flat/VLAN), over every segment.
"""

from __future__ import annotations

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.mtu import IP_HEADER, MTUError, neutron_encap_overhead
from ansible_collections.netdoctor.openstack.plugins.plugin_utils import _judge

TUNNEL_TYPES = ("vxlan", "gre", "geneve")
PHYSNET_TYPES = ("flat", "vlan")


def api_input(configured: bool, networks=None, error: str | None = None, source: str | None = None) -> dict:
    """The ``networks`` input of build_report: whether API access was configured, what it listed or why not."""
    return {"configured": bool(configured), "networks": networks, "error": error, "source": source}


# Settings physnet_mtu may plan (its variables), applied over the gathered facts by with_settings.
PLANNED_SETTINGS = ("global_physnet_mtu", "path_mtu", "physical_network_mtus", "geneve_max_header_size")


def with_settings(hosts_facts: dict, settings: dict | None) -> dict:
    """``hosts_facts`` with planned Neutron settings (None values: left alone) in every found Neutron configuration.

    The computed ``network_mtus`` are dropped where a setting changed, so they are computed again from the
    settings (a check-mode run judges the networks against the settings it would write).
    """
    planned = {k: v for k, v in (settings or {}).items() if k in PLANNED_SETTINGS and v is not None}
    unknown = sorted(set(settings or {}) - set(PLANNED_SETTINGS))
    if unknown:
        raise _judge.JudgeError(f"unknown Neutron setting(s) {', '.join(unknown)}; known: {', '.join(PLANNED_SETTINGS)}")
    if not planned:
        return hosts_facts
    out = {}
    for host, facts in (hosts_facts or {}).items():
        neutron = _judge._neutron(facts) if isinstance(facts, dict) else {}
        if not neutron:
            out[host] = facts
            continue
        merged = dict(neutron, **planned)
        if any(neutron.get(k) != v for k, v in planned.items()):
            merged.pop("network_mtus", None)
        out[host] = dict(facts, neutron=merged)
    return out


def cluster_limits(hosts_facts: dict) -> dict:
    """``{"settings": {type: mtu, "flat"/"vlan": {physnet: mtu}}, "underlay": {type: mtu, "physnets": {physnet: mtu}}}``.

    ``settings`` is the cluster's value of Neutron's computed MTU per type (the majority of the hosts
    whose Neutron configuration was found, else the largest); ``underlay`` the smallest overlay MTU any
    host's underlay carries for a tunnel type, and the smallest MTU behind a physnet's mapping.
    """
    neutrons = {h: _judge._neutron(f) for h, f in (hosts_facts or {}).items() if isinstance(f, dict)}
    neutrons = {h: n for h, n in neutrons.items() if n}
    computed = {h: _judge.network_mtus(n) for h, n in neutrons.items()}
    settings: dict = {"flat": {}, "vlan": {}}
    for network_type in TUNNEL_TYPES:
        value = _judge._cluster_value({h: _judge._int(m.get(network_type)) for h, m in computed.items()})
        if value:
            settings[network_type] = value
    for kind in PHYSNET_TYPES:
        physnets = sorted({p for m in computed.values() for p in (m.get(kind) or {})})
        for physnet in physnets:
            value = _judge._cluster_value({h: _judge._int((m.get(kind) or {}).get(physnet)) for h, m in computed.items()})
            if value:
                settings[kind][physnet] = value
    underlay: dict = {"physnets": {}}
    for host in sorted(neutrons):
        facts = hosts_facts[host]
        neutron = neutrons[host]
        endpoint = _judge.tunnel_endpoint(facts)
        if endpoint and endpoint["mtu"] is not None:
            for network_type in _judge.tunnel_types_in_use(neutron) or TUNNEL_TYPES:
                try:
                    encap = neutron_encap_overhead(network_type, _judge._int(neutron.get("geneve_max_header_size")))
                except MTUError:
                    continue
                carried = endpoint["mtu"] - IP_HEADER[endpoint["ip_version"]] - encap
                underlay[network_type] = min(carried, underlay.get(network_type, carried))
        for physnet, mapped in _judge.mapped_interfaces(facts).items():
            if mapped["mtu"] is not None:
                underlay["physnets"][physnet] = min(mapped["mtu"], underlay["physnets"].get(physnet, mapped["mtu"]))
    return {"settings": settings, "underlay": underlay}


def segment_limits(segment: dict, limits: dict) -> tuple:
    """(settings MTU, underlay MTU) for one segment; None where nothing is known."""
    network_type = segment.get("network_type")
    if network_type in TUNNEL_TYPES:
        return _judge._int(limits["settings"].get(network_type)), _judge._int(limits["underlay"].get(network_type))
    if network_type in PHYSNET_TYPES:
        physnet = segment.get("physical_network")
        return _judge._int((limits["settings"].get(network_type) or {}).get(physnet)), _judge._int(limits["underlay"]["physnets"].get(physnet))
    return None, None


def expected_mtu(network: dict, limits: dict) -> dict | None:
    """``{expected_mtu, settings_mtu, underlay_mtu}`` for a network record, None when its type gives nothing to compare."""
    segments = network.get("segments") or ([network] if network.get("network_type") else [])
    settings = [s for s in (segment_limits(seg, limits)[0] for seg in segments) if s]
    underlays = [u for u in (segment_limits(seg, limits)[1] for seg in segments) if u]
    if not settings and not underlays:
        return None
    settings_mtu = min(settings) if settings else None
    underlay_mtu = min(underlays) if underlays else None
    return {"expected_mtu": min(v for v in (settings_mtu, underlay_mtu) if v), "settings_mtu": settings_mtu, "underlay_mtu": underlay_mtu}


def stale_findings(networks: list, limits: dict) -> list:
    """NEUTRON_NETWORK_MTU_STALE for every network whose MTU is not the expected one (settings, capped by the underlay)."""
    out = []
    for network in networks or []:
        mtu = _judge._int(network.get("mtu"))
        want = expected_mtu(network, limits)
        if mtu is None or want is None:
            continue
        if mtu == want["expected_mtu"]:
            continue
        reasons = []
        if want["settings_mtu"] is not None:
            reasons.append(f"Neutron's current settings give its type ({network.get('network_type')}) {want['settings_mtu']}")
        if want["underlay_mtu"] is not None and (mtu > want["underlay_mtu"] or want["underlay_mtu"] < (want["settings_mtu"] or mtu)):
            reasons.append(f"the underlay carries {want['underlay_mtu']}")
        name = network.get("name") or network.get("id")
        out.append(
            _judge.finding(
                "NEUTRON_NETWORK_MTU_STALE",
                None,
                None,
                f"network {name} ({network.get('id')}) of project {network.get('project_id')} has MTU {mtu} but "
                + " and ".join(reasons)
                + f": set it to {want['expected_mtu']}",
                {
                    "network_id": network.get("id"),
                    "network_name": network.get("name"),
                    "project_id": network.get("project_id"),
                    "network_type": network.get("network_type"),
                    "physical_network": network.get("physical_network"),
                    "segmentation_id": network.get("segmentation_id"),
                    "current_mtu": mtu,
                    "expected_mtu": want["expected_mtu"],
                    "settings_mtu": want["settings_mtu"],
                    "underlay_mtu": want["underlay_mtu"],
                },
            )
        )
    return out


def network_findings(api: dict | None, hosts_facts: dict) -> list:
    """The Networking API's findings for the report: none when ``api`` is None (the caller did not ask).

    Not configured: one info NEUTRON_NETWORKS_NOT_CHECKED when some host has a Neutron configuration.
    Configured but the listing failed: the same code as an error carrying the reason.
    """
    if api is None:
        return []
    if not isinstance(api, dict):
        raise _judge.JudgeError("the networks input must be a dict {configured, networks, error}")
    has_neutron = any(_judge._neutron(f) for f in (hosts_facts or {}).values() if isinstance(f, dict))
    if not api.get("configured"):
        if not has_neutron:
            return []
        return [
            _judge.finding(
                "NEUTRON_NETWORKS_NOT_CHECKED",
                None,
                None,
                "the MTUs of existing networks were not checked: no Networking API access is configured "
                "(set netdoctor_openstack_cloud or netdoctor_openstack_auth)",
                {"configured": False},
            )
        ]
    if api.get("error") or not isinstance(api.get("networks"), list):
        return [
            _judge.finding(
                "NEUTRON_NETWORKS_NOT_CHECKED",
                None,
                None,
                f"the MTUs of existing networks were not checked: {api.get('error') or 'the API returned no network list'}",
                {"configured": True, "error": api.get("error"), "source": api.get("source")},
                severity="error",
            )
        ]
    return stale_findings(api["networks"], cluster_limits(hosts_facts))
