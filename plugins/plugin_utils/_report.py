# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""Render an audit report (see _judge.build_report) as Markdown for people and JUnit XML for CI systems."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from ansible_collections.netdoctor.openstack.plugins.plugin_utils._judge import (
    CLUSTER_CODES,
    HOST_CODES,
    PMTU_CODES,
    SEVERITIES,
    remediation_hint,
)


def _cell(value) -> str:
    """A Markdown table cell: pipes escaped, newlines folded, empty shown as a dash."""
    if value is None or value == "":
        return "-"
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _fix(item: dict) -> str:
    role = item.get("remediation")
    hint = remediation_hint(item.get("code", ""))
    return f"`{role}`: {hint}" if role else hint


def markdown(report: dict) -> str:
    """The report as Markdown: a summary line and one table row per finding (host, severity, code, interface, what, fix)."""
    report = report or {}
    summary = report.get("summary") or {}
    hosts = report.get("hosts") or {}
    lines = [
        "# netdoctor audit",
        "",
        f"Generated {report.get('generated') or '-'} by netdoctor.openstack {report.get('collection_version') or '-'}. "
        f"Hosts: {len(hosts)} ({sum(1 for h in hosts.values() if h.get('audited', True))} audited). "
        + "Findings: "
        + ", ".join(f"{summary.get(s, 0)} {s}" for s in SEVERITIES)
        + ".",
        "",
    ]
    rows = [f for name in sorted(hosts) for f in hosts[name].get("findings") or []] + list(report.get("cluster_findings") or [])
    if not rows:
        lines.append("No findings: every check passed on every audited host.")
        return "\n".join(lines) + "\n"
    lines.append("| Host | Severity | Code | Interface | What is wrong | How to fix |")
    lines.append("|---|---|---|---|---|---|")
    for item in rows:
        host = item.get("host") or "(cluster)"
        lines.append(
            "| " + " | ".join(_cell(v) for v in (host, item.get("severity"), item.get("code"), item.get("interface"), item.get("message"), _fix(item))) + " |"
        )
    return "\n".join(lines) + "\n"


def _failure_text(items: list) -> str:
    return "\n".join(
        f"[{f.get('severity')}] {f.get('interface') or '-'}: {f.get('message')}\n  evidence: {json.dumps(f.get('evidence'), sort_keys=True)}\n  fix: {_fix(f)}"
        for f in items
    )


def _testcase(suite, classname: str, name: str, items: list, skipped: str | None = None) -> dict:
    case = ET.SubElement(suite, "testcase", {"classname": classname, "name": name, "time": "0"})
    counts = {"tests": 1, "failures": 0, "skipped": 0}
    if skipped:
        ET.SubElement(case, "skipped", {"message": skipped})
        counts["skipped"] = 1
        return counts
    failing = [f for f in items if f.get("severity") in ("error", "warning")]
    if failing:
        worst = "error" if any(f["severity"] == "error" for f in failing) else "warning"
        failure = ET.SubElement(case, "failure", {"message": f"{len(failing)} finding(s): {failing[0].get('message')}", "type": worst})
        failure.text = _failure_text(failing)
        counts["failures"] = 1
    info = [f for f in items if f.get("severity") == "info"]
    if info:
        ET.SubElement(case, "system-out").text = _failure_text(info)
    return counts


def junit(report: dict) -> str:
    """The report as JUnit XML: one testsuite per host (plus "cluster"), one testcase per check.

    A check fails when it has an error or warning finding; info findings go to system-out. Hosts that were not
    audited get one failing testcase ``audited``; PMTU checks are skipped on hosts without probe results.
    """
    report = report or {}
    root = ET.Element("testsuites", {"name": "netdoctor audit"})
    totals = {"tests": 0, "failures": 0, "skipped": 0}

    def add(suite, counts):
        for key in totals:
            totals[key] += counts[key]
            suite.set(key, str(int(suite.get(key, "0")) + counts[key]))

    hosts = report.get("hosts") or {}
    for name in sorted(hosts):
        entry = hosts[name]
        suite = ET.SubElement(root, "testsuite", {"name": name, "tests": "0", "failures": "0", "errors": "0", "skipped": "0"})
        findings = entry.get("findings") or []
        if not entry.get("audited", True):
            add(suite, _testcase(suite, f"netdoctor.{name}", "audited", findings))
            continue
        pmtu_seen = entry.get("pmtu_probed", any(f.get("code") in PMTU_CODES for f in findings))
        for code in HOST_CODES:
            skipped = "no pmtu_probe results for this host" if code in PMTU_CODES and not pmtu_seen else None
            add(suite, _testcase(suite, f"netdoctor.{name}", code, [f for f in findings if f.get("code") == code], skipped))
    suite = ET.SubElement(root, "testsuite", {"name": "cluster", "tests": "0", "failures": "0", "errors": "0", "skipped": "0"})
    cluster = report.get("cluster_findings") or []
    for code in CLUSTER_CODES:
        add(suite, _testcase(suite, "netdoctor.cluster", code, [f for f in cluster if f.get("code") == code]))
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    if hasattr(ET, "indent"):  # Python 3.9+
        ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
