#!/usr/bin/python
# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: vlan0_strip
short_description: Strip 802.1p priority tags (VLAN id 0) from frames arriving on an uplink
version_added: 0.1.0
description:
  - Makes frames that arrive on O(interfaces) with an 802.1Q tag of VLAN id 0 (a priority tag, any PCP) lose
    that tag before they are switched, so guests and Neutron's flat-network flows see them untagged. Frames of
    real VLANs (id 1-4094) pass untouched.
  - V(ovs_flow) adds, on the Open vSwitch bridge holding the uplink, a flow with the netdoctor cookie
    C(0x6e64707461670000) in table 0, C(in_port=UPLINK,dl_vlan=0 actions=strip_vlan,NORMAL), at a priority above
    every NORMAL flow that could see those frames. Flows with another cookie are never touched.
  - V(tc) adds a clsact qdisc and the ingress filter C(protocol 802.1Q flower vlan_id 0 action vlan pop) with the
    netdoctor cookie on the action. V(vlan0_device) plans a VLAN-0 sub-device enslaved to the Linux bridge in
    place of the NIC (valid only when every ingress frame is priority-tagged).
  - Whether the kernel has the flower classifier, the vlan action and 802.1Q devices is probed in a scratch
    network namespace that is deleted again (also in check mode); a method the kernel cannot do is refused
    with what it lacks, before anything is changed.
  - V(vlan0_device) is not applied by this module, even where the kernel can; moving the bridge port belongs to
    the host's network renderer, so the module fails with the commands and files it would use.
  - Persistence (the reconciler that restores the OVS flow, the unit that restores the tc filter) is the job of
    the C(netdoctor.openstack.priority_tag_strip) role, fed with RV(reconciler) and RV(tc_unit).
author:
  - netdoctor maintainers (@netdoctor)
requirements:
  - iproute2 (C(ip), C(tc)); C(ovs-vsctl) and C(ovs-ofctl) for V(ovs_flow).
attributes:
  check_mode:
    support: full
    description: Reports the commands it would run and changes nothing (the kernel probe creates and deletes a scratch namespace).
  diff_mode:
    support: full
    description: Shows our flows or filters before and after.
  idempotent:
    support: full
    description: A second run finds the flow or filter in place and changes nothing.
options:
  interfaces:
    description: The uplinks whose received frames carry priority tags.
    type: list
    elements: str
    required: true
  method:
    description:
      - V(auto) uses V(ovs_flow) when the uplink is an OVS port, else V(tc) when the kernel supports it, else
        V(vlan0_device) when the uplink is a Linux bridge port and the kernel has 802.1Q devices, else fails.
    type: str
    choices: [auto, ovs_flow, tc, vlan0_device]
    default: auto
  bridge:
    description: For V(ovs_flow), the OVS bridge that must hold every uplink (default the one that does).
    type: str
  state:
    description: V(present) puts the strip in place, V(absent) removes ours.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: Strip priority tags arriving on the enic uplink of br-ex
  netdoctor.openstack.vlan0_strip:
    interfaces: [enp9s0]
    method: ovs_flow
"""

RETURN = r"""
strips:
  description: One entry per uplink, the way C(ansible_facts.netdoctor.interfaces[NAME].vlan0_strip) will show it.
  type: list
  elements: dict
  returned: always
  sample: [{interface: enp9s0, method: ovs_flow, bridge: br-ex, detail: "cookie=0x6e64707461670000,table=0,priority=10,..."}]
commands:
  description: The commands run (or, in check mode, that would run), as argv lists.
  type: list
  elements: list
  returned: always
reconciler:
  description: What the OVS flow reconciler keeps in place, C({cookie, flows}) with C(flows) a list of C({bridge, uplink, filter, spec}).
  type: dict
  returned: always
tc_unit:
  description: The content of the systemd unit that re-applies the tc filters (null without V(tc) uplinks).
  type: str
  returned: always
