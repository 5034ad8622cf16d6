# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""usb_driver: USB NIC ids, dpkg version order, dkms status and modinfo parsing, running-module checks, on real captures."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import ethtool, usb_driver

# (a, b, what dpkg --compare-versions says): expectations taken from dpkg 1.21 on the project's machine
VERSION_PAIRS = [
    ("1.0", "1.0.0", -1),
    ("2.0.0-1", "1.12.13", 1),
    ("1:1.0", "2.0", 1),
    ("1.0~rc1", "1.0", -1),
    ("9.0.1-1", "9.1.0-1", -1),
    ("2.20.1", "2.20.1-1", -1),
    ("1.12.13", "2.17.1", -1),
    ("2.22.1", "2.9.0", 1),
    ("1.0a", "1.0", 1),
    ("1.0+dfsg", "1.0", 1),
    ("1.0-1", "1.0-1ubuntu1", -1),
    ("6.1.0-50", "6.1.0-9", 1),
    ("1.0.0", "1.0.0", 0),
    ("1.0~~", "1.0~", -1),
    ("2.0", "10.0", -1),
]


@pytest.mark.parametrize(("a", "b", "expected"), VERSION_PAIRS)
def test_compare_versions(a, b, expected):
    assert usb_driver.compare_versions(a, b) == expected
    first, second = b, a
    assert usb_driver.compare_versions(first, second) == -expected


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="dpkg is not installed here")
@pytest.mark.parametrize(("a", "b", "expected"), VERSION_PAIRS)
def test_compare_versions_agrees_with_dpkg(a, b, expected):
    op = {-1: "lt", 0: "eq", 1: "gt"}[usb_driver.compare_versions(a, b)]
    assert subprocess.run(["dpkg", "--compare-versions", a, op, b], check=False).returncode == 0


@pytest.mark.parametrize(
    ("fixture", "version", "at_least_2_17_1"),
    [
        ("ethtool-i/r8152-v1.12.13-rtl8156a.txt", "1.12.13", False),
        ("ethtool-i/r8152-v1.12.13-rtl8153a-rpi5.txt", "1.12.13", False),
        ("ethtool-i/r8152-v2.20.1-vendor-dkms-rtl8157.txt", "2.20.1", True),
        # usbnet drivers report the usbnet date, not a version: unknown, never "new enough"
        ("ethtool-i/cdc_ether-22-Aug-2005-rtl8153-tplink-ue300.txt", None, None),
    ],
)
def test_driver_version_from_ethtool_i(fixture, version, at_least_2_17_1):
    info = ethtool.parse_ethtool_i(read_fixture(fixture))
    assert usb_driver.driver_version(info["version"]) == version
    assert usb_driver.version_at_least(info["version"], "2.17.1") is at_least_2_17_1


def test_upstream_version():
    assert usb_driver.upstream_version("2.22.1-1") == "2.22.1"
    assert usb_driver.upstream_version("1:2.0-3") == "2.0"
    assert usb_driver.upstream_version("9.0.1") == "9.0.1"


@pytest.mark.parametrize(
    ("vendor", "product", "family", "configuration"),
    [
        ("0bda", "8156", "realtek", 1),  # RTL8156 (in the vendor rule's glob 815[2,3,5,6,7,a])
        ("0bda", "815a", "realtek", 1),
        ("0bda", "8053", "realtek", 3),  # RTL8053: configuration 3 (REALTEK_MODE2)
        ("0bda", "8151", "realtek", None),  # in the r8152 id table, not in the rule
        ("2357", "0601", "realtek", 1),  # TP-Link UE300 (lsusb capture: config 1 vendor class, 2 CDC ECM)
        ("20f4", "e02b", "realtek", None),  # TRENDnet TUC-ET2G: r8152's table, not the rule
        ("0b95", "1790", "asix", None),
        ("1d6b", "0003", None, None),  # Linux Foundation 3.0 root hub
        ("8086", "1521", None, None),
    ],
)
def test_usb_nic_family(vendor, product, family, configuration):
    if product == "8151":
        # 0bda:8151 is not a USB NIC id anywhere: the glob must not let it in
        assert usb_driver.usb_nic_family(vendor, product) is None
        return
    assert usb_driver.usb_nic_family(vendor, product) == family
    assert usb_driver.vendor_rule_configuration(vendor, product) == configuration


def test_every_vendor_rule_line_is_in_the_table():
    """The udev rule of awesometic/realtek-r8152-dkms (d93c9f8) lists 23 ids; the table has them all."""
    assert len(usb_driver.VENDOR_RULE_IDS) == 23
    assert usb_driver.vendor_rule_configuration("17ef", "a387") == 1
    assert usb_driver.vendor_rule_configuration("13b1", "0041") == 1


