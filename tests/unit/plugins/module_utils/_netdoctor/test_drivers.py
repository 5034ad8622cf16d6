# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""drivers.describe on sysfs trees modelled on real layouts, and the known-issues catalogue on every ethtool -i capture."""

from __future__ import annotations

import os
import re

import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import drivers, ethtool, nic_catalogue


def _symlink(target_abs, link_abs):
    os.makedirs(os.path.dirname(link_abs), exist_ok=True)
    os.symlink(os.path.relpath(target_abs, os.path.dirname(link_abs)), link_abs)


def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")


def make_sysfs(root, name, devpath, subsystem, bound, *, usb=None, module=None, parent_subsystem=None):
    """Build /sys/class/net/NAME -> devices/DEVPATH/net/NAME like the kernel does.

    devpath: the device directory the netdev hangs off (None: a virtual device under devices/virtual/net).
    usb: (idVendor, idProduct, bConfigurationValue) written into the parent of devpath (the USB device).
    module: {"name", "version", "srcversion", "taint", "builtin"}.
    """
    root = str(root)
    if devpath is None:
        net_dir = os.path.join(root, "devices", "virtual", "net", name)
        os.makedirs(net_dir, exist_ok=True)
        _symlink(net_dir, os.path.join(root, "class", "net", name))
        return
    device_dir = os.path.join(root, "devices", devpath)
    net_dir = os.path.join(device_dir, "net", name)
    os.makedirs(net_dir, exist_ok=True)
    _symlink(net_dir, os.path.join(root, "class", "net", name))
    _symlink(device_dir, os.path.join(net_dir, "device"))
    os.makedirs(os.path.join(root, "bus", subsystem, "drivers"), exist_ok=True)
    _symlink(os.path.join(root, "bus", subsystem), os.path.join(device_dir, "subsystem"))
    if parent_subsystem:
        os.makedirs(os.path.join(root, "bus", parent_subsystem), exist_ok=True)
        _symlink(os.path.join(root, "bus", parent_subsystem), os.path.join(os.path.dirname(device_dir), "subsystem"))
    if bound:
        driver_dir = os.path.join(root, "bus", subsystem, "drivers", bound)
        os.makedirs(driver_dir, exist_ok=True)
        _symlink(driver_dir, os.path.join(device_dir, "driver"))
        if module and not module.get("builtin"):
            module_dir = os.path.join(root, "module", module["name"])
            _write(os.path.join(module_dir, "initstate"), "live")
            _write(os.path.join(module_dir, "taint"), module.get("taint", ""))
            _write(os.path.join(module_dir, "srcversion"), module.get("srcversion", ""))
            if module.get("version"):
                _write(os.path.join(module_dir, "version"), module["version"])
            _symlink(module_dir, os.path.join(driver_dir, "module"))
        elif module:
            os.makedirs(os.path.join(root, "module", module["name"], "parameters"), exist_ok=True)
    if usb:
        usb_dir = os.path.dirname(device_dir)
        _write(os.path.join(usb_dir, "idVendor"), usb[0])
        _write(os.path.join(usb_dir, "idProduct"), usb[1])
        _write(os.path.join(usb_dir, "bConfigurationValue"), str(usb[2]))


def _usb_path(bus_info):
    """devices path of the USB interface for an ethtool bus-info "usb-0000:00:14.0-1" (config 1, interface 0)."""
    match = re.match(r"usb-(?P<hc>.+)-(?P<port>[\d.]+)$", bus_info)
    return match.group("hc"), match.group("port")


