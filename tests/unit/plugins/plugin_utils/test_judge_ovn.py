# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The judge on OVN chassis: the encapsulation against the interface holding ovn-encap-ip, max_header_size,
the chassis' encap MTUs across the cluster and physnets through ovn-bridge-mappings."""

from __future__ import annotations

import pytest
from conftest import read_fixture
from factsbuilder import addr, host, iface, neutron

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import ovn, ovs
from ansible_collections.netdoctor.openstack.plugins.plugin_utils import _judge, _judge_ovn, _report

# The chassis settings of OpenStack-Ansible's all-in-one (real capture): encap 172.29.240.100, geneve,vxlan, vlan:br-provider
AIO1 = ovn.chassis_facts(ovs.parse_vsctl_list_text(read_fixture("ovs-vsctl/osa-aio1-list-open_vswitch-ovn-chassis.txt"))[0]["external_ids"])


def ml2_ovn(**settings):
    """Neutron settings of an ML2/OVN server (Geneve tenant networks)."""
    base = {
        "type_drivers": ["geneve", "flat", "vlan"],
        "tenant_network_types": ["geneve"],
        "mechanism_drivers": ["ovn"],
        "geneve_max_header_size": 38,
        "flat_networks": ["vlan"],
    }
    base.update(settings)
    return neutron(**base)


def chassis_host(mtu=1500, *, encap_ip="172.29.240.100", prefixlen=22, neutron_block=None, encap_type=None, name="br-mgmt", **top):
    settings = dict(AIO1, encap_ip=encap_ip, encap_ips=[encap_ip])
    if encap_type:
        settings["encap_type"] = encap_type
    family = 6 if ":" in encap_ip else 4
    interfaces = [iface(name, "bridge", mtu, addresses=[addr(encap_ip, prefixlen, family)]), iface("eth0", mtu=mtu)]
    interfaces += top.pop("extra_interfaces", [])
    return host(interfaces, ovn=settings, neutron=neutron_block or {"found": False}, **top)


def codes(findings):
    return sorted((f["code"], f["host"], f["interface"]) for f in findings)


def test_the_codes_are_registered_with_their_repair():
    for code in ("OVN_ENCAP_MTU_EXCEEDS_UNDERLAY", "OVN_ENCAP_MTU_MISMATCH"):
        assert _judge.CODES[code][1] == "jumbo_underlay"
    assert "OVN_ENCAP_MTU_EXCEEDS_UNDERLAY" in _judge.HOST_CODES
    assert "OVN_ENCAP_MTU_MISMATCH" in _judge.CLUSTER_CODES


def test_geneve_overlay_planned_for_jumbo_over_a_1500_underlay():
    facts = chassis_host(1500, neutron_block=ml2_ovn(global_physnet_mtu=9000))
    found = _judge.host_findings(facts, "aio1")
    assert codes(found) == [("OVN_ENCAP_MTU_EXCEEDS_UNDERLAY", "aio1", "br-mgmt")]
    item = found[0]
    assert item["severity"] == "error" and item["remediation"] == "netdoctor.openstack.jumbo_underlay"
    assert item["evidence"] == {
        "scope": "host",
        "encap_type": "geneve",
        "encap_ip": "172.29.240.100",
        "network_type": "geneve",
        "network_mtu": 8942,  # 9000 - 20 - 38
        "ip_header": 20,
        "encapsulation": 38,
        "required_underlay_mtu": 9000,
        "interface_mtu": 1500,
        "deficit": 7500,
    }
    assert "holding ovn-encap-ip 172.29.240.100 carries 1500" in item["message"]


def test_a_geneve_overlay_that_fits_exactly_is_silent():
    assert _judge.host_findings(chassis_host(9000, neutron_block=ml2_ovn(global_physnet_mtu=9000)), "aio1") == []
    assert _judge.host_findings(chassis_host(1500, neutron_block=ml2_ovn(global_physnet_mtu=1500)), "aio1") == []


def test_max_header_size_30_makes_ovn_frames_8_bytes_too_big():
    facts = chassis_host(1500, neutron_block=ml2_ovn(global_physnet_mtu=1500, geneve_max_header_size=30))
    found = _judge.host_findings(facts, "aio1")
    assert codes(found) == [("NEUTRON_GENEVE_HEADER_TOO_SMALL", "aio1", None), ("OVN_ENCAP_MTU_EXCEEDS_UNDERLAY", "aio1", "br-mgmt")]
    encap = next(f for f in found if f["code"] == "OVN_ENCAP_MTU_EXCEEDS_UNDERLAY")["evidence"]
    assert (encap["network_mtu"], encap["required_underlay_mtu"], encap["deficit"]) == (1450, 1508, 8)


