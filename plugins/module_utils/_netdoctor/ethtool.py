# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""Offload features and driver information through the SIOCETHTOOL ioctl, and parsers for ``ethtool -k/-i`` text.

``collect()`` opens one AF_INET datagram socket and asks the kernel directly (no process per
interface): ETHTOOL_GDRVINFO, ETHTOOL_GSSET_INFO/ETHTOOL_GSTRINGS for the netdev feature names
(global, fetched once) and ETHTOOL_GFEATURES. The feature bits are turned into the names and
the on/off/[fixed]/[requested] states that ``ethtool -k`` prints, following ethtool's own
``off_flag_def`` table and ``dump_features()`` (ethtool common.c and netlink/features.c):

* a kernel feature that matches exactly one legacy flag pattern is shown under the flag's long
  name (``rx-checksum`` -> ``rx-checksumming``, ``rx-gro`` -> ``generic-receive-offload``);
* a flag matching several features (``tx-checksum-*``) is an aggregate: on when any of them is
  on, and every matching feature is listed under its own name as well;
* everything else is shown under the kernel's name;
* ``[fixed]``: the feature is not in the device's changeable (hw) mask or is in never_changed;
  ``[requested on|off]``: the wanted value differs from the active one.

The dict per feature is ``{"enabled", "fixed", "requested"}``. ``requested`` is the value asked
for: the wanted bit for a changeable feature, the active value for a fixed one (nothing can be
asked of it, and that is all the text shows). An aggregate is ``fixed`` when all its members are
and ``requested`` when any member is. The text parser applies the same rules to the indented
member lines, so the ioctl result and the parsed ``ethtool -k`` text are equal.
"""

from __future__ import annotations

import array
import errno
import fcntl
import os
import re
import socket
import struct

SIOCETHTOOL = 0x8946
ETHTOOL_GDRVINFO = 0x00000003
ETHTOOL_GSTRINGS = 0x0000001B
ETHTOOL_GSSET_INFO = 0x00000037
ETHTOOL_GFEATURES = 0x0000003A
ETH_SS_FEATURES = 4
ETH_GSTRING_LEN = 32
IFNAMSIZ = 16
IFREQ_SIZE = 40  # struct ifreq on 64-bit Linux: 16 bytes name + 24 bytes union

# struct ethtool_drvinfo: cmd, driver[32], version[32], fw_version[32], bus_info[32],
# erom_version[32], reserved2[12], n_priv_flags, n_stats, testinfo_len, eedump_len, regdump_len
_DRVINFO = struct.Struct("=I32s32s32s32s32s12sIIIII")

# ethtool's off_flag_def: (long name printed by `ethtool -k`, kernel feature name pattern).
# Patterns hold at most one "*", matched like ethtool's flag_pattern_match().
OFF_FLAG_DEF = (
    ("rx-checksumming", "rx-checksum"),
    ("tx-checksumming", "tx-checksum-*"),
    ("scatter-gather", "tx-scatter-gather*"),
    ("tcp-segmentation-offload", "tx-tcp*-segmentation"),
    ("udp-fragmentation-offload", "tx-udp-fragmentation"),
    ("generic-segmentation-offload", "tx-generic-segmentation"),
    ("generic-receive-offload", "rx-gro"),
    ("large-receive-offload", "rx-lro"),
    ("rx-vlan-offload", "rx-vlan-hw-parse"),
    ("tx-vlan-offload", "tx-vlan-hw-insert"),
    ("ntuple-filters", "rx-ntuple-filter"),
    ("receive-hashing", "rx-hashing"),
)

# `ethtool -k` lines, e.g. "tx-checksumming: on", "\ttx-checksum-ipv4: off [fixed]",
# "        tx-checksum-ipv6: on" (spaces in copies), "large-receive-offload: off [requested on]"
_FEATURE_LINE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<name>[A-Za-z0-9_.-]+): (?P<state>on|off)(?: \[(?P<flag>fixed|requested on|requested off)\])?\s*$")
# `ethtool -i` lines, e.g. "driver: r8152", "firmware-version: rtl8156a-2 v2 04/27/23", "version: " (empty)
_INFO_LINE_RE = re.compile(r"^(?P<key>[a-z][a-z-]*):[ \t]?(?P<value>.*)$")


class EthtoolError(OSError):
    """An ioctl that failed for a reason other than 'not supported by this device'."""


def flag_pattern_match(name: str, pattern: str) -> bool:
    """ethtool's flag_pattern_match(): ``pattern`` may hold one ``*`` standing for any (possibly empty) infix."""
    if "*" not in pattern:
        return name == pattern
    head, _star, tail = pattern.partition("*")
    return len(name) + 1 >= len(pattern) and name.startswith(head) and name.endswith(tail)


def legacy_flag_index(name: str) -> int | None:
    """Index in OFF_FLAG_DEF of the first legacy flag whose pattern matches kernel feature ``name``."""
    for index, (_long, pattern) in enumerate(OFF_FLAG_DEF):
        if flag_pattern_match(name, pattern):
            return index
    return None


