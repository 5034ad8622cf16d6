# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""neutron: oslo.config-style INI parsing, layouts (packaged, kolla, devstack), MTUs, iptables-save and namespaces."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
import uuid

import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import mtu, neutron


def no_run(argv):
    return 127, "", f"{argv[0]}: not found"


def _place(root, files):
    for relpath, fixture in files.items():
        path = os.path.join(str(root), relpath)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(read_fixture(fixture) if fixture.startswith("neutron/") else fixture)


LAYOUTS = {
    "packaged-juju": (
        {
            "etc/neutron/neutron.conf": "neutron/juju-charm-compute-neutron.conf",
            "etc/neutron/plugins/ml2/ml2_conf.ini": "neutron/ubuntu-package-default-ml2_conf.ini",
            "etc/neutron/plugins/ml2/openvswitch_agent.ini": "neutron/juju-charm-openvswitch_agent.ini",
        },
        ["etc/neutron"],
        {
            "global_physnet_mtu": 1500,
            "path_mtu": 0,
            "flat_networks": ["*"],
            "bridge_mappings": {"physnet1": "br-data"},
            "local_ip": "10.0.0.128",
            "tunnel_types": ["vxlan", "gre"],
            "type_drivers": [],
            "network_mtus": {"vxlan": 1450, "gre": 1458, "geneve": 1450, "vlan": {"physnet1": 1500}, "flat": {"physnet1": 1500}},
        },
    ),
    "kolla": (
        {
            "etc/kolla/neutron-server/ml2_conf.ini": "neutron/kolla-neutron-server-ml2_conf.ini",
            "etc/kolla/neutron-openvswitch-agent/openvswitch_agent.ini": "neutron/kolla-neutron-openvswitch-agent-openvswitch_agent.ini",
        },
        ["etc/kolla/neutron-openvswitch-agent", "etc/kolla/neutron-server"],
        {
            "type_drivers": ["flat", "vlan", "vxlan"],
            "tenant_network_types": ["vxlan"],
            "mechanism_drivers": ["openvswitch", "l2population"],
            "network_vlan_ranges": {},
            "flat_networks": ["physnet1"],
            "bridge_mappings": {"physnet1": "br-ex"},
            "local_ip": "192.168.105.147",
            "tunnel_types": ["vxlan"],
            "network_mtus": {"vxlan": 1450, "gre": 1458, "geneve": 1450, "vlan": {"physnet1": 1500}, "flat": {"physnet1": 1500}},
        },
    ),
    "devstack": (
        {"etc/neutron/plugins/ml2/ml2_conf.ini": "neutron/devstack-gate-ml2_conf.ini"},
        ["etc/neutron"],
        {
            "flat_networks": ["public"],  # "public," with the trailing comma
            "network_vlan_ranges": {"public": []},
            "mechanism_drivers": ["openvswitch", "linuxbridge"],
            "bridge_mappings": {"public": "br-ex"},
            "local_ip": "198.72.124.7",
            "geneve_max_header_size": 30,
            "network_mtus": {"vxlan": 1450, "gre": 1458, "geneve": 1450, "vlan": {"public": 1500}, "flat": {"public": 1500}},
        },
    ),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_collect_layouts(tmp_path, layout):
    files, dirs, expected = LAYOUTS[layout]
    _place(tmp_path, files)
    facts = neutron.collect([os.path.join(str(tmp_path), d) for d in dirs], no_run, netns_root=str(tmp_path / "netns"), proc_root=str(tmp_path / "proc"))
    assert facts["found"] is True
    assert facts["errors"] == []
    assert sorted(facts["files"]) == sorted(os.path.join(str(tmp_path), f) for f in files)
    for key, value in expected.items():
        assert facts[key] == value, key
    assert facts["namespaces"] == {}
    assert facts["checksum_fill_root"] == {"ipv4": False, "ipv6": False}


def test_load_order_and_overrides(tmp_path):
    _place(
        tmp_path,
        {
            "neutron/neutron.conf": "[DEFAULT]\nglobal_physnet_mtu = 9000\n",
            "neutron/neutron.conf.d/50-jumbo.conf": "[DEFAULT]\nglobal_physnet_mtu = 9100\n",
            "neutron/plugins/ml2/ml2_conf.ini": (
                "[ml2]\npath_mtu = 8950\noverlay_ip_version = 6\nphysical_network_mtus = physnet1:9000,\n"
                "    physnet2:1500\n[ml2_type_geneve]\nmax_header_size = 38\n[ml2_type_vlan]\nnetwork_vlan_ranges = physnet1:100:200,physnet1:300:400\n"
            ),
            "neutron/plugins/ml2/openvswitch_agent.ini": "[ovs]\nbridge_mappings = physnet3:br-ex\n",
        },
    )
    facts = neutron.collect([str(tmp_path / "neutron")], no_run, netns_root=str(tmp_path / "none"), proc_root=str(tmp_path / "none"))
    assert facts["errors"] == []
    assert facts["global_physnet_mtu"] == 9100  # neutron.conf.d is read after neutron.conf
    assert facts["physical_network_mtus"] == {"physnet1": 9000, "physnet2": 1500}  # continuation line joined
    assert facts["network_vlan_ranges"] == {"physnet1": [[100, 200], [300, 400]]}
    expected = mtu.neutron_network_mtus(9100, 8950, {"physnet1": 9000, "physnet2": 1500}, ["physnet1", "physnet2", "physnet3"], 6, 38)
    assert facts["network_mtus"] == expected
    assert facts["network_mtus"]["vxlan"] == 8950 - 40 - 30
    assert facts["network_mtus"]["geneve"] == 8950 - 40 - 38
    assert facts["network_mtus"]["flat"] == {"physnet1": 9000, "physnet2": 1500, "physnet3": 9100}


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("[ml2]\ntype_drivers = vxlan\n[ml2_type_vlan\n", 3, "must end with ]"),
        ("[ml2]\ntype_drivers vxlan\n", 2, "no ':' or '='"),
        ("global_physnet_mtu = 9000\n", 1, "section must be started"),
        ("  indented = first\n", 1, "unexpected continuation"),
        ("[]\n", 1, "empty section name"),
    ],
)
def test_malformed_ini_reports_file_and_line(tmp_path, text, line, message):
    _place(tmp_path, {"neutron/neutron.conf": "[DEFAULT]\nglobal_physnet_mtu = 1400\n", "neutron/plugins/ml2/ml2_conf.ini": text})
    facts = neutron.collect([str(tmp_path / "neutron")], no_run, netns_root=str(tmp_path), proc_root=str(tmp_path / "none"))
    assert facts["found"] is True
    assert len(facts["errors"]) == 1
    error = facts["errors"][0]
    assert error["file"].endswith("plugins/ml2/ml2_conf.ini")
    assert error["line"] == line
    assert message in error["message"]
    assert facts["global_physnet_mtu"] == 1400  # the good file still counts


