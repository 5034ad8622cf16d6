# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""usb_nic_driver_info: the whole module on a kernel tree and sysfs built in a temporary directory, fed real captures."""

from __future__ import annotations

import json
import os

import pytest
from ansible.module_utils.testing import patch_module_args
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.modules import usb_nic_driver_info

LAB_KERNEL = "6.1.0-50-amd64"
RUNNING = "6.18.44-fc-v1045"


def _touch(path, text=""):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


@pytest.fixture
def tree(tmp_path):
    """The usb lab variant's layout: 6.1.0-50-amd64 installed with headers and an initrd; the running kernel has nothing."""
    modules = tmp_path / "lib-modules"
    boot = tmp_path / "boot"
    _touch(str(modules / LAB_KERNEL / "modules.order"))
    os.makedirs(modules / LAB_KERNEL / "kernel" / "drivers", exist_ok=True)
    _touch(str(tmp_path / "usr-src" / "linux-headers" / "Makefile"))
    os.symlink(tmp_path / "usr-src" / "linux-headers", modules / LAB_KERNEL / "build")
    _touch(str(boot / f"vmlinuz-{LAB_KERNEL}"))
    _touch(str(boot / f"initrd.img-{LAB_KERNEL}"))
    # headers alone (no modules.order, no vmlinuz) do not make an installed kernel
    os.makedirs(modules / "6.1.0-9-amd64" / "build", exist_ok=True)
    os.makedirs(tmp_path / "sys" / "class" / "net", exist_ok=True)
    return tmp_path


def _run(monkeypatch, capsys, tree, args, *, running=RUNNING, dkms="dkms/lab-dkms-3.0.10-installed.txt", loaded=None, route4="via-usb"):
    calls = []

    def run_command(self, argv, **kwargs):
        calls.append(list(argv))
        if argv[1:] == ["status"]:
            return 0, read_fixture(dkms), ""
        if argv[1:3] == ["-k", LAB_KERNEL] and argv[3] == "r8152":
            return 0, read_fixture("modinfo/lab-r8152-standin-updates-dkms-6.1.0-50-amd64.txt"), ""
        if argv[1:3] == ["-j", "-4"]:
            return 0, read_fixture(f"ip-route-json/lab-netns-route-show-default-{route4}.json"), ""
        if argv[1:3] == ["-j", "-6"]:
            return 0, read_fixture("ip-route-json/lab-netns-6-route-show-default-none.json"), ""
        return 1, "", f"modinfo: ERROR: Module {argv[-1]} not found."

    monkeypatch.setattr(usb_nic_driver_info.AnsibleModule, "get_bin_path", lambda self, name, required=False, opt_dirs=None: "/usr/sbin/" + name)
    monkeypatch.setattr(usb_nic_driver_info.AnsibleModule, "run_command", run_command)
    monkeypatch.setattr(usb_nic_driver_info.platform, "release", lambda: running)
    if loaded:
        _touch(str(tree / "sys" / "module" / "r8152" / "initstate"), "live\n")
        _touch(str(tree / "sys" / "module" / "r8152" / "srcversion"), loaded + "\n")
    base = {
        "dkms_name": "netdoctor-lab-r8152",
        "dkms_version": "9.0.1",
        "modules_root": str(tree / "lib-modules"),
        "boot_dir": str(tree / "boot"),
        "sysfs_root": str(tree / "sys"),
        "connection_addresses": [],
    }
    with patch_module_args({**base, **args}), pytest.raises(SystemExit):
        usb_nic_driver_info.main()
    return json.loads(capsys.readouterr().out), calls


def test_staged_on_the_lab_layout(tree, monkeypatch, capsys):
    result, calls = _run(monkeypatch, capsys, tree, {"facts": {"interfaces": {}}, "devices": ["0bda:8156"]})
    assert result["changed"] is False
    assert result["plan"]["staged"] == ["0bda:8156"] and result["plan"]["needed"] is True
    kernels = {k["release"]: k for k in result["kernels"]}
    assert sorted(kernels) == [LAB_KERNEL, RUNNING]
    assert kernels[LAB_KERNEL]["headers"] is True and kernels[LAB_KERNEL]["dkms_state"] == "installed"
    assert kernels[LAB_KERNEL]["initrd"].endswith(f"boot/initrd.img-{LAB_KERNEL}")
    assert kernels[LAB_KERNEL]["modinfo"]["r8152"]["location"] == "updates"
    assert kernels[RUNNING] == {"release": RUNNING, "running": True, "headers": False, "dkms_state": None, "initrd": None, "modinfo": {}}
    assert result["running_ok"] is False
    assert result["warnings_list"] == [
        f"kernel {RUNNING} (running) has no headers (/lib/modules/{RUNNING}/build): DKMS cannot build netdoctor-lab-r8152 9.0.1 for it, "
        "so it uses the in-tree driver"
    ]
    # nothing plugged in: nothing to reload, no reboot
    assert result["reload"]["reboot_required"] is False
    # modinfo is not run for a kernel without modules or headers
    assert ["/usr/sbin/modinfo", "-k", RUNNING, "r8152"] not in calls


