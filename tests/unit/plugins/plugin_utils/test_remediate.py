# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""remediate.yml's plan: findings (made by the real judge from facts) to roles and variables, and the outcome."""

from __future__ import annotations

import copy
import os
import sys

import pytest
from ansible.errors import AnsibleFilterError

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from factsbuilder import addr, host, iface, neutron  # noqa: E402

from ansible_collections.netdoctor.openstack.plugins.filter import remediate as remediate_filters  # noqa: E402
from ansible_collections.netdoctor.openstack.plugins.plugin_utils import _judge, _remediate  # noqa: E402

FILTERS = remediate_filters.FilterModule().filters()


def vxlan(name, mtu, underlay="eth1", underlay_mtu=1500, vni=42):
    tunnel = {
        "type": "vxlan",
        "vni": vni,
        "local": "10.0.0.5",
        "remote": "10.0.0.6",
        "group": None,
        "dstport": 4789,
        "external": False,
        "key": False,
        "seq": False,
        "csum": False,
        "ip_version": 4,
        "overhead": 50,
        "underlay": underlay,
        "underlay_by": "dev",
        "underlay_mtu": underlay_mtu,
        "required_underlay_mtu": mtu + 50,
        "headroom": underlay_mtu - mtu - 50,
    }
    return iface(name, "vxlan", mtu, tunnel=tunnel)


def bridged(name, mtu, bridge="br0", **extra):
    return iface(name, "veth", mtu, master=bridge, master_kind="bridge", **extra)


def node(address, gpm=1500, extra=(), **settings):
    eth1 = iface("eth1", mtu=1500, addresses=[addr(address, 24)])
    settings.setdefault("tunnel_types", ["vxlan"])
    return host([eth1, *extra], neutron=neutron(global_physnet_mtu=gpm, local_ip=address, **settings))


def report_of(facts: dict, pmtu=None) -> dict:
    inputs = {h: {"status": "ok", "facts": f, "pmtu_results": (pmtu or {}).get(h)} for h, f in facts.items()}
    return _judge.build_report(inputs, "0.1.0", "2026-12-01T00:00:00Z")


def roles_of(the_plan, host_name):
    return [(e["role"], e["vars"]) for e in the_plan["hosts"].get(host_name, [])]


def test_tunnel_underlay_raised_to_the_jumbo_mtu_or_more():
    facts = {"c1": host([iface("eth1"), vxlan("vx42", 1500)])}
    plan = FILTERS["remediation_plan"](report_of(facts), facts)
    assert roles_of(plan, "c1") == [("jumbo_underlay", {"jumbo_underlay_interfaces": ["eth1"], "jumbo_underlay_mtu": 9000})]
    small = FILTERS["remediation_plan"](report_of(facts), facts, None, 1500)
    assert roles_of(small, "c1")[0][1]["jumbo_underlay_mtu"] == 1550  # what the finding needs beats a smaller target
    assert [a["finding"]["code"] for a in plan["actions"]] == ["MTU_TUNNEL_UNDERLAY"]
    assert plan["manual"] == []


def test_bridge_ports_raised_to_the_largest_port_and_grouped_by_mtu():
    facts = {
        "n1": host(
            [iface("br0", "bridge", 1500, bridge_ports=["a", "b", "c"]), bridged("a", 1500), bridged("b", 1400), bridged("c", 1500)]
            + [iface("eth1"), vxlan("vx42", 1500)]
        )
    }
    plan = _remediate.plan(report_of(facts), facts)
    assert roles_of(plan, "n1") == [
        ("jumbo_underlay", {"jumbo_underlay_interfaces": ["b"], "jumbo_underlay_mtu": 1500}),
        ("jumbo_underlay", {"jumbo_underlay_interfaces": ["eth1"], "jumbo_underlay_mtu": 9000}),
    ]


def test_neutron_outlier_gets_the_majority_value_on_every_neutron_node():
    facts = {"a": node("10.0.0.1"), "b": node("10.0.0.2"), "c": node("10.0.0.3", gpm=9000)}
    report = report_of(facts)
    codes = {f["code"] for f in _judge.all_findings(report)}
    assert {"NEUTRON_MTU_EXCEEDS_UNDERLAY", "NEUTRON_CONFIG_MISMATCH", "OVERLAY_MTU_MISMATCH"} <= codes
    plan = _remediate.plan(report, facts)
    for name in ("a", "b", "c"):
        assert roles_of(plan, name) == [("physnet_mtu", {"physnet_mtu_global_physnet_mtu": 1500})]
    assert plan["manual"] == []
    derived = [a for a in plan["actions"] if a["finding"]["code"] == "OVERLAY_MTU_MISMATCH"]
    assert derived and all("follows from" in a["change"] for a in derived)