@pytest.mark.parametrize(
    "text, expected",
    [
        # oslo.config keeps an inline "#" in the value: Neutron would refuse this integer
        ("[DEFAULT]\nglobal_physnet_mtu = 9000 # jumbo\n", "is not an integer"),
        ("[ml2]\noverlay_ip_version = 5\n", "is not 4 or 6"),
    ],
)
def test_bad_values_are_errors_not_exceptions(tmp_path, text, expected):
    _place(tmp_path, {"neutron/neutron.conf": text})
    facts = neutron.collect([str(tmp_path / "neutron")], no_run, netns_root=str(tmp_path), proc_root=str(tmp_path / "none"))
    assert expected in facts["errors"][0]["message"]
    assert facts["network_mtus"]["vxlan"] == 1450


def test_parse_ini_quotes_multivalue_and_comments():
    parsed = neutron.parse_ini("[a]\n# comment\n; other\nx = 'quoted'\ny: 1\ny = 2\nz =\n  one\n  two\n\n[b]\n")
    assert parsed == {"a": {"x": ["quoted"], "y": ["1", "2"], "z": ["\none\ntwo"]}, "b": {}}
    assert neutron.parse_list(parsed["a"]["z"][-1]) == ["one", "two"]


def test_nothing_found(tmp_path):
    facts = neutron.collect([], no_run, netns_root=str(tmp_path), proc_root=str(tmp_path / "none"))
    assert facts["found"] is False
    assert facts["files"] == [] and facts["errors"] == []
    assert facts["network_mtus"] == {"vxlan": None, "gre": None, "geneve": None, "vlan": {}, "flat": {}}


