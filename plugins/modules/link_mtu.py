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

import glob
import json
import os
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import iplink, mtu_plan, mtu_txn, netfacts, ovs, renderers
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import COMMAND_ENVIRON, InvalidName, ParseError, validate_ifname

try:
    import yaml

    HAS_YAML = True
except ImportError:  # only hosts with netplan or os-net-config need it, and both depend on it
    yaml = None
    HAS_YAML = False

SBIN = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]


class LinkMtu:
    """The I/O half: reads the host, hands the text to the pure modules, makes the changes."""

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

    # ------------------------------------------------------------ reading the host

    def links(self) -> dict:
        _rc, out, _err = self._run_command([self.ip, "-j", "-d", "link", "show"])
        links = iplink.link_facts(iplink.parse_link_json(out), {})
        ovs_like = any(e.get("master_kind") == "openvswitch" or e.get("kind") in ("ovs_internal", "ovs_system", "tap") for e in links.values())
        if ovs_like and self.module.get_bin_path("ovs-vsctl", opt_dirs=SBIN):
            rc, out, _err = self._run_command(["ovs-vsctl"] + ovs.vsctl_args(), check=False)
            if rc == 0:
                _facts, per_interface = ovs.parse_vsctl_chained(out)
                for name, entry in per_interface.items():
                    if name in links:
                        links[name]["ovs"] = entry
                        if entry["type"] == "internal" and links[name]["kind"] in ("tap", "ovs_internal"):
                            links[name]["kind"] = "ovs_internal"
        return links

    def _read(self, path: str) -> str | None:
        try:
            with open(path, encoding="utf-8") as handle:
                return handle.read()
        except OSError:
            return None

    def _yaml_files(self, patterns) -> dict:
        docs = {}
        for pattern in patterns:
            for path in sorted(glob.glob(pattern)):
                text = self._read(path)
                if text is None:
                    continue
                if path.endswith(".json"):
                    docs[path] = json.loads(text)
                    continue
                if not HAS_YAML:
                    raise renderers.RendererError(f"{path} needs PyYAML (python3-yaml) on the host to be read")
                docs[path] = yaml.safe_load(text)
        return docs

    def _ifupdown_files(self) -> dict:
        files: dict = {}
        pending = ["/etc/network/interfaces"]
        while pending:
            path = pending.pop(0)
            if path in files:
                continue
            text = self._read(path)
            if text is None:
                continue
            files[path] = text
            for source in renderers.ifupdown_sources(text):
                if source.startswith("dir:"):
                    directory = source[4:]
                    names = sorted(os.listdir(directory)) if os.path.isdir(directory) else []
                    pending.extend(os.path.join(directory, n) for n in names if n.replace("-", "").replace("_", "").isalnum())
                else:
                    pattern = source if source.startswith("/") else os.path.join("/etc/network", source)
                    pending.extend(p for p in sorted(glob.glob(pattern)) if os.path.isfile(p))
        return files

    def renderer_inputs(self) -> dict:
        inputs = {"osnet": {}, "netplan_docs": {}, "nm": {}, "networkd": {}, "ifupdown_files": {}}
        inputs["osnet"] = self._yaml_files(["/etc/os-net-config/config.json", "/etc/os-net-config/config.yaml"])
        inputs["netplan_docs"] = self._yaml_files(["/lib/netplan/*.yaml", "/etc/netplan/*.yaml", "/run/netplan/*.yaml"])
        rc, out, _err = self._run_command(["nmcli", "-t", "-f", "UUID,TYPE,DEVICE,FILENAME", "connection", "show", "--active"], check=False)
        if rc == 0:
            inputs["nm"] = renderers.nm_active_connections(out)
        rc, out, _err = self._run_command(["networkctl", "--json=short", "list"], check=False)
        if rc == 0:
            inputs["networkd"] = renderers.parse_networkctl_list(out)
        inputs["ifupdown_files"] = self._ifupdown_files()
        return inputs

    # ------------------------------------------------------------ persistence plan

    def persist_plan(self, links: dict, names: list, mtu: int, inputs: dict, writes: dict | None = None) -> tuple[list, list, dict, list]:
        """(persisted entries, not persisted names, {path: new text}, post commands) for ``names``.

        ``writes`` holds the texts planned by earlier targets of the same run (updated in place)."""
        persisted, missing, post = [], [], []
        writes = {} if writes is None else writes
        netplan_entries = {}
        for name in names:
            owner = renderers.detect_owner(
                name,
                ovs=mtu_plan.is_ovs(links[name]),
                osnet=inputs["osnet"],
                netplan_docs=inputs["netplan_docs"],
                nm_connection=inputs["nm"].get(name),
                networkd_state=inputs["networkd"].get(name),
                ifupdown_files=inputs["ifupdown_files"],
            )
            kind = owner["renderer"]
            record = {"name": name, "renderer": kind, "path": owner.get("path"), "changed": False}
            if kind is None:
                missing.append(name)
                continue
            if kind == renderers.OS_NET_CONFIG:
                path = owner["path"]
                data = renderers.osnet_set_mtu(inputs["osnet"][path], name, mtu)
                inputs["osnet"][path] = data
                writes[path] = renderers.osnet_render_json(data) if path.endswith(".json") else yaml.safe_dump(data, default_flow_style=False, sort_keys=False)
            elif kind == renderers.NETPLAN:
                netplan_entries[(owner["section"], owner["id"])] = mtu
            elif kind == renderers.NETWORKMANAGER:
                _rc, out, _err = self._run_command(["nmcli", "-g", renderers.nm_mtu_setting(owner["type"]), "connection", "show", owner["uuid"]])
                if out.strip() != str(mtu):
                    record["changed"] = True
                    record["before"] = out.strip()
                    record["after"] = mtu
                    post.extend(renderers.nm_commands(owner["uuid"], owner["type"], name, mtu))
            elif kind == renderers.NETWORKD:
                network_text = self._read(owner["path"]) or ""
                link_text = self._read(owner["link_file"]) if owner.get("link_file") else None
                unit = renderers.networkd_unit_for_mtu(network_text, link_text)
                source, text = (owner["link_file"], link_text) if unit == "link" else (owner["path"], network_text)
                path = source if source.startswith("/etc/") else os.path.join("/etc/systemd/network", os.path.basename(source))
                record["path"] = path
                writes[path] = renderers.networkd_set_mtu(writes.get(path, text), mtu)
                post.extend(c for c in renderers.networkd_commands(unit, name) if c not in post)
            elif kind == renderers.IFUPDOWN:
                path = owner["path"]
                writes[path] = renderers.ifupdown_set_mtu(writes.get(path, inputs["ifupdown_files"][path]), name, mtu)
            persisted.append(record)
        if netplan_entries:
            existing = writes.get(renderers.NETPLAN_DROPIN) or self._read(renderers.NETPLAN_DROPIN)
            body = "".join(line for line in (existing or "").splitlines(True) if not line.lstrip().startswith("#"))
            entries = renderers.netplan_dropin_entries(json.loads(body) if body.strip() else {})
            entries.update(netplan_entries)
            writes[renderers.NETPLAN_DROPIN] = renderers.netplan_dropin(entries)
            post.append(["netplan", "generate"])
            post.append(["networkctl", "reload"] if inputs["networkd"] else ["nmcli", "connection", "reload"])
        changed_writes = {p: t for p, t in writes.items() if self._read(p) != t}
        for record in persisted:
            if record["path"] in changed_writes:
                record["changed"] = True
        return persisted, missing, changed_writes, post if (changed_writes or any(r["changed"] for r in persisted)) else []

    # ------------------------------------------------------------ changing the host

    def write(self, path: str, text: str) -> None:
        directory = os.path.dirname(path)
        os.makedirs(directory, exist_ok=True)
        mode = 0o600 if path.startswith("/etc/netplan/") else 0o644
        if os.path.exists(path):
            mode = os.stat(path).st_mode & 0o7777
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".netdoctor-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        self.module.atomic_move(tmp, path)

    def save(self, directory: str, steps: list, writes: dict, nm_devices: list, timeout: int, post: list) -> list:
        os.makedirs(os.path.join(directory, "files"), mode=0o700, exist_ok=True)
        state_path = os.path.join(directory, "state.json")
        state = json.loads(self._read(state_path) or "null") or mtu_plan.empty_state()
        files = []
        for index, path in enumerate(sorted(writes)):
            backup = None
            if os.path.exists(path) and path not in {f["path"] for f in state["files"]}:
                backup = os.path.join(directory, "files", f"{len(state['files']) + index:04d}")
                with open(path, "rb") as src, open(backup, "wb") as dst:
                    dst.write(src.read())
            files.append({"path": path, "backup": backup})
        checkpoints = []
        if nm_devices:
            paths = [mtu_plan.parse_busctl_object(self._run_command(mtu_plan.nm_device_argv(n))[1]) for n in nm_devices]
            checkpoints.append(mtu_plan.parse_busctl_object(self._run_command(mtu_plan.nm_checkpoint_create_argv(paths, timeout))[1]))
        state = mtu_plan.merge_state(state, steps, files, post, nm_checkpoints=checkpoints)
        self.write(state_path, json.dumps(state, indent=1, sort_keys=True) + "\n")
        self.write(os.path.join(directory, "revert.sh"), mtu_plan.revert_script(state, os.path.join(directory, "reverted")))
        os.chmod(os.path.join(directory, "revert.sh"), 0o700)
        return checkpoints

    def apply(self, steps: list) -> None:
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
            links = iplink.link_facts(iplink.parse_link_json(self._run_command([self.ip, "-j", "link", "show"])[1]), {})
            wrong = [(s["name"], (links.get(s["name"]) or {}).get("mtu"), s["after"]) for s in steps if (links.get(s["name"]) or {}).get("mtu") != s["after"]]
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


