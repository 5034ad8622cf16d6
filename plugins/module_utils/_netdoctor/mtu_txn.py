# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""The transaction around an MTU change that link_mtu saved in a directory (``save_to``): arm the revert timer,
commit, revert; and where the Ansible connection arrives.

No I/O at import. The functions take ``run(argv, check=True) -> (rc, out, err)`` (link_mtu's command runner, argv
lists only) and touch only the saved directory, so they are tested with a recording runner and a temporary directory.
"""

from __future__ import annotations

import json
import os
import shutil

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import iplink, mtu_plan
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import ParseError, ssh_server_address

MARKER = "reverted"
SCRIPT = "revert.sh"
STATE = "state.json"


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return None


def disarm(run, unit: str | None) -> None:
    """Stop the revert timer ``unit`` (if any) and forget a failed run of it."""
    if unit:
        run(["systemctl", "stop", f"{unit}.timer"], check=False)
        run(["systemctl", "reset-failed", f"{unit}.timer", f"{unit}.service"], check=False)


def arm(run, unit: str, timeout: int, directory: str) -> None:
    """A transient timer ``unit`` that runs ``directory``/revert.sh in ``timeout`` s (an earlier one of that name is replaced)."""
    argv = mtu_plan.revert_timer_argv(unit, timeout, os.path.join(directory, SCRIPT))
    disarm(run, unit)
    run(argv)


def already_reverted(directory: str) -> bool:
    """The saved revert ran (revert.sh leaves its marker)."""
    return os.path.exists(os.path.join(directory, MARKER))


def commit(run, directory: str, unit: str | None) -> None:
    """Stop the revert timer, fail if it already ran, destroy the NetworkManager checkpoints, forget the saved state."""
    disarm(run, unit)
    if already_reverted(directory):
        raise RuntimeError(f"the change saved in {directory} was already reverted (its revert timer fired) before it could be committed")
    state = json.loads(_read(os.path.join(directory, STATE)) or "null") or mtu_plan.empty_state()
    for path in state.get("nm_checkpoints") or []:
        run(mtu_plan.nm_checkpoint_argv("CheckpointDestroy", path))
    shutil.rmtree(directory)


def revert(run, directory: str, unit: str | None) -> bool:
    """Stop the timer, run revert.sh unless it already ran, forget the saved state; True when it ran now."""
    disarm(run, unit)
    script = os.path.join(directory, SCRIPT)
    ran = False
    if os.path.exists(script) and not already_reverted(directory):
        run(["/bin/sh", script])
        ran = True
    shutil.rmtree(directory)
    return ran


def parse_default_routes(*outputs: str) -> list[str]:
    """The devices of ``ip -j route show default`` outputs (iplink.default_route_devices); an output that is not JSON
    (a failed ``ip``) is skipped, so a host without IPv6 routes still answers."""
    devices = set()
    for out in outputs:
        try:
            devices.update(iplink.default_route_devices(out))
        except ParseError:
            continue
    return sorted(devices)


ssh_local_address = ssh_server_address


def connection(run, ip: str, environ) -> dict:
    """{address, default_route_devices}: where the SSH connection arrives and which devices hold a default route."""
    outputs = [run([ip, "-j", family, "route", "show", "default"], check=False)[1] for family in ("-4", "-6")]
    return {"address": ssh_local_address(environ.get("SSH_CONNECTION")), "default_route_devices": parse_default_routes(*outputs)}
