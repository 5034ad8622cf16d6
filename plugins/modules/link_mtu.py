#!/usr/bin/python
# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: link_mtu
short_description: Set the MTU of an interface and of the devices stacked on it, in a safe order, persistently
version_added: 0.1.0
description:
  - Sets the MTU of O(name) at runtime and, with O(stack), of the devices that must move with it, in an order
    that never leaves a device larger than the one beneath it. Raising goes bottom up (bond members, the bond,
    then VLANs, bridges and OVS internal ports on it); lowering goes top down.
  - OVS interfaces (ports and internal ports) are changed with C(ovs-vsctl set Interface NAME mtu_request=N),
    since OVS resets an MTU set with C(ip link) and an internal port otherwise follows the smallest port.
  - Every device's new MTU is checked against its C(min_mtu)/C(max_mtu) before anything is touched; an unknown
    interface, an odd name or a non-integer MTU is refused, also in check mode.
  - With O(persist), also writes the MTU into the one renderer that owns each changed device, detected
    (OVS C(mtu_request), os-net-config, netplan, NetworkManager, systemd-networkd, ifupdown). A device no renderer
    configures is changed at runtime only and listed in RV(not_persisted).
  - With O(save_to), first saves what it will change (old MTUs, copies of the files, a NetworkManager checkpoint
    where NetworkManager owns a device) and writes C(revert.sh) there, which puts all of it back; successive calls
    with the same directory add to it. With O(revert_unit) it then arms a transient systemd timer that runs
    C(revert.sh) after O(rollback_timeout) seconds, before it changes anything.
  - O(transaction=commit) cancels that timer, destroys the checkpoints and forgets the saved state;
    O(transaction=revert) puts the saved state back now (unless its timer already did) and forgets it.
    The C(netdoctor.openstack.jumbo_underlay) role uses both.
  - With O(gather_subset), returns the host's C(ansible_facts.netdoctor) (as M(netdoctor.openstack.net_facts) does)
    after the change, commit or revert, and where the connection arrives (RV(connection)), in the same run.
author:
  - netdoctor maintainers (@netdoctor)
options:
  name:
    description:
      - The interface to change. At most 15 bytes; no C(/), whitespace or shell metacharacters.
      - Required with O(transaction=apply) unless O(targets) is given.
    type: str
  mtu:
    description: The new MTU in bytes (with O(name)).
    type: int
  targets:
    description:
      - Several interfaces to change in one run, in this order, instead of O(name) and O(mtu).
      - Every one is planned and validated before any is touched.
    type: list
    elements: dict
    suboptions:
      name:
        description: The interface.
        type: str
        required: true
      mtu:
        description: Its new MTU.
        type: int
        required: true
  stack:
    description:
      - Also change what must move with O(name) (the devices beneath it when raising, those stacked on it when
        raising or lowering).
      - Without it, a change that needs another device moved first is refused.
    type: bool
    default: false
  persist:
    description: Also write the MTU into the renderer that owns each changed device.
    type: bool
    default: false
  save_to:
    description:
      - Directory on the managed host where the old state and C(revert.sh) are saved before anything changes.
      - C(revert.sh) creates C(reverted) in that directory once it has run.
    type: path
  rollback_timeout:
    description:
      - Seconds after which NetworkManager rolls a checkpoint back by itself (devices NetworkManager owns, with O(save_to)),
        and after which the O(revert_unit) timer runs C(revert.sh).
    type: int
    default: 120
  revert_unit:
    description:
      - With O(save_to), the name of a transient systemd timer (and service) armed before anything changes that runs
        C(revert.sh) after O(rollback_timeout) seconds; must start with C(netdoctor-).
      - With O(transaction=commit) or O(transaction=revert), the timer to stop.
    type: str
  transaction:
    description:
      - V(apply) changes MTUs (O(name)/O(mtu) or O(targets)).
      - V(commit) stops the O(revert_unit) timer, fails when the revert already ran, destroys the NetworkManager
        checkpoints the saved state names and removes O(save_to).
      - V(revert) stops the timer, runs C(revert.sh) unless it already ran and removes O(save_to); nothing happens when
        O(save_to) does not exist (a stale revert left by a run that crashed is cleared this way).
    type: str
    choices: [apply, commit, revert]
    default: apply
  gather_subset:
    description:
      - After the transaction, gather these subsets of M(netdoctor.openstack.net_facts) and return them as
        C(ansible_facts.netdoctor), with RV(connection).
    type: list
    elements: str
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - Validates everything and reports the devices and files it would change; changes nothing.
      - O(transaction=commit) and O(transaction=revert) report whether there is a saved state to commit or revert.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: One line per device (old and new MTU) and the changed renderer files.
  idempotent:
    description: When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
    support: full