def test_ipv6_encap_counts_40_bytes_of_ip_header():
    facts = chassis_host(1500, encap_ip="fd00:10::5", prefixlen=64, neutron_block=ml2_ovn(global_physnet_mtu=1500, overlay_ip_version=6))
    assert _judge.host_findings(facts, "aio1") == []  # 1500 - 40 - 38 = 1422, + 78 = 1500
    facts = chassis_host(1500, encap_ip="fd00:10::5", prefixlen=64, neutron_block=ml2_ovn(global_physnet_mtu=1500))
    found = _judge.host_findings(facts, "aio1")  # Neutron computed with IPv4 headers (1442): 1442 + 40 + 38 = 1520
    assert [(f["evidence"]["ip_header"], f["evidence"]["required_underlay_mtu"]) for f in found] == [(40, 1520)]


def test_vxlan_encap_uses_the_vxlan_network_mtu():
    block = ml2_ovn(global_physnet_mtu=1500, type_drivers=["vxlan"], tenant_network_types=["vxlan"])
    assert _judge.host_findings(chassis_host(1500, encap_type="vxlan", neutron_block=block), "aio1") == []
    found = _judge.host_findings(chassis_host(1450, encap_type="vxlan", neutron_block=block), "aio1")
    assert [(f["code"], f["evidence"]["encapsulation"], f["evidence"]["required_underlay_mtu"]) for f in found] == [
        ("OVN_ENCAP_MTU_EXCEEDS_UNDERLAY", 30, 1500)
    ]


def test_no_chassis_or_no_overlay_mtu_means_no_ovn_finding():
    assert _judge_ovn.host_findings(host([iface("eth0")], neutron=ml2_ovn(global_physnet_mtu=9000)), "ctl") == []
    assert _judge.host_findings(chassis_host(1500), "compute1") == []  # no Neutron settings on the chassis itself
    # an ML2/OVS host (no ovn driver) is judged by the local_ip checks, not these
    assert _judge_ovn.check_encap_underlay(chassis_host(1500, neutron_block=neutron(global_physnet_mtu=9000)), "x") == []


def test_a_chassis_whose_ml2_offers_geneve_with_max_header_size_30_without_naming_ovn():
    block = ml2_ovn(mechanism_drivers=[], geneve_max_header_size=30)
    found = _judge.host_findings(chassis_host(1500, neutron_block=block), "aio1")
    assert codes(found) == [("NEUTRON_GENEVE_HEADER_TOO_SMALL", "aio1", None)]
    assert found[0]["evidence"]["encap_ip"] == "172.29.240.100"
    assert _judge.host_findings(chassis_host(1500, neutron_block=ml2_ovn(mechanism_drivers=[])), "aio1") == []  # 38


def test_chassis_without_neutron_settings_are_judged_against_the_cluster():
    hosts = {
        "ctl1": host([iface("eth0", mtu=1500, addresses=[addr("10.0.0.1", 24)])], neutron=ml2_ovn(global_physnet_mtu=9000)),
        "compute1": chassis_host(1500, encap_ip="172.29.240.101"),
        "compute2": chassis_host(9000, encap_ip="172.29.240.102"),
    }
    found = _judge.cluster_findings(hosts)
    encap = [f for f in found if f["code"] == "OVN_ENCAP_MTU_EXCEEDS_UNDERLAY"]
    assert [(f["host"], f["evidence"]["scope"], f["evidence"]["network_mtu"], f["evidence"]["deficit"]) for f in encap] == [("compute1", "cluster", 8942, 7500)]
    assert "(cluster value)" in encap[0]["message"]


def test_the_chassis_own_judgment_is_not_repeated_by_the_cluster():
    hosts = {
        "c1": chassis_host(1500, encap_ip="172.29.240.101", neutron_block=ml2_ovn(global_physnet_mtu=9000)),
        "c2": chassis_host(1500, encap_ip="172.29.240.102", neutron_block=ml2_ovn(global_physnet_mtu=9000)),
    }
    assert [f for f in _judge.cluster_findings(hosts) if f["code"].startswith("OVN_")] == []
    assert [f["code"] for f in _judge.host_findings(hosts["c1"], "c1")] == ["OVN_ENCAP_MTU_EXCEEDS_UNDERLAY"]


def test_encap_interfaces_that_disagree_name_the_odd_chassis_out():
    hosts = {
        "c1": chassis_host(1500, encap_ip="172.29.240.101"),
        "c2": chassis_host(9000, encap_ip="172.29.240.102"),
        "c3": chassis_host(9000, encap_ip="172.29.240.103"),
    }
    found = _judge.cluster_findings(hosts)
    assert codes(found) == [("OVN_ENCAP_MTU_MISMATCH", "c1", "br-mgmt")]
    item = found[0]
    assert item["severity"] == "warning" and item["remediation"] == "netdoctor.openstack.jumbo_underlay"
    assert (item["evidence"]["value"], item["evidence"]["majority_value"], item["evidence"]["majority_hosts"]) == (1500, 9000, ["c2", "c3"])
    tie = _judge.cluster_findings({"c1": hosts["c1"], "c2": hosts["c2"]})
    assert codes(tie) == [("OVN_ENCAP_MTU_MISMATCH", None, None)]
    assert tie[0]["evidence"]["values"] == {"c1": 1500, "c2": 9000}
    assert _judge.cluster_findings({"c2": hosts["c2"], "c3": hosts["c3"]}) == []


