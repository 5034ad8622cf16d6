"""The link parser against devices the running kernel creates, one kind at a time.

Each case builds its device in a namespace of its own and checks what iplink makes of the
live `ip -j -d link` output. Kinds this kernel was built without (the lab kernel has no vlan,
gre/gretap, geneve, bond, dummy or ipip) are skipped with the kernel's own refusal as the
reason; the captured-output tables in test_iplink.py cover their parsing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid

import pytest

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import iplink

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("ip"), reason="needs root and iproute2 to create devices")

# kind -> (commands after the shared veth pair v0/v1 exists, the device to check, expected facts)
CASES = {
    "vxlan": (
        [["link", "add", "dev0", "type", "vxlan", "id", "42", "dstport", "4789", "local", "192.0.2.1", "remote", "192.0.2.2", "dev", "v0"]],
        "dev0",
        {"kind": "vxlan", "mtu": 1450, "tunnel": {"vni": 42, "remote": "192.0.2.2", "overhead": 50, "underlay": "v0", "headroom": 0}},
    ),
    "vlan": (
        [["link", "add", "link", "v0", "name", "dev0", "type", "vlan", "id", "10"]],
        "dev0",
        {"kind": "vlan", "lower": "v0", "vlan": {"id": 10, "protocol": "802.1Q"}},
    ),
    "vlan0": (
        [["link", "add", "link", "v0", "name", "dev0", "type", "vlan", "id", "0"]],
        "dev0",
        {"kind": "vlan", "lower": "v0", "vlan": {"id": 0, "protocol": "802.1Q"}},
    ),
    "macvlan": (
        [["link", "add", "link", "v0", "name", "dev0", "type", "macvlan", "mode", "bridge"]],
        "dev0",
        {"kind": "macvlan", "lower": "v0"},
    ),
    "gretap": (
        [["link", "add", "dev0", "type", "gretap", "local", "192.0.2.1", "remote", "192.0.2.2", "key", "5"]],
        "dev0",
        {"kind": "gretap", "tunnel": {"remote": "192.0.2.2", "overhead": 42, "underlay": "v0"}},
    ),
    "gre": (
        [["link", "add", "dev0", "type", "gre", "local", "192.0.2.1", "remote", "192.0.2.2", "ttl", "64"]],
        "dev0",
        {"kind": "gre", "tunnel": {"remote": "192.0.2.2", "overhead": 24, "underlay": "v0"}},
    ),
    "geneve": (
        [["link", "add", "dev0", "type", "geneve", "id", "5", "remote", "192.0.2.2"]],
        "dev0",
        {"kind": "geneve", "tunnel": {"vni": 5, "remote": "192.0.2.2", "overhead": 50, "underlay": "v0"}},
    ),
    "ipip": (
        [["link", "add", "dev0", "type", "ipip", "local", "192.0.2.1", "remote", "192.0.2.2"]],
        "dev0",
        {"kind": "ipip", "tunnel": {"remote": "192.0.2.2", "overhead": 20, "underlay": "v0"}},
    ),
    "bond": (
        [["link", "add", "dev0", "type", "bond"], ["link", "set", "v1", "down"], ["link", "set", "v1", "master", "dev0"]],
        "dev0",
        {"kind": "bond", "bond_members": ["v1"]},
    ),
    "dummy": ([["link", "add", "dev0", "type", "dummy"]], "dev0", {"kind": "dummy"}),
    "bridge": (
        [["link", "add", "dev0", "type", "bridge"], ["link", "set", "v1", "master", "dev0"]],
        "dev0",
        {"kind": "bridge", "bridge_ports": ["v1"]},
    ),
}


@pytest.fixture
def netns():
    name = "nd-live-" + uuid.uuid4().hex[:8]
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=False)


def _ip(netns, *args, check=True):
    return subprocess.run(["ip", "-n", netns, *args], check=check, capture_output=True, text=True)


def _subset(actual: dict, expected: dict) -> dict:
    """The part of ``actual`` that ``expected`` names, nested dicts included."""
    return {key: _subset(actual.get(key) or {}, value) if isinstance(value, dict) else actual.get(key) for key, value in expected.items()}


@pytest.mark.parametrize("case", sorted(CASES))
def test_live_device_kinds(netns, case):
    commands, device, expected = CASES[case]
    _ip(netns, "link", "add", "v0", "mtu", "1500", "type", "veth", "peer", "name", "v1")
    _ip(netns, "address", "add", "192.0.2.1/24", "dev", "v0")
    _ip(netns, "link", "set", "v0", "up")
    for command in commands:
        done = _ip(netns, *command, check=False)
        if done.returncode != 0:
            pytest.skip(f"this kernel cannot make a {case} device: ip {' '.join(command)}: {done.stderr.strip()}")
    links = iplink.parse_link_json(_ip(netns, "-j", "-d", "-s", "link", "show").stdout)
    facts = iplink.link_facts(links, iplink.parse_addr_json(_ip(netns, "-j", "addr", "show").stdout))
    routes = iplink.parse_routes_json(_ip(netns, "-j", "route", "show", "table", "all").stdout)
    iplink.resolve_tunnels(facts, routes)
    assert _subset(facts[device], expected) == expected
