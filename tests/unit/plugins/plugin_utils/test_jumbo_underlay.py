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


# ---------------------------------------------------------------- detached or not, the rollback timeout


def test_detach_only_when_a_running_mtu_changes_on_the_connection():
    facts = _lab_facts()
    facts["interfaces"]["uplink"]["addresses"] = [{"family": 4, "address": "192.0.2.1", "prefixlen": 24, "scope": "global"}]
    plan = ju.plan(facts, "node1", ["uplink"], 9000, connection_address="192.0.2.1")
    assert (plan["at_risk"], plan["detach"], plan["apply"]) == (True, True, [{"name": "uplink", "mtu": 9000}])
    # raised already (a second run, or only the renderer's file is left): at risk, but no running MTU moves
    facts["interfaces"]["uplink"]["mtu"] = 9000
    facts["interfaces"]["mv0"]["mtu"] = 9000  # the macvlan stacked on uplink moves with it
    plan = ju.plan(facts, "node1", ["uplink"], 9000, connection_address="192.0.2.1")
    assert (plan["at_risk"], plan["detach"]) == (True, False)
    # ... unless something stacked on it is still below the target
    facts["interfaces"]["mv0"]["mtu"] = 1500
    assert ju.plan(facts, "node1", ["uplink"], 9000, connection_address="192.0.2.1")["detach"] is True


@pytest.mark.parametrize("timeout, message", [(9, "at least 10 seconds"), ("soon", "integer number of seconds"), (None, None), (10, None)])
def test_rollback_timeout(timeout, message):
    if message is None:
        assert ju.plan(_lab_facts(), "node1", [], 9000, rollback_timeout=timeout)["mtu"] == 9000
    else:
        with pytest.raises(ju.PlanError, match=message):
            ju.plan(_lab_facts(), "node1", [], 9000, rollback_timeout=timeout)


# ---------------------------------------------------------------- the size each verify peer is probed at


@pytest.mark.parametrize(
    "host, interface, peer_mtu, raised_to, size, why",
    [
        (None, None, None, None, 9000, "not an inventory host"),
        ("node2", None, None, None, 9000, "is not known"),
        ("node2", "eth1", 1500, None, 1500, "still at 1500 (not raised yet): probed at 1500"),
        ("node2", "eth1", 9000, None, 9000, "at 9000 already"),
        ("node2", "eth1", 9216, None, 9000, "at 9216 already"),
        ("node2", "eth1", 1500, 9000, 9000, "raises eth1 to 9000 in this batch"),
        ("node2", "eth1", 1500, 4000, 4000, "raises eth1 to 4000 in this batch: probed at 4000"),
        ("node2", "eth1", 8000, None, 8000, "still at 8000"),
    ],
)
def test_probe_size(host, interface, peer_mtu, raised_to, size, why):
    got_size, got_why = ju.probe_size(9000, "192.0.2.2", host, interface, peer_mtu, raised_to)
    assert got_size == size
    assert why in got_why


def _addressed_facts(address: str, mtu: int = 1500) -> dict:
    """The lab capture with its real `ip -j addr show` (uplink 192.0.2.1/24), uplink's address set to ``address``."""
    links = iplink.parse_link_json(read_fixture("ip-link-json/lab-netns-veth-bridge-vxlan-macvlan-tap-ovs-netdev.json"))
    ifaces = iplink.link_facts(links, iplink.parse_addr_json(read_fixture("ip-addr-json/lab-netns-addr-show.json")))
    for entry in ifaces["uplink"]["addresses"]:
        if entry["family"] == 4:
            entry["address"] = address
    ifaces["uplink"]["mtu"] = mtu
    return {"interfaces": ifaces}


def _sizes(peers, views, batch=()):
    facts = _addressed_facts("192.0.2.1")
    plan = ju.plan(facts, "node1", ["uplink"], 9000, verify_peers=peers)
    return ju.probe_sizes(plan, facts, views, list(batch))


