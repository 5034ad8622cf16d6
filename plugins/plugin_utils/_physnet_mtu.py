# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""The physnet_mtu role's plan: which Neutron MTU settings to write where, what to refuse, how to prove it.

Pure functions, controller side. The arithmetic is Neutron's, computed once: the settings asked for are
laid over a host's ``neutron`` facts and :func:`neutron.network_mtus` computes the MTU per network type;
the audit's judge (``_judge``) then says whether the host's underlay carries them. A refusal is the
finding the role would otherwise leave behind, said before anything is touched.
"""

from __future__ import annotations

import re

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import mtu as _mtu
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.neutron import network_mtus as neutron_network_mtus
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.neutron_edit import render_value
from ansible_collections.netdoctor.openstack.plugins.plugin_utils import _judge

# role setting -> (file kind, section, option); the neutron facts key is the setting's name.
SETTINGS = {
    "global_physnet_mtu": ("neutron.conf", "DEFAULT", "global_physnet_mtu"),
    "path_mtu": ("ml2_conf.ini", "ml2", "path_mtu"),
    "physical_network_mtus": ("ml2_conf.ini", "ml2", "physical_network_mtus"),
    "geneve_max_header_size": ("ml2_conf.ini", "ml2_type_geneve", "max_header_size"),
}
LAYOUTS = ("packaged", "kolla", "openstack_ansible")
# neutron-server, or the units a WSGI deployment splits it into (Neutron 2024.1+).
SERVER_UNITS = ("neutron-server.service", "neutron-api.service", "neutron-rpc-server.service", "neutron-periodic-workers.service")
# kolla-ansible's systemd units for its Docker containers: "kolla-neutron_server-container.service".
_KOLLA_UNIT_RE = re.compile(r"^kolla-(?P<container>neutron_[a-z0-9_]+)-container\.service$")
_KOLLA_DIR_RE = re.compile(r"^/etc/kolla/(?P<service>neutron-[a-z0-9-]+)/?$")
_OSA_VENV_RE = re.compile(r"^/openstack/venvs/neutron-[^/]+(/|$)")
# physnet names Neutron accepts in a mapping (no separators or blanks).
_PHYSNET_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MIN_GENEVE_HEADER = 0
MAX_GENEVE_HEADER = 255

JUMBO = "netdoctor.openstack.jumbo_underlay"


class PlanError(ValueError):
    """Settings or facts the role must refuse; the message says why."""


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_settings(requested: dict) -> dict:
    """The settings that are set (None = leave alone), checked: MTUs 68-65535 (path_mtu 0 = no limit), physnet names, header size.

    Raises PlanError naming every bad value at once.
    """
    problems = []
    settings = {}
    for name, value in (requested or {}).items():
        if name not in SETTINGS:
            problems.append(f"unknown setting {name!r}")
            continue
        if value is None:
            continue
        variable = f"physnet_mtu_{name}"
        if name == "physical_network_mtus":
            if not isinstance(value, dict):
                problems.append(f"{variable} must be a dict physnet -> MTU, got {value!r}")
                continue
            for physnet, physnet_mtu in value.items():
                if not isinstance(physnet, str) or not _PHYSNET_RE.match(physnet):
                    problems.append(f"{variable}: physnet name {physnet!r} is not valid (letters, digits, '_', '.', '-')")
                elif not _is_int(physnet_mtu) or not _mtu.MIN_MTU[4] <= physnet_mtu <= _mtu.MAX_MTU:
                    problems.append(f"{variable}[{physnet}] = {physnet_mtu!r} is not an MTU (an integer in 68-65535)")
        elif name == "geneve_max_header_size":
            if not _is_int(value) or not MIN_GENEVE_HEADER <= value <= MAX_GENEVE_HEADER:
                problems.append(f"{variable} = {value!r} is not a header size (an integer in {MIN_GENEVE_HEADER}-{MAX_GENEVE_HEADER})")
        elif name == "path_mtu" and value == 0:
            pass  # Neutron's "no path MTU known"
        elif not _is_int(value) or not _mtu.MIN_MTU[4] <= value <= _mtu.MAX_MTU:
            extra = " or 0" if name == "path_mtu" else ""
            problems.append(f"{variable} = {value!r} is not an MTU (an integer in 68-65535{extra})")
        settings[name] = value
    if problems:
        raise PlanError("; ".join(problems))
    if not settings:
        raise PlanError("nothing to do: set at least one of " + ", ".join(f"physnet_mtu_{n}" for n in SETTINGS))
    return settings


def file_settings(settings: dict) -> dict:
    """``{"neutron.conf": {section: {option: value}}, "ml2_conf.ini": {...}}`` for the neutron_config module (empty files left out)."""
    files: dict = {}
    for name, value in settings.items():
        kind, section, option = SETTINGS[name]
        written = {physnet: value[physnet] for physnet in sorted(value)} if name == "physical_network_mtus" else value
        files.setdefault(kind, {}).setdefault(section, {})[option] = written
    return files


def apply_settings(neutron: dict, settings: dict) -> dict:
    """The neutron facts as they will be once ``settings`` are written, network_mtus recomputed the way net_facts does."""
    after = dict(neutron or {})
    for name, value in settings.items():
        after[name] = dict(value) if isinstance(value, dict) else value
    after["network_mtus"] = neutron_network_mtus(after)
    return after


def _with_neutron(facts: dict, neutron: dict) -> dict:
    result = dict(facts or {})
    result["neutron"] = neutron
    return result


def _refusal(host, item: dict) -> str:
    """A refusal message from a finding: interface, its MTU, what the setting needs, and the role that raises underlays."""
    ev = item.get("evidence") or {}
    if item["code"] == "NEUTRON_GENEVE_HEADER_TOO_SMALL":
        return (
            f"{host}: OVN needs [ml2_type_geneve] max_header_size >= {ev.get('minimum')} (its Geneve options), the result would be "
            f"{ev.get('geneve_max_header_size')}: set physnet_mtu_geneve_max_header_size to at least {ev.get('minimum')}"
        )
    if "physnet" in ev:
        need = ev.get("network_mtu")
        what = f"flat/VLAN networks on physnet {ev['physnet']} would get MTU {need}"
    else:
        need = ev.get("required_underlay_mtu")
        what = (
            f"{ev.get('network_type')} networks would get MTU {ev.get('network_mtu')}, which needs {need} on the wire "
            f"(+{ev.get('ip_header')} IP +{ev.get('encapsulation')} {ev.get('network_type')})"
        )
        if ev.get("encap_ip"):
            what += f" from OVN's encap_ip {ev['encap_ip']}"
        elif ev.get("local_ip"):
            what += f" from local_ip {ev['local_ip']}"
    return (
        f"{host}: {what}, but interface {item.get('interface')} carries MTU {ev.get('interface_mtu')}: "
        f"raise the underlay first ({JUMBO} with jumbo_underlay_mtu: {need}) or ask for a smaller MTU"
    )


def _ovn_findings(facts: dict, host, neutron: dict) -> list:
    """The Geneve (or VXLAN) overlay of an OVN chassis against the interface holding ``ovn.encap_ip``, as findings."""
    ovn = (facts or {}).get("ovn") or {}
    encap_ip = ovn.get("encap_ip")
    if not encap_ip:
        return []
    kinds = [k for k in re.split(r"[,\s]+", str(ovn.get("encap_type") or "geneve")) if k in ("geneve", "vxlan")] or ["geneve"]
    ifaces = (facts or {}).get("interfaces") or {}
    iface = _judge.interface_holding(ifaces, encap_ip)
    iface_mtu = _judge._int((ifaces.get(iface) or {}).get("mtu")) if iface else None
    if iface_mtu is None:
        return []
    version = _judge.ip_version(encap_ip) or 4
    out = []
    for kind in kinds:
        want = _judge._int((neutron.get("network_mtus") or {}).get(kind))
        if not want:
            continue
        header = _mtu.IP_HEADER[version]
        encap = _mtu.neutron_encap_overhead(kind, _judge._int(neutron.get("geneve_max_header_size")))
        if want + header + encap > iface_mtu:
            out.append(
                {
                    "code": "NEUTRON_MTU_EXCEEDS_UNDERLAY",
                    "interface": iface,
                    "evidence": {
                        "network_type": kind,
                        "network_mtu": want,
                        "ip_header": header,
                        "encapsulation": encap,
                        "required_underlay_mtu": want + header + encap,
                        "interface_mtu": iface_mtu,
                        "encap_ip": encap_ip,
                    },
                }
            )
    return out


def _neutron_of(facts: dict) -> dict:
    neutron = (facts or {}).get("neutron") or {}
    return neutron if neutron.get("found") else {}


def known_physnets(hosts_facts: dict) -> list:
    """Physnets named in network_vlan_ranges or flat_networks on any host (``*`` names none)."""
    names = set()
    for facts in hosts_facts.values():
        neutron = _neutron_of(facts)
        names |= set(neutron.get("network_vlan_ranges") or {})
        names |= {n for n in neutron.get("flat_networks") or [] if n != "*"}
    return sorted(names)


def plan(hosts_facts: dict, requested: dict) -> dict:
    """Check ``requested`` against every host's facts: ``{"settings", "files", "overrides", "refusals", "hosts": {host: {"before", "after"}}}``.

    ``overrides`` is ``files`` with mapping values as INI text (``physnet1:9000``), for deployment tools' override variables.

    ``refusals`` (empty when the change is safe) are messages naming the host, the interface, its MTU and what the
    setting needs; settings that are wrong whatever the hosts (see validate_settings) are the only refusal then.
    """
    try:
        settings = validate_settings(requested)
    except PlanError as exc:
        return {"settings": {}, "files": {}, "overrides": {}, "refusals": [str(exc)], "hosts": {}}
    hosts_facts = {h: f for h, f in (hosts_facts or {}).items() if isinstance(f, dict)}
    refusals = []
    if "physical_network_mtus" in settings:
        known = known_physnets(hosts_facts)
        for physnet in sorted(settings["physical_network_mtus"]):
            if physnet not in known:
                refusals.append(
                    f"physnet {physnet!r} is in neither network_vlan_ranges nor flat_networks on any host of the play "
                    f"(known: {', '.join(known) or 'none'}); Neutron would never use its MTU"
                )
    ovn = sorted(h for h, f in hosts_facts.items() if "ovn" in [str(d).lower() for d in _neutron_of(f).get("mechanism_drivers") or []])
    size = settings.get("geneve_max_header_size")
    if ovn and size is not None and size < _mtu.OVN_GENEVE_MIN_MAX_HEADER_SIZE:
        refusals.append(
            f"physnet_mtu_geneve_max_header_size {size} is below the {_mtu.OVN_GENEVE_MIN_MAX_HEADER_SIZE} OVN needs "
            f"(mechanism_drivers include ovn on {', '.join(ovn)})"
        )
    hosts = {}
    for host in sorted(hosts_facts):
        facts = hosts_facts[host]
        for error in ((facts.get("neutron") or {}).get("errors")) or []:
            where = f"{error.get('file')}:{error.get('line')}" if error.get("line") else f"{error.get('file')}"
            refusals.append(f"{host}: {where}: {error.get('message')} (fix the file first)")
        before = _neutron_of(facts)
        if not before:
            continue
        after = apply_settings(before, settings)
        facts_after = _with_neutron(facts, after)
        found = _judge.check_neutron_underlay(facts_after, host) + _ovn_findings(facts_after, host, after)
        if size is None or not ovn:  # an asked size below 38 is refused above, once
            found += _judge.check_geneve_header(facts_after, host)
        refusals += [_refusal(host, item) for item in found]
        hosts[host] = {"before": before.get("network_mtus"), "after": after["network_mtus"]}
    files = file_settings(settings)
    overrides = {
        kind: {
            section: {option: render_value(value) if isinstance(value, dict) else value for option, value in options.items()}
            for section, options in sections.items()
        }
        for kind, sections in files.items()
    }
    return {"settings": settings, "files": files, "overrides": overrides, "refusals": refusals, "hosts": hosts}


def verify(before_facts: dict, after_facts: dict, applied: dict, host=None) -> list:
    """Problems (empty: proven) comparing the neutron facts gathered after the change with what ``applied`` must give."""
    before = _neutron_of(before_facts)
    after = _neutron_of(after_facts)
    who = f"{host}: " if host else ""
    if not after:
        return [f"{who}no Neutron configuration found after the change"]
    problems = [f"{who}{e.get('file')}:{e.get('line')}: {e.get('message')}" for e in after.get("errors") or []]
    for name, value in (applied or {}).items():
        got = after.get(name)
        if name == "physical_network_mtus":
            got = {k: _judge._int(v) for k, v in (got or {}).items()}
        if got != value:
            problems.append(f"{who}Neutron reads {name} = {got!r} after the change, {value!r} was asked (a later config file overrides it?)")
    expected = apply_settings(before, applied or {})["network_mtus"]
    if after.get("network_mtus") != expected:
        problems.append(f"{who}Neutron computes network_mtus {after.get('network_mtus')!r}, expected {expected!r}")
    return problems


def detect_layout(paths, units, requested: str = "auto") -> dict:
    """``{"layout", "reason", "server_units", "kolla_services", "kolla_units"}`` from the paths present on a host and its systemd units.

    ``paths``: what the role found (``/etc/neutron/neutron.conf``, ``/etc/kolla/neutron-server``,
    ``/openstack/venvs/neutron-29.0.0``...); ``units``: systemd unit names. Raises PlanError when no layout,
    or more than one, fits (and none was given).
    """
    if requested not in ("auto",) + LAYOUTS:
        raise PlanError(f"unknown layout {requested!r}: use auto, {', '.join(LAYOUTS)}")
    paths = sorted({str(p).rstrip("/") for p in paths or []})
    units = sorted({str(u) for u in units or []})
    kolla_services = sorted({m.group("service") for m in map(_KOLLA_DIR_RE.match, paths) if m})
    kolla_units = sorted(u for u in units if _KOLLA_UNIT_RE.match(u))
    osa = sorted(p for p in paths if _OSA_VENV_RE.match(p))
    packaged = "/etc/neutron/neutron.conf" in paths
    server_units = [u for u in SERVER_UNITS if u in units]
    if "neutron-server.service" in server_units:
        server_units = ["neutron-server.service"]
    found = []
    if kolla_services or kolla_units:
        found.append(("kolla", f"kolla-ansible's rendered service directories {', '.join(kolla_services) or '(none)'}"))
    if osa:
        found.append(("openstack_ansible", f"OpenStack-Ansible's Neutron virtualenv {osa[0]}"))
    elif packaged:
        found.append(("packaged", "/etc/neutron/neutron.conf from the distribution's packages"))
    if requested != "auto":
        layout, reason = requested, "given (physnet_mtu_layout)"
    elif not found:
        raise PlanError("no Neutron deployment found (no /etc/neutron/neutron.conf, /etc/kolla/neutron-*, /openstack/venvs/neutron-*): set physnet_mtu_layout")
    elif len(found) > 1:
        raise PlanError("more than one Neutron layout fits (" + "; ".join(f"{n}: {r}" for n, r in found) + "): set physnet_mtu_layout")
    else:
        layout, reason = found[0]
    return {"layout": layout, "reason": reason, "server_units": server_units, "kolla_services": kolla_services, "kolla_units": kolla_units}


def kolla_container(service: str) -> str:
    """kolla-ansible's container name for a service directory: ``neutron-server`` -> ``neutron_server``."""
    return service.replace("-", "_")