def test_explicit_missing_directory_is_an_error(tmp_path):
    facts = neutron.collect([str(tmp_path / "absent")], no_run, netns_root=str(tmp_path), proc_root=str(tmp_path / "none"))
    assert facts["found"] is False
    assert facts["errors"] == [{"file": str(tmp_path / "absent"), "line": None, "message": "not a readable directory"}]


@pytest.mark.parametrize(
    "fixture, family, expected",
    [
        ("iptables/iptables-save-mangle-checksum-fill-dport-68-nft.txt", 4, True),
        ("iptables/iptables-legacy-save-mangle-checksum-fill-dport-68.txt", 4, True),
        ("iptables/ip6tables-save-mangle-checksum-fill-dport-546-nft.txt", 6, True),
        ("iptables/ip6tables-legacy-save-mangle-checksum-fill-dport-546.txt", 6, True),
        ("iptables/ip6tables-save-mangle-checksum-fill-dport-546-nft.txt", 4, False),
        ("iptables/iptables-save-mangle-checksum-fill-dport-68-nft.txt", 6, False),
    ],
)
def test_has_dhcp_checksum_fill(fixture, family, expected):
    assert neutron.has_dhcp_checksum_fill(read_fixture(fixture), family) is expected


@pytest.mark.parametrize(
    "rule, expected",
    [
        ("-A neutron-dhcp-age-POSTROUTING -p udp -m udp --dport bootpc -j CHECKSUM --checksum-fill", True),
        ("-A POSTROUTING -p tcp -m tcp --dport 68 -j CHECKSUM --checksum-fill", False),
        ("-A POSTROUTING -p udp -m udp --dport 67 -j CHECKSUM --checksum-fill", False),
        ("-A POSTROUTING -p udp -m udp --dport 68 -j ACCEPT", False),
    ],
)
def test_has_dhcp_checksum_fill_rule_variants(rule, expected):
    text = read_fixture("iptables/iptables-save-mangle-checksum-fill-dport-68-nft.txt").replace(
        "-A POSTROUTING -p udp -m udp --dport 68 -j CHECKSUM --checksum-fill", rule
    )
    assert neutron.has_dhcp_checksum_fill(text, 4) is expected


def test_split_all_netns_output():
    outputs = neutron.split_all_netns_output(read_fixture("iptables/ip-all-netns-exec-iptables-save-mangle.txt"))
    assert "qdhcp-0b1c5d2e-ndtest" in outputs
    assert neutron.has_dhcp_checksum_fill(outputs["qdhcp-0b1c5d2e-ndtest"], 4) is True
    assert [name for name, text in outputs.items() if neutron.has_dhcp_checksum_fill(text, 4)] == ["qdhcp-0b1c5d2e-ndtest"]
    links = neutron.split_all_netns_output(read_fixture("ip-link-json/ip-all-netns-exec-ip-j-link.txt"))
    assert '"ifname":"tapy"' in links["qdhcp-0b1c5d2e-ndtest"]


