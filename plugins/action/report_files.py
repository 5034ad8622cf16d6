# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin netdoctor.openstack.report_files: write several report files into one directory on the
controller, in the controller's process (no module run, no connection), each atomically and only when its
content or mode differs. Its documentation is in plugins/modules/report_files.py."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import typing as t

from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text
from ansible.plugins.action import ActionBase

DIRECTORY_MODE = 0o755
ARGUMENT_SPEC = {
    "path": {"type": "path", "required": True},
    "files": {"type": "dict", "required": True},
    "mode": {"type": "raw", "default": "0644"},
}


class ReportFilesError(Exception):
    """Bad input or a file system state the plugin refuses to write over (raised before anything is written)."""


def parse_mode(value: t.Any) -> int:
    """The permission bits of ``value``: an octal string (V(0644), V(644)) or an int (YAML's 0644 is 420)."""
    if isinstance(value, bool):
        raise ReportFilesError(f"mode must be an octal string such as '0644', not {value!r}")
    if isinstance(value, int):
        mode = value
    elif isinstance(value, str) and value and all(c in "01234567" for c in value):
        mode = int(value, 8)
    else:
        raise ReportFilesError(f"mode must be an octal string such as '0644', not {value!r}")
    if not 0 <= mode <= 0o7777:
        raise ReportFilesError(f"mode {value!r} is out of range (0 to 07777)")
    return mode


def check_names(files: dict) -> list[tuple[str, bytes]]:
    """``files`` as (name, content bytes) pairs in their order; every name a plain file name, every content a string."""
    pairs = []
    for name, content in files.items():
        if not isinstance(name, str) or not name or name in (".", "..") or "/" in name or "\0" in name:
            raise ReportFilesError(f"files: {name!r} is not a plain file name (no '/', not '.' or '..', not empty)")
        if not isinstance(content, str):
            raise ReportFilesError(f"files: the content of {name} must be a string, not {type(content).__name__}")
        pairs.append((name, to_bytes(content, errors="surrogate_or_strict")))
    return pairs


def missing_directories(path: str) -> list[str]:
    """The directories to create for ``path``, outermost first; refuses a path whose existing part is not a directory."""
    missing = []
    current = os.path.abspath(path)
    while not os.path.isdir(current):
        if os.path.lexists(current):
            raise ReportFilesError(f"{current} exists and is not a directory")
        missing.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return list(reversed(missing))


def read_existing(dest: str) -> tuple[bytes | None, int | None]:
    """(content, permission bits) of the regular file at ``dest``; (None, None) when there is none or a symlink is there."""
    try:
        info = os.lstat(dest)
    except FileNotFoundError:
        return None, None
    if stat.S_ISDIR(info.st_mode):
        raise ReportFilesError(f"{dest} is a directory")
    if not stat.S_ISREG(info.st_mode):
        return None, None  # a symlink or special file is replaced by a regular file, as ansible.builtin.copy does
    with open(dest, "rb") as handle:
        return handle.read(), stat.S_IMODE(info.st_mode)


def file_diff(dest: str, before: bytes | None, after: bytes) -> dict:
    """A diff entry for one file, bounded by Ansible's MAX_FILE_SIZE_FOR_DIFF; binary content is not shown."""
    diff: dict[str, t.Any] = {"before_header": dest, "after_header": dest}
    limit = C.MAX_FILE_SIZE_FOR_DIFF
    shown = True
    for side, data in (("dst", before or b""), ("src", after)):
        if limit > 0 and len(data) > limit:
            diff[f"{side}_larger"] = limit
            shown = False
        elif b"\0" in data:
            diff[f"{side}_binary"] = 1
            shown = False
    if shown:
        diff["before"] = to_text(before or b"", errors="surrogate_or_replace")
        diff["after"] = to_text(after, errors="surrogate_or_replace")
    return diff


def atomic_write(directory: str, name: str, content: bytes, mode: int) -> None:
    """Write ``content`` to ``directory/name`` through a temporary file in the same directory and os.replace."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, os.path.join(directory, name))
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_report_files(path: str, files: dict, mode: t.Any = "0644", check_mode: bool = False, diff: bool = False) -> dict:
    """Create ``path`` (with its parents, mode 0755) and write ``files`` (name -> content) into it.

    Everything is checked before anything is written. A file is written only when its content or mode
    differs; in check mode nothing is touched and the result says what would be. Returns the task result.
    """
    file_mode = parse_mode(mode)
    pairs = check_names(files)
    directory = os.path.abspath(path)
    create = missing_directories(directory)
    plans = []
    for name, content in pairs:
        dest = os.path.join(directory, name)
        before, before_mode = read_existing(dest) if not create else (None, None)
        if before != content:
            plans.append((name, dest, "content", before, content))
        elif before_mode != file_mode:
            plans.append((name, dest, "mode", before_mode, file_mode))
    result: dict[str, t.Any] = {
        "changed": bool(create or plans),
        "path": directory,
        "created": create,
        "written": [plan[0] for plan in plans],
    }
    if diff:
        diffs: list[dict] = []
        if create:
            diffs.append({"before": {"path": directory, "state": "absent"}, "after": {"path": directory, "state": "directory"}})
        for _name, dest, kind, before, after in plans:
            if kind == "content":
                diffs.append(file_diff(dest, before, after))
            else:
                diffs.append({"before": {"path": dest, "mode": f"{before:04o}"}, "after": {"path": dest, "mode": f"{after:04o}"}})
        result["diff"] = diffs
    if check_mode:
        return result
    for new_dir in create:
        os.mkdir(new_dir, DIRECTORY_MODE)
        os.chmod(new_dir, DIRECTORY_MODE)  # mkdir's mode is masked by the umask
    for name, dest, kind, _before, after in plans:
        if kind == "content":
            atomic_write(directory, name, after, file_mode)
        else:
            os.chmod(dest, after)
    return result


class ActionModule(ActionBase):
    """Write report files on the controller, whatever host the task runs for."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        result = super().run(tmp, task_vars)
        del tmp
        try:
            result.update(write_report_files(args["path"], args["files"], args["mode"], bool(self._task.check_mode), bool(self._task.diff)))
        except ReportFilesError as exc:
            raise AnsibleActionFail(to_native(exc)) from exc
        except OSError as exc:
            raise AnsibleActionFail(f"could not write the report files into {args['path']}: {to_native(exc)}") from exc
        return result
