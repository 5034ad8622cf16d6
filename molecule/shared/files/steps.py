# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a list of commands in one container round trip (test helper: one task instead of a loop of one per command).

usage: python3 -c "$(cat steps.py)" STEPS_JSON [DEFAULTS_JSON]

STEPS_JSON is a list of steps run in order, each {"argv": [...]} (or the argv list alone) with optional
"stdin" (text fed to the command), "may_fail" (true: a non-zero exit does not stop the run) and "wait"
(seconds: run the command again every 0.1 s until it exits 0 or the time is up); DEFAULTS_JSON gives the
options of the steps that do not set them. Prints JSON, a list of {"argv", "rc", "stdout", "stdout_lines",
"stderr"} (as ansible.builtin.command reports them: stdout and stderr without their last newline) of the
steps run, and exits 1 after the first step that failed (the last one printed) unless it may fail.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time


def run(step: dict) -> dict:
    """Run one step (again until it succeeds, when it has a wait) and return what it did."""
    deadline = time.monotonic() + float(step.get("wait", 0))
    while True:
        proc = subprocess.run(step["argv"], input=step.get("stdin"), capture_output=True, text=True, check=False)
        if proc.returncode == 0 or time.monotonic() >= deadline:
            break
        time.sleep(0.1)
    stdout = proc.stdout.rstrip("\r\n")
    return {"argv": step["argv"], "rc": proc.returncode, "stdout": stdout, "stdout_lines": stdout.splitlines(), "stderr": proc.stderr.rstrip("\r\n")}


def main(steps: list) -> int:
    done = []
    for step in steps:
        done.append(run(step))
        if done[-1]["rc"] != 0 and not step.get("may_fail", False):
            print(json.dumps(done))
            return 1
    print(json.dumps(done))
    return 0


if __name__ == "__main__":
    defaults = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    sys.exit(main([{**defaults, **(step if isinstance(step, dict) else {"argv": step})} for step in json.loads(sys.argv[1])]))
