# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""tc: which devices have an ingress hook, and which ingress filters pop VLAN tags.

Pure functions, no I/O. The module runs ``tc -j qdisc show`` once and, when some device has
an ``ingress``/``clsact`` qdisc, ONE ``tc -j -batch -`` fed batch_commands(): tc prints one JSON
array per command, in order, so no process per interface is needed.

Key names follow iproute2: a filter's actions sit in ``options.actions``; the vlan action prints
``{"kind": "vlan", "vlan_action": "pop"}`` (tc/m_vlan.c); flower prints its match keys in
``options.keys`` (``vlan_id``).
"""

from __future__ import annotations

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import ParseError, load_json_list, validate_ifname

INGRESS_QDISCS = ("ingress", "clsact")


def parse_qdisc_json(text: str) -> dict[str, list[str]]:
    """``tc -j qdisc show`` → {dev: [qdisc kinds]}."""
    result: dict[str, list[str]] = {}
    for qdisc in load_json_list(text, "tc -j qdisc"):
        dev = qdisc.get("dev")
        if dev:
            result.setdefault(dev, []).append(str(qdisc.get("kind")))
    return result


def ingress_devices(qdiscs: dict[str, list[str]]) -> list[str]:
    """Devices with an ingress or clsact qdisc (the only ones that can hold ingress filters), sorted."""
    return sorted(dev for dev, kinds in qdiscs.items() if any(kind in INGRESS_QDISCS for kind in kinds))


def batch_commands(devices: list[str]) -> str:
    """stdin for ``tc -j -batch -``: one ``filter show dev X ingress`` per (validated) device."""
    return "".join(f"filter show dev {validate_ifname(dev)} ingress\n" for dev in devices)


def parse_batch_output(text: str, devices: list[str]) -> dict[str, list[dict]]:
    """Split ``tc -j -batch -`` output (one JSON array per line, in command order) into {dev: filters}."""
    lines = [line for line in (text or "").splitlines() if line.strip()]
    if len(lines) != len(devices):
        raise ParseError(f"tc -batch: expected {len(devices)} JSON arrays, got {len(lines)}")
    return {dev: parse_filter_json(line) for dev, line in zip(devices, lines)}


def parse_filter_json(text: str) -> list[dict]:
    """``tc -j filter show dev X ingress`` → [{protocol, pref, kind, chain, actions, keys}] (header entries without options skipped)."""
    filters = []
    for entry in load_json_list(text, "tc -j filter"):
        options = entry.get("options")
        if not isinstance(options, dict):
            continue
        filters.append(
            {
                "protocol": entry.get("protocol"),
                "pref": entry.get("pref"),
                "kind": entry.get("kind"),
                "chain": entry.get("chain"),
                "actions": [action for action in options.get("actions") or [] if isinstance(action, dict)],
                "keys": options.get("keys") if isinstance(options.get("keys"), dict) else {},
            }
        )
    return filters


def vlan_pop_methods(dev: str, filters: list[dict]) -> list[dict]:
    """docs/facts.md vlan0_strip methods for ingress filters that pop a VLAN tag on ``dev``.

    A pop in a filter that matches 802.1Q frames strips a priority tag (VLAN 0) as well; the
    detail names the protocol, classifier and any vlan_id it matches.
    """
    methods = []
    for flt in filters:
        if not any(action.get("kind") == "vlan" and action.get("vlan_action") == "pop" for action in flt["actions"]):
            continue
        detail = f"ingress pref {flt['pref']} protocol {flt['protocol']} {flt['kind']}"
        if "vlan_id" in flt["keys"]:
            detail += f" vlan_id {flt['keys']['vlan_id']}"
        methods.append({"method": "tc", "device": dev, "detail": detail + " action vlan pop"})
    return methods
