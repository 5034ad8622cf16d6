# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The priority_tag_strip reconciler (roles/priority_tag_strip/files/) fed the configuration the module plans
and the real filtered dump-flows answers of the lab bridge. Its restore delays are measured live by the
molecule scenario priority_tag_strip."""

from __future__ import annotations

import importlib.util
import json
import os

import pytest
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import vlan0strip

_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "..", "roles", "priority_tag_strip", "files", "netdoctor_priority_tag_strip_reconciler.py")
_SPEC = importlib.util.spec_from_file_location("netdoctor_priority_tag_strip_reconciler", _PATH)
reconciler = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(reconciler)

PRESENT = read_fixture("ovs-ofctl/lab-dump-flows-br-phy-ptag-filter-present.txt")
ABSENT = read_fixture("ovs-ofctl/lab-dump-flows-br-phy-ptag-filter-absent.txt")


def _config():
    plan = vlan0strip.plan_bridge("br-phy", [{"name": "up0", "ofport": 2}], read_fixture("ovs-ofctl/lab-dump-flows-br-ex-normal-only.txt"))
    return json.dumps({"cookie": vlan0strip.COOKIE_HEX, "flows": plan["flows"]})


def test_config_round_trip():
    (flow,) = reconciler.load_config(_config())
    assert flow["bridge"] == "br-phy"
    assert flow["add"][-1] == "cookie=0x6e64707461670000,table=0,priority=10,in_port=up0,dl_vlan=0,actions=strip_vlan,NORMAL"


@pytest.mark.parametrize(
    "text",
    ["not json", "[]", '{"flows": {}}', '{"flows": [{"bridge": "br-phy", "check": ["sh", "-c", "x"], "add": ["ovs-ofctl"], "monitor": ["ovs-ofctl"]}]}'],
)
def test_config_refused(text):
    with pytest.raises(reconciler.ConfigError):
        reconciler.load_config(text)


def test_flow_present_on_real_dumps():
    assert reconciler.flow_present(0, PRESENT) is True
    assert reconciler.flow_present(0, ABSENT) is False  # only the reply header
    assert reconciler.flow_present(1, "ovs-ofctl: br-phy is not a bridge or a socket") is None


def test_ensure_restores_only_what_is_gone():
    flows = reconciler.load_config(_config())
    calls = []

    def answer(dump):
        def runner(argv):
            calls.append(argv[3])
            return (0, dump, "") if argv[3] == "dump-flows" else (0, "", "")

        return runner

    logged = []
    assert reconciler.ensure(flows, answer(PRESENT), lambda *a, **k: logged.append(a)) == (0, 0)
    assert calls == ["dump-flows"]
    calls.clear()
    assert reconciler.ensure(flows, answer(ABSENT), lambda *a, **k: logged.append(a)) == (1, 0)
    assert calls == ["dump-flows", "add-flow"]
    assert "restored the VLAN-0 strip flow on br-phy" in logged[-1][0]
    down = reconciler.ensure(flows, lambda argv: (1, "", "ovs-ofctl: br-phy is not a bridge or a socket"), lambda *a, **k: None)
    assert down == (0, 1)
