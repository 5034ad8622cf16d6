# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""checksum: fill-rule detection and planning from real iptables-save captures (legacy, nft, Neutron's wrapped chains)."""

from __future__ import annotations

import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import checksum

F = "iptables/"


@pytest.mark.parametrize(
    ("fixture", "family", "chains", "ours"),
    [
        # Neutron 29's own DHCP agent code (IptablesManager), nf_tables and legacy
        ("iptables-nft-save-neutron-dhcp-agent-29-qdhcp.txt", "ipv4", ["neutron-dhcp-age-POSTROUTING"], [False]),
        ("ip6tables-nft-save-neutron-dhcp-agent-29-qdhcp.txt", "ipv6", ["neutron-dhcp-age-POSTROUTING"], [False]),
        ("iptables-legacy-save-neutron-dhcp-agent-29-qdhcp.txt", "ipv4", ["neutron-dhcp-age-POSTROUTING"], [False]),
        ("ip6tables-legacy-save-neutron-dhcp-agent-29-qdhcp.txt", "ipv6", ["neutron-dhcp-age-POSTROUTING"], [False]),
        ("iptables-nft-save-neutron-dhcp-agent-29-qdhcp.txt", "ipv6", [], []),
        ("ip6tables-nft-save-neutron-dhcp-agent-29-qdhcp.txt", "ipv4", [], []),
        # ours beside Neutron's
        ("iptables-nft-save-mangle-neutron-and-netdoctor-fill.txt", "ipv4", ["POSTROUTING", "neutron-dhcp-age-POSTROUTING"], [True, False]),
        # ours alone
        ("iptables-nft-save-netdoctor-comment-fill-68.txt", "ipv4", ["POSTROUTING"], [True]),
        ("ip6tables-nft-save-netdoctor-comment-fill-546.txt", "ipv6", ["POSTROUTING"], [True]),
        # a hand-made rule without comment in POSTROUTING (foreign), added as --dport bootpc
        ("iptables-legacy-save-mangle-checksum-fill-dport-68.txt", "ipv4", ["POSTROUTING"], [False]),
        ("iptables-save-mangle-checksum-fill-dport-68-nft.txt", "ipv4", ["POSTROUTING"], [False]),
        ("ip6tables-legacy-save-mangle-checksum-fill-dport-546.txt", "ipv6", ["POSTROUTING"], [False]),
        # no mangle table at all
        ("iptables-legacy-save-filter-only-no-mangle.txt", "ipv4", [], []),
        ("iptables-nft-save-empty-beside-legacy-neutron.txt", "ipv4", [], []),
    ],
)
def test_fill_rules(fixture, family, chains, ours):
    rules = checksum.fill_rules(read_fixture(F + fixture), family)
    assert [rule["chain"] for rule in rules] == chains
    assert [rule["ours"] for rule in rules] == ours
    assert all(rule["effective"] for rule in rules)


def test_parse_save_neutron_tables_and_chains():
    tables = checksum.parse_save(read_fixture(F + "iptables-nft-save-neutron-dhcp-agent-29-qdhcp.txt"))
    assert sorted(tables) == ["filter", "mangle", "nat", "raw"]
    assert tables["mangle"]["chains"]["POSTROUTING"] == "ACCEPT"
    assert tables["mangle"]["chains"]["neutron-dhcp-age-POSTROUTING"] == "-"
    assert ("POSTROUTING", ["-j", "neutron-dhcp-age-POSTROUTING"], "-A POSTROUTING -j neutron-dhcp-age-POSTROUTING") in tables["mangle"]["rules"]
    assert checksum.reachable_chains(tables["mangle"]) == {"POSTROUTING", "neutron-dhcp-age-POSTROUTING"}
    assert checksum.reachable_chains(tables["mangle"], "PREROUTING") == {"PREROUTING", "neutron-dhcp-age-PREROUTING", "neutron-dhcp-age-mark"}


def test_orphaned_chain_is_not_effective():
    # Neutron's dump with the jump from POSTROUTING into its wrapped chain removed: the rule fills nothing
    text = read_fixture(F + "iptables-nft-save-neutron-dhcp-agent-29-qdhcp.txt").replace("-A POSTROUTING -j neutron-dhcp-age-POSTROUTING\n", "")
    (rule,) = checksum.fill_rules(text, "ipv4")
    assert rule["effective"] is False
    assert checksum.plan(text, "ipv4", "present")["add"] is True


