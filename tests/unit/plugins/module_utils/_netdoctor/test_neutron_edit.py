# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""neutron_edit: setting keys in real Neutron configs, keeping every other byte; the result read back by net_facts' parser."""

from __future__ import annotations

import difflib

import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import neutron
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.neutron_edit import EditError, IniError, edit_ini, render_value, same_value

PACKAGED_ML2 = "neutron/ubuntu-package-default-ml2_conf.ini"
JUJU_CONF = "neutron/juju-charm-compute-neutron.conf"
KOLLA_ML2 = "neutron/kolla-neutron-server-ml2_conf.ini"
DEVSTACK_ML2 = "neutron/devstack-gate-ml2_conf.ini"
ALL = [
    PACKAGED_ML2,
    JUJU_CONF,
    KOLLA_ML2,
    DEVSTACK_ML2,
    "neutron/juju-charm-openvswitch_agent.ini",
    "neutron/kolla-neutron-openvswitch-agent-openvswitch_agent.ini",
]


def changed_lines(before: str, after: str) -> list:
    """The lines removed (-) and added (+), in order."""
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"]


def last(text: str, section: str, key: str):
    values = neutron.parse_ini(text).get(section, {}).get(key)
    return values[-1] if values else None


def test_packaged_default_ml2_keys_go_right_after_their_commented_defaults():
    text = read_fixture(PACKAGED_ML2)
    after, changes = edit_ini(
        text, {"ml2": {"path_mtu": 9000, "physical_network_mtus": {"physnet1": 9000, "physnet2": 1500}}, "ml2_type_geneve": {"max_header_size": 38}}
    )
    assert changed_lines(text, after) == ["+ path_mtu = 9000", "+ physical_network_mtus = physnet1:9000,physnet2:1500", "+ max_header_size = 38"]
    lines = after.splitlines()
    assert lines[lines.index("path_mtu = 9000") - 1] == "#path_mtu = 0"
    assert lines[lines.index("max_header_size = 38") - 1] == "#max_header_size = 30"
    assert [c["action"] for c in changes] == ["added", "added", "added"]
    parsed = neutron.parse_ini(after)
    assert parsed["ml2"]["path_mtu"] == ["9000"]
    assert neutron.parse_mappings(parsed["ml2"]["physical_network_mtus"][-1]) == {"physnet1": "9000", "physnet2": "1500"}
    assert parsed["ml2_type_geneve"]["max_header_size"] == ["38"]
    # every comment of the 323-line file is still there
    assert [line for line in after.splitlines() if line.startswith("#")] == [line for line in text.splitlines() if line.startswith("#")]


def test_default_is_a_section_like_any_other():
    """oslo.config does not copy [DEFAULT] keys into other sections: a key of the same name elsewhere is left alone."""
    text = read_fixture(JUJU_CONF)  # [DEFAULT] ... and [DEFAULT_SERVICETYPE], [AGENT] ... no trailing newline
    after, changes = edit_ini(text, {"DEFAULT": {"global_physnet_mtu": 9000}})
    assert changes == [{"section": "DEFAULT", "key": "global_physnet_mtu", "before": None, "after": "9000", "action": "added"}]
    assert changed_lines(text, after) == ["+ global_physnet_mtu = 9000"]
    lines = after.splitlines()
    assert lines[lines.index("global_physnet_mtu = 9000") - 1] == "rpc_response_timeout = 60"  # after [DEFAULT]'s last key
    assert last(after, "DEFAULT", "global_physnet_mtu") == "9000"
    assert "global_physnet_mtu" not in neutron.parse_ini(after)["DEFAULT_SERVICETYPE"]
    assert not after.endswith("\n")  # the missing final newline stays missing
    # a [DEFAULT] key does not count for [AGENT]: setting it there adds it there
    after2, _changes = edit_ini(after, {"AGENT": {"report_interval": 30}})
    assert after2 == after  # 30 is already [AGENT]'s
    after3, changes3 = edit_ini(after, {"AGENT": {"global_physnet_mtu": 1400}})
    assert changes3[0]["action"] == "added" and last(after3, "DEFAULT", "global_physnet_mtu") == "9000"
    assert last(after3, "AGENT", "global_physnet_mtu") == "1400"


