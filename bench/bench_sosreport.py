# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline audit of 1 and of 20 sosreports (netdoctor.openstack.audit_sosreport) beside hotsos on the
same directories. Target: netdoctor takes less time per sosreport than hotsos, at 1 and at 20 reports.

The sosreports are copies of the real one in tests/unit/fixtures/sosreport/hotsos-openstack (hotsos'
own compute-node test root, trimmed to what net_facts reads), each with its own hostname.
hotsos (PyPI) is installed in this benchmark's own virtual environment, .build/bench-hotsos,
on the first run; hotsos analyses one data root per run, so 20 reports are 20 runs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from _benchlib import ROOT, ansible_environment, venv_bin

FIXTURE = os.path.join(ROOT, "tests", "unit", "fixtures", "sosreport", "hotsos-openstack")
HOTSOS_VENV = os.path.join(ROOT, ".build", "bench-hotsos")
COUNTS = (1, 20)
RUNS = 3  # best of, for the single report (20 reports are one long run each)


def hotsos_bin() -> str | None:
    """hotsos from the benchmark's venv, installed there (pip, PyPI) when missing; None when it cannot be."""
    binary = os.path.join(HOTSOS_VENV, "bin", "hotsos")
    if os.access(binary, os.X_OK):
        return binary
    try:
        subprocess.run([sys.executable, "-m", "venv", HOTSOS_VENV], check=True, capture_output=True)
        subprocess.run([os.path.join(HOTSOS_VENV, "bin", "pip"), "install", "-q", "hotsos"], check=True, capture_output=True, timeout=900)
    except (subprocess.SubprocessError, OSError) as exc:
        print(f"hotsos could not be installed in {HOTSOS_VENV}: {exc}", file=sys.stderr)
        return None
    return binary if os.access(binary, os.X_OK) else None


def make_reports(base: str, count: int) -> list[str]:
    """``count`` copies of the fixture sosreport, hostnames compute-1 .. compute-N."""
    paths = []
    for index in range(1, count + 1):
        path = os.path.join(base, f"sosreport-compute-{index}")
        if not os.path.isdir(path):
            shutil.copytree(FIXTURE, path)
            for name in ("hostname", os.path.join("sos_commands", "host", "hostname")):
                with open(os.path.join(path, name), "w", encoding="utf-8") as handle:
                    handle.write(f"compute-{index}\n")
        paths.append(path)
    return paths


def run_netdoctor(paths: list[str], report_dir: str) -> float:
    extra = {"netdoctor_sosreports": paths, "netdoctor_report_dir": report_dir, "netdoctor_audit_fail_on": "never"}
    argv = [venv_bin("ansible-playbook"), "netdoctor.openstack.audit_sosreport", "-e", json.dumps(extra), "-f", "5"]
    start = time.monotonic()
    proc = subprocess.run(argv, env=ansible_environment(), capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"audit_sosreport failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}")
    with open(os.path.join(report_dir, "report.json"), encoding="utf-8") as handle:
        report = json.load(handle)
    if len(report["hosts"]) != len(paths) or not all(h["audited"] for h in report["hosts"].values()):
        sys.exit(f"audit_sosreport judged {len(report['hosts'])} of {len(paths)} reports")
    return elapsed


def run_hotsos(binary: str, paths: list[str], out_dir: str) -> float:
    start = time.monotonic()
    for path in paths:
        proc = subprocess.run([binary, "--quiet", "--tmp-dir", out_dir, path], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            sys.exit(f"hotsos failed on {path}:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return time.monotonic() - start


def main() -> int:
    binary = hotsos_bin()
    base = tempfile.mkdtemp(prefix="nd-bench-sos-")
    try:
        rows = []
        all_paths = make_reports(base, max(COUNTS))
        # one untimed run of each first (Python bytecode, plugin caches), then the best of RUNS
        run_netdoctor(all_paths[:1], os.path.join(base, "report-warmup"))
        if binary:
            run_hotsos(binary, all_paths[:1], base)
        for count in COUNTS:
            paths = all_paths[:count]
            runs = RUNS if count == 1 else 1
            ours = min(run_netdoctor(paths, os.path.join(base, f"report-{count}")) for _run in range(runs))
            theirs = min(run_hotsos(binary, paths, base) for _run in range(runs)) if binary else None
            rows.append((count, ours, theirs))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print("load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"{'sosreports':>10} {'netdoctor s':>12} {'per report':>11} {'hotsos s':>9} {'per report':>11} {'ratio':>6}")
    failed = binary is None
    for count, ours, theirs in rows:
        their_text = f"{theirs:9.2f} {theirs / count:11.2f} {ours / theirs:6.2f}" if theirs else f"{'n/a':>9} {'n/a':>11} {'n/a':>6}"
        print(f"{count:>10} {ours:12.2f} {ours / count:11.2f} {their_text}")
        if theirs is not None and ours / count >= theirs / count:
            failed = True
    print("target: netdoctor faster than hotsos per sosreport" + (" -- MISSED" if failed else " -- met"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
