# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """The tunnel options the tunnel_overhead and overlay_mtu filters share."""

    DOCUMENTATION = r"""
options:
  ip_version:
    description: The outer IP version when O(endpoint) is not given.
    type: int
    choices: [4, 6]
    default: 4
  neutron:
    description: Read the tunnel kind as a Neutron network type (V(vxlan), V(gre), V(geneve)) and use Neutron's arithmetic.
    type: bool
    default: false
  max_header_size:
    description: Neutron's C([ml2_type_geneve] max_header_size), with O(neutron=true) and V(geneve).
    type: int
    default: 30
  key:
    description: GRE with a key (Neutron's GRE tunnels have one).
    type: bool
    default: false
  seq:
    description: GRE with sequence numbers.
    type: bool
    default: false
  csum:
    description: GRE with checksums.
    type: bool
    default: false
  options:
    description: Bytes of Geneve options (OVN uses 8).
    type: int
    default: 0
"""
