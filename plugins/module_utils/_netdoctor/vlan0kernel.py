# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""VLAN-0 strip in the kernel: a tc ingress filter (``flower vlan_id 0 action vlan pop``) or a
VLAN-0 sub-device enslaved in place of the NIC; and the probes that tell whether the kernel can.

Pure functions, no I/O: argv lists, the systemd unit that re-applies the tc filter after Open
vSwitch starts, and the verdicts on what the kernel answered to a probe in a scratch namespace.
"""

from __future__ import annotations

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import tcfilter
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import load_json_list, validate_ifname, validate_netns

# Our tc filter: a fixed preference and handle (so `tc filter replace` is idempotent) and the
# netdoctor cookie on the action ("ndptag" in ASCII), which is how we tell the filter is ours.
TC_PREF = "41"
TC_HANDLE = "0x6e64"
TC_COOKIE = "6e64707461670000"
_U32_ALL = ("match", "u32", "0", "0")
TC_UNIT = "netdoctor-priority-tag-strip-tc.service"
TC_UNIT_PATH = "/etc/systemd/system/" + TC_UNIT

# What the kernel says when a feature is missing (iproute2 6.1, kernel 6.18; captured in
# tests/unit/fixtures/kernel-refusals/):
# "Error: TC classifier not found."            no cls_flower
# "Error: Failed to load TC action module."    no act_vlan
# "Error: Specified qdisc kind is unknown."    no sch_ingress (clsact)
# "Error: Unknown device type."                no 8021q (ip link add ... type vlan)
_REFUSALS = (
    ("TC classifier not found", "the kernel has no flower classifier (cls_flower)"),
    ("Failed to load TC action module", "the kernel has no vlan action (act_vlan)"),
    ("Specified qdisc kind is unknown", "the kernel has no clsact qdisc (sch_ingress)"),
    ("Unknown device type", "the kernel has no 802.1Q VLAN devices (8021q)"),
)


def flower_argv(dev: str, verb: str = "replace") -> list[str]:
    """``tc filter VERB dev DEV ingress ...``: VLAN id 0 (any PCP) popped, every other VLAN left alone."""
    return [
        "tc", "filter", verb, "dev", validate_ifname(dev), "ingress", "pref", TC_PREF, "handle", TC_HANDLE,
        "protocol", "802.1Q", "flower", "vlan_id", "0", "action", "vlan", "pop", "cookie", TC_COOKIE,
    ]  # fmt: skip


def clsact_argv(dev: str) -> list[str]:
    """``tc qdisc add dev DEV clsact``: the ingress hook the filter hangs on."""
    return ["tc", "qdisc", "add", "dev", validate_ifname(dev), "clsact"]


def delete_filter_argv(dev: str) -> list[str]:
    """Remove our filter (by preference and handle) and nothing else."""
    return ["tc", "filter", "del", "dev", validate_ifname(dev), "ingress", "pref", TC_PREF, "handle", TC_HANDLE, "protocol", "802.1Q", "flower"]


def is_our_filter(flt: dict) -> bool:
    """True for a tcfilter.parse_filter_json() entry that is exactly our VLAN-0 pop filter."""
    if str(flt.get("pref")) != TC_PREF or flt.get("kind") != "flower" or str((flt.get("keys") or {}).get("vlan_id")) != "0":
        return False
    actions = flt.get("actions") or []
    return len(actions) == 1 and actions[0].get("kind") == "vlan" and actions[0].get("vlan_action") == "pop" and actions[0].get("cookie") == TC_COOKIE


def qdisc_kinds(text: str) -> list[str]:
    """The qdisc kinds of ``tc -j qdisc show dev DEV`` (which, unlike the full listing, names no ``dev``)."""
    return [str(qdisc.get("kind")) for qdisc in load_json_list(text, "tc -j qdisc")]


def plan_tc(dev: str, qdisc_kinds: list[str], filter_json: str, state: str = "present") -> dict:
    """{device, commands, before, after} for one uplink; ``filter_json`` is ``tc -j filter show dev DEV ingress``."""
    filters = tcfilter.parse_filter_json(filter_json) if any(kind in tcfilter.INGRESS_QDISCS for kind in qdisc_kinds) else []
    ours = [flt for flt in filters if is_our_filter(flt)]
    ours_pref = [flt for flt in filters if str(flt.get("pref")) == TC_PREF]
    commands: list[list[str]] = []
    if state == "absent":
        if ours_pref:
            commands.append(delete_filter_argv(dev))
        after = False
    else:
        if not any(kind in tcfilter.INGRESS_QDISCS for kind in qdisc_kinds):
            commands.append(clsact_argv(dev))
        if not ours or len(ours_pref) != len(ours):
            commands.append(flower_argv(dev))
        after = True
    return {"device": dev, "commands": commands, "before": bool(ours), "after": after}


def systemd_escape(name: str) -> str:
    """systemd's escaping of one path component in a unit name (``systemd-escape``): '-' and other bytes → \\xNN."""
    out = []
    for index, char in enumerate(validate_ifname(name)):
        if char.isascii() and (char.isalnum() or char in ":_" or (char == "." and index > 0)):
            out.append(char)
        else:
            out.extend(f"\\x{byte:02x}" for byte in char.encode("utf-8"))
    return "".join(out)


