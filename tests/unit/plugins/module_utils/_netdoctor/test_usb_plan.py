# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""usb_plan: which USB NICs need the driver, reload safety and the USB rebind plan.

The driver facts come from drivers.describe() on sysfs trees laid out as the kernel does for the
real adapters of the captures (tests/unit/fixtures/SOURCES.md): ethtool -i gives driver, version
and bus-info, lsusb/usb-devices the ids and the configuration each was in.
"""

from __future__ import annotations

import pytest
from conftest import read_fixture
from test_drivers import make_sysfs

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import drivers, ethtool, iplink, usb_plan

# name -> (ethtool -i capture, USB device path, (vid, pid, configuration), bound driver, module, kernel)
ADAPTERS = {
    # TP-Link UE300 (RTL8153) in its CDC ECM configuration 2, on cdc_ether (lsusb -v capture: config 1 is vendor class)
    "enx-ue300": ("ethtool-i/cdc_ether-22-Aug-2005-rtl8153-tplink-ue300.txt", "2-1", ("2357", "0601", 2), "cdc_ether", "cdc_ether", "6.1.0-26-amd64"),
    # Buffalo LUA-U3-A2G/C (RTL8156) on the in-tree r8152 v1.12.13, configuration 1
    "enx-rtl8156": ("ethtool-i/r8152-v1.12.13-rtl8156a.txt", "4-1", ("0bda", "8156", 1), "r8152", "r8152", "6.12.0"),
    # Wisdpi RTL8157 on the vendor r8152 2.20.1 (DKMS)
    "enx-rtl8157": ("ethtool-i/r8152-v2.20.1-vendor-dkms-rtl8157.txt", "3-2", ("0bda", "8157", 1), "r8152", "r8152", "6.14.11-2-pve"),
    # ASIX AX88179 on the in-tree ax88179_178a (usb-devices capture), kernel before the trailer fix
    "enx-ax88179": (None, "2-2", ("0b95", "1790", 1), "ax88179_178a", "ax88179_178a", "5.3.0-24-generic"),
}


def _facts(tmp_path, names, extra=None):
    """net_facts-shaped facts for the named adapters (plus a virtio eth0), from drivers.describe on a sysfs tree."""
    interfaces = {}
    for name in names:
        fixture, device, usb, bound, module, kernel = ADAPTERS[name]
        if fixture:
            info = ethtool.parse_ethtool_i(read_fixture(fixture))
        else:
            info = {"driver": "ax88179_178a", "version": "1.0.0", "firmware_version": "", "bus_info": "usb-0000:00:14.0-2"}
        bus = device.split("-")[0]
        devpath = f"pci0000:00/0000:00:14.0/usb{bus}/{device}/{device}:{usb[2]}.0"
        # one sysfs tree per adapter: two adapters on one driver share its module directory in a real tree
        root = tmp_path / name
        make_sysfs(root, name, devpath, "usb", bound, usb=usb, module={"name": module, "taint": "" if name != "enx-rtl8157" else "OE"})
        interfaces[name] = {"name": name, "driver": drivers.describe(name, info, str(root), kernel_release=kernel)}
    make_sysfs(tmp_path / "eth0", "eth0", "pci0000:00/0000:00:03.0/virtio0", "virtio", "virtio_net", parent_subsystem="pci")
    eth0 = ethtool.parse_ethtool_i(read_fixture("ethtool-i/virtio_net-1.0.0-openstack-compute.txt"))
    interfaces["eth0"] = {"name": "eth0", "driver": drivers.describe("eth0", eth0, str(tmp_path / "eth0"), kernel_release="5.4.0-97-generic")}
    for name, entry in (extra or {}).items():
        interfaces.setdefault(name, {"name": name}).update(entry)
    return {"interfaces": interfaces}


def test_catalogue_targets_and_fine_adapters(tmp_path):
    facts = _facts(tmp_path, ["enx-ue300", "enx-rtl8156", "enx-rtl8157", "enx-ax88179"])
    plan = usb_plan.plan_targets(facts)
    targets = {t["interface"]: t for t in plan["targets"]}
    assert sorted(targets) == ["enx-ax88179", "enx-ue300"]
    assert targets["enx-ue300"]["reasons"] == ["known issue realtek-usb-on-cdc"]
    assert targets["enx-ue300"]["wanted_driver"] == "r8152"
    assert targets["enx-ue300"]["wanted_configuration"] == 1
    assert targets["enx-ue300"]["configuration"] == 2
    assert targets["enx-ax88179"]["reasons"] == ["known issue ax88179-trailer"]
    assert targets["enx-ax88179"]["wanted_driver"] == "ax88179_178a"
    # the virtio NIC is not a USB NIC: neither target nor fine
    assert [f["interface"] for f in plan["ok"]] == ["enx-rtl8156", "enx-rtl8157"]
    assert plan["needed"] is True
    assert plan["summary"].startswith("USB NICs that need the driver fix: enx-ax88179 (known issue ax88179-trailer)")


def test_minimum_version(tmp_path):
    facts = _facts(tmp_path, ["enx-rtl8156", "enx-rtl8157", "enx-ue300"])
    plan = usb_plan.plan_targets(facts, minimum_version="2.17.1")
    targets = {t["interface"]: t["reasons"] for t in plan["targets"]}
    assert targets["enx-rtl8156"] == ["r8152 v1.12.13 is older than 2.17.1"]
    assert "enx-rtl8157" not in targets  # v2.20.1 (2025/05/13) is newer
    # on cdc_ether the minimum does not apply (not one of the modules), the catalogue does
    assert targets["enx-ue300"] == ["known issue realtek-usb-on-cdc"]
    newer = usb_plan.plan_targets(facts, minimum_version="2.21.4")
    assert {t["interface"] for t in newer["targets"]} == {"enx-rtl8156", "enx-rtl8157", "enx-ue300"}


def test_host_without_usb_nic_is_left_alone(tmp_path):
    plan = usb_plan.plan_targets(_facts(tmp_path, []), minimum_version="2.17.1")
    assert plan == {"targets": [], "staged": [], "ok": [], "needed": False, "summary": "no USB NIC here needs the driver fix: left alone"}


def test_devices_named_by_the_operator(tmp_path):
    facts = _facts(tmp_path, ["enx-rtl8157"])
    plan = usb_plan.plan_targets(facts, devices=["0BDA:8157", "0bda:8156", "enx-rtl8157"])
    assert [t["interface"] for t in plan["targets"]] == ["enx-rtl8157"]
    assert plan["targets"][0]["reasons"] == ["named in usb_nic_driver_devices", "0bda:8157 named in usb_nic_driver_devices"]
    # 0bda:8156 is not plugged in: staged
    assert plan["staged"] == ["0bda:8156"]
    staged_only = usb_plan.plan_targets(_facts(tmp_path / "b", []), devices=["0bda:8156"])
    assert staged_only["needed"] is True and staged_only["targets"] == []
    assert staged_only["summary"] == "no such USB NIC is plugged in; staging the driver for 0bda:8156"


@pytest.mark.parametrize(
    ("devices", "message"),
    [
        (["1d6b:0003"], "1d6b:0003 is not a USB NIC known to r8152 or ax88179_178a"),  # a root hub (lsusb capture)
        (["8086:1521"], "8086:1521 is not a USB NIC"),
        (["eth1"], "interface eth1 (usb_nic_driver_devices) does not exist on this host"),
        (["eth0"], "interface eth0 is not a USB NIC (bus pci, driver virtio_net)"),
        (["eth0;reboot"], "does not exist on this host"),
        (["a/b"], "is neither a vendor:product id"),
        (["enx00e04c68000122"], "is neither a vendor:product id"),
        (["en x"], "is neither a vendor:product id"),
        ([""], "is neither a vendor:product id"),
    ],
)
def test_bad_devices_are_refused(tmp_path, devices, message):
    with pytest.raises(usb_plan.PlanError) as err:
        usb_plan.plan_targets(_facts(tmp_path, ["enx-rtl8157"]), devices=devices)
    assert message in str(err.value)


def test_usb_interface_parts():
    assert usb_plan.usb_interface_parts("2-1:2.0") == {"device": "2-1", "configuration": 2, "interface": 0}
    assert usb_plan.usb_interface_parts("4-1.3.2:1.0") == {"device": "4-1.3.2", "configuration": 1, "interface": 0}
    for bad in ("usb2", "2-1", "0000:00:14.0", "", None, "2-1:1.0/../x"):
        assert usb_plan.usb_interface_parts(bad) is None


def test_default_route_devices_from_real_ip_output():
    single = read_fixture("ip-route-json/lab-netns-route-show-default-via-usb.json")
    multi = read_fixture("ip-route-json/lab-netns-route-show-default-multipath.json")
    none6 = read_fixture("ip-route-json/lab-netns-6-route-show-default-none.json")
    assert iplink.default_route_devices(single, none6) == ["enx00e04c680001"]
    assert iplink.default_route_devices(multi) == ["enx00e04c680001", "eth0"]
    assert iplink.default_route_devices("", none6) == []


def test_carriers_follow_masters():
    facts = {
        "interfaces": {
            "br-mgmt": {"addresses": [{"family": 4, "address": "192.0.2.10", "prefixlen": 24}]},
            "enx-ue300": {"master": "br-mgmt", "master_kind": "bridge"},
            "enx-rtl8157": {"ovs": {"bridge": "br-ex"}},
            "br-ex": {},
            "eth0": {},
        }
    }
    carriers = usb_plan.carrier_interfaces(facts, ["192.0.2.10"], ["br-ex"])
    assert carriers["br-mgmt"] == "holds 192.0.2.10, the address Ansible connects to"
    assert carriers["enx-ue300"] == "is a port of br-mgmt, which holds 192.0.2.10, the address Ansible connects to"
    assert carriers["enx-rtl8157"] == "is a port of br-ex, which carries the default route"
    assert "eth0" not in carriers


def test_reload_refused_on_the_connection_or_default_route(tmp_path):
    facts = _facts(tmp_path, ["enx-ue300", "enx-ax88179"], extra={"enx-ue300": {"addresses": [{"family": 4, "address": "192.0.2.10", "prefixlen": 24}]}})
    targets = usb_plan.plan_targets(facts)["targets"]
    routes = iplink.default_route_devices(read_fixture("ip-route-json/lab-netns-route-show-default-via-usb.json"))
    carriers = usb_plan.carrier_interfaces(facts, ["192.0.2.10"], routes)
    plan = usb_plan.reload_plan(targets, "auto", carriers, {"enx-ue300": "2-1:2.0", "enx-ax88179": "2-2:1.0"})
    assert plan["reload"] is False and plan["reboot_required"] is True and plan["steps"] == []
    assert plan["why"] == "not reloading: enx-ue300 holds 192.0.2.10, the address Ansible connects to"


def test_reload_never(tmp_path):
    targets = usb_plan.plan_targets(_facts(tmp_path, ["enx-ue300"]))["targets"]
    plan = usb_plan.reload_plan(targets, "never", {}, {"enx-ue300": "2-1:2.0"})
    assert plan == {"reload": False, "reboot_required": True, "why": "usb_nic_driver_reload is never: reboot to load the pinned driver", "steps": []}
    with pytest.raises(usb_plan.PlanError):
        usb_plan.reload_plan(targets, "sometimes", {}, {})


def test_rebind_plan_cdc_to_vendor_configuration(tmp_path):
    """UE300 on cdc_ether in configuration 2: unbind, load the DKMS r8152, select configuration 1."""
    targets = usb_plan.plan_targets(_facts(tmp_path, ["enx-ue300"]))["targets"]
    plan = usb_plan.reload_plan(targets, "auto", {}, {"enx-ue300": "2-1:2.0"}, modules_to_reload=["r8152"])
    assert plan["reload"] is True and plan["reboot_required"] is False
    assert plan["steps"] == [
        {"action": "write", "path": "/sys/bus/usb/drivers/cdc_ether/unbind", "value": "2-1:2.0"},
        {"action": "command", "argv": ["modprobe", "-r", "r8152"]},
        {"action": "command", "argv": ["modprobe", "r8152"]},
        {"action": "write", "path": "/sys/bus/usb/devices/2-1/bConfigurationValue", "value": "1"},
    ]


def test_rebind_plan_in_tree_to_dkms_module(tmp_path):
    """RTL8156 on the in-tree r8152, below the minimum: reload r8152 (the DKMS one), bind again."""
    targets = usb_plan.plan_targets(_facts(tmp_path, ["enx-rtl8156"]), minimum_version="2.17.1")["targets"]
    plan = usb_plan.reload_plan(targets, "auto", {"eth0": "carries the default route"}, {"enx-rtl8156": "4-1:1.0"}, modules_to_reload=["r8152"])
    assert plan["steps"] == [
        {"action": "command", "argv": ["modprobe", "-r", "r8152"]},
        {"action": "command", "argv": ["modprobe", "r8152"]},
        {"action": "bind", "path": "/sys/bus/usb/drivers/r8152/bind", "value": "4-1:1.0"},
    ]


def test_rebind_plan_without_sysfs_device(tmp_path):
    targets = usb_plan.plan_targets(_facts(tmp_path, ["enx-ue300"]))["targets"]
    plan = usb_plan.reload_plan(targets, "auto", {}, {"enx-ue300": None})
    assert plan["reload"] is False and plan["reboot_required"] is True
    assert "not found in sysfs" in plan["why"]


def test_nothing_to_reload():
    assert usb_plan.reload_plan([], "auto", {}, {}) == {"reload": False, "reboot_required": False, "why": "no USB NIC to rebind", "steps": []}
