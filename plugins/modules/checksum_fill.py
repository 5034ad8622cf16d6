#!/usr/bin/python
# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: checksum_fill
short_description: Keep the DHCP CHECKSUM --checksum-fill rule in mangle POSTROUTING
version_added: 0.1.0
description:
  - Keeps C(-p udp --dport 68 -m comment --comment netdoctor -j CHECKSUM --checksum-fill) (port 546 for IPv6) in
    the mangle table's POSTROUTING chain of the root network namespace or of named namespaces, so DHCP replies
    sent over a device with tx checksum offload leave with a filled UDP checksum.
  - A fill rule that is already there without our comment (Neutron's DHCP agent keeps one in its wrapped chain
    C(neutron-dhcp-age-POSTROUTING)) counts as present; it is never duplicated and never removed. With such a
    rule in place a rule of ours is redundant and is removed.
  - Uses the iptables backend the namespace's existing rules use, C(iptables-legacy) or C(iptables-nft),
    detected from the rules loaded in each backend; never mixes them inside one namespace.
  - "Native nftables has no checksum-fill statement. Where no iptables tool exists or the CHECKSUM target is
    unavailable the module fails and names the alternative, C(dhcp_checksum_method: tx_off)."
  - Persistence is not this module's job (the M(netdoctor.openstack.checksum_fill) rule lives in the kernel);
    the C(netdoctor.openstack.dhcp_checksum) role installs a unit that puts it back.
author:
  - netdoctor maintainers (@netdoctor)
requirements:
  - iptables 1.8 or later (C(iptables-legacy)/C(iptables-nft) and their C(-save) tools) or an older
    C(iptables); C(ip) from iproute2 when O(netns) is given.
attributes:
  check_mode:
    support: full
    description: Reads the rules and reports what it would add or remove, changing nothing.
  diff_mode:
    support: full
    description: The fill rules of each namespace and family before and after.
  idempotent:
    support: full
    description: A second run finds the rule (or its absence) and changes nothing.
options:
  state:
    description:
      - V(present) keeps one effective fill rule per namespace and family (ours unless a foreign one exists).
      - V(absent) removes the rules of ours (comment C(netdoctor)) and leaves every other rule alone.
    type: str
    choices: [present, absent]
    default: present
  family:
    description: The DHCP client port to cover, 68 (V(ipv4)), 546 (V(ipv6)) or both.
    type: str
    choices: [ipv4, ipv6, both]
    default: both
  netns:
    description:
      - Network namespaces (names under C(/run/netns), as C(ip netns) lists them) to keep the rule in.
      - Empty means the root namespace. Every name is checked to exist before anything changes.
    type: list
    elements: str
    default: []
  backend:
    description:
      - V(auto) uses the backend the namespace's rules are loaded in, and for a namespace with no rules at all
        the one the host's C(iptables) command is.
      - V(legacy) or V(nft) force one.
    type: str
    choices: [auto, legacy, nft]
    default: auto
"""

EXAMPLES = r"""
- name: Fill DHCP checksums in two qdhcp namespaces
  netdoctor.openstack.checksum_fill:
    netns:
      - qdhcp-0b1c5d2e-7e1a-4a55-9d36-2f2f0c1d9a10
      - qdhcp-8e4f344b-c6dc-41d7-af01-0789e5e9a912

- name: Fill IPv4 DHCP checksums for a dnsmasq in the root namespace
  netdoctor.openstack.checksum_fill:
    family: ipv4