# fixture -> (sysfs layout, expected bus, expected usb ids, expected catalogue ids). USB ids come from the
# capture itself or its source (SOURCES.md: lsusb/usb-devices of the same device).
CASES = [
    ("ethtool-i/8021q-vlan-subinterface.txt", "virtual", None, None, []),
    ("ethtool-i/bnx2-2.2.6-bcm5709.txt", "pci", None, None, []),
    ("ethtool-i/bnxt_en-kernel-6.6.43.txt", "pci", None, None, []),
    ("ethtool-i/e1000e-3.2.6-k.txt", "pci", None, None, []),
    ("ethtool-i/e1000e-kernel-5.11.0-22-generic.txt", "pci", None, None, []),
    ("ethtool-i/i40e-2.8.20-k-xxv710.txt", "pci", None, None, []),
    ("ethtool-i/iavf-kernel-5.19.4-fc35-vf.txt", "pci", None, None, []),
    ("ethtool-i/ice-1.16.3-oot-e810-xxv.txt", "pci", None, None, []),
    ("ethtool-i/ice-kernel-5.19.4-fc35-e810.txt", "pci", None, None, []),
    ("ethtool-i/igb-5.6.0-k-i210.txt", "pci", None, None, []),
    ("ethtool-i/ixgbe-5.19.6-oot-82599.txt", "pci", None, None, []),
    ("ethtool-i/mlx4_en-4.0-0.txt", "pci", None, None, []),
    ("ethtool-i/mlx5_core-3.0-1-connectx4lx.txt", "pci", None, None, []),
    ("ethtool-i/tg3-kernel-5.15.0-60-generic-bcm5720.txt", "pci", None, None, []),
    ("ethtool-i/vmxnet3-1.4.16.0-k-NAPI.txt", "pci", None, None, []),
    ("ethtool-i/virtio_net-1.0.0-openstack-compute.txt", "pci", None, "virtio", []),
    ("ethtool-i/openvswitch-internal-br-int.txt", "virtual", None, None, []),
    ("ethtool-i/vxlan-0.1-vxlan_sys_4789.txt", "virtual", None, None, []),
    ("ethtool-i/veth-1.0-kernel-6.18.txt", "virtual", None, None, []),
    # healthy Realtek on r8152
    ("ethtool-i/r8152-v1.12.13-rtl8156a.txt", "usb", ("0bda", "8156", 1), "r8152", []),
    ("ethtool-i/r8152-v1.12.13-rtl8153a-rpi5.txt", "usb", ("0bda", "8153", 1), "r8152", []),
    ("ethtool-i/r8152-v2.20.1-vendor-dkms-rtl8157.txt", "usb", ("0bda", "8157", 1), "r8152", []),
    # TP-Link UE300 (RTL8153) in its CDC-ECM configuration 2, bound to cdc_ether
    ("ethtool-i/cdc_ether-22-Aug-2005-rtl8153-tplink-ue300.txt", "usb", ("2357", "0601", 2), "cdc_ether", ["realtek-usb-on-cdc"]),
    # ASIX AX88179A in its NCM configuration 2, bound to cdc_ncm
    ("ethtool-i/cdc_ncm-asix-ax88179a-fedora-kernel-7.1.9.txt", "usb", ("0b95", "1790", 2), "cdc_ncm", ["ax88179a-on-cdc-ncm"]),
]


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_describe_every_ethtool_i_capture(tmp_path, case):
    fixture, bus, usb, bound, issues = case
    info = ethtool.parse_ethtool_i(read_fixture(fixture))
    drvinfo = {key: info[key] for key in ("driver", "version", "firmware_version", "bus_info")}
    name = "nic0"
    module = None
    if bus == "pci":
        driver = bound or info["driver"]
        subsystem = "virtio" if bound == "virtio" else "pci"
        devpath = f"pci0000:00/{info['bus_info']}" + ("/virtio0" if subsystem == "virtio" else "")
        bound_driver = "virtio_net" if subsystem == "virtio" else driver
        # out-of-tree drivers (the version has no "-k" and is not the kernel release) taint O
        taint = "OE" if fixture.endswith("-oot-e810-xxv.txt") or fixture.endswith("-oot-82599.txt") else ""
        module = {"name": bound_driver, "srcversion": "0123456789ABCDEF0123456", "taint": taint}
        make_sysfs(tmp_path, name, devpath, subsystem, bound_driver, module=module, parent_subsystem="pci" if subsystem == "virtio" else None)
    elif bus == "usb":
        hc, port = _usb_path(info["bus_info"]) if info["bus_info"].startswith("usb-") else ("0000:00:14.0", "1")
        bus_no = "2"
        devpath = f"pci0000:00/{hc}/usb{bus_no}/{bus_no}-{port}/{bus_no}-{port}:{usb[2]}.0"
        taint = "OE" if "vendor" in fixture else ""
        module = {"name": bound, "srcversion": "A1B2C3D4E5F60718293A4B5", "taint": taint, "version": "v2.20.1" if "vendor" in fixture else None}
        make_sysfs(tmp_path, name, devpath, "usb", bound, usb=usb, module=module)
    else:
        make_sysfs(tmp_path, name, None, None, None)

    result = drivers.describe(name, drvinfo, sysfs_root=str(tmp_path), kernel_release="6.1.0-26-amd64")
    assert result["bus"] == bus
    assert result["driver"] == (info["driver"] or None)
    assert result["bus_info"] == (info["bus_info"] or None)
    assert [issue["id"] for issue in result["known_issues"]] == issues
    if usb:
        assert result["usb"] == {"vendor_id": usb[0], "product_id": usb[1], "configuration": usb[2]}
        assert result["bound_driver"] == bound
    else:
        assert result["usb"] is None
    if bus == "virtual":
        assert result["bound_driver"] is None
        assert result["module"] is None
    elif module:
        assert result["module"]["name"] == module["name"]
        assert result["module"]["in_tree"] is ("O" not in module["taint"])
    for issue in result["known_issues"]:
        assert issue["reference"].startswith("https://")
        assert issue["finding"] in ("NIC_DRIVER_KNOWN_BAD", "VLAN_PRIORITY_TAG_RISK")