probe:
  description: The kernel probe's verdicts, C({tc, vlan0_device}), each null when supported or what the kernel lacks; null when not probed.
  type: dict
  returned: always
  sample:
    tc: "the kernel has no flower classifier (cls_flower); the kernel has no vlan action (act_vlan)"
    vlan0_device: "the kernel has no 802.1Q VLAN devices (8021q)"
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import iplink, ovs, tcfilter, vlan0kernel, vlan0strip
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import COMMAND_ENVIRON, InvalidName, ParseError, validate_ifname

_SBIN = ["/usr/sbin", "/sbin", "/usr/bin"]


class _Host:
    """Runs commands for the module: argv lists only, binaries resolved once with get_bin_path(required=True)."""

    def __init__(self, module):
        self.module = module
        self.paths = {}

    def run(self, argv, check=True):
        """(rc, stdout, stderr) of one command; fails the module on a non-zero exit when ``check``."""
        name = argv[0]
        if name not in self.paths:
            self.paths[name] = self.module.get_bin_path(name, required=True, opt_dirs=_SBIN)
        rc, out, err = self.module.run_command([self.paths[name]] + list(argv[1:]), check_rc=False)
        if check and rc != 0:
            self.module.fail_json(msg=f"{' '.join(argv)} failed (rc {rc}): {err.strip() or out.strip()}", rc=rc, stdout=out, stderr=err)
        return rc, out, err


def _probe(host):
    """Run vlan0kernel.probe_steps() in a scratch namespace, always deleting it again."""
    netns = f"nd-ptag-probe-{os.getpid()}"
    results = {}
    steps = vlan0kernel.probe_steps(netns)
    try:
        for name, argv in steps[:-1]:
            rc, _out, err = host.run(argv, check=False)
            results[name] = (rc, err)
            if name == "netns" and rc != 0:
                break
    finally:
        if results.get("netns", (1, ""))[0] == 0:
            host.run(steps[-1][1], check=False)
    return vlan0kernel.verdicts(results)


def _ovs_ports(host):
    """interfaces[NAME].ovs of every OVS interface ({} when OVS is not installed or not running)."""
    if host.module.get_bin_path("ovs-vsctl", opt_dirs=_SBIN) is None:
        return {}
    rc, out, _err = host.run(["ovs-vsctl"] + ovs.vsctl_args(), check=False)
    if rc != 0:
        return {}
    return ovs.parse_vsctl_chained(out)[1]


def _plan(module, host, links, ovs_ports):
    """Resolve the method per uplink and plan: (strips, commands, diffs, reconciler flows, tc devices, probe)."""
    params = module.params
    probe = None
    per_method = {}
    for name in params["interfaces"]:
        link = links[name]
        in_ovs = name in ovs_ports
        in_lb = link.get("master_kind") == "bridge"
        method = params["method"]
        if method in ("tc", "vlan0_device") or (method == "auto" and not in_ovs):
            probe = probe if probe is not None else _probe(host)
        chosen, reasons = vlan0strip.choose_method(method, in_ovs, in_lb, (probe or {}).get("tc"), (probe or {}).get("vlan0_device"))
        if chosen is None:
            module.fail_json(msg=f"{name}: no VLAN-0 strip method works here: " + "; ".join(reasons), probe=probe)
        if chosen in ("tc", "vlan0_device") and probe.get(chosen):
            module.fail_json(msg=f"{name}: the {chosen} method cannot work on this host: {probe[chosen]}", probe=probe)
        if chosen == "vlan0_device" and not in_lb:
            module.fail_json(msg=f"{name}: the vlan0_device method needs the uplink in a Linux bridge; it is not", probe=probe)
        per_method.setdefault(chosen, []).append(name)
    strips, commands, before, after, flows, tc_devices = [], [], [], [], [], []
    if per_method.get("ovs_flow"):
        for bridge, uplinks in sorted(vlan0strip.resolve_uplinks(per_method["ovs_flow"], ovs_ports, params["bridge"]).items()):
            _rc, dump, _err = host.run(vlan0strip.ofctl("dump-flows", bridge))
            plan = vlan0strip.plan_bridge(bridge, uplinks, dump, params["state"])
            commands += plan["commands"]
            before += [f"{bridge}: {line}" for line in plan["before"]]
            after += [f"{bridge}: {line}" for line in plan["after"]]
            flows += plan["flows"]
            strips += [{"interface": f["uplink"], "method": "ovs_flow", "bridge": bridge, "detail": f["spec"]} for f in plan["flows"]]
    for dev in per_method.get("tc", []):
        _rc, qdisc_out, _err = host.run(["tc", "-j", "qdisc", "show", "dev", dev])
        kinds = vlan0kernel.qdisc_kinds(qdisc_out)
        filter_out = ""
        if any(kind in tcfilter.INGRESS_QDISCS for kind in kinds):
            _rc, filter_out, _err = host.run(["tc", "-j", "filter", "show", "dev", dev, "ingress"])
        plan = vlan0kernel.plan_tc(dev, kinds, filter_out, params["state"])
        commands += plan["commands"]
        before += [f"{dev}: {' '.join(vlan0kernel.flower_argv(dev))}"] if plan["before"] else []
        after += [f"{dev}: {' '.join(vlan0kernel.flower_argv(dev))}"] if plan["after"] else []
        tc_devices.append(dev)
        strips.append({"interface": dev, "method": "tc", "device": dev, "detail": " ".join(vlan0kernel.flower_argv(dev))})
    for dev in per_method.get("vlan0_device", []):
        bridge = links[dev]["master"]
        planned = [" ".join(argv) for argv in vlan0kernel.vlan0_device_commands(dev, bridge)]
        module.fail_json(
            msg=f"{dev}: vlan0_device is not applied by this module: the bridge port moves in the renderer that owns {bridge}; "
            "the commands and files are in 'planned' and 'files'",
            planned=planned,
            files=vlan0kernel.networkd_files(dev, bridge),
            ifupdown=vlan0kernel.ifupdown_stanza(dev, bridge),
            probe=probe,
        )
    if params["state"] == "absent":
        strips, flows, tc_devices = [], [], []
    return strips, commands, before, after, flows, tc_devices, probe


