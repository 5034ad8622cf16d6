# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin netdoctor.openstack.async_result: wait for a detached job that runs on the controller, return
its result and remove its results file, in the controller's process. Its documentation is in
plugins/modules/async_result.py.

``ansible.builtin.async_status`` runs a module for every poll and another one to clean up; a job that runs
on the controller (an API call delegated to localhost) can be read where it is, with no module run at all.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import async_job

try:  # ansible-core 2.19 and later
    from ansible.module_utils.common.json import Direction, get_module_decoder
except ImportError:
    get_module_decoder = None

ARGUMENT_SPEC = {
    "jid": {"type": "str", "required": True},
    "timeout": {"type": "float", "default": 600.0},
    "cleanup": {"type": "bool", "default": True},
}
# async_wrapper's job ids are "j" + digits + "." + the pid; a name, never a path
_JOB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
DEFAULT_ASYNC_DIR = "~/.ansible_async"


def module_result_loads():
    """The parser async_status's result gets on the controller: ansible-core 2.19+ encodes a module's warnings,
    deprecations and errors as typed objects (``__ansible_type``), decoded by the module profile's decoder;
    before 2.19 a module's result is plain JSON."""
    if get_module_decoder is None:
        return json.loads
    return functools.partial(json.loads, cls=get_module_decoder("legacy", Direction.MODULE_TO_CONTROLLER))


def read_text(path: str) -> str | None:
    """The file's text, or None while it does not exist (the job has not written it yet)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def collect(path: str, jid: str, timeout: float, cleanup: bool, **wait) -> dict:  # wait: wait_for_job's keywords
    """The task result for the job whose results file is ``path``: its own result once finished, as
    ``async_status`` gives it (``started``, ``finished``, ``ansible_job_id``), the file removed with ``cleanup``;
    a failed result with ``finished: false`` when it has not finished within ``timeout`` (the file is kept)."""
    base = {"ansible_job_id": jid, "results_file": path, "started": True}
    try:
        job = async_job.wait_for_job(path, timeout, read_text, **wait)
    except async_job.JobTimeout as exc:
        return {**base, "failed": True, "finished": False, "msg": to_native(exc)}
    result = {**job, **base, "finished": True}
    if cleanup:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        result["erased"] = path
    return result


class ActionModule(ActionBase):
    """Wait on the controller for a detached controller job and hand back its result."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        result = super().run(tmp, task_vars)
        del tmp
        jid = args["jid"]
        if not _JOB_ID.match(jid):
            raise AnsibleActionFail(f"jid {jid!r} is not an async job id (the ansible_job_id a task run with async and poll: 0 registers)")
        if args["timeout"] < 0:
            raise AnsibleActionFail(f"timeout must be 0 or more seconds, got {args['timeout']:g}")
        if getattr(self._connection, "transport", None) != "local":
            raise AnsibleActionFail(
                "async_result reads the job where it ran, on the controller: delegate the detached task and this one "
                f"to localhost (the connection here is {getattr(self._connection, 'transport', None)!r}); "
                "use ansible.builtin.async_status for a job on a managed host"
            )
        async_dir = os.path.expanduser(self.get_shell_option("async_dir", default=DEFAULT_ASYNC_DIR))
        try:
            result.update(collect(os.path.join(async_dir, jid), jid, args["timeout"], args["cleanup"], loads=module_result_loads()))
        except async_job.JobError as exc:  # the file is there but is not an async job's
            raise AnsibleActionFail(f"{os.path.join(async_dir, jid)}: {to_native(exc)}") from exc
        except OSError as exc:
            raise AnsibleActionFail(f"could not read or remove the results file of job {jid}: {to_native(exc)}") from exc
        return result
