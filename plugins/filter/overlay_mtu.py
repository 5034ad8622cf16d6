# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The overlay_mtu filter: the largest overlay MTU an underlay carries."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.netdoctor.openstack.plugins.filter.tunnel_overhead import tunnel_overhead
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import mtu as _mtu

DOCUMENTATION = r"""
name: overlay_mtu
short_description: The largest overlay (tunnel) MTU an underlay MTU carries
version_added: 0.1.0
author: netdoctor maintainers
description:
  - Returns C(underlay MTU - tunnel overhead), the largest MTU a tunnel device or a Neutron tunnel network may have so
    that its encapsulated packets fit the underlay.
  - The overhead is that of P(netdoctor.openstack.tunnel_overhead#filter), with the same options; the outer IP version
    comes from O(endpoint) (read with C(netaddr)), else from O(ip_version).
  - With O(neutron=true) the result is exactly the MTU Neutron gives a V(vxlan), V(gre) or V(geneve) network when its
    segment MTU (C(min(global_physnet_mtu, path_mtu))) is the input.
extends_documentation_fragment:
  - netdoctor.openstack.tunnel_options
positional: kind, endpoint
options:
  _input:
    description: The underlay MTU.
    type: int
    required: true
  kind:
    description: The tunnel kind (a Linux device kind, or a Neutron network type with O(neutron=true)).
    type: str
    default: vxlan
  endpoint:
    description: A tunnel endpoint address, e.g. V(10.0.0.5) or V(fd00::5/64).
    type: str
"""

EXAMPLES = r"""
- name: VXLAN on a jumbo underlay
  ansible.builtin.debug:
    msg: "{{ 9000 | netdoctor.openstack.overlay_mtu('vxlan') }}"  # 8950

- name: The MTU Neutron gives Geneve networks under OVN over IPv6 endpoints
  ansible.builtin.debug:
    msg: "{{ 1500 | netdoctor.openstack.overlay_mtu('geneve', 'fd00::5', neutron=true, max_header_size=38) }}"  # 1422
"""

RETURN = r"""
_value:
  description: The overlay MTU in bytes.
  type: int
  sample: 8950
"""


def overlay_mtu(underlay_mtu, kind="vxlan", endpoint=None, *, ip_version=4, neutron=False, max_header_size=None, key=False, seq=False, csum=False, options=0):
    """The largest overlay MTU an underlay of ``underlay_mtu`` carries (see DOCUMENTATION)."""
    try:
        underlay = _mtu.validate_mtu(underlay_mtu, name="underlay MTU")
    except _mtu.MTUError as exc:
        raise AnsibleFilterError(to_native(exc)) from exc
    overhead = tunnel_overhead(
        kind, endpoint, ip_version=ip_version, neutron=neutron, max_header_size=max_header_size, key=key, seq=seq, csum=csum, options=options
    )
    result = underlay - overhead
    if result < _mtu.MIN_MTU[4]:
        raise AnsibleFilterError(f"an underlay MTU of {underlay} leaves {result} bytes for a {kind} overlay, less than the minimum {_mtu.MIN_MTU[4]}")
    return result


class FilterModule:
    """overlay_mtu."""

    def filters(self):
        return {"overlay_mtu": overlay_mtu}
