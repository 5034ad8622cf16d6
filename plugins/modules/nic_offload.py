#!/usr/bin/python
# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: nic_offload
short_description: Set ethtool offload features of one interface, optionally inside a network namespace
version_added: 0.1.0
description:
  - Reads the device's features with C(ethtool -k), sets those in O(features) that differ with one C(ethtool -K) and
    reads them back; a feature the driver did not apply fails the module (e.g. LRO left on by a driver that ignores
    the request).
  - Feature names may be given as C(ethtool -k) prints them (V(tx-checksumming)), as the short alias C(ethtool -K)
    takes (V(tx)), as the kernel's feature name (V(tx-checksum-ip-generic)) or as NetworkManager's property
    (V(ethtool.feature-tx)); results use the C(ethtool -k) names.
  - An unknown feature, or a feature shown C([fixed]) that would have to change, fails before anything is changed.
  - Reports which renderer owns the device (NetworkManager, systemd-networkd or none) for the
    C(netdoctor.openstack.nic_offloads) role, which persists the features; with O(persist) and NetworkManager owning
    the device, the module writes them into its connection profile itself (C(nmcli connection modify)).
author:
  - netdoctor maintainers (@netdoctor)
requirements:
  - C(ethtool); C(ip) when O(netns) is given; C(nmcli) to persist with NetworkManager.
attributes:
  check_mode:
    support: full
    description: Reads the features and reports the changes it would make.
  diff_mode:
    support: full
    description: The wanted features before and after, and the NetworkManager properties when it persists there.
  idempotent:
    support: full
    description: Features already as wanted are not touched.
options:
  name:
    description: The interface (at most 15 bytes, no C(/), whitespace or shell metacharacters).
    type: str
    required: true
  features:
    description: Features to set, V(true) on and V(false) off.
    type: dict
    required: true
  netns:
    description: Network namespace (under C(/run/netns)) that holds the interface; the root namespace when unset.
    type: str
  persist:
    description:
      - When NetworkManager owns the device, also write the features into its active connection profile.
      - Other renderers are reported in RV(renderer) and persisted by the C(netdoctor.openstack.nic_offloads) role.
      - Ignored with O(netns).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Turn LRO off on a bridged port whose driver left it on
  netdoctor.openstack.nic_offload:
    name: ens1f0
    features:
      large-receive-offload: false

- name: Turn tx checksum offload off on a DHCP port inside its namespace
  netdoctor.openstack.nic_offload:
    name: ns-0b1c5d2e-7e
    netns: qdhcp-0b1c5d2e-7e1a-4a55-9d36-2f2f0c1d9a10
    features:
      tx: false
"""

RETURN = r"""
before:
  description: The state of the wanted features before, by C(ethtool -k) name.
  returned: always
  type: dict
  sample: {"tx-checksumming": true}
after:
  description: Their state afterwards (in check mode, as planned).
  returned: always
  type: dict
  sample: {"tx-checksumming": false}
changed_features:
  description: The features changed (or, in check mode, that would be).
  returned: always
  type: dict
  sample: {"tx-checksumming": false}
renderer:
  description: Who owns the device's configuration.
  returned: always
  type: dict
  contains:
    name:
      description: V(networkmanager), V(systemd-networkd) or V(none) (also for a device inside O(netns)).
      type: str
      sample: none
    connection:
      description: The NetworkManager connection profile, when NetworkManager owns the device.
      type: str
      sample: null
    udev:
      description: Whether udev runs (systemd C(.link) files need it).
      type: bool
      sample: false
mac:
  description: The device's MAC address (for a C(.link) match).
  returned: always
  type: str
  sample: "02:00:0a:d8:01:32"
persisted:
  description: V(networkmanager) when the features were written into the NetworkManager profile, else null.
  returned: always
  type: str
  sample: null
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import offloads
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import COMMAND_ENVIRON, InvalidName, validate_ifname, validate_netns
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.ethtool import parse_ethtool_k

NETNS_DIR = "/run/netns"
_SBIN = ["/usr/sbin", "/sbin", "/usr/local/sbin"]


def _run_command(module, argv, netns=None):
    """``(rc, out, err)`` of ``argv`` (argv[0] a full path), inside ``netns`` when given; never a shell."""
    if netns:
        argv = [module.get_bin_path("ip", required=True, opt_dirs=_SBIN), "netns", "exec", netns, *argv]
    return module.run_command(argv, check_rc=False)


def _read(module, ethtool, name, netns):
    rc, out, err = _run_command(module, [ethtool, "-k", name], netns)
    if rc != 0:
        where = f" in namespace {netns}" if netns else ""
        module.fail_json(msg=f"cannot read the features of {name}{where} (is it an interface there?): {err.strip() or out.strip()}")
    return parse_ethtool_k(out)


