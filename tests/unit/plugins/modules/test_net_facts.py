# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""net_facts: option handling, and the whole gather fed with real captured output through a fake run."""

from __future__ import annotations

import json
import os

import pytest
from ansible.module_utils.testing import patch_module_args
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import ethtool, netfacts
from ansible_collections.netdoctor.openstack.plugins.modules import net_facts

ALL = ["links", "offloads", "drivers", "vlan", "counters", "neutron"]

OUTPUTS = {
    ("ip", "-j", "-d", "-s", "link", "show"): "ip-link-json/lab-netns-veth-bridge-vxlan-macvlan-tap-ovs-netdev.json",
    ("ip", "-j", "addr", "show"): "ip-addr-json/lab-netns-addr-show.json",
    ("ip", "-j", "route", "show", "table", "all"): "ip-route-json/lab-netns-route-show-table-all.json",
    ("ip", "-j", "-6", "route", "show", "table", "all"): "ip-route-json/lab-netns-6-route-show-table-all.json",
    tuple(["ovs-vsctl"] + netfacts.ovs.vsctl_args()): "ovs-vsctl/lab-netdev-chained-list-json.txt",
    ("tc", "-j", "qdisc", "show"): "tc-json/lab-netns-qdisc-show-clsact-ingress.json",
    ("ovs-appctl", "dpctl/dump-flows", "--names"): "ovs-appctl/dpctl-dump-flows-names-netdev-vid0-unstripped.txt",
    ("journalctl", "-k", "-o", "cat", "-n", "20000", "--no-pager"): "kernlog/ovs-dropped-over-mtu-tap-1450.txt",
}
OFCTL = ("ovs-ofctl", "-O", "OpenFlow10,OpenFlow11,OpenFlow12,OpenFlow13,OpenFlow14,OpenFlow15", "dump-flows")
FLOWS = {"br-lab": "ovs-ofctl/lab-dump-flows-O-all-versions-br-lab-of15.txt", "br-ex": "ovs-ofctl/lab-dump-flows-br-ex-normal-only.txt"}


class FakeRun:
    """Answers the commands net_facts runs with real captures; anything else is 'not found'."""

    def __init__(self, missing=()):
        self.calls = []
        self.missing = set(missing)

    def __call__(self, argv, data=None):
        self.calls.append((tuple(argv), data))
        key = tuple(argv)
        if argv[0] in self.missing:
            return 127, "", f"{argv[0]}: command not found"
        if key in OUTPUTS:
            return 0, read_fixture(OUTPUTS[key]), ""
        if key[:4] == OFCTL and key[4] in FLOWS:
            return 0, read_fixture(FLOWS[key[4]]), ""
        if key == ("tc", "-j", "-batch", "-"):
            # the capture answered "uplink ingress", "v0 ingress", "uplink egress", one line each
            lines = read_fixture("tc-json/lab-netns-batch-filter-show-ingress.txt").splitlines()
            assert data == "filter show dev uplink ingress\nfilter show dev v0 ingress\n"
            return 0, "\n".join(lines[:2]) + "\n", ""
        return 127, "", f"{argv[0]}: not answered by this test"


def fake_ethtool(names, features=None):
    """ethtool.collect stand-in: the real `ethtool -k` of an OVS internal port for every device."""
    offloads = ethtool.parse_ethtool_k(read_fixture("ethtool-k/openvswitch-internal-br-int.txt"))
    if features is not None:
        offloads = {name: state for name, state in offloads.items() if name in features}
    return {name: {"offloads": offloads, "drvinfo": None, "error": None} for name in names}


@pytest.fixture
def proc_root(tmp_path):
    (tmp_path / "net").mkdir()
    (tmp_path / "net" / "snmp").write_text(read_fixture("snmp/proc-net-snmp-udp-incsumerrors-zero.txt"))
    return str(tmp_path)