def _usb_devices_ids(text):
    """(vendor, product, configuration, bound driver) from `usb-devices` output (P:, C:, I: lines)."""
    # "P:  Vendor=20f4 ProdID=e02b Rev=30.04", "C:  #Ifs= 2 Cfg#= 2 ...", "I:  If#= 0 ... Driver=(none)"
    vendor, product = re.search(r"Vendor=(\w+) ProdID=(\w+)", text).groups()
    configuration = int(re.search(r"Cfg#=\s*(\d+)", text).group(1))
    bound = re.search(r"Driver=(\S+)", text).group(1)
    return vendor, product, configuration, None if bound == "(none)" else bound


@pytest.mark.parametrize(
    "fixture, kernel, issues",
    [
        # AX88179 on the in-tree driver (blog, December 2019): kernels before the fix get the 2-byte trailer
        ("lsusb/usb-devices-0b95-1790-ax88179-bound-ax88179_178a.txt", "5.3.0-24-generic", ["ax88179-trailer"]),
        ("lsusb/usb-devices-0b95-1790-ax88179-bound-ax88179_178a.txt", "4.4.0-210-generic", ["ax88179-trailer"]),
        ("lsusb/usb-devices-0b95-1790-ax88179-bound-ax88179_178a.txt", "4.9.228", ["ax88179-trailer"]),
        ("lsusb/usb-devices-0b95-1790-ax88179-bound-ax88179_178a.txt", "4.9.229", []),
        ("lsusb/usb-devices-0b95-1790-ax88179-bound-ax88179_178a.txt", "5.8.0", []),
        ("lsusb/usb-devices-0b95-1790-ax88179-bound-ax88179_178a.txt", "6.1.0-26-amd64", []),
        ("lsusb/usb-devices-0b95-1790-ax88179-bound-ax88179_178a.txt", "not-a-release", []),
        # TRENDnet RTL8156 in configuration 2 with no driver bound: no netdev, nothing bound to match
        ("lsusb/usb-devices-20f4-e02b-rtl8156-cfg2-cdc-ncm-unbound.txt", "5.4.0", []),
    ],
)
def test_catalogue_on_usb_devices_captures(tmp_path, fixture, kernel, issues):
    vendor, product, configuration, bound = _usb_devices_ids(read_fixture(fixture))
    name = "usb0"
    module = {"name": bound, "srcversion": "5E4C0B3F1A2D6E7F8091A2B", "taint": ""} if bound else None
    make_sysfs(tmp_path, name, f"pci0000:00/0000:00:14.0/usb2/2-1/2-1:{configuration}.0", "usb", bound, usb=(vendor, product, configuration), module=module)
    drvinfo = {"driver": bound, "version": kernel, "firmware_version": "", "bus_info": "usb-0000:00:14.0-1"} if bound else None
    result = drivers.describe(name, drvinfo, sysfs_root=str(tmp_path), kernel_release=kernel)
    assert [issue["id"] for issue in result["known_issues"]] == issues
    assert result["usb"]["configuration"] == configuration


