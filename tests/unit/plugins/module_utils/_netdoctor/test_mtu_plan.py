"""Stack ordering for raising and lowering MTUs, the commands, and the revert script (mtu_plan)."""

from __future__ import annotations

import copy
import os
import subprocess

import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import iplink, mtu_plan, ovs


def _text_links(name):
    return iplink.link_facts(iplink.parse_link_text(read_fixture(name)))


def _bond_vlan_bridge():
    """A real active-backup bond (enp1s0, enp2s0 -> bond0, captured), with a VLAN bond0.100 and a Linux bridge
    br-vlan on it added as facts entries (this kernel cannot make VLANs; the shape is docs/facts.md's)."""
    links = _text_links("ip-link/ip-d-s-link-bond-active-backup-iproute2-6.x.txt")
    links["bond0.100"] = {
        "name": "bond0.100",
        "kind": "vlan",
        "mtu": 1500,
        "min_mtu": 0,
        "max_mtu": 65535,
        "lower": "bond0",
        "master": "br-vlan",
        "master_kind": "bridge",
    }
    links["br-vlan"] = {"name": "br-vlan", "kind": "bridge", "mtu": 1500, "min_mtu": 68, "max_mtu": 65535, "bridge_ports": ["bond0.100"]}
    return links


def _ovs_lab():
    """The lab capture: OVS netdev bridge br-lab with veth ports ovsp1-3 and internal ports br-lab and int1 (mtu_request 1400)."""
    links = iplink.link_facts(iplink.parse_link_json(read_fixture("ip-link-json/lab-netns-veth-bridge-vxlan-macvlan-tap-ovs-netdev.json")))
    _facts, per_interface = ovs.parse_vsctl_chained(read_fixture("ovs-vsctl/lab-netdev-chained-list-json.txt"))
    for name, entry in per_interface.items():
        if name in links:
            links[name]["ovs"] = entry
            if entry["type"] == "internal":
                links[name]["kind"] = "ovs_internal"
    return links


def _order(steps):
    return [s["name"] for s in steps]


def test_bond_fixture_is_what_the_tests_assume():
    links = _bond_vlan_bridge()
    assert links["bond0"]["bond_members"] == ["enp1s0", "enp2s0"]
    assert links["enp1s0"]["master"] == "bond0"


@pytest.mark.parametrize(
    "target, expected",
    [
        # raising a member: its bond first needs the other member, then the VLAN on the bond, then the bridge on the VLAN
        ("enp1s0", ["enp1s0", "enp2s0", "bond0", "bond0.100", "br-vlan"]),
        # raising the bond: members first (bottom up), then what is stacked on it
        ("bond0", ["enp1s0", "enp2s0", "bond0", "bond0.100", "br-vlan"]),
        # raising the bridge: everything beneath it first
        ("br-vlan", ["enp1s0", "enp2s0", "bond0", "bond0.100", "br-vlan"]),
    ],
)
def test_raise_bond_vlan_bridge_bottom_up(target, expected):
    steps = mtu_plan.plan(_bond_vlan_bridge(), target, 9000, stack=True)
    assert _order(steps) == expected
    assert all(s["before"] == 1500 and s["after"] == 9000 and s["method"] == "ip" for s in steps)


def test_lower_bond_top_down():
    links = _bond_vlan_bridge()
    for entry in links.values():
        entry["mtu"] = 9000
    steps = mtu_plan.plan(links, "bond0", 1500, stack=True)
    # what is stacked on the bond first, top down; the members are left larger (a parent may exceed its child)
    assert _order(steps) == ["br-vlan", "bond0.100", "bond0"]


def test_parent_never_left_smaller_than_child():
    links = _bond_vlan_bridge()
    for entry in links.values():
        entry["mtu"] = 9000
    with pytest.raises(mtu_plan.PlanError, match="bond0.100 on bond0 has MTU 9000"):
        mtu_plan.plan(links, "bond0", 1500, stack=False)
    low = copy.deepcopy(_bond_vlan_bridge())
    with pytest.raises(mtu_plan.PlanError, match="beneath bond0.100 carries only 1500"):
        mtu_plan.plan(low, "bond0.100", 9000, stack=False)


