# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Lose the VLAN-0 strip flow the two ways it is lost in the field; time how long it takes to come back.

1. The Neutron OVS agent way: ``ovs-ofctl del-flows BRIDGE`` (every flow), then the agent's own
   NORMAL flow back with the agent's cookie.
2. An Open vSwitch restart (``systemctl restart netdoctor-ovs`` in the lab).

Prints JSON {"agent_wipe": seconds, "ovs_restart": seconds, ...}; a flow that is not back within
LIMIT seconds is reported as null.

usage: python3 restore_delay.py BRIDGE COOKIE OVS_UNIT
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

LIMIT = 30.0
NEUTRON_COOKIE = "0x9a1db3a5c8e6f4d2"  # any cookie that is not ours, as the agent's random one


def ofctl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ovs-ofctl", *args], capture_output=True, text=True, check=False)


def ours_present(bridge: str, cookie: str) -> bool:
    dump = ofctl("dump-flows", bridge, f"cookie={cookie}/-1")
    return dump.returncode == 0 and any("actions=strip_vlan,NORMAL" in line for line in dump.stdout.splitlines())


def wait_back(bridge: str, cookie: str, start: float):
    while time.monotonic() - start < LIMIT:
        if ours_present(bridge, cookie):
            return round(time.monotonic() - start, 3)
        time.sleep(0.05)
    return None


def main(bridge: str, cookie: str, unit: str) -> int:
    result = {"present_at_start": ours_present(bridge, cookie)}
    start = time.monotonic()
    ofctl("del-flows", bridge)
    ofctl("add-flow", bridge, f"cookie={NEUTRON_COOKIE},priority=0,actions=NORMAL")
    result["gone_after_wipe"] = not ours_present(bridge, cookie)
    result["agent_wipe"] = wait_back(bridge, cookie, start)
    result["agent_normal_kept"] = NEUTRON_COOKIE in ofctl("dump-flows", bridge).stdout
    start = time.monotonic()
    subprocess.run(["systemctl", "restart", unit], check=True)
    result["restart_took"] = round(time.monotonic() - start, 3)
    result["ovs_restart"] = wait_back(bridge, cookie, start)
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
