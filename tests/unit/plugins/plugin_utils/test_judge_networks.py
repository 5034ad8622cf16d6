# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""NEUTRON_NETWORK_MTU_STALE and NEUTRON_NETWORKS_NOT_CHECKED from the networks a real Neutron API listed."""

from __future__ import annotations

import json

import factsbuilder as fb
import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.filter.audit import audit_network_findings, audit_report
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.networks import normalize_network
from ansible_collections.netdoctor.openstack.plugins.plugin_utils import _judge, _judge_networks

# Captured with global_physnet_mtu 1500: vxlan 1450 (vx-default, multi), vx-small 1400, vlan120 and flat-ext 1500.
NETWORKS = [normalize_network(raw) for raw in json.loads(read_fixture("neutron-api/networks-list.json"))["networks"]]


def controller(gpm: int = 1500, underlay: int = 1500, **settings) -> dict:
    """The Neutron controller's facts: its settings and the interface holding local_ip."""
    eth0 = fb.iface("eth0", mtu=underlay, addresses=[fb.addr("10.226.0.10", 24)])
    neutron = fb.neutron(
        global_physnet_mtu=gpm,
        local_ip="10.226.0.10",
        tunnel_types=["vxlan"],
        network_vlan_ranges={"physnet1": [[100, 4000]]},
        flat_networks=["physnet1"],
        **settings,
    )
    return fb.host([eth0], neutron=neutron)


def stale(facts: dict, networks=None) -> dict:
    found = audit_network_findings(NETWORKS if networks is None else networks, facts)
    assert all(f["code"] == "NEUTRON_NETWORK_MTU_STALE" and f["host"] is None for f in found)
    return {f["evidence"]["network_name"]: f for f in found}


def test_networks_created_under_the_settings_are_not_stale_except_a_smaller_one():
    # vx-small was created with MTU 1400 where the settings give vxlan 1450: it differs
    assert sorted(stale({"ctl": controller()})) == ["vx-small"]


def test_lowered_settings_make_every_larger_network_stale():
    found = stale({"ctl": controller(gpm=1400, underlay=9000)})
    assert sorted(found) == ["", "flat-ext", "multi", "vlan120", "vx-default", "vx-small"]
    vx = found["vx-default"]["evidence"]
    assert (vx["current_mtu"], vx["expected_mtu"], vx["settings_mtu"], vx["underlay_mtu"]) == (1450, 1350, 1350, 8950)
    assert vx["project_id"] == "lab-project-a" and vx["network_type"] == "vxlan" and len(vx["network_id"]) == 36
    vlan = found["vlan120"]["evidence"]
    assert (vlan["current_mtu"], vlan["expected_mtu"], vlan["physical_network"], vlan["segmentation_id"]) == (1500, 1400, "physnet1", 120)
    # the multi-segment network gets the smallest of its segments: vlan 1400, vxlan 1350
    assert found["multi"]["evidence"]["expected_mtu"] == 1350
    assert found["vx-default"]["remediation"] == "netdoctor.openstack.physnet_mtu"
    assert "network vx-default" in found["vx-default"]["message"] and "set it to 1350" in found["vx-default"]["message"]


def test_an_underlay_smaller_than_the_settings_caps_the_expected_mtu():
    found = stale({"ctl": controller(gpm=1500, underlay=1450)})  # vxlan over 1450 carries 1400
    vx = found["vx-default"]["evidence"]
    assert (vx["expected_mtu"], vx["settings_mtu"], vx["underlay_mtu"]) == (1400, 1450, 1400)
    assert "vx-small" not in found  # 1400 is below the settings' 1450, but that is all the underlay carries
    assert "the underlay carries 1400" in found["vx-default"]["message"]


def test_vx_small_is_stale_only_by_its_settings():
    found = stale({"ctl": controller(gpm=1500, underlay=9000)})
    assert sorted(found) == ["vx-small"]
    assert found["vx-small"]["evidence"]["expected_mtu"] == 1450


def test_cluster_settings_are_the_majority():
    hosts = {"ctl1": controller(gpm=1400), "ctl2": controller(gpm=1400), "ctl3": controller(gpm=9000, underlay=9000)}
    limits = _judge_networks.cluster_limits(hosts)
    assert limits["settings"]["vxlan"] == 1350 and limits["settings"]["vlan"] == {"physnet1": 1400}
    assert limits["underlay"]["vxlan"] == 1450  # the smallest underlay of all endpoints


def test_planned_settings_judge_as_check_mode_would():
    facts = {"ctl": controller(gpm=9000, underlay=9000)}
    assert sorted(stale(facts)) == ["", "flat-ext", "multi", "vlan120", "vx-default", "vx-small"]  # all below 9000's MTUs
    planned = audit_network_findings(NETWORKS, facts, {"global_physnet_mtu": 1500, "path_mtu": None})
    assert sorted(f["evidence"]["network_name"] for f in planned) == ["vx-small"]
    with pytest.raises(_judge.JudgeError, match="unknown Neutron setting"):
        audit_network_findings(NETWORKS, facts, {"mtu": 1500})


def test_networks_without_a_comparable_type_are_skipped():
    local = dict(NETWORKS[0], network_type="local", segments=[{"network_type": "local", "physical_network": None, "segmentation_id": None}])
    assert stale({"ctl": controller(gpm=1400)}, [local]) == {}
    assert stale({"ctl": fb.host([])}, NETWORKS) == {}  # no Neutron configuration: nothing to compare with


def _report(api):
    return audit_report({"ctl": {"status": "ok", "facts": controller(gpm=1400, underlay=9000)}}, "0.1.0", "2026-12-01T00:00:00Z", api)


def test_report_without_api_access_says_so_once_as_info():
    report = _report(_judge_networks.api_input(False))
    notes = [f for f in report["cluster_findings"] if f["code"] == "NEUTRON_NETWORKS_NOT_CHECKED"]
    assert len(notes) == 1 and notes[0]["severity"] == "info"
    assert report["summary"]["info"] == 1
    quiet = audit_report({"n": {"status": "ok", "facts": fb.host([])}}, "0.1.0", "now", _judge_networks.api_input(False))
    assert quiet["cluster_findings"] == []  # no Neutron on any host: nothing to say


def test_report_with_a_failed_listing_is_an_error_with_the_reason():
    report = _report(_judge_networks.api_input(True, None, "listing the networks: the API cannot be reached: refused"))
    (note,) = [f for f in report["cluster_findings"] if f["code"] == "NEUTRON_NETWORKS_NOT_CHECKED"]
    assert note["severity"] == "error" and "the API cannot be reached" in note["message"]


def test_report_with_networks_counts_each_stale_one():
    report = _report(_judge_networks.api_input(True, NETWORKS, source="lab"))
    codes = [f["code"] for f in report["cluster_findings"]]
    assert codes.count("NEUTRON_NETWORK_MTU_STALE") == 6
    assert "NEUTRON_NETWORKS_NOT_CHECKED" not in codes
    assert report["summary"]["warning"] == 6


def test_report_without_the_networks_input_is_unchanged():
    report = audit_report({"ctl": {"status": "ok", "facts": controller()}}, "0.1.0", "now")
    assert [f for f in report["cluster_findings"] if f["code"].startswith("NEUTRON_NETWORK")] == []


def test_bad_networks_input():
    with pytest.raises(_judge.JudgeError):
        _judge_networks.network_findings(["not", "a", "dict"], {})
