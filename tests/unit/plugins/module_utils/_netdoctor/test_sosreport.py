"""net_facts from a sosreport: the hotsos compute node (real sos files) through the live parsers."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import FIXTURES, read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import kernlog, netfacts, sosreport
from ansible_collections.netdoctor.openstack.plugins.plugin_utils import _judge

HOTSOS = os.path.join(FIXTURES, "sosreport", "hotsos-openstack")


def gather(root, subsets=netfacts.SUBSETS, **kwargs):
    source = sosreport.SosReport(root, **kwargs)
    return netfacts.gather(source.run, list(subsets), source=source)


@pytest.fixture(scope="module")
def hotsos():
    return gather(HOTSOS)


def test_identity_and_source(hotsos):
    assert hotsos["hostname"] == "compute4"
    assert hotsos["kernel"] == "5.4.0-97-generic"
    assert hotsos["source"] == {"kind": "sosreport", "path": HOTSOS, "hostname": "compute4", "date": "2022-02-10 16:19:17"}


def test_links_from_ip_text(hotsos):
    ifaces = hotsos["interfaces"]
    assert len(ifaces) == 24
    tap = ifaces["tap0e778df8-ca"]
    assert (tap["kind"], tap["mtu"], tap["master_kind"]) == ("tap", 1450, "openvswitch")
    assert ifaces["br-ens3"]["addresses"][0] == {"family": 4, "address": "10.0.0.128", "prefixlen": 24, "scope": "global"}
    assert ifaces["ens3"]["master"] == "br-ens3"
    assert "ens3" in hotsos["linux_bridges"]["br-ens3"]
    assert ifaces["vxlan_sys_4789"]["tunnel"]["external"] is True


def test_ovs_from_list_and_show(hotsos):
    bridges = hotsos["ovs"]["bridges"]
    assert set(bridges) == {"br-data", "br-ex", "br-int", "br-tun"}
    assert hotsos["ovs"]["version"] == "2.13.3"
    tap = hotsos["interfaces"]["tap0e778df8-ca"]["ovs"]
    assert (tap["bridge"], tap["tag"], tap["mtu"]) == ("br-int", 3, 1450)
    assert hotsos["ovs"]["interfaces"]["vxlan-0a000072"]["options"]["remote_ip"] == "10.0.0.114"
    # br-tun's flows: tun_id 0x3e9 -> local VLAN 1, 0x4d1 -> 3 (the tap's tag)
    assert bridges["br-tun"]["tunnel_local_vlans"] == [1, 3]
    assert all(bridge["flows_checked"] for bridge in bridges.values())


def test_ethtool_and_drivers_from_files(hotsos):
    ens3 = hotsos["interfaces"]["ens3"]
    assert ens3["driver"] == {"driver": "virtio_net", "version": "1.0.0", "bus_info": "0000:00:03.0", "bus": "pci"}
    assert ens3["offloads"]["tx-checksumming"] is True
    assert "rx-checksumming" in ens3["offloads_fixed"]
    assert hotsos["interfaces"]["tap0e778df8-ca"]["driver"]["bus"] == "virtual"


def test_neutron_from_etc_and_namespaces(hotsos):
    neutron = hotsos["neutron"]
    assert neutron["found"] is True
    assert (neutron["local_ip"], neutron["tunnel_types"], neutron["bridge_mappings"]) == ("10.0.0.128", ["vxlan", "gre"], {"physnet1": "br-data"})
    assert neutron["network_mtus"]["vxlan"] == 1450
    assert neutron["namespaces"]["qrouter-984c22fd-64b3-4fa1-8ddd-87090f401ce5"] == {
        "kind": "router",
        "interfaces": {"rfp-984c22fd-6": {"mtu": 1500}, "qr-3a70b31c-3f": {"mtu": 1450}},
    }
    assert neutron["namespaces"]["snat-984c22fd-64b3-4fa1-8ddd-87090f401ce5"]["interfaces"]["qg-14f81a43-69"] == {"mtu": 1500}
    assert neutron["namespaces"]["fip-32981f34-497a-4fae-914a-8576055c8d0d"] == {"kind": "fip"}
    # the one dnsmasq of the report is LXD's, in the root namespace
    assert [(s["pid"], s["netns"], s["interfaces"]) for s in neutron["dhcp_servers"]] == [(19086, None, ["lxdbr0"])]


def test_missing_files_are_listed_not_fatal(hotsos):
    messages = [e["message"] for e in hotsos["errors"]]
    assert any("proc/net/snmp" in m for m in messages)
    assert any("kernel log" in m for m in messages)
    assert hotsos["counters"]["snmp"] == {}
    assert hotsos["counters"]["kernel_log"]["source"] is None


def test_judged_like_hotsos_router_ports_fit(hotsos):
    """hotsos' router-port check on the same report: qr-/sg- at 1450 fit VXLAN over the 1500 br-ens3 (1500-50)."""
    findings = _judge.host_findings(hotsos, "compute4")
    assert [f for f in findings if f["code"] == "NEUTRON_PORT_MTU_EXCEEDS_OVERLAY"] == []