def _usb_target_facts(tree):
    """An RTL8156 on cdc_ncm in configuration 2 (kernlog/cdc_ncm-rtl8156-bound-usb2-ehci.txt), carrying the default route."""
    device = tree / "sys" / "devices" / "pci0000:00" / "0000:00:14.0" / "usb2" / "2-1" / "2-1:2.0"
    os.makedirs(device / "net" / "enx00e04c680001", exist_ok=True)
    os.symlink(device, device / "net" / "enx00e04c680001" / "device")
    os.symlink(device / "net" / "enx00e04c680001", tree / "sys" / "class" / "net" / "enx00e04c680001")
    driver = {
        "driver": "cdc_ncm",
        "bus": "usb",
        "bound_driver": "cdc_ncm",
        "usb": {"vendor_id": "0bda", "product_id": "8156", "configuration": 2},
        "known_issues": [{"id": "realtek-usb-on-cdc", "finding": "NIC_DRIVER_KNOWN_BAD"}],
    }
    return {"interfaces": {"enx00e04c680001": {"driver": driver, "addresses": [{"family": 4, "address": "192.0.2.10", "prefixlen": 24}]}}}


def test_target_on_the_default_route_is_not_reloaded(tree, monkeypatch, capsys):
    facts = _usb_target_facts(tree)
    result, _calls = _run(monkeypatch, capsys, tree, {"facts": facts}, running=LAB_KERNEL, loaded="A74D113268F20D750C75621")
    assert [t["interface"] for t in result["plan"]["targets"]] == ["enx00e04c680001"]
    assert result["usb_interfaces"] == {"enx00e04c680001": "2-1:2.0"}
    assert result["carriers"] == {"enx00e04c680001": "carries the default route"}
    assert result["reload"] == {"reload": False, "reboot_required": True, "why": "not reloading: enx00e04c680001 carries the default route", "steps": []}
    # the in-tree r8152 still runs (srcversion of kernel/drivers/net/usb/r8152.ko)
    assert result["running_modules"][0]["ok"] is False and "reload or reboot" in result["running_modules"][0]["reason"]


def test_target_on_the_ssh_connection_is_not_reloaded(tree, monkeypatch, capsys):
    facts = _usb_target_facts(tree)
    monkeypatch.setenv("SSH_CONNECTION", "198.51.100.1 40000 192.0.2.10 22")
    result, _calls = _run(monkeypatch, capsys, tree, {"facts": facts, "connection_addresses": None}, running=LAB_KERNEL, route4="via-eth0")
    assert result["carriers"] == {"eth0": "carries the default route", "enx00e04c680001": "holds 192.0.2.10, the address Ansible connects to"}
    assert result["reload"]["reboot_required"] is True
    assert result["reload"]["why"] == "not reloading: enx00e04c680001 holds 192.0.2.10, the address Ansible connects to"


def test_target_off_the_connection_is_rebound(tree, monkeypatch, capsys):
    facts = _usb_target_facts(tree)
    monkeypatch.setenv("SSH_CONNECTION", "198.51.100.1 40000 198.51.100.10 22")
    result, _calls = _run(
        monkeypatch, capsys, tree, {"facts": facts, "connection_addresses": None}, running=LAB_KERNEL, loaded="A74D113268F20D750C75621", route4="via-eth0"
    )
    assert result["carriers"] == {"eth0": "carries the default route"}
    assert result["reload"]["reload"] is True and result["reload"]["reboot_required"] is False
    assert result["reload"]["steps"] == [
        {"action": "write", "path": "/sys/bus/usb/drivers/cdc_ncm/unbind", "value": "2-1:2.0"},
        {"action": "command", "argv": ["modprobe", "-r", "r8152"]},
        {"action": "command", "argv": ["modprobe", "r8152"]},
        {"action": "write", "path": "/sys/bus/usb/devices/2-1/bConfigurationValue", "value": "1"},
    ]


def test_running_kernel_without_build_needs_a_reboot_into_one(tree, monkeypatch, capsys):
    facts = _usb_target_facts(tree)
    result, _calls = _run(monkeypatch, capsys, tree, {"facts": facts}, running=RUNNING)
    assert result["reload"]["reload"] is False and result["reload"]["reboot_required"] is True
    assert result["reload"]["why"] == f"the running kernel {RUNNING} has no netdoctor-lab-r8152 9.0.1 build: boot {LAB_KERNEL}"


def test_dkms_kept_the_in_tree_module(tree, monkeypatch, capsys):
    result, _calls = _run(
        monkeypatch,
        capsys,
        tree,
        {"facts": {"interfaces": {}}, "devices": ["0bda:8156"], "dkms_version": "1.0.0"},
        dkms="dkms/lab-dkms-3.0.10-installed-diff-warning-version-not-newer.txt",
    )
    kernels = {k["release"]: k for k in result["kernels"]}
    assert kernels[LAB_KERNEL]["dkms_state"] == "built-not-installed"
    assert any("is built-not-installed for it" in w for w in result["warnings_list"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"devices": ["1d6b:0003"]}, "1d6b:0003 is not a USB NIC"),
        ({"devices": ["eth9"]}, "interface eth9 (usb_nic_driver_devices) does not exist"),
        ({"modules": ["r8152;reboot"]}, "is not a kernel module name"),
        ({"minimum_version": "latest"}, "is not a dotted version"),
    ],
)
def test_bad_input_fails_before_any_command(tree, monkeypatch, capsys, args, message):
    result, calls = _run(monkeypatch, capsys, tree, {"facts": {"interfaces": {}}, **args})
    assert result["failed"] is True
    assert message in result["msg"]
    assert calls == []
