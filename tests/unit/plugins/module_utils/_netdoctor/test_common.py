"""Interface and namespace name validation: nothing odd may reach a command line."""

from __future__ import annotations

import pytest

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import common
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import InvalidName, validate_ifname, validate_netns


@pytest.mark.parametrize(
    "name",
    # real names: Neutron taps/ports, OVS tunnel ports, predictable names, USB NICs, VLANs
    ["eth0", "tap3f2a1b4c-5d", "qr-6e1c0f2a-9b", "vxlan_sys_4789", "vxlan-0a000001", "enp0s31f6", "enx00e04c680001", "eno4.4000", "br-int", "a" * 15],
)
def test_real_interface_names_pass(name):
    assert validate_ifname(name) == name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "non-empty"),
        (None, "non-empty"),
        ("a" * 16, "16 bytes long"),
        ("ethé" * 4, "bytes long"),  # 20 bytes in UTF-8
        ("eth0/1", "cannot hold"),
        ("eth 0", "cannot hold"),
        ("eth\t0", "cannot hold"),
        ("eth\x000", "cannot hold"),
        ("eth0;reboot", "cannot hold"),
        ("$(reboot)", "cannot hold"),
        ("`id`", "cannot hold"),
        ("eth0|x", "cannot hold"),
        ("eth*", "cannot hold"),
        ("..", "not allowed"),
    ],
)
def test_odd_interface_names_fail(name, message):
    with pytest.raises(InvalidName, match=message):
        validate_ifname(name)


@pytest.mark.parametrize("name", ["qdhcp-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", "qrouter-1", "ovnmeta-x", "snat-abc", "fip-1"])
def test_namespace_names_pass(name):
    assert validate_netns(name) == name


@pytest.mark.parametrize("name", ["", "..", "a/b", "ns;id", "ns name", None])
def test_odd_namespace_names_fail(name):
    with pytest.raises(InvalidName):
        validate_netns(name)


def test_read_text(tmp_path):
    path = tmp_path / "attr"
    path.write_bytes(b"  0x0bda\n")
    assert common.read_text(str(path)) == "  0x0bda\n"
    assert common.read_text(str(path), strip=True) == "0x0bda"
    assert common.read_text(str(tmp_path / "missing")) is None
    assert common.read_text(str(tmp_path)) is None  # a directory cannot be read as text
    path.write_bytes(b"caf\xe9\n")
    assert common.read_text(str(path), strip=True, errors="replace") == "caf\ufffd"
    with pytest.raises(UnicodeDecodeError):
        common.read_text(str(path))  # a file that may be written back is never silently changed