def _run(argv):
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, env={**os.environ, "LANG": "C", "LC_ALL": "C"})
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def qdhcp_netns():
    if os.geteuid() != 0:
        pytest.skip("needs root to create a network namespace")
    for tool in ("ip", "iptables", "iptables-save", "ethtool"):
        if not shutil.which(tool):
            pytest.skip(f"needs {tool}")
    name = "qdhcp-" + str(uuid.uuid4())
    tap = "tap" + uuid.uuid4().hex[:8]
    peer = "ndp" + uuid.uuid4().hex[:8]
    state = {"name": name, "tap": tap, "pids": []}
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "link", "add", peer, "type", "veth", "peer", "name", tap, "netns", name], check=True)
        subprocess.run(["ip", "-n", name, "link", "set", tap, "mtu", "1450", "up"], check=True)
        subprocess.run(["ip", "-n", name, "addr", "add", "192.0.2.2/24", "dev", tap], check=True)
        yield state
    finally:
        for pid in state["pids"]:
            with contextlib.suppress(OSError):
                os.kill(pid, 15)
        subprocess.run(["ip", "link", "del", peer], check=False, capture_output=True)
        subprocess.run(["ip", "netns", "del", name], check=False)


def test_live_qdhcp_namespace_fill_rule_and_dnsmasq(qdhcp_netns, tmp_path):
    name, tap = qdhcp_netns["name"], qdhcp_netns["tap"]
    rule = ["POSTROUTING", "-p", "udp", "-m", "udp", "--dport", "68", "-j", "CHECKSUM", "--checksum-fill"]
    facts = neutron.collect([], _run)
    entry = facts["namespaces"][name]
    assert entry["kind"] == "dhcp"
    assert entry["checksum_fill"] == {"ipv4": False, "ipv6": False}
    assert entry["interfaces"][tap]["mtu"] == 1450
    assert entry["interfaces"][tap]["tx_checksum"] is True  # veth default
    assert entry["dhcp_served"] is False

    subprocess.run(["ip", "netns", "exec", name, "iptables", "-t", "mangle", "-A", *rule], check=True)
    if shutil.which("dnsmasq"):
        pidfile = tmp_path / "dnsmasq.pid"
        subprocess.run(
            [
                "ip", "netns", "exec", name, "dnsmasq", "--no-hosts", "--no-resolv", "--port=0", f"--interface={tap}",
                "--bind-interfaces", "--dhcp-range=192.0.2.10,192.0.2.20,255.255.255.0,120s", f"--pid-file={pidfile}",
                "--dhcp-leasefile=" + str(tmp_path / "leases"),
            ],
            check=True,
        )  # fmt: skip
        for _attempt in range(50):
            if pidfile.exists() and pidfile.read_text().strip():
                break
            time.sleep(0.1)
        qdhcp_netns["pids"].append(int(pidfile.read_text().strip()))
    facts = neutron.collect([], _run)
    entry = facts["namespaces"][name]
    assert entry["checksum_fill"] == {"ipv4": True, "ipv6": False}
    if qdhcp_netns["pids"]:
        assert entry["dhcp_served"] is True
        server = [s for s in facts["dhcp_servers"] if s["pid"] == qdhcp_netns["pids"][0]]
        assert server == [{"pid": qdhcp_netns["pids"][0], "netns": name, "interfaces": [tap], "ipv6": False}]

    subprocess.run(["ip", "netns", "exec", name, "iptables", "-t", "mangle", "-D", *rule], check=True)
    assert neutron.collect([], _run)["namespaces"][name]["checksum_fill"]["ipv4"] is False


# --- dnsmasq attribution when /proc/PID/ns/net cannot be read ----------------------------------


def _fake_proc_with_dnsmasq(tmp_path, argv, ns_inode_source=None):
    """A /proc with one dnsmasq process; its ns/net is a hard link to ns_inode_source, or absent."""
    proc = tmp_path / "proc"
    (proc / "self" / "ns").mkdir(parents=True)
    (tmp_path / "root-ns").write_text("")
    os.link(tmp_path / "root-ns", proc / "self" / "ns" / "net")
    pid = proc / "29961"
    (pid / "ns").mkdir(parents=True)
    (pid / "cmdline").write_bytes(b"\0".join(arg.encode() for arg in argv) + b"\0")
    if ns_inode_source is not None:
        os.link(ns_inode_source, pid / "ns" / "net")
    return str(proc)


