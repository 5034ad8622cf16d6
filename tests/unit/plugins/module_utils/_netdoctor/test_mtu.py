"""MTU arithmetic: Neutron's type-driver MTUs and on-the-wire tunnel overheads."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import uuid

import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import mtu


@pytest.mark.parametrize(
    ("kind", "gpm", "path_mtu", "ip_version", "max_header", "expected"),
    [
        # neutron defaults: global_physnet_mtu 1500, path_mtu 0
        ("vxlan", None, None, 4, None, 1450),
        ("gre", None, None, 4, None, 1458),
        ("geneve", None, None, 4, None, 1450),
        ("vxlan", 1500, 0, 6, None, 1430),
        ("gre", 1500, 0, 6, None, 1438),
        # OVN's minimum geneve header
        ("geneve", 1500, 0, 4, 38, 1442),
        ("geneve", 9000, 0, 6, 38, 8922),
        # the smaller of the two wins, values <= 0 are ignored
        ("vxlan", 9000, 1500, 4, None, 1450),
        ("vxlan", 1500, 9000, 4, None, 1450),
        ("vxlan", 9000, 0, 4, None, 8950),
        ("vxlan", 9000, -1, 4, None, 8950),
        ("vxlan", 0, 1400, 4, None, 1350),
        # nothing known: neutron leaves the MTU at 0 (indeterminate)
        ("vxlan", 0, 0, 4, None, 0),
    ],
)
def test_neutron_tunnel_mtu(kind, gpm, path_mtu, ip_version, max_header, expected):
    assert mtu.neutron_tunnel_mtu(kind, gpm, path_mtu, ip_version, max_header) == expected


@pytest.mark.parametrize(
    ("physnet", "gpm", "physnet_mtus", "expected"),
    [
        ("physnet1", None, {}, 1500),
        ("physnet1", 9000, {"physnet1": 1500}, 1500),
        ("physnet1", 1500, {"physnet1": 9000}, 1500),
        ("physnet2", 9000, {"physnet1": 1500}, 9000),
        ("physnet1", 0, {"physnet1": 9000}, 9000),
        ("physnet1", 0, {}, 0),
    ],
)
def test_neutron_physnet_mtu(physnet, gpm, physnet_mtus, expected):
    assert mtu.neutron_physnet_mtu(physnet, gpm, physnet_mtus) == expected


def test_neutron_network_mtus_shape():
    result = mtu.neutron_network_mtus(9000, 0, {"physnet2": 1500}, physnets=["physnet1"], overlay_ip_version=4, geneve_max_header_size=38)
    assert result == {
        "vxlan": 8950,
        "gre": 8958,
        "geneve": 8942,
        "vlan": {"physnet1": 9000, "physnet2": 1500},
        "flat": {"physnet1": 9000, "physnet2": 1500},
    }


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: mtu.neutron_tunnel_mtu("stt"), "unknown tunnel network type"),
        (lambda: mtu.neutron_tunnel_mtu("vxlan", overlay_ip_version=5), "overlay_ip_version"),
        (lambda: mtu.tunnel_overhead("wireguard"), "unknown tunnel kind"),
        (lambda: mtu.tunnel_overhead("vxlan", 5), "ip_version"),
    ],
)
def test_bad_arguments_raise(call, message):
    with pytest.raises(mtu.MTUError, match=message):
        call()


@pytest.mark.parametrize(
    ("kind", "ip_version", "flags", "overhead"),
    [
        ("vxlan", 4, {}, 50),
        ("vxlan", 6, {}, 70),
        ("geneve", 4, {}, 50),
        ("geneve", 4, {"options": 8}, 58),
        ("gretap", 4, {}, 38),
        ("gretap", 4, {"key": True}, 42),  # Neutron's GRE: 20 + 22
        ("gretap", 6, {"key": True}, 62),
        ("gre", 4, {}, 24),
        ("gre", 4, {"key": True, "seq": True, "csum": True}, 36),
        ("ip6gre", 4, {}, 44),  # ip6gre is always IPv6 outside
        ("ipip", 4, {}, 20),
        ("sit", 4, {}, 20),
        ("ip6tnl", 4, {}, 40),
    ],
)
def test_tunnel_overhead(kind, ip_version, flags, overhead):
    assert mtu.tunnel_overhead(kind, ip_version, **flags) == overhead
    assert mtu.required_underlay_mtu(1450, kind, ip_version, **flags) == 1450 + overhead
    assert mtu.overlay_mtu(1500, kind, ip_version, **flags) == 1500 - overhead


def test_overhead_matches_a_real_flannel_vxlan():
    # flannel sizes its VXLAN device as underlay MTU - 50: ens3 8958, flannel.1 8908
    text = read_fixture("ip-link/ip-s-d-link-flannel-vxlan-ipv4.txt")
    mtus = dict(re.findall(r"^\d+: ([^:@]+)[^\n]* mtu (\d+)", text, re.M))
    assert int(mtus["flannel.1"]) == mtu.overlay_mtu(int(mtus["ens3"]), "vxlan", 4)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("ip"), reason="needs root and iproute2 to create a vxlan device")
def test_overhead_matches_the_kernels_vxlan_sizing():
    """The kernel sizes a vxlan device on a lower device as lower MTU - 50 (IPv4) / - 70 (IPv6)."""
    netns = "nd-mtu-" + uuid.uuid4().hex[:8]
    subprocess.run(["ip", "netns", "add", netns], check=True)
    try:

        def ip(*args):
            return subprocess.run(["ip", "-n", netns, *args], check=True, capture_output=True, text=True).stdout

        ip("link", "add", "low0", "mtu", "9000", "type", "veth", "peer", "name", "low1")
        ip("link", "add", "vx4", "type", "vxlan", "id", "4", "dstport", "4789", "local", "192.0.2.1", "remote", "192.0.2.2", "dev", "low0")
        ip("link", "add", "vx6", "type", "vxlan", "id", "6", "dstport", "4789", "local", "2001:db8::1", "remote", "2001:db8::2", "dev", "low0")
        links = {link["ifname"]: link["mtu"] for link in json.loads(ip("-j", "link", "show"))}
        assert links["vx4"] == mtu.overlay_mtu(9000, "vxlan", 4)
        assert links["vx6"] == mtu.overlay_mtu(9000, "vxlan", 6)
    finally:
        subprocess.run(["ip", "netns", "delete", netns], check=False)


@pytest.mark.parametrize(
    ("deficit", "explained_by"),
    [
        (4, "802.1Q VLAN tag"),
        (50, "VXLAN over IPv4"),
        (70, "VXLAN over IPv6"),
        (42, "GRE (Neutron, with key) over IPv4"),
        (62, "GRE (Neutron, with key) over IPv6"),
        (58, "Geneve over IPv4 with 8 bytes of OVN options"),
        (8, "802.1ad QinQ tags"),
    ],
)
def test_explained_deficits(deficit, explained_by):
    assert explained_by in mtu.explain_deficit(deficit)


@pytest.mark.parametrize("deficit", [1, 2, 3, 6, 10, 51, 100])
def test_unexplained_deficits(deficit):
    # the seed report's USB NIC trailer is 2 bytes: nothing on the wire explains it
    assert mtu.explain_deficit(deficit) == []


@pytest.mark.parametrize(
    ("value", "low", "high", "expected"),
    [(1500, None, None, 1500), ("9000", 68, 9216, 9000), (68, 68, 65535, 68), (1280, 1280, 0, 1280)],
)
def test_validate_mtu_accepts(value, low, high, expected):
    assert mtu.validate_mtu(value, low, high) == expected


@pytest.mark.parametrize(
    ("value", "low", "high", "message"),
    [
        (67, None, None, "outside the allowed range 68-65535"),
        (9001, 68, 9000, "outside the allowed range 68-9000"),
        ("jumbo", None, None, "must be an integer"),
        (1500.5, None, None, "must be an integer"),
        (None, None, None, "must be an integer"),
    ],
)
def test_validate_mtu_rejects(value, low, high, message):
    with pytest.raises(mtu.MTUError, match=message):
        mtu.validate_mtu(value, low, high)
