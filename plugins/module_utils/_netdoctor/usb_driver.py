# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""USB NIC driver facts for the ``usb_nic_driver`` role: which ids are USB NICs, versions, DKMS and modinfo.

Pure functions (no I/O): the module ``usb_nic_driver_info`` feeds them ``dkms status`` and
``modinfo`` output and the version strings ``ethtool -i`` reports.
"""

from __future__ import annotations

import re

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import nic_catalogue

# USB ids of the in-tree ax88179_178a driver (drivers/net/usb/ax88179_178a.c, products[]).
ASIX_USB_IDS = (
    ("0b95", "1790"),  # ASIX AX88179 (and AX88179A/AX88772D, which also have a CDC configuration)
    ("0b95", "178a"),  # ASIX AX88178A
    ("04b4", "3610"),  # Cypress GX3
    ("2001", "4a00"),  # D-Link DUB-1312
    ("0df6", "0072"),  # Sitecom
    ("04e8", "a100"),  # Samsung
    ("17ef", "304b"),  # Lenovo OneLinkDock
    ("050d", "0128"),  # Belkin B2B128
    ("0930", "0a13"),  # Toshiba
    ("0711", "0179"),  # Magic Control Technology U3-A9003
    ("07c9", "000e"),  # Allied Telesis AT-UMC2000
    ("07c9", "000f"),  # Allied Telesis AT-UMC200
    ("07c9", "0010"),  # Allied Telesis AT-UMC2000/SP
)

# Ids the vendor udev rule switches to the vendor configuration (awesometic/realtek-r8152-dkms
# udev/rules.d/50-usb-realtek-net.rules at d93c9f8): (vendor, product glob, bcdDevice glob or None,
# configuration). 0bda:8053 with bcdDevice e??? wants configuration 3 (REALTEK_MODE2), the rest 1.
VENDOR_RULE_IDS = (
    ("0bda", "815[2,3,5,6,7,a]", None, 1),
    ("0bda", "8053", "e???", 3),
    ("04e8", "a101", None, 1),
    ("17ef", "304f", None, 1),
    ("17ef", "3052", None, 1),
    ("17ef", "3054", None, 1),
    ("17ef", "3057", None, 1),
    ("17ef", "3062", None, 1),
    ("17ef", "3069", None, 1),
    ("17ef", "3082", None, 1),
    ("17ef", "3098", None, 1),
    ("17ef", "7205", None, 1),
    ("17ef", "720a", None, 1),
    ("17ef", "720b", None, 1),
    ("17ef", "720c", None, 1),
    ("17ef", "7214", None, 1),
    ("17ef", "721e", None, 1),
    ("17ef", "8153", None, 1),
    ("17ef", "a359", None, 1),
    ("17ef", "a387", None, 1),
    ("2357", "0601", None, 1),
    ("0955", "09ff", None, 1),
    ("13b1", "0041", None, 1),
)

FAMILY_DRIVER = {"realtek": "r8152", "asix": "ax88179_178a"}

_ID_RE = re.compile(r"^([0-9a-fA-F]{4}):([0-9a-fA-F]{4})$")
_MODULE_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,55}$")


def parse_usb_id(text) -> tuple | None:
    """``("0bda", "8156")`` from ``"0bda:8156"`` (any case), None when it is not ``vvvv:pppp``."""
    match = _ID_RE.match(str(text or "").strip())
    return (match.group(1).lower(), match.group(2).lower()) if match else None


def valid_module_name(name) -> bool:
    """Whether ``name`` is a kernel module name (letters, digits, ``_``, ``-``; no path, no spaces)."""
    return bool(_MODULE_NAME_RE.match(str(name or "")))


def _rule_product_matches(pattern: str, product: str) -> bool:
    # the rule's glob "815[2,3,5,6,7,a]" is a character class (udev fnmatch: the commas are literal members)
    regex = "^" + re.sub(r"\[([^\]]*)\]", lambda m: "[" + m.group(1).replace(",", "") + "]", pattern).replace("?", ".") + "$"
    return re.match(regex, product) is not None


def vendor_rule_configuration(vendor: str, product: str) -> int | None:
    """The configuration the vendor udev rule selects for this id (bcdDevice not considered), else None."""
    for rule_vendor, rule_product, _bcd, configuration in VENDOR_RULE_IDS:
        if rule_vendor == vendor and _rule_product_matches(rule_product, product):
            return configuration
    return None


def usb_nic_family(vendor, product) -> str | None:
    """``realtek`` (r8152), ``asix`` (ax88179_178a) or None for an id no catalogue knows as a USB NIC."""
    vendor, product = str(vendor or "").lower(), str(product or "").lower()
    if (vendor, product) in ASIX_USB_IDS:
        return "asix"
    if (vendor, product) in nic_catalogue.REALTEK_USB_IDS or vendor_rule_configuration(vendor, product) is not None:
        return "realtek"
    return None


# ------------------------------------------------------------------ versions (dpkg's algorithm)


def _order(char: str) -> int:
    if char == "~":
        return -1
    if char.isdigit():
        return 0
    if char.isalpha():
        return ord(char)
    return ord(char) + 256


def _verrevcmp(a: str, b: str) -> int:
    """dpkg's verrevcmp (lib/dpkg/version.c): non-digit runs by _order, digit runs numerically."""
    i = j = 0
    while i < len(a) or j < len(b):
        first_diff = 0
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            ac = _order(a[i]) if i < len(a) else 0
            bc = _order(b[j]) if j < len(b) else 0
            if ac != bc:
                return ac - bc
            i += 1
            j += 1
        while i < len(a) and a[i] == "0":
            i += 1
        while j < len(b) and b[j] == "0":
            j += 1
        while i < len(a) and a[i].isdigit() and j < len(b) and b[j].isdigit():
            if not first_diff:
                first_diff = ord(a[i]) - ord(b[j])
            i += 1
            j += 1
        if i < len(a) and a[i].isdigit():
            return 1
        if j < len(b) and b[j].isdigit():
            return -1
        if first_diff:
            return first_diff
    return 0


