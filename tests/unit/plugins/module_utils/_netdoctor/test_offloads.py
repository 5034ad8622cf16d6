# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""offloads: the one name table (ethtool -k / -K alias / NetworkManager / systemd .link), plans and persistence files."""

from __future__ import annotations

import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import ethtool, offloads

VETH = ethtool.parse_ethtool_k(read_fixture("ethtool-k/veth-kernel-6.x-lab.txt"))
VIRTIO = ethtool.parse_ethtool_k(read_fixture("ethtool-k/virtio_net-ens3-openstack-compute.txt"))


def test_every_legacy_flag_of_ethtool_is_in_the_table():
    assert sorted(offloads.legacy_long_names()) == sorted(offloads.LEGACY_FLAGS)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("tx-checksumming", "tx-checksumming"),
        ("tx", "tx-checksumming"),
        ("ethtool.feature-tx", "tx-checksumming"),
        ("lro", "large-receive-offload"),
        ("gro", "generic-receive-offload"),
        ("tx-checksum-ip-generic", "tx-checksum-ip-generic"),
        ("ethtool.feature-tx-checksum-ip-generic", "tx-checksum-ip-generic"),
        ("rxvlan", "rx-vlan-offload"),
    ],
)
def test_canonical(name, expected):
    assert offloads.canonical(name, VETH) == expected


@pytest.mark.parametrize("name", ["tx-checksum", "ethtool.feature-bogus", "TX", ""])
def test_canonical_refuses_unknown(name):
    with pytest.raises(offloads.FeatureError, match="unknown offload feature"):
        offloads.canonical(name, VETH)


@pytest.mark.parametrize(
    ("name", "nm", "link"),
    [
        ("tx-checksumming", "ethtool.feature-tx", "TransmitChecksumOffload"),
        ("rx-checksumming", "ethtool.feature-rx", "ReceiveChecksumOffload"),
        ("large-receive-offload", "ethtool.feature-lro", "LargeReceiveOffload"),
        ("generic-receive-offload", "ethtool.feature-gro", "GenericReceiveOffload"),
        ("scatter-gather", "ethtool.feature-sg", None),
        ("rx-vlan-filter", "ethtool.feature-rx-vlan-filter", "ReceiveVLANCTAGFilter"),
        ("tx-udp_tnl-segmentation", "ethtool.feature-tx-udp_tnl-segmentation", None),
        ("udp-fragmentation-offload", None, None),
        ("netns-local", None, None),
    ],
)
def test_layer_names(name, nm, link):
    assert offloads.nm_property(name) == nm
    assert offloads.link_key(name) == link


def test_plan_on_veth():
    # veth as this kernel shows it: tx-checksumming on, generic-receive-offload off, large-receive-offload off [fixed]
    step = offloads.plan({"tx": False, "generic-receive-offload": False, "large-receive-offload": False}, VETH)
    assert step["wanted"] == {"tx-checksumming": False, "generic-receive-offload": False, "large-receive-offload": False}
    assert step["change"] == {"tx-checksumming": False}
    assert offloads.ethtool_args(step["change"]) == ["tx-checksumming", "off"]


def test_plan_refuses_fixed():
    with pytest.raises(offloads.FeatureError, match=r"large-receive-offload \(shown 'off \[fixed\]'\)"):
        offloads.plan({"lro": True}, VETH)


def test_plan_refuses_fixed_on_virtio():
    # virtio_net in an OpenStack guest: rx-vlan-offload off [fixed]
    with pytest.raises(offloads.FeatureError, match="rx-vlan-offload"):
        offloads.plan({"rxvlan": True}, VIRTIO)


@pytest.mark.parametrize("value", ["off", 0, None, "false"])
def test_plan_refuses_non_bool(value):
    with pytest.raises(offloads.FeatureError, match="must be true or false"):
        offloads.plan({"tx": value}, VETH)


def test_nmcli_args():
    assert offloads.nmcli_args("Wired connection 1", {"tx-checksumming": False, "large-receive-offload": False}) == [
        "connection",
        "modify",
        "Wired connection 1",
        "ethtool.feature-lro",
        "off",
        "ethtool.feature-tx",
        "off",
    ]
    with pytest.raises(offloads.FeatureError, match="NetworkManager has no ethtool property"):
        offloads.nmcli_args("c", {"udp-fragmentation-offload": False})


def test_render_link_keeps_the_default_link_settings():
    base = read_fixture("systemd-link/99-default.link-debian12-udev-252")
    text = offloads.render_link("ens1f0", "52:54:00:12:34:56", {"large-receive-offload": False, "tx-checksumming": True}, base, "# Ansible managed\n")
    assert text == (
        "# Ansible managed\n"
        "[Match]\n"
        "MACAddress=52:54:00:12:34:56\n"
        "OriginalName=ens1f0\n"
        "\n"
        "[Link]\n"
        "NamePolicy=keep kernel database onboard slot path\n"
        "AlternativeNamesPolicy=database onboard slot path\n"
        "MACAddressPolicy=persistent\n"
        "LargeReceiveOffload=false\n"
        "TransmitChecksumOffload=true\n"
    )


def test_render_link_without_key():
    with pytest.raises(offloads.FeatureError, match="no key for scatter-gather"):
        offloads.render_link("ens1f0", "52:54:00:12:34:56", {"scatter-gather": False})


def test_render_udev_rule():
    assert offloads.render_udev_rule("ens1f0", "/usr/sbin/ethtool", {"tx-checksumming": False, "large-receive-offload": False}) == (
        'ACTION=="add|move", SUBSYSTEM=="net", KERNEL=="ens1f0", RUN+="/usr/sbin/ethtool -K ens1f0 large-receive-offload off tx-checksumming off"\n'
    )