def test_a_peer_not_raised_yet_is_probed_at_its_own_mtu():
    """The rolling rollout: node1 goes first, node2 (an inventory host whose facts say 1500) cannot receive more."""
    views = {"node2": {"facts": _addressed_facts("192.0.2.2"), "plan": None, "address": "10.0.0.2"}}
    by_address = _sizes(["192.0.2.2"], views)
    assert [(p["target"], p["host"], p["interface"], p["peer_mtu"], p["size"]) for p in by_address] == [("192.0.2.2", "node2", "uplink", 1500, 1500)]
    assert "node2 uplink is still at 1500" in by_address[0]["why"]
    # named by its inventory name: probed at its address on the raised interface's network, not at ansible_host
    by_name = _sizes(["node2"], views)
    assert [(p["peer"], p["target"], p["size"]) for p in by_name] == [("node2", "192.0.2.2", 1500)]


def test_a_peer_raised_already_or_in_this_batch_is_probed_at_the_new_mtu():
    views = {"node2": {"facts": _addressed_facts("192.0.2.2", 9000), "plan": None, "address": None}}
    assert [p["size"] for p in _sizes(["192.0.2.2"], views)] == [9000]
    # still 1500 in its facts, but its own plan in this batch raises uplink (both ends go up together)
    views = {"node2": {"facts": _addressed_facts("192.0.2.2"), "plan": {"apply": [{"name": "uplink", "mtu": 9000}]}, "address": None}}
    assert [p["size"] for p in _sizes(["192.0.2.2"], views, ["node1", "node2"])] == [9000]
    # a plan left from an earlier batch does not count: the facts do
    assert [p["size"] for p in _sizes(["192.0.2.2"], views, ["node1"])] == [1500]


def test_a_peer_whose_mtu_is_unknown_is_probed_at_the_new_mtu():
    views = {"node2": {"facts": {}, "plan": None, "address": "10.0.0.2"}, "node3": {"facts": None, "plan": None, "address": ""}}
    probes = _sizes(["198.51.100.7", "node2", "node3"], views)
    assert [(p["target"], p["host"], p["size"]) for p in probes] == [("198.51.100.7", None, 9000), ("10.0.0.2", "node2", 9000), ("node3", "node3", 9000)]
    assert "not an inventory host" in probes[0]["why"]
    assert "is not known" in probes[1]["why"]


def test_probe_failures_and_judgement_at_the_chosen_size():
    """A peer at 1500 answers up to 1500 (1504 through a 1500-byte veth: the kernel's VLAN_HLEN slack) and drops the
    rest without ICMP: no failure and no PMTU finding at size 1500; a switch hop at 1500 on a path probed at 9000 is both."""
    probes = [
        {"peer": "192.0.2.2", "target": "192.0.2.2", "size": 1500, "why": "node2 uplink is still at 1500"},
        {"peer": "192.0.2.3", "target": "192.0.2.3", "size": 9000, "why": "node3 uplink is at 9000 already"},
    ]
    results = [
        {"target": "192.0.2.2", "path_mtu": 1504, "expected_mtu": 9000, "deficit": 7496, "blackhole": True, "source": "192.0.2.1"},
        {"target": "192.0.2.3", "path_mtu": 1500, "expected_mtu": 9000, "deficit": 7500, "blackhole": True, "source": "192.0.2.1"},
    ]
    failed = ju.probe_failures(results, probes)
    assert [(f["target"], f["path_mtu"], f["size"], f["why"]) for f in failed] == [("192.0.2.3", 1500, 9000, "node3 uplink is at 9000 already")]
    judged = ju.probe_judged(results, probes)
    assert (judged[0]["expected_mtu"], judged[0]["deficit"], judged[0]["blackhole"], judged[0]["probed_size"]) == (1500, 0, False, 1500)
    assert judged[1] == results[1]
    codes = [(f["code"], f["evidence"]["target"]) for f in ju.remaining({"interfaces": {}}, "node1", [], judged)]
    assert codes == [("PMTU_BLACKHOLE", "192.0.2.3"), ("PMTU_BELOW_EXPECTED", "192.0.2.3")]