def gather(run, subsets, proc_root, **kwargs):
    return netfacts.gather(run, subsets, sysfs_root=os.path.join(proc_root, "nosys"), proc_root=proc_root, ethtool_collect=fake_ethtool, **kwargs)


# --- options -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        (None, ALL),
        (["all"], ALL),
        (["!all"], ["links"]),
        (["links"], ["links"]),
        (["vlan"], ["links", "vlan"]),
        (["!neutron"], ["links", "offloads", "drivers", "vlan", "counters"]),
        (["!all", "counters", "offloads"], ["links", "offloads", "counters"]),
        (["all", "!drivers", "!counters"], ["links", "offloads", "vlan", "neutron"]),
        ([" vlan "], ["links", "vlan"]),
    ],
)
def test_resolve_subsets(requested, expected):
    assert netfacts.resolve_subsets(requested) == expected


@pytest.mark.parametrize(("requested", "message"), [(["hardware"], "unknown subset 'hardware'"), (["!nope"], "'!nope'"), (["!links"], "cannot be excluded")])
def test_resolve_subsets_errors(requested, message):
    with pytest.raises(netfacts.OptionError) as err:
        netfacts.resolve_subsets(requested)
    assert message in str(err.value)
    if "unknown" in message:
        assert "links, offloads, drivers, vlan, counters, neutron" in str(err.value)


@pytest.mark.parametrize("pattern", ["eth0", "tap*", "qvo????????-??", "br-[ei]n?", "vxlan_sys_4789", "eth0.100", "[!t]*", "enp0s31f6:1"])
def test_good_patterns(pattern):
    assert netfacts.validate_patterns([pattern]) == [pattern]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("averyveryverylongname", "at most 15"),
        ("eth 0", "' '"),
        ("tap*/x", "'/'"),
        ("tap$(reboot)*", "'$'"),
        ("br[0-9", "unbalanced"),
        ("", "non-empty"),
    ],
)
def test_bad_patterns(pattern, message):
    with pytest.raises(netfacts.OptionError) as err:
        netfacts.validate_patterns([pattern])
    assert message in str(err.value)


def test_config_dirs(tmp_path, monkeypatch):
    missing = str(tmp_path / "absent")
    assert netfacts.validate_config_dirs(None) is None
    assert netfacts.validate_config_dirs([str(tmp_path), missing]) == [str(tmp_path), missing]
    afile = tmp_path / "neutron.conf"
    afile.write_text("[DEFAULT]\n")
    with pytest.raises(netfacts.OptionError, match="not a directory"):
        netfacts.validate_config_dirs([str(afile)])
    # root reads any directory, so the unreadable case is simulated at the listdir boundary
    real_listdir = os.listdir

    def listdir(path):
        if path == str(tmp_path):
            raise PermissionError(13, "Permission denied", path)
        return real_listdir(path)

    monkeypatch.setattr(netfacts.os, "listdir", listdir)
    with pytest.raises(netfacts.OptionError, match="cannot be read: Permission denied"):
        netfacts.validate_config_dirs([str(tmp_path)])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"gather_subset": ["hardware"]}, "unknown subset"),
        ({"interfaces": ["eth0;reboot"]}, "interfaces:"),
    ],
)
def test_module_fails_cleanly(args, message, capsys):
    with patch_module_args(args), pytest.raises(SystemExit):
        net_facts.main()
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] is True
    assert message in result["msg"]


# --- gather with captured output -----------------------------------------------------------------


