# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Audit wall time against the number of hosts, beside `ansible -m setup` on the same hosts; and on 1,000 interfaces.

Part 1: for each N of --hosts (default 5,20,50) N lab containers (localhost/netdoctor-node, podman,
`--network=none`) are started, then `ansible-playbook netdoctor.openstack.audit` and
`ansible all -m ansible.builtin.setup` run against them through the podman connection with the same
number of forks; the best of --runs wall-clock times is kept. The containers are removed after each
N, also on failure or Ctrl-C.
Part 2: a network namespace with 1,000 veth interfaces (500 pairs); the audit playbook runs inside it
with `ip netns exec NS ansible-playbook -i localhost, -c local`, beside `-m setup` there.
Needs root and podman (part 1 is skipped with a message when the lab image is missing: `make lab-image`).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from _benchlib import ansible_environment, venv_bin

IMAGE = os.environ.get("NETDOCTOR_LAB_IMAGE", "localhost/netdoctor-node:latest")
PREFIX = "nd-bench-audit"
NETNS = "nd-bench-audit-1k"
LABEL = "netdoctor.bench=audit"


def environment(forks: int) -> dict:
    return ansible_environment(
        ANSIBLE_PYTHON_INTERPRETER="/usr/bin/python3",
        ANSIBLE_FORKS=str(forks),
        ANSIBLE_HOST_KEY_CHECKING="false",
        ANSIBLE_PIPELINING="true",
    )


def run_timed(argv: list, env: dict, runs: int, prefix=()) -> float:
    """Best wall time of ``runs`` runs of ``argv``; exits with its output when it fails."""
    best = None
    for _run in range(runs):
        start = time.monotonic()
        proc = subprocess.run(list(prefix) + argv, env=env, capture_output=True, text=True, check=False)
        elapsed = time.monotonic() - start
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
            raise RuntimeError(f"{' '.join(argv[:3])} ... failed with rc {proc.returncode}")
        best = elapsed if best is None else min(best, elapsed)
    return best


def image_present(env: dict) -> bool:
    return subprocess.run(["podman", "image", "exists", IMAGE], env=env, check=False).returncode == 0


def start_containers(count: int, env: dict) -> list:
    names = [f"{PREFIX}-{i:02d}" for i in range(count)]
    for name in names:
        subprocess.run(
            ["podman", "run", "--detach", "--replace", "--name", name, "--hostname", name, "--label", LABEL]
            + ["--network=none", "--systemd=always", IMAGE, "/sbin/init"],
            env=env,
            check=True,
            capture_output=True,
        )
    return names


def remove_containers(env: dict) -> None:
    out = subprocess.run(["podman", "ps", "-a", "-q", "--filter", f"label={LABEL}"], env=env, capture_output=True, text=True, check=False).stdout.split()
    if out:
        subprocess.run(["podman", "rm", "-f", "-t", "0", *out], env=env, capture_output=True, check=False)


def audit_argv(inventory: str, report_dir: str, local: bool = False) -> list:
    argv = [venv_bin("ansible-playbook"), "-i", inventory, "netdoctor.openstack.audit", "-e", f"netdoctor_report_dir={report_dir}"]
    argv += ["-e", "netdoctor_audit_fail_on=never"]
    return argv + (["-c", "local"] if local else [])


def bench_hosts(counts: list, runs: int, forks: int, workdir: str) -> list:
    env = environment(forks)
    if not image_present(env):
        print(f"part 1 skipped: lab image {IMAGE} missing (make lab-image)")
        return []
    rows = []
    for count in counts:
        try:
            names = start_containers(count, env)
            inventory = os.path.join(workdir, f"hosts-{count}.ini")
            with open(inventory, "w", encoding="utf-8") as handle:
                handle.write("[lab]\n" + "".join(f"{n} ansible_connection=containers.podman.podman\n" for n in names))
            # the first contact (python start, podman exec) is paid once before timing
            run_timed([venv_bin("ansible"), "all", "-i", inventory, "-m", "ansible.builtin.ping"], env, 1)
            audit = run_timed(audit_argv(inventory, os.path.join(workdir, f"report-{count}")), env, runs)
            setup = run_timed([venv_bin("ansible"), "all", "-i", inventory, "-m", "ansible.builtin.setup"], env, runs)
            rows.append((count, audit, setup))
        finally:
            remove_containers(env)
    return rows


def bench_interfaces(pairs: int, runs: int, workdir: str) -> tuple:
    env = environment(1)
    try:
        subprocess.run(["ip", "netns", "add", NETNS], check=True)
        subprocess.run(["ip", "-n", NETNS, "link", "set", "lo", "up"], check=True)
        batch = "".join(f"link add a{i}a type veth peer name a{i}b\n" for i in range(pairs))
        subprocess.run(["ip", "-n", NETNS, "-batch", "-"], input=batch, text=True, check=True)
        count = len(subprocess.run(["ip", "-n", NETNS, "-o", "link", "show"], capture_output=True, text=True, check=True).stdout.splitlines())
        prefix = ["ip", "netns", "exec", NETNS]
        audit = run_timed(audit_argv("localhost,", os.path.join(workdir, "report-1k"), local=True), env, runs, prefix)
        setup = run_timed([venv_bin("ansible"), "localhost", "-c", "local", "-m", "ansible.builtin.setup"], env, runs, prefix)
        return count, audit, setup
    finally:
        subprocess.run(["ip", "netns", "del", NETNS], check=False, stderr=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", default="5,20,50", help="comma-separated host counts (default 5,20,50; empty: skip part 1)")
    parser.add_argument("--pairs", type=int, default=500, help="veth pairs in the namespace of part 2 (0: skip)")
    parser.add_argument("--runs", type=int, default=1, help="runs per measurement; the best is kept")
    parser.add_argument("--forks", type=int, default=10, help="ansible forks for both commands")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("bench_audit needs root (podman containers, network namespaces)")
        return 1
    counts = [int(c) for c in args.hosts.split(",") if c.strip()]
    with tempfile.TemporaryDirectory(prefix="nd-bench-audit-") as workdir:
        rows = bench_hosts(counts, args.runs, args.forks, workdir) if counts else []
        if rows:
            print(f"\naudit vs setup on N lab containers (podman connection, forks={args.forks}, best of {args.runs})")
            print(f"{'hosts':>6} {'audit s':>9} {'setup s':>9} {'audit/setup':>12} {'audit s/host':>13}")
            for count, audit, setup in rows:
                print(f"{count:>6} {audit:>9.2f} {setup:>9.2f} {audit / setup:>12.2f} {audit / count:>13.3f}")
        if args.pairs > 0:
            count, audit, setup = bench_interfaces(args.pairs, args.runs, workdir)
            print(f"\naudit on one host with many interfaces (ip netns exec, -c local, best of {args.runs})")
            print(f"{'interfaces':>11} {'audit s':>9} {'setup s':>9}")
            print(f"{count:>11} {audit:>9.2f} {setup:>9.2f}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