def features_from_bits(names, active, wanted, hw, nochange, labels=None) -> dict:
    """Build the ``ethtool -k`` view from the kernel's feature names and four bit sequences.

    ``names[i]`` is netdev feature i (``ETH_SS_FEATURES`` strings); ``active`` (dev->features),
    ``wanted`` (requested), ``hw`` (changeable, "available") and ``nochange`` (never_changed) are
    sequences of booleans (or 0/1) indexed the same way. Returns an ordered dict in ethtool's
    print order: ``{name: {"enabled", "fixed", "requested"}}``, limited to the names in
    ``labels`` when given (only those bits are decoded: 12 of ~60 on a 1,000-port node).
    """
    plan = _print_plan(tuple(names), None if labels is None else frozenset(labels))
    states: dict = {}

    def state(index):
        if index not in states:
            on = bool(active[index])
            fixed = not hw[index] or bool(nochange[index])
            states[index] = {"enabled": on, "fixed": fixed, "requested": on if fixed else bool(wanted[index])}
        return states[index]

    result: dict = {}
    for label, index, members in plan:
        result[label] = aggregate([state(i) for i in members]) if index is None else dict(state(index))
    return result


class BitColumn:
    """One column of ``struct ethtool_get_features_block`` words as a bit sequence: ``column[i]`` is 0 or 1."""

    __slots__ = ("value",)

    def __init__(self, words):
        self.value = sum(int(word) << (32 * position) for position, word in enumerate(words))

    def __getitem__(self, index: int) -> int:
        return self.value >> index & 1


_PLANS: dict = {}


def _print_plan(names: tuple, labels: frozenset | None = None) -> list:
    """dump_features() order for a feature-name table, cached (the table is the same for every device).

    A list of ``(label, index, members)``: ``index`` is the feature shown under ``label``, or None
    for an aggregate legacy flag computed from the features in ``members``. Legacy flags and their members come first,
    then the features that match no legacy flag; unnamed features are skipped. With ``labels``,
    only the steps shown under those names.
    """
    plan = _PLANS.get((names, labels))
    if plan is not None:
        return plan
    if labels is not None:
        plan = [step for step in _print_plan(names) if step[0] in labels]
        _PLANS[(names, labels)] = plan
        return plan
    flag_of = [legacy_flag_index(name) if name else None for name in names]
    plan = []
    for flag, (long_name, _pattern) in enumerate(OFF_FLAG_DEF):
        members = [index for index, name in enumerate(names) if name and flag_of[index] == flag]
        if len(members) == 1:
            plan.append((long_name, members[0], ()))
        elif members:
            plan.append((long_name, None, tuple(members)))
            plan.extend((names[index], index, ()) for index in members)
    plan.extend((name, index, ()) for index, name in enumerate(names) if name and flag_of[index] is None)
    _PLANS[(names, None)] = plan
    return plan


def aggregate(members) -> dict:
    """The state of a legacy flag shared by several features: on if any is, fixed if all are, requested if any is."""
    members = list(members)
    return {
        "enabled": any(m["enabled"] for m in members),
        "fixed": bool(members) and all(m["fixed"] for m in members),
        "requested": any(m["requested"] for m in members),
    }


def parse_ethtool_k(text: str) -> dict:
    """Parse ``ethtool -k DEV`` output into ``{name: {"enabled", "fixed", "requested"}}``.

    Indented lines are members of the aggregate line above them (tx-checksumming,
    scatter-gather, tcp-segmentation-offload); the aggregate's ``fixed``/``requested`` are derived
    from its members with the rules of :func:`aggregate` (its ``enabled`` is the printed value).
    Lines that are not feature lines (``Features for X:``, shell prompts) are ignored.
    """
    result: dict = {}
    parent = None
    children: dict = {}
    for line in text.splitlines():
        match = _FEATURE_LINE_RE.match(line)
        if not match:
            continue
        name, on, flag = match.group("name"), match.group("state") == "on", match.group("flag")
        fixed = flag == "fixed"
        if flag == "requested on":
            requested = True
        elif flag == "requested off":
            requested = False
        else:
            requested = on
        state = {"enabled": on, "fixed": fixed, "requested": requested}
        if match.group("indent") and parent is not None:
            children.setdefault(parent, []).append(state)
        else:
            parent = name
        result[name] = state
    for name, members in children.items():
        derived = aggregate(members)
        result[name]["fixed"] = derived["fixed"]
        result[name]["requested"] = derived["requested"]
    return result


def parse_ethtool_i(text: str) -> dict:
    """Parse ``ethtool -i DEV`` output into ``{"driver", "version", "firmware_version", "bus_info"}``.

    Values are stripped; an empty value becomes ``""`` (the kernel's empty string), a missing
    key ``None``. Other keys (``supports-*``, ``expansion-rom-version``) are returned too, with
    dashes turned into underscores.
    """
    info: dict = {"driver": None, "version": None, "firmware_version": None, "bus_info": None}
    for line in text.splitlines():
        match = _INFO_LINE_RE.match(line)
        if not match:
            continue
        key = match.group("key").replace("-", "_")
        info[key] = match.group("value").strip()
    return info