def test_links_only_runs_few_commands(proc_root):
    run = FakeRun()

    def no_ethtool(names, features=None):
        raise AssertionError("ethtool must not run for links only")

    facts = netfacts.gather(run, ["links"], proc_root=proc_root, ethtool_collect=no_ethtool)
    assert [call[0][0] for call in run.calls] == ["ip", "ip", "ip", "ip", "ovs-vsctl"]
    assert facts["gather_subset"] == ["links"]
    assert "counters" not in facts and "neutron" not in facts
    int1 = facts["interfaces"]["int1"]
    assert "offloads" not in int1 and "counters" not in int1
    assert (int1["kind"], int1["ovs"]["mtu_request"]) == ("ovs_internal", 1400)
    assert facts["interfaces"]["ovs-netdev"]["kind"] == "ovs_system"
    assert facts["interfaces"]["vx42"]["tunnel"]["headroom"] == -50
    assert facts["linux_bridges"] == {"br0": ["tap0", "v1"]}
    assert facts["ovs"]["version"] == "3.1.0"
    assert facts["ovs"]["interfaces"]["vxt1"]["options"]["remote_ip"] == "198.51.100.7"
    assert facts["errors"] == []


def test_gather_without_neutron(proc_root):
    run = FakeRun()
    facts = gather(run, ["links", "offloads", "drivers", "vlan", "counters"], proc_root)
    interfaces = facts["interfaces"]
    assert set(interfaces) >= {"uplink", "br0", "vx42", "ovsp1", "ovsp3", "int1"}
    # VLAN-0 strip: ovsp3 (ofport 2) has the in_port flow and the bridge-wide one, ovsp1 only the bridge-wide one
    assert [m["detail"] for m in interfaces["ovsp3"]["vlan0_strip"]] == [
        "priority=100,in_port=2,dl_vlan=0 actions=pop_vlan,NORMAL",
        "priority=90,dl_vlan=0 actions=pop_vlan,NORMAL",
    ]
    assert [m["method"] for m in interfaces["ovsp1"]["vlan0_strip"]] == ["ovs_flow"]
    assert "vlan0_strip" not in interfaces["uplink"]  # u32+mirred does not pop
    offloads = interfaces["uplink"]["offloads"]
    assert (offloads["rx-vlan-offload"], offloads["rx-vlan-filter"], offloads["tx-vlan-offload"]) == (False, False, True)
    assert offloads["tx-checksumming"] is True
    assert interfaces["uplink"]["offloads_fixed"] == [f for f in offloads if f in interfaces["uplink"]["offloads_fixed"]]  # in offloads order
    assert {"rx-vlan-offload", "rx-vlan-filter", "large-receive-offload"} <= set(interfaces["uplink"]["offloads_fixed"])
    assert facts["ovs"]["bridges"]["br-lab"]["flows_checked"] is True
    # counters: the kernel log names other interfaces, so every lab interface has 0 over-mtu drops
    assert interfaces["uplink"]["counters"] == {"rx_dropped": 0, "tx_dropped": 0, "rx_errors": 0, "tx_errors": 0, "over_mtu_drops": 0}
    assert facts["counters"]["kernel_log"]["source"] == "journal"
    assert facts["counters"]["snmp"]["udp"]["InCsumErrors"] == 0
    assert "driver" in interfaces["uplink"]
    ofctl_calls = [call for call in run.calls if call[0][0] == "ovs-ofctl"]
    assert len(ofctl_calls) == 2  # one per bridge, none per port
    assert len([call for call in run.calls if call[0][0] == "ovs-appctl"]) == 1  # datapath flows: one call for all
    # the capture's priority-tagged port (up0) is not on this host: no interface carries the key
    assert not [name for name, entry in interfaces.items() if "priority_tags_seen" in entry]
    assert len([call for call in run.calls if call[0][0] == "tc"]) == 2  # qdisc scan + one batch


def test_patterns_select_but_underlays_use_everything(proc_root):
    facts = gather(FakeRun(), ["links", "vlan"], proc_root, patterns=["vx*"])
    assert sorted(facts["interfaces"]) == ["vx42", "vx43", "vx6", "vxext"]
    assert facts["interfaces"]["vx42"]["tunnel"]["underlay"] == "uplink"
    assert facts["interfaces"]["vx43"]["tunnel"]["underlay_mtu"] == 1500