def test_router_port_above_overlay_is_found(tmp_path):
    """The same real report with its qr- port at 1500 (the live MTU of an unfixed router) is judged."""
    root = tmp_path / "sos"
    shutil.copytree(HOTSOS, root)
    path = root / "sos_commands/networking/ip_netns_exec_qrouter-984c22fd-64b3-4fa1-8ddd-87090f401ce5_ip_address_show"
    path.write_text(
        path.read_text().replace("qr-3a70b31c-3f: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450", "qr-3a70b31c-3f: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500")
    )
    facts = gather(str(root))
    found = [f for f in _judge.host_findings(facts, "compute4") if f["code"] == "NEUTRON_PORT_MTU_EXCEEDS_OVERLAY"]
    assert [(f["interface"], f["evidence"]["max_mtu"], f["evidence"]["netns"]) for f in found] == [
        ("qr-3a70b31c-3f", 1458, "qrouter-984c22fd-64b3-4fa1-8ddd-87090f401ce5")
    ]
    assert found[0]["evidence"]["underlay"] == "br-ens3"
    assert found[0]["remediation"] == "netdoctor.openstack.physnet_mtu"


def test_kernel_log_window_anchored_on_the_report(tmp_path):
    """The octavia scenario's kern.log (Feb 09 17:24) counts within a day of the report's date (Feb 10 16:19), not now."""
    root = tmp_path / "sos"
    shutil.copytree(HOTSOS, root)
    (root / "var/log").mkdir(parents=True)
    (root / "var/log/kern.log").write_text(read_fixture("kernlog/hotsos-octavia-o-hm0-over-mtu-kernlog.txt"))
    drops = gather(str(root), window_hours=24)["counters"]["kernel_log"]["over_mtu_drops"]
    assert drops["o-hm0"] == {
        "count": 4,
        "total": 4,
        "undated": 0,
        "first_seen": "2022-02-09 17:24:13",
        "last_seen": "2022-02-09 17:24:13",
        "last_size": 1760,
        "last_mtu": 1500,
    }
    assert gather(str(root), window_hours=20)["counters"]["kernel_log"]["over_mtu_drops"]["o-hm0"]["count"] == 0


def test_old_over_mtu_lines_are_outside_the_window(tmp_path):
    """hotsos' May lines in a report dated Feb 10 2022 are from May 2021: found, not counted, no finding."""
    root = tmp_path / "sos"
    shutil.copytree(HOTSOS, root)
    (root / "var/log").mkdir(parents=True)
    (root / "var/log/kern.log").write_text(read_fixture("kernlog/ovs-dropped-over-mtu-tap-1450.txt"))
    facts = gather(str(root))
    entry = facts["counters"]["kernel_log"]["over_mtu_drops"]["tap0e778df8-ca"]
    assert (entry["count"], entry["total"]) == (0, 5)
    assert [f for f in _judge.host_findings(facts, "compute4") if f["code"] == "KERNEL_OVER_MTU_DROPS"] == []


def test_over_mtu_in_window_is_judged_with_first_and_last_seen(tmp_path):
    root = tmp_path / "sos"
    shutil.copytree(HOTSOS, root)
    (root / "var/log").mkdir(parents=True)
    # the hotsos kern.log lines of a tap that exists in this report, stamped by the report's own date file
    lines = read_fixture("kernlog/ovs-dropped-over-mtu-tap-1450.txt").splitlines()[:5]
    (root / "var/log/kern.log").write_text("\n".join(lines) + "\n")
    (root / "sos_commands/date/date").write_text("Thu May  6 18:00:00 UTC 2021\n")
    facts = gather(str(root))
    found = [f for f in _judge.host_findings(facts, "compute4") if f["code"] == "KERNEL_OVER_MTU_DROPS"]
    assert len(found) == 1
    assert found[0]["evidence"]["count"] == 5
    assert (found[0]["evidence"]["first_seen"], found[0]["evidence"]["last_seen"]) == ("2021-05-06 10:49:21", "2021-05-06 10:49:21")
    assert "2021-05-06 10:49:21" in found[0]["message"]