def test_neutron_settings_too_big_everywhere_lowered_to_the_smallest_underlay():
    facts = {"a": node("10.0.0.1", gpm=9000), "b": node("10.0.0.2", gpm=9000)}
    plan = _remediate.plan(report_of(facts), facts)
    assert roles_of(plan, "a") == roles_of(plan, "b") == [("physnet_mtu", {"physnet_mtu_global_physnet_mtu": 1500})]


def test_geneve_header_for_ovn():
    facts = {"a": node("10.0.0.1", mechanism_drivers=["ovn"], type_drivers=["geneve"], tenant_network_types=["geneve"], tunnel_types=[])}
    plan = _remediate.plan(report_of(facts), facts)
    assert ("physnet_mtu", {"physnet_mtu_geneve_max_header_size": 38}) in roles_of(plan, "a")


def test_dhcp_lro_and_priority_tags_are_local_roles_after_the_underlay():
    facts = copy.deepcopy({"net": node("10.0.0.9", extra=[bridged("tap1", 1500, offloads={"large-receive-offload": True})])})
    facts["net"]["interfaces"]["eth1"]["driver"]["driver"] = "enic"
    facts["net"]["neutron"]["namespaces"] = {"qdhcp-1": {"dhcp_served": True, "interfaces": {"ns-1": {"tx_checksum": True}}, "checksum_fill": {}}}
    plan = _remediate.plan(report_of(facts), facts)
    assert roles_of(plan, "net") == [
        ("dhcp_checksum", {"dhcp_checksum_state": "present"}),
        ("nic_offloads", {"nic_offloads_features": {"tap1": {"large-receive-offload": False}}}),
        ("priority_tag_strip", {"priority_tag_strip_interfaces": ["eth1"]}),
    ]


def test_path_findings_and_unreachable_hosts_are_for_a_person():
    facts = {"a": host([iface("eth1")]), "b": host([iface("eth1")])}
    probe = {"target": "10.0.0.2", "path_mtu": 1498, "expected_mtu": 1500, "blackhole": True, "network": "management", "source_host": "a", "target_host": "b"}
    inputs = {h: {"status": "ok", "facts": f, "pmtu_results": [probe] if h == "a" else None} for h, f in facts.items()}
    inputs["ghost"] = {"status": "unreachable", "message": "no route"}
    plan = _remediate.plan(_judge.build_report(inputs), facts)
    assert plan["hosts"] == {}
    assert sorted(m["finding"]["code"] for m in plan["manual"]) == ["HOST_UNREACHABLE", "PMTU_BELOW_EXPECTED", "PMTU_BLACKHOLE", "PMTU_DEFICIT_UNEXPLAINED"]
    lines = FILTERS["remediation_lines"](plan)
    assert any(line.startswith("a: PMTU_DEFICIT_UNEXPLAINED") and "a person" in line for line in lines)


def test_codes_limit_the_plan():
    facts = {"c1": host([iface("eth1"), vxlan("vx42", 1500), iface("br0", "bridge", 1500, bridge_ports=["a", "b"]), bridged("a", 1500), bridged("b", 1400)])}
    plan = _remediate.plan(report_of(facts), facts, codes=["MTU_BRIDGE_PORT_MISMATCH"])
    assert roles_of(plan, "c1") == [("jumbo_underlay", {"jumbo_underlay_interfaces": ["b"], "jumbo_underlay_mtu": 1500})]
    assert [s["finding"]["code"] for s in plan["skipped"]] == ["MTU_TUNNEL_UNDERLAY"]


