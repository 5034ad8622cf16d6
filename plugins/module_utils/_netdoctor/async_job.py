# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""The results file of an Ansible async job (``~/.ansible_async/<jid>``), read on the node.

A module that must run after a detached (``async``, ``poll: 0``) task anyway can wait for that job itself
instead of a separate ``async_status`` round trip per poll. ansible-core's ``async_wrapper`` writes the file
atomically (a rename): ``{"started": true, "finished": false, "ansible_job_id": ...}`` while the job runs,
then the module's own result (no ``started`` key), or its own error result when the module could not run.
A file that is missing or not JSON yet counts as running, as ``async_status`` counts it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable


class JobError(ValueError):
    """The job did not finish in time, or its results file is not an async job's."""


class JobTimeout(JobError):
    """The job has not finished within the time given (it may still be running)."""


def job_state(text: str | None, loads: Callable[[str], object] = json.loads) -> tuple[bool, dict]:
    """``(finished, result)`` from the text of an async results file, with ``async_status``'s rules.

    ``None`` or text that is not JSON yet: running. A JSON object without ``started``: finished (the module's
    result). With ``started``: its ``finished`` value. Anything else (a list, a number) raises JobError.
    ``loads`` parses the text (on the controller: ansible-core's module result decoder).
    """
    if text is None or not text.strip():
        return False, {}
    try:
        data = loads(text)
    except ValueError:
        return False, {}
    if not isinstance(data, dict):
        raise JobError(f"not an Ansible async results file (a JSON {type(data).__name__})")
    if "started" not in data:
        return True, data
    return bool(data.get("finished")), data


def wait_for_job(
    path: str,
    timeout: float,
    read: Callable[[str], str | None],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    interval: float = 0.05,
    loads: Callable[[str], object] = json.loads,
) -> dict:
    """The result of the async job whose results file is ``path``, once it has finished.

    Reads the file with ``read`` every ``interval`` seconds; raises JobError when it has not finished after
    ``timeout`` seconds (JobTimeout: the job may still be running, the caller decides what that means).
    """
    deadline = clock() + timeout
    while True:
        finished, result = job_state(read(path), loads)
        if finished:
            return result
        if clock() >= deadline:
            raise JobTimeout(f"the async job {path} did not finish within {timeout:g} s")
        sleep(interval)
