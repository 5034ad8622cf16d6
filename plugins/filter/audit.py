# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The audit's judge and report writers as filters (documentation in the audit_*.yml files beside this one)."""

from __future__ import annotations

import datetime
import json
import os

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.netdoctor.openstack.plugins.plugin_utils import _judge, _judge_networks, _report, _report_html
from ansible_collections.netdoctor.openstack.plugins.plugin_utils._plain import plain

_COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def installed_version(root: str = _COLLECTION_ROOT) -> str | None:
    """The collection's version: MANIFEST.json of an installed collection, else galaxy.yml of a source tree."""
    try:
        with open(os.path.join(root, "MANIFEST.json"), encoding="utf-8") as handle:
            return json.load(handle)["collection_info"]["version"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        with open(os.path.join(root, "galaxy.yml"), encoding="utf-8") as handle:
            for line in handle:
                # version: 0.1.0
                if line.startswith("version:"):
                    return line.split(":", 1)[1].strip().strip("'\"") or None
    except OSError:
        pass
    return None


def _wrap(func):
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except _judge.JudgeError as exc:
            raise AnsibleFilterError(to_native(exc)) from exc

    run.__name__ = func.__name__
    run.__doc__ = func.__doc__
    return run


def audit_host_findings(facts, host, pmtu_results=None):
    """Findings of one host from its ansible_facts.netdoctor (and its pmtu_probe results)."""
    return _judge.host_findings(plain(facts), host, plain(pmtu_results))


def audit_cluster_findings(hosts_facts):
    """Cross-node findings from {host: ansible_facts.netdoctor}."""
    return _judge.cluster_findings(plain(hosts_facts))


def audit_report(inputs, collection_version=None, generated=None, networks=None):
    """The full report from {host: {status, facts, pmtu_results, message}} (and the Networking API's networks)."""
    version = installed_version() if collection_version is None else collection_version
    # the host entries and the network list are registered results: read them as stored (_plain)
    if isinstance(inputs, dict):
        inputs = {
            host: dict(entry, facts=plain(entry.get("facts")), pmtu_results=plain(entry.get("pmtu_results"))) if isinstance(entry, dict) else entry
            for host, entry in inputs.items()
        }
    if isinstance(networks, dict) and networks.get("networks") is not None:
        networks = dict(networks, networks=plain(networks["networks"]))
    if generated is None:
        generated = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return _judge.build_report(inputs, version, generated, networks)


def audit_network_findings(networks, hosts_facts, settings=None):
    """NEUTRON_NETWORK_MTU_STALE for neutron_networks_info's records against {host: ansible_facts.netdoctor}.

    ``settings``: planned Neutron settings (global_physnet_mtu, path_mtu, physical_network_mtus,
    geneve_max_header_size; None leaves one alone) applied over the facts first.
    """
    if not isinstance(networks, list):
        raise _judge.JudgeError("audit_network_findings needs the list of networks of neutron_networks_info")
    facts = _judge_networks.with_settings(plain(hosts_facts) or {}, settings)
    return _judge_networks.network_findings(_judge_networks.api_input(True, plain(networks)), facts)


def audit_markdown(report):
    """report.md: a table a person reads."""
    return _report.markdown(plain(report))


def audit_junit(report):
    """report.xml: JUnit XML, one test case per check and host."""
    return _report.junit(plain(report))


def audit_html(report):
    """report.html: one self-contained page, the findings and a path-MTU matrix per network."""
    return _report_html.html(plain(report))


def audit_failing_findings(report, fail_on="error"):
    """The findings at or above fail_on (error|warning|info; never: none)."""
    return _judge.failing_findings(plain(report), fail_on)


def audit_report_files(report):
    """The report files by name: report.json (as to_nice_json(indent=2) writes it), report.md, report.xml, report.html."""
    report = plain(report)
    return {
        "report.json": json.dumps(report, indent=2, sort_keys=True, separators=(",", ": ")) + "\n",
        "report.md": _report.markdown(report),
        "report.xml": _report.junit(report),
        "report.html": _report_html.html(report),
    }


class FilterModule:
    """The audit's filters."""

    def filters(self):
        return {
            name: _wrap(func)
            for name, func in (
                ("audit_host_findings", audit_host_findings),
                ("audit_cluster_findings", audit_cluster_findings),
                ("audit_report", audit_report),
                ("audit_network_findings", audit_network_findings),
                ("audit_markdown", audit_markdown),
                ("audit_junit", audit_junit),
                ("audit_html", audit_html),
                ("audit_failing_findings", audit_failing_findings),
                ("audit_report_files", audit_report_files),
            )
        }
