# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""The transaction around an MTU change that link_mtu saves in a directory (``save_to``): save the state and the
backups, arm the revert timer, commit, revert; write files atomically; and where the Ansible connection arrives.

No I/O at import. The functions take ``run(argv, check=True) -> (rc, out, err)`` (link_mtu's command runner, argv
lists only) and ``move(src, dst)`` (AnsibleModule.atomic_move), and touch only the saved directory and the files
they are given, so they are tested with a recording runner and a temporary directory.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import iplink, mtu_plan
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import ParseError, read_text, ssh_server_address

MARKER = "reverted"
SCRIPT = "revert.sh"
STATE = "state.json"


def write_text(path: str, text: str, move, mode: int | None = None) -> None:
    """Write ``text`` to ``path`` atomically (a temporary file in the same directory, then ``move``), keeping the
    mode of an existing file; a new one gets ``mode``, else 0600 under /etc/netplan (netplan warns about readable
    files) and 0644 elsewhere."""
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    if os.path.exists(path):
        mode = os.stat(path).st_mode & 0o7777
    elif mode is None:
        mode = 0o600 if path.startswith("/etc/netplan/") else 0o644
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".netdoctor-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, mode)
    move(tmp, path)


def save(directory: str, steps: list, writes: dict, post: list, checkpoints: list, move) -> None:
    """Save what the revert needs in ``directory``: a backup of each file in ``writes`` not saved by an earlier run
    (a file that does not exist yet is recorded without one: the revert removes it), the merged state
    (mtu_plan.merge_state) with the NetworkManager ``checkpoints``, and revert.sh (mode 0700)."""
    os.makedirs(os.path.join(directory, "files"), mode=0o700, exist_ok=True)
    state_path = os.path.join(directory, STATE)
    state = json.loads(read_text(state_path) or "null") or mtu_plan.empty_state()
    saved = {f["path"] for f in state["files"]}
    files = []
    for index, path in enumerate(sorted(writes)):
        backup = None
        if os.path.exists(path) and path not in saved:
            backup = os.path.join(directory, "files", f"{len(state['files']) + index:04d}")
            shutil.copyfile(path, backup)
        files.append({"path": path, "backup": backup})
    state = mtu_plan.merge_state(state, steps, files, post, nm_checkpoints=checkpoints)
    write_text(state_path, json.dumps(state, indent=1, sort_keys=True) + "\n", move)
    script = os.path.join(directory, SCRIPT)
    write_text(script, mtu_plan.revert_script(state, os.path.join(directory, MARKER)), move)
    os.chmod(script, 0o700)


def nm_checkpoint(run, devices: list, timeout: int) -> list:
    """``[checkpoint object path]`` of a NetworkManager checkpoint of ``devices`` that rolls back by itself after
    ``timeout`` s; ``[]`` without devices."""
    if not devices:
        return []
    paths = [mtu_plan.parse_busctl_object(run(mtu_plan.nm_device_argv(n))[1]) for n in devices]
    return [mtu_plan.parse_busctl_object(run(mtu_plan.nm_checkpoint_create_argv(paths, timeout))[1])]


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
    state = json.loads(read_text(os.path.join(directory, STATE)) or "null") or mtu_plan.empty_state()
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