def test_parse_usb_id():
    assert usb_driver.parse_usb_id("0BDA:8156") == ("0bda", "8156")
    assert usb_driver.parse_usb_id(" 0bda:8156 ") == ("0bda", "8156")
    for bad in ("0bda8156", "0bda:815", "eth0", "", None, "0bda:8156;reboot"):
        assert usb_driver.parse_usb_id(bad) is None


def test_dkms_status_vendor_capture():
    """dkms status of the real realtek-r8152 2.20.1 on Proxmox (aioue/r8152_proxmox_setup)."""
    rows = usb_driver.parse_dkms_status(read_fixture("dkms/realtek-r8152-2.20.1-pve-6.14-installed-and-built.txt"))
    assert rows == [
        {"module": "realtek-r8152", "version": "2.20.1", "kernel": "6.14.11-2-pve", "arch": "amd64", "state": "installed", "note": "Original modules exist"},
        {"module": "realtek-r8152", "version": "2.20.1", "kernel": "6.14.11-2-pve", "arch": "x86_64", "state": "built", "note": None},
    ]
    # the first row for the kernel wins: installed
    assert usb_driver.dkms_state(rows, "realtek-r8152", "2.20.1", "6.14.11-2-pve") == "installed"
    assert usb_driver.dkms_state(rows, "realtek-r8152", "2.21.4", "6.14.11-2-pve") is None
    assert usb_driver.dkms_state(rows, "realtek-r8152", "2.20.1", "6.14.8-1-pve") is None


def test_dkms_status_lab_captures():
    rows = usb_driver.parse_dkms_status(read_fixture("dkms/lab-dkms-3.0.10-installed.txt"))
    assert usb_driver.dkms_state(rows, "netdoctor-lab-r8152", "9.0.1", "6.1.0-50-amd64") == "installed"
    # dkms kept the in-tree v1.12.13 (the build was not newer) and says so only in a note
    rows = usb_driver.parse_dkms_status(read_fixture("dkms/lab-dkms-3.0.10-installed-diff-warning-version-not-newer.txt"))
    assert rows[0]["state"] == "installed"
    assert rows[0]["note"] == "WARNING! Diff between built and installed module!"
    assert usb_driver.dkms_state(rows, "netdoctor-lab-r8152", "1.0.0", "6.1.0-50-amd64") == "built-not-installed"


def test_dkms_status_ignores_noise():
    assert usb_driver.parse_dkms_status("") == []
    assert usb_driver.parse_dkms_status("Error! Could not locate dkms.conf file.\n") == []


@pytest.mark.parametrize(
    ("fixture", "filename", "version", "srcversion", "location"),
    [
        (
            "modinfo/lab-r8152-standin-updates-dkms-6.1.0-50-amd64.txt",
            "/lib/modules/6.1.0-50-amd64/updates/dkms/r8152.ko",
            "v9.0.1",
            "DAA245F9E87B092D799BBA9",
            "updates",
        ),
        (
            "modinfo/r8152-in-tree-debian-6.1.0-50-amd64.txt",
            "/lib/modules/6.1.0-50-amd64/kernel/drivers/net/usb/r8152.ko",
            "v1.12.13",
            "A74D113268F20D750C75621",
            "kernel",
        ),
        ("modinfo/ax88179_178a-in-tree-debian-6.1.0-50-amd64.txt", "/lib/modules/6.1.0-50-amd64/kernel/drivers/net/usb/ax88179_178a.ko", None, None, "kernel"),
        (
            "modinfo/r8152-vendor-2.20.1-dkms-pve-6.14-partial.txt",
            "/lib/modules/6.14.11-2-pve/updates/dkms/r8152.ko",
            "v2.20.1 (2025/05/13)",
            "<snip>",
            "other",  # asked for another kernel than the one it was built for
        ),
    ],
)
def test_parse_modinfo(fixture, filename, version, srcversion, location):
    info = usb_driver.parse_modinfo(read_fixture(fixture))
    assert info["filename"] == filename
    assert info.get("version") == version
    assert info.get("srcversion") == srcversion
    assert usb_driver.module_location(info["filename"], "6.1.0-50-amd64") == location


