# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Path-MTU measurement: pmtu_probe against tracepath and a sequential `ping -M do` bisection.

Builds three namespace labs (tests/unit/plugins/modules/pmtu_lab.py; all deleted at the end,
also on failure) and measures from namespace a to the target in b:

- hidden: 1500-byte ends, a bridge port of 1498 bytes in the path (silent drops: the seed's 2 bytes)
- jumbo:  9000-byte ends, a bridge port of 1450 in the path (the common jumbo misconfiguration)
- routed: 1500 -> router -> 1450, the router sends ICMP frag-needed

For each: the answer and the time to it of pmtu_probe (the module file run inside the namespace,
as Ansible runs it; its own `elapsed` and the wall time with Python's start-up), of
`tracepath -n` (capped at TRACEPATH_CAP seconds) and of a bisection with `ping -M do -c 1 -W 1`,
one size at a time. Needs root (namespaces). Run: .venv/bin/python bench/bench_pmtu.py
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

from _benchlib import COLLECTIONS, ROOT, ensure_collection_link

sys.path.insert(0, os.path.join(ROOT, "tests", "unit", "plugins", "modules"))
from pmtu_lab import Lab, can_build_labs  # noqa: E402

MODULE = os.path.join(ROOT, "plugins", "modules", "pmtu_probe.py")
TRACEPATH_CAP = 120.0
TIMEOUT = 1.0  # pmtu_probe's first-round timeout, the same 1 s as the ping bisection's -W
# topology: (what the path carries, interface MTU)
TRUTH = {"hidden": (1498, 1500), "jumbo": (1450, 9000), "routed": (1450, 1500)}
# "pmtu 1450" in "     Resume: pmtu 1450 hops 2 back 2" / "     Too many hops: pmtu 1500"
_TRACEPATH_PMTU_RE = re.compile(r"pmtu (\d+)")


def run_pmtu_probe(lab: Lab, target: str) -> tuple:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": {"targets": [target], "timeout": TIMEOUT}}, handle)
    try:
        env = dict(os.environ, PYTHONPATH=COLLECTIONS)
        started = time.monotonic()
        proc = subprocess.run(lab.exec_argv("a", sys.executable, MODULE, handle.name), capture_output=True, text=True, env=env, check=False)
        wall = time.monotonic() - started
    finally:
        os.unlink(handle.name)
    result = json.loads(proc.stdout)["results"][0]
    detail = f"blackhole={result['blackhole']} icmp_mtu={result['icmp_mtu']} rounds={result['rounds']} probes={result['probes']} wall={wall:.2f}s"
    return result["path_mtu"], result["elapsed"], detail


def run_tracepath(lab: Lab, target: str) -> tuple:
    started = time.monotonic()
    try:
        proc = subprocess.run(lab.exec_argv("a", "tracepath", "-n", target), capture_output=True, text=True, timeout=TRACEPATH_CAP, check=False)
        output, capped = proc.stdout, False
    except subprocess.TimeoutExpired as exc:
        output, capped = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or ""), True
    elapsed = time.monotonic() - started
    found = _TRACEPATH_PMTU_RE.findall(output)
    answer = int(found[-1]) if found else None
    last = [line.strip() for line in output.splitlines() if line.strip()][-1:] or ["(no output)"]
    detail = f"stopped at the {TRACEPATH_CAP:.0f} s cap; " if capped else ""
    return answer, elapsed, f"{detail}last line: {last[0]}"


def ping_once(lab: Lab, target: str, size: int) -> bool:
    argv = lab.exec_argv("a", "ping", "-n", "-4", "-M", "do", "-c", "1", "-W", "1", "-s", str(size - 28), target)
    proc = subprocess.run(argv, capture_output=True, check=False)
    return proc.returncode == 0


def run_ping_bisection(lab: Lab, target: str, interface_mtu: int) -> tuple:
    """Classic bisection: one `ping -M do -c 1 -W 1` per step, between 68 and the interface MTU."""
    started = time.monotonic()
    steps = 1
    if ping_once(lab, target, interface_mtu):
        return interface_mtu, time.monotonic() - started, "1 ping"
    lo, hi = 68, interface_mtu - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        steps += 1
        if ping_once(lab, target, mid):
            lo = mid
        else:
            hi = mid - 1
    return lo, time.monotonic() - started, f"{steps} pings"


def main() -> int:
    reason = can_build_labs()
    if reason:
        print(f"bench_pmtu: skipped ({reason})")
        return 0
    ensure_collection_link()
    rows = []
    labs = [Lab(name, tag="bench") for name in TRUTH]
    try:
        for lab in labs:
            lab.__enter__()
        # tracepath runs take up to the cap each: run them side by side while the rest is measured one by one.
        tracepaths: dict = {}
        threads = [threading.Thread(target=lambda lab=lab: tracepaths.__setitem__(lab.topology, run_tracepath(lab, lab.target(4)))) for lab in labs]
        for thread in threads:
            thread.start()
        measured = {}
        for lab in labs:
            target = lab.target(4)
            measured[lab.topology] = {"pmtu_probe": run_pmtu_probe(lab, target)}
        for lab in labs:
            measured[lab.topology]["ping -M do bisection"] = run_ping_bisection(lab, lab.target(4), TRUTH[lab.topology][1])
        for thread in threads:
            thread.join()
        for lab in labs:
            measured[lab.topology]["tracepath -n"] = tracepaths[lab.topology]
            truth = TRUTH[lab.topology][0]
            for method in ("pmtu_probe", "tracepath -n", "ping -M do bisection"):
                answer, elapsed, detail = measured[lab.topology][method]
                rows.append((lab.topology, truth, method, answer, "yes" if answer == truth else "NO", elapsed, detail))
    finally:
        for lab in labs:
            lab.close()

    header = ("path", "carries", "method", "answer", "exact", "seconds", "detail")
    widths = [max(len(str(row[i])) if i != 5 else 7 for row in [*rows, header]) for i in range(len(header))]
    print("Path MTU from namespace a to b (IPv4); pmtu_probe timeout 1 s, ping -W 1")
    print("  ".join(str(h).ljust(w) for h, w in zip(header, widths)))
    for row in rows:
        cells = [str(c) for c in row[:5]] + [f"{row[5]:7.2f}", row[6]]
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths)))
    print()
    for topology in TRUTH:
        probe = next(r for r in rows if r[0] == topology and r[2] == "pmtu_probe")
        bisect = next(r for r in rows if r[0] == topology and r[2] == "ping -M do bisection")
        ratio = probe[5] / bisect[5] if bisect[5] else float("nan")
        print(f"{topology}: pmtu_probe took {ratio:.3f} of the sequential bisection's time ({probe[5]:.2f} s vs {bisect[5]:.2f} s)")
    return 0 if all(r[4] == "yes" for r in rows if r[2] == "pmtu_probe") else 1


if __name__ == "__main__":
    sys.exit(main())