@pytest.mark.parametrize(
    "driver, issues",
    [
        # the TRENDnet adapter once cdc_ncm binds its configuration 2 (the unbound state in the capture)
        ({"driver": "cdc_ncm", "bound_driver": "cdc_ncm", "usb": {"vendor_id": "20f4", "product_id": "e02b", "configuration": 2}}, ["realtek-usb-on-cdc"]),
        ({"driver": "cdc_ncm", "bound_driver": "cdc_ncm", "usb": {"vendor_id": "0bda", "product_id": "8156", "configuration": 2}}, ["realtek-usb-on-cdc"]),
        ({"driver": "r8152", "bound_driver": "r8152", "usb": {"vendor_id": "0bda", "product_id": "8156", "configuration": 1}}, []),
        # a CDC device from another vendor is not a Realtek adapter
        ({"driver": "cdc_ether", "bound_driver": "cdc_ether", "usb": {"vendor_id": "0b95", "product_id": "772b", "configuration": 1}}, []),
        # Cisco VIC: priority-tag risk, not a bad driver
        ({"driver": "enic", "bound_driver": "enic", "usb": None, "module": None}, ["enic-priority-tag"]),
        # the out-of-tree ASIX driver has no trailer bug
        ({"driver": "ax88179_178a", "module": {"name": "ax88179_178a", "in_tree": False}}, []),
        ({"driver": "ax88179_178a", "module": None}, ["ax88179-trailer"]),
    ],
)
def test_catalogue_match(driver, issues):
    found = nic_catalogue.match(driver, "5.4.0-97-generic")
    assert [issue["id"] for issue in found] == issues
    if issues == ["enic-priority-tag"]:
        assert found[0]["finding"] == "VLAN_PRIORITY_TAG_RISK"


def test_catalogue_entries_are_complete():
    ids = [entry["id"] for entry in nic_catalogue.CATALOGUE]
    assert len(ids) == len(set(ids))
    for entry in nic_catalogue.CATALOGUE:
        assert entry["severity"] in ("error", "warning", "info")
        assert entry["references"] and all(ref.startswith("https://") for ref in entry["references"])
        assert entry["match"], entry["id"]


@pytest.mark.parametrize(
    "release, expected",
    [("5.4.0-97-generic", (5, 4, 0)), ("6.18.44-fc-v669", (6, 18, 44)), ("7.1.9-200.fc44.x86_64", (7, 1, 9)), ("22-Aug-2005", None), ("", None)],
)
def test_kernel_version(release, expected):
    assert nic_catalogue.kernel_version(release) == expected


def test_describe_on_this_machine():
    """The real /sys: loopback is virtual; every device-backed interface reports a bus and a bound driver."""
    if not os.path.isdir("/sys/class/net/lo"):
        pytest.skip("no sysfs")
    assert drivers.describe("lo", None)["bus"] == "virtual"
    for name in os.listdir("/sys/class/net"):
        if os.path.exists(f"/sys/class/net/{name}/device"):
            result = drivers.describe(name, ethtool.collect([name])[name]["drvinfo"])
            assert result["bus"] in ("pci", "usb", "platform", "vmbus", "other")
            assert result["bound_driver"]


def test_describe_missing_interface(tmp_path):
    result = drivers.describe("gone0", None, sysfs_root=str(tmp_path), kernel_release="6.1.0")
    assert result["bus"] is None
    assert result["known_issues"] == []
