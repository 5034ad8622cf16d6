# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""A controller job run detached in the controller's own Python, with Ansible's async results file.

A module delegated to localhost with ``async``/``poll: 0`` goes through ansible-core's async_wrapper: an
AnsiballZ payload for the module and another for the wrapper, a temporary directory, two Pythons started,
a fork and a handshake. On a 2-core controller that start costs about a second before the next task runs.
For work that runs on the controller anyway (a Networking API list), the action plugin starts the same
module logic here instead: one Python process, started detached, the options on its stdin (never in argv
or the environment: they hold credentials), the result in ``<async_dir>/<jid>`` in async_wrapper's format.
So ``async_status``, ``poll: N`` and netdoctor.openstack.async_result read it as they read any job.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import traceback

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import openstack_api

# the detached process: import this file from the collection's root, then run (the import's failure is the
# job's result too, so a waiter never waits for a job that never ran)
BOOTSTRAP = """\
import json, os, sys, tempfile
try:
    sys.path.insert(0, sys.argv[1])
    from ansible_collections.netdoctor.openstack.plugins.plugin_utils import _detached
except BaseException as exc:
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(sys.argv[2]), prefix=".nd-job.")
    with os.fdopen(fd, "w") as handle:
        json.dump({"failed": True, "msg": "the detached job could not start: %s: %s" % (type(exc).__name__, exc)}, handle)
    os.replace(tmp, sys.argv[2])
    raise SystemExit(1)
_detached.run(sys.argv[2], sys.argv[3])
"""


def as_module(argument_spec: dict, function):
    """``function`` run the way AnsibleModule runs a module: the options validated against ``argument_spec``
    (defaults, aliases, types), and every no_log value masked in the result, error messages included."""

    def run_target(options: dict) -> dict:
        validated = ArgumentSpecValidator(argument_spec).validate(options)
        no_log_values = validated._no_log_values  # what AnsibleModule masks (ansible-core 2.11 and later)
        if validated.error_messages:
            return remove_values({"failed": True, "msg": "; ".join(validated.error_messages)}, no_log_values)
        return remove_values(function(validated.validated_parameters), no_log_values)

    return run_target


def targets() -> dict:
    """What a detached job can run: name -> function(options) -> module result."""
    return {"neutron_networks_info": as_module(openstack_api.NETWORKS_INFO_ARGUMENT_SPEC, openstack_api.networks_info)}


def write_record(path: str, record: dict) -> None:
    """Write ``record`` as ``path`` atomically (a temporary file in the same directory, mode 0600, renamed)."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".nd-job.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(record, handle)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def collection_root(plugin_file: str) -> str | None:
    """The directory holding ``ansible_collections`` for a plugin file of this collection, None when the file is
    not laid out as an installed collection (``<root>/ansible_collections/netdoctor/openstack/plugins/<kind>/x.py``)."""
    parts = os.path.abspath(plugin_file).split(os.sep)
    if len(parts) < 7 or parts[-6:-2] != ["ansible_collections", "netdoctor", "openstack", "plugins"]:
        return None
    return os.sep.join(parts[:-6]) or os.sep


def start(async_dir: str, target: str, options: dict, timeout: int, root: str, python: str = sys.executable) -> dict:
    """Start ``target`` with ``options`` detached; the task result async_wrapper's start gives (``ansible_job_id``...).

    The "started" record is written before the process starts, as async_wrapper does, so that a waiter that
    looks at once finds a running job, never a missing file.
    """
    if target not in targets():
        raise ValueError(f"no detached job {target!r}")
    os.makedirs(async_dir, mode=0o700, exist_ok=True)
    jid = f"j{secrets.randbelow(10**12)}.{os.getpid()}"
    path = os.path.join(async_dir, jid)
    write_record(path, {"started": True, "finished": False, "ansible_job_id": jid})
    request = json.dumps({"timeout": int(timeout), "options": options}).encode()
    try:
        # its own session: the job outlives this worker and is not hit by the play's Ctrl-C; cwd is the async
        # directory so that nothing in the play's directory is imported ahead of the libraries
        proc = subprocess.Popen(
            [python, "-c", BOOTSTRAP, root, path, target],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=async_dir,
            start_new_session=True,
            close_fds=True,
        )
        with proc.stdin:
            proc.stdin.write(request)
    except OSError as exc:
        os.unlink(path)
        raise RuntimeError(f"could not start the detached job ({python}): {exc}") from exc
    return {"started": True, "finished": False, "ansible_job_id": jid, "results_file": path, "changed": False}


class _Expired(BaseException):
    """The job's time limit (the task's ``async``) ran out."""


def _expire(_signum, _frame):
    raise _Expired


def run(path: str, target: str) -> None:
    """The detached process: read the request on stdin, run ``target``, write its result over the "started" record."""
    try:
        request = json.load(sys.stdin)
        timeout = int(request["timeout"])
        signal.signal(signal.SIGALRM, _expire)
        signal.alarm(max(1, timeout))
        try:
            result = targets()[target](request["options"])
        finally:
            signal.alarm(0)
    except _Expired:
        result = {"failed": True, "msg": f"Timeout exceeded: the job did not finish within its async limit of {timeout} s"}
    except BaseException as exc:  # whatever happens, the waiter gets a finished record, never a job running forever
        where = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
        at = f" (at {where[0].filename}:{where[0].lineno})" if where else ""
        result = {"failed": True, "msg": f"the detached job failed: {type(exc).__name__}: {exc}{at}"}
    write_record(path, result)