def _cstr(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


class _Ioctl:
    """One AF_INET datagram socket for SIOCETHTOOL requests on interfaces of the caller's netns."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def close(self):
        self.sock.close()

    def call(self, name: str, buf: array.array) -> None:
        """Point an ifreq for ``name`` at ``buf`` (which starts with the command word) and run the ioctl."""
        raw = name.encode("utf-8", "surrogateescape")
        if not raw or len(raw) >= IFNAMSIZ:
            raise OSError(errno.ENODEV, f"invalid interface name {name!r}")
        address, _length = buf.buffer_info()
        ifreq = struct.pack("16sP", raw, address)
        ifreq += b"\0" * (IFREQ_SIZE - len(ifreq))
        fcntl.ioctl(self.sock.fileno(), SIOCETHTOOL, ifreq)

    def drvinfo(self, name: str) -> dict:
        buf = array.array("B", _DRVINFO.pack(ETHTOOL_GDRVINFO, b"", b"", b"", b"", b"", b"", 0, 0, 0, 0, 0))
        self.call(name, buf)
        fields = _DRVINFO.unpack(buf.tobytes())
        return {
            "driver": _cstr(fields[1]),
            "version": _cstr(fields[2]),
            "firmware_version": _cstr(fields[3]),
            "bus_info": _cstr(fields[4]),
        }

    def feature_count(self, name: str) -> int:
        # struct ethtool_sset_info: cmd, reserved, u64 sset_mask, u32 data[]
        buf = array.array("B", struct.pack("=IIQI", ETHTOOL_GSSET_INFO, 0, 1 << ETH_SS_FEATURES, 0))
        self.call(name, buf)
        _cmd, _reserved, mask, count = struct.unpack("=IIQI", buf.tobytes())
        if not mask & (1 << ETH_SS_FEATURES):
            raise OSError(errno.EOPNOTSUPP, "kernel reports no netdev feature strings")
        return count

    def feature_names(self, name: str, count: int) -> list:
        # struct ethtool_gstrings: cmd, string_set, len, u8 data[len * ETH_GSTRING_LEN]
        header = struct.pack("=III", ETHTOOL_GSTRINGS, ETH_SS_FEATURES, count)
        buf = array.array("B", header + b"\0" * (count * ETH_GSTRING_LEN))
        self.call(name, buf)
        data = buf.tobytes()[len(header) :]
        return [_cstr(data[i * ETH_GSTRING_LEN : (i + 1) * ETH_GSTRING_LEN]) for i in range(count)]

    def features(self, name: str, count: int):
        # struct ethtool_gfeatures: cmd, size, then size x {available, requested, active, never_changed}
        words = (count + 31) // 32
        buf = array.array("B", struct.pack("=II", ETHTOOL_GFEATURES, words) + b"\0" * (16 * words))
        self.call(name, buf)
        data = buf.tobytes()
        size = min(struct.unpack_from("=I", data, 4)[0], words)
        blocks = [struct.unpack_from("=IIII", data, 8 + 16 * i) for i in range(size)]
        blocks += [(0, 0, 0, 0)] * (words - size)

        def bits(column):
            return BitColumn(block[column] for block in blocks)

        return bits(2), bits(1), bits(0), bits(3)  # active, wanted, hw (available), nochange


def _message(exc: OSError) -> str:
    return os.strerror(exc.errno) if exc.errno else str(exc)


def collect(names, features=None) -> dict:
    """Offloads and driver info of each interface in ``names`` (caller's network namespace).

    ``features`` limits the offloads to those ethtool -k names (None: every feature).
    Returns ``{name: {"offloads": {...}, "drvinfo": {...} | None, "error": str | None}}``.
    ``drvinfo`` is None when the device has no driver information (e.g. ``lo``: EOPNOTSUPP);
    ``error`` is set when the device is gone or its features could not be read, never raised.
    """
    result: dict = {}
    names = list(names)
    if not names:
        return result
    labels = None if features is None else frozenset(features)
    ioc = _Ioctl()
    try:
        feature_names = None
        for name in names:
            entry: dict = {"offloads": {}, "drvinfo": None, "error": None}
            result[name] = entry
            try:
                entry["drvinfo"] = ioc.drvinfo(name)
            except OSError as exc:
                if exc.errno not in (errno.EOPNOTSUPP, errno.ENOTSUP):
                    entry["error"] = f"ETHTOOL_GDRVINFO: {_message(exc)}"
                    if exc.errno == errno.ENODEV:
                        continue
            try:
                if feature_names is None:
                    feature_names = ioc.feature_names(name, ioc.feature_count(name))
                active, wanted, hw, nochange = ioc.features(name, len(feature_names))
                entry["offloads"] = features_from_bits(feature_names, active, wanted, hw, nochange, labels)
            except OSError as exc:
                entry["error"] = f"ETHTOOL_GFEATURES: {_message(exc)}"
    finally:
        ioc.close()
    return result
