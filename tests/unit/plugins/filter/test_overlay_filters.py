# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The overlay_mtu and tunnel_overhead filters."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netdoctor.openstack.plugins.filter.overlay_mtu import FilterModule as OverlayModule
from ansible_collections.netdoctor.openstack.plugins.filter.overlay_mtu import overlay_mtu
from ansible_collections.netdoctor.openstack.plugins.filter.tunnel_overhead import FilterModule as OverheadModule
from ansible_collections.netdoctor.openstack.plugins.filter.tunnel_overhead import tunnel_overhead
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import mtu


@pytest.mark.parametrize(
    ("kind", "endpoint", "kwargs", "expected"),
    [
        ("vxlan", None, {}, 50),
        ("vxlan", "10.0.0.5", {}, 50),
        ("vxlan", "10.0.0.5/24", {}, 50),
        ("vxlan", "fd00:10::5", {}, 70),
        ("vxlan", "fd00:10::5/64", {}, 70),
        ("vxlan", None, {"ip_version": 6}, 70),
        ("VXLAN", None, {}, 50),
        ("geneve", "10.0.0.5", {"options": 8}, 58),
        ("gretap", "10.0.0.5", {"key": True}, 42),
        ("gre", "10.0.0.5", {}, 24),
        ("ipip", None, {}, 20),
        ("ip6tnl", "10.0.0.5", {}, 40),
        # Neutron network types: IP + Neutron's encapsulation constant
        ("vxlan", "10.0.0.5", {"neutron": True}, 50),
        ("gre", "10.0.0.5", {"neutron": True}, 42),
        ("gre", "fd00::5", {"neutron": True}, 62),
        ("geneve", "10.0.0.5", {"neutron": True}, 50),
        ("geneve", "fd00::5", {"neutron": True, "max_header_size": 38}, 78),
    ],
)
def test_tunnel_overhead(kind, endpoint, kwargs, expected):
    assert tunnel_overhead(kind, endpoint, **kwargs) == expected


@pytest.mark.parametrize("network_type", ["vxlan", "gre", "geneve"])
@pytest.mark.parametrize("segment", [1500, 9000, 1400])
@pytest.mark.parametrize(("endpoint", "version"), [("10.0.0.5", 4), ("fd00::5", 6)])
def test_overlay_mtu_is_neutrons_network_mtu(network_type, segment, endpoint, version):
    """With neutron=true, overlay_mtu of the segment MTU is exactly what Neutron computes for that network type."""
    assert overlay_mtu(segment, network_type, endpoint, neutron=True) == mtu.neutron_tunnel_mtu(network_type, segment, 0, version)


@pytest.mark.parametrize(
    ("underlay", "kind", "endpoint", "expected"),
    [(9000, "vxlan", None, 8950), (1500, "vxlan", "fd00::1", 1430), (1500, "geneve", "10.1.1.1", 1450), ("9000", "vxlan", None, 8950)],
)
def test_overlay_mtu(underlay, kind, endpoint, expected):
    assert overlay_mtu(underlay, kind, endpoint) == expected


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: tunnel_overhead("vxlan", "not-an-address"), "not an IP address"),
        (lambda: tunnel_overhead("bogus"), "unknown tunnel kind"),
        (lambda: tunnel_overhead("ipip", neutron=True), "unknown Neutron tunnel network type"),
        (lambda: tunnel_overhead("vxlan", ip_version=5), "ip_version must be 4 or 6"),
        (lambda: overlay_mtu("jumbo"), "must be an integer"),
        (lambda: overlay_mtu(100, "vxlan"), "less than the minimum"),
    ],
)
def test_errors(call, message):
    with pytest.raises(AnsibleFilterError, match=message):
        call()


def test_filter_modules_export_their_filters():
    assert set(OverlayModule().filters()) == {"overlay_mtu"}
    assert set(OverheadModule().filters()) == {"tunnel_overhead"}