def _renderer(module, name):
    """``{"name", "connection", "udev"}`` for a root-namespace device."""
    result = {"name": "none", "connection": None, "udev": os.path.exists("/run/udev/control")}
    nmcli = module.get_bin_path("nmcli", required=False)
    if nmcli:
        rc, out, _err = _run_command(module, [nmcli, "-t", "-g", "GENERAL.STATE,GENERAL.CONNECTION", "device", "show", name])
        lines = out.splitlines()
        if rc == 0 and len(lines) >= 2 and "unmanaged" not in lines[0] and lines[1].strip():
            result.update(name="networkmanager", connection=lines[1].strip())
            return result
    networkctl = module.get_bin_path("networkctl", required=False)
    if networkctl:
        rc, out, _err = _run_command(module, [networkctl, "--no-legend", "--no-pager", "list", name])
        # "  3 offl0 ether routable configured"
        fields = out.split()
        if rc == 0 and len(fields) >= 5 and fields[1] == name and fields[4] in ("configured", "configuring", "degraded", "failed"):
            result["name"] = "systemd-networkd"
    return result


def _persist_nm(module, wanted, connection):
    nmcli = module.get_bin_path("nmcli", required=True)
    props = {name: offloads.nm_property(name) for name in wanted}
    rc, out, err = _run_command(module, [nmcli, "-t", "-g", ",".join(p for p in props.values() if p), "connection", "show", connection])
    if rc != 0:
        module.fail_json(msg=f"cannot read NetworkManager connection {connection!r}: {err.strip()}")
    current = dict(zip([p for p in props.values() if p], out.splitlines()))
    try:
        args = offloads.nmcli_args(connection, wanted)
    except offloads.FeatureError as exc:
        module.fail_json(msg=str(exc))
    wanted_values = {props[name]: "on" if wanted[name] else "off" for name in wanted}
    if all(current.get(prop) == value for prop, value in wanted_values.items()):
        return False, current, wanted_values
    if not module.check_mode:
        rc, _out, err = _run_command(module, [nmcli, *args])
        if rc != 0:
            module.fail_json(msg=f"nmcli connection modify {connection!r} failed: {err.strip()}")
    return True, current, wanted_values


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            features=dict(type="dict", required=True),
            netns=dict(type="str"),
            persist=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    module.run_command_environ_update = COMMAND_ENVIRON
    name, netns = module.params["name"], module.params["netns"]
    try:
        validate_ifname(name)
        if netns is not None:
            validate_netns(netns)
    except InvalidName as exc:
        module.fail_json(msg=str(exc))
    if netns and not os.path.exists(os.path.join(NETNS_DIR, netns)):
        module.fail_json(msg=f"network namespace {netns!r} does not exist (no {NETNS_DIR}/{netns})")
    if not module.params["features"]:
        module.fail_json(msg="features is empty: name at least one feature to set")
    ethtool = module.get_bin_path("ethtool", required=True, opt_dirs=_SBIN)

    current = _read(module, ethtool, name, netns)
    try:
        step = offloads.plan(module.params["features"], current)
    except offloads.FeatureError as exc:
        module.fail_json(msg=f"{name}: {exc}")
    wanted, change = step["wanted"], step["change"]
    before = {feature: current[feature]["enabled"] for feature in wanted}
    after = dict(before, **change)
    if change and not module.check_mode:
        rc, out, err = _run_command(module, [ethtool, "-K", name, *offloads.ethtool_args(change)], netns)
        now = _read(module, ethtool, name, netns)
        after = {feature: now[feature]["enabled"] for feature in wanted}
        missed = sorted(feature for feature, value in wanted.items() if after[feature] != value)
        if missed:
            detail = (err or out).strip()
            module.fail_json(
                msg=f"{name}: the driver did not apply {', '.join(f'{f}={wanted[f]}' for f in missed)} (ethtool rc {rc}: {detail})",
                before=before,
                after=after,
            )

    mac = ""
    renderer = {"name": "none", "connection": None, "udev": False}
    persisted = None
    changed = bool(change)
    diff_before = "".join(f"{feature}: {'on' if value else 'off'}\n" for feature, value in sorted(before.items()))
    diff_after = "".join(f"{feature}: {'on' if value else 'off'}\n" for feature, value in sorted(after.items()))
    if not netns:
        try:
            with open(f"/sys/class/net/{name}/address", encoding="ascii") as handle:
                mac = handle.read().strip()
        except OSError:
            mac = ""
        renderer = _renderer(module, name)
        if module.params["persist"] and renderer["name"] == "networkmanager":
            nm_changed, nm_before, nm_after = _persist_nm(module, wanted, renderer["connection"])
            changed = changed or nm_changed
            persisted = "networkmanager"
            diff_before += "".join(f"{renderer['connection']} {k}: {v}\n" for k, v in sorted(nm_before.items()))
            diff_after += "".join(f"{renderer['connection']} {k}: {v}\n" for k, v in sorted(nm_after.items()))
    result = dict(changed=changed, before=before, after=after, changed_features=change, renderer=renderer, mac=mac, persisted=persisted)
    if module._diff:
        result["diff"] = {"before": diff_before, "after": diff_after}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
