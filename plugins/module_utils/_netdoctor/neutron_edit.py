# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""Set keys in oslo.config-style INI text, keeping everything else byte for byte.

Pure functions, no I/O. The text is read with :func:`neutron.ini_lines` (the parser net_facts uses),
so a file the editor accepts is a file Neutron and the facts read the same way, and a malformed file
raises :class:`neutron.IniError` with its line before anything is changed.

What is kept: comments, blank lines, order, unrelated keys, the spelling of each assignment
(``key=value``, ``key : value``), line endings, duplicate sections (oslo.config reads every block of a
section; a key is set in every block that already holds it, so no stale copy is left behind), a
missing newline at the end of the file. ``[DEFAULT]`` is a section like any other: oslo.config does not
copy its keys into other sections, so neither does this.
"""

from __future__ import annotations

import re

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.neutron import (
    _ASSIGN_RE,
    IniError,
    ini_lines,
    parse_list,
    parse_mappings,
)

# Key and section names this editor writes: what oslo.config option and group names look like.
_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
# A commented-out default, as oslo-config-generator writes them: "#path_mtu = 0", "# global_physnet_mtu = 1500"
_TEMPLATE_RE = r"^[#;]\s*{key}\s*[=:]"


class EditError(ValueError):
    """A requested setting that cannot be written as asked (bad name, value with a newline...)."""


def render_value(value) -> str:
    """The INI text of a value: ints as digits, lists comma separated, dicts as ``name:value`` pairs (oslo ListOpt/DictOpt style)."""
    if isinstance(value, bool):
        raise EditError(f"booleans are written as the strings 'true'/'false', got {value!r}")
    if isinstance(value, dict):
        return ",".join(f"{render_value(k)}:{render_value(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ",".join(render_value(item) for item in value)
    if value is None:
        raise EditError("a value of None cannot be written (leave the key out instead)")
    text = str(value)
    if any(ch in text for ch in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"):
        raise EditError(f"a value cannot span lines: {text!r}")
    return text


def same_value(current: str | None, value) -> bool:
    """Whether the parsed ``current`` value already means ``value`` (lists and mappings compared as such)."""
    if current is None:
        return False
    if isinstance(value, dict):
        return parse_mappings(current) == {render_value(k): render_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return parse_list(current) == [render_value(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return int(current.strip()) == value
        except ValueError:
            return False
    return current == render_value(value)


def _check_setting(section, key, value) -> str:
    for what, name in (("section", section), ("key", key)):
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise EditError(f"{what} name {name!r} is not one oslo.config reads (letters, digits, '_', '.', '-')")
    text = render_value(value)
    # the line must read back as the same value (no quotes stripped, no surrounding blanks lost)
    parsed = [v for _n, kind, _r, _s, _k, v in ini_lines(f"[{section}]\n{key} = {text}\n") if kind == "assign"]
    if parsed != [text.strip()] or text != text.strip() or (len(text) >= 2 and text[0] == text[-1] and text[0] in "'\""):
        raise EditError(f"[{section}] {key}: the value {text!r} would not read back unchanged (surrounding blanks or quotes)")
    return text


def _eol_of(text: str) -> str:
    first = text.splitlines(keepends=True)[:1]
    return "\r\n" if first and first[0].endswith("\r\n") else "\n"


def _ending(raw: str) -> str:
    stripped = raw.rstrip("\r\n")
    return raw[len(stripped) :]


def edit_ini(text: str, settings: dict) -> tuple:
    """Return ``(new_text, changes)`` for ``settings`` ``{section: {key: value}}`` applied to ``text``.

    A key already present (in any block of its section) has its value replaced in place, its continuation
    lines dropped; a missing key is added to the last block of its section, after its commented-out default
    when there is one, else after the block's last assignment, else after the header; a missing section is
    appended at the end. ``changes`` lists ``{section, key, before, after, action}`` for every key that
    changes (``action``: ``replaced``, ``added`` or ``added_section``); a key already holding the value is
    left alone. Raises IniError (malformed text, with its line) or EditError (a setting that cannot be written).
    """
    if not isinstance(settings, dict):
        raise EditError("settings must be a dict {section: {key: value}}")
    wanted = {}
    for section, keys in settings.items():
        if not isinstance(keys, dict):
            raise EditError(f"settings of section {section!r} must be a dict {{key: value}}")
        wanted[section] = {key: (value, _check_setting(section, key, value)) for key, value in keys.items()}

    lines = list(ini_lines(text))  # raises IniError before anything is decided
    raws = [raw for _n, _kind, raw, _s, _k, _v in lines]
    eol = _eol_of(text)

    # Where each section's blocks are and where each key occurs: (index of the assign line, [continuation indexes]).
    blocks: dict = {}  # section -> [[first index, last index], ...]
    occurrences: dict = {}  # (section, key) -> [(index, [continuations], full value)]
    current = None
    for index, (_n, kind, _raw, section, key, value) in enumerate(lines):
        if kind == "section":
            blocks.setdefault(section, []).append([index, index])
            current = blocks[section][-1]
        elif current is not None:
            current[1] = index
        if kind == "assign":
            occurrences.setdefault((section, key), []).append([index, [], value])
        elif kind == "continuation":
            occurrence = occurrences[(section, key)][-1]
            occurrence[1].append(index)
            occurrence[2] = occurrence[2] + "\n" + value

    replace: dict = {}  # index -> new raw line
    drop: set = set()
    insert_after: dict = {}  # index -> [new raw lines]
    appended: list = []
    changes = []
    for section, keys in wanted.items():
        for key, (value, text_value) in keys.items():
            found = occurrences.get((section, key), [])
            if found:
                before = found[-1][2]
                stale = [occ for occ in found if not same_value(occ[2], value)]
                if not stale:
                    continue
                for index, continuations, _full in stale:
                    raw = raws[index]
                    match = _ASSIGN_RE.match(raw.rstrip())
                    head = raw[: match.start("value")]
                    head += match.group("value")[: len(match.group("value")) - len(match.group("value").lstrip())]
                    replace[index] = head + text_value + (_ending(raw) or (eol if continuations else ""))
                    drop.update(continuations)
                    if continuations and not _ending(raws[continuations[-1]]):
                        replace[index] = replace[index].rstrip("\r\n")  # the file ended inside the dropped continuation
                changes.append({"section": section, "key": key, "before": before, "after": text_value, "action": "replaced"})
            elif section in blocks:
                first, last = blocks[section][-1]
                anchor = last
                while anchor > first and lines[anchor][1] in ("blank", "comment"):
                    anchor -= 1  # after the last assignment, before trailing comments of the next section's preamble
                template = re.compile(_TEMPLATE_RE.format(key=re.escape(key)))
                templates = [i for i in range(first + 1, last + 1) if lines[i][1] == "comment" and template.match(raws[i])]
                if templates and templates[-1] > anchor:
                    anchor = templates[-1]
                insert_after.setdefault(anchor, []).append(f"{key} = {text_value}{eol}")
                changes.append({"section": section, "key": key, "before": None, "after": text_value, "action": "added"})
            else:
                if not any(line.startswith(f"[{section}]") for line in appended):
                    appended.append(f"[{section}]{eol}")
                appended.append(f"{key} = {text_value}{eol}")
                changes.append({"section": section, "key": key, "before": None, "after": text_value, "action": "added_section"})

    if not changes:
        return text, []
    out = []
    for index, raw in enumerate(raws):
        if index in drop:
            continue
        line = replace.get(index, raw)
        if index in insert_after:
            if not _ending(line):
                line += eol
            out.append(line)
            out.extend(insert_after[index])
            continue
        out.append(line)
    if appended:
        if out and not _ending(out[-1]):
            out[-1] += eol
        if out and out[-1].strip():
            out.append(eol)
        out.extend(appended)
    return "".join(out), changes


__all__ = ["EditError", "IniError", "edit_ini", "render_value", "same_value"]
