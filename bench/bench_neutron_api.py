# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The audit with the Networking API check on 1,000 networks, beside the same audit without it.

Setup: a real neutron-server (lab variant image localhost/netdoctor-neutron-api, built or reused by
lab/build-image.sh) on its own podman network (10.227.0.0/24), started with global_physnet_mtu 9000;
--networks VXLAN networks (default 1,000) are created through the API in bulk requests (MTU 8950),
then the configuration is lowered to 1500 without a restart, so every network is stale (1,000
NEUTRON_NETWORK_MTU_STALE findings to judge and write).
Measured: the best of --runs wall times of `ansible-playbook netdoctor.openstack.audit` on the
container (podman connection), without API access and with it (netdoctor_openstack_auth: the lab's
endpoint); the API part is the difference, target <= --target s (2). Also: the module's own elapsed
time (connection and paginated list), and the GET requests the audit sent to /v2.0/networks per run
(from the server's access log): one paginated list, no request per network; and the server's own
time for that list (the same GETs sent from the host with urllib), the floor under the API part.
The container and the network are removed at the end, also on failure or Ctrl-C (with --keep they are left
running and reused by the next --keep run that asks for as many networks). Needs root and podman.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from _benchlib import ROOT, ansible_environment, ensure_collection_link, venv_bin

sys.path.insert(0, ensure_collection_link())
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.openstack_api import NETWORK_FIELDS  # noqa: E402

IMAGE = "localhost/netdoctor-neutron-api:latest"
NAME = "nd-api-bench-ctl"
NETWORK = "nd-api-bench-net"
SUBNET = "10.227.0.0/24"
ADDRESS = "10.227.0.10"
URL = f"http://{ADDRESS}:9696"
ACCESS_LOG = "/var/log/neutron/api-access.log"


def run(argv: list, env: dict, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False, **kwargs)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise RuntimeError(f"{' '.join(argv[:4])} ... failed with rc {proc.returncode}")
    return proc


def teardown(env: dict) -> None:
    subprocess.run(["podman", "rm", "-f", "-t", "0", NAME], env=env, capture_output=True, check=False)
    subprocess.run(["podman", "network", "rm", "-f", NETWORK], env=env, capture_output=True, check=False)


def configure(env: dict, work: str, gpm: int, restart: bool) -> None:
    """Render the lab configuration (lab/neutron-api/configure.yml) into the container and (re)start neutron-server."""
    playbook = os.path.join(work, "configure.yml")
    with open(playbook, "w", encoding="utf-8") as handle:
        handle.write(
            "- hosts: all\n  gather_facts: false\n  tasks:\n"
            f"    - ansible.builtin.include_tasks: {ROOT}/lab/neutron-api/configure.yml\n"
            f"      vars: {{neutron_lab_global_physnet_mtu: {gpm}, neutron_lab_local_ip: {ADDRESS}, neutron_lab_restart: {str(restart).lower()}}}\n"
        )
    run([venv_bin("ansible-playbook"), "-i", f"{NAME},", "-c", "containers.podman.podman", playbook], env)


def create_networks(count: int, chunk: int = 250) -> float:
    started = time.monotonic()
    for first in range(0, count, chunk):
        body = {"networks": [{"name": f"bench-{i:04d}", "project_id": f"bench-project-{i % 10}"} for i in range(first, min(count, first + chunk))]}
        request = urllib.request.Request(f"{URL}/v2.0/networks", data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=600) as response:
            if response.status != 201:
                raise RuntimeError(f"bulk create answered {response.status}")
    return time.monotonic() - started


def access_lines(env: dict) -> list:
    return run(["podman", "exec", NAME, "cat", ACCESS_LOG], env).stdout.splitlines()


def server_cpu(env: dict) -> float:
    """CPU seconds neutron-server and MariaDB have used so far (utime + stime of their main processes)."""
    pids = run(["podman", "exec", NAME, "systemctl", "show", "-p", "MainPID", "--value", "neutron-server", "mariadb"], env).stdout.split()
    stats = run(["podman", "exec", NAME, "cat"] + [f"/proc/{pid}/stat" for pid in pids if pid != "0"], env).stdout.splitlines()
    # the fields after the command name (which may hold spaces): utime and stime are the 14th and 15th of the line
    ticks = sum(int(f[11]) + int(f[12]) for f in (line.rsplit(")", 1)[1].split() for line in stats))
    return ticks / os.sysconf("SC_CLK_TCK")


def timed_audit(env: dict, work: str, with_api: bool, runs: int) -> dict:
    """Best wall time, least controller and server CPU time, GET /v2.0/networks requests per run, the last report.

    The CPU times are less sensitive than wall time to what else runs on the machine: the controller's is
    ansible-playbook with its workers and the modules they ran (the podman exec calls included; the
    audited container's own processes are not), the server's is neutron-server's and MariaDB's.
    """
    extra = {"netdoctor_report_dir": os.path.join(work, "report-api" if with_api else "report-plain"), "netdoctor_audit_fail_on": "never"}
    if with_api:
        extra["netdoctor_openstack_auth"] = {"auth_type": "none", "auth": {"endpoint": URL}}
    extra_file = os.path.join(work, "extra-api.json" if with_api else "extra-plain.json")
    with open(extra_file, "w", encoding="utf-8") as handle:
        json.dump(extra, handle)
    argv = [venv_bin("ansible-playbook"), "-i", f"{NAME},", "-c", "containers.podman.podman", "netdoctor.openstack.audit", "-e", f"@{extra_file}"]
    out: dict = {"wall": None, "cpu": None, "server_cpu": None, "gets": []}
    for _run in range(runs):
        before = len(access_lines(env))
        server_before = server_cpu(env)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.monotonic()
        run(argv, env)
        elapsed = time.monotonic() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (usage.ru_utime + usage.ru_stime)
        used = server_cpu(env) - server_before
        out["gets"].append(sum(1 for line in access_lines(env)[before:] if '"GET /v2.0/networks' in line))
        for key, value in (("wall", elapsed), ("cpu", cpu), ("server_cpu", used)):
            out[key] = value if out[key] is None else min(out[key], value)
    with open(os.path.join(extra["netdoctor_report_dir"], "report.json"), encoding="utf-8") as handle:
        out["report"] = json.load(handle)
    return out


def server_list_time(runs: int, page_size: int = 1000) -> tuple:
    """(best seconds, GETs) of the paginated list the module sends, sent from the host with urllib: the server's own time."""
    fields = "".join(f"&fields={urllib.parse.quote(name)}" for name in NETWORK_FIELDS)
    best, gets = None, 0
    for _run in range(runs):
        url, gets = f"{URL}/v2.0/networks?limit={page_size}{fields}", 0
        started = time.monotonic()
        while url:
            with urllib.request.urlopen(url, timeout=600) as response:
                data = json.load(response)
            gets += 1
            url = next((link["href"] for link in data.get("networks_links") or [] if link.get("rel") == "next"), None) if data["networks"] else None
        elapsed = time.monotonic() - started
        best = elapsed if best is None else min(best, elapsed)
    return best, gets


def module_elapsed(env: dict, work: str) -> float:
    playbook = os.path.join(work, "list.yml")
    with open(playbook, "w", encoding="utf-8") as handle:
        handle.write(
            "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
            "    - netdoctor.openstack.neutron_networks_info:\n"
            f"        auth: {{auth_type: none, auth: {{endpoint: '{URL}'}}}}\n"
            "      register: listed\n"
            '    - ansible.builtin.debug:\n        msg: "ELAPSED {{ listed.elapsed }} NETWORKS {{ listed.networks | length }}"\n'
        )
    # an inventory's localhost discovers its interpreter: name the venv's, which has openstacksdk
    argv = [venv_bin("ansible-playbook"), "-i", "localhost,", "-c", "local", "-e", f"ansible_python_interpreter={sys.executable}", playbook]
    out = run(argv, env).stdout
    line = next(x for x in out.splitlines() if "ELAPSED" in x)
    return float(line.split("ELAPSED", 1)[1].split()[0])


def existing_networks() -> int:
    """How many networks a running bench server lists (-1 when none answers): --keep reuses it."""
    try:
        with urllib.request.urlopen(f"{URL}/v2.0/networks?fields=id", timeout=10) as response:
            return len(json.load(response)["networks"])
    except (OSError, ValueError, KeyError):
        return -1


def set_up(env: dict, work: str, count: int) -> tuple:
    """Start the server (gpm 9000), create ``count`` networks, lower the settings: (start s, create s)."""
    run(["podman", "network", "create", "--internal", "--subnet", SUBNET, NETWORK], env)
    run(["podman", "run", "--detach", "--replace", "--name", NAME, "--hostname", "neutron-bench", "--systemd=always"]
        + [f"--network={NETWORK}:ip={ADDRESS}", IMAGE, "/sbin/init"], env)  # fmt: skip
    for _try in range(60):
        state = subprocess.run(["podman", "exec", NAME, "systemctl", "is-system-running"], env=env, capture_output=True, text=True, check=False)
        if state.stdout.strip() in ("running", "degraded"):
            break
        time.sleep(1)
    started = time.monotonic()
    configure(env, work, 9000, restart=True)
    start_time = time.monotonic() - started
    create_time = create_networks(count)
    configure(env, work, 1500, restart=False)  # the settings lowered; the networks keep 8950
    return start_time, create_time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--target", type=float, default=2.0, help="seconds the API part may add to the audit")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="leave the container running at the end and reuse it when it already serves --networks networks (while iterating)",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a kill cleans up like Ctrl-C
    env = ansible_environment(ANSIBLE_PIPELINING="true", ANSIBLE_HOST_KEY_CHECKING="false", ANSIBLE_PYTHON_INTERPRETER="auto_silent")

    build = subprocess.run([os.path.join(ROOT, "lab", "build-image.sh"), "neutron-api"], env=env, capture_output=True, text=True, check=False)
    if build.returncode != 0:
        sys.stderr.write(build.stdout[-2000:] + build.stderr[-2000:])
        print("bench_neutron_api: the lab image localhost/netdoctor-neutron-api could not be built", file=sys.stderr)
        return 1
    reuse = args.keep and existing_networks() == args.networks
    if not reuse:
        teardown(env)
    start_time = create_time = 0.0
    try:
        with tempfile.TemporaryDirectory(prefix="nd-bench-api-") as work:
            if not reuse:
                start_time, create_time = set_up(env, work, args.networks)
            plain = timed_audit(env, work, False, args.runs)
            api = timed_audit(env, work, True, args.runs)
            listed = module_elapsed(env, work)
            server, server_gets = server_list_time(args.runs)
    except (RuntimeError, KeyboardInterrupt) as exc:
        print(f"bench_neutron_api: {exc}", file=sys.stderr)
        if not args.keep:
            teardown(env)
        return 1
    if not args.keep:
        teardown(env)

    report, gets = api["report"], api["gets"]
    stale = sum(1 for f in report["cluster_findings"] if f["code"] == "NEUTRON_NETWORK_MTU_STALE")
    notes = sum(1 for f in plain["report"]["cluster_findings"] if f["code"] == "NEUTRON_NETWORKS_NOT_CHECKED")
    part = api["wall"] - plain["wall"]
    setup = "reused (--keep)" if reuse else None
    rows = [
        ("neutron-server start (gpm 9000), s", setup or f"{start_time:.1f}"),
        (f"create {args.networks} networks (bulk POST), s", setup or f"{create_time:.1f}"),
        (f"audit without API access (best of {args.runs}), s", f"{plain['wall']:.2f}"),
        (f"audit with the API check (best of {args.runs}), s", f"{api['wall']:.2f}"),
        ("API part (difference), s", f"{part:.2f}"),
        ("neutron_networks_info alone (module elapsed), s", f"{listed:.2f}"),
        (f"the server alone: the same list from the host (best of {args.runs}, {server_gets} GETs), s", f"{server:.2f}"),
        ("API part minus the server's own time, s", f"{part - server:.2f}"),
        ("controller CPU, audit without / with API (least), s", f"{plain['cpu']:.2f} / {api['cpu']:.2f}"),
        # the detached list (plugin_utils/_detached) leaves ansible-playbook's process tree: its CPU is not counted here
        ("controller CPU of the API part (ansible-playbook and its children), s", f"{api['cpu'] - plain['cpu']:.2f}"),
        ("neutron-server + MariaDB CPU per audit with API (least), s", f"{api['server_cpu']:.2f}"),
        ("GET /v2.0/networks per audit run", ",".join(str(g) for g in gets)),
        ("NEUTRON_NETWORK_MTU_STALE found", str(stale)),
        ("NEUTRON_NETWORKS_NOT_CHECKED without access", str(notes)),
        ("load average (1 min) at the end", f"{os.getloadavg()[0]:.2f}"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  value")
    for label, value in rows:
        print(f"{label.ljust(width)}  {value}")
    problems = []
    if part > args.target:
        problems.append(f"the API part took {part:.2f} s > {args.target} s")
    if stale != args.networks:
        problems.append(f"{stale} stale findings for {args.networks} stale networks")
    if any(g > 3 for g in gets):
        problems.append(f"the audit sent {max(gets)} network list requests (one paginated list expected)")
    if notes != 1:
        problems.append("the audit without access did not say once that networks were not checked")
    for problem in problems:
        print(f"MISSED: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
