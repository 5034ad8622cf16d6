# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""verify.yml's planner filters: endpoints from facts, a bounded ring plan, results tagged for the audit."""

from __future__ import annotations

from collections import Counter

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netdoctor.openstack.plugins.filter.pmtu_plan import FilterModule, pmtu_collect, pmtu_endpoints, pmtu_plan


def facts(*interfaces, local_ip=None):
    """ansible_facts.netdoctor (docs/facts.md) with the given (name, mtu, [addresses])."""
    out = {
        "interfaces": {
            name: {"name": name, "mtu": mtu, "addresses": [{"family": 6 if ":" in a else 4, "address": a, "prefixlen": 24} for a in addrs]}
            for name, mtu, addrs in interfaces
        }
    }
    if local_ip is not None:
        out["neutron"] = {"found": True, "local_ip": local_ip}
    return out


COMPUTE = facts(("eth0", 1500, ["192.0.2.11"]), ("eth1", 9000, ["10.0.1.11", "fd00:1::11"]), ("br-vm", 1450, ["192.168.100.11"]), local_ip="10.0.1.11")


@pytest.mark.parametrize(
    ("facts_in", "args", "expected"),
    [
        (
            COMPUTE,
            ("192.0.2.11", {"tenant": "192.168.100.11/24"}),
            {
                "management": {"address": "192.0.2.11", "interface": "eth0", "mtu": 1500, "family": 4},
                "tunnel": {"address": "10.0.1.11", "interface": "eth1", "mtu": 9000, "family": 4},
                "tenant": {"address": "192.168.100.11", "interface": "br-vm", "mtu": 1450, "family": 4},
            },
        ),
        # management given as a host name (not an address): skipped; IPv6 overlay
        (
            COMPUTE,
            ("node1.example.org", {"v6": "fd00:1::11"}),
            {
                "tunnel": {"address": "10.0.1.11", "interface": "eth1", "mtu": 9000, "family": 4},
                "v6": {"address": "fd00:1::11", "interface": "eth1", "mtu": 9000, "family": 6},
            },
        ),
        # no Neutron on the host, an address no interface holds: MTU from management_mtu
        (
            facts(("eth0", 1500, ["192.0.2.12"])),
            ("198.51.100.7", None, 1400),
            {"management": {"address": "198.51.100.7", "interface": None, "mtu": 1400, "family": 4}},
        ),
        (None, (None,), {}),
        # candidates: a host name (ansible_host of a container), then the default IPv4 address
        (
            COMPUTE,
            ([None, "nd-pmtu-node1", "192.0.2.11"],),
            {
                "management": {"address": "192.0.2.11", "interface": "eth0", "mtu": 1500, "family": 4},
                "tunnel": {"address": "10.0.1.11", "interface": "eth1", "mtu": 9000, "family": 4},
            },
        ),
    ],
)
def test_pmtu_endpoints(facts_in, args, expected):
    assert pmtu_endpoints(facts_in, *args) == expected


@pytest.mark.parametrize(
    ("facts_in", "kwargs", "message"),
    [
        ([], {}, "the input must be ansible_facts.netdoctor"),
        (COMPUTE, {"overlays": ["x"]}, "overlays must be a dict"),
        (COMPUTE, {"overlays": {"tenant": "not-an-address"}}, "'not-an-address' given for network 'tenant' is not an IP address"),
    ],
)
def test_pmtu_endpoints_rejects(facts_in, kwargs, message):
    with pytest.raises(AnsibleFilterError, match=message):
        pmtu_endpoints(facts_in, **kwargs)


def ring(count, networks=("management",), mtu=1500):
    return {f"node{i:02d}": {net: {"address": f"10.{n}.0.{i + 1}", "mtu": mtu, "family": 4} for n, net in enumerate(networks)} for i in range(count)}


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 7, 10, 16, 50])
@pytest.mark.parametrize("max_peers", [1, 2, 3, 5])
def test_plan_covers_every_node_and_is_bounded(count, max_peers):
    hosts = ring(count, networks=("management", "tunnel"))
    plan = pmtu_plan(hosts, max_peers)
    per_node = min(max_peers, count - 1)
    assert sorted(plan) == sorted(hosts)
    probed = Counter()
    for host, probes in plan.items():
        for network in ("management", "tunnel"):
            mine = [p for p in probes if p["network"] == network]
            targets = [p["target_host"] for p in mine]
            assert len(targets) == per_node  # every host probes, n * max_peers in all, not n²
            assert len(set(targets)) == per_node and host not in targets
            probed.update((t, network) for t in targets)
            assert all(p["source"] == hosts[host][network]["address"] for p in mine)
            assert all(p["target"] == hosts[p["target_host"]][network]["address"] for p in mine)
    # every host is probed by as many as it probes, on every network
    assert all(probed[(host, network)] == per_node for host in hosts for network in ("management", "tunnel"))


