# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""OVN chassis settings from real `ovs-vsctl list open_vswitch` captures (OSA, kolla, hotsos, lab) and the lab's chained JSON."""

from __future__ import annotations

import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import ovn, ovs


def external_ids_of(relpath: str, skip_header: bool = False) -> dict:
    text = read_fixture(relpath)
    if skip_header:  # hotsos' test data starts with the "Open_vSwitch table" title line
        text = text.split("\n", 1)[1]
    rows = ovs.parse_vsctl_list_text(text)
    assert len(rows) == 1
    return rows[0]["external_ids"]


CHASSIS = [
    (
        "ovs-vsctl/osa-aio1-list-open_vswitch-ovn-chassis.txt",
        False,
        {
            "encap_ip": "172.29.240.100",
            "encap_ips": ["172.29.240.100"],
            "encap_type": "geneve",
            "encap_types": ["geneve", "vxlan"],
            "bridge_mappings": {"vlan": "br-provider"},
            "system_id": "11af26c6-9ec1-4cf7-bf41-2af45bd59b03",
            "hostname": "aio1",
            "integration_bridge": "br-int",
            "cms_options": [],
            "sb_remote": ["tcp:172.29.236.100:6642"],
            "nb_remote": [],
        },
    ),
    (
        "ovs-vsctl/kolla-openvswitch_db-list-open_vswitch-gateway-chassis.txt",
        False,
        {
            "encap_ip": "10.102.19.101",
            "encap_ips": ["10.102.19.101"],
            "encap_type": "geneve",
            "encap_types": ["geneve"],
            "bridge_mappings": {"vlan": "br-ex"},
            "system_id": "hni-cloud-hci-controller-101",
            "hostname": "hni-cloud-hci-controller-101.vnpaycloud.vn",
            "integration_bridge": "br-int",
            "cms_options": ["enable-chassis-as-gw"],
            "sb_remote": ["ssl:10.102.19.101:6649", "ssl:10.102.19.102:6649", "ssl:10.102.19.103:6649"],
            "nb_remote": [],
        },
    ),
    (
        "ovs-vsctl/hotsos-ovs-db-geneve-encap-list-Open_vSwitch.txt",
        True,
        {
            "encap_ip": "10.3.4.24",
            "encap_ips": ["10.3.4.24"],
            "encap_type": "geneve",
            "encap_types": ["geneve"],
            "bridge_mappings": {"physnet1": "br-data"},
            "system_id": "compute-1",
            "hostname": "compute-1",
            "integration_bridge": "br-int",
            "cms_options": ["enable-chassis-as-gw"],
            "sb_remote": ["ssl:10.3.4.99:6642", "ssl:10.3.4.125:6642", "ssl:10.3.4.140:6642"],
            "nb_remote": [],
        },
    ),
    (
        "ovs-vsctl/ovn-lab-columns-external_ids-list-open_vswitch.txt",
        False,
        {
            "encap_ip": "192.168.122.100",
            "encap_ips": ["192.168.122.100"],
            "encap_type": "geneve",
            "encap_types": ["geneve"],
            "bridge_mappings": {},
            "system_id": "ovn0",
            "hostname": "ovn0",
            "integration_bridge": "br-int",
            "cms_options": [],
            "sb_remote": ["tcp:192.168.122.100:6642"],
            "nb_remote": [],
        },
    ),
]


@pytest.mark.parametrize(("relpath", "skip_header", "expected"), CHASSIS, ids=[c[0].split("/")[1] for c in CHASSIS])
def test_chassis_facts_from_real_captures(relpath, skip_header, expected):
    assert ovn.chassis_facts(external_ids_of(relpath, skip_header)) == expected


def test_a_host_without_ovn_settings_is_no_chassis():
    external_ids = external_ids_of("ovs-vsctl/osa-mnaio-controller1-list-open_vswitch-not-chassis.txt")
    assert external_ids["system-id"] == "a67926f2-9543-419a-903d-23e2aa308368"
    assert ovn.is_chassis(external_ids) is False
    assert ovn.chassis_facts(external_ids) is None
    assert ovn.chassis_facts({}) is None and ovn.chassis_facts(None) is None


def test_the_lab_chained_json_carries_the_chassis_settings():
    """The one chained call net_facts makes, captured on a lab container running a real ovn-controller."""
    ovs_facts, per_interface, external_ids = ovs.parse_vsctl_chained_with_system(read_fixture("ovs-vsctl/lab-ovn-chassis-chained-list-json.txt"))
    assert ovs_facts["version"] == "3.1.0"
    assert sorted(ovs_facts["bridges"]) == ["br-ex", "br-int"]  # br-int made by ovn-controller
    assert per_interface["ex0"]["bridge"] == "br-ex"
    facts = ovn.chassis_facts(external_ids)
    assert facts["encap_ip"] == "192.0.2.11" and facts["encap_type"] == "geneve"
    assert facts["bridge_mappings"] == {"physnet1": "br-ex", "physnet2": "br-ex"}
    assert facts["system_id"] == "22e76669-f32c-4983-9a0a-a29898c8e7c1"
    assert facts["cms_options"] == ["enable-chassis-as-gw"]
    assert facts["sb_remote"] == ["tcp:192.0.2.11:6642"]
    # the text form of the same database says the same
    text_ids = external_ids_of("ovs-vsctl/lab-ovn-chassis-list-open_vswitch.txt")
    assert ovn.chassis_facts(text_ids) == facts