def test_dmesg_dated_by_uptime(tmp_path):
    """dmesg's seconds since boot are dated from the report's uptime; a ring buffer older than the uptime stays undated."""
    root = tmp_path / "sos"
    shutil.copytree(HOTSOS, root)
    (root / "sos_commands/kernel").mkdir(parents=True, exist_ok=True)
    (root / "sos_commands/kernel/dmesg").write_text(read_fixture("kernlog/hotsos-octavia-o-hm0-over-mtu-dmesg.txt"))
    entry = gather(str(root))["counters"]["kernel_log"]["over_mtu_drops"]["o-hm0"]
    # the report's uptime is 17:41 (63660 s) but the lines say 2065279 s: no time can be told, all count
    assert (entry["count"], entry["undated"], entry["first_seen"]) == (13, 13, None)
    (root / "sos_commands/host/uptime").write_text(" 16:19:19 up 23 days, 22:45,  2 users,  load average: 3.58, 3.27, 2.58\n")
    entry = gather(str(root))["counters"]["kernel_log"]["over_mtu_drops"]["o-hm0"]
    assert entry["undated"] == 0 and entry["count"] == 13
    assert entry["first_seen"] < entry["last_seen"] <= "2022-02-10 16:19:17"


def test_empty_directory_never_crashes(tmp_path):
    facts = gather(str(tmp_path))
    assert facts["interfaces"] == {}
    assert facts["hostname"] == tmp_path.name
    assert facts["neutron"]["found"] is False
    assert any("ip -s -d link" in e["message"] for e in facts["errors"])
    assert facts["source"]["date"] is None


def test_find_root_descends_into_the_unpacked_archive(tmp_path):
    inner = tmp_path / "sosreport-compute4-2022-02-10-abcdef"
    (inner / "sos_commands").mkdir(parents=True)
    assert sosreport.find_root(str(tmp_path)) == str(inner)
    assert sosreport.find_root(str(inner)) == str(inner)


def test_path_refuses_to_leave_the_root(tmp_path):
    with pytest.raises(ValueError):
        sosreport.SosReport(str(tmp_path)).path("../etc/passwd")
    assert sosreport.SosReport(str(tmp_path)).read("../../etc/passwd") is None


@pytest.mark.parametrize(
    ("command", "name"),
    [
        ("ip -s -d link", "ip_-s_-d_link"),
        ("ovs-appctl ofproto/list-tunnels", "ovs-appctl_ofproto.list-tunnels"),
        ("ovs-vsctl -t 5 list interface", "ovs-vsctl_-t_5_list_interface"),
    ],
)
def test_sos_name(command, name):
    assert sosreport.sos_name(command) == name


def test_parse_route_text_real():
    routes = sosreport.parse_route_text(read_fixture("sosreport/hotsos-openstack/sos_commands/networking/ip_route_show_table_all"))
    assert routes[0] == {"type": "unicast", "dst": "default", "gateway": "10.0.0.2", "dev": "br-ens3"}
    assert {"type": "local", "dst": "10.0.0.128", "dev": "br-ens3", "table": "local"} in routes


def test_parse_vsctl_show_real():
    show = sosreport.parse_vsctl_show(read_fixture("ovs-vsctl/show-neutron-ovs-dvr-vxlan-flat.txt"))
    assert show["version"] == "2.13.3"
    port = show["bridges"]["br-int"]["ports"]["tap0e778df8-ca"]
    assert port["tag"] == 3
    assert show["bridges"]["br-tun"]["ports"]["patch-int"]["interfaces"]["patch-int"]["type"] == "patch"


def test_usb_symptoms_joined_to_the_interface():
    """The Dell WD19 dock log: r8152 Tx status -71 and its own USB disconnect (4-1.4), not the hub's or the webcam's."""
    lines = read_fixture("kernlog/r8152-tx-status-71-usb-disconnect-dell-wd19-syslog.txt").splitlines()
    anchor = kernlog.parse_date("Sat Feb  6 17:00:00 CET 2021")
    symptoms = kernlog.usb_nic_symptoms(lines, anchor)
    assert list(symptoms) == ["enx3448eda91d0a"]
    entry = symptoms["enx3448eda91d0a"]
    assert (entry["driver"], entry["usb_path"], entry["count"]) == ("r8152", "4-1.4", 4)
    assert entry["kinds"] == {"intr_error": 1, "tx_error": 2, "usb_disconnect": 1}
    assert (entry["first_seen"], entry["last_seen"]) == ("2021-02-06 16:38:23", "2021-02-06 16:38:27")
    assert "Tx status -71" in entry["sample"]
    assert kernlog.usb_nic_symptoms(lines, kernlog.parse_date("Sat Mar 20 17:00:00 CET 2021")) == {}