def test_plan_exact_small_ring_and_expected_mtu():
    hosts = {
        "c": {"tunnel": {"address": "10.0.1.13", "mtu": 1500, "family": 4}},
        "a": {"tunnel": {"address": "10.0.1.11", "mtu": 9000, "family": 4}, "management": {"address": "192.0.2.11", "mtu": None, "family": 4}},
        "b": {"tunnel": {"address": "10.0.1.12", "mtu": 9000, "family": 4}},
        "d": {},
    }
    plan = pmtu_plan(hosts, 1)
    assert plan == {
        "a": [{"network": "tunnel", "target_host": "b", "target": "10.0.1.12", "source": "10.0.1.11", "expected_mtu": 9000}],
        "b": [{"network": "tunnel", "target_host": "c", "target": "10.0.1.13", "source": "10.0.1.12", "expected_mtu": 1500}],
        "c": [{"network": "tunnel", "target_host": "a", "target": "10.0.1.11", "source": "10.0.1.13", "expected_mtu": 1500}],
        "d": [],  # a network only one host is on has no peers
    }


def test_plan_spreads_offsets():
    # 10 hosts, 3 peers: offsets 1, 4 and 7, not 1, 2, 3 (a fault between distant hosts is seen too)
    plan = pmtu_plan(ring(10), 3)
    assert [p["target_host"] for p in plan["node00"]] == ["node01", "node04", "node07"]


def test_plan_keeps_families_apart():
    hosts = {"a": {"v6": {"address": "fd00::1", "mtu": 1500, "family": 6}}, "b": {"v6": {"address": "192.0.2.2", "mtu": 1500, "family": 4}}}
    assert pmtu_plan(hosts, 3) == {"a": [], "b": []}


@pytest.mark.parametrize(("hosts", "max_peers", "message"), [([], 3, "must be a dict"), ({}, 0, "at least 1"), ({}, "x", "must be an integer")])
def test_plan_rejects(hosts, max_peers, message):
    with pytest.raises(AnsibleFilterError, match=message):
        pmtu_plan(hosts, max_peers)


def test_collect_tags_results():
    registered = {
        "results": [
            {"item": {"network": "tunnel", "target_host": "b"}, "results": [{"target": "10.0.1.12", "path_mtu": 1498, "deficit": 2}]},
            {"item": {"network": "management", "target_host": "c"}, "failed": True, "msg": "no route"},
            {"item": {"network": "management", "target_host": "d"}, "skipped": True},
        ]
    }
    assert pmtu_collect(registered, "a") == [
        {"target": "10.0.1.12", "path_mtu": 1498, "deficit": 2, "network": "tunnel", "source_host": "a", "target_host": "b"}
    ]
    assert pmtu_collect({"results": []}, "a") == []
    with pytest.raises(AnsibleFilterError):
        pmtu_collect([], "a")


def test_filter_module_names():
    assert sorted(FilterModule().filters()) == ["pmtu_collect", "pmtu_endpoints", "pmtu_plan"]


def chassis(name, encap_ip, mtu, **ovn_extra):
    out = facts(("eth0", 1500, ["192.0.2." + encap_ip.rsplit(".", 1)[1]]), ("br-tun", mtu, [encap_ip]))
    out["ovn"] = dict({"encap_ip": encap_ip, "encap_type": "geneve", "bridge_mappings": {}, "system_id": name}, **ovn_extra)
    return out


def test_ovn_chassis_probe_between_their_encap_addresses():
    hosts = {f"c{i}": chassis(f"c{i}", f"10.224.0.{10 + i}", 9000 if i != 2 else 1500) for i in (1, 2, 3)}
    endpoints = {h: pmtu_endpoints(f, "192.0.2.1") for h, f in hosts.items()}
    assert endpoints["c2"]["ovn_encap"] == {"address": "10.224.0.12", "interface": "br-tun", "mtu": 1500, "family": 4}
    assert "tunnel" not in endpoints["c2"]  # no local_ip on an OVN chassis
    plan = pmtu_plan(endpoints, 3)
    encap = {
        h: sorted((p["target_host"], p["source"], p["target"], p["expected_mtu"]) for p in probes if p["network"] == "ovn_encap") for h, probes in plan.items()
    }
    assert encap["c1"] == [("c2", "10.224.0.11", "10.224.0.12", 1500), ("c3", "10.224.0.11", "10.224.0.13", 9000)]
    assert [len(v) for v in encap.values()] == [2, 2, 2]


def test_ovn_encap_interface_found_by_subnet_comes_from_the_facts():
    out = chassis("c1", "10.224.0.11", 9000)
    out["interfaces"]["br-tun"]["addresses"] = []  # the address is not on any interface of the facts
    out["ovn"].update(encap_interface="eth1", encap_interface_mtu=8950)
    assert pmtu_endpoints(out)["ovn_encap"] == {"address": "10.224.0.11", "interface": "eth1", "mtu": 8950, "family": 4}
    out["ovn"]["encap_ip"] = None
    assert "ovn_encap" not in pmtu_endpoints(out)
