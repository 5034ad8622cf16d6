# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""pmtu_probe on real paths: namespaces this test builds (and always deletes), the module run inside one.

Skipped unless root with `ip netns` (see pmtu_lab.can_build_labs).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from pmtu_lab import Lab, can_build_labs

from ansible_collections.netdoctor.openstack.plugins.modules import pmtu_probe

REASON = can_build_labs()
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")

MODULE = pmtu_probe.__file__
COLLECTIONS = os.path.abspath(os.path.join(os.path.dirname(MODULE), *[os.pardir] * 5))  # .../collections, above ansible_collections


def run_module(lab: Lab, args: dict, tmp_path) -> dict:
    """Run pmtu_probe as Ansible would (a module file reading its arguments), inside namespace a."""
    args_file = tmp_path / "args.json"
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    env = dict(os.environ, PYTHONPATH=COLLECTIONS)
    proc = subprocess.run(lab.exec_argv("a", sys.executable, MODULE, str(args_file)), capture_output=True, text=True, env=env, timeout=120, check=False)
    try:
        return json.loads(proc.stdout)
    except ValueError:
        pytest.fail(f"module output is not JSON: {proc.stdout!r} {proc.stderr!r}")


# (topology, family, method): (path_mtu, blackhole, icmp_mtu, interface_mtu)
CASES = [
    ("routed", 4, "socket", (1450, False, 1450, 1500)),
    ("routed", 6, "socket", (1450, False, 1450, 1500)),
    ("blackhole", 4, "socket", (1450, True, None, 1500)),
    ("blackhole", 6, "socket", (1450, True, None, 1500)),
    ("hidden", 4, "socket", (1498, True, None, 1500)),
    ("hidden", 6, "socket", (1498, True, None, 1500)),
    ("jumbo", 4, "socket", (1450, True, None, 9000)),
    ("routed", 4, "ping", (1450, False, 1450, 1500)),
    ("hidden", 4, "ping", (1498, True, None, 1500)),
]


@pytest.mark.parametrize(("topology", "family", "method", "expected"), CASES)
def test_path_mtu_is_exact(topology, family, method, expected, tmp_path):
    path_mtu, blackhole, icmp_mtu, interface_mtu = expected
    with Lab(topology, tag=f"{family}{method[0]}") as lab:
        result = run_module(lab, {"targets": [lab.target(family)], "timeout": 2, "method": method}, tmp_path)
        assert result.get("failed") is not True, result
        (entry,) = result["results"]
        assert entry["method"] == method
        assert (entry["family"], entry["interface"], entry["interface_mtu"]) == (family, "a0", interface_mtu)
        assert (entry["path_mtu"], entry["blackhole"], entry["icmp_mtu"]) == (path_mtu, blackhole, icmp_mtu)
        assert (entry["expected_mtu"], entry["deficit"]) == (interface_mtu, interface_mtu - path_mtu)
        assert entry["exact"] is True
        assert entry["source"] == lab.source(family)
        if icmp_mtu:
            assert entry["icmp_from"]  # the router's address


def test_source_address_and_interface(tmp_path):
    with Lab("hidden", tag="src") as lab:
        by_address = run_module(lab, {"targets": [lab.target(4)], "source": lab.source(4), "expected_mtu": 1500}, tmp_path)
        by_interface = run_module(lab, {"targets": [lab.target(4), lab.target(6)], "source": "a0"}, tmp_path)
        assert [r["path_mtu"] for r in by_address["results"]] == [1498]
        assert by_address["results"][0]["deficit"] == 2
        assert [(r["interface"], r["path_mtu"]) for r in by_interface["results"]] == [("a0", 1498), ("a0", 1498)]
        wrong = run_module(lab, {"targets": [lab.target(4)], "source": "10.91.9.9"}, tmp_path)
        assert wrong["failed"] is True
        assert "source address 10.91.9.9 is not an address of this host" in wrong["msg"]


def test_unreachable_target_costs_one_timeout(tmp_path):
    with Lab("routed", tag="unr") as lab:
        lab.run("b", "ip", "link", "set", "b0", "down")
        result = run_module(lab, {"targets": ["10.91.2.1", "10.91.1.254"], "timeout": 1}, tmp_path)
        down, router = result["results"]
        assert (down["path_mtu"], down["reachable"], down["exact"]) == (None, False, False)
        assert down["msg"] == "target unreachable (ICMP from 10.91.1.254)" or down["msg"].startswith("no reply within")
        assert (router["path_mtu"], router["blackhole"]) == (1500, False)
