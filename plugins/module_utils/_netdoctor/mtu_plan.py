# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""The order in which MTUs change over a stack of devices, and the revert of such a change.

Pure functions, no I/O. ``links`` is the ``interfaces`` shape of docs/facts.md (what
``iplink.link_facts`` returns, with ``ovs`` entries attached where OVS knows the device).

Rules (kernel and OVS behaviour, REPAIR-NOTES "MTU on stacked devices"):
- a VLAN/macvlan cannot exceed the device beneath it, a bond's members carry the bond's frames,
  a Linux bridge forwards only what its ports carry: when raising, the devices beneath go first;
- when lowering, the devices stacked above go first, so a parent is never smaller than a child;
- an OVS interface gets ``mtu_request`` (OVS resets an MTU set with ``ip link``), and an OVS
  internal port follows its bridge's ports unless it has its own ``mtu_request``.
"""

from __future__ import annotations

import shlex

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import validate_ifname
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.mtu import MAX_MTU

CHILD_KINDS = frozenset(("vlan", "macvlan", "macvtap", "ipvlan"))
# Ports of a bridge that belong to guests or agents, not to the underlay: never moved with the bridge.
GUEST_PORT_KINDS = frozenset(("tap", "tun"))
# OVS Interface types that are not a kernel port carrying the bridge's frames.
OVS_NON_L2_TYPES = frozenset(("patch", "internal", "vxlan", "geneve", "gre", "stt", "lisp", "erspan", "ip6erspan", "ip6gre", "bareudp", "gtpu", "srv6"))
OVS_VSCTL_TIMEOUT = "--timeout=5"


class PlanError(ValueError):
    """A change that cannot be made safely (unknown device, MTU out of range, a child left too large)."""


def _entry(links: dict, name: str) -> dict:
    entry = links.get(name)
    if not isinstance(entry, dict):
        raise PlanError(f"interface {name!r} does not exist on this host")
    return entry


def _mtu(entry: dict) -> int:
    return int(entry.get("mtu") or 0)


def is_ovs(entry: dict) -> bool:
    """True when OVS owns the device's MTU (it is an Interface row of an OVS bridge)."""
    return isinstance(entry.get("ovs"), dict) and bool(entry["ovs"].get("bridge"))


def attach_ovs(links: dict, per_interface: dict) -> dict:
    """Put each OVS Interface row (ovs.parse_vsctl_chained's second item) on its link as ``ovs``; a tap or
    ovs_internal link whose row says ``internal`` becomes ``ovs_internal`` (the kernel cannot tell them apart).
    Rows of devices not in ``links`` are ignored. Returns ``links``, updated in place."""
    for name, entry in per_interface.items():
        if name in links:
            links[name]["ovs"] = entry
            if entry["type"] == "internal" and links[name]["kind"] in ("tap", "ovs_internal"):
                links[name]["kind"] = "ovs_internal"
    return links


def _ovs_internal(entry: dict) -> bool:
    return entry.get("kind") == "ovs_internal" or (is_ovs(entry) and (entry["ovs"].get("type") or "") == "internal")


def lowers(links: dict, name: str) -> list[str]:
    """The devices directly beneath ``name`` that must carry its MTU (sorted, existing ones only)."""
    entry = _entry(links, name)
    kind = entry.get("kind")
    found: list[str] = []
    if kind in CHILD_KINDS and entry.get("lower"):
        found = [entry["lower"]]
    elif kind == "bond":
        found = list(entry.get("bond_members") or [])
    elif kind == "bridge":
        found = [p for p in entry.get("bridge_ports") or [] if (links.get(p) or {}).get("kind") not in GUEST_PORT_KINDS]
    elif _ovs_internal(entry) and is_ovs(entry):
        bridge = entry["ovs"]["bridge"]
        for other, info in links.items():
            if other == name or not is_ovs(info) or info["ovs"].get("bridge") != bridge:
                continue
            if (info["ovs"].get("type") or "") in OVS_NON_L2_TYPES or info.get("kind") in GUEST_PORT_KINDS | {"ovs_internal", "ovs_system"}:
                continue
            found.append(other)
    return sorted(n for n in found if n in links)


def uppers(links: dict, name: str) -> list[str]:
    """The devices stacked directly on ``name``: VLAN/macvlan children, the bond or bridge it is enslaved to,
    the internal ports of the OVS bridge it is a port of."""
    entry = _entry(links, name)
    found = set()
    for other, info in links.items():
        if info.get("kind") in CHILD_KINDS and info.get("lower") == name:
            found.add(other)
    master = entry.get("master")
    if master in links and entry.get("master_kind") in ("bond", "bridge"):
        found.add(master)
    if is_ovs(entry) and not _ovs_internal(entry) and (entry["ovs"].get("type") or "") not in OVS_NON_L2_TYPES:
        bridge = entry["ovs"]["bridge"]
        for other, info in links.items():
            if other != name and _ovs_internal(info) and is_ovs(info) and info["ovs"].get("bridge") == bridge:
                found.add(other)
    return sorted(found)


