# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""jumbo_underlay wall time on 1 and 10 lab hosts (serial 100%) beside `ansible -m ping` on the same hosts.

For each N of --hosts (default 1,10), N lab containers (localhost/netdoctor-node) are started on a podman
network of this benchmark (nd-jumbo-bench, MTU 9216, 10.213.100.0/24) and reached over SSH on eth0, the
interface the role raises; before each role run every eth0 is put back to 1500. The role runs with
jumbo_underlay_interfaces [eth0] and the network's gateway (the host's end of the bridge) as its verify peer,
so each run pays the armed revert, the detached apply, the reconnection over a new connection and the
don't-fragment probe. Target: role <= 4x ping per host batch. Containers, network and key are removed at the end.
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
PREFIX = "nd-jumbo-bench"
NETWORK = "nd-jumbo-bench"
SUBNET = "10.213.100"
LABEL = "netdoctor.bench=jumbo_underlay"
TARGET_RATIO = 4.0
PLAYBOOK = """---
- name: Raise eth0 (bench)
  hosts: all
  gather_facts: false
  serial: "100%"
  roles:
    - role: netdoctor.openstack.jumbo_underlay
      jumbo_underlay_interfaces: [eth0]
      jumbo_underlay_verify_peers: ["{gateway}"]
      jumbo_underlay_persist: false
"""


def run(argv: list, env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, env=env, check=True, capture_output=True, text=True, **kwargs)


def timed(argv: list, env: dict) -> float:
    start = time.monotonic()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-2000:])
        raise RuntimeError(f"{' '.join(argv[:3])} ... failed with rc {proc.returncode}")
    return elapsed


def cleanup(env: dict) -> None:
    ids = subprocess.run(["podman", "ps", "-a", "-q", "--filter", f"label={LABEL}"], env=env, capture_output=True, text=True, check=False).stdout.split()
    if ids:
        subprocess.run(["podman", "rm", "-f", "-t", "0", *ids], env=env, capture_output=True, check=False)
    subprocess.run(["podman", "network", "rm", "-f", NETWORK], env=env, capture_output=True, check=False)


def start(count: int, env: dict, pubkey: str) -> list:
    hosts = []
    for index in range(count):
        name, address = f"{PREFIX}-{index:02d}", f"{SUBNET}.{11 + index}"
        run(
            [
                "podman",
                "run",
                "--detach",
                "--replace",
                "--name",
                name,
                "--hostname",
                name,
                "--label",
                LABEL,
                "--systemd=always",
                "--cap-add=NET_ADMIN",
                "--cap-add=NET_RAW",
                f"--network={NETWORK}:ip={address}",
                IMAGE,
                "/sbin/init",
            ],
            env,
        )
        hosts.append((name, address))
    for name, _address in hosts:
        deadline = time.monotonic() + 240
        while subprocess.run(["podman", "exec", name, "systemctl", "is-active", "--quiet", "ssh"], env=env, check=False).returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError(f"sshd did not start in {name} within 240 s")
            time.sleep(0.5)
        run(["podman", "exec", "-i", name, "sh", "-c", "mkdir -p /root/.ssh && cat > /root/.ssh/authorized_keys"], env, input=pubkey)
    return hosts


def lower(hosts: list, env: dict) -> None:
    for name, _address in hosts:
        run(["podman", "exec", name, "ip", "link", "set", "eth0", "mtu", "1500"], env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", default="1,10", help="comma-separated host counts (default 1,10)")
    parser.add_argument("--runs", type=int, default=1, help="runs per measurement; the best is kept")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("bench_jumbo_underlay needs root (podman)")
        return 1
    env = ansible_environment(ANSIBLE_HOST_KEY_CHECKING="false", ANSIBLE_PIPELINING="true", ANSIBLE_FORKS="10")
    if subprocess.run(["podman", "image", "exists", IMAGE], env=env, check=False).returncode != 0:
        print(f"skipped: lab image {IMAGE} missing (make lab-image)")
        return 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="nd-bench-jumbo-") as workdir:
        key = os.path.join(workdir, "id_ed25519")
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], env)
        with open(key + ".pub", encoding="utf-8") as handle:
            pubkey = handle.read()
        playbook = os.path.join(workdir, "raise.yml")
        with open(playbook, "w", encoding="utf-8") as handle:
            handle.write(PLAYBOOK.format(gateway=f"{SUBNET}.1"))
        try:
            cleanup(env)
            run(["podman", "network", "create", "--internal", "--opt", "mtu=9216", "--subnet", f"{SUBNET}.0/24", "--label", LABEL, NETWORK], env)
            for count in [int(c) for c in args.hosts.split(",") if c.strip()]:
                hosts = start(count, env, pubkey)
                inventory = os.path.join(workdir, f"hosts-{count}.ini")
                with open(inventory, "w", encoding="utf-8") as handle:
                    handle.write("[lab]\n")
                    for name, address in hosts:
                        handle.write(
                            f"{name} ansible_host={address} ansible_user=root ansible_python_interpreter=/usr/bin/python3 "
                            f"ansible_ssh_private_key_file={key} "
                            "ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR'\n"
                        )
                ping_argv = [venv_bin("ansible"), "all", "-i", inventory, "-m", "ansible.builtin.ping"]
                ping = role = None
                for run_index in range(args.runs):
                    # eth0 back at 1500 first, then fresh SSH control masters: a master opened at the larger MTU
                    # would keep its larger MSS and black-hole behind the lowered eth0
                    lower(hosts, env)
                    env["ANSIBLE_SSH_CONTROL_PATH_DIR"] = os.path.join(workdir, f"cp-{count}-{run_index}")
                    timed(ping_argv, env)  # first contact (SSH handshake, interpreter) paid before timing
                    load = os.getloadavg()[0]
                    this_ping = timed(ping_argv, env)
                    this_role = timed([venv_bin("ansible-playbook"), "-i", inventory, playbook], env)
                    ping, role = min(filter(None, [ping, this_ping])), min(filter(None, [role, this_role]))
                    # the machine is shared: the 1-minute load average before the run says how much the numbers mean
                    print(
                        f"{count} host(s), run {run_index + 1}: role {this_role:.2f} s, ping {this_ping:.2f} s, "
                        f"ratio {this_role / this_ping:.2f} (load {load:.2f} before, {os.getloadavg()[0]:.2f} after)",
                        flush=True,
                    )
                rows.append((count, role, ping))
                cleanup_hosts = [h for h, _a in hosts]
                subprocess.run(["podman", "rm", "-f", "-t", "0", *cleanup_hosts], env=env, capture_output=True, check=False)
        finally:
            cleanup(env)
    print(f"\njumbo_underlay (serial 100%, SSH over the raised eth0, best of {args.runs}) vs ansible -m ping")
    print(f"{'hosts':>6} {'role s':>9} {'ping s':>9} {'role/ping':>10} {'target':>7}")
    missed = False
    for count, role, ping in rows:
        ratio = role / ping
        missed |= ratio > TARGET_RATIO
        print(f"{count:>6} {role:>9.2f} {ping:>9.2f} {ratio:>10.2f} {'<=' + str(TARGET_RATIO):>7}")
    if missed:
        print(f"target missed: the role takes more than {TARGET_RATIO}x a ping")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
