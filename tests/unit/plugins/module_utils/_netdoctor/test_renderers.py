"""Renderer detection and the file each renderer gets (real captured configuration files)."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import renderers


def test_networkctl_list_captured():
    state = renderers.parse_networkctl_list(read_fixture("networkctl/list-json-systemd252-eth0-configured.json"))
    assert state["eth0"] == {"admin_state": "configuring", "network_file": "/etc/systemd/network/20-eth0.network", "link_file": None}
    assert renderers.networkd_owns(state["eth0"])
    assert not renderers.networkd_owns(state["lo"])


@pytest.mark.parametrize(
    "fixture, expected_tail",
    [
        # no [Link] section: appended after a blank line
        ("renderers/systemd-21-vlan-test1.network", "[Match]\nName=test1\n\n[Link]\nMTUBytes=9000\n"),
        # the .link's MTUBytes replaced in place
        ("renderers/systemd-12-dummy-mtu.link", "[Match]\nOriginalName=dummy98\n\n[Link]\nMTUBytes=9000\n"),
    ],
)
def test_networkd_units(fixture, expected_tail):
    assert renderers.networkd_set_mtu(read_fixture(fixture), 9000) == expected_tail


def test_networkd_big_unit_keeps_every_other_line():
    text = read_fixture("renderers/systemd-25-address-static.network")
    new = renderers.networkd_set_mtu(text, 9000)
    assert new.startswith(text)  # nothing changed, a section appended
    assert new[len(text) :] == "\n[Link]\nMTUBytes=9000\n"
    assert renderers.networkd_set_mtu(new, 9000) == new  # idempotent
    assert renderers.ini_get(new, "Link", "MTUBytes") == "9000"


def test_networkd_which_unit():
    link = read_fixture("renderers/systemd-12-dummy-mtu.link")
    network = read_fixture("renderers/systemd-21-vlan-test1.network")
    assert renderers.networkd_unit_for_mtu(network, link) == "link"
    assert renderers.networkd_unit_for_mtu(renderers.networkd_set_mtu(network, 1500), link) == "network"
    assert renderers.networkd_unit_for_mtu(network, None) == "network"
    assert renderers.networkd_commands("link", "dummy98")[-1] == ["udevadm", "trigger", "--action=move", "--subsystem-match=net", "--sysname-match=dummy98"]
    assert renderers.networkd_commands("network", "eth0") == [["networkctl", "reload"]]


def test_ifupdown_stanzas():
    text = read_fixture("renderers/ifupdown-ceph-bonds-vlans.interfaces")
    assert renderers.ifupdown_get_mtu(text, "bond0.MGMT_VLAN") == 1500
    assert renderers.ifupdown_get_mtu(text, "em1") is None
    new = renderers.ifupdown_set_mtu(text, "bond0.MGMT_VLAN", 9000)
    assert "iface bond0.MGMT_VLAN inet manual\n    mtu 9000\n    vlan-raw-device bond0\n" in new
    assert new.count("mtu 1500") == text.count("mtu 1500") - 1
    added = renderers.ifupdown_set_mtu(text, "em1", 9000)
    # inserted right after the iface line, with the stanza's own five-space indent
    assert "iface em1 inet manual\n     mtu 9000\n     bond-master bond0\n" in added
    assert len(added.splitlines()) == len(text.splitlines()) + 1
    assert renderers.ifupdown_set_mtu(added, "em1", 9000) == added
    with pytest.raises(renderers.RendererError):
        renderers.ifupdown_set_mtu(text, "eth7", 9000)


def test_ifupdown_sources_of_the_debian_default():
    assert renderers.ifupdown_sources(read_fixture("renderers/ifupdown-debian12-default.interfaces")) == ["/etc/network/interfaces.d/*"]


def test_nm_keyfiles():
    wired = read_fixture("renderers/nm-keyfile-Test_Wired_Connection")
    new = renderers.keyfile_set_mtu(wired, 9000)
    # the old setting name [802-3-ethernet] is kept, its mtu=1400 replaced in place
    assert "auto-negotiate=true\nmtu=9000\n\n[ipv4]" in new and "mtu=1400" not in new
    assert "[ethernet]" not in new
    bridge = read_fixture("renderers/nm-keyfile-Test_Write_Bridge_Main")
    assert "[ethernet]\nmtu=9000\n\n[bridge]" in renderers.keyfile_set_mtu(bridge, 9000)


def test_nm_commands():
    assert renderers.nm_commands("4e80a56d-c99f-4aad-a6dd-b449bc398c57", "802-3-ethernet", "eth0", 9000) == [
        ["nmcli", "connection", "modify", "4e80a56d-c99f-4aad-a6dd-b449bc398c57", "802-3-ethernet.mtu", "9000"],
        ["nmcli", "device", "reapply", "eth0"],
    ]
    assert renderers.nm_mtu_setting("ip-tunnel") == "ip-tunnel.mtu"
    with pytest.raises(renderers.RendererError):
        renderers.nm_commands("not-a-uuid; rm", "ethernet", "eth0", 9000)
    with pytest.raises(renderers.RendererError):
        renderers.nm_mtu_setting("wifi-p2p")


def test_nmcli_terse_escapes():
    # nmcli -t escapes ':' and '\' in values with '\'
    rows = renderers.nm_active_connections(
        "b23c15e0-815b-5e6e-a5f9-aea49237aa35:bridge:br0:/etc/NetworkManager/system-connections/br0.nmconnection\n"
        "4e80a56d-c99f-4aad-a6dd-b449bc398c57:802-3-ethernet:eth0:/run/NetworkManager/system-connections/netplan-eth0\\:1.nmconnection\n"
    )
    assert rows["eth0"]["filename"] == "/run/NetworkManager/system-connections/netplan-eth0:1.nmconnection"
    assert rows["br0"]["type"] == "bridge"


def _netplan_docs():
    return {
        "/etc/netplan/01-bonding.yaml": yaml.safe_load(read_fixture("renderers/netplan-bonding.yaml.txt")),
        "/etc/netplan/02-bridge.yaml": yaml.safe_load(read_fixture("renderers/netplan-bridge_vlan.yaml.txt")),
    }


def test_netplan_find_and_dropin():
    docs = _netplan_docs()
    assert renderers.netplan_find(docs, "bond0") == ("bonds", "bond0")
    assert renderers.netplan_find(docs, "vlan15") == ("vlans", "vlan15")
    assert renderers.netplan_find(docs, "eth9") is None
    text = renderers.netplan_dropin({("bonds", "bond0"): 9000, ("ethernets", "enp3s0"): 9000})
    data = yaml.safe_load(text)  # what netplan reads
    assert data == {"network": {"version": 2, "bonds": {"bond0": {"mtu": 9000}}, "ethernets": {"enp3s0": {"mtu": 9000}}}}
    assert renderers.netplan_dropin_entries(data) == {("bonds", "bond0"): 9000, ("ethernets", "enp3s0"): 9000}


def test_os_net_config():
    doc = json.loads(read_fixture("renderers/os-net-config-bridge_vlan.json"))
    assert renderers.osnet_find(doc, "em1")["type"] == "interface"
    assert renderers.osnet_find(doc, "vlan16")["vlan_id"] == 16
    new = renderers.osnet_set_mtu(doc, "br-ctlplane", 9000)
    assert new["network_config"][0]["mtu"] == 9000 and "mtu" not in doc["network_config"][0]
    bonds = yaml.safe_load(read_fixture("renderers/os-net-config-bond.yaml.txt"))
    assert renderers.osnet_set_mtu(bonds, "em2", 9000)["network_config"][0]["members"][0]["members"][1] == {"type": "interface", "name": "em2", "mtu": 9000}
    with pytest.raises(renderers.RendererError):
        renderers.osnet_set_mtu(doc, "em9", 9000)
    assert json.loads(renderers.osnet_render_json(new)) == new


def test_detect_owner_precedence():
    networkd = renderers.parse_networkctl_list(read_fixture("networkctl/list-json-systemd252-eth0-configured.json"))
    eni = {"/etc/network/interfaces": read_fixture("renderers/ifupdown-ceph-bonds-vlans.interfaces")}
    osnet = {"/etc/os-net-config/config.json": json.loads(read_fixture("renderers/os-net-config-bridge_vlan.json"))}
    assert renderers.detect_owner("eth0", networkd_state=networkd["eth0"], ifupdown_files=eni)["renderer"] == "systemd-networkd"
    assert renderers.detect_owner("em1", ifupdown_files=eni, osnet=osnet)["renderer"] == "os-net-config"
    assert renderers.detect_owner("em3", ifupdown_files=eni)["renderer"] == "ifupdown"
    assert renderers.detect_owner("em3", ovs=True, ifupdown_files=eni)["renderer"] == "ovs"
    owner = renderers.detect_owner(
        "bond0", netplan_docs=_netplan_docs(), networkd_state={"admin_state": "configured", "network_file": "/run/systemd/network/10-netplan-bond0.network"}
    )
    assert (owner["renderer"], owner["path"], owner["section"]) == ("netplan", "/etc/netplan/90-netdoctor-mtu.yaml", "bonds")
    nm = renderers.nm_active_connections("4e80a56d-c99f-4aad-a6dd-b449bc398c57:802-3-ethernet:eth0:/etc/NetworkManager/system-connections/eth0.nmconnection\n")
    assert renderers.detect_owner("eth0", nm_connection=nm["eth0"], networkd_state=networkd["eth0"])["renderer"] == "NetworkManager"
    assert renderers.detect_owner("veth3", ifupdown_files=eni)["renderer"] is None
    with pytest.raises(renderers.RendererError, match="netplan-generated"):
        renderers.detect_owner("eth0", networkd_state={"admin_state": "configured", "network_file": "/run/systemd/network/10-netplan-eth0.network"})
