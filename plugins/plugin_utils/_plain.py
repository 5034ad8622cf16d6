# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""Plain lists and dicts out of the lazy containers ansible-core 2.19 hands to filters.

From 2.19 on, a filter gets its variables as lazy containers: every item read goes through the templar
(access tracking, template checks, a new lazy wrapper per nested container). For a report of 1,000
findings or 1,000 network records that is most of a second per filter, against milliseconds for the
judging itself. The data the audit's filters read (registered module results, the report the judge made)
hold no templates to render, so their items are taken as stored: the container's own ``_non_lazy_copy``,
which unwraps without templating. Earlier ansible-core versions pass plain containers, copied as they are.
"""

from __future__ import annotations


def plain(value):
    """``value`` with every lazy list and dict replaced by a plain one, its items taken as stored."""
    copy = getattr(value, "_non_lazy_copy", None)
    if callable(copy):
        value = copy()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value
