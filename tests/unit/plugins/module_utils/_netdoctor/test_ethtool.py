# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ethtool: text parsers on captured output, the off_flag_def mapping, and the ioctl against `ethtool -k` on live veths."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid

import conftest
import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import ethtool

ON = {"enabled": True, "fixed": False, "requested": True}
OFF = {"enabled": False, "fixed": False, "requested": False}
ON_FIXED = {"enabled": True, "fixed": True, "requested": True}
OFF_FIXED = {"enabled": False, "fixed": True, "requested": False}
OFF_REQ_ON = {"enabled": False, "fixed": False, "requested": True}


@pytest.mark.parametrize(
    "fixture, expected",
    [
        (
            "ethtool-k/virtio_net-ens3-openstack-compute.txt",
            {
                "rx-checksumming": ON_FIXED,
                "tx-checksumming": ON,
                "tx-checksum-ipv4": OFF_FIXED,
                "tx-checksum-ip-generic": ON,
                "scatter-gather": ON,
                "tx-scatter-gather-fraglist": OFF_FIXED,
                "tcp-segmentation-offload": ON,
                "tx-tcp-mangleid-segmentation": OFF,
                "large-receive-offload": OFF_FIXED,
                "rx-vlan-offload": OFF_FIXED,
                "tx-vlan-offload": OFF_FIXED,
                "rx-vlan-filter": ON_FIXED,
                "tx-udp_tnl-segmentation": OFF_FIXED,
                "rx-gro-hw": ON,
                "highdma": ON_FIXED,
            },
        ),
        (
            "ethtool-k/bond0-lacp-members-requested-on.txt",
            {
                "rx-checksumming": OFF_FIXED,
                "scatter-gather": ON,
                "tx-scatter-gather-fraglist": OFF_REQ_ON,
                "large-receive-offload": OFF_REQ_ON,
                "udp-fragmentation-offload": OFF_FIXED,
                "rx-vlan-offload": ON,
                "rx-vlan-filter": ON,
                "tx-udp_tnl-segmentation": ON,
                "tx-lockless": ON_FIXED,
            },
        ),
        (
            "ethtool-k/r8152-v2.20.1-vendor-rtl8157-pve-6.14.txt",
            {
                "rx-checksumming": ON,
                "tx-checksumming": ON,
                "tx-checksum-ipv4": ON,
                "tx-checksum-ipv6": ON,
                "rx-vlan-offload": ON,
                "tx-vlan-offload": ON,
                "rx-vlan-filter": OFF_FIXED,
                "highdma": OFF_FIXED,
                "tx-tcp-ecn-segmentation": OFF_FIXED,
                "hsr-dup-offload": OFF_FIXED,
            },
        ),
        (
            "ethtool-k/openvswitch-internal-br-int.txt",
            {"rx-vlan-offload": OFF_FIXED, "tx-vlan-offload": ON, "tx-vlan-stag-hw-insert": ON, "tx-checksumming": ON},
        ),
        (
            "ethtool-k/vxlan_sys_4789-ovs.txt",
            {"rx-checksumming": ON, "tx-udp_tnl-segmentation": OFF_FIXED, "tx-sctp-segmentation": ON},
        ),
        (
            "ethtool-k/veth-sg-off-requested-on-kernel-6.18.txt",
            {
                "scatter-gather": OFF,
                "tx-scatter-gather": OFF,
                # one member (tx-tcp-accecn-segmentation) is on, the others were switched off with sg
                "tcp-segmentation-offload": ON,
                "tx-tcp-segmentation": OFF_REQ_ON,
                "tx-tcp-accecn-segmentation": ON,
                "generic-segmentation-offload": OFF_REQ_ON,
                "rx-vlan-offload": ON,
            },
        ),
    ],
)
def test_parse_ethtool_k(fixture, expected):
    parsed = ethtool.parse_ethtool_k(read_fixture(fixture))
    for name, state in expected.items():
        assert parsed[name] == state, name
    assert "Features for" not in " ".join(parsed)


@pytest.mark.parametrize(
    "fixture, aggregate, expected",
    [
        # members all fixed -> aggregate fixed; any member on -> on
        ("ethtool-k/virtio_net-ens3-openstack-compute.txt", "tx-checksumming", ON),
        ("ethtool-k/bond0-lacp-members-requested-on.txt", "scatter-gather", ON),
        ("ethtool-k/veth-sg-off-requested-on-kernel-6.18.txt", "scatter-gather", OFF),
    ],
)
def test_parse_ethtool_k_aggregates(fixture, aggregate, expected):
    assert ethtool.parse_ethtool_k(read_fixture(fixture))[aggregate] == expected