def ovs_bridge_port(name, bridge, mtu):
    port = {
        "bridge": bridge,
        "port": name,
        "type": "",
        "mtu": mtu,
        "mtu_request": None,
        "tag": None,
        "trunks": [],
        "vlan_mode": None,
        "options": {},
        "ofport": 1,
    }
    return iface(name, "physical", mtu, ovs=port, master="ovs-system", master_kind="openvswitch")


PROVIDER_OVS = {
    "running": True,
    "version": "3.1.0",
    "bridges": {"br-provider": {"datapath_type": "system", "ports": ["br-provider", "bond1"], "mtu_request": None, "flows_checked": False}},
}


@pytest.mark.parametrize(("port_mtu", "expected"), [(1500, [("NEUTRON_MTU_EXCEEDS_UNDERLAY", "aio1", "bond1")]), (9000, [])])
def test_physnets_through_ovn_bridge_mappings(port_mtu, expected):
    facts = chassis_host(
        9000, neutron_block=ml2_ovn(global_physnet_mtu=9000), extra_interfaces=[ovs_bridge_port("bond1", "br-provider", port_mtu)], ovs=PROVIDER_OVS
    )
    found = _judge.host_findings(facts, "aio1")
    assert codes(found) == expected
    if expected:
        assert (found[0]["evidence"]["physnet"], found[0]["evidence"]["bridge"], found[0]["evidence"]["network_mtu"]) == ("vlan", "br-provider", 9000)


def test_the_same_chassis_without_its_ovn_mappings_has_no_physnet_to_check():
    facts = chassis_host(
        9000, neutron_block=ml2_ovn(global_physnet_mtu=9000), extra_interfaces=[ovs_bridge_port("bond1", "br-provider", 1500)], ovs=PROVIDER_OVS
    )
    facts["ovn"]["bridge_mappings"] = {}
    assert _judge.host_findings(facts, "aio1") == []


def test_physnets_of_chassis_without_neutron_settings_against_the_cluster():
    hosts = {
        "ctl1": host([iface("eth0", addresses=[addr("10.0.0.1", 24)])], neutron=ml2_ovn(global_physnet_mtu=9000)),
        "compute1": chassis_host(9000, encap_ip="172.29.240.101", extra_interfaces=[ovs_bridge_port("bond1", "br-provider", 1500)], ovs=PROVIDER_OVS),
    }
    found = [f for f in _judge.cluster_findings(hosts) if f["code"] == "NEUTRON_MTU_EXCEEDS_UNDERLAY"]
    assert codes(found) == [("NEUTRON_MTU_EXCEEDS_UNDERLAY", "compute1", "bond1")]
    assert found[0]["evidence"]["mapped_by"] == "ovn-bridge-mappings" and found[0]["evidence"]["deficit"] == 7500


def test_neutron_bridge_mappings_win_over_ovn_ones():
    facts = chassis_host(1500, neutron_block=ml2_ovn(bridge_mappings={"vlan": "br-ex"}))
    assert _judge_ovn.bridge_mappings(facts) == {"vlan": "br-ex"}
    assert _judge_ovn.bridge_mappings(chassis_host(1500)) == {"vlan": "br-provider"}
    assert _judge_ovn.bridge_mappings({}) == {}


def test_the_report_and_junit_carry_the_ovn_codes():
    inputs = {
        "c1": {"status": "ok", "facts": chassis_host(1500, encap_ip="172.29.240.101", neutron_block=ml2_ovn(global_physnet_mtu=9000))},
        "c2": {"status": "ok", "facts": chassis_host(9000, encap_ip="172.29.240.102", neutron_block=ml2_ovn(global_physnet_mtu=9000))},
        "c3": {"status": "ok", "facts": chassis_host(9000, encap_ip="172.29.240.103", neutron_block=ml2_ovn(global_physnet_mtu=9000))},
    }
    report = _judge.build_report(inputs, "0.1.0", "2026-01-01T00:00:00Z")
    assert [f["code"] for f in report["hosts"]["c1"]["findings"]] == ["OVN_ENCAP_MTU_EXCEEDS_UNDERLAY"]
    assert [(f["code"], f["host"]) for f in report["cluster_findings"]] == [("OVN_ENCAP_MTU_MISMATCH", "c1")]
    assert report["summary"] == {"error": 1, "warning": 1, "info": 0}
    xml = _report.junit(report)
    assert 'name="OVN_ENCAP_MTU_EXCEEDS_UNDERLAY"' in xml and 'name="OVN_ENCAP_MTU_MISMATCH"' in xml
