# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The jumbo_underlay role's planning and proof as filters (documentation in the jumbo_underlay_*.yml files beside this one)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.mtu_plan import PlanError as StackError
from ansible_collections.netdoctor.openstack.plugins.plugin_utils import _judge, _jumbo_underlay
from ansible_collections.netdoctor.openstack.plugins.plugin_utils._plain import plain


def _wrap(func):
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (_jumbo_underlay.PlanError, _judge.JudgeError, StackError) as exc:
            raise AnsibleFilterError(to_native(exc)) from exc

    run.__name__ = func.__name__
    run.__doc__ = func.__doc__
    return run


def jumbo_underlay_plan(facts, host, interfaces=None, mtu=9000, verify_peers=None, connection_address=None, default_route_devices=None, rollback_timeout=None):
    """Targets, verify peers, connection risk and the findings to fix for one host."""
    return _jumbo_underlay.plan(plain(facts), host, interfaces, mtu, verify_peers, connection_address, default_route_devices, rollback_timeout)


def jumbo_underlay_probe_sizes(plan, facts, hosts=None, host_facts=None, host_plans=None, host_addresses=None, batch=None):
    """The size each verify peer is probed at, and why."""
    hosts = list(hosts or [])
    # the other hosts' facts and plans are registered data (_plain); their addresses are inventory variables
    columns = [list(c) if c is not None else [None] * len(hosts) for c in (plain(host_facts), plain(host_plans), host_addresses)]
    peers = {h: {"facts": f, "plan": p, "address": a} for h, f, p, a in zip(hosts, *columns)}
    return _jumbo_underlay.probe_sizes(plain(plan), plain(facts), peers, batch)


def jumbo_underlay_probe_failures(results, sizes):
    """pmtu_probe results that did not carry their size."""
    return _jumbo_underlay.probe_failures(plain(results), plain(sizes))


def jumbo_underlay_probe_judged(results, probes):
    """pmtu_probe results judged at the size each peer was probed at."""
    return _jumbo_underlay.probe_judged(plain(results), plain(probes))


def jumbo_underlay_remaining(facts, host, findings_before, pmtu_results=None):
    """The findings the role was run for that are still there."""
    return _jumbo_underlay.remaining(plain(facts), host, plain(findings_before), plain(pmtu_results))


class FilterModule:
    """The jumbo_underlay role's filters."""

    def filters(self):
        return {
            name: _wrap(func)
            for name, func in (
                ("jumbo_underlay_plan", jumbo_underlay_plan),
                ("jumbo_underlay_probe_sizes", jumbo_underlay_probe_sizes),
                ("jumbo_underlay_probe_failures", jumbo_underlay_probe_failures),
                ("jumbo_underlay_probe_judged", jumbo_underlay_probe_judged),
                ("jumbo_underlay_remaining", jumbo_underlay_remaining),
            )
        }
