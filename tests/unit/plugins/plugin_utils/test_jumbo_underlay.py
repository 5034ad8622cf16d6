"""The jumbo_underlay role's plan on the controller: discovery, validation, connection risk, proof."""

from __future__ import annotations

import copy

import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import iplink
from ansible_collections.netdoctor.openstack.plugins.plugin_utils import _jumbo_underlay as ju


def _lab_facts():
    """Facts from the lab capture (ip -j -d -s link, routes resolved): vx42 (local 192.0.2.1, remote 198.51.100.7)
    over `uplink` (1500, holding 192.0.2.1/24), found through the route; its MTU raised to 1500 makes it not fit."""
    links = iplink.parse_link_json(read_fixture("ip-link-json/lab-netns-veth-bridge-vxlan-macvlan-tap-ovs-netdev.json"))
    ifaces = iplink.link_facts(links)
    routes = iplink.parse_routes_json('[{"dst":"198.51.100.0/24","gateway":"192.0.2.254","dev":"uplink","flags":[]}]')
    iplink.resolve_tunnels(ifaces, routes)
    return {"interfaces": ifaces, "linux_bridges": iplink.linux_bridges(ifaces)}


def test_lab_facts_have_the_fault():
    tunnel = _lab_facts()["interfaces"]["vx42"]["tunnel"]
    assert (tunnel["underlay"], tunnel["headroom"]) == ("uplink", -50)


def test_discover_tunnel_underlay_and_peers():
    plan = ju.plan(_lab_facts(), "node1", [], 9000)
    assert [(t["name"], t["mtu"]) for t in plan["targets"]] == [("uplink", 9000)]
    assert "198.51.100.7" in plan["peers"]
    assert {f["code"] for f in plan["findings"]} == {"MTU_TUNNEL_UNDERLAY"}
    assert plan["at_risk"] is False


def test_discover_ovn_encap_ip_hand_built():
    """ansible_facts.netdoctor.ovn (DESIGN: encap_ip, encap_type, bridge_mappings), hand-built: net_facts is growing it."""
    facts = _lab_facts()
    facts["interfaces"]["vx42"]["mtu"] = 1450  # the tunnel fits: only the OVN endpoint is left
    facts["interfaces"]["vx42"]["tunnel"]["headroom"] = 0
    facts["interfaces"]["br0"]["addresses"] = [{"family": 4, "address": "10.10.0.1", "prefixlen": 24, "scope": "global"}]
    facts["ovn"] = {"encap_ip": "10.10.0.1", "encap_type": "geneve", "bridge_mappings": {"physnet1": "br-ex"}, "system_id": "x"}
    assert [t["name"] for t in ju.plan(facts, "node1", [], 9000)["targets"]] == ["br0"]
    del facts["ovn"]
    assert ju.plan(facts, "node1", [], 9000)["targets"] == []


def test_discover_neutron_local_ip_and_mappings():
    facts = _lab_facts()
    facts["interfaces"]["vx42"]["mtu"] = 1450
    facts["interfaces"]["vx42"]["tunnel"]["headroom"] = 0
    facts["interfaces"]["uplink"]["addresses"] = [{"family": 4, "address": "192.0.2.1", "prefixlen": 24, "scope": "global"}]
    facts["neutron"] = {"found": True, "local_ip": "192.0.2.1", "physical_interface_mappings": {"physnet1": "v0"}, "bridge_mappings": {}}
    names = {t["name"]: t["reasons"] for t in ju.plan(facts, "node1", [], 9000)["targets"]}
    assert set(names) == {"uplink", "v0"}
    assert "holds Neutron local_ip 192.0.2.1" in names["uplink"]


def test_bridge_port_mismatch_raised_to_the_largest_port():
    facts = _lab_facts()
    facts["interfaces"]["vx42"]["mtu"] = 1450
    facts["interfaces"]["vx42"]["tunnel"]["headroom"] = 0
    facts["interfaces"]["v1"]["mtu"] = 1400  # br0: v1 1400, tap0 1500
    targets = ju.plan(facts, "node1", [], 9000)["targets"]
    assert [(t["name"], t["mtu"]) for t in targets] == [("v1", 1500)]


def test_connection_risk():
    facts = _lab_facts()
    facts["interfaces"]["uplink"]["addresses"] = [{"family": 4, "address": "192.0.2.1", "prefixlen": 24, "scope": "global"}]
    assert ju.plan(facts, "node1", ["uplink"], 9000, connection_address="192.0.2.1")["at_risk"] is True
    assert ju.plan(facts, "node1", ["v0"], 9000, connection_address="192.0.2.1")["at_risk"] is False
    # the default route leaves by a bridge whose port is the target
    assert ju.plan(facts, "node1", ["v1"], 9000, default_route_devices=["br0"])["risky"] == ["br0", "v1"]


@pytest.mark.parametrize(
    "interfaces, mtu, message",
    [
        ([], "abc", "must be an integer"),
        ([], True, "must be an integer"),
        ([], 70000, "outside 68-65535"),
        ([], 67, "outside 68-65535"),
        (["eth9"], 9000, "does not exist"),
        (["a;b"], 9000, "cannot hold"),
        (["x" * 16], 9000, "at most 15"),
        ("uplink", 9000, "must be a list"),
    ],
)
def test_bad_input(interfaces, mtu, message):
    with pytest.raises(ju.PlanError, match=message):
        ju.plan(_lab_facts(), "node1", interfaces, mtu)


def test_remaining_after_the_fix():
    before = _lab_facts()
    plan = ju.plan(before, "node1", [], 9000)
    after = copy.deepcopy(before)
    after["interfaces"]["uplink"]["mtu"] = 9000
    assert ju.remaining(after, "node1", plan["findings"]) == []
    assert [f["code"] for f in ju.remaining(before, "node1", plan["findings"])] == ["MTU_TUNNEL_UNDERLAY"]
    probe = [{"target": "198.51.100.7", "path_mtu": 1500, "expected_mtu": 9000, "blackhole": True}]
    assert {f["code"] for f in ju.remaining(after, "node1", plan["findings"], probe)} == {"PMTU_BELOW_EXPECTED", "PMTU_BLACKHOLE"}


def test_probe_failures():
    results = [{"target": "a", "path_mtu": 9000}, {"target": "b", "path_mtu": 1500, "blackhole": True}, {"target": "c", "path_mtu": None}]
    assert ju.probe_failures(results, 9000) == [
        {"target": "b", "path_mtu": 1500, "size": 9000, "blackhole": True, "why": None},
        {"target": "c", "path_mtu": None, "size": 9000, "blackhole": False, "why": None},
    ]
