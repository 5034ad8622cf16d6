# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The audit filters and the report renderers (Markdown table, JUnit XML)."""

from __future__ import annotations

import os
import sys
import xml.etree.ElementTree as ET

import pytest
from ansible.errors import AnsibleFilterError
from ansible.plugins.filter.core import to_nice_json

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "plugin_utils"))

from factsbuilder import addr, host, iface, neutron  # noqa: E402

from ansible_collections.netdoctor.openstack.plugins.filter import audit  # noqa: E402
from ansible_collections.netdoctor.openstack.plugins.plugin_utils import _judge  # noqa: E402

FILTERS = audit.FilterModule().filters()


def sample_report():
    bad = host(
        [iface("eth1", mtu=1500, addresses=[addr("10.0.0.5", 24)]), iface("br0", "bridge", 1400, bridge_ports=["v1", "v2"])]
        + [iface("v1", "veth", 1500, master="br0", master_kind="bridge"), iface("v2", "veth", 1400, master="br0", master_kind="bridge")],
        neutron=neutron(global_physnet_mtu=9000, local_ip="10.0.0.5", tunnel_types=["vxlan"]),
    )
    good = host(
        [iface("eth1", mtu=9000, addresses=[addr("10.0.0.6", 24)])],
        neutron=neutron(global_physnet_mtu=9000, local_ip="10.0.0.6", tunnel_types=["vxlan"]),
    )
    inputs = {
        "node1": {"status": "ok", "facts": bad, "pmtu_results": []},
        "node2": {"status": "ok", "facts": good},
        "node3": {"status": "unreachable", "message": "No route to host | ssh"},
    }
    return FILTERS["audit_report"](inputs, "0.1.0", "2026-01-01T00:00:00Z")


def test_filters_exported():
    assert set(FILTERS) == {
        "audit_host_findings",
        "audit_cluster_findings",
        "audit_report",
        "audit_network_findings",
        "audit_markdown",
        "audit_junit",
        "audit_html",
        "audit_failing_findings",
        "audit_report_files",
    }


def test_report_defaults_version_and_time():
    report = FILTERS["audit_report"]({})
    assert report["collection_version"] == audit.installed_version()
    assert report["collection_version"]  # galaxy.yml of this source tree
    assert report["generated"].endswith("Z")
    assert report["summary"] == {"error": 0, "warning": 0, "info": 0}


def test_installed_version_prefers_manifest(tmp_path):
    (tmp_path / "MANIFEST.json").write_text('{"collection_info": {"version": "9.8.7"}}')
    assert audit.installed_version(str(tmp_path)) == "9.8.7"
    assert audit.installed_version(str(tmp_path / "missing")) is None


def test_judge_errors_become_filter_errors():
    with pytest.raises(AnsibleFilterError, match="fail_on"):
        FILTERS["audit_failing_findings"]({}, "sometimes")
    with pytest.raises(AnsibleFilterError):
        FILTERS["audit_host_findings"]("facts", "n")


def test_markdown_table():
    report = sample_report()
    text = FILTERS["audit_markdown"](report)
    lines = text.splitlines()
    header = lines.index("| Host | Severity | Code | Interface | What is wrong | How to fix |")
    assert lines[header + 1] == "|---|---|---|---|---|---|"
    rows = [line for line in lines[header + 2 :] if line.startswith("| ")]
    assert len(rows) == sum(report["summary"].values()) == 3
    cells = [[c.strip() for c in row.strip("|").split(" | ")] for row in rows]
    assert [(c[0], c[1], c[2], c[3]) for c in cells] == [
        ("node1", "error", "NEUTRON_MTU_EXCEEDS_UNDERLAY", "eth1"),
        ("node1", "warning", "MTU_BRIDGE_PORT_MISMATCH", "br0"),
        ("node3", "error", "HOST_UNREACHABLE", "-"),
    ]
    assert all(len(c) == 6 for c in cells)
    assert "`netdoctor.openstack.physnet_mtu`" in cells[0][5]
    assert "No route to host \\| ssh" in rows[2]  # pipes escaped inside cells


def test_markdown_without_findings():
    text = FILTERS["audit_markdown"](FILTERS["audit_report"]({"n": {"status": "ok", "facts": host([iface("eth0")])}}, "0.1.0", "t"))
    assert "No findings" in text
    assert "| Host |" not in text


def test_junit_parses_one_testcase_per_check_and_host():
    report = sample_report()
    root = ET.fromstring(FILTERS["audit_junit"](report))
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"node1", "node2", "node3", "cluster"}
    node1 = {c.get("name"): c for c in suites["node1"].findall("testcase")}
    assert len(node1) == len(_judge.HOST_CODES)
    assert node1["NEUTRON_MTU_EXCEEDS_UNDERLAY"].find("failure").get("type") == "error"
    assert node1["MTU_BRIDGE_PORT_MISMATCH"].find("failure").get("type") == "warning"
    assert node1["MTU_TUNNEL_UNDERLAY"].find("failure") is None
    assert node1["PMTU_BLACKHOLE"].find("skipped") is None  # node1 was probed
    node2 = {c.get("name"): c for c in suites["node2"].findall("testcase")}
    assert node2["PMTU_BLACKHOLE"].find("skipped") is not None  # node2 was not
    assert all(c.find("failure") is None for c in node2.values())
    node3 = suites["node3"].findall("testcase")
    assert [c.get("name") for c in node3] == ["audited"]
    assert node3[0].find("failure") is not None
    assert int(root.get("failures")) == 3
    assert int(root.get("tests")) == 2 * len(_judge.HOST_CODES) + 1 + len(_judge.CLUSTER_CODES)
    assert int(suites["node2"].get("skipped")) == 3


def test_report_files_are_what_the_single_filters_write():
    report = sample_report()
    files = FILTERS["audit_report_files"](report)
    assert sorted(files) == ["report.html", "report.json", "report.md", "report.xml"]
    # report.json byte for byte as ansible's to_nice_json(indent=2) writes it, with a final newline
    assert files["report.json"] == to_nice_json(report, indent=2) + "\n"
    assert files["report.md"] == FILTERS["audit_markdown"](report)
    assert files["report.xml"] == FILTERS["audit_junit"](report)
    assert files["report.html"] == FILTERS["audit_html"](report)
    assert "MTU_BRIDGE_PORT_MISMATCH" in files["report.md"]
