# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""VLAN-0 (802.1p priority tag) strip: the OVS flow method and the choice between methods.

Pure functions, no I/O. The vlan0_strip module reads ``ovs-vsctl`` (ovs.vsctl_args()) and
``ovs-ofctl dump-flows`` itself and hands the text here; this file decides which flows of ours
must be added or removed, and returns argv lists for ``ovs-ofctl``.

Only VLAN id 0 is ever matched: ``dl_vlan=0`` is VID 0 with any PCP (OVS stores it as
``vlan_tci=0x1000/0x1fff``), so frames of real VLANs pass untouched. The tc and VLAN-0 device
methods are in vlan0kernel.py.
"""

from __future__ import annotations

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import ovs
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import validate_ifname

METHODS = ("auto", "ovs_flow", "tc", "vlan0_device")

# The netdoctor cookie of the strip flow: "ndptag" in ASCII, then two zero bytes.
COOKIE = 0x6E64707461670000
COOKIE_HEX = f"{COOKIE:#018x}"
# The lowest priority we use; raised above any NORMAL flow that could see the uplink's VLAN-0 frames.
BASE_PRIORITY = 10
MAX_PRIORITY = 65535
# OVS omits priority=32768 (OFP_DEFAULT_PRIORITY) when it prints a flow.
DEFAULT_FLOW_PRIORITY = 32768
# Every ovs-ofctl call offers all versions: Neutron may switch OpenFlow 1.0 off on its bridges.
OFCTL_VERSIONS = ["-O", "OpenFlow10,OpenFlow11,OpenFlow12,OpenFlow13,OpenFlow14,OpenFlow15"]
# How dump-flows prints our actions (OpenFlow 1.0 names strip_vlan, 1.1+ pop_vlan).
_OUR_ACTIONS = ("strip_vlan,NORMAL", "pop_vlan,NORMAL")


class PlanError(ValueError):
    """A request that cannot be planned (unknown interface, wrong bridge, unsupported method)."""


def flow_match(uplink: str) -> str:
    """The match of our flow for ``uplink``: table 0, frames from the uplink with VLAN id 0 (any PCP)."""
    return f"table=0,in_port={validate_ifname(uplink)},dl_vlan=0"


def flow_spec(uplink: str, priority: int) -> str:
    """``ovs-ofctl add-flow`` text of our flow: strip the priority tag, then switch as NORMAL."""
    if not BASE_PRIORITY <= priority <= MAX_PRIORITY:
        raise PlanError(f"flow priority {priority} is outside {BASE_PRIORITY}-{MAX_PRIORITY}")
    return f"cookie={COOKIE_HEX},table=0,priority={priority},in_port={validate_ifname(uplink)},dl_vlan=0,actions=strip_vlan,NORMAL"


def flow_filter(uplink: str) -> str:
    """``ovs-ofctl dump-flows/del-flows`` filter selecting only our flow(s) for ``uplink``."""
    return f"cookie={COOKIE_HEX}/-1,{flow_match(uplink)}"


def ofctl(*args: str) -> list[str]:
    """argv of one ``ovs-ofctl`` call with every OpenFlow version offered."""
    return ["ovs-ofctl", *OFCTL_VERSIONS, *args]


def is_ours(flow: dict) -> bool:
    """True for a flow (parse_dump_flows entry) carrying the netdoctor cookie."""
    try:
        return int(flow.get("cookie") or "0", 0) == COOKIE
    except ValueError:
        return False


def flow_priority(flow: dict) -> int:
    """A dumped flow's priority (OVS leaves the default 32768 out)."""
    value = flow["fields"].get("priority")
    return int(value) if value is not None and value.isdigit() else DEFAULT_FLOW_PRIORITY


def _port_matches(in_port, uplink: str, ofport) -> bool:
    return in_port is not None and (in_port == uplink or in_port.strip('"') == uplink or (ofport is not None and in_port == str(ofport)))


def _could_see_vlan0(fields: dict, uplink: str, ofport) -> bool:
    """True when a flow's match may select VLAN-0 frames arriving on ``uplink``."""
    in_port = fields.get("in_port")
    if in_port is not None and not _port_matches(in_port, uplink, ofport):
        return False
    vlan_matched = any(key in fields for key in ("dl_vlan", "vlan_tci", "vlan_vid"))
    return not vlan_matched or ovs.matches_vlan0(fields)


def _forwards(actions: str) -> bool:
    """True for actions that switch a frame on: NORMAL, or on into a later table (Neutron's DVR bridges)."""
    return any(action == "NORMAL" or action.startswith(("resubmit(", "goto_table:")) for action in actions.split(","))


def normal_priority(flows: list[dict], uplink: str, ofport) -> int | None:
    """Highest priority of a foreign table-0 flow that would switch the uplink's VLAN-0 frames on (NORMAL or
    resubmit/goto_table), or None. A drop flow is the operator's choice and is left to win."""
    priorities = [
        flow_priority(flow)
        for flow in flows
        if flow["table"] == 0 and not is_ours(flow) and _forwards(flow["actions"]) and _could_see_vlan0(flow["fields"], uplink, ofport)
    ]
    return max(priorities) if priorities else None


