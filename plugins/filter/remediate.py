# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""remediate.yml's planning filters (documentation in the remediation_*.yml files beside this one)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.netdoctor.openstack.plugins.plugin_utils import _judge, _remediate
from ansible_collections.netdoctor.openstack.plugins.plugin_utils._plain import plain


def _wrap(func):
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (_judge.JudgeError, TypeError, ValueError) as exc:
            raise AnsibleFilterError(f"{func.__name__}: {to_native(exc)}") from exc

    run.__name__ = func.__name__
    run.__doc__ = func.__doc__
    return run


def remediation_plan(report, facts=None, codes=None, underlay_mtu=9000):
    """The repair plan: per host the roles and their variables, and what a person must do."""
    return _remediate.plan(plain(report), plain(facts), codes, int(underlay_mtu))


def remediation_outcome(plan, after):
    """Per planned finding: before, action, after, against a fresh audit report."""
    return _remediate.outcome(plain(plan), plain(after))


def remediation_lines(plan):
    """The plan as one line per change (what --check shows)."""
    return _remediate.plan_lines(plain(plan))


def remediation_markdown(outcome):
    """remediation.md: the before / action / after table."""
    return _remediate.markdown(plain(outcome))


class FilterModule:
    """remediate.yml's filters."""

    def filters(self):
        return {func.__name__: _wrap(func) for func in (remediation_plan, remediation_outcome, remediation_lines, remediation_markdown)}
