# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""Plans of the ``usb_nic_driver`` role: which USB NICs need the fix, whether a reload is safe, how to rebind.

Inputs are ``ansible_facts.netdoctor`` (docs/facts.md, the ``links`` and ``drivers`` subsets) and
a few facts the module reads (the USB interface directory names, the address the controller came in on).
"""

from __future__ import annotations

import re

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import usb_driver

# catalogue entries (nic_catalogue.py) this role repairs
FIXED_ISSUES = ("ax88179-trailer", "realtek-usb-on-cdc", "ax88179a-on-cdc-ncm")

# a USB interface directory name: BUS-PORT[.PORT...]:CONFIG.INTERFACE ("2-1:1.0", "4-1.3:2.0")
_USB_IFACE_RE = re.compile(r"^(?P<device>\d+-\d+(?:\.\d+)*):(?P<config>\d+)\.(?P<number>\d+)$")


class PlanError(ValueError):
    """Bad input: the role stops before anything is changed."""


def usb_interface_parts(name) -> dict | None:
    """``{"device": "2-1", "configuration": 1, "interface": 0}`` of a USB interface directory name."""
    match = _USB_IFACE_RE.match(str(name or ""))
    if not match:
        return None
    return {"device": match.group("device"), "configuration": int(match.group("config")), "interface": int(match.group("number"))}


def _selectors(devices) -> tuple:
    """Split the operator's ``devices`` list into (vid:pid pairs, interface names); PlanError on anything else."""
    ids, names = [], []
    for item in devices or []:
        text = str(item).strip()
        pair = usb_driver.parse_usb_id(text)
        if pair:
            if usb_driver.usb_nic_family(*pair) is None:
                raise PlanError(
                    f"{text} is not a USB NIC known to r8152 or ax88179_178a (the vendor rule, the in-tree id tables): "
                    "nothing was installed. Name a USB network adapter by vendor:product (lsusb) or by interface name"
                )
            ids.append(pair)
            continue
        if not text or len(text.encode()) > 15 or "/" in text or any(c.isspace() for c in text) or "\0" in text or text in (".", ".."):
            raise PlanError(f"{text!r} is neither a vendor:product id (0bda:8156) nor an interface name")
        names.append(text)
    return ids, names


def _usb_pair(driver: dict):
    usb = driver.get("usb") or {}
    if not usb.get("vendor_id") or not usb.get("product_id"):
        return None
    return str(usb["vendor_id"]).lower(), str(usb["product_id"]).lower()


def plan_targets(facts: dict, *, devices=None, minimum_version=None, modules=("r8152",)) -> dict:
    """Which interfaces need the fix, from net_facts' drivers facts.

    An interface is a target when it is a USB NIC and (a) a catalogue entry this role fixes matches
    it, (b) its driver is one of ``modules`` and older than ``minimum_version`` (a version that cannot
    be read counts as older), or (c) the operator named it or its vid:pid in ``devices``.
    vid:pid entries with no such device present are ``staged``: the driver, rule and pin are
    installed so the adapter works when it is plugged in. Raises PlanError for bad ``devices``.

    Returns ``{"targets": [...], "staged": ["vvvv:pppp"], "ok": [...], "needed": bool, "summary": str}``.
    """
    ids, names = _selectors(devices)
    interfaces = facts.get("interfaces") or {}
    for name in names:
        if name not in interfaces:
            raise PlanError(f"interface {name} (usb_nic_driver_devices) does not exist on this host: nothing was installed")
        driver = interfaces[name].get("driver") or {}
        if driver.get("bus") != "usb":
            raise PlanError(f"interface {name} is not a USB NIC (bus {driver.get('bus')}, driver {driver.get('driver')}): nothing was installed")
    targets, fine = [], []
    seen_ids = set()
    for name in sorted(interfaces):
        driver = interfaces[name].get("driver") or {}
        if driver.get("bus") != "usb":
            continue
        pair = _usb_pair(driver)
        family = usb_driver.usb_nic_family(*pair) if pair else None
        reasons = []
        for issue in driver.get("known_issues") or []:
            if issue.get("id") in FIXED_ISSUES:
                reasons.append(f"known issue {issue['id']}")
        current = driver.get("driver")
        if minimum_version and current in modules:
            at_least = usb_driver.version_at_least(driver.get("version"), minimum_version)
            if at_least is False:
                reasons.append(f"{current} {driver.get('version')} is older than {minimum_version}")
            elif at_least is None:
                reasons.append(f"{current} reports no comparable version ({driver.get('version')!r}), minimum {minimum_version}")
        if name in names:
            reasons.append("named in usb_nic_driver_devices")
        if pair and pair in ids:
            seen_ids.add(pair)
            reasons.append(f"{pair[0]}:{pair[1]} named in usb_nic_driver_devices")
        entry = {
            "interface": name,
            "usb_id": f"{pair[0]}:{pair[1]}" if pair else None,
            "family": family,
            "driver": current,
            "bound_driver": driver.get("bound_driver"),
            "version": driver.get("version"),
            "configuration": (driver.get("usb") or {}).get("configuration"),
            "wanted_driver": usb_driver.FAMILY_DRIVER.get(family),
            "wanted_configuration": usb_driver.vendor_rule_configuration(*pair) if pair and family == "realtek" else (1 if family == "asix" else None),
        }
        if reasons:
            entry["reasons"] = reasons
            targets.append(entry)
        else:
            fine.append(entry)
    staged = [f"{v}:{p}" for v, p in ids if (v, p) not in seen_ids]
    needed = bool(targets or staged)
    if targets:
        summary = "USB NICs that need the driver fix: " + ", ".join(f"{t['interface']} ({'; '.join(t['reasons'])})" for t in targets)
    elif staged:
        summary = "no such USB NIC is plugged in; staging the driver for " + ", ".join(staged)
    else:
        summary = "no USB NIC here needs the driver fix: left alone" + (f" (fine: {', '.join(f['interface'] for f in fine)})" if fine else "")
    return {"targets": targets, "staged": staged, "ok": fine, "needed": needed, "summary": summary}


