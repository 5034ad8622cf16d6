# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""Kernel-log evidence with time: over-MTU drops in a window, USB NIC symptoms.

Pure functions, no I/O. A sosreport is judged long after it was taken, so the window is anchored
on the report's own clock (``sos_commands/date/date``), never the controller's. Lines carry one of
three stamps:

* syslog (kern.log, ``journalctl`` short): ``Feb  6 16:38:25 CQ2WL13 kernel: [   87.973825] ...``
  (no year: the year is the anchor's, or the one before when the month lies after the anchor's);
* ISO 8601 (rsyslog's RFC 3339 format, ``journalctl -o short-iso``): ``2022-02-10T16:19:13.123+00:00 host kernel: ...``;
* dmesg's seconds since boot: ``[2065279.445813] o-hm0: ...``, dated when the uptime at the anchor is known.
"""

from __future__ import annotations

import datetime
import re

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.counters import over_mtu_lines

DEFAULT_WINDOW_HOURS = 168

_MONTHS = {name: index for index, name in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
# "Feb  6 16:38:25 CQ2WL13 kernel: ..." / "Feb  09 17:24:13 compute4 kernel: ..."
_SYSLOG_RE = re.compile(r"^(?P<mon>[A-Z][a-z]{2})\s+(?P<day>\d{1,2})\s+(?P<h>\d\d):(?P<m>\d\d):(?P<s>\d\d)\s")
# "2022-02-10T16:19:13.123456+00:00 compute4 kernel: ..."
_ISO_RE = re.compile(r"^(?P<date>\d{4}-\d\d-\d\d)[T ](?P<time>\d\d:\d\d:\d\d)")
# "[2065279.445813] o-hm0: dropped over-mtu packet: 1658 > 1500" (also after a syslog prefix)
_MONO_RE = re.compile(r"^\[\s*(?P<sec>\d+)\.(?P<frac>\d+)\]")
# `date` output: "Thu Feb 10 16:19:17 UTC 2022"
_DATE_RE = re.compile(r"^\w{3}\s+(?P<mon>[A-Z][a-z]{2})\s+(?P<day>\d{1,2})\s+(?P<time>\d\d:\d\d:\d\d)\s+(?:(?P<zone>\S+)\s+)?(?P<year>\d{4})\s*$")
# `uptime` output: " 16:19:19 up 6 days, 22:45,  1 user, ..." / "up 3 min," / "up 1 day,  5 min,"
_UPTIME_RE = re.compile(r"\bup\s+(?:(?P<days>\d+)\s+days?,\s*)?(?:(?P<hm>\d+:\d\d)|(?P<min>\d+)\s+min)")

# USB network drivers whose kernel messages name "DRIVER BUSPATH:CFG.IF IFNAME: ..."
USB_NET_DRIVERS = ("r8152", "ax88179_178a", "cdc_ncm", "cdc_ether", "asix", "smsc95xx", "smsc75xx", "lan78xx", "aqc111", "rtl8150", "cdc_mbim")
# "r8152 4-1.4:1.0 enx3448eda91d0a: Tx status -71" / "ax88179_178a 2-1.1:2.0 eth0: Failed to write reg index 0x000e: -32"
_USB_NET_RE = re.compile(r"\b(?P<driver>" + "|".join(USB_NET_DRIVERS) + r") (?P<path>\d+-[\d.]+):(?P<cfg>\d+)\.\d+(?: (?P<ifname>[^\s:]+))?: (?P<text>.*)$")
# "usb 4-1.4: USB disconnect, device number 4"
_USB_DISCONNECT_RE = re.compile(r"\busb (?P<path>\d+-[\d.]+): USB disconnect, device number \d+")
# "usb 4-1.4: New USB device found, idVendor=0bda, idProduct=8153, bcdDevice=30.00"
_USB_FOUND_RE = re.compile(r"\busb (?P<path>\d+-[\d.]+): New USB device found, idVendor=(?P<vendor>[0-9a-fA-F]{4}), idProduct=(?P<product>[0-9a-fA-F]{4})")
# the driver messages that are symptoms (not probe chatter): kind, pattern
USB_SYMPTOMS = (
    ("tx_error", re.compile(r"^Tx status -\d+")),
    ("intr_error", re.compile(r"^Stop submitting intr, status -\d+")),
    ("register_io_error", re.compile(r"^(?:Failed to (?:read|write) reg index 0x[0-9a-f]+: -\d+|read type=0x[0-9a-f]+, index=0x[0-9a-f]+ fail -\d+)")),
)


def parse_date(text: str | None) -> datetime.datetime | None:
    """The anchor from ``date`` output (naive, the host's local time) or None."""
    for line in (text or "").splitlines():
        match = _DATE_RE.match(line.strip())
        if match and match.group("mon") in _MONTHS:
            hour, minute, second = (int(part) for part in match.group("time").split(":"))
            try:
                return datetime.datetime(int(match.group("year")), _MONTHS[match.group("mon")], int(match.group("day")), hour, minute, second)
            except ValueError:
                return None
    return None


def parse_uptime(text: str | None) -> int | None:
    """Seconds since boot from ``uptime`` output or ``/proc/uptime`` (``"600300.12 1180000.5"``), else None."""
    text = (text or "").strip()
    if not text:
        return None
    first = text.split()[0]
    if re.match(r"^\d+(?:\.\d+)?$", first):
        return int(float(first))
    match = _UPTIME_RE.search(text)
    if not match:
        return None
    seconds = int(match.group("days") or 0) * 86400
    if match.group("hm"):
        hours, minutes = match.group("hm").split(":")
        seconds += int(hours) * 3600 + int(minutes) * 60
    else:
        seconds += int(match.group("min")) * 60
    return seconds


def line_time(line: str, anchor: datetime.datetime | None, uptime: int | None = None) -> datetime.datetime | None:
    """When ``line`` was logged (naive local time), or None when it cannot be told."""
    match = _SYSLOG_RE.match(line)
    if match and match.group("mon") in _MONTHS and anchor is not None:
        month = _MONTHS[match.group("mon")]
        year = anchor.year if month <= anchor.month else anchor.year - 1
        try:
            return datetime.datetime(year, month, int(match.group("day")), int(match.group("h")), int(match.group("m")), int(match.group("s")))
        except ValueError:
            return None
    match = _ISO_RE.match(line)
    if match:
        try:
            return datetime.datetime.fromisoformat(f"{match.group('date')}T{match.group('time')}")
        except ValueError:
            return None
    match = _MONO_RE.match(line)
    if match and anchor is not None and uptime is not None:
        since_boot = int(match.group("sec"))
        if since_boot <= uptime:  # a ring buffer older than the uptime at the anchor is not this boot's
            return anchor - datetime.timedelta(seconds=uptime - since_boot)
    return None


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat(sep=" ") if moment is not None else None


def _in_window(moment, anchor, window_hours) -> bool:
    """Undatable lines count (they cannot be excluded); datable ones only within the window before the anchor."""
    if moment is None or anchor is None:
        return True
    start = anchor - datetime.timedelta(hours=window_hours)
    return start <= moment <= anchor + datetime.timedelta(minutes=5)


def over_mtu_drops_windowed(lines, anchor=None, uptime=None, window_hours: int = DEFAULT_WINDOW_HOURS) -> dict:
    """``{ifname: {count, total, undated, first_seen, last_seen, last_size, last_mtu}}`` of "dropped over-mtu packet" lines.

    ``count``: lines within ``window_hours`` before the anchor (plus those that carry no usable time);
    ``total``: every line found; ``first_seen``/``last_seen``: the earliest and latest dated lines
    counted ("YYYY-MM-DD HH:MM:SS", the host's local time), None when none is dated.
    """
    drops: dict = {}
    for line, ifname, size, mtu in over_mtu_lines(lines):
        entry = drops.setdefault(ifname, {"count": 0, "total": 0, "undated": 0, "first_seen": None, "last_seen": None, "last_size": None, "last_mtu": None})
        entry["total"] += 1
        moment = line_time(line, anchor, uptime)
        if not _in_window(moment, anchor, window_hours):
            continue
        entry["count"] += 1
        entry["last_size"] = size
        entry["last_mtu"] = mtu
        if moment is None:
            entry["undated"] += 1
            continue
        if entry["first_seen"] is None or _iso(moment) < entry["first_seen"]:
            entry["first_seen"] = _iso(moment)
        if entry["last_seen"] is None or _iso(moment) > entry["last_seen"]:
            entry["last_seen"] = _iso(moment)
    return drops


def usb_nic_symptoms(lines, anchor=None, uptime=None, window_hours: int = DEFAULT_WINDOW_HOURS) -> dict:
    """USB NIC trouble in the kernel log, per interface: ``{ifname: {driver, usb_path, count, kinds, first_seen, last_seen, sample}}``.

    Symptoms are the driver's transfer errors (r8152 ``Tx status -71``, ``Stop submitting intr``,
    register I/O failures of ax88179_178a and the vendor r8152) and ``USB disconnect`` of the device
    that carries the interface (the USB path is joined to the interface through the driver's own
    lines, ``r8152 4-1.4:1.0 enx3448eda91d0a: ...``). Only lines within the window count.
    """
    path_to_if: dict = {}
    events: list = []
    for line in lines:
        if "usb" not in line and not any(driver in line for driver in USB_NET_DRIVERS):
            continue
        match = _USB_NET_RE.search(line)
        if match:
            if match.group("ifname") and not match.group("ifname").startswith("("):
                path_to_if[match.group("path")] = (match.group("ifname"), match.group("driver"))
            for kind, pattern in USB_SYMPTOMS:
                if pattern.match(match.group("text")):
                    events.append((kind, match.group("path"), match.group("ifname"), match.group("driver"), line))
                    break
            continue
        match = _USB_DISCONNECT_RE.search(line)
        if match:
            events.append(("usb_disconnect", match.group("path"), None, None, line))
    result: dict = {}
    for kind, path, named, named_driver, line in events:
        known = path_to_if.get(path)
        ifname, driver = named, named_driver
        if ifname is None or ifname.startswith("("):
            if known is None:
                continue  # a disconnect of a device that is not a known NIC (a hub, a webcam)
            ifname, driver = known
        moment = line_time(line, anchor, uptime)
        if not _in_window(moment, anchor, window_hours):
            continue
        entry = result.setdefault(ifname, {"driver": driver, "usb_path": path, "count": 0, "kinds": {}, "first_seen": None, "last_seen": None, "sample": None})
        entry["count"] += 1
        entry["kinds"][kind] = entry["kinds"].get(kind, 0) + 1
        if kind != "usb_disconnect" or entry["sample"] is None:
            entry["sample"] = line.strip()[:300]
        if moment is not None:
            stamp = _iso(moment)
            entry["first_seen"] = stamp if entry["first_seen"] is None or stamp < entry["first_seen"] else entry["first_seen"]
            entry["last_seen"] = stamp if entry["last_seen"] is None or stamp > entry["last_seen"] else entry["last_seen"]
    return result


def usb_nic_devices(lines) -> dict:
    """{ifname: {usb_path, vendor_id, product_id, configuration, driver}} of USB NICs the kernel log enumerates.

    Joins "usb 4-1.4: New USB device found, idVendor=0bda, idProduct=8153" to the driver's own line for
    the same USB path ("r8152 4-1.4:1.0 enx3448eda91d0a: ..."): what sysfs would tell a live host.
    The latest enumeration wins.
    """
    ids: dict = {}
    result: dict = {}
    for line in lines:
        if "usb" not in line and not any(driver in line for driver in USB_NET_DRIVERS):
            continue
        found = _USB_FOUND_RE.search(line)
        if found:
            ids[found.group("path")] = (found.group("vendor").lower(), found.group("product").lower())
            continue
        match = _USB_NET_RE.search(line)
        if not match or not match.group("ifname") or match.group("ifname").startswith("("):
            continue
        vendor, product = ids.get(match.group("path"), (None, None))
        result[match.group("ifname")] = {
            "usb_path": match.group("path"),
            "vendor_id": vendor,
            "product_id": product,
            "configuration": int(match.group("cfg")),
            "driver": match.group("driver"),
        }
    return result
