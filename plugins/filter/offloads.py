# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The nic_offloads role's persistence files (documentation in the .yml file of each filter beside this one)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import offloads


def offload_link_file(ifname, mac, features, base="", header=""):
    """The .link file of ours for one device."""
    try:
        return offloads.render_link(ifname, mac, dict(features), base or "", header or "")
    except offloads.FeatureError as exc:
        raise AnsibleFilterError(f"offload_link_file: {exc}") from None


def offload_udev_rule(ifname, ethtool, features, header=""):
    """The udev rule of ours for one device."""
    return offloads.render_udev_rule(ifname, ethtool, dict(features), header or "")


class FilterModule:
    """Filters of the nic_offloads role."""

    def filters(self):
        return {"offload_link_file": offload_link_file, "offload_udev_rule": offload_udev_rule}