requirements:
  - iproute2 (C(ip)); C(ovs-vsctl) for OVS interfaces; the renderer's own tool for reloading (C(networkctl),
    C(nmcli), C(netplan), C(udevadm)); C(busctl) for NetworkManager checkpoints.
notes:
  - netplan gets a drop-in, C(/etc/netplan/90-netdoctor-mtu.yaml), merged over the other files; reading the
    other netplan files and os-net-config YAML needs PyYAML on the managed host (both tools depend on it).
  - A systemd-networkd unit outside C(/etc) (vendor or runtime) is overridden by a copy of the same name in
    C(/etc/systemd/network). An MTU in a C(.link) file is applied by udev, so it is re-triggered.
seealso:
  - module: netdoctor.openstack.net_facts
  - module: netdoctor.openstack.pmtu_probe
"""

EXAMPLES = r"""
- name: Raise the underlay bond (its members first) and the VLAN and bridge on it to 9000, persistently
  netdoctor.openstack.link_mtu:
    name: bond0
    mtu: 9000
    stack: true
    persist: true

- name: Raise an OVS uplink (mtu_request), save what it takes to undo it and arm a revert in 120 s
  netdoctor.openstack.link_mtu:
    name: eth1
    mtu: 9000
    stack: true
    save_to: /var/lib/netdoctor/jumbo_underlay
    revert_unit: netdoctor-jumbo-underlay-revert
    rollback_timeout: 120

- name: Keep the change (the timer is stopped, the saved state removed) and return the facts after it
  netdoctor.openstack.link_mtu:
    transaction: commit
    save_to: /var/lib/netdoctor/jumbo_underlay
    revert_unit: netdoctor-jumbo-underlay-revert
    gather_subset: [links]
"""

RETURN = r"""
devices:
  description: The devices changed (or, in check mode, that would change), in the order they were changed.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Interface name.
      type: str
    before:
      description: Its MTU before.
      type: int
    after:
      description: Its MTU after.
      type: int
    method:
      description: V(ip) (C(ip link)) or V(ovs) (C(mtu_request)).
      type: str
    why:
      description: Why it moves, V(target) or beneath / stacked on another device.
      type: str
  sample: [{name: eth1, before: 1500, after: 9000, method: ip, why: beneath bond0}]
persisted:
  description: Where each device's MTU is configured (the renderer that owns it), with O(persist).
  returned: always
  type: list
  elements: dict
  sample: [{name: eth0, renderer: systemd-networkd, path: /etc/systemd/network/10-eth0.network, changed: true}]
not_persisted:
  description: Devices changed at runtime that no renderer configures (with O(persist)).
  returned: always
  type: list
  elements: str
  sample: [veth3]
nm_checkpoints:
  description:
    - NetworkManager checkpoints this call created (with O(save_to)); destroy them to commit
      (C(CheckpointDestroy)), roll them back to revert. NetworkManager rolls them back by itself after O(rollback_timeout).
  returned: always
  type: list
  elements: str
  sample: [/org/freedesktop/NetworkManager/Checkpoint/1]
files:
  description: Files written (or that would be written).
  returned: always
  type: list
  elements: str
  sample: [/etc/systemd/network/10-eth0.network]
reverted:
  description: With O(transaction=revert), V(true) when C(revert.sh) ran now; V(false) when there was nothing to revert.
  returned: with O(transaction=revert)
  type: bool
already_reverted:
  description: With O(transaction=commit) or O(transaction=revert), the revert had run already (its timer fired).
  returned: with O(transaction=commit) or O(transaction=revert)
  type: bool
connection:
  description: With O(gather_subset), where the Ansible connection arrives and which devices hold a default route.
  returned: with O(gather_subset)
  type: dict
  contains:
    address:
      description: The local address of the SSH connection (from C(SSH_CONNECTION)), null when not over SSH.
      type: str
    default_route_devices:
      description: Devices of the IPv4 and IPv6 default routes.
      type: list
      elements: str
  sample: {address: 10.0.0.5, default_route_devices: [eth0]}
ansible_facts:
  description: With O(gather_subset), the host's C(netdoctor) facts as M(netdoctor.openstack.net_facts) returns them.
  returned: with O(gather_subset)
  type: dict
