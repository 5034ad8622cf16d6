# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin for netdoctor.openstack.neutron_networks_info: the module as usual, except for one case.

Run with ``async`` on the controller (delegated to localhost, no become, no task environment) and with
openstacksdk in the controller's Python, the list starts detached in the controller's Python
(plugin_utils/_detached) instead of through async_wrapper: the task returns in a few hundredths of a
second instead of about a second, and the job's results file is the one async_wrapper would write.
"""

from __future__ import annotations

import importlib.util
import os

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.openstack_api import NETWORKS_INFO_ARGUMENT_SPEC
from ansible_collections.netdoctor.openstack.plugins.plugin_utils import _detached


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = True

    def _detached_root(self) -> str | None:
        """The collection root to start the detached list from, or None when the module must run as usual."""
        if not self._task.async_val or any(self._task.environment or []):  # [{}] when the task sets none
            return None
        if getattr(self._connection, "transport", None) != "local" or self._play_context.become:
            return None
        if importlib.util.find_spec("openstack") is None:  # the module's own run says where it is missing
            return None
        return _detached.collection_root(__file__)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        root = self._detached_root()
        if root is not None:
            _validation, options = self.validate_argument_spec(argument_spec=NETWORKS_INFO_ARGUMENT_SPEC)
            async_dir = os.path.expanduser(self.get_shell_option("async_dir", default="~/.ansible_async"))
            try:
                result.update(_detached.start(async_dir, "neutron_networks_info", dict(options), self._task.async_val, root))
            except (OSError, RuntimeError) as exc:
                raise AnsibleActionFail(f"could not start the network list: {to_native(exc)}") from exc
            return result
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result = merge_hash(result, self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