@pytest.mark.parametrize(
    ("fixture", "family", "state", "add", "deletes", "after"),
    [
        # Neutron keeps the rule: present, never duplicated; absent never removes it
        ("iptables-nft-save-neutron-dhcp-agent-29-qdhcp.txt", "ipv4", "present", False, [], True),
        ("iptables-nft-save-neutron-dhcp-agent-29-qdhcp.txt", "ipv4", "absent", False, [], True),
        ("iptables-legacy-save-neutron-dhcp-agent-29-qdhcp.txt", "ipv4", "present", False, [], True),
        ("ip6tables-legacy-save-neutron-dhcp-agent-29-qdhcp.txt", "ipv6", "absent", False, [], True),
        # Neutron's IPv4 rule says nothing about IPv6 in the iptables dump (ip6tables is a separate dump)
        ("iptables-nft-save-neutron-dhcp-agent-29-qdhcp.txt", "ipv6", "present", True, [], True),
        # ours beside Neutron's: ours is redundant and goes; absent removes only ours
        ("iptables-nft-save-mangle-neutron-and-netdoctor-fill.txt", "ipv4", "present", False, ["POSTROUTING"], True),
        ("iptables-nft-save-mangle-neutron-and-netdoctor-fill.txt", "ipv4", "absent", False, ["POSTROUTING"], True),
        # ours alone: present keeps it, absent removes it
        ("iptables-nft-save-netdoctor-comment-fill-68.txt", "ipv4", "present", False, [], True),
        ("iptables-nft-save-netdoctor-comment-fill-68.txt", "ipv4", "absent", False, ["POSTROUTING"], False),
        ("ip6tables-nft-save-netdoctor-comment-fill-546.txt", "ipv6", "absent", False, ["POSTROUTING"], False),
        # nothing there
        ("iptables-legacy-save-filter-only-no-mangle.txt", "ipv4", "present", True, [], True),
        ("iptables-legacy-save-filter-only-no-mangle.txt", "ipv4", "absent", False, [], False),
        ("iptables-nft-save-empty-beside-legacy-neutron.txt", "ipv6", "present", True, [], True),
        # a foreign rule in POSTROUTING (no comment) is kept
        ("iptables-legacy-save-mangle-checksum-fill-dport-68.txt", "ipv4", "absent", False, [], True),
    ],
)
def test_plan(fixture, family, state, add, deletes, after):
    step = checksum.plan(read_fixture(F + fixture), family, state)
    assert step["add"] is add
    assert [rule["chain"] for rule in step["delete"]] == deletes
    assert all(rule["ours"] for rule in step["delete"])
    assert step["present_after"] is after


def test_plan_refuses_unknown_state():
    with pytest.raises(ValueError, match="present or absent"):
        checksum.plan("", "ipv4", "latest")


def test_rule_spec_round_trips_through_iptables_save():
    # iptables-nft printed our rule exactly as rule_spec() builds it
    text = read_fixture(F + "iptables-nft-save-netdoctor-comment-fill-68.txt")
    assert checksum.rule_text("ipv4") in text.splitlines()
    assert checksum.rule_text("ipv6") in read_fixture(F + "ip6tables-nft-save-netdoctor-comment-fill-546.txt").splitlines()
    (rule,) = checksum.fill_rules(text, "ipv4")
    assert checksum.delete_args(rule) == ["-D", "POSTROUTING", *checksum.rule_spec("ipv4")]


@pytest.mark.parametrize(
    ("legacy", "nft", "default", "expected"),
    [
        # Neutron wrote through legacy: iptables-nft-save shows nothing (its stderr warns about legacy tables)
        ("iptables-legacy-save-neutron-dhcp-agent-29-qdhcp.txt", "iptables-nft-save-empty-beside-legacy-neutron.txt", "nft", "legacy"),
        # Neutron wrote through nft; nothing loaded in legacy
        (None, "iptables-nft-save-neutron-dhcp-agent-29-qdhcp.txt", "legacy", "nft"),
        ("", "iptables-nft-save-neutron-dhcp-agent-29-qdhcp.txt", "legacy", "nft"),
        # legacy holds a filter rule only, nft is empty: the loaded backend wins over the default
        ("iptables-legacy-save-filter-only-no-mangle.txt", "", "nft", "legacy"),
        # nothing loaded anywhere: the host's default
        ("", "", "legacy", "legacy"),
        ("", "", "nft", "nft"),
        # only one tool installed
        ("iptables-legacy-save-neutron-dhcp-agent-29-qdhcp.txt", None, "nft", "legacy"),
    ],
)
def test_choose_backend(legacy, nft, default, expected):
    def text(name):
        return None if name is None else (read_fixture(F + name) if name else "")

    assert checksum.choose_backend(text(legacy), text(nft), default) == expected


def test_choose_backend_needs_a_tool():
    with pytest.raises(ValueError, match="neither"):
        checksum.choose_backend(None, None, "nft")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("iptables v1.8.9 (nf_tables)\n", "nft"),
        ("iptables v1.8.9 (legacy)\n", "legacy"),
        ("ip6tables v1.8.7 (legacy)\n", "legacy"),
        ("iptables v1.6.1\n", "legacy"),
        ("", None),
    ],
)
def test_backend_of_version(text, expected):
    assert checksum.backend_of_version(text) == expected


@pytest.mark.parametrize(
    ("stderr", "expected"),
    [
        (read_fixture(F + "iptables-nft-checksum-target-missing.stderr.txt"), True),
        (read_fixture(F + "iptables-nft-checksum-jump-only-target-missing.stderr.txt"), True),
        (read_fixture(F + "iptables-nft-save-legacy-tables-present.stderr.txt"), False),
        ("", False),
    ],
)
def test_checksum_unavailable(stderr, expected):
    assert checksum.checksum_unavailable(stderr) is expected
