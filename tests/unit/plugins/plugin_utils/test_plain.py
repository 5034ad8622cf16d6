# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_plain.plain on what a real ansible-core Templar hands a filter (lazy containers from 2.19 on)."""

from __future__ import annotations

import warnings

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.netdoctor.openstack.plugins.plugin_utils._plain import plain

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19: every string is a template, containers are plain
    trust_as_template = None

REGISTERED = {
    "networks": [
        {"id": "n1", "mtu": 8950, "segments": [{"network_type": "vxlan", "segmentation_id": 61114}]},
        # text a module returned that looks like a template: stored data, never rendered
        {"id": "n2", "name": "{{ lookup('env', 'HOME') }}", "mtu": None, "segments": []},
    ],
    "changed": False,
}


def lazy(value):
    """A lazy container of ansible-core 2.19 (a dict or list subclass, so isinstance cannot tell)."""
    return hasattr(value, "_non_lazy_copy")


def as_filter_sees_it(value):
    """What a filter receives for the variable ``value``: run a real template through a capturing filter."""
    seen = []
    templar = Templar(loader=DataLoader(), variables={"registered": value})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        environment = templar.environment  # deprecated in 2.19, the simplest way to add a filter in a test
    environment.filters["capture"] = lambda item: seen.append(item) or ""
    source = "{{ registered | capture }}"
    templar.template(trust_as_template(source) if trust_as_template else source)
    return seen[0]


def test_a_lazy_container_becomes_plain_lists_and_dicts():
    received = as_filter_sees_it(REGISTERED)
    if trust_as_template is not None:
        assert lazy(received)  # 2.19: the lazy container this exists for
    copy = plain(received)
    assert copy == REGISTERED
    assert not lazy(copy) and not lazy(copy["networks"])
    assert not any(lazy(n) for n in copy["networks"]) and not lazy(copy["networks"][0]["segments"][0])
    assert copy["networks"][1]["name"] == "{{ lookup('env', 'HOME') }}"  # as stored, not rendered


def test_items_read_through_the_container_first_are_copied_too():
    received = as_filter_sees_it(REGISTERED)
    first = received["networks"][0]  # read through the container: it now holds a lazy copy of this item
    assert first["mtu"] == 8950
    copy = plain(received)
    assert copy == REGISTERED and not lazy(copy["networks"][0])


@pytest.mark.parametrize("value", [None, 0, "text", [], {}, [1, [2, {"a": (3, 4)}]]])
def test_plain_values_come_back_equal(value):
    expected = [1, [2, {"a": [3, 4]}]] if isinstance(value, list) and value else value
    assert plain(value) == expected


@pytest.mark.skipif(trust_as_template is None, reason="ansible-core < 2.19 has no lazy containers")
def test_items_are_taken_as_stored_without_the_templar():
    # A trusted template would be rendered by reading it through the lazy container; plain() skips that
    # (the point: no templar call per item). Registered results hold no trusted templates, so nothing differs.
    stored = {"items": [{"value": trust_as_template("{{ 40 + 2 }}")}]}
    received = as_filter_sees_it(stored)
    assert plain(received) == {"items": [{"value": "{{ 40 + 2 }}"}]}
    assert received["items"][0]["value"] == 42  # the same container read item by item
