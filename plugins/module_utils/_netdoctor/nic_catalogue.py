# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""The NIC driver known-issues catalogue, as data, and the matcher the ``drivers`` facts use.

Each entry: ``id``, ``match`` (criteria, all of which must hold), ``finding`` (the audit code it
raises), ``severity``, ``summary`` and ``references`` (public commits, mails, issues). Criteria:

* ``driver``: the netdev's driver (``ethtool -i`` driver) is one of these names;
* ``bound_driver``: the driver bound to the device/interface in sysfs is one of these;
* ``usb_ids``: ``(vendor, product)`` pairs, lower-case hex; product ``"*"`` for any;
* ``in_tree``: the driver module is (True) / is not (False) the kernel's own;
* ``kernel_before``: the running kernel is older than the fix, given as the mainline release
  that has it plus, per stable branch, the first sublevel with the backport
  (``{"mainline": (5, 8), "stable": {(4, 9): 229}}``); a kernel whose release cannot be read
  does not match.
"""

from __future__ import annotations

import re

# USB ids the in-tree r8152 driver claims (drivers/net/usb/r8152.c rtl8152_table) plus
# OEM ids seen in the field on Realtek chips (TRENDnet TUC-ET2G 20f4:e02b).
REALTEK_USB_IDS = (
    ("0bda", "8050"),
    ("0bda", "8053"),
    ("0bda", "8152"),
    ("0bda", "8153"),
    ("0bda", "8155"),
    ("0bda", "8156"),
    ("0bda", "8157"),
    ("045e", "07ab"),  # Microsoft
    ("045e", "07c6"),
    ("045e", "0927"),
    ("045e", "0c5e"),
    ("04e8", "a101"),  # Samsung
    ("17ef", "304f"),  # Lenovo docks and dongles
    ("17ef", "3054"),
    ("17ef", "3062"),
    ("17ef", "3069"),
    ("17ef", "3082"),
    ("17ef", "7205"),
    ("17ef", "720c"),
    ("17ef", "7214"),
    ("17ef", "721e"),
    ("17ef", "a387"),
    ("13b1", "0041"),  # Linksys
    ("0955", "09ff"),  # NVIDIA
    ("2357", "0601"),  # TP-Link UE300
    ("2001", "b301"),  # D-Link DUB-E250
    ("0b05", "1976"),  # ASUS USB-C2500
    ("20f4", "e02b"),  # TRENDnet TUC-ET2G (RTL8156)
)

CATALOGUE = (
    {
        "id": "ax88179-trailer",
        "match": {
            "driver": ("ax88179_178a",),
            "in_tree": True,
            "kernel_before": {"mainline": (5, 8), "stable": {(4, 9): 229}},
        },
        "finding": "NIC_DRIVER_KNOWN_BAD",
        "severity": "error",
        "summary": (
            "in-tree ax88179_178a before 'fix packet alignment padding' (mainline 5.8) appends two bytes to every received "
            "frame: full-size frames exceed the MTU by 2 and are dropped ('dropped over-mtu packet: 1502 > 1500' or "
            "a PMTU deficit of exactly 2); upgrade the kernel or use ASIX's driver"
        ),
        "references": (
            "https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/commit/?id=e869e7a17798d85829fa7d4f9bbe1eebd4b2d3f6",
            "https://lore.kernel.org/netdev/20200615025456.30219-1-jk@ozlabs.org/",
        ),
    },
    {
        "id": "realtek-usb-on-cdc",
        "match": {"usb_ids": REALTEK_USB_IDS, "bound_driver": ("cdc_ncm", "cdc_ether")},
        "finding": "NIC_DRIVER_KNOWN_BAD",
        "severity": "error",
        "summary": (
            "Realtek RTL815x USB NIC driven by the generic CDC class driver instead of r8152: no hardware offloads, "
            "no link-speed/firmware handling, unstable at load; kernels before r8152-cfgselector (6.2) leave "
            "RTL8156 in its CDC-NCM configuration. Select the vendor configuration (bConfigurationValue 1) or load r8152"
        ),
        "references": (
            "https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/commit/?id=ec51fbd1b8a2bca2948dede99c14ec63dc57ff6b",
            "https://github.com/bb-qq/r8152/issues/142",
            "https://github.com/bb-qq/r8152/issues/13",
        ),
    },
    {
        "id": "ax88179a-on-cdc-ncm",
        "match": {"usb_ids": (("0b95", "1790"),), "bound_driver": ("cdc_ncm", "cdc_ether")},
        "finding": "NIC_DRIVER_KNOWN_BAD",
        "severity": "warning",
        "summary": (
            "ASIX AX88179A/AX88772D (0b95:1790) bound to the CDC class driver: since 'ax88179_178a: Bind only to "
            "vendor-specific interface' (6.0) these chips come up in their CDC configuration, where the driver works "
            "around device quirks only partly; switch to configuration 1 (ax88179_178a) or use a kernel with the fixes"
        ),
        "references": (
            "https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/commit/?id=c67cc4315a8e605ec875bd3a1210a549e3562ddc",
            "https://lore.kernel.org/netdev/20251017025404.1962110-4-yicongsrfy@163.com/",
        ),
    },
    {
        "id": "enic-priority-tag",
        "match": {"driver": ("enic",)},
        "finding": "VLAN_PRIORITY_TAG_RISK",
        "severity": "warning",
        "summary": (
            "Cisco VIC (enic): with a default/native VLAN on the vNIC the adapter can deliver 802.1p priority-tagged "
            "frames (VLAN ID 0) to the host; guests and bridges that do not strip VLAN 0 drop them. Check that a "
            "VLAN-0 strip is in place (OVS flow, tc vlan pop) or set the vNIC to untag"
        ),
        "references": (
            "https://doc.dpdk.org/guides/nics/enic.html#ingress-vlan-rewrite",
            "https://github.com/FDio/vpp/issues/1104",
        ),
    },
)

# A kernel release as uname -r / in-tree drivers report it: "5.4.0-97-generic", "6.1.12", "7.1.9-200.fc44.x86_64"
_KERNEL_RE = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?")


def kernel_version(release) -> tuple | None:
    """``(major, minor, sublevel)`` of a kernel release string, or None when it is not one."""
    if not release:
        return None
    match = _KERNEL_RE.match(str(release).strip())
    if not match:
        return None
    return int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)


def kernel_before(release, rule: dict) -> bool | None:
    """Whether kernel ``release`` predates the fix described by ``rule`` (None: release unknown)."""
    version = kernel_version(release)
    if version is None:
        return None
    if version[:2] >= tuple(rule["mainline"]):
        return False
    fixed_sublevel = rule.get("stable", {}).get(version[:2])
    return not (fixed_sublevel is not None and version[2] >= fixed_sublevel)


def _usb_pair(driver: dict):
    usb = driver.get("usb") or {}
    vendor, product = usb.get("vendor_id"), usb.get("product_id")
    if not vendor or not product:
        return None
    return str(vendor).lower(), str(product).lower()


def entry_matches(entry: dict, driver: dict, kernel_release=None) -> bool:
    """Whether the ``driver`` facts dict (docs/facts.md) meets every criterion of catalogue ``entry``."""
    criteria = entry["match"]
    if "driver" in criteria and driver.get("driver") not in criteria["driver"]:
        return False
    if "bound_driver" in criteria and driver.get("bound_driver") not in criteria["bound_driver"]:
        return False
    if "usb_ids" in criteria:
        pair = _usb_pair(driver)
        if pair is None or not any(pair[0] == v and p in ("*", pair[1]) for v, p in criteria["usb_ids"]):
            return False
    if "in_tree" in criteria:
        module = driver.get("module")
        # a built-in driver (module null) is in-tree by definition
        in_tree = True if module is None else module.get("in_tree")
        if in_tree is not criteria["in_tree"]:
            return False
    if "kernel_before" in criteria:
        return bool(kernel_before(kernel_release, criteria["kernel_before"]))
    return True


def match(driver: dict, kernel_release=None) -> list:
    """Catalogue entries that ``driver`` matches, as ``known_issues`` items.

    Each item: ``{"id", "finding", "severity", "summary", "reference", "references"}``
    (``reference`` is the first of ``references``).
    """
    issues = []
    for entry in CATALOGUE:
        if entry_matches(entry, driver, kernel_release):
            issues.append(
                {
                    "id": entry["id"],
                    "finding": entry["finding"],
                    "severity": entry["severity"],
                    "summary": entry["summary"],
                    "reference": entry["references"][0],
                    "references": list(entry["references"]),
                }
            )
    return issues
