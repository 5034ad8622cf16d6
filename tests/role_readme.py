# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Role READMEs from meta/argument_specs.yml: the variables section of roles/NAME/README.md is generated.

    python tests/role_readme.py            # rewrite the generated section of every role's README
    python tests/role_readme.py --check    # fail (exit 1) when a README is not current (make lint)

The generated part sits between two markers. A README without them gets its ``## Variables`` section
replaced (or the section appended); a role without a README gets one with its title and description.
Everything outside the markers is the role author's prose and is kept.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

import yaml

BEGIN = "<!-- BEGIN variables: generated from meta/argument_specs.yml by tests/role_readme.py, do not edit -->"
END = "<!-- END variables -->"
_MARKUP = re.compile(r"\b([CIMOPVBLRU]|RV|E)\(([^()]*)\)")


def plain(text) -> str:
    """Ansible doc markup (C(), O(), V(), M(), I(), B(), P(), L(), U(), RV(), E()) as Markdown, on one line."""
    if isinstance(text, list):
        text = " ".join(str(t) for t in text)

    def repl(match):
        kind, body = match.group(1), match.group(2)
        if kind in ("I", "B"):
            return body
        if kind in ("L", "U"):
            label, _comma, url = body.partition(",")
            return f"[{label.strip()}]({url.strip()})" if url else f"<{label.strip()}>"
        if kind == "P":
            body = body.split("#", 1)[0]
        return f"`{body}`"

    text = _MARKUP.sub(repl, str(text or ""))
    return " ".join(text.split()).replace("|", "\\|")


def _default(option: dict) -> str:
    if option.get("required"):
        return "required"
    if "default" not in option:
        return "unset"
    return "`" + yaml.safe_dump(option["default"], default_flow_style=True, width=1000).strip().removesuffix("...").strip() + "`"


def _type(option: dict) -> str:
    kind = option.get("type", "str")
    if kind == "list" and option.get("elements"):
        kind = f"list of {option['elements']}"
    if option.get("choices"):
        kind += ": " + ", ".join(f"`{c}`" for c in option["choices"])
    return kind


def variables_section(specs: dict) -> str:
    """The generated Markdown: one table per entry point (tasks file), sorted as the spec lists options."""
    lines = [BEGIN, "## Variables", ""]
    for entry, entry_spec in (specs.get("argument_specs") or {}).items():
        spec = entry_spec or {}
        if entry != "main":
            lines += [f"### Entry point `{entry}`", "", plain(spec.get("short_description")), ""]
        options = spec.get("options") or {}
        if not options:
            lines += ["This entry point takes no variables.", ""]
            continue
        lines += ["| Variable | Type | Default | Description |", "|---|---|---|---|"]
        for name, spec_option in options.items():
            option = spec_option or {}
            note = plain(option.get("description"))
            if option.get("no_log"):
                note += " (secret: never logged)"
            lines.append(f"| `{name}` | {_type(option)} | {_default(option)} | {note} |")
        lines.append("")
    lines.append(END)
    return "\n".join(lines) + "\n"


def render(role_dir: str, current: str | None) -> str:
    """The README of ``role_dir`` with its generated section brought up to date."""
    with open(os.path.join(role_dir, "meta", "argument_specs.yml"), encoding="utf-8") as handle:
        specs = yaml.safe_load(handle) or {}
    section = variables_section(specs)
    if current is None:
        main = (specs.get("argument_specs") or {}).get("main") or {}
        title = f"# netdoctor.openstack.{os.path.basename(os.path.normpath(role_dir))}"
        description = [plain(d) for d in (main.get("description") or [])]
        return "\n\n".join([title, plain(main.get("short_description")) + "."] + description) + "\n\n" + section
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        return head + section.rstrip("\n") + rest.split(END, 1)[1]
    match = re.search(r"^## Variables[ \t]*\n.*?(?=^## |\Z)", current, flags=re.S | re.M)
    if match:
        return current[: match.start()] + section + ("\n" if match.end() < len(current) else "") + current[match.end() :]
    return current.rstrip("\n") + "\n\n" + section


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale READMEs instead of writing them")
    parser.add_argument("--roles", default=os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "roles"))
    args = parser.parse_args(argv)
    stale = []
    for role in sorted(os.listdir(args.roles)):
        role_dir = os.path.join(args.roles, role)
        if not os.path.isfile(os.path.join(role_dir, "meta", "argument_specs.yml")):
            continue
        path = os.path.join(role_dir, "README.md")
        current = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                current = handle.read()
        wanted = render(role_dir, current)
        if wanted == current:
            continue
        stale.append(path)
        if not args.check:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(wanted)
    if args.check and stale:
        print("role READMEs not generated from meta/argument_specs.yml (run: python tests/role_readme.py):", *stale, sep="\n  ")
        return 1
    print(f"{'stale' if args.check else 'written'}: {len(stale)} README(s)" if stale else "role READMEs are current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