def test_parse_ethtool_k_grep_output_without_header():
    parsed = ethtool.parse_ethtool_k(read_fixture("ethtool-k/mlx5-bond-vlan-udp_tnl-propagation-grep-udp.txt"))
    # the file holds several devices; the last block wins, which is the fixed bond0.100 ("After:")
    assert parsed["tx-udp_tnl-segmentation"] == ON
    assert parsed["rx-udp_tunnel-port-offload"] == OFF_FIXED
    before = read_fixture("ethtool-k/mlx5-bond-vlan-udp_tnl-propagation-grep-udp.txt").split("Before:")[1].split("After:")[0]
    assert ethtool.parse_ethtool_k(before)["tx-udp_tnl-csum-segmentation"] == OFF_REQ_ON


@pytest.mark.parametrize(
    "fixture, driver, version, firmware, bus_info",
    [
        ("ethtool-i/8021q-vlan-subinterface.txt", "802.1Q VLAN Support", "1.8", "N/A", ""),
        ("ethtool-i/bnx2-2.2.6-bcm5709.txt", "bnx2", "2.2.6", "bc 5.2.3 NCSI 2.0.12", "0000:03:00.0"),
        ("ethtool-i/bnxt_en-kernel-6.6.43.txt", "bnxt_en", "6.6.43", "220.0.59.0/pkg 220.0.83.0", "0000:c1:00.0"),
        ("ethtool-i/cdc_ether-22-Aug-2005-rtl8153-tplink-ue300.txt", "cdc_ether", "22-Aug-2005", "CDC Ethernet Device", "usb-0000:00:1d.0-1.3"),
        ("ethtool-i/cdc_ncm-asix-ax88179a-fedora-kernel-7.1.9.txt", "cdc_ncm", "7.1.9-200.fc44.x86_64", "CDC NCM (NO ZLP)", "usb-0000:00:0d.0-2.2"),
        ("ethtool-i/e1000e-3.2.6-k.txt", "e1000e", "3.2.6-k", "0.13-3", "0000:00:19.0"),
        ("ethtool-i/e1000e-kernel-5.11.0-22-generic.txt", "e1000e", "5.11.0-22-generic", "0.5-4", "0000:00:1f.6"),
        ("ethtool-i/i40e-2.8.20-k-xxv710.txt", "i40e", "2.8.20-k", "6.00 0x800036cb 1.1747.0", "0000:d8:00.0"),
        ("ethtool-i/iavf-kernel-5.19.4-fc35-vf.txt", "iavf", "5.19.4-100.fc35.x86_64", "N/A", "0000:3b:01.0"),
        ("ethtool-i/ice-1.16.3-oot-e810-xxv.txt", "ice", "1.16.3", "4.30 0x8001af27 1.3429.0", "0000:27:00.0"),
        ("ethtool-i/ice-kernel-5.19.4-fc35-e810.txt", "ice", "5.19.4-100.fc35.x86_64", "4.22 0x80010446 1.3197.0", "0000:3b:00.0"),
        ("ethtool-i/igb-5.6.0-k-i210.txt", "igb", "5.6.0-k", "3.25, 0x800005cc", "0000:02:00.0"),
        ("ethtool-i/ixgbe-5.19.6-oot-82599.txt", "ixgbe", "5.19.6", "0x80000887, 1.2688.0", "0000:04:00.0"),
        ("ethtool-i/mlx4_en-4.0-0.txt", "mlx4_en", "4.0-0", "2.42.5000", "0000:83:00.0"),
        ("ethtool-i/mlx5_core-3.0-1-connectx4lx.txt", "mlx5_core", "3.0-1 (January 2015)", "14.23.1020", "0000:af:00.0"),
        ("ethtool-i/openvswitch-internal-br-int.txt", "openvswitch", "", "", ""),
        ("ethtool-i/r8152-v1.12.13-rtl8153a-rpi5.txt", "r8152", "v1.12.13", "rtl8153a-4 v2 02/07/20", "usb-xhci-hcd.1-1"),
        ("ethtool-i/r8152-v1.12.13-rtl8156a.txt", "r8152", "v1.12.13", "rtl8156a-2 v2 04/27/23", "usb-0000:00:14.0-1"),
        ("ethtool-i/r8152-v2.20.1-vendor-dkms-rtl8157.txt", "r8152", "v2.20.1 (2025/05/13)", "", "<snip>"),
        ("ethtool-i/tg3-kernel-5.15.0-60-generic-bcm5720.txt", "tg3", "5.15.0-60-generic", "FFV21.40.21 bc 5720-v1.39", "0000:01:00.1"),
        ("ethtool-i/virtio_net-1.0.0-openstack-compute.txt", "virtio_net", "1.0.0", "", "0000:00:03.0"),
        ("ethtool-i/vmxnet3-1.4.16.0-k-NAPI.txt", "vmxnet3", "1.4.16.0-k-NAPI", "", "0000:0b:00.0"),
        ("ethtool-i/vxlan-0.1-vxlan_sys_4789.txt", "vxlan", "0.1", "", ""),
        ("ethtool-i/veth-1.0-kernel-6.18.txt", "veth", "1.0", "", ""),
    ],
)
def test_parse_ethtool_i(fixture, driver, version, firmware, bus_info):
    info = ethtool.parse_ethtool_i(read_fixture(fixture))
    assert (info["driver"], info["version"], info["firmware_version"], info["bus_info"]) == (driver, version, firmware, bus_info)