def main():
    module = AnsibleModule(
        argument_spec=dict(
            interfaces=dict(type="list", elements="str", required=True),
            method=dict(type="str", choices=list(vlan0strip.METHODS), default="auto"),
            bridge=dict(type="str"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        supports_check_mode=True,
    )
    module.run_command_environ_update = COMMAND_ENVIRON
    params = module.params
    try:
        if not params["interfaces"]:
            raise InvalidName("interfaces must name at least one uplink")
        for name in params["interfaces"] + ([params["bridge"]] if params["bridge"] is not None else []):
            validate_ifname(name)
    except InvalidName as exc:
        module.fail_json(msg=str(exc))
    host = _Host(module)
    _rc, out, _err = host.run(["ip", "-j", "-d", "link", "show"])
    try:
        links = iplink.link_facts(iplink.parse_link_json(out))
        ovs_ports = _ovs_ports(host)
    except ParseError as exc:
        module.fail_json(msg=f"cannot read the host's links: {exc}")
    missing = [name for name in params["interfaces"] if name not in links]
    if missing:
        module.fail_json(msg=f"unknown interface(s): {', '.join(missing)}")
    try:
        strips, commands, before, after, flows, tc_devices, probe = _plan(module, host, links, ovs_ports)
    except (vlan0strip.PlanError, ParseError, InvalidName) as exc:
        module.fail_json(msg=str(exc))
    if commands and not module.check_mode:
        for argv in commands:
            host.run(argv)
        # prove: planning again must find nothing left to do
        _s, again, _b, _a, _f, _t, _p = _plan(module, host, links, ovs_ports)
        if again:
            module.fail_json(msg="the VLAN-0 strip is not in place after applying it", commands=commands, left=again)
    result = dict(
        changed=bool(commands),
        strips=strips,
        commands=commands,
        reconciler={"cookie": vlan0strip.COOKIE_HEX, "flows": flows},
        tc_unit=vlan0kernel.tc_unit_text(tc_devices, host.paths.get("tc") or "/usr/sbin/tc") if tc_devices else None,
        probe=probe,
    )
    if module._diff:
        result["diff"] = {"before": "".join(line + "\n" for line in before), "after": "".join(line + "\n" for line in after)}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