def test_missing_tools_are_non_fatal(proc_root):
    facts = gather(FakeRun(missing={"ovs-vsctl", "tc"}), ["links", "vlan"], proc_root)
    assert facts["ovs"] == {"running": False, "version": None, "bridges": {}, "interfaces": {}}
    assert facts["interfaces"]["int1"]["kind"] == "tap"  # without OVS data it stays a tap
    assert [error["subset"] for error in facts["errors"]] == ["vlan"]
    assert "tc -j qdisc show failed (rc=127)" in facts["errors"][0]["message"]


def test_all_subsets_with_a_neutron_config_dir(proc_root, tmp_path):
    conf = tmp_path / "neutron"
    (conf / "plugins" / "ml2").mkdir(parents=True)
    (conf / "neutron.conf").write_text(read_fixture("neutron/juju-charm-compute-neutron.conf"))
    (conf / "plugins" / "ml2" / "openvswitch_agent.ini").write_text(read_fixture("neutron/juju-charm-openvswitch_agent.ini"))
    netns_root = tmp_path / "netns"
    netns_root.mkdir()
    facts = gather(FakeRun(), netfacts.resolve_subsets(["all"]), proc_root, neutron_config_dirs=[str(conf)], netns_root=str(netns_root))
    assert facts["gather_subset"] == ALL
    assert facts["neutron"]["found"] is True
    assert facts["neutron"]["network_mtus"]["vxlan"] == 1450
    assert facts["neutron"]["namespaces"] == {}
    assert {"offloads", "offloads_fixed", "driver", "counters"} <= set(facts["interfaces"]["uplink"])
    # keys that do not apply are left out, the DESIGN keys are always there
    assert {"name", "ifindex", "kind", "mtu", "min_mtu", "max_mtu", "operstate", "admin_up"} <= set(facts["interfaces"]["lo"])
    assert not {"master", "tunnel", "ovs", "lower", "vlan", "bridge_ports", "vlan0_strip"} & set(facts["interfaces"]["uplink"])


# --- offload_features ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        (None, netfacts.DEFAULT_OFFLOAD_FEATURES),
        (["all"], None),
        (["tx-checksumming", "rx-vlan-offload"], ("tx-checksumming", "rx-vlan-offload")),
    ],
)
def test_resolve_offload_features(requested, expected):
    assert netfacts.resolve_offload_features(requested) == expected


@pytest.mark.parametrize("feature", ["tx checksumming", "rx-*", "x;reboot", ""])
def test_bad_offload_features(feature):
    with pytest.raises(netfacts.OptionError, match="offload_features"):
        netfacts.resolve_offload_features([feature])


def test_offloads_default_to_the_judged_features_and_all_keeps_every_one(proc_root):
    # fake_ethtool hands every interface the features of a real `ethtool -k` capture
    every = fake_ethtool(["uplink"])["uplink"]["offloads"]
    default = gather(FakeRun(), ["links", "offloads"], proc_root)["interfaces"]["uplink"]["offloads"]
    assert set(default) == set(netfacts.DEFAULT_OFFLOAD_FEATURES) & set(every)
    uplink = gather(FakeRun(), ["links", "offloads"], proc_root)["interfaces"]["uplink"]
    for name, enabled in default.items():
        assert enabled is every[name]["enabled"]
        assert (name in uplink["offloads_fixed"]) is every[name]["fixed"]
    full = gather(FakeRun(), ["links", "offloads"], proc_root, offload_features=None)["interfaces"]["uplink"]["offloads"]
    assert set(full) == set(every) and len(full) > len(default)
    # the vlan subset adds the VLAN features to whatever offloads reports, and reports them alone
    only_tx = gather(FakeRun(), ["links", "offloads", "vlan"], proc_root, offload_features=("tx-checksumming",))["interfaces"]["uplink"]
    assert list(only_tx["offloads"]) == ["tx-checksumming", "rx-vlan-offload", "rx-vlan-filter", "tx-vlan-offload"]
    vlan_only = gather(FakeRun(), ["links", "vlan"], proc_root)["interfaces"]["uplink"]
    assert list(vlan_only["offloads"]) == list(netfacts.VLAN_OFFLOAD_FEATURES)
    assert "offloads" not in gather(FakeRun(), ["links", "drivers"], proc_root)["interfaces"]["uplink"]


