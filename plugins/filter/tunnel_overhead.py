# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The tunnel_overhead filter: bytes a tunnel adds on the wire."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import mtu as _mtu

try:
    import netaddr

    HAS_NETADDR = True
except ImportError:  # pragma: no cover - requirements.txt installs it
    HAS_NETADDR = False

DOCUMENTATION = r"""
name: tunnel_overhead
short_description: Bytes a tunnel adds on the wire, outer IP header included
version_added: 0.1.0
author: netdoctor maintainers
description:
  - Returns how many bytes a tunnel of the given kind adds to every packet, outer IP header included, so that
    C(overlay MTU + overhead) is the underlay MTU the tunnel needs.
  - The outer IP version comes from O(endpoint) (an address, with or without a prefix length, read with C(netaddr)),
    else from O(ip_version), else IPv4.
  - "Linux device kinds (O(neutron=false)): V(vxlan) and V(geneve) add IP + UDP 8 + header 8 + inner Ethernet 14
    (+ Geneve O(options)); V(gretap) IP + GRE 4 (+4 per O(key), O(seq), O(csum)) + inner Ethernet 14; V(gre) the same
    without inner Ethernet; V(ipip), V(sit) and V(ip6tnl) the outer IP header. V(ip6gre), V(ip6gretap) and V(ip6tnl)
    always have an IPv6 outer header."
  - "Neutron network types (O(neutron=true)): V(vxlan) IP + 30, V(gre) IP + 22, V(geneve) IP + O(max_header_size),
    exactly as Neutron's type drivers subtract them from a network's MTU."
  - Needs the C(netaddr) Python library on the controller when O(endpoint) is given.
extends_documentation_fragment:
  - netdoctor.openstack.tunnel_options
positional: endpoint
options:
  _input:
    description: The tunnel kind (a Linux device kind, or a Neutron network type with O(neutron=true)).
    type: str
    required: true
  endpoint:
    description: A tunnel endpoint address (local or remote), e.g. V(10.0.0.5), V(fd00::5) or V(10.0.0.5/24).
    type: str
"""

EXAMPLES = r"""
- name: VXLAN over IPv4
  ansible.builtin.debug:
    msg: "{{ 'vxlan' | netdoctor.openstack.tunnel_overhead }}"  # 50

- name: VXLAN between IPv6 endpoints
  ansible.builtin.debug:
    msg: "{{ 'vxlan' | netdoctor.openstack.tunnel_overhead('fd00:10::5') }}"  # 70

- name: What a Neutron GRE network loses, its local_ip taken from the agent's configuration
  ansible.builtin.debug:
    msg: "{{ 'gre' | netdoctor.openstack.tunnel_overhead(endpoint=ansible_facts.netdoctor.neutron.local_ip, neutron=true) }}"  # 42
"""

RETURN = r"""
_value:
  description: The overhead in bytes.
  type: int
  sample: 50
"""


def endpoint_ip_version(endpoint, ip_version=4) -> int:
    """The IP version of ``endpoint`` (read with netaddr), or ``ip_version`` when no endpoint is given."""
    if endpoint in (None, ""):
        if int(ip_version) not in _mtu.IP_HEADER:
            raise AnsibleFilterError(f"ip_version must be 4 or 6, got {ip_version!r}")
        return int(ip_version)
    if not HAS_NETADDR:
        raise AnsibleFilterError("the netaddr Python library is required on the controller for endpoint=")
    try:
        return int(netaddr.IPNetwork(str(endpoint)).version)
    except (netaddr.AddrFormatError, ValueError, TypeError) as exc:
        raise AnsibleFilterError(f"endpoint {endpoint!r} is not an IP address: {to_native(exc)}") from exc


def tunnel_overhead(kind, endpoint=None, *, ip_version=4, neutron=False, max_header_size=None, key=False, seq=False, csum=False, options=0):
    """Bytes a tunnel of ``kind`` adds on the wire (see DOCUMENTATION)."""
    version = endpoint_ip_version(endpoint, ip_version)
    kind = str(kind).lower()
    try:
        if neutron:
            if kind not in ("vxlan", "gre", "geneve"):
                raise AnsibleFilterError(f"unknown Neutron tunnel network type {kind!r} (vxlan, gre, geneve)")
            return _mtu.IP_HEADER[version] + _mtu.neutron_encap_overhead(kind, max_header_size)
        return _mtu.tunnel_overhead(kind, version, key=key, seq=seq, csum=csum, options=int(options or 0))
    except _mtu.MTUError as exc:
        raise AnsibleFilterError(to_native(exc)) from exc


class FilterModule:
    """tunnel_overhead."""

    def filters(self):
        return {"tunnel_overhead": tunnel_overhead}