def split_debian_version(version: str) -> tuple:
    """``(epoch, upstream, revision)`` of a Debian version string."""
    version = str(version).strip()
    epoch = 0
    if ":" in version:
        head, version = version.split(":", 1)
        epoch = int(head) if head.isdigit() else 0
    upstream, revision = (version.rsplit("-", 1) + [""])[:2] if "-" in version else (version, "")
    return epoch, upstream, revision


def compare_versions(a, b) -> int:
    """-1, 0 or 1 as ``dpkg --compare-versions a lt|eq|gt b`` would say."""
    ea, ua, ra = split_debian_version(a)
    eb, ub, rb = split_debian_version(b)
    if ea != eb:
        return -1 if ea < eb else 1
    result = _verrevcmp(ua, ub) or _verrevcmp(ra, rb)
    return (result > 0) - (result < 0)


# "v2.20.1 (2025/05/13)" (vendor r8152), "v1.12.13" (in-tree r8152), "2.22.1-1" (package), "1.0.0"
_DRIVER_VERSION_RE = re.compile(r"^v?(\d+(?:\.\d+)+[0-9A-Za-z.+~-]*)")


def driver_version(text) -> str | None:
    """The dotted version in a driver's version string, None when it has none (usbnet's ``22-Aug-2005``)."""
    match = _DRIVER_VERSION_RE.match(str(text or "").strip())
    return match.group(1) if match else None


def version_at_least(running, minimum) -> bool | None:
    """Whether driver version ``running`` (as ethtool/modinfo print it) is at least ``minimum``; None: unknown."""
    have = driver_version(running)
    want = driver_version(minimum) or (str(minimum).strip() if minimum else None)
    if have is None or not want:
        return None
    return compare_versions(have, want) >= 0


def upstream_version(package_version) -> str:
    """The upstream part of a package version (``2.22.1-1`` -> ``2.22.1``, ``1:2.0-3`` -> ``2.0``), as DKMS names it."""
    return split_debian_version(package_version)[1]


# ------------------------------------------------------------------ dkms status

# dkms 3: "realtek-r8152/2.20.1, 6.14.11-2-pve, amd64: installed (Original modules exist)"
_DKMS3_RE = re.compile(r"^(?P<module>[^/,\s]+)/(?P<version>[^,\s]+)(?:, (?P<kernel>[^,\s]+), (?P<arch>[^:\s]+))?: (?P<state>[a-z]+)(?: \((?P<note>.*)\))?\s*$")
# dkms 2: "realtek-r8152, 2.16.3, 5.4.0-97-generic, x86_64: installed"
_DKMS2_RE = re.compile(r"^(?P<module>[^,\s]+), (?P<version>[^,\s]+)(?:, (?P<kernel>[^,\s]+), (?P<arch>[^:\s]+))?: (?P<state>[a-z]+)(?: \((?P<note>.*)\))?\s*$")


def parse_dkms_status(text) -> list:
    """Rows of ``dkms status``: ``{module, version, kernel, arch, state, note}`` (kernel/arch None for ``added``).

    Lines that are not status rows (warnings dkms prints, blank lines) are skipped.
    """
    rows = []
    for raw in str(text or "").splitlines():
        line = raw.strip()
        match = _DKMS3_RE.match(line) or _DKMS2_RE.match(line)
        if not match:
            continue
        rows.append({key: match.group(key) for key in ("module", "version", "kernel", "arch", "state", "note")})
    return rows


# dkms 3 keeps the in-tree module when the built one is not newer ("Module version v1.0.0 for r8152.ko
# is not newer than what is already found in kernel"), and then says "installed (WARNING! Diff between
# built and installed module!)": the build is not what the kernel loads.
_NOT_REALLY_INSTALLED = "Diff between built and installed"


