# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every benchmark needs: the collection importable from the work tree, the virtual
environment's tools, and a quiet, comparable environment for ansible commands."""

from __future__ import annotations

import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, ".build", "collections")


def ensure_collection_link() -> str:
    """Make .build/collections/ansible_collections/netdoctor/openstack point at the work tree; return the tree."""
    link = os.path.join(COLLECTIONS, "ansible_collections", "netdoctor", "openstack")
    if not os.path.lexists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(ROOT, link)
    return COLLECTIONS


def venv_bin(name: str) -> str:
    """The virtual environment's ``name`` (ansible, ansible-playbook, ...), else the one on PATH."""
    for candidate in (os.path.join(ROOT, ".venv", "bin", name), os.path.join(os.path.dirname(sys.executable), name), shutil.which(name)):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    sys.exit(f"{name} not found: run `make venv` first")


def ansible_environment(**overrides: str) -> dict:
    """os.environ with the work tree's collection first and Ansible's chatter off, plus ``overrides``."""
    env = dict(os.environ)
    paths = [ensure_collection_link()] + [p for p in env.get("ANSIBLE_COLLECTIONS_PATH", "").split(":") if p]
    env.setdefault("CONTAINERS_CONF", os.path.join(ROOT, ".config", "containers", "containers.conf"))
    env.update(
        ANSIBLE_COLLECTIONS_PATH=":".join(paths),
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_DEPRECATION_WARNINGS="false",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
    )
    env.update(overrides)
    return env
