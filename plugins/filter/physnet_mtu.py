# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The physnet_mtu role's plan, proof and layout detection as filters.

Documentation of each filter is in the .yml file of the same name beside this one.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.netdoctor.openstack.plugins.plugin_utils import _judge, _physnet_mtu
from ansible_collections.netdoctor.openstack.plugins.plugin_utils._plain import plain


def _wrap(func):
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (_physnet_mtu.PlanError, _judge.JudgeError) as exc:
            raise AnsibleFilterError(to_native(exc)) from exc

    run.__name__ = func.__name__
    run.__doc__ = func.__doc__
    return run


def physnet_mtu_plan(hosts_facts, settings):
    """Validate the settings and check them against every host's facts: settings, files, refusals, hosts."""
    if not isinstance(hosts_facts, dict):
        raise AnsibleFilterError("physnet_mtu_plan: the input must be a dict {host: ansible_facts.netdoctor}")
    if not isinstance(settings, dict):
        raise AnsibleFilterError("physnet_mtu_plan: settings must be a dict")
    return _physnet_mtu.plan(plain(hosts_facts), settings)


def physnet_mtu_verify(after_facts, before_facts, applied, host=None):
    """Problems found comparing the facts gathered after the change with what the applied settings must give."""
    return _physnet_mtu.verify(plain(before_facts), plain(after_facts), applied, host)


def physnet_mtu_layout(paths, units=None, layout="auto"):
    """The Neutron deployment layout of a host from the paths found on it and its systemd units."""
    result = _physnet_mtu.detect_layout(paths, units, layout)
    result["kolla_containers"] = {service: _physnet_mtu.kolla_container(service) for service in result["kolla_services"]}
    return result


class FilterModule:
    """The physnet_mtu role's filters."""

    def filters(self):
        return {
            name: _wrap(func)
            for name, func in (
                ("physnet_mtu_plan", physnet_mtu_plan),
                ("physnet_mtu_verify", physnet_mtu_verify),
                ("physnet_mtu_layout", physnet_mtu_layout),
            )
        }