def test_duplicate_sections_every_block_holding_the_key_is_set():
    """Two real files concatenated (one --config-file instead of two): [DEFAULT] three times, the key in the second block."""
    text = read_fixture(JUJU_CONF) + "\n" + "[DEFAULT]\nglobal_physnet_mtu = 9000\n" + read_fixture(PACKAGED_ML2)
    assert text.count("\n[DEFAULT]\n") == 3  # the packaged ml2_conf.ini starts with one too
    after, changes = edit_ini(text, {"DEFAULT": {"global_physnet_mtu": 1500}})
    assert changes == [{"section": "DEFAULT", "key": "global_physnet_mtu", "before": "9000", "after": "1500", "action": "replaced"}]
    assert changed_lines(text, after) == ["- global_physnet_mtu = 9000", "+ global_physnet_mtu = 1500"]
    assert after.count("\n[DEFAULT]\n") == 3
    # a key in both blocks: both set, so no stale copy is left for a reader (oslo reads the last)
    both = text.replace("[DEFAULT]\nverbose = True", "[DEFAULT]\nglobal_physnet_mtu = 8000\nverbose = True", 1)
    after, changes = edit_ini(both, {"DEFAULT": {"global_physnet_mtu": 1500}})
    assert neutron.parse_ini(after)["DEFAULT"]["global_physnet_mtu"] == ["1500", "1500"]
    assert len(changes) == 1 and changes[0]["before"] == "9000"
    # a missing key goes into the last block of its section
    after, _changes = edit_ini(text, {"DEFAULT": {"path_mtu": 1400}})
    assert after.index("path_mtu = 1400") > after.rindex("\n[DEFAULT]\n")


@pytest.mark.parametrize("fixture", ALL)
def test_same_value_is_no_change_and_a_second_run_changes_nothing(fixture):
    text = read_fixture(fixture)
    settings = {"DEFAULT": {"global_physnet_mtu": 1400}, "ml2": {"path_mtu": 1450, "physical_network_mtus": {"physnet1": 1400}}}
    once, changes = edit_ini(text, settings)
    assert changes
    twice, again = edit_ini(once, settings)
    assert twice == once and again == []
    # the lines that were there are all still there, in order
    assert [line for line in difflib.ndiff(text.splitlines(), once.splitlines()) if line.startswith("- ")] == []


def test_list_values_compare_as_lists_and_continuations_are_replaced():
    text = read_fixture(DEVSTACK_ML2)  # flat_networks = public,   (trailing comma, as published)
    assert edit_ini(text, {"ml2_type_flat": {"flat_networks": ["public"]}}) == (text, [])
    assert edit_ini(text, {"ml2": {"mechanism_drivers": ["openvswitch", "linuxbridge"]}}) == (text, [])
    after, changes = edit_ini(text, {"ml2_type_flat": {"flat_networks": ["public", "physnet2"]}})
    assert changed_lines(text, after) == ["- flat_networks = public,", "+ flat_networks = public,physnet2"]
    assert changes[0]["before"] == "public,"
    # a value continued on indented lines (oslo joins them) is replaced whole
    multi = text.replace("network_vlan_ranges = public", "network_vlan_ranges = public:100:200,\n    physnet2:300:400")
    assert neutron.parse_vlan_ranges(last(multi, "ml2_type_vlan", "network_vlan_ranges")) == {"public": [[100, 200]], "physnet2": [[300, 400]]}
    after, _changes = edit_ini(multi, {"ml2_type_vlan": {"network_vlan_ranges": ["public:100:200"]}})
    assert "physnet2:300:400" not in after
    assert last(after, "ml2_type_vlan", "network_vlan_ranges") == "public:100:200"
    assert len(after.splitlines()) == len(multi.splitlines()) - 1