- name: Remove the rules of ours again (Neutron's own stay)
  netdoctor.openstack.checksum_fill:
    state: absent
    netns: [qdhcp-0b1c5d2e-7e1a-4a55-9d36-2f2f0c1d9a10]
"""

RETURN = r"""
targets:
  description: One entry per namespace and family, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    netns:
      description: The namespace, null for the root namespace.
      type: str
      sample: qdhcp-0b1c5d2e-7e1a-4a55-9d36-2f2f0c1d9a10
    family:
      description: V(ipv4) or V(ipv6).
      type: str
      sample: ipv4
    backend:
      description: The iptables backend used, V(legacy) or V(nft).
      type: str
      sample: nft
    action:
      description: V(added), V(removed), V(replaced) (ours removed in favour of a foreign rule) or V(none).
      type: str
      sample: added
    foreign:
      description: Effective fill rules that are not ours (e.g. Neutron's).
      type: int
      sample: 0
    present:
      description: Whether an effective fill rule is in place afterwards (in check mode, would be).
      type: bool
      sample: true
    rules_before:
      description: The fill rules found, as iptables-save lines.
      type: list
      elements: str
      sample: []
    rules_after:
      description: The fill rules afterwards, as iptables-save lines (in check mode, as planned).
      type: list
      elements: str
      sample: ["-A POSTROUTING -p udp -m udp --dport 68 -m comment --comment netdoctor -j CHECKSUM --checksum-fill"]
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import checksum
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import COMMAND_ENVIRON, InvalidName, validate_netns

NETNS_DIR = "/run/netns"
_SBIN = ["/usr/sbin", "/sbin", "/usr/local/sbin"]


class Tools:
    """The iptables tools of this host, found once; every command runs through :meth:`run`."""

    def __init__(self, module):
        self.module = module
        self.paths = {}

    def path(self, name):
        if name not in self.paths:
            self.paths[name] = self.module.get_bin_path(name, required=False, opt_dirs=_SBIN)
        return self.paths[name]

    def run(self, netns, argv):
        """``(rc, out, err)`` of ``argv`` (argv[0] a tool name) inside ``netns`` (None: here), never a shell."""
        binary = self.path(argv[0])
        if binary is None:
            return 127, "", f"{argv[0]}: command not found"
        command = [binary, *argv[1:]]
        if netns:
            command = [self.module.get_bin_path("ip", required=True, opt_dirs=_SBIN), "netns", "exec", netns, *command]
        return self.module.run_command(command, check_rc=False)

    def backends(self, family):
        """``{backend: (rule tool, save tool)}`` available for ``family``, and the host's default backend."""
        found = {backend: tools for (fam, backend), tools in checksum.TOOLS.items() if fam == family and all(self.path(t) for t in tools)}
        plain, plain_save = checksum.PLAIN_TOOLS[family]
        default = None
        if self.path(plain) and self.path(plain_save):
            rc, out, err = self.run(None, [plain, "-V"])
            default = checksum.backend_of_version(out or err) if rc == 0 else None
            if default and default not in found:
                found[default] = (plain, plain_save)
        return found, default


def _fail_no_iptables(module, family):
    plain = checksum.PLAIN_TOOLS[family][0]
    module.fail_json(msg=f"no {plain} (legacy or nft) on this host: {checksum.TX_OFF_HINT}")


def _inspect(module, tools, netns, family, forced):
    """Backend, tools and current mangle dump of one namespace and family."""
    found, default = tools.backends(family)
    if not found:
        _fail_no_iptables(module, family)
    dumps = {}
    for backend, (_tool, save) in found.items():
        rc, out, err = tools.run(netns, [save])
        if rc != 0:
            module.fail_json(msg=f"{save} failed in {netns or 'the root namespace'} (rc {rc}): {err.strip()}")
        dumps[backend] = out
    if forced != "auto":
        if forced not in found:
            module.fail_json(msg=f"backend {forced} requested but {checksum.TOOLS[(family, forced)][0]} is not installed")
        backend = forced
    else:
        backend = checksum.choose_backend(dumps.get("legacy"), dumps.get("nft"), default or "nft")
    return backend, found[backend], dumps[backend]


def _apply(module, tools, netns, tool, args, what):
    rc, _out, err = tools.run(netns, [tool, "-w", "-t", "mangle", *args])
    if rc != 0:
        where = netns or "the root namespace"
        if checksum.checksum_unavailable(err):
            module.fail_json(msg=f"the CHECKSUM target is unavailable in {where} ({err.strip()}): {checksum.TX_OFF_HINT}")
        module.fail_json(msg=f"{what} failed in {where} (rc {rc}): {err.strip()}")


def _action(step, state):
    if step["add"]:
        return "added"
    if not step["delete"]:
        return "none"
    return "replaced" if step["foreign"] and state == "present" else "removed"


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            family=dict(type="str", choices=["ipv4", "ipv6", "both"], default="both"),
            netns=dict(type="list", elements="str", default=[]),
            backend=dict(type="str", choices=["auto", "legacy", "nft"], default="auto"),
        ),
        supports_check_mode=True,
    )
    module.run_command_environ_update = COMMAND_ENVIRON
    params = module.params
    families = list(checksum.FAMILIES) if params["family"] == "both" else [params["family"]]
    namespaces = []
    for name in params["netns"]:
        try:
            validate_netns(name)
        except InvalidName as exc:
            module.fail_json(msg=str(exc))
        if not os.path.exists(os.path.join(NETNS_DIR, name)):
            module.fail_json(msg=f"network namespace {name!r} does not exist (no {NETNS_DIR}/{name})")
        namespaces.append(name)
    if namespaces:
        module.get_bin_path("ip", required=True, opt_dirs=_SBIN)
    tools = Tools(module)

    # plan everything before changing anything
    work = []
    for netns in namespaces or [None]:
        for family in families:
            backend, (tool, save), dump = _inspect(module, tools, netns, family, params["backend"])
            work.append((netns, family, backend, tool, save, dump, checksum.plan(dump, family, params["state"])))

    targets = []
    changed = False
    before_lines, after_lines = [], []
    for netns, family, backend, tool, save, dump, step in work:
        before = [rule["line"] for rule in checksum.fill_rules(dump, family)]
        removed = {rule["line"] for rule in step["delete"]}
        planned = [line for line in before if line not in removed] + ([checksum.rule_text(family)] if step["add"] else [])
        action = _action(step, params["state"])
        if action != "none":
            changed = True
        if action != "none" and not module.check_mode:
            for rule in step["delete"]:
                _apply(module, tools, netns, tool, checksum.delete_args(rule), f"deleting {rule['line']!r}")
            if step["add"]:
                _apply(module, tools, netns, tool, ["-A", "POSTROUTING", *checksum.rule_spec(family)], "adding the fill rule")
            rc, out, err = tools.run(netns, [save, "-t", "mangle"])
            if rc != 0:
                module.fail_json(msg=f"cannot read the rules back in {netns or 'the root namespace'}: {err.strip()}")
            after = checksum.plan(out, family, params["state"])
            if after["add"] or after["delete"]:
                module.fail_json(msg=f"the rules in {netns or 'the root namespace'} ({family}) are not as planned after the change: {out}")
            planned = [rule["line"] for rule in checksum.fill_rules(out, family)]
        label = f"{netns or '(root)'} {family} ({backend})"
        before_lines += [f"{label}: {line}" for line in before]
        after_lines += [f"{label}: {line}" for line in planned]
        targets.append(
            {
                "netns": netns,
                "family": family,
                "backend": backend,
                "action": action,
                "foreign": step["foreign"],
                "present": step["present_after"],
                "rules_before": before,
                "rules_after": planned,
            }
        )
    result = {"changed": changed, "targets": targets}
    if module._diff:
        result["diff"] = {"before": "\n".join(before_lines) + "\n", "after": "\n".join(after_lines) + "\n"}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