def tc_unit_text(devices: list[str], tc_path: str = "/usr/sbin/tc") -> str:
    """The oneshot unit that puts the filter back at boot and after every Open vSwitch start.

    OVS with hw-offload deletes ingress qdiscs when it starts, so the unit is ordered after it and
    wanted by it; ``qdisc add`` may fail when the qdisc exists (the ``-`` prefix), ``filter
    replace`` is idempotent.
    """
    devices = sorted(validate_ifname(dev) for dev in devices)
    device_units = " ".join(f"sys-subsystem-net-devices-{systemd_escape(dev)}.device" for dev in devices)
    lines = [
        "# Managed by netdoctor.openstack.priority_tag_strip: pops 802.1p priority tags (VLAN 0) at ingress.",
        "[Unit]",
        "Description=netdoctor: pop VLAN-0 (802.1p) priority tags at ingress (tc)",
        f"Wants={device_units}",
        f"After={device_units} openvswitch-switch.service ovs-vswitchd.service",
        "",
        "[Service]",
        "Type=oneshot",
        "RemainAfterExit=yes",
    ]
    for dev in devices:
        lines.append("ExecStart=-" + " ".join([tc_path] + clsact_argv(dev)[1:]))
        lines.append("ExecStart=" + " ".join([tc_path] + flower_argv(dev)[1:]))
    lines += ["", "[Install]", "WantedBy=multi-user.target openvswitch-switch.service ovs-vswitchd.service", ""]
    return "\n".join(lines)


def vlan0_device_name(dev: str) -> str:
    """The VLAN-0 sub-device's name: ``DEV.0``, shortened to fit the kernel's 15 bytes."""
    dev = validate_ifname(dev)
    return validate_ifname(dev[:13] + ".0")


def vlan0_device_commands(dev: str, bridge: str) -> list[list[str]]:
    """Create DEV.0 and enslave it to the Linux bridge in place of DEV (every ingress frame must be priority-tagged)."""
    vdev = vlan0_device_name(dev)
    return [
        ["ip", "link", "add", "link", dev, "name", vdev, "type", "vlan", "id", "0"],
        ["ip", "link", "set", "dev", dev, "nomaster"],
        ["ip", "link", "set", "dev", vdev, "master", validate_ifname(bridge)],
        ["ip", "link", "set", "dev", vdev, "up"],
    ]