def _check_range(entry: dict, name: str, mtu: int) -> None:
    low = entry.get("min_mtu")
    high = entry.get("max_mtu")
    low = 68 if low in (None, 0) else int(low)
    high = MAX_MTU if high in (None, 0) else int(high)
    if not low <= mtu <= high:
        raise PlanError(f"MTU {mtu} is outside what {name} accepts ({low}-{high}); nothing was changed")


def _step(links: dict, name: str, mtu: int, why: str) -> dict:
    entry = links[name]
    _check_range(entry, name, mtu)
    step = {"name": name, "before": _mtu(entry), "after": mtu, "method": "ovs" if is_ovs(entry) else "ip", "why": why}
    if step["method"] == "ovs":
        step["mtu_request_before"] = entry["ovs"].get("mtu_request")
    return step


def plan(links: dict, name: str, mtu: int, stack: bool = False) -> list[dict]:
    """The ordered changes that give ``name`` MTU ``mtu``: [{name, before, after, method, why}].

    Raising: devices beneath first (bond members, a VLAN's parent, a bridge's ports, an OVS
    internal port's bridge ports), then ``name``, then with ``stack`` what is stacked on it.
    Lowering: with ``stack`` what is stacked on it first (top down), then ``name``. Devices
    already at the wanted side of ``mtu`` are left alone. Without ``stack``, a change that needs
    another device moved is refused. Every MTU is checked against the device's min/max first.
    """
    validate_ifname(name)
    target = _entry(links, name)
    mtu = int(mtu)
    _check_range(target, name, mtu)
    steps: list[dict] = []
    seen: set[str] = set()

    def add(dev: str, why: str) -> None:
        if dev not in seen:
            seen.add(dev)
            steps.append(_step(links, dev, mtu, why))

    if mtu >= _mtu(target):

        def raise_beneath(dev: str, trail: tuple) -> None:
            for low in lowers(links, dev):
                if low in trail or _mtu(links[low]) >= mtu:
                    continue
                if not stack:
                    raise PlanError(
                        f"{low} beneath {dev} carries only {_mtu(links[low])}: raising {name} to {mtu} needs it raised first "
                        "(set stack to raise the devices beneath and above too); nothing was changed"
                    )
                raise_beneath(low, trail + (low,))
                add(low, f"beneath {dev}")

        raise_beneath(name, (name,))
        if _mtu(target) < mtu:
            add(name, "target")
        if stack:
            queue = [(u, (name, u)) for u in uppers(links, name)]
            while queue:
                dev, trail = queue.pop(0)
                if dev in seen:
                    continue
                if _mtu(links[dev]) < mtu:
                    raise_beneath(dev, trail)
                    add(dev, "stacked")
                queue.extend((u, trail + (u,)) for u in uppers(links, dev) if u not in trail)
        return steps

    # lowering: what is stacked above first, deepest last
    def lower_above(dev: str, trail: tuple) -> None:
        for up in uppers(links, dev):
            if up in trail or _mtu(links[up]) <= mtu:
                continue
            entry = links[up]
            if not stack:
                if entry.get("kind") in CHILD_KINDS or entry.get("kind") == "bond":
                    raise PlanError(
                        f"{up} on {dev} has MTU {_mtu(entry)}: lowering {name} to {mtu} would leave it larger than the device beneath "
                        "(set stack to lower it first); nothing was changed"
                    )
                continue
            lower_above(up, trail + (up,))
            add(up, f"stacked on {dev}")

    lower_above(name, (name,))
    add(name, "target")
    return steps


# ---------------------------------------------------------------- commands


def apply_argv(step: dict) -> list[str]:
    """The command that makes one step."""
    validate_ifname(step["name"])
    if step["method"] == "ovs":
        return ["ovs-vsctl", OVS_VSCTL_TIMEOUT, "set", "Interface", step["name"], f"mtu_request={int(step['after'])}"]
    return ["ip", "link", "set", "dev", step["name"], "mtu", str(int(step["after"]))]


def revert_argv(step: dict) -> list[str]:
    """The command that undoes one step (OVS: the old mtu_request, or none when it had none)."""
    validate_ifname(step["name"])
    if step["method"] == "ovs":
        old = step.get("mtu_request_before")
        if old in (None, "", []):
            return ["ovs-vsctl", OVS_VSCTL_TIMEOUT, "clear", "Interface", step["name"], "mtu_request"]
        return ["ovs-vsctl", OVS_VSCTL_TIMEOUT, "set", "Interface", step["name"], f"mtu_request={int(old)}"]
    return ["ip", "link", "set", "dev", step["name"], "mtu", str(int(step["before"]))]


# ---------------------------------------------------------------- saved state and the revert script


def empty_state() -> dict:
    """The saved state of a change not yet committed: steps in apply order, file backups, commands."""
    return {"version": 1, "steps": [], "files": [], "post": [], "nm_checkpoints": []}


