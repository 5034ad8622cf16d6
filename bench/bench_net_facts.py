# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Time `ansible localhost -m netdoctor.openstack.net_facts` against `-m ansible.builtin.setup -a gather_subset=network`.

Two network namespaces are made: one with 1,000 veth interfaces (500 pairs) and one with
3 interfaces (lo and one veth pair). Each command runs inside the namespace with
`ip netns exec`; the best of --runs wall-clock times is kept. Targets (issue 3): net_facts at
most 1/10 of setup's time at 1,000 interfaces, and no slower than setup at 3.
The namespaces are removed at the end, also on failure or Ctrl-C. Needs root.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from _benchlib import ansible_environment, venv_bin

COMMANDS = {
    "net_facts": ["-m", "netdoctor.openstack.net_facts"],
    "setup(network)": ["-m", "ansible.builtin.setup", "-a", "gather_subset=network"],
}


def environment() -> dict:
    return ansible_environment(ANSIBLE_PYTHON_INTERPRETER="auto_silent", ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default")


def make_namespace(name: str, pairs: int) -> int:
    """A namespace with lo and ``pairs`` veth pairs (all created by one `ip -batch`); returns its interface count."""
    subprocess.run(["ip", "netns", "add", name], check=True)
    subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
    batch = "".join(f"link add b{i}a type veth peer name b{i}b\n" for i in range(pairs))
    subprocess.run(["ip", "-n", name, "-batch", "-"], input=batch, text=True, check=True)
    out = subprocess.run(["ip", "-n", name, "-o", "link", "show"], capture_output=True, text=True, check=True).stdout
    return len(out.splitlines())


def remove_namespace(name: str) -> None:
    subprocess.run(["ip", "netns", "del", name], check=False, stderr=subprocess.DEVNULL)


def time_command(ansible: str, netns: str, args: list[str], env: dict, runs: int) -> float:
    best = None
    for _run in range(runs):
        start = time.monotonic()
        proc = subprocess.run(["ip", "netns", "exec", netns, ansible, "localhost"] + args, env=env, capture_output=True, text=True, check=False)
        elapsed = time.monotonic() - start
        if proc.returncode != 0 or "SUCCESS" not in proc.stdout:
            raise RuntimeError(f"{' '.join(args)} failed in {netns} (rc={proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
        best = elapsed if best is None else min(best, elapsed)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per command and size; the best is kept (default 3)")
    parser.add_argument("--pairs", type=int, default=500, help="veth pairs in the large namespace (default 500 = 1,000 interfaces)")
    options = parser.parse_args()
    if os.geteuid() != 0:
        print("bench_net_facts: needs root (it creates network namespaces)", file=sys.stderr)
        return 2
    ansible, env = venv_bin("ansible"), environment()
    suffix = str(os.getpid())
    sizes = [(f"ndbench-big-{suffix}", options.pairs), (f"ndbench-small-{suffix}", 1)]
    rows = []
    try:
        for netns, pairs in sizes:
            count = make_namespace(netns, pairs)
            times = {label: time_command(ansible, netns, args, env, options.runs) for label, args in COMMANDS.items()}
            rows.append((count, times["net_facts"], times["setup(network)"]))
    finally:
        for netns, _pairs in sizes:
            remove_namespace(netns)
    print(f"\nnet_facts vs setup gather_subset=network (best of {options.runs}, wall clock, whole ansible command)\n")
    print(f"{'interfaces':>10} | {'net_facts s':>11} | {'setup s':>9} | {'ratio':>6} | target")
    print(f"{'-' * 10}-+-{'-' * 11}-+-{'-' * 9}-+-{'-' * 6}-+-{'-' * 22}")
    failed = False
    for count, ours, theirs in rows:
        ratio = ours / theirs
        target = 0.1 if count >= 100 else 1.0
        ok = ratio <= target
        failed = failed or not ok
        print(f"{count:>10} | {ours:>11.2f} | {theirs:>9.2f} | {ratio:>6.3f} | <= {target:<5} {'met' if ok else 'MISSED'}")
    print()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
