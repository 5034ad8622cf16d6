# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Network records, MTU update plans and instance advice from real Neutron API output (fixtures/neutron-api)."""

from __future__ import annotations

import json

import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import networks


def api(name: str) -> dict:
    return json.loads(read_fixture(f"neutron-api/{name}"))


def listed() -> dict:
    return {n["name"]: n for n in (networks.normalize_network(raw) for raw in api("networks-list.json")["networks"])}


def test_normalize_every_captured_network():
    records = listed()
    assert set(records) == {"vx-default", "vx-small", "vlan120", "flat-ext", "", "multi"}
    vx = records["vx-default"]
    assert (vx["network_type"], vx["physical_network"], vx["mtu"], vx["project_id"]) == ("vxlan", None, 1450, "lab-project-a")
    assert isinstance(vx["segmentation_id"], int) and vx["segmentation_id"] > 0
    assert vx["segments"] == [{"network_type": "vxlan", "physical_network": None, "segmentation_id": vx["segmentation_id"]}]
    assert records["vx-small"]["mtu"] == 1400
    vlan = records["vlan120"]
    assert (vlan["network_type"], vlan["physical_network"], vlan["segmentation_id"], vlan["mtu"]) == ("vlan", "physnet1", 120, 1500)
    flat = records["flat-ext"]
    assert (flat["network_type"], flat["segmentation_id"], flat["external"], flat["shared"]) == ("flat", None, True, True)
    assert records[""]["name"] == "" and networks.label(records[""]) == records[""]["id"]


def test_normalize_multi_segment_network_keeps_every_segment():
    multi = listed()["multi"]
    assert [s["network_type"] for s in multi["segments"]] == ["vlan", "vxlan"]
    assert multi["segments"][0] == {"network_type": "vlan", "physical_network": "physnet1", "segmentation_id": 130}
    assert multi["network_type"] == "vlan"  # the first segment stands for the network
    assert multi["mtu"] == 1450  # Neutron gives a multi-segment network the smallest of its segments' MTUs


def test_normalize_refuses_a_record_without_id():
    with pytest.raises(networks.NetworkError, match="no id"):
        networks.normalize_network({"name": "x", "mtu": 1450})


@pytest.mark.parametrize(
    ("requests", "message"),
    [
        ("not a list", "must be a list"),
        ([{"mtu": 1450}], r"networks\[0\] must be a dict with an id"),
        ([{"id": "a", "mtu": 1450}, {"id": "a", "mtu": 1400}], "listed twice"),
        ([{"id": "a", "mtu": 67}], "outside the allowed range 68-65535"),
        ([{"id": "a", "mtu": 65536}], "outside the allowed range"),
        ([{"id": "a", "mtu": "jumbo"}], "must be an integer"),
        ([{"id": "a", "name": "web", "mtu": None}], "mtu of network web must be an integer"),
    ],
)
def test_validate_requests_refuses_bad_input(requests, message):
    with pytest.raises(networks.NetworkError, match=message):
        networks.validate_requests(requests)


def test_plan_updates_only_what_differs():
    current = {n["id"]: n for n in listed().values()}
    by_name = {n["name"]: n["id"] for n in current.values()}
    plan = networks.plan_updates(
        current,
        networks.validate_requests(
            [
                {"id": by_name["vx-default"], "mtu": 1400},
                {"id": by_name["vx-small"], "mtu": 1400},
                {"id": "7b0d2c6a-0000-4000-8000-000000000000", "name": "gone", "mtu": 1450},
            ]
        ),
    )
    assert [p["action"] for p in plan] == ["update", "none", "missing"]
    assert (plan[0]["before"], plan[0]["after"], plan[0]["name"]) == (1450, 1400, "vx-default")
    assert plan[2]["name"] == "gone" and plan[2]["before"] is None
    diff = networks.diff_text(plan)
    assert diff["before"] == f"network vx-default ({by_name['vx-default']}): mtu 1450\n"
    assert diff["after"] == f"network vx-default ({by_name['vx-default']}): mtu 1400\n"


def test_instance_ports_are_the_compute_owned_ones():
    ports = networks.instance_ports(api("ports-list.json")["ports"])
    assert len(ports) == 1
    network_id, owned = next(iter(ports.items()))
    assert [p["device_id"] for p in owned] == ["5d1b4f2e-0c3a-4d5e-9f60-7a8b9c0d1e2f"]  # the network:dhcp port is not an instance's
    assert owned[0]["fixed_ips"] and owned[0]["fixed_ips"][0].startswith("192.0.2.")
    assert network_id == listed()["vx-default"]["id"]


def _advice(name: str, lease, ports_of: str | None = None):
    network = listed()[name]
    ports = networks.instance_ports(api("ports-list.json")["ports"]).get(listed()[ports_of or name]["id"], [])
    subnets = [s for s in api("subnets-list.json")["subnets"] if s["network_id"] == network["id"]]
    return networks.instance_actions(network, 1400, ports, subnets, lease)


def test_instance_actions_dhcp_renewal_at_half_the_lease():
    advice = _advice("vx-default", None)
    assert advice["dhcp_lease_duration"] == 86400 and advice["renewal_within"] == 43200
    assert advice["instances"] == ["5d1b4f2e-0c3a-4d5e-9f60-7a8b9c0d1e2f"]
    assert "within 43200 s" in advice["action"] and "cloud-init" in advice["action"]
    assert _advice("vx-default", 3600)["renewal_within"] == 1800


def test_instance_actions_infinite_lease_and_no_dhcp():
    infinite = _advice("vx-default", -1)
    assert infinite["renewal_within"] is None and "reboot" in infinite["action"]
    no_dhcp = _advice("vlan120", 86400, ports_of="vx-default")  # its only subnet has enable_dhcp false
    assert no_dhcp["dhcp_subnets"] == [] and no_dhcp["renewal_within"] is None
    assert "no subnet of this network serves DHCP" in no_dhcp["action"]


def test_normalize_the_answer_to_an_accepted_update():
    updated = networks.normalize_network(api("put-network-mtu-200.json")["network"])
    assert (updated["name"], updated["mtu"], updated["network_type"]) == ("vx-default", 1400, "vxlan")


def test_instance_actions_without_instances():
    advice = _advice("vlan120", 86400)
    assert advice["instances"] == [] and advice["action"] == "no instance has a port on this network: nothing to do in guests"