def merge_state(state: dict | None, steps: list, files: list, post: list | None = None, nm_checkpoints: list | None = None) -> dict:
    """``state`` with one more change appended; the first saved original of a device or file wins."""
    merged = empty_state()
    for key in merged:
        if key != "version" and isinstance((state or {}).get(key), list):
            merged[key] = list(state[key])
    known = {s["name"] for s in merged["steps"]}
    for step in steps:
        if step["name"] not in known:
            merged["steps"].append(dict(step))
            known.add(step["name"])
    saved = {f["path"] for f in merged["files"]}
    for item in files:
        if item["path"] not in saved:
            merged["files"].append({"path": item["path"], "backup": item.get("backup")})
            saved.add(item["path"])
    for argv in post or []:
        if list(argv) not in merged["post"]:
            merged["post"].append(list(argv))
    for path in nm_checkpoints or []:
        if path not in merged["nm_checkpoints"]:
            merged["nm_checkpoints"].append(path)
    return merged


def _line(argv: list) -> str:
    return " ".join(shlex.quote(str(a)) for a in argv)


def revert_script(state: dict, marker: str) -> str:
    """A POSIX shell script that puts back what ``state`` saved, then creates ``marker``.

    Files first (so a renderer that reloads sees the old settings), NetworkManager checkpoints
    rolled back, MTUs in the reverse of the apply order (a raise is undone top down), then the
    renderers' reload commands. Every word is quoted; a step that fails does not stop the others.
    """
    lines = [
        "#!/bin/sh",
        "# netdoctor.openstack: revert of an MTU change that was not committed (written by link_mtu).",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "export PATH",
        "status=0",
    ]
    for item in state.get("files") or []:
        if item.get("backup"):
            lines.append(_line(["cp", "-p", item["backup"], item["path"]]) + " || status=1")
        else:
            lines.append(_line(["rm", "-f", item["path"]]) + " || status=1")
    for path in state.get("nm_checkpoints") or []:
        lines.append(_line(nm_checkpoint_argv("CheckpointRollback", path)) + " || status=1")
    for step in reversed(state.get("steps") or []):
        lines.append(_line(revert_argv(step)) + " || status=1")
    for argv in state.get("post") or []:
        lines.append(_line(argv) + " || status=1")
    lines.append(_line(["touch", marker]))
    lines.append('exit "$status"')
    return "\n".join(lines) + "\n"


def revert_timer_argv(unit: str, timeout: int, script: str) -> list[str]:
    """systemd-run arming a transient timer ``unit`` that runs ``script`` once, ``timeout`` s from now.

    The unit name must carry the collection's ``netdoctor-`` prefix (STYLE: units we own are marked).
    """
    if not isinstance(unit, str) or not unit.startswith("netdoctor-") or not unit.replace("-", "").replace("_", "").isalnum():
        raise PlanError(f"revert unit {unit!r} must start with netdoctor- and hold only letters, digits, - and _; nothing was changed")
    return [
        "systemd-run",
        f"--unit={unit}",
        "--description=netdoctor.openstack: revert an MTU change that was not committed",
        f"--on-active={int(timeout)}s",
        "--timer-property=AccuracySec=1s",
        "--timer-property=RemainAfterElapse=no",
        "--collect",
        "/bin/sh",
        script,
    ]


NM_BUS = ("org.freedesktop.NetworkManager", "/org/freedesktop/NetworkManager", "org.freedesktop.NetworkManager")
# NM_CHECKPOINT_CREATE_FLAG_DELETE_NEW_CONNECTIONS | NM_CHECKPOINT_CREATE_FLAG_DISCONNECT_NEW_DEVICES
NM_CHECKPOINT_FLAGS = 0x02 | 0x04


def nm_device_argv(name: str) -> list[str]:
    """busctl call that returns the D-Bus path of NetworkManager's device ``name``."""
    return ["busctl", "call", *NM_BUS, "GetDeviceByIpIface", "s", validate_ifname(name)]


def nm_checkpoint_create_argv(device_paths: list[str], timeout: int) -> list[str]:
    """busctl call creating a checkpoint over ``device_paths`` that NetworkManager rolls back after ``timeout`` s."""
    return ["busctl", "call", *NM_BUS, "CheckpointCreate", "aouu", str(len(device_paths)), *device_paths, str(int(timeout)), str(NM_CHECKPOINT_FLAGS)]


def nm_checkpoint_argv(method: str, path: str) -> list[str]:
    """busctl call for CheckpointDestroy (commit) or CheckpointRollback (revert) of ``path``."""
    if method not in ("CheckpointDestroy", "CheckpointRollback"):
        raise PlanError(f"unknown checkpoint method {method!r}")
    if not str(path).startswith("/org/freedesktop/NetworkManager/Checkpoint/"):
        raise PlanError(f"{path!r} is not a NetworkManager checkpoint path")
    return ["busctl", "call", *NM_BUS, method, "o", path]


def parse_busctl_object(text: str) -> str:
    """The object path busctl prints for a method returning ``o``: ``o "/org/…/Devices/2"``."""
    line = (text or "").strip()
    if not line.startswith('o "') or not line.endswith('"'):
        raise PlanError(f"busctl returned {line!r}, not an object path")
    return line[3:-1]
