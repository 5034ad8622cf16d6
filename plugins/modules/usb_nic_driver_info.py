#!/usr/bin/python
# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: usb_nic_driver_info
short_description: Plan and verify a DKMS USB NIC driver on one host (read-only)
version_added: 0.1.0
description:
  - Decides from the C(drivers) facts of M(netdoctor.openstack.net_facts) which USB NICs need an updated
    driver (a known-issues catalogue match, a driver older than O(minimum_version), or an adapter the
    operator names in O(devices)), and refuses bad input before anything is installed.
  - Reports, for every installed kernel, whether its headers exist, the DKMS state of O(dkms_name)/O(dkms_version),
    where C(modinfo) finds each of O(modules) (C(updates/) is the DKMS build) and its initramfs.
  - Compares the running modules (C(/sys/module/NAME/srcversion)) with the DKMS build and plans a reload,
    never when a target NIC carries the Ansible connection (the server address of C(SSH_CONNECTION), or
    O(connection_addresses)) or a default route; then the role must ask for a reboot.
  - Changes nothing; the M(netdoctor.openstack.usb_nic_driver) role acts on its plan.
author:
  - netdoctor maintainers (@netdoctor)
options:
  facts:
    description: The host's C(ansible_facts.netdoctor), gathered with at least the C(links) and C(drivers) subsets.
    type: dict
    required: true
  devices:
    description:
      - USB NICs to fix even where discovery does not flag them, or is not possible (the adapter is not plugged in yet).
      - Each item is a C(vendor:product) id as C(lsusb) prints it (V(0bda:8156)) or an interface name.
      - An id that is not a USB NIC known to C(r8152) or C(ax88179_178a), an interface that does not exist or is not
        on the USB bus, is an error.
    type: list
    elements: str
    default: []
  minimum_version:
    description: Driver version a USB NIC driven by one of O(modules) must have at least (V(2.17.1)); older is a target.
    type: str
  modules:
    description: Kernel modules the DKMS package builds (V(r8152) for realtek-r8152-dkms).
    type: list
    elements: str
    default: [r8152]
  dkms_name:
    description: The DKMS module name (C(PACKAGE_NAME) of its C(dkms.conf)), for C(dkms status).
    type: str
    required: true
  dkms_version:
    description: The DKMS module version expected to be built (the package's upstream version).
    type: str
  reload:
    description: V(auto) reloads when it is safe, V(never) leaves it to a reboot.
    type: str
    choices: [auto, never]
    default: auto
  connection_addresses:
    description:
      - Addresses of this host the controller connects to; an interface holding one is never reloaded.
      - Defaults to the server address of C(SSH_CONNECTION) in the module's environment.
    type: list
    elements: str
  sysfs_root:
    description: Where sysfs is mounted.
    type: path
    default: /sys
  modules_root:
    description: The directory holding one directory per installed kernel.
    type: path
    default: /lib/modules
  boot_dir:
    description: The directory holding the kernels' initramfs images.
    type: path
    default: /boot
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: It only reads.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  idempotent:
    description: When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
    support: full
requirements:
  - iproute2 (C(ip)) and kmod (C(modinfo)); C(dkms) when a DKMS state is wanted (its absence is reported, not an error).
"""

EXAMPLES = r"""
- name: Gather the driver facts
  netdoctor.openstack.net_facts:
    gather_subset: [links, drivers]

- name: Plan the Realtek driver fix
  netdoctor.openstack.usb_nic_driver_info:
    facts: "{{ ansible_facts.netdoctor }}"
    dkms_name: realtek-r8152
    dkms_version: 2.22.1
    minimum_version: 2.17.1
    devices: [0bda:8156]
  register: usb_plan
"""

RETURN = r"""
plan:
  description: Which USB NICs need the fix (from the catalogue, the minimum version or O(devices)).
  returned: always
  type: dict
  contains:
    needed:
      description: Whether this host needs the driver at all (a target or a staged id).
      type: bool
    targets:
      description: Interfaces to fix, with C(interface), C(usb_id), C(family), C(driver), C(bound_driver), C(version), C(reasons).
      type: list
      elements: dict
    staged:
      description: C(vendor:product) ids from O(devices) with no such adapter plugged in.
      type: list
      elements: str
    summary:
      description: One sentence for the operator.
      type: str
      sample: "no USB NIC here needs the driver fix: left alone"
kernels:
  description: Every installed kernel (and the running one) with C(release), C(running), C(headers), C(dkms_state), C(initrd), C(modinfo).
  returned: always
  type: list
  elements: dict
running_kernel:
  description: C(uname -r).
  returned: always
  type: str
running_ok:
  description: Whether O(dkms_name)/O(dkms_version) is installed for the running kernel.
  returned: always
  type: bool
warnings_list:
  description: Kernels that boot the in-tree driver (no headers, no build), said in words.
  returned: always
  type: list
  elements: str
dkms_status:
  description: Parsed C(dkms status) rows (C(module), C(version), C(kernel), C(arch), C(state), C(note)); empty without dkms.
  returned: always
  type: list
  elements: dict
running_modules:
  description: Per module of O(modules), whether the running copy is the DKMS build (C(ok), C(reason), C(filename), C(location)).
  returned: always
  type: list
  elements: dict
reload:
  description: The reload decision (C(reload), C(reboot_required), C(why)) and its C(steps).
  returned: always
  type: dict
carriers:
  description: Interfaces that carry the Ansible connection or a default route, with why.
  returned: always
  type: dict
"""

import os
import platform

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import iplink, usb_driver, usb_plan
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import COMMAND_ENVIRON, read_text, ssh_server_address


def _run_command(module, argv, check=True):
    rc, out, err = module.run_command(argv)
    if check and rc != 0:
        module.fail_json(msg=f"{' '.join(argv)} failed (rc {rc}): {err.strip() or out.strip()}", rc=rc, stdout=out, stderr=err)
    return rc, out, err


def installed_kernels(modules_root, boot_dir, running):
    """Kernel releases with a modules directory (and the running one), their headers and initrd."""
    releases = set()
    try:
        for name in os.listdir(modules_root):
            base = os.path.join(modules_root, name)
            # a kernel image installs modules.order/modules.builtin; headers alone only "build"
            if os.path.isfile(os.path.join(base, "modules.order")) or os.path.isfile(os.path.join(boot_dir, "vmlinuz-" + name)):
                releases.add(name)
    except OSError:
        pass
    releases.add(running)
    kernels = []
    for release in sorted(releases):
        initrd = None
        for candidate in (f"initrd.img-{release}", f"initramfs-{release}.img"):
            if os.path.isfile(os.path.join(boot_dir, candidate)):
                initrd = os.path.join(boot_dir, candidate)
        kernels.append(
            {
                "release": release,
                "headers": os.path.isfile(os.path.join(modules_root, release, "build", "Makefile")),
                "initrd": initrd,
                "modules_dir": os.path.isdir(os.path.join(modules_root, release, "kernel")),
            }
        )
    return kernels


def default_route_interfaces(module, ip):
    texts = []
    for family in ("-4", "-6"):
        rc, out, _err = _run_command(module, [ip, "-j", family, "route", "show", "default"], check=False)
        if rc == 0:
            texts.append(out)
    return iplink.default_route_devices(*texts)


def main():
    module = AnsibleModule(
        argument_spec={
            "facts": {"type": "dict", "required": True},
            "devices": {"type": "list", "elements": "str", "default": []},
            "minimum_version": {"type": "str"},
            "modules": {"type": "list", "elements": "str", "default": ["r8152"]},
            "dkms_name": {"type": "str", "required": True},
            "dkms_version": {"type": "str"},
            "reload": {"type": "str", "choices": ["auto", "never"], "default": "auto"},
            "connection_addresses": {"type": "list", "elements": "str"},
            "sysfs_root": {"type": "path", "default": "/sys"},
            "modules_root": {"type": "path", "default": "/lib/modules"},
            "boot_dir": {"type": "path", "default": "/boot"},
        },
        supports_check_mode=True,
    )
    module.run_command_environ_update = COMMAND_ENVIRON
    params = module.params
    for name in params["modules"]:
        if not usb_driver.valid_module_name(name):
            module.fail_json(msg=f"{name!r} is not a kernel module name")
    if params["minimum_version"] is not None and usb_driver.driver_version(params["minimum_version"]) is None:
        module.fail_json(msg=f"minimum_version {params['minimum_version']!r} is not a dotted version (2.17.1)")
    facts = params["facts"]
    try:
        plan = usb_plan.plan_targets(facts, devices=params["devices"], minimum_version=params["minimum_version"], modules=tuple(params["modules"]))
    except usb_plan.PlanError as exc:
        module.fail_json(msg=str(exc))

    ip = module.get_bin_path("ip", required=True, opt_dirs=["/usr/sbin", "/sbin"])
    modinfo = module.get_bin_path("modinfo", required=True, opt_dirs=["/usr/sbin", "/sbin"])
    dkms = module.get_bin_path("dkms", required=False, opt_dirs=["/usr/sbin", "/sbin"])

    running = platform.release()
    kernels = installed_kernels(params["modules_root"], params["boot_dir"], running)
    rows = []
    if dkms:
        rc, out, err = _run_command(module, [dkms, "status"], check=False)
        rows = usb_driver.parse_dkms_status(out)
    version = params["dkms_version"] or ""
    report = usb_driver.kernel_report(kernels, rows, params["dkms_name"], version, running)
    for entry, kernel in zip(report["kernels"], kernels):
        entry["modinfo"] = {}
        if not kernel["modules_dir"] and not kernel["headers"]:
            continue
        for name in params["modules"]:
            rc, out, _err = _run_command(module, [modinfo, "-k", kernel["release"], name], check=False)
            info = usb_driver.parse_modinfo(out) if rc == 0 else {}
            entry["modinfo"][name] = {
                "filename": info.get("filename"),
                "version": info.get("version"),
                "srcversion": info.get("srcversion"),
                "location": usb_driver.module_location(info.get("filename"), kernel["release"]),
            }

    running_entry = next(e for e in report["kernels"] if e["running"])
    running_modules = []
    modules_to_reload = []
    for name in params["modules"]:
        base = os.path.join(params["sysfs_root"], "module", name)
        loaded = None
        if os.path.isdir(base) and read_text(os.path.join(base, "initstate"), strip=True, errors="replace") is not None:
            loaded = {
                "srcversion": read_text(os.path.join(base, "srcversion"), strip=True, errors="replace"),
                "version": read_text(os.path.join(base, "version"), strip=True, errors="replace"),
            }
        info = running_entry["modinfo"].get(name) or {}
        check = usb_driver.verify_running_module(name, loaded, info, running, version or None)
        running_modules.append(check)
        if not check["ok"] and check["location"] == "updates":
            modules_to_reload.append(name)

    addresses = params["connection_addresses"]
    if addresses is None:
        server = ssh_server_address(os.environ.get("SSH_CONNECTION"))
        addresses = [server] if server else []
    carriers = usb_plan.carrier_interfaces(facts, addresses, default_route_interfaces(module, ip))
    usb_interfaces = {}
    for target in plan["targets"]:
        device = os.path.join(params["sysfs_root"], "class", "net", target["interface"], "device")
        usb_interfaces[target["interface"]] = os.path.basename(os.path.realpath(device)) if os.path.lexists(device) else None
    try:
        reload = usb_plan.reload_plan(plan["targets"], params["reload"], carriers, usb_interfaces, modules_to_reload)
    except usb_plan.PlanError as exc:
        module.fail_json(msg=str(exc))
    if plan["targets"] and not report["running_ok"]:
        # the running kernel has no DKMS build: reloading cannot help, only a kernel with the build can
        with_build = [k["release"] for k in report["kernels"] if k["dkms_state"] == "installed"]
        reload = {
            "reload": False,
            "reboot_required": True,
            "why": f"the running kernel {running} has no {params['dkms_name']} {version} build" + (f": boot {', '.join(with_build)}" if with_build else ""),
            "steps": [],
        }
    elif plan["targets"] and reload["reload"] and not modules_to_reload and all(m["ok"] for m in running_modules):
        # the DKMS build already runs; only bindings may still be wrong
        reload["why"] = "the DKMS build is loaded; rebinding the adapters"

    module.exit_json(
        changed=False,
        plan=plan,
        kernels=report["kernels"],
        running_kernel=running,
        running_ok=report["running_ok"],
        warnings_list=report["warnings"],
        dkms_status=rows,
        dkms_available=bool(dkms),
        running_modules=running_modules,
        reload=reload,
        carriers=carriers,
        usb_interfaces=usb_interfaces,
    )


if __name__ == "__main__":
    main()