def carrier_interfaces(facts: dict, addresses, route_interfaces) -> dict:
    """``{interface: why}`` for interfaces whose loss cuts the host off, and the devices beneath them.

    ``addresses``: addresses the controller's connection uses on this host (e.g. SSH_CONNECTION's
    server address); ``route_interfaces``: devices of the default routes. A bridge/bond/OVS port
    that carries them marks its members too (``master`` in the facts).
    """
    interfaces = facts.get("interfaces") or {}
    marked: dict = {}
    for name, entry in interfaces.items():
        for addr in entry.get("addresses") or []:
            if addr.get("address") in (addresses or []):
                marked[name] = f"holds {addr.get('address')}, the address Ansible connects to"
    for name in route_interfaces or []:
        marked.setdefault(name, "carries the default route")
    # members of a marked master (bridge, bond, OVS bridge's internal port) are marked too
    changed = True
    while changed:
        changed = False
        for name, entry in interfaces.items():
            master = entry.get("master") or (entry.get("ovs") or {}).get("bridge")
            if name not in marked and master in marked:
                marked[name] = f"is a port of {master}, which {marked[master]}"
                changed = True
    return marked


def reload_plan(targets: list, mode: str, carriers: dict, usb_interfaces: dict, modules_to_reload=()) -> dict:
    """Whether to reload now, and the steps: ``{"reload": bool, "reboot_required": bool, "why": str, "steps": [...]}``.

    ``mode``: ``auto`` (reload when no target carries the connection or default route) or ``never``.
    ``usb_interfaces``: ``{interface: "2-1:2.0"}`` (basename of /sys/class/net/IF/device).
    ``modules_to_reload``: modules whose running copy is not the DKMS build (unloaded, loaded again).
    Steps are ``{"action": "write", "path", "value"}`` (sysfs) or ``{"action": "command", "argv"}``.
    """
    if mode not in ("auto", "never"):
        raise PlanError(f"usb_nic_driver_reload must be auto or never, not {mode!r}")
    if not targets:
        return {"reload": False, "reboot_required": False, "why": "no USB NIC to rebind", "steps": []}
    unsafe = {t["interface"]: carriers[t["interface"]] for t in targets if t["interface"] in carriers}
    if mode == "never":
        return {"reload": False, "reboot_required": True, "why": "usb_nic_driver_reload is never: reboot to load the pinned driver", "steps": []}
    if unsafe:
        why = "; ".join(f"{name} {reason}" for name, reason in sorted(unsafe.items()))
        return {"reload": False, "reboot_required": True, "why": f"not reloading: {why}", "steps": []}
    steps = []
    devices = []
    for target in targets:
        usb_name = usb_interfaces.get(target["interface"])
        parts = usb_interface_parts(usb_name)
        if parts is None:
            return {"reload": False, "reboot_required": True, "why": f"{target['interface']}: USB interface {usb_name!r} not found in sysfs", "steps": []}
        if target.get("bound_driver") and target["bound_driver"] != target.get("wanted_driver"):
            steps.append({"action": "write", "path": f"/sys/bus/usb/drivers/{target['bound_driver']}/unbind", "value": usb_name})
        devices.append((target, parts, usb_name))
    for module in modules_to_reload:
        steps.append({"action": "command", "argv": ["modprobe", "-r", module]})
    for module in modules_to_reload:
        steps.append({"action": "command", "argv": ["modprobe", module]})
    for target, parts, usb_name in devices:
        wanted = target.get("wanted_configuration")
        if wanted and parts["configuration"] != wanted:
            # a new configuration makes the USB core probe the interfaces again: the vendor driver binds
            steps.append({"action": "write", "path": f"/sys/bus/usb/devices/{parts['device']}/bConfigurationValue", "value": str(wanted)})
        elif target.get("wanted_driver"):
            steps.append({"action": "bind", "path": f"/sys/bus/usb/drivers/{target['wanted_driver']}/bind", "value": usb_name})
    return {"reload": True, "reboot_required": False, "why": "no target carries the connection or the default route", "steps": steps}