def _neutron_dnsmasq_argv():
    line = read_fixture("ps/ps-ef-neutron-dhcp-agent-dnsmasq.txt").strip()
    return line.split()[7:]  # after UID PID PPID C STIME TTY TIME


def test_dnsmasq_namespace_from_neutron_network_id_when_ns_link_is_unreadable(tmp_path):
    netns_root = tmp_path / "netns"
    netns_root.mkdir()
    for name in ("qdhcp-055200c9-b0ca-4ad8-ae00-4ae4b37b8898", "qdhcp-11111111-2222-3333-4444-555555555555", "qrouter-1"):
        (netns_root / name).write_text("")
    proc = _fake_proc_with_dnsmasq(tmp_path, _neutron_dnsmasq_argv())
    [server] = neutron.dnsmasq_processes(proc, str(netns_root), sorted(os.listdir(netns_root)))
    assert server["netns"] == "qdhcp-055200c9-b0ca-4ad8-ae00-4ae4b37b8898"
    assert server["interfaces"] == ["tap4eb5f850-5a"]
    assert server["ipv6"] is False


def test_dnsmasq_namespace_from_the_ns_link(tmp_path):
    netns_root = tmp_path / "netns"
    netns_root.mkdir()
    (netns_root / "qdhcp-x").write_text("")
    proc = _fake_proc_with_dnsmasq(tmp_path, ["dnsmasq", "--interface=ns-x"], ns_inode_source=netns_root / "qdhcp-x")
    [server] = neutron.dnsmasq_processes(proc, str(netns_root), ["qdhcp-x"])
    assert server["netns"] == "qdhcp-x"
    assert "netns_unknown" not in server


def test_dnsmasq_with_unreadable_ns_and_no_network_id_is_not_called_root(tmp_path):
    netns_root = tmp_path / "netns"
    netns_root.mkdir()
    (netns_root / "qdhcp-demo").write_text("")
    proc = _fake_proc_with_dnsmasq(tmp_path, ["dnsmasq", "--interface=ns-qdhcp", "--pid-file=/run/dnsmasq.pid"])
    [server] = neutron.dnsmasq_processes(proc, str(netns_root), ["qdhcp-demo"])
    assert server["netns"] is None and server["netns_unknown"] is True


def test_router_and_snat_port_mtus_from_one_all_netns_call(tmp_path):
    """qrouter-/snat- namespaces get their ports' MTUs from the same `ip -all netns exec ip -j link show` (no ethtool)."""
    netns_root = tmp_path / "netns"
    netns_root.mkdir()
    for name in ("qrouter-ndsos-0001", "snat-ndsos-0001"):
        (netns_root / name).write_text("")
    calls = []

    def run(argv):
        calls.append(tuple(argv))
        if tuple(argv) == ("ip", "-all", "netns", "exec", "ip", "-j", "link", "show"):
            return 0, read_fixture("ip-link-json/ip-all-netns-exec-ip-j-link-qrouter-snat.txt"), ""
        return 127, "", "not answered"

    namespaces, servers, _root_fill = neutron.collect_namespaces(run, netns_root=str(netns_root), proc_root=str(tmp_path / "proc"))
    assert namespaces == {
        "qrouter-ndsos-0001": {"kind": "router", "interfaces": {"qr-ndsos01": {"mtu": 1500}}},
        "snat-ndsos-0001": {"kind": "snat", "interfaces": {"sg-ndsos01": {"mtu": 1450}, "qg-ndsos01": {"mtu": 1500}}},
    }
    assert servers == []
    assert not any("ethtool" in call for call in calls)