def wanted_priority(flows: list[dict], uplink: str, ofport) -> int:
    """Our priority on this bridge: BASE_PRIORITY, or one above the NORMAL flow it must beat."""
    normal = normal_priority(flows, uplink, ofport)
    priority = BASE_PRIORITY if normal is None else max(BASE_PRIORITY, normal + 1)
    if priority > MAX_PRIORITY:
        raise PlanError(f"a NORMAL flow at priority {normal} leaves no room for the strip flow above it")
    return priority


def is_correct(flow: dict, uplink: str, ofport, priority: int) -> bool:
    """True when one of our dumped flows is exactly the one we would add for ``uplink``."""
    fields = flow["fields"]
    wanted_keys = {"priority", "in_port", "dl_vlan"}
    return (
        is_ours(flow)
        and flow["table"] == 0
        and set(fields) == wanted_keys
        and fields.get("dl_vlan") == "0"
        and _port_matches(fields.get("in_port"), uplink, ofport)
        and flow_priority(flow) == priority
        and flow["actions"] in _OUR_ACTIONS
    )


def resolve_uplinks(uplinks: list[str], per_interface: dict[str, dict], bridge: str | None) -> dict[str, list[dict]]:
    """{bridge: [{name, ofport}]} for the ovs_flow method; PlanError when an uplink is not where it must be.

    ``per_interface`` is ovs.build_ovs()'s second value (interfaces[NAME].ovs of the facts).
    """
    result: dict[str, list[dict]] = {}
    for name in uplinks:
        entry = per_interface.get(validate_ifname(name))
        if entry is None:
            raise PlanError(f"{name} is not an Open vSwitch port: the ovs_flow method needs the uplink in an OVS bridge")
        if entry.get("type") not in ("", "system", None):
            raise PlanError(f"{name} is an OVS {entry['type']} port, not a physical uplink")
        if bridge is not None and entry["bridge"] != bridge:
            raise PlanError(f"{name} is a port of OVS bridge {entry['bridge']}, not of {bridge}")
        result.setdefault(entry["bridge"], []).append({"name": name, "ofport": entry.get("ofport")})
    return result


def plan_bridge(bridge: str, uplinks: list[dict], dump_text: str, state: str = "present") -> dict:
    """What to do on one bridge: {bridge, flows (wanted), commands (argv lists), before, after}.

    ``dump_text`` is ``ovs-ofctl dump-flows BRIDGE`` (any OpenFlow version). With state
    ``present`` every uplink gets exactly one correct flow of ours and flows of ours for
    ports that are not uplinks any more are removed; with ``absent`` every flow of ours for the
    given uplinks goes. Flows without our cookie are never touched.
    """
    flows = ovs.parse_dump_flows(dump_text)
    ours = [flow for flow in flows if is_ours(flow)]
    commands: list[list[str]] = []
    wanted = []
    claimed: set[int] = set()
    for uplink in uplinks:
        name, ofport = uplink["name"], uplink.get("ofport")
        mine = [index for index, flow in enumerate(ours) if _port_matches(flow["fields"].get("in_port"), name, ofport)]
        claimed.update(mine)
        if state == "absent":
            if mine:
                commands.append(ofctl("del-flows", bridge, flow_filter(name)))
            continue
        priority = wanted_priority(flows, name, ofport)
        spec = flow_spec(name, priority)
        wanted.append(
            {
                "bridge": bridge,
                "uplink": name,
                "priority": priority,
                "spec": spec,
                # what the reconciler runs: is it there, put it back, follow the bridge's flow table
                "check": ofctl("dump-flows", bridge, flow_filter(name)),
                "add": ofctl("add-flow", bridge, spec),
                "monitor": ofctl("monitor", bridge, "watch:"),
            }
        )
        if len(mine) == 1 and is_correct(ours[mine[0]], name, ofport, priority):
            continue
        if mine:
            commands.append(ofctl("del-flows", bridge, flow_filter(name)))
        commands.append(ofctl("add-flow", bridge, spec))
    if state == "present":
        for index, flow in enumerate(ours):
            in_port = flow["fields"].get("in_port")
            if index in claimed:
                continue
            match = f"cookie={COOKIE_HEX}/-1,table={flow['table']}" + (f",in_port={in_port}" if in_port else "")
            commands.append(ofctl("del-flows", bridge, match))
    return {
        "bridge": bridge,
        "flows": wanted,
        "commands": commands,
        "before": sorted(f"{flow['match']} actions={flow['actions']}" for flow in ours),
        "after": sorted(item["spec"] for item in wanted),
    }


def choose_method(method: str, in_ovs: bool, in_linux_bridge: bool, tc_refusal: str | None, vlan_refusal: str | None) -> tuple[str | None, list[str]]:
    """(method, reasons): ``auto`` picks ovs_flow in OVS, else tc, else vlan0_device; None with the reasons when nothing fits.

    ``tc_refusal``/``vlan_refusal`` are the kernel probes' verdicts (None: supported).
    """
    if method not in METHODS:
        raise PlanError(f"method {method!r} is not one of {', '.join(METHODS)}")
    if method != "auto":
        return method, []
    if in_ovs:
        return "ovs_flow", []
    reasons = ["the uplink is not in an Open vSwitch bridge (ovs_flow)"]
    if tc_refusal is None:
        return "tc", []
    reasons.append(f"tc: {tc_refusal}")
    if not in_linux_bridge:
        reasons.append("vlan0_device: the uplink is not a port of a Linux bridge")
    elif vlan_refusal is not None:
        reasons.append(f"vlan0_device: {vlan_refusal}")
    else:
        return "vlan0_device", []
    return None, reasons
