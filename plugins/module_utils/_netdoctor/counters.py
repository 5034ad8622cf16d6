# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""Host-wide counters: /proc/net/snmp and "dropped over-mtu packet" lines in the kernel log.

The parsers are pure; :func:`collect_host` does the I/O through the ``run`` callable it is
given (``run(argv) -> (rc, stdout, stderr)``; a tool that is missing is reported by a non-zero
rc, conventionally 127, or by raising OSError) and reads files below ``proc_root``.
"""

from __future__ import annotations

import os
import re

# The kernel's over-MTU drop warnings, as journal (-o cat), dmesg and syslog print them:
#   "openvswitch: tap0e778df8-ca: dropped over-mtu packet: 8950 > 1450"   (net/openvswitch/vport.c)
#   "May  6 10:49:21 compute4 kernel: [13502680.515977] tap0e778df8-ca: dropped over-mtu packet: 8950 > 1450"
#   "kernel: net2: dropped over-mtu packet: 1528 > 1500"
_OVER_MTU_RE = re.compile(r"(?:^|\s)(?P<ifname>[^\s/]+): dropped over-mtu packet: (?P<size>\d+) > (?P<mtu>\d+)")

KERN_LOG_PATHS = ("/var/log/kern.log",)
BYTES_PER_LINE = 256  # budget per kernel log line when reading the tail of a file
MAX_TAIL_BYTES = 8 * 1024 * 1024


def parse_snmp(text: str) -> dict:
    """Parse /proc/net/snmp into ``{section: {counter: int}}`` with lower-cased section names.

    The file holds pairs of lines with the same prefix, names then values:
    ``Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti``
    ``Udp: 319248 35 0 615694 0 0 0 278``
    """
    result: dict = {}
    pending: dict = {}
    for line in text.splitlines():
        prefix, sep, rest = line.partition(":")
        if not sep or not prefix:
            continue
        fields = rest.split()
        if prefix not in pending:
            pending[prefix] = fields
            continue
        names = pending.pop(prefix)
        values = {}
        for name, value in zip(names, fields):
            try:
                values[name] = int(value)
            except ValueError:
                values[name] = None
        result[prefix.lower()] = values
    return result


def over_mtu_lines(lines):
    """Yield ``(line, ifname, size, mtu)`` for each "IF: dropped over-mtu packet: SIZE > MTU" kernel line."""
    for line in lines:
        if "over-mtu" not in line:
            continue
        match = _OVER_MTU_RE.search(line)
        if match:
            yield line, match.group("ifname"), int(match.group("size")), int(match.group("mtu"))


def parse_over_mtu_drops(lines) -> dict:
    """Count "dropped over-mtu packet: SIZE > MTU" lines per interface.

    Returns ``{ifname: {"count", "last_size", "last_mtu"}}``, the last values from the latest line.
    """
    drops: dict = {}
    for _line, ifname, size, mtu in over_mtu_lines(lines):
        entry = drops.setdefault(ifname, {"count": 0, "last_size": None, "last_mtu": None})
        entry["count"] += 1
        entry["last_size"] = size
        entry["last_mtu"] = mtu
    return drops


def _log_lines(text: str) -> list:
    # journalctl prints "-- No entries --" (and "-- Boot ... --" separators in some output modes)
    return [line for line in text.splitlines() if line and not (line.startswith("-- ") and line.endswith(" --"))]


def read_tail(path: str, max_lines: int) -> list:
    """The last ``max_lines`` lines of ``path``, reading at most a bounded chunk from its end."""
    budget = min(MAX_TAIL_BYTES, max(4096, max_lines * BYTES_PER_LINE))
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        start = max(0, size - budget)
        handle.seek(start)
        data = handle.read(budget)
    lines = data.decode("utf-8", "replace").splitlines()
    if start > 0 and lines:
        lines = lines[1:]  # the first line is probably cut
    return [line for line in lines if line][-max_lines:] if max_lines > 0 else []


def _try_run(run, argv):
    try:
        rc, out, _err = run(argv)
    except (OSError, ValueError):
        return None
    if rc != 0:
        return None
    return out or ""


def read_kernel_log(run, max_lines: int = 20000, kern_log_paths=KERN_LOG_PATHS):
    """Return ``(source, lines)``: the journal, else dmesg, else the tail of a kern.log file.

    A source that is missing, fails or holds no lines is skipped; ``(None, [])`` when none answers.
    """
    out = _try_run(run, ["journalctl", "-k", "-o", "cat", "-n", str(int(max_lines)), "--no-pager"])
    if out is not None:
        lines = _log_lines(out)
        if lines:
            return "journal", lines[-max_lines:]
    out = _try_run(run, ["dmesg"])
    if out is not None:
        lines = _log_lines(out)
        if lines:
            return "dmesg", lines[-max_lines:]
    for path in kern_log_paths:
        try:
            lines = read_tail(path, max_lines)
        except OSError:
            continue
        return path, lines
    return None, []


def collect_host(run, proc_root: str = "/proc", max_log_lines: int = 20000, kern_log_paths=KERN_LOG_PATHS) -> dict:
    """The host-wide ``counters`` facts: ``{"snmp": {...}, "kernel_log": {"source", "lines_read", "over_mtu_drops"}}``.

    An unreadable /proc/net/snmp gives ``snmp: {}``; no kernel log source gives ``source: None``.
    """
    try:
        with open(os.path.join(proc_root, "net", "snmp"), encoding="ascii", errors="replace") as handle:
            snmp = parse_snmp(handle.read())
    except OSError:
        snmp = {}
    source, lines = read_kernel_log(run, max_log_lines, kern_log_paths)
    return {
        "snmp": snmp,
        "kernel_log": {"source": source, "lines_read": len(lines), "over_mtu_drops": parse_over_mtu_drops(lines)},
    }
