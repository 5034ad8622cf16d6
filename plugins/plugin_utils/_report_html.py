# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""report.html: the audit report as one self-contained page (no scripts, no external files).

The findings table, then per probed network a host x host matrix of path MTUs (rows: the probing host,
columns: the probed one), each cell coloured by its deficit against the expected MTU. Cells carry
``data-*`` attributes (source, target, path-mtu, expected-mtu, deficit, state) so tools and tests can read
the matrix from the DOM.
"""

from __future__ import annotations

from html import escape

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.mtu import explain_deficit
from ansible_collections.netdoctor.openstack.plugins.plugin_utils._judge import SEVERITIES, all_findings, remediation_hint

# Cell states, best to worst; the colour legend follows this order.
CELL_STATES = {
    "ok": ("#c8ecc9", "carries the expected MTU"),
    "explained": ("#fde9a9", "short by an encapsulation's overhead"),
    "short": ("#f6b0a8", "short by a deficit no encapsulation explains"),
    "blackhole": ("#d9534f", "large probes vanish without ICMP frag-needed"),
    "unreachable": ("#d6d6d6", "the peer did not answer"),
}
_SEVERITY_COLOURS = {"error": "#d9534f", "warning": "#f0ad4e", "info": "#5bc0de"}

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}
table{border-collapse:collapse;margin:0.5em 0}
th,td{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f0f0}
td.sev{color:#fff;font-weight:bold}
table.matrix td{text-align:center;min-width:5em;font-variant-numeric:tabular-nums}
table.matrix td.self{background:#fafafa;color:#aaa}
table.matrix td.none{background:#fff;color:#aaa}
.legend span{display:inline-block;padding:2px 8px;margin-right:6px;border:1px solid #bbb}
small{color:#666}
"""


def cell_state(probe: dict) -> str:
    """How a probe result is coloured: ok, explained, short, blackhole or unreachable."""
    if probe.get("reachable") is False or (probe.get("path_mtu") is None and not probe.get("blackhole")):
        return "unreachable"
    if probe.get("blackhole"):
        return "blackhole"
    path, expected = probe.get("path_mtu"), probe.get("expected_mtu")
    if expected is None or path >= expected:
        return "ok"
    return "explained" if explain_deficit(expected - path) else "short"


def _deficit(probe: dict):
    path, expected = probe.get("path_mtu"), probe.get("expected_mtu")
    if path is None or expected is None:
        return None
    return max(expected - path, 0)


def matrices(report: dict) -> dict:
    """{network: {"hosts": [names], "cells": {(source, target): probe}}} from the report's probes.

    A pair probed more than once (one target per address family, say) keeps its worst result.
    """
    rank = list(CELL_STATES)
    out: dict = {}
    for probe in (report or {}).get("probes") or []:
        network = probe.get("network") or "(unnamed)"
        source, target = probe.get("source_host"), probe.get("target_host") or probe.get("target")
        if not source or not target:
            continue
        entry = out.setdefault(network, {"hosts": set(), "cells": {}})
        entry["hosts"].update((source, target))
        known = entry["cells"].get((source, target))
        if known is None or rank.index(cell_state(probe)) > rank.index(cell_state(known)):
            entry["cells"][(source, target)] = probe
    for entry in out.values():
        entry["hosts"] = sorted(entry["hosts"])
    return dict(sorted(out.items()))


def _matrix_html(network: str, entry: dict) -> list:
    hosts = entry["hosts"]
    lines = [
        f"<h2>Path MTU on {escape(network)}</h2>",
        f'<table class="matrix" data-network="{escape(network, quote=True)}">',
        "<tr><th>from \\ to</th>" + "".join(f"<th>{escape(h)}</th>" for h in hosts) + "</tr>",
    ]
    for source in hosts:
        row = [f"<th>{escape(source)}</th>"]
        for target in hosts:
            probe = entry["cells"].get((source, target))
            if source == target:
                row.append('<td class="self">&mdash;</td>')
                continue
            if probe is None:
                row.append('<td class="none" title="not probed">&middot;</td>')
                continue
            state = cell_state(probe)
            path, expected, deficit = probe.get("path_mtu"), probe.get("expected_mtu"), _deficit(probe)
            text = "&#8709;" if state == "unreachable" else escape(str(path if path is not None else "?"))
            if state == "blackhole":
                text += " &#9679;"
            title = f"{source} -> {target} ({probe.get('target')}): path MTU {path}, expected {expected}, deficit {deficit}: {CELL_STATES[state][1]}"
            attrs = {
                "class": f"cell {state}",
                "style": f"background:{CELL_STATES[state][0]}",
                "data-source": source,
                "data-target": target,
                "data-path-mtu": "" if path is None else str(path),
                "data-expected-mtu": "" if expected is None else str(expected),
                "data-deficit": "" if deficit is None else str(deficit),
                "data-state": state,
                "title": title,
            }
            row.append("<td " + " ".join(f'{k}="{escape(v, quote=True)}"' for k, v in attrs.items()) + f">{text}</td>")
        lines.append("<tr>" + "".join(row) + "</tr>")
    lines.append("</table>")
    return lines


def html(report: dict) -> str:
    """The whole page."""
    report = report or {}
    summary = report.get("summary") or {}
    hosts = report.get("hosts") or {}
    counts = ", ".join(f"{summary.get(s, 0)} {s}" for s in SEVERITIES)
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>netdoctor audit</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>netdoctor audit</h1>",
        f'<p id="summary">Generated {escape(str(report.get("generated") or "-"))} by netdoctor.openstack '
        f"{escape(str(report.get('collection_version') or '-'))}. Hosts: {len(hosts)}. Findings: {escape(counts)}.</p>",
        "<h2>Findings</h2>",
    ]
    findings = all_findings(report)
    if findings:
        lines.append('<table id="findings"><tr><th>Host</th><th>Severity</th><th>Code</th><th>Interface</th><th>What is wrong</th><th>How to fix</th></tr>')
        for item in findings:
            severity = item.get("severity") or "info"
            role = item.get("remediation")
            fix = (f"<code>{escape(role)}</code>: " if role else "") + escape(remediation_hint(item.get("code", "")))
            lines.append(
                f'<tr data-code="{escape(item.get("code") or "", quote=True)}" data-severity="{escape(severity, quote=True)}">'
                f"<td>{escape(item.get('host') or '(cluster)')}</td>"
                f'<td class="sev" style="background:{_SEVERITY_COLOURS.get(severity, "#777")}">{escape(severity)}</td>'
                f"<td><code>{escape(item.get('code') or '')}</code></td>"
                f"<td>{escape(item.get('interface') or '-')}</td>"
                f"<td>{escape(item.get('message') or '')}</td><td>{fix}</td></tr>"
            )
        lines.append("</table>")
    else:
        lines.append('<p id="findings">No findings: every check passed on every audited host.</p>')
    tables = matrices(report)
    if tables:
        lines.append('<p class="legend">' + "".join(f'<span style="background:{c}">{escape(state)}</span>' for state, (c, _meaning) in CELL_STATES.items()))
        lines.append("<small>rows probe columns; a cell is the path MTU found (&#9679; black hole, &#8709; no answer)</small></p>")
        for network, entry in tables.items():
            lines.extend(_matrix_html(network, entry))
    else:
        lines.append("<p><small>No path-MTU probes in this report (run netdoctor.openstack.verify for the matrix).</small></p>")
    lines.append("</body></html>")
    return "\n".join(lines) + "\n"