def dkms_state(rows: list, module: str, version: str, kernel: str) -> str | None:
    """The state (``installed``, ``built``, ``added``) of ``module/version`` for ``kernel``, None when absent.

    ``installed`` with dkms' "Diff between built and installed module" warning is reported as
    ``built-not-installed``.
    """
    best = None
    for row in rows:
        if row["module"] != module or row["version"] != version:
            continue
        if row["kernel"] == kernel:
            if row["state"] == "installed" and _NOT_REALLY_INSTALLED in (row.get("note") or ""):
                return "built-not-installed"
            return row["state"]
        if row["kernel"] is None:
            best = row["state"]
    return best


# ------------------------------------------------------------------ modinfo

_MODINFO_LIST_KEYS = ("alias", "author", "firmware", "parm", "import_ns", "softdep")


def parse_modinfo(text) -> dict:
    """``modinfo`` output as a dict: ``key: value`` lines; alias/author/firmware/parm are lists."""
    result: dict = {}
    for line in str(text or "").splitlines():
        if ":" not in line or line.startswith((" ", "\t")):
            continue
        key, value = line.split(":", 1)
        key, value = key.strip(), value.strip()
        if not key or " " in key:
            continue
        if key in _MODINFO_LIST_KEYS:
            result.setdefault(key, []).append(value)
        elif key not in result:
            result[key] = value
    return result


def module_location(filename, kernel) -> str | None:
    """Where a module file sits below ``/lib/modules/KERNEL/``: ``updates``, ``extra``, ``kernel``, ``other``.

    None when ``filename`` is empty; ``builtin`` for modinfo's ``(builtin)``.
    """
    if not filename:
        return None
    if filename.strip() == "(builtin)":
        return "builtin"
    match = re.match(r"^(?:/usr)?/lib/modules/(?P<kernel>[^/]+)/(?P<top>[^/]+)/", str(filename))
    if not match or (kernel and match.group("kernel") != kernel):
        return "other"
    return match.group("top") if match.group("top") in ("updates", "extra", "kernel") else "other"


def verify_running_module(name: str, loaded: dict | None, modinfo: dict | None, kernel: str, want_version=None) -> dict:
    """Whether the running module ``name`` is the DKMS build: modinfo -n under updates/, srcversion equal.

    ``loaded``: ``{"srcversion", "version"}`` read from /sys/module/NAME (None when not loaded);
    ``modinfo``: parse_modinfo() of ``modinfo -k KERNEL NAME``. Returns ``{"ok", "reason", ...}``.
    """
    modinfo = modinfo or {}
    location = module_location(modinfo.get("filename"), kernel)
    out = {"module": name, "filename": modinfo.get("filename"), "location": location, "loaded": loaded is not None}
    if location != "updates":
        where = modinfo.get("filename") or "missing"
        out.update(ok=False, reason=f"modinfo -n {name} is {where}, not under updates/: the DKMS build is not installed for {kernel}")
        return out
    if want_version and version_at_least(modinfo.get("version"), want_version) is False:
        out.update(ok=False, reason=f"the {name} under updates/ is version {modinfo.get('version')}, older than {want_version}")
        return out
    if loaded is None:
        out.update(ok=False, reason=f"{name} is not loaded")
        return out
    if loaded.get("srcversion") != modinfo.get("srcversion"):
        out.update(
            ok=False,
            reason=(
                f"the loaded {name} (srcversion {loaded.get('srcversion')}) is not the DKMS build (srcversion {modinfo.get('srcversion')}): reload or reboot"
            ),
        )
        return out
    out.update(ok=True, reason=f"{name} runs from {modinfo.get('filename')} (srcversion {modinfo.get('srcversion')})")
    return out


def kernel_report(kernels: list, rows: list, dkms_name: str, dkms_version: str, running: str) -> dict:
    """DKMS coverage of every installed kernel.

    ``kernels``: ``[{"release", "headers": bool, "initrd": path or None}]``. Returns
    ``{"kernels": [{release, running, headers, dkms_state, initrd}], "running_ok": bool, "warnings": [...],
    "missing_headers": [...]}``: a kernel without headers (or without an installed build) boots the in-tree driver.
    """
    out = []
    warnings = []
    missing = []
    running_ok = False
    for kernel in kernels:
        release = kernel["release"]
        state = dkms_state(rows, dkms_name, dkms_version, release)
        entry = {"release": release, "running": release == running, "headers": bool(kernel.get("headers")), "dkms_state": state, "initrd": kernel.get("initrd")}
        out.append(entry)
        if entry["running"] and state == "installed":
            running_ok = True
        if not entry["headers"]:
            missing.append(release)
            warnings.append(
                f"kernel {release}{' (running)' if entry['running'] else ''} has no headers (/lib/modules/{release}/build): DKMS cannot build "
                f"{dkms_name} {dkms_version} for it, so it uses the in-tree driver"
            )
        elif state != "installed":
            warnings.append(f"kernel {release} has headers but {dkms_name} {dkms_version} is {state or 'not built'} for it")
    return {"kernels": out, "running_ok": running_ok, "warnings": warnings, "missing_headers": missing}