def test_parse_ethtool_i_empty_text():
    assert ethtool.parse_ethtool_i("Cannot get driver information: Operation not supported\n") == {
        "driver": None,
        "version": None,
        "firmware_version": None,
        "bus_info": None,
    }


@pytest.mark.parametrize(
    "name, pattern, matches",
    [
        ("tx-checksum-ipv4", "tx-checksum-*", True),
        ("tx-checksumming", "tx-checksum-*", False),
        ("tx-tcp-segmentation", "tx-tcp*-segmentation", True),
        ("tx-tcp6-segmentation", "tx-tcp*-segmentation", True),
        ("tx-tcp-accecn-segmentation", "tx-tcp*-segmentation", True),
        ("tx-udp-segmentation", "tx-tcp*-segmentation", False),
        ("tx-scatter-gather", "tx-scatter-gather*", True),
        ("tx-scatter-gather-fraglist", "tx-scatter-gather*", True),
        ("rx-gro", "rx-gro", True),
        ("rx-gro-hw", "rx-gro", False),
        ("rx-gro-list", "rx-gro", False),
    ],
)
def test_flag_pattern_match(name, pattern, matches):
    assert ethtool.flag_pattern_match(name, pattern) is matches


def test_features_from_bits_rules():
    names = ["rx-checksum", "tx-checksum-ipv4", "tx-checksum-ip-generic", "rx-gro", "rx-lro", "highdma", "", "rx-vlan-hw-parse"]
    active = [1, 0, 1, 0, 0, 1, 1, 1]
    wanted = [1, 0, 1, 1, 0, 0, 0, 1]
    hw = [0, 0, 1, 1, 1, 0, 0, 1]
    nochange = [0, 0, 0, 0, 0, 0, 0, 1]
    result = ethtool.features_from_bits(names, active, wanted, hw, nochange)
    assert list(result) == [
        "rx-checksumming",
        "tx-checksumming",
        "tx-checksum-ipv4",
        "tx-checksum-ip-generic",
        "generic-receive-offload",
        "large-receive-offload",
        "rx-vlan-offload",
        "highdma",
    ]
    assert result["rx-checksumming"] == ON_FIXED
    assert result["tx-checksumming"] == ON
    assert result["generic-receive-offload"] == OFF_REQ_ON
    assert result["large-receive-offload"] == OFF
    assert result["highdma"] == ON_FIXED  # not wanted, but fixed: requested follows the active value
    assert result["rx-vlan-offload"] == ON_FIXED  # never_changed


def test_features_from_bits_labels_decode_only_those():
    names = ["rx-checksum", "tx-checksum-ipv4", "tx-checksum-ip-generic", "rx-gro", "rx-lro", "highdma", "", "rx-vlan-hw-parse"]
    columns = ([1, 0, 1, 0, 0, 1, 1, 1], [1, 0, 1, 1, 0, 0, 0, 1], [0, 0, 1, 1, 1, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 1])
    full = ethtool.features_from_bits(names, *columns)
    labels = ["tx-checksumming", "rx-vlan-offload", "not-a-feature"]
    expected = {"tx-checksumming": full["tx-checksumming"], "rx-vlan-offload": full["rx-vlan-offload"]}
    assert ethtool.features_from_bits(names, *columns, labels=labels) == expected
    assert ethtool.features_from_bits(names, *columns, labels=[]) == {}