def test_mappings_compare_as_mappings_and_ints_as_ints():
    text = "[ml2]\nphysical_network_mtus = physnet2:1500, physnet1:9000\npath_mtu=09000\n"
    assert edit_ini(text, {"ml2": {"physical_network_mtus": {"physnet1": 9000, "physnet2": 1500}, "path_mtu": 9000}}) == (text, [])
    after, _changes = edit_ini(text, {"ml2": {"path_mtu": 1500}})
    assert "path_mtu=1500\n" in after  # the spelling "key=value" is kept


def test_missing_section_is_appended_after_a_blank_line():
    text = read_fixture(KOLLA_ML2)
    after, changes = edit_ini(text, {"ml2_type_geneve": {"max_header_size": 38}})
    assert changes[0]["action"] == "added_section"
    assert after.startswith(text)
    assert after[len(text) :].lstrip("\n") == "[ml2_type_geneve]\nmax_header_size = 38\n"
    assert edit_ini("", {"DEFAULT": {"global_physnet_mtu": 9000}})[0] == "[DEFAULT]\nglobal_physnet_mtu = 9000\n"


def test_crlf_line_endings_are_kept():
    text = read_fixture(KOLLA_ML2).replace("\n", "\r\n")
    after, _changes = edit_ini(text, {"ml2": {"path_mtu": 9000, "type_drivers": ["flat", "vxlan"]}})
    assert "\r\ntype_drivers = flat,vxlan\r\n" in after and "path_mtu = 9000\r\n" in after
    assert "\n" not in after.replace("\r\n", "")


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("[ml2]\npath_mtu = 0\nthis line has no equals sign\n", 3, "no ':' or '='"),
        ("global_physnet_mtu = 9000\n[DEFAULT]\n", 1, "section must be started"),
        ("[DEFAULT]\n\n  indented continuation\n", 3, "unexpected continuation"),
        ("[ml2\npath_mtu = 0\n", 1, "must end with ]"),
        ("[]\n", 1, "empty section"),
    ],
)
def test_malformed_text_raises_with_its_line(text, line, reason):
    with pytest.raises(IniError) as exc:
        edit_ini(text, {"ml2": {"path_mtu": 1500}})
    assert exc.value.line == line
    assert reason in str(exc.value)


def test_malformed_line_inside_a_real_file():
    text = read_fixture(PACKAGED_ML2)
    broken = text.replace("#path_mtu = 0", "path_mtu 0")
    number = broken.splitlines().index("path_mtu 0") + 1
    with pytest.raises(IniError) as exc:
        edit_ini(broken, {"DEFAULT": {"global_physnet_mtu": 1500}})
    assert exc.value.line == number


@pytest.mark.parametrize(
    "settings",
    [
        {"ml2": {"path_mtu": "9000\n[DEFAULT]"}},
        {"ml2": {"bad key": 1}},
        {"ml2]": {"path_mtu": 1}},
        {"ml2": {"path_mtu": " 9000"}},
        {"ml2": {"path_mtu": "'9000'"}},
        {"ml2": {"path_mtu": None}},
        {"ml2": {"path_mtu": True}},
        {"ml2": "path_mtu"},
        ["ml2"],
    ],
)
def test_settings_that_cannot_be_written_are_refused(settings):
    with pytest.raises(EditError):
        edit_ini("[ml2]\n", settings)


def test_render_and_compare():
    assert render_value({"physnet1": 9000, "physnet2": 1500}) == "physnet1:9000,physnet2:1500"
    assert render_value(["flat", "vlan"]) == "flat,vlan"
    assert same_value("physnet1:9000 ,physnet2:1500", {"physnet2": 1500, "physnet1": 9000})
    assert not same_value("physnet1:9000", {"physnet1": 9000, "physnet2": 1500})
    assert not same_value("abc", 1500)
    assert not same_value(None, 1500)
