# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""netdoctor priority_tag_strip reconciler: puts the VLAN-0 strip flows back when they go.

Installed by the netdoctor.openstack.priority_tag_strip role and run by the systemd unit
netdoctor-priority-tag-strip.service. Standard library only. Its configuration (JSON, written by the
role from the vlan0_strip module's plan) lists per flow the bridge and two argv lists: ``check``
(an ``ovs-ofctl dump-flows`` filtered on our cookie and match) and ``add`` (the ``ovs-ofctl
add-flow`` that restores it).

Flows vanish when the Neutron OVS agent wipes foreign cookies (at start, when it recreates a
bridge) and when Open vSwitch restarts. The reconciler follows each bridge's flow table with
``ovs-ofctl monitor BRIDGE watch:`` and checks again on every change; when a monitor ends (OVS
stopped, bridge gone) it checks and reconnects every RETRY seconds, and without any event it
checks every POLL seconds anyway.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import subprocess
import sys
import time

POLL = 5.0
RETRY = 0.25
DRAIN = 0.05


class ConfigError(ValueError):
    """A configuration file the reconciler cannot use."""


def load_config(text: str) -> list[dict]:
    """The flows of a configuration document, validated: [{bridge, check, add, monitor}]."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"not JSON: {exc}") from None
    flows = doc.get("flows") if isinstance(doc, dict) else None
    if not isinstance(flows, list):
        raise ConfigError("no 'flows' list")
    for flow in flows:
        if not isinstance(flow, dict) or not isinstance(flow.get("bridge"), str):
            raise ConfigError(f"flow without a bridge: {flow!r}")
        for key in ("check", "add", "monitor"):
            argv = flow.get(key)
            if not isinstance(argv, list) or not argv or not all(isinstance(arg, str) for arg in argv) or argv[0] != "ovs-ofctl":
                raise ConfigError(f"flow on {flow['bridge']}: {key} must be an ovs-ofctl argv list")
    return flows


def flow_present(rc: int, out: str):
    """True/False from a filtered dump-flows; None when the bridge could not be asked (OVS down, bridge gone)."""
    if rc != 0:
        return None
    return any("actions=" in line for line in out.splitlines())


def run(argv: list[str]) -> tuple[int, str, str]:
    """Run one command (argv, no shell), LANG=C."""
    env = dict(os.environ, LANG="C", LC_ALL="C")
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=10, env=env, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 127, "", str(exc)
    return proc.returncode, proc.stdout, proc.stderr


def ensure(flows: list[dict], runner=run, log=print) -> tuple[int, int]:
    """Check every flow and add back the missing ones: (restored, unknown: bridges that did not answer)."""
    restored = unknown = 0
    for flow in flows:
        rc, out, _err = runner(flow["check"])
        present = flow_present(rc, out)
        if present is None:
            unknown += 1
        elif not present:
            rc, _out, err = runner(flow["add"])
            if rc == 0:
                restored += 1
                log(f"restored the VLAN-0 strip flow on {flow['bridge']}: {flow['add'][-1]}", flush=True)
            else:
                unknown += 1
                log(f"cannot restore the VLAN-0 strip flow on {flow['bridge']}: {err.strip()}", flush=True)
    return restored, unknown


def _watch(flows: list[dict]) -> None:
    """Follow every bridge with a flow monitor until one monitor ends; check on each change."""
    monitors = {}
    seen = set()
    for flow in flows:
        if flow["bridge"] not in seen:
            seen.add(flow["bridge"])
            # ovs-ofctl monitor prints the initial reply on stdout but every later update (ADDED,
            # DELETED) on stderr: both are read
            monitors[flow["bridge"]] = subprocess.Popen(flow["monitor"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        fds = {proc.stdout.fileno(): bridge for bridge, proc in monitors.items()}
        while True:
            ready, _w, _x = select.select(list(fds), [], [], POLL)
            if not ready:
                ensure(flows)
                continue
            for fd in ready:
                if not os.read(fd, 65536):
                    return  # the monitor ended: OVS stopped or the bridge is gone
            time.sleep(DRAIN)  # let a burst of changes (an agent reprogramming the bridge) settle
            ensure(flows)
    finally:
        for proc in monitors.values():
            proc.terminate()
            proc.wait()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--once", action="store_true", help="check and restore once, then exit")
    args = parser.parse_args(argv)
    try:
        with open(args.config, encoding="utf-8") as handle:
            flows = load_config(handle.read())
    except (OSError, ConfigError) as exc:
        print(f"{args.config}: {exc}", file=sys.stderr, flush=True)
        return 2
    if args.once or not flows:
        ensure(flows)
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        while ensure(flows)[1]:
            time.sleep(RETRY)  # Open vSwitch (or a bridge) is not there yet
        _watch(flows)
        time.sleep(RETRY)


if __name__ == "__main__":
    sys.exit(main())