@pytest.mark.parametrize(
    ("words", "index", "bit"),
    [((0b1, 0), 0, 1), ((0b1, 0), 1, 0), ((0, 0b10), 33, 1), ((0xFFFFFFFF, 0), 31, 1), ((0xFFFFFFFF, 0), 32, 0), ((0x80000000,), 31, 1)],
)
def test_bit_column_reads_ethtool_feature_words(words, index, bit):
    # struct ethtool_get_features_block: bit i of feature word i // 32
    assert ethtool.BitColumn(words)[index] == bit


def test_collect_missing_device_is_an_error_not_an_exception():
    name = "nd" + uuid.uuid4().hex[:10]
    result = ethtool.collect([name])
    assert result[name]["offloads"] == {}
    assert result[name]["drvinfo"] is None
    assert "No such device" in result[name]["error"]


def test_collect_loopback_matches_ethtool_text():
    if not shutil.which("ethtool"):
        pytest.skip("ethtool is not installed")
    result = ethtool.collect(["lo"])["lo"]
    assert result["error"] is None
    assert result["drvinfo"] is None  # loopback has no driver info (EOPNOTSUPP)
    text = subprocess.run(["ethtool", "-k", "lo"], capture_output=True, text=True, check=True, env={**os.environ, "LANG": "C"}).stdout
    assert result["offloads"] == ethtool.parse_ethtool_k(text)


_SNIPPET = """
import json, sys
sys.path.insert(0, sys.argv[1])
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import ethtool
print(json.dumps([ethtool.collect(sys.argv[2:]), ethtool.collect(sys.argv[2:], ["tx-checksumming", "rx-vlan-offload", "highdma"])]))
"""


def _run(argv):
    return subprocess.run(argv, capture_output=True, text=True, check=True, env={**os.environ, "LANG": "C", "LC_ALL": "C"})


@pytest.fixture
def netns():
    if os.geteuid() != 0:
        pytest.skip("needs root to create a network namespace")
    if not shutil.which("ip") or not shutil.which("ethtool"):
        pytest.skip("needs iproute2 and ethtool")
    name = "ndtest-eth-" + uuid.uuid4().hex[:8]
    _run(["ip", "netns", "add", name])
    try:
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)


def test_ioctl_equals_ethtool_k_in_namespace(netns):
    _run(["ip", "-n", netns, "link", "add", "v0", "type", "veth", "peer", "name", "v1"])
    _run(["ip", "-n", netns, "link", "add", "br0", "type", "bridge"])
    _run(["ip", "-n", netns, "link", "add", "mv0", "link", "v0", "type", "macvlan"])
    _run(["ip", "-n", netns, "tuntap", "add", "tp0", "mode", "tap"])
    _run(["ip", "-n", netns, "link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789", "local", "192.0.2.1"])
    _run(["ip", "-n", netns, "link", "set", "v1", "master", "br0"])
    # make ethtool print "[requested on]" and "off" members: sg off drags TSO/GSO down with it
    _run(["ip", "netns", "exec", netns, "ethtool", "-K", "v0", "sg", "off", "rx", "off"])
    _run(["ip", "netns", "exec", netns, "ethtool", "-K", "v1", "rxvlan", "off", "txvlan", "off", "gro", "on"])
    names = ["lo", "v0", "v1", "br0", "mv0", "tp0", "vx0"]
    tree = os.path.dirname(os.path.dirname(os.path.dirname(conftest._LINK)))
    out = _run(["ip", "netns", "exec", netns, sys.executable, "-c", _SNIPPET, tree, *names]).stdout
    collected, limited = json.loads(out)
    for name in names:
        wanted = ("tx-checksumming", "rx-vlan-offload", "highdma")
        assert limited[name]["offloads"] == {k: v for k, v in collected[name]["offloads"].items() if k in wanted}, name
        text = _run(["ip", "netns", "exec", netns, "ethtool", "-k", name]).stdout
        assert collected[name]["error"] is None, name
        assert collected[name]["offloads"] == ethtool.parse_ethtool_k(text), name
        assert list(collected[name]["offloads"]) == list(ethtool.parse_ethtool_k(text)), name
        if name != "lo":
            info = ethtool.parse_ethtool_i(_run(["ip", "netns", "exec", netns, "ethtool", "-i", name]).stdout)
            assert collected[name]["drvinfo"] == {k: info[k] for k in ("driver", "version", "firmware_version", "bus_info")}, name
    assert collected["v0"]["offloads"]["generic-segmentation-offload"] == OFF_REQ_ON
    assert collected["v0"]["offloads"]["rx-checksumming"] == OFF
    assert collected["v1"]["offloads"]["rx-vlan-offload"] == OFF
    assert collected["v1"]["drvinfo"]["driver"] == "veth"
    assert collected["br0"]["drvinfo"]["driver"] == "bridge"