def test_raise_leaves_devices_already_large_enough():
    links = _bond_vlan_bridge()
    links["enp2s0"]["mtu"] = 9216
    links["br-vlan"]["mtu"] = 9000
    assert _order(mtu_plan.plan(links, "bond0", 9000, stack=True)) == ["enp1s0", "bond0", "bond0.100"]


def test_ovs_internal_port_through_mtu_request_after_its_ports():
    links = _ovs_lab()
    steps = mtu_plan.plan(links, "int1", 9000, stack=True)
    assert _order(steps) == ["ovsp1", "ovsp2", "ovsp3", "int1"]
    assert {s["method"] for s in steps} == {"ovs"}
    assert mtu_plan.apply_argv(steps[-1]) == ["ovs-vsctl", "--timeout=5", "set", "Interface", "int1", "mtu_request=9000"]
    # int1 had mtu_request=1400: the revert puts that back; a port without one gets it cleared
    assert steps[-1]["mtu_request_before"] == 1400
    assert mtu_plan.revert_argv(steps[-1])[-1] == "mtu_request=1400"
    assert mtu_plan.revert_argv(steps[0]) == ["ovs-vsctl", "--timeout=5", "clear", "Interface", "ovsp1", "mtu_request"]


def test_ovs_port_raises_the_bridge_internal_ports_with_stack():
    steps = mtu_plan.plan(_ovs_lab(), "ovsp1", 9000, stack=True)
    assert _order(steps)[0] == "ovsp1"
    assert set(_order(steps)) >= {"br-lab", "int1"}


def test_linux_bridge_guest_ports_stay():
    links = _ovs_lab()  # br0 has ports v1 (veth) and tap0 (a guest's tap)
    assert _order(mtu_plan.plan(links, "br0", 9000, stack=True)) == ["v1", "br0"]


@pytest.mark.parametrize(
    "name, mtu, message",
    [
        ("eth9", 9000, "does not exist"),
        ("uplink", 70000, "outside what uplink accepts"),
        ("uplink", 60, "outside what uplink accepts"),
        ("bad;name", 9000, "cannot hold"),
        ("a" * 16, 9000, "at most 15"),
        ("a/b", 9000, "cannot hold"),
    ],
)
def test_refusals(name, mtu, message):
    with pytest.raises(ValueError, match=message):
        mtu_plan.plan(_ovs_lab(), name, mtu, stack=True)


def test_stacked_device_range_checked_before_anything():
    links = _bond_vlan_bridge()
    links["enp2s0"]["max_mtu"] = 1500  # a member that cannot go higher refuses the whole plan
    with pytest.raises(mtu_plan.PlanError, match="enp2s0 accepts"):
        mtu_plan.plan(links, "bond0", 9000, stack=True)


def test_revert_script_runs(tmp_path):
    """The generated script restores a file, removes a new one, reverses the steps, marks itself done."""
    original = tmp_path / "eth0.network"
    original.write_text("[Link]\nMTUBytes=9000\n")
    backup = tmp_path / "backup"
    backup.write_text("[Link]\nMTUBytes=1500\n")
    created = tmp_path / "new file"
    created.write_text("x")
    steps = mtu_plan.plan(_bond_vlan_bridge(), "bond0", 9000, stack=True)
    state = mtu_plan.merge_state(None, steps, [{"path": str(original), "backup": str(backup)}, {"path": str(created), "backup": None}])
    # a second call with the same device keeps the first original
    state = mtu_plan.merge_state(state, [dict(steps[0], before=9000)], [{"path": str(original), "backup": "/elsewhere"}])
    script = mtu_plan.revert_script(state, str(tmp_path / "reverted"))
    lines = script.splitlines()
    reverts = [line for line in lines if line.startswith("ip link")]
    assert reverts[0].startswith("ip link set dev br-vlan mtu 1500") and reverts[-1].startswith("ip link set dev enp1s0 mtu 1500")
    assert "'" in script and "new file" in script  # quoted
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    # no real `ip` here: the links do not exist on this machine; a recorder stands in, the file steps are real
    (fake_bin / "ip").write_text('#!/bin/sh\necho "$@" >> "$RECORD"\n')
    os.chmod(fake_bin / "ip", 0o755)
    env = {"RECORD": str(tmp_path / "record"), "PATH": str(fake_bin)}
    script = script.replace("PATH=/usr/local/sbin", f"PATH={fake_bin}:/usr/local/sbin")
    (tmp_path / "revert.sh").write_text(script)
    subprocess.run(["/bin/sh", str(tmp_path / "revert.sh")], check=True, env=env)
    assert original.read_text() == "[Link]\nMTUBytes=1500\n"
    assert not created.exists()
    assert (tmp_path / "reverted").exists()
    assert (tmp_path / "record").read_text().splitlines()[0] == "link set dev br-vlan mtu 1500"