@pytest.mark.parametrize(
    ("state", "shown"),
    [
        # `ethtool -k` lines: "on", "off [fixed]", "off [requested on]"
        ({"enabled": True, "fixed": False, "requested": True}, {"offloads": {"sg": True}}),
        ({"enabled": False, "fixed": True, "requested": False}, {"offloads": {"sg": False}, "offloads_fixed": ["sg"]}),
        ({"enabled": False, "fixed": False, "requested": True}, {"offloads": {"sg": False}, "offloads_requested": {"sg": True}}),
    ],
)
def test_requested_is_shown_only_where_it_differs(state, shown):
    assert netfacts.report_offloads({"sg": state, "lro": state}, ["sg", "absent"]) == shown


def test_report_offloads_of_a_real_capture_keeps_ethtool_k():
    # real `ethtool -k` of a veth after `ethtool -K sg off`: TSO/GSO show "off [requested on]"
    states = ethtool.parse_ethtool_k(read_fixture("ethtool-k/veth-sg-off-requested-on-kernel-6.18.txt"))
    shown = netfacts.report_offloads(states, states)
    assert shown["offloads"] == {name: state["enabled"] for name, state in states.items()}
    assert shown["offloads_fixed"] == [name for name, state in states.items() if state["fixed"]]
    assert shown["offloads_requested"] == {name: True for name, state in states.items() if state["requested"] and not state["enabled"]}
    assert shown["offloads_requested"]["generic-segmentation-offload"] is True
    assert (shown["offloads"]["generic-segmentation-offload"], shown["offloads"]["scatter-gather"]) == (False, False)


def test_module_fails_cleanly_without_iproute2(capsys, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(
        net_facts.AnsibleModule,
        "get_bin_path",
        lambda self, name, required=False, opt_dirs=None: self.fail_json(msg=f"Failed to find required executable {name}") if required else None,
    )
    with patch_module_args({}), pytest.raises(SystemExit):
        net_facts.main()
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] is True
    assert "required executable ip" in result["msg"]


def test_module_fails_cleanly_on_output_it_cannot_read(capsys, monkeypatch):
    monkeypatch.setattr(net_facts.AnsibleModule, "get_bin_path", lambda self, name, required=False, opt_dirs=None: "/usr/sbin/" + name)
    monkeypatch.setattr(net_facts.AnsibleModule, "run_command", lambda self, argv, **kwargs: (0, "{not json", ""))
    with patch_module_args({"gather_subset": ["!all"]}), pytest.raises(SystemExit):
        net_facts.main()
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] is True
    assert result["msg"].startswith("cannot read the host's network state: ip -j link: not JSON")


def test_prune_drops_what_does_not_apply_and_keeps_false_and_zero():
    entry = {"master": None, "addresses": [], "ovs": {}, "mac": "", "mtu": 0, "admin_up": False, "tunnel": {"vni": 0}}
    assert netfacts.prune(entry, ("master", "addresses", "ovs", "mac", "mtu", "admin_up", "tunnel", "absent")) == {
        "mtu": 0,
        "admin_up": False,
        "tunnel": {"vni": 0},
    }


# --- OVN chassis ---------------------------------------------------------------------------------


class OvnChassisRun(FakeRun):
    """The lab namespace captures, with the chained ovs-vsctl answer of a lab container running ovn-controller."""

    def __call__(self, argv, data=None):
        if tuple(argv) == tuple(["ovs-vsctl"] + netfacts.ovs.vsctl_args()):
            self.calls.append((tuple(argv), data))
            return 0, read_fixture("ovs-vsctl/lab-ovn-chassis-chained-list-json.txt"), ""
        return super().__call__(argv, data)


