# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""The ``driver`` facts of one interface: ethtool driver info, bus, USB ids, bound driver, module, known issues.

Reads only below ``sysfs_root`` (so tests build a fake tree in a temporary directory):

* ``class/net/NAME/device``: absent for virtual devices (bus ``virtual``);
* ``.../device/subsystem``: link to ``bus/pci``, ``bus/usb``, ``bus/platform``, ``bus/vmbus``;
  a ``virtio`` device is reported by the bus of its parent (``virtio0`` sits on a PCI function);
* ``.../device/driver``: link to the bound driver (``bus/usb/drivers/cdc_ncm``), whose ``module``
  link names the kernel module;
* for USB: the interface's parent directory (``2-1`` for ``2-1:1.0``) holds ``idVendor``,
  ``idProduct`` and ``bConfigurationValue``;
* ``module/NAME/{version,srcversion,taint,initstate}``: a module without ``initstate`` is built in.
"""

from __future__ import annotations

import os
import platform

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import nic_catalogue
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import read_text

KNOWN_BUSES = ("pci", "usb", "platform", "vmbus")


def _link_name(path: str):
    """Basename of the target of symlink ``path`` (None when it is not there)."""
    try:
        return os.path.basename(os.readlink(path).rstrip("/"))
    except OSError:
        return None


def bus_of(device_dir: str):
    """The bus type of a sysfs device directory: pci/usb/platform/vmbus/other, virtio resolved to its parent."""
    directory = os.path.realpath(device_dir)
    for _depth in range(4):
        subsystem = _link_name(os.path.join(directory, "subsystem"))
        if subsystem is None:
            return None
        if subsystem in ("virtio", "xen"):
            directory = os.path.dirname(directory)
            continue
        return subsystem if subsystem in KNOWN_BUSES else "other"
    return "other"


def usb_device_info(device_dir: str, sysfs_root: str = "/sys"):
    """``{"vendor_id", "product_id", "configuration"}`` of the USB device above an interface directory."""
    directory = os.path.realpath(device_dir)
    stop = os.path.realpath(sysfs_root)
    while directory.startswith(stop) and directory != stop:
        vendor = read_text(os.path.join(directory, "idVendor"), strip=True, errors="replace")
        if vendor is not None:
            configuration = read_text(os.path.join(directory, "bConfigurationValue"), strip=True, errors="replace")
            return {
                "vendor_id": vendor.lower(),
                "product_id": (read_text(os.path.join(directory, "idProduct"), strip=True, errors="replace") or "").lower() or None,
                "configuration": int(configuration) if configuration and configuration.isdigit() else None,
            }
        directory = os.path.dirname(directory)
    return None


def module_info(name, sysfs_root: str = "/sys"):
    """``{"name", "version", "srcversion", "in_tree"}`` of a loaded module, None when built in or unknown."""
    if not name:
        return None
    base = os.path.join(sysfs_root, "module", name)
    if read_text(os.path.join(base, "initstate"), strip=True, errors="replace") is None:
        return None
    taint = read_text(os.path.join(base, "taint"), strip=True, errors="replace")
    return {
        "name": name,
        "version": read_text(os.path.join(base, "version"), strip=True, errors="replace") or None,
        "srcversion": read_text(os.path.join(base, "srcversion"), strip=True, errors="replace") or None,
        "in_tree": None if taint is None else "O" not in taint,
    }


def describe(name: str, drvinfo, sysfs_root: str = "/sys", kernel_release=None) -> dict:
    """The ``driver`` dict of docs/facts.md for interface ``name``.

    ``drvinfo`` is ``ethtool.collect()``'s ``{"driver", "version", "firmware_version", "bus_info"}``
    (or None). ``kernel_release`` defaults to the running kernel's (for version predicates of the
    catalogue). Never raises on a missing or odd sysfs entry: the value is None.
    """
    info = drvinfo or {}
    net_dir = os.path.join(sysfs_root, "class", "net", name)
    device_dir = os.path.join(net_dir, "device")
    result: dict = {
        "driver": info.get("driver") or None,
        "version": info.get("version") or None,
        "firmware_version": info.get("firmware_version") or None,
        "bus_info": info.get("bus_info") or None,
        "bus": None,
        "usb": None,
        "bound_driver": None,
        "module": None,
        "known_issues": [],
    }
    if not os.path.lexists(device_dir):
        result["bus"] = "virtual" if os.path.isdir(net_dir) else None
    else:
        result["bus"] = bus_of(device_dir)
        result["bound_driver"] = _link_name(os.path.join(device_dir, "driver"))
        if result["bus"] == "usb":
            result["usb"] = usb_device_info(device_dir, sysfs_root)
        module_name = _link_name(os.path.join(device_dir, "driver", "module"))
        result["module"] = module_info(module_name, sysfs_root)
    if result["module"] is None and result["driver"] and "/" not in result["driver"]:
        # no module link on the device (virtual devices, built-in bus drivers): try the driver's own name
        result["module"] = module_info(result["driver"], sysfs_root)
    if kernel_release is None:
        kernel_release = platform.release()
    result["known_issues"] = nic_catalogue.match(result, kernel_release)
    return result
