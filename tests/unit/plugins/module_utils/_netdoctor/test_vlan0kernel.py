# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""vlan0kernel: tc and VLAN-0 device commands, the persistence files, and the kernel probe's verdicts
read from what this machine's kernel really answered (tests/unit/fixtures/kernel-refusals/).

This kernel has neither flower, the vlan action nor 802.1Q devices (LAB.md), so no capture of our
filter in place exists: the positive filter check is not tested here.
"""

from __future__ import annotations

import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import vlan0kernel
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import InvalidName

FLOWER = "tc filter replace dev eno1 ingress pref 41 handle 0x6e64 protocol 802.1Q flower vlan_id 0 action vlan pop cookie 6e64707461670000"


def test_tc_argv():
    assert " ".join(vlan0kernel.flower_argv("eno1")) == FLOWER
    assert vlan0kernel.clsact_argv("eno1") == ["tc", "qdisc", "add", "dev", "eno1", "clsact"]
    assert vlan0kernel.delete_filter_argv("eno1") == [
        "tc",
        "filter",
        "del",
        "dev",
        "eno1",
        "ingress",
        "pref",
        "41",
        "handle",
        "0x6e64",
        "protocol",
        "802.1Q",
        "flower",
    ]
    with pytest.raises(InvalidName):
        vlan0kernel.flower_argv("eno1;reboot")


def test_plan_tc_without_ingress_qdisc():
    plan = vlan0kernel.plan_tc("eno1", ["mq"], "")
    assert plan["commands"] == [vlan0kernel.clsact_argv("eno1"), vlan0kernel.flower_argv("eno1")]
    assert (plan["before"], plan["after"]) == (False, True)


def test_plan_tc_next_to_a_foreign_filter():
    # real capture: clsact on uplink with a u32 mirred filter (pref 49152): ours is added, the other stays
    text = read_fixture("tc-json/lab-netns-filter-uplink-ingress-u32-mirred.json")
    plan = vlan0kernel.plan_tc("uplink", ["noqueue", "clsact"], text)
    assert plan["commands"] == [vlan0kernel.flower_argv("uplink")]
    assert vlan0kernel.plan_tc("uplink", ["noqueue", "clsact"], text, state="absent")["commands"] == []


def test_qdisc_kinds_of_one_device():
    # `tc -j qdisc show dev lo` names no dev: the full listing's parser would find nothing
    assert vlan0kernel.qdisc_kinds(read_fixture("tc-json/lab-netns-qdisc-show-dev-lo-clsact.json")) == ["clsact"]


def _probe_results(**overrides):
    results = {name: (0, "") for name, _argv in vlan0kernel.probe_steps("nd-ptag-probe-1")}
    results.update(overrides)
    return results


def test_verdicts_on_this_kernel():
    results = _probe_results(
        flower=(2, read_fixture("kernel-refusals/tc-filter-add-flower-vlan-pop.stderr")),
        vlan_action=(2, read_fixture("kernel-refusals/tc-filter-add-u32-vlan-pop.stderr")),
        vlan_device=(2, read_fixture("kernel-refusals/ip-link-add-type-vlan-id-0.stderr")),
    )
    assert vlan0kernel.verdicts(results) == {
        "tc": "the kernel has no flower classifier (cls_flower); the kernel has no vlan action (act_vlan)",
        "vlan0_device": "the kernel has no 802.1Q VLAN devices (8021q)",
    }


def test_verdicts_supported_and_unknown():
    assert vlan0kernel.verdicts(_probe_results()) == {"tc": None, "vlan0_device": None}
    # flower present, vlan action missing: the flower step itself fails on the action
    results = _probe_results(flower=(2, read_fixture("kernel-refusals/tc-filter-add-u32-vlan-pop.stderr")))
    assert vlan0kernel.verdicts(results)["tc"] == "the kernel has no vlan action (act_vlan)"
    assert vlan0kernel.refusal_reason(2, read_fixture("kernel-refusals/tc-qdisc-add-clsact-exists.stderr")) == "Error: Exclusivity flag on, cannot modify."
    failed_netns = vlan0kernel.verdicts({"netns": (1, "mount --make-shared /run/netns failed: Operation not permitted\n")})
    assert (
        failed_netns["tc"]
        == failed_netns["vlan0_device"]
        == "cannot probe in a scratch namespace: mount --make-shared /run/netns failed: Operation not permitted"
    )


def test_probe_steps_end_with_cleanup():
    steps = vlan0kernel.probe_steps("nd-ptag-probe-42")
    assert steps[0] == ("netns", ["ip", "netns", "add", "nd-ptag-probe-42"])
    assert steps[-1] == ("cleanup", ["ip", "netns", "delete", "nd-ptag-probe-42"])
    assert all(argv[1:3] == ["-n", "nd-ptag-probe-42"] for _name, argv in steps[1:-1])
    with pytest.raises(InvalidName):
        vlan0kernel.probe_steps("../etc")


@pytest.mark.parametrize(("name", "escaped"), [("eno1", "eno1"), ("br-ex", "br\\x2dex"), ("tap0e778df8-ca", "tap0e778df8\\x2dca"), ("eth0.100", "eth0.100")])
def test_systemd_escape(name, escaped):
    assert vlan0kernel.systemd_escape(name) == escaped


def test_tc_unit_text():
    text = vlan0kernel.tc_unit_text(["eno2", "eno1"], "/usr/sbin/tc")
    lines = text.splitlines()
    assert "After=sys-subsystem-net-devices-eno1.device sys-subsystem-net-devices-eno2.device openvswitch-switch.service ovs-vswitchd.service" in lines
    assert "WantedBy=multi-user.target openvswitch-switch.service ovs-vswitchd.service" in lines
    assert [line for line in lines if line.startswith("ExecStart")] == [
        "ExecStart=-/usr/sbin/tc qdisc add dev eno1 clsact",
        "ExecStart=/usr/sbin/tc " + FLOWER[3:].replace("eno1", "eno1"),
        "ExecStart=-/usr/sbin/tc qdisc add dev eno2 clsact",
        "ExecStart=/usr/sbin/tc " + FLOWER[3:].replace("eno1", "eno2"),
    ]
    assert "Type=oneshot" in lines and "RemainAfterExit=yes" in lines


@pytest.mark.parametrize(("name", "vdev"), [("enp9s0", "enp9s0.0"), ("enp175s0f1np1", "enp175s0f1np1.0"), ("enx00e04c680011", "enx00e04c6800.0")])
def test_vlan0_device_name(name, vdev):
    assert vlan0kernel.vlan0_device_name(name) == vdev
    assert len(vdev.encode()) <= 15


def test_vlan0_device_commands_and_files():
    assert vlan0kernel.vlan0_device_commands("enp9s0", "xenbr0") == [
        ["ip", "link", "add", "link", "enp9s0", "name", "enp9s0.0", "type", "vlan", "id", "0"],
        ["ip", "link", "set", "dev", "enp9s0", "nomaster"],
        ["ip", "link", "set", "dev", "enp9s0.0", "master", "xenbr0"],
        ["ip", "link", "set", "dev", "enp9s0.0", "up"],
    ]
    files = vlan0kernel.networkd_files("enp9s0", "xenbr0")
    assert files["/etc/systemd/network/60-netdoctor-enp9s0.0.netdev"].endswith("[NetDev]\nName=enp9s0.0\nKind=vlan\n\n[VLAN]\nId=0\n")
    assert files["/etc/systemd/network/60-netdoctor-enp9s0.0.network"].endswith("[Match]\nName=enp9s0.0\n\n[Network]\nBridge=xenbr0\n")
    stanza = vlan0kernel.ifupdown_stanza("enp9s0", "xenbr0")
    assert stanza.endswith("auto enp9s0.0\niface enp9s0.0 inet manual\n    vlan-raw-device enp9s0\n")
    assert "xenbr0 must list enp9s0.0 in bridge_ports in place of enp9s0" in stanza