def test_nm_checkpoint_commands():
    assert mtu_plan.nm_checkpoint_create_argv(["/org/freedesktop/NetworkManager/Devices/2"], 120)[-6:] == [
        "CheckpointCreate",
        "aouu",
        "1",
        "/org/freedesktop/NetworkManager/Devices/2",
        "120",
        "6",
    ]
    assert mtu_plan.nm_checkpoint_argv("CheckpointRollback", "/org/freedesktop/NetworkManager/Checkpoint/3")[-3:] == [
        "CheckpointRollback",
        "o",
        "/org/freedesktop/NetworkManager/Checkpoint/3",
    ]
    with pytest.raises(mtu_plan.PlanError):
        mtu_plan.nm_checkpoint_argv("CheckpointRollback", "/etc/passwd")
    assert mtu_plan.nm_device_argv("eth0")[-3:] == ["GetDeviceByIpIface", "s", "eth0"]


def test_parse_busctl_object():
    # busctl's own output format for a method returning an object path (captured in the lab container, systemd 252)
    text = read_fixture("busctl/call-systemd1-GetUnit-dbus.txt")
    assert mtu_plan.parse_busctl_object(text) == "/org/freedesktop/systemd1/unit/dbus_2eservice"
    with pytest.raises(mtu_plan.PlanError):
        mtu_plan.parse_busctl_object("Call failed: No such device")


def test_revert_timer_argv():
    argv = mtu_plan.revert_timer_argv("netdoctor-jumbo-underlay-revert", 120, "/var/lib/netdoctor/jumbo_underlay/revert.sh")
    assert argv[:2] == ["systemd-run", "--unit=netdoctor-jumbo-underlay-revert"]
    assert "--on-active=120s" in argv and "--collect" in argv
    assert argv[-2:] == ["/bin/sh", "/var/lib/netdoctor/jumbo_underlay/revert.sh"]


@pytest.mark.parametrize("unit", ["jumbo-revert", "netdoctor-a b", "netdoctor-x;reboot", None])
def test_revert_timer_refuses_units_we_do_not_own(unit):
    with pytest.raises(mtu_plan.PlanError, match="must start with netdoctor-"):
        mtu_plan.revert_timer_argv(unit, 120, "/tmp/revert.sh")


def test_attach_ovs_marks_internal_ports():
    links = iplink.link_facts(iplink.parse_link_json(read_fixture("ip-link-json/lab-netns-veth-bridge-vxlan-macvlan-tap-ovs-netdev.json")))
    _facts, per_interface = ovs.parse_vsctl_chained(read_fixture("ovs-vsctl/lab-netdev-chained-list-json.txt"))
    assert mtu_plan.attach_ovs(links, dict(per_interface, ghost0={"type": "internal"})) is links
    assert "ghost0" not in links
    assert links["int1"]["kind"] == "ovs_internal" and links["int1"]["ovs"]["type"] == "internal"
    assert links == _ovs_lab()