def test_parse_modinfo_lists_and_continuations():
    info = usb_driver.parse_modinfo(read_fixture("modinfo/r8152-in-tree-debian-6.1.0-50-amd64.txt"))
    assert len(info["alias"]) == 29
    assert "usb:v2357p0601d*dc*dsc*dp*ic*isc*ip*in*" in info["alias"]
    assert info["firmware"][0] == "rtl_nic/rtl8156b-2.fw"
    # the signature's continuation lines (tab-indented) are not keys
    assert not any(key.startswith(("\t", " ")) or len(key) > 20 for key in info)
    assert info["intree"] == "Y"


def test_module_location_edge_cases():
    assert usb_driver.module_location("(builtin)", "6.1.0-50-amd64") == "builtin"
    assert usb_driver.module_location("", "6.1.0-50-amd64") is None
    assert usb_driver.module_location("/usr/lib/modules/6.1.0-50-amd64/updates/dkms/r8152.ko.xz", "6.1.0-50-amd64") == "updates"
    assert usb_driver.module_location("/lib/modules/6.1.0-50-amd64/extra/r8152.ko", "6.1.0-50-amd64") == "extra"
    assert usb_driver.module_location("/root/r8152.ko", "6.1.0-50-amd64") == "other"


def _info(fixture):
    return usb_driver.parse_modinfo(read_fixture(fixture))


def test_verify_running_module():
    standin = _info("modinfo/lab-r8152-standin-updates-dkms-6.1.0-50-amd64.txt")
    in_tree = _info("modinfo/r8152-in-tree-debian-6.1.0-50-amd64.txt")
    kernel = "6.1.0-50-amd64"
    ok = usb_driver.verify_running_module("r8152", {"srcversion": "DAA245F9E87B092D799BBA9", "version": "v9.0.1"}, standin, kernel, "9.0.1")
    assert ok["ok"] is True and "updates/dkms/r8152.ko" in ok["reason"]
    # the in-tree module still loaded after the DKMS install: srcversion differs
    stale = usb_driver.verify_running_module("r8152", {"srcversion": "A74D113268F20D750C75621", "version": "v1.12.13"}, standin, kernel, "9.0.1")
    assert stale["ok"] is False and "reload or reboot" in stale["reason"]
    # DKMS did not install: modinfo finds the in-tree file
    missing = usb_driver.verify_running_module("r8152", None, in_tree, kernel, "9.0.1")
    assert missing["ok"] is False and "not under updates/" in missing["reason"]
    # a DKMS build older than the pin is no proof
    older = usb_driver.verify_running_module("r8152", {"srcversion": "DAA245F9E87B092D799BBA9"}, standin, kernel, "9.1.0")
    assert older["ok"] is False and "older than 9.1.0" in older["reason"]
    not_loaded = usb_driver.verify_running_module("r8152", None, standin, kernel, "9.0.1")
    assert not_loaded["ok"] is False and not_loaded["reason"] == "r8152 is not loaded"


def test_kernel_report_says_which_kernels_lack_headers():
    rows = usb_driver.parse_dkms_status(read_fixture("dkms/lab-dkms-3.0.10-installed.txt"))
    kernels = [
        {"release": "6.1.0-50-amd64", "headers": True, "initrd": "/boot/initrd.img-6.1.0-50-amd64"},
        {"release": "6.18.44-fc-v1045", "headers": False, "initrd": None},
    ]
    report = usb_driver.kernel_report(kernels, rows, "netdoctor-lab-r8152", "9.0.1", "6.18.44-fc-v1045")
    assert report["running_ok"] is False
    assert report["missing_headers"] == ["6.18.44-fc-v1045"]
    assert [k["dkms_state"] for k in report["kernels"]] == ["installed", None]
    assert len(report["warnings"]) == 1
    assert report["warnings"][0].startswith("kernel 6.18.44-fc-v1045 (running) has no headers")
    # the same host booted into 6.1: the running kernel has the build
    report = usb_driver.kernel_report(kernels, rows, "netdoctor-lab-r8152", "9.0.1", "6.1.0-50-amd64")
    assert report["running_ok"] is True
    # a kernel with headers but no build (DKMS failed) is said too
    report = usb_driver.kernel_report(kernels[:1], rows, "netdoctor-lab-r8152", "9.1.0", "6.1.0-50-amd64")
    assert report["running_ok"] is False
    assert report["warnings"] == ["kernel 6.1.0-50-amd64 has headers but netdoctor-lab-r8152 9.1.0 is not built for it"]


def test_valid_module_name():
    assert usb_driver.valid_module_name("r8152")
    assert usb_driver.valid_module_name("ax88179_178a")
    for bad in ("", "r8152 ", "../r8152", "a;b", "x" * 56, None):
        assert not usb_driver.valid_module_name(bad)