def test_the_lab_chained_json_without_ovn_gives_no_external_ids_chassis():
    _facts, _per_interface, external_ids = ovs.parse_vsctl_chained_with_system(read_fixture("ovs-vsctl/lab-netdev-chained-list-json.txt"))
    assert external_ids == {}  # captured before the column was asked for
    assert ovn.chassis_facts(external_ids) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("physnet1:br-ex", {"physnet1": "br-ex"}),
        ("physnet1:br-ex,physnet2:br-vlan", {"physnet1": "br-ex", "physnet2": "br-vlan"}),
        (" physnet1 : br-ex , ", {"physnet1": "br-ex"}),
        ("broken,:br-x,physnet3:", {}),
        ("", {}),
        (None, {}),
    ],
)
def test_parse_bridge_mappings(value, expected):
    assert ovn.parse_bridge_mappings(value) == expected


@pytest.mark.parametrize(
    ("types", "expected"),
    [(["geneve", "vxlan"], "geneve"), (["vxlan", "geneve"], "geneve"), (["vxlan"], "vxlan"), (["stt", "vxlan"], "stt"), (["Geneve"], "geneve"), ([], None)],
)
def test_preferred_encap_follows_ovn_controller(types, expected):
    assert ovn.preferred_encap(types) == expected


def test_several_encap_ips_and_the_default_one():
    ids = {"ovn-encap-ip": "192.0.2.11,198.51.100.11", "ovn-encap-type": "geneve"}
    assert ovn.chassis_facts(ids)["encap_ip"] == "192.0.2.11"
    assert ovn.chassis_facts(ids)["encap_ips"] == ["192.0.2.11", "198.51.100.11"]
    ids["ovn-encap-ip-default"] = "198.51.100.11"
    assert ovn.chassis_facts(ids)["encap_ip"] == "198.51.100.11"
    assert ovn.chassis_facts({"ovn-remote": "tcp:192.0.2.1:6642", "ovn-nb": "tcp:192.0.2.1:6641"})["nb_remote"] == ["tcp:192.0.2.1:6641"]


INTERFACES = {
    "eth0": {"mtu": 1500, "addresses": [{"family": 4, "address": "10.0.0.5", "prefixlen": 16}]},
    "br-tun": {"mtu": 9000, "addresses": [{"family": 4, "address": "10.0.8.5", "prefixlen": 24}, {"family": 6, "address": "fd00::5", "prefixlen": 64}]},
    "lo": {"mtu": 65536, "addresses": [{"family": 4, "address": "127.0.0.1", "prefixlen": 8}]},
    "tap0": {"mtu": 1442},
}


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("10.0.8.5", ("br-tun", 9000)),  # exact
        ("10.0.0.5", ("eth0", 1500)),
        ("10.0.8.77", ("br-tun", 9000)),  # longest prefix: /24 beats /16
        ("10.0.9.1", ("eth0", 1500)),
        ("fd00::5", ("br-tun", 9000)),
        ("192.0.2.1", (None, None)),
        ("not-an-ip", (None, None)),
        (None, (None, None)),
    ],
)
def test_encap_interface(address, expected):
    assert ovn.encap_interface(INTERFACES, address) == expected


def test_controller_pid_from_a_pidfile_then_proc(tmp_path):
    proc = tmp_path / "proc"
    for pid, comm in ((1, "systemd"), (250, "ovsdb-server"), (412, "ovn-controller")):
        (proc / str(pid)).mkdir(parents=True)
        (proc / str(pid) / "comm").write_text(comm + "\n")
    (proc / "self").mkdir()
    pidfile = tmp_path / "ovn-controller.pid"
    pidfile.write_text("412\n")
    assert ovn.controller_pid(str(proc), (str(tmp_path / "absent.pid"), str(pidfile))) == 412
    pidfile.write_text("250\n")  # a stale pidfile naming another process: the scan finds the real one
    assert ovn.controller_pid(str(proc), (str(pidfile),)) == 412
    (proc / "412" / "comm").write_text("bash\n")
    assert ovn.controller_pid(str(proc), (str(pidfile),)) is None
    assert ovn.controller_pid(str(tmp_path / "no-proc"), ()) is None