"""

import os
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import iplink, mtu_persist, mtu_plan, mtu_txn, netfacts, ovs, renderers
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import COMMAND_ENVIRON, InvalidName, ParseError, read_text, validate_ifname

SBIN = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]


class LinkMtu:
    """The I/O half: runs the commands, hands their output to the pure modules, makes the changes."""

    def __init__(self, module: AnsibleModule) -> None:
        self.module = module
        self.ip = module.get_bin_path("ip", required=True, opt_dirs=SBIN)

    def _run_command(self, argv: list[str], check: bool = True) -> tuple[int, str, str]:
        """Run ``argv`` (a list, never a shell string); the tool is looked up on PATH and in sbin."""
        path = self.module.get_bin_path(argv[0], required=check, opt_dirs=SBIN)
        if path is None:
            return 127, "", f"{argv[0]}: command not found"
        rc, out, err = self.module.run_command([path] + [str(a) for a in argv[1:]], check_rc=False)
        if check and rc != 0:
            raise RuntimeError(f"{' '.join(str(a) for a in argv)} failed (rc={rc}): {(err or out).strip()[:400]}")
        return rc, out, err

    def links(self) -> dict:
        """iplink.link_facts of ``ip -j -d link show``, with each OVS port's Interface row when OVS is there."""
        _rc, out, _err = self._run_command([self.ip, "-j", "-d", "link", "show"])
        links = iplink.link_facts(iplink.parse_link_json(out), {})
        ovs_like = any(e.get("master_kind") == "openvswitch" or e.get("kind") in ("ovs_internal", "ovs_system", "tap") for e in links.values())
        if ovs_like and self.module.get_bin_path("ovs-vsctl", opt_dirs=SBIN):
            rc, out, _err = self._run_command(["ovs-vsctl"] + ovs.vsctl_args(), check=False)
            if rc == 0:
                mtu_plan.attach_ovs(links, ovs.parse_vsctl_chained(out)[1])
        return links

    def write(self, path: str, text: str) -> None:
        mtu_txn.write_text(path, text, self.module.atomic_move)

    def apply(self, steps: list) -> None:
        """Set every step's MTU in order; on a failure, put back the devices changed so far and raise."""
        done = []
        try:
            for step in steps:
                self._run_command(mtu_plan.apply_argv(step))
                done.append(step)
            self.wait_for(steps)
        except RuntimeError as exc:
            undo_errors = []
            for step in reversed(done):
                rc, _out, err = self._run_command(mtu_plan.revert_argv(step), check=False)
                if rc != 0:
                    undo_errors.append(err.strip())
            raise RuntimeError(f"{exc}; the devices changed so far were put back" + (f" (with errors: {undo_errors})" if undo_errors else "")) from None

    def wait_for(self, steps: list, timeout: float = 5.0) -> None:
        """Every device at its new MTU (OVS applies mtu_request asynchronously: poll it)."""
        deadline = time.monotonic() + timeout
        while True:
            wrong = mtu_persist.wrong_mtus(iplink.link_facts(iplink.parse_link_json(self._run_command([self.ip, "-j", "link", "show"])[1]), {}), steps)
            if not wrong:
                return
            if time.monotonic() > deadline or not any(s["method"] == "ovs" for s in steps):
                raise RuntimeError("devices not at their new MTU: " + ", ".join(f"{n} has {m}, wanted {w}" for n, m, w in wrong))
            time.sleep(0.2)

    def gather(self, subsets: list) -> dict:
        """ansible_facts.netdoctor as net_facts gathers it."""
        paths: dict = {}

        def run(argv, data=None):
            if argv[0] not in paths:
                paths[argv[0]] = self.module.get_bin_path(argv[0], required=False, opt_dirs=SBIN)
            if paths[argv[0]] is None:
                return 127, "", f"{argv[0]}: command not found"
            return self.module.run_command([paths[argv[0]]] + list(argv[1:]), data=data, binary_data=data is not None, check_rc=False)

        return netfacts.gather(run, subsets)


def finish(module: AnsibleModule, worker: LinkMtu, result: dict) -> None:
    """exit_json, with the facts and the connection when gather_subset asks for them."""
    subsets = module.params["gather_subset"]
    if subsets:
        try:
            result["ansible_facts"] = {"netdoctor": worker.gather(netfacts.resolve_subsets(subsets))}
        except (netfacts.OptionError, ParseError) as exc:
            module.fail_json(msg=f"cannot gather the facts: {exc}", **result)
        result["connection"] = mtu_txn.connection(worker._run_command, worker.ip, os.environ)
    module.exit_json(**result)


def transaction(module: AnsibleModule, worker: LinkMtu) -> None:
    """transaction=commit or revert of the state saved in save_to."""
    params = module.params
    directory = params["save_to"]
    exists = os.path.isdir(directory)
    already = mtu_txn.already_reverted(directory)
    result = dict(changed=exists, already_reverted=already, devices=[], persisted=[], not_persisted=[], files=[], nm_checkpoints=[])
    if params["transaction"] == "revert":
        result["reverted"] = False
    if module.check_mode or not exists:
        finish(module, worker, result)
    try:
        if params["transaction"] == "commit":
            mtu_txn.commit(worker._run_command, directory, params["revert_unit"])
        else:
            result["reverted"] = mtu_txn.revert(worker._run_command, directory, params["revert_unit"])
    except (RuntimeError, OSError, mtu_plan.PlanError) as exc:
        module.fail_json(msg=f"{params['transaction']} failed: {exc}", **result)
    finish(module, worker, result)


