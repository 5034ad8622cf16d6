# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""Shared by every module: input validation (interface names, namespaces), environment for commands, reading files."""

from __future__ import annotations

import json
import re

IFNAMSIZ = 16  # the kernel's buffer, NUL included: names are at most 15 bytes

# Environment every module sets once through module.run_command_environ_update.
COMMAND_ENVIRON = {"LANG": "C", "LC_ALL": "C", "LC_MESSAGES": "C"}

# Namespace names as `ip netns add` accepts them (a file in /run/netns).
_NETNS_RE = re.compile(r"^[A-Za-z0-9_.:@+-]{1,255}$")


class ParseError(ValueError):
    """Tool output that is not what the tool prints."""


def read_text(path: str, strip: bool = False, errors: str = "strict") -> str | None:
    """The text of the file ``path`` (UTF-8), or None when it cannot be read (missing, unreadable, a directory).

    ``strip`` removes surrounding whitespace (sysfs attributes end in a newline). ``errors`` is the decoding
    policy: ``strict`` (the default) for files that may be written back, where a byte that is not UTF-8 must
    raise UnicodeDecodeError rather than be replaced; ``replace`` for attributes that are only read.
    """
    try:
        with open(path, encoding="utf-8", errors=errors) as handle:
            text = handle.read()
    except OSError:
        return None
    return text.strip() if strip else text


def as_int(value) -> int | None:
    """``value`` as an int, or None when it is missing or not a number (booleans are not numbers here)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def ssh_server_address(value: str | None) -> str | None:
    """The server (local) address of ``SSH_CONNECTION`` (client address, client port, server address, server port)."""
    words = (value or "").split()
    return words[2] if len(words) >= 3 else None


def load_json_list(text: str, what: str) -> list:
    """Decode one JSON array (``ip -j``/``tc -j`` output) into its objects; empty output is an empty list."""
    if not text or not text.strip():
        return []
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ParseError(f"{what}: not JSON: {exc}") from None
    if not isinstance(data, list):
        raise ParseError(f"{what}: expected a JSON array, got {type(data).__name__}")
    return [item for item in data if isinstance(item, dict)]


class InvalidName(ValueError):
    """A name that must never reach a command line or a path."""


def validate_ifname(name) -> str:
    """Return ``name`` if the kernel could accept it as an interface name, else raise InvalidName.

    The kernel's own rule (dev_valid_name): 1-15 bytes, not "." or "..", no "/", ":" is allowed,
    no whitespace. NUL and other control characters are refused as well, and so are shell
    metacharacters, which never appear in real names and only ever come from a mistake.
    """
    if not isinstance(name, str) or not name:
        raise InvalidName(f"interface name must be a non-empty string, got {name!r}")
    encoded = name.encode("utf-8", "surrogateescape")
    if len(encoded) >= IFNAMSIZ:
        raise InvalidName(f"interface name {name!r} is {len(encoded)} bytes long; the kernel allows at most {IFNAMSIZ - 1}")
    if name in (".", ".."):
        raise InvalidName(f"interface name {name!r} is not allowed")
    bad = [ch for ch in name if ch == "/" or ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or ch in "$`;&|<>()\\'\"*?[]{}!#~"]
    if bad:
        raise InvalidName(f"interface name {name!r} contains a character interface names cannot hold: {bad[0]!r}")
    return name


def validate_netns(name) -> str:
    """Return ``name`` if it is a plausible `ip netns` name, else raise InvalidName."""
    if not isinstance(name, str) or not _NETNS_RE.match(name) or name in (".", ".."):
        raise InvalidName(f"network namespace name {name!r} is not valid")
    return name