def networkd_files(dev: str, bridge: str) -> dict[str, str]:
    """systemd-networkd files for the VLAN-0 device: {path: content} (.netdev, its .network, the parent's VLAN= drop-in)."""
    vdev = vlan0_device_name(dev)
    header = "# Managed by netdoctor.openstack.priority_tag_strip: VLAN-0 device for 802.1p priority-tagged frames.\n"
    return {
        f"/etc/systemd/network/60-netdoctor-{vdev}.netdev": header + f"[NetDev]\nName={vdev}\nKind=vlan\n\n[VLAN]\nId=0\n",
        f"/etc/systemd/network/60-netdoctor-{vdev}.network": header + f"[Match]\nName={vdev}\n\n[Network]\nBridge={validate_ifname(bridge)}\n",
    }


def ifupdown_stanza(dev: str, bridge: str) -> str:
    """ifupdown (Debian ``vlan`` package) stanza for the VLAN-0 device; the bridge's ``bridge_ports`` must name it instead of DEV."""
    vdev = vlan0_device_name(dev)
    return (
        "# Managed by netdoctor.openstack.priority_tag_strip: VLAN-0 device for 802.1p priority-tagged frames.\n"
        f"# {validate_ifname(bridge)} must list {vdev} in bridge_ports in place of {dev}.\n"
        f"auto {vdev}\niface {vdev} inet manual\n    vlan-raw-device {dev}\n"
    )


def probe_steps(netns: str) -> list[tuple[str, list[str]]]:
    """The scratch-namespace probe: (name, argv) in order; the caller always runs ``cleanup`` at the end."""
    ns = validate_netns(netns)
    return [
        ("netns", ["ip", "netns", "add", ns]),
        ("clsact", ["tc", "-n", ns, "qdisc", "add", "dev", "lo", "clsact"]),
        ("flower", ["tc", "-n", ns] + flower_argv("lo", "add")[1:]),
        # u32 is built into kernels that lack flower: this tells whether the vlan action is missing too
        (
            "vlan_action",
            ["tc", "-n", ns, "filter", "add", "dev", "lo", "ingress", "pref", "2", "protocol", "802.1Q", "u32", *_U32_ALL, "action", "vlan", "pop"],
        ),
        ("veth", ["ip", "-n", ns, "link", "add", "p0", "type", "veth", "peer", "name", "p1"]),
        ("vlan_device", ["ip", "-n", ns, "link", "add", "link", "p0", "name", "p0.0", "type", "vlan", "id", "0"]),
        ("cleanup", ["ip", "netns", "delete", ns]),
    ]


def refusal_reason(rc: int, stderr: str) -> str | None:
    """None when a probe step worked, else what the kernel lacks (or its own words)."""
    if rc == 0:
        return None
    for needle, reason in _REFUSALS:
        if needle in (stderr or ""):
            return reason
    return (stderr or "").strip().splitlines()[0] if (stderr or "").strip() else f"exit status {rc}"


def verdicts(results: dict[str, tuple[int, str]]) -> dict[str, str | None]:
    """{"tc": refusal or None, "vlan0_device": refusal or None} from probe_steps() results {name: (rc, stderr)}.

    A step that did not run (its prerequisite failed) counts as refused for the same reason.
    """

    def step(name):
        return refusal_reason(*results[name]) if name in results else "not probed"

    netns = step("netns")
    if netns is not None:
        return {"tc": f"cannot probe in a scratch namespace: {netns}", "vlan0_device": f"cannot probe in a scratch namespace: {netns}"}
    tc_reasons = []
    clsact = step("clsact")
    if clsact is not None:
        tc_reasons.append(clsact)
    else:
        flower = step("flower")
        if flower is not None:
            tc_reasons.append(flower)
            vlan_action = step("vlan_action")
            # u32 is built in here; its refusal names the vlan action when that is missing too
            if vlan_action is not None and vlan_action != flower:
                tc_reasons.append(vlan_action)
    veth = step("veth")
    vlan = veth if veth is not None else step("vlan_device")
    return {"tc": "; ".join(tc_reasons) or None, "vlan0_device": vlan}