def test_usb_nic_devices_from_enumeration():
    lines = read_fixture("kernlog/cdc_ncm-then-r8152-rtl8156b-openwrt.txt").splitlines()
    devices = kernlog.usb_nic_devices(lines)
    assert devices, "the OpenWrt log enumerates the RTL8156B"
    entry = next(iter(devices.values()))
    assert entry["usb_path"] == "2-1"


def test_known_bad_driver_carries_the_kernel_log():
    facts = {
        "interfaces": {
            "enx3448eda91d0a": {
                "name": "enx3448eda91d0a",
                "kind": "physical",
                "mtu": 1500,
                "driver": {
                    "driver": "cdc_ncm",
                    "bus": "usb",
                    "usb": {"vendor_id": "0bda", "product_id": "8153"},
                    "bound_driver": "cdc_ncm",
                    "known_issues": [{"id": "realtek-usb-on-cdc", "finding": "NIC_DRIVER_KNOWN_BAD", "summary": "x"}],
                },
            }
        },
        "counters": {
            "kernel_log": {
                "usb_symptoms": kernlog.usb_nic_symptoms(
                    read_fixture("kernlog/r8152-tx-status-71-usb-disconnect-dell-wd19-syslog.txt").splitlines(),
                    kernlog.parse_date("Sat Feb  6 17:00:00 CET 2021"),
                )
            }
        },
    }
    found = [f for f in _judge.host_findings(facts, "laptop") if f["code"] == "NIC_DRIVER_KNOWN_BAD"]
    assert found[0]["evidence"]["kernel_log"]["kinds"]["tx_error"] == 2


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (" 16:19:19 up 17:41,  2 users,  load average: 3.58", 63660),
        (" 10:00:01 up 6 days, 22:45,  1 user", 600300),
        ("up 3 min,", 180),
        ("600300.12 1180000.5", 600300),
        ("", None),
    ],
)
def test_parse_uptime(text, seconds):
    assert kernlog.parse_uptime(text) == seconds


def test_several_reports_are_one_cluster(tmp_path):
    """Two sosreports judged together: the cross-host checks compare them (here Neutron's global_physnet_mtu)."""
    roots = {}
    for name, gpm in (("compute4", None), ("compute5", "9000")):
        root = tmp_path / name
        shutil.copytree(HOTSOS, root)
        (root / "hostname").write_text(f"{name}\n")
        if gpm:
            conf = root / "etc/neutron/neutron.conf"
            conf.write_text(conf.read_text().replace("[DEFAULT]", f"[DEFAULT]\nglobal_physnet_mtu = {gpm}", 1))
        roots[name] = str(root)
    inputs = {}
    for root in roots.values():
        facts = gather(root)
        inputs[facts["source"]["hostname"]] = {"status": "ok", "facts": facts}
    report = _judge.build_report(inputs)
    assert sorted(report["hosts"]) == ["compute4", "compute5"]
    mismatch = [f for f in report["cluster_findings"] if f["code"] == "NEUTRON_CONFIG_MISMATCH"]
    assert mismatch and mismatch[0]["evidence"]["setting"] == "global_physnet_mtu"


def test_dnsmasq_from_ps_named_by_its_network_id():
    """A Neutron DHCP agent's dnsmasq (real `ps -ef` line): its qdhcp namespace is told by the network id in its paths."""
    line = read_fixture("ps/ps-ef-neutron-dhcp-agent-dnsmasq.txt")
    network = line.split("/var/lib/neutron/dhcp/")[1].split("/")[0]
    servers = sosreport.parse_ps_dnsmasq(line, [f"qdhcp-{network}", "qrouter-other"])
    assert len(servers) == 1
    assert servers[0]["netns"] == f"qdhcp-{network}"
    assert servers[0]["interfaces"] and servers[0]["interfaces"][0].startswith("tap")
    assert isinstance(servers[0]["pid"], int)