def test_an_ovn_chassis_gets_ovn_facts_from_the_same_ovs_vsctl_call(proc_root):
    os.makedirs(os.path.join(proc_root, "4242"))
    with open(os.path.join(proc_root, "4242", "comm"), "w", encoding="utf-8") as handle:
        handle.write("ovn-controller\n")
    run = OvnChassisRun()
    facts = netfacts.gather(run, ["links"], proc_root=proc_root, ethtool_collect=fake_ethtool)
    assert [call[0][0] for call in run.calls].count("ovs-vsctl") == 1
    chassis = facts["ovn"]
    assert (chassis["encap_ip"], chassis["encap_type"], chassis["bridge_mappings"]) == ("192.0.2.11", "geneve", {"physnet1": "br-ex", "physnet2": "br-ex"})
    assert chassis["system_id"] == "22e76669-f32c-4983-9a0a-a29898c8e7c1"
    # 192.0.2.11 is not assigned in the namespace capture: the interface whose subnet holds it (uplink, 192.0.2.1/24)
    assert (chassis["encap_interface"], chassis["encap_interface_mtu"]) == ("uplink", 1500)
    assert (chassis["controller_running"], chassis["controller_pid"]) == (True, 4242)
    assert all("ovn" not in entry for entry in facts["interfaces"].values())  # nothing per interface


def test_no_ovn_key_off_a_chassis_and_no_controller_scan(proc_root, monkeypatch):
    monkeypatch.setattr(netfacts.ovn, "controller_pid", lambda *a, **k: pytest.fail("scanned /proc on a host that is no chassis"))
    facts = netfacts.gather(FakeRun(), ["links"], proc_root=proc_root, ethtool_collect=fake_ethtool)
    assert "ovn" not in facts
    facts = netfacts.gather(FakeRun(missing={"ovs-vsctl"}), ["links"], proc_root=proc_root, ethtool_collect=fake_ethtool)
    assert "ovn" not in facts


def test_a_chassis_without_ovn_controller(proc_root):
    facts = netfacts.gather(OvnChassisRun(), ["links"], proc_root=proc_root, ethtool_collect=fake_ethtool)
    assert (facts["ovn"]["controller_running"], facts["ovn"]["controller_pid"]) == (False, None)


# --- root: a sosreport ---------------------------------------------------------------------------


def test_module_root_reads_a_sosreport_and_runs_nothing(capsys, monkeypatch):
    """With root the module runs no command and needs no iproute2: the hotsos compute node's files answer."""

    def refuse(self, *args, **kwargs):
        raise AssertionError("net_facts ran a command with root set")

    monkeypatch.setattr(net_facts.AnsibleModule, "run_command", refuse)
    monkeypatch.setattr(net_facts.AnsibleModule, "get_bin_path", lambda self, *a, **k: self.fail_json(msg="looked for a tool"))
    root = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "sosreport", "hotsos-openstack")
    with patch_module_args({"root": root}), pytest.raises(SystemExit):
        net_facts.main()
    result = json.loads(capsys.readouterr().out)
    facts = result["ansible_facts"]["netdoctor"]
    assert result["changed"] is False
    assert facts["source"]["kind"] == "sosreport" and facts["source"]["hostname"] == "compute4"
    assert facts["interfaces"]["tap0e778df8-ca"]["mtu"] == 1450
    assert facts["neutron"]["local_ip"] == "10.0.0.128"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"root": "/nonexistent/sosreport"}, "is not a directory"),
        ({"root": "/", "kernel_log_window": 0}, "kernel_log_window"),
    ],
)
def test_module_root_bad_input(args, message, capsys):
    with patch_module_args(args), pytest.raises(SystemExit):
        net_facts.main()
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] is True
    assert message in result["msg"]