def test_outcome_fixed_remaining_and_manual():
    before = {"c1": host([iface("eth1"), vxlan("vx42", 1500)]), "c2": host([iface("eth1"), vxlan("vx42", 1500)])}
    probe = {"target": "10.0.0.2", "path_mtu": 1498, "expected_mtu": 1500, "network": "management", "source_host": "c1", "target_host": "c2"}
    report = report_of(before, {"c1": [probe]})
    plan = _remediate.plan(report, before)
    after = copy.deepcopy(before)
    after["c1"]["interfaces"]["eth1"]["mtu"] = 9000  # c1 repaired, c2 not
    result = FILTERS["remediation_outcome"](plan, report_of(after, {"c1": [probe]}))
    states = {(r["finding"]["host"], r["finding"]["code"]): r["after"] for r in result["rows"]}
    assert states[("c1", "MTU_TUNNEL_UNDERLAY")] == "fixed"
    assert states[("c2", "MTU_TUNNEL_UNDERLAY")] == "remains"
    assert states[("c1", "PMTU_DEFICIT_UNEXPLAINED")] == "manual"
    assert [f["host"] for f in result["remaining"]] == ["c2"]
    assert result["summary"] == {"fixed": 1, "remains": 1, "manual": 2, "new": 0}
    probed = report_of(after, {"c1": [probe], "c2": [dict(probe, source_host="c2", target_host="c1", target="10.0.0.1")]})
    late = _remediate.outcome(plan, probed)
    assert late["summary"]["new"] == 2 and {r["finding"]["host"] for r in late["rows"] if r["after"] == "new"} == {"c2"}
    text = FILTERS["remediation_markdown"](result)
    assert "| c2 | MTU_TUNNEL_UNDERLAY | vx42 |" in text and "remains:" in text


def test_bad_input_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="needs an audit report"):
        FILTERS["remediation_plan"]({"nothing": 1})
    with pytest.raises(AnsibleFilterError, match="fresh audit"):
        FILTERS["remediation_outcome"]({}, None)


def test_outcome_counts_a_host_missing_from_the_fresh_audit_as_remaining():
    before = {"c1": host([iface("eth1"), vxlan("vx42", 1500)])}
    plan = _remediate.plan(report_of(before), before)
    after = _judge.build_report({"c1": {"status": "unreachable", "message": "rebooted"}})
    result = _remediate.outcome(plan, after)
    assert result["summary"]["remains"] == 1
    assert "c1 was not audited after the repairs" in result["remaining"][0]["message"]
    assert _remediate.outcome(plan, _judge.build_report({}))["remaining"][0]["host"] == "c1"


def test_every_finding_code_has_its_page():
    docs = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "docs", "findings")
    missing = [code for code in _judge.CODES if not os.path.isfile(os.path.join(docs, f"{code}.md"))]
    assert not missing, f"docs/findings/CODE.md missing for {missing}"
    with open(os.path.join(docs, "README.md"), encoding="utf-8") as handle:
        index = handle.read()
    assert all(f"[{code}]({code}.md)" in index for code in _judge.CODES)


def test_a_physnet_covered_by_the_new_global_mtu_is_left_alone():
    def mapped(address, gpm):
        return node(address, gpm=gpm, extra=[iface("eth2", mtu=1500)], physical_interface_mappings={"physnet1": "eth2"}, flat_networks=["physnet1"])

    facts = {"a": mapped("10.0.0.1", 1500), "b": mapped("10.0.0.2", 1500), "c": mapped("10.0.0.3", 9000)}
    report = report_of(facts)
    flat = [f for f in _judge.all_findings(report) if f["code"] == "NEUTRON_MTU_EXCEEDS_UNDERLAY" and f["evidence"].get("physnet")]
    assert flat, "the flat physnet on c does not fit eth2"
    plan = _remediate.plan(report, facts)
    assert roles_of(plan, "c") == [("physnet_mtu", {"physnet_mtu_global_physnet_mtu": 1500})]


def test_information_is_not_a_repair_nor_a_task_for_a_person():
    facts = {"a": node("10.0.0.1")}
    report = report_of(facts)
    report["cluster_findings"].append(_judge.finding("NEUTRON_NETWORKS_NOT_CHECKED", None, None, "networks were not checked"))
    plan = _remediate.plan(report, facts)
    assert plan["manual"] == [] and plan["hosts"] == {}
    assert [s["finding"]["code"] for s in plan["skipped"]] == ["NEUTRON_NETWORKS_NOT_CHECKED"]
    assert _remediate.outcome(plan, report)["summary"] == {"fixed": 0, "remains": 0, "manual": 0, "new": 0}