def plan_targets(worker: LinkMtu, targets: list, stack: bool, persist: bool) -> tuple[list, list, list, dict, list]:
    """(steps, persisted, not persisted, writes, post) of every target, each planned over the state the earlier ones leave."""
    links = worker.links()
    inputs = worker.renderer_inputs() if persist else None
    steps, persisted, missing, writes, post = [], [], [], {}, []
    for name, mtu in targets:
        mine = mtu_plan.plan(links, name, mtu, stack=stack)
        for step in mine:
            links[step["name"]] = dict(links[step["name"]], mtu=step["after"])
        steps.extend(mine)
        if persist:
            names = [name] + [s["name"] for s in mine if s["name"] != name]
            more_persisted, more_missing, _changed, more_post = worker.persist_plan(links, names, mtu, inputs, writes)
            persisted.extend(r for r in more_persisted if r not in persisted)
            missing.extend(n for n in more_missing if n not in missing)
            post.extend(argv for argv in more_post if argv not in post)
    changed_writes = {path: text for path, text in writes.items() if worker._read(path) != text}
    for record in persisted:
        record["changed"] = record["changed"] or record["path"] in changed_writes
    if not changed_writes and not any(r["changed"] for r in persisted):
        post = []
    return steps, persisted, missing, changed_writes, post


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
        steps, persisted, missing, writes, post = plan_targets(worker, targets, params["stack"], params["persist"])
    except (mtu_plan.PlanError, renderers.RendererError, ParseError, InvalidName, RuntimeError, ValueError) as exc:
        module.fail_json(msg=f"{exc}" if "nothing was changed" in str(exc) else f"{exc}; nothing was changed")
    nm_changes = [r for r in persisted if r["renderer"] == renderers.NETWORKMANAGER and r["changed"]]
    changed = bool(steps or writes or nm_changes)
    result = dict(changed=changed, devices=steps, persisted=persisted, not_persisted=missing, files=sorted(writes), nm_checkpoints=[])
    if module._diff:
        before = "".join(f"{s['name']}: mtu {s['before']}\n" for s in steps) + "".join(
            f"{r['name']} ({r['renderer']}): {r.get('before')}\n" for r in nm_changes
        )
        after = "".join(f"{s['name']}: mtu {s['after']}\n" for s in steps) + "".join(f"{r['name']} ({r['renderer']}): {r.get('after')}\n" for r in nm_changes)
        result["diff"] = [{"before_header": "devices", "after_header": "devices", "before": before, "after": after}]
        for path in sorted(writes):
            result["diff"].append({"before_header": path, "after_header": path, "before": worker._read(path) or "", "after": writes[path]})
    if module.check_mode or not changed:
        finish(module, worker, result)
    try:
        if params["save_to"]:
            nm_devices = [r["name"] for r in persisted if r["renderer"] == renderers.NETWORKMANAGER]
            revert_post = [argv for argv in post if argv[0] != "nmcli" or argv[1:3] == ["connection", "reload"]]
            result["nm_checkpoints"] = worker.save(params["save_to"], steps, writes, nm_devices, params["rollback_timeout"], revert_post)
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
