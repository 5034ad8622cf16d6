"""Make the collection importable as ansible_collections.netdoctor.openstack for plain pytest."""

from __future__ import annotations

import os
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_TREE = os.path.join(_ROOT, ".build", "collections")
_LINK = os.path.join(_TREE, "ansible_collections", "netdoctor", "openstack")

if not os.path.lexists(_LINK):
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    os.symlink(_ROOT, _LINK)
if _TREE not in sys.path:
    sys.path.insert(0, _TREE)

FIXTURES = os.path.join(_ROOT, "tests", "unit", "fixtures")


def read_fixture(relpath: str) -> str:
    """Return the text of a captured fixture below tests/unit/fixtures."""
    with open(os.path.join(FIXTURES, relpath), encoding="utf-8") as handle:
        return handle.read()