def main() -> None:
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str"),
            mtu=dict(type="int"),
            targets=dict(type="list", elements="dict", options=dict(name=dict(type="str", required=True), mtu=dict(type="int", required=True))),
            stack=dict(type="bool", default=False),
            persist=dict(type="bool", default=False),
            save_to=dict(type="path"),
            rollback_timeout=dict(type="int", default=120),
            revert_unit=dict(type="str"),
            transaction=dict(type="str", choices=["apply", "commit", "revert"], default="apply"),
            gather_subset=dict(type="list", elements="str"),
        ),
        mutually_exclusive=[("name", "targets")],
        required_together=[("name", "mtu")],
        required_if=[("transaction", "commit", ["save_to"]), ("transaction", "revert", ["save_to"])],
        supports_check_mode=True,
    )
    module.run_command_environ_update = COMMAND_ENVIRON
    params = module.params
    if params["rollback_timeout"] < 1:
        module.fail_json(msg="rollback_timeout must be at least 1 second; nothing was changed")
    if params["revert_unit"] is not None and not params["save_to"]:
        module.fail_json(msg="revert_unit needs save_to (the timer runs save_to/revert.sh); nothing was changed")
    if params["gather_subset"] is not None:
        try:
            netfacts.resolve_subsets(params["gather_subset"])
        except netfacts.OptionError as exc:
            module.fail_json(msg=f"gather_subset: {exc}; nothing was changed")
    worker = LinkMtu(module)
    if params["transaction"] != "apply":
        transaction(module, worker)
    targets = [(t["name"], t["mtu"]) for t in params["targets"]] if params["targets"] is not None else [(params["name"], params["mtu"])]
    if params["targets"] is None and params["name"] is None:
        module.fail_json(msg="name and mtu (or targets) are required to change an MTU; nothing was changed")
    try:
        targets = [(validate_ifname(name), mtu) for name, mtu in targets]
        if params["revert_unit"] is not None:
            mtu_plan.revert_timer_argv(params["revert_unit"], params["rollback_timeout"], "revert.sh")
    except (InvalidName, mtu_plan.PlanError) as exc:
        module.fail_json(msg=f"{exc}" if "nothing was changed" in str(exc) else f"{exc}; nothing was changed")
    try:
        links = worker.links()
        inputs = mtu_persist.renderer_inputs(worker._run_command, read_text) if params["persist"] else None
        steps, persisted, missing, writes, post = mtu_persist.plan_targets(links, targets, params["stack"], inputs, worker._run_command, read_text)
    except (mtu_plan.PlanError, renderers.RendererError, ParseError, InvalidName, RuntimeError, ValueError) as exc:
        module.fail_json(msg=f"{exc}" if "nothing was changed" in str(exc) else f"{exc}; nothing was changed")
    nm_changes = [r for r in persisted if r["renderer"] == renderers.NETWORKMANAGER and r["changed"]]
    changed = bool(steps or writes or nm_changes)
    result = dict(changed=changed, devices=steps, persisted=persisted, not_persisted=missing, files=sorted(writes), nm_checkpoints=[])
    if module._diff:
        result["diff"] = [mtu_persist.device_diff(steps, nm_changes)]
        for path in sorted(writes):
            result["diff"].append({"before_header": path, "after_header": path, "before": read_text(path) or "", "after": writes[path]})
    if module.check_mode or not changed:
        finish(module, worker, result)
    try:
        if params["save_to"]:
            nm_devices = [r["name"] for r in persisted if r["renderer"] == renderers.NETWORKMANAGER]
            result["nm_checkpoints"] = mtu_txn.nm_checkpoint(worker._run_command, nm_devices, params["rollback_timeout"])
            mtu_txn.save(params["save_to"], steps, writes, mtu_persist.revert_post(post), result["nm_checkpoints"], module.atomic_move)
            if params["revert_unit"]:
                mtu_txn.arm(worker._run_command, params["revert_unit"], params["rollback_timeout"], params["save_to"])
        worker.apply(steps)
        for path in sorted(writes):
            worker.write(path, writes[path])
        for argv in post:
            worker._run_command(argv)
    except (RuntimeError, OSError, mtu_plan.PlanError) as exc:
        module.fail_json(msg=f"changing the MTU failed: {exc}", **result)
    finish(module, worker, result)


if __name__ == "__main__":
    main()
