#!/usr/bin/python
# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: neutron_config
short_description: Set keys in an oslo.config INI file (neutron.conf, ml2_conf.ini) and keep everything else
version_added: 0.1.0
description:
  - Sets each key of O(settings) in its section of the INI file O(path), read the way oslo.config reads it
    (the parser M(netdoctor.openstack.net_facts) uses for its C(neutron) subset).
  - Keeps comments, blank lines, the order of lines, unrelated keys, the spelling of each assignment, line endings
    and duplicate sections. A key present in several blocks of its section is set in every block that holds it;
    a missing key goes into the last block of its section, after its commented-out default when the file has one;
    a missing section is appended. C([DEFAULT]) is a section like any other (oslo.config does not copy its keys
    into other sections).
  - "A key that already holds the value is left alone; list and mapping values (O(settings) given as a list or a
    dict) are compared as lists and mappings, so C(physnet1:9000, physnet2:1500) equals
    C({physnet1: 9000, physnet2: 1500})."
  - A malformed file (a line oslo.config would refuse) fails with the file and line, and nothing is written.
author:
  - netdoctor maintainers (@netdoctor)
attributes:
  check_mode:
    support: full
    description: Reports what would change, with a diff; writes nothing.
  diff_mode:
    support: full
    description: The whole file before and after.
  idempotent:
    support: full
    description: A second run with the same settings changes nothing.
options:
  path:
    description: The INI file.
    type: path
    required: true
  settings:
    description:
      - "C({section: {key: value}}). A value is written as text: an integer as digits, a list comma separated,
        a dict as C(name:value) pairs separated by commas."
      - Section and key names are letters, digits, C(_), C(.) and C(-). Values cannot span lines, carry
        surrounding blanks or be quoted (oslo.config would read them differently).
    type: dict
    required: true
  create:
    description:
      - Create O(path) when it does not exist (a kolla override file, for instance), starting with O(header).
      - When V(false), a missing file is an error.
    type: bool
    default: false
  header:
    description:
      - Comment lines a file created by this module starts with, for instance C({{ ansible_managed | comment }}).
      - Every line must start with C(#) or C(;).
    type: str
  backup:
    description: Keep a copy of the file as it was, with a timestamp in its name, when it changes.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.files
"""

EXAMPLES = r"""
- name: Neutron gives networks the MTU of a 9000-byte underlay
  netdoctor.openstack.neutron_config:
    path: /etc/neutron/neutron.conf
    settings:
      DEFAULT:
        global_physnet_mtu: 9000
    backup: true

- name: Per-physnet MTUs and the Geneve header OVN needs
  netdoctor.openstack.neutron_config:
    path: /etc/neutron/plugins/ml2/ml2_conf.ini
    settings:
      ml2:
        physical_network_mtus: {physnet1: 9000, physnet2: 1500}
      ml2_type_geneve:
        max_header_size: 38

- name: A kolla-ansible override file, created when missing
  netdoctor.openstack.neutron_config:
    path: /etc/kolla/config/neutron.conf
    settings:
      DEFAULT:
        global_physnet_mtu: 9000
    create: true
    header: "{{ ansible_managed | comment }}"
    mode: "0640"
"""

RETURN = r"""
changes:
  description: The keys that changed (or would change, in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    section:
      description: The section.
      type: str
    key:
      description: The key.
      type: str
    before:
      description: The value oslo.config read before (its last occurrence), V(null) when the key was missing.
      type: str
    after:
      description: The value written.
      type: str
    action:
      description: V(replaced), V(added) (to an existing section) or V(added_section).
      type: str
  sample: [{"section": "DEFAULT", "key": "global_physnet_mtu", "before": "1500", "after": "9000", "action": "replaced"}]
created:
  description: Whether the file was created (or would be, in check mode).
  returned: always
  type: bool
backup_file:
  description: The copy of the file as it was.
  returned: when O(backup=true) and the file changed
  type: str
  sample: /etc/neutron/neutron.conf.12345.2026-12-01@08:00:00~
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.neutron_edit import EditError, IniError, edit_ini


def _read(module, path):
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        module.fail_json(msg=f"cannot read {path}: {to_native(exc.strerror or exc)}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        module.fail_json(msg=f"{path} is not UTF-8 text (byte {exc.start}); nothing was written")
    return None  # not reached


def _write(module, path, text):
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        module.fail_json(msg=f"cannot create {path}: directory {directory} does not exist")
    handle, temp = tempfile.mkstemp(prefix=".neutron_config.", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8"))
    except OSError as exc:
        os.unlink(temp)
        module.fail_json(msg=f"cannot write {path}: {to_native(exc.strerror or exc)}")
    module.atomic_move(temp, path, unsafe_writes=module.params["unsafe_writes"])


def main():
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "settings": {"type": "dict", "required": True},
            "create": {"type": "bool", "default": False},
            "header": {"type": "str"},
            "backup": {"type": "bool", "default": False},
        },
        add_file_common_args=True,
        supports_check_mode=True,
    )
    path = module.params["path"]
    header = module.params["header"] or ""
    bad_header = [line for line in header.splitlines() if line.strip() and line.lstrip()[0] not in "#;"]
    if bad_header:
        module.fail_json(msg=f"header lines must be comments (start with # or ;), got {bad_header[0]!r}")

    exists = os.path.exists(path)
    if exists and not os.path.isfile(path):
        module.fail_json(msg=f"{path} is not a regular file")
    if not exists and not module.params["create"]:
        module.fail_json(msg=f"{path} does not exist (create=true makes it); nothing was written")
    before = _read(module, path) if exists else ""
    start = before
    if not exists and header:
        start = header if header.endswith("\n") else header + "\n"

    try:
        after, changes = edit_ini(start, module.params["settings"])
    except IniError as exc:
        module.fail_json(msg=f"{path}:{exc.line}: {exc}; nothing was written", file=path, line=exc.line)
    except EditError as exc:
        module.fail_json(msg=f"{path}: {exc}; nothing was written", file=path)

    result = {"changed": False, "changes": changes, "created": not exists, "path": path}
    changed = bool(changes) or not exists
    if changed:
        result["changed"] = True
        if module._diff:
            result["diff"] = {"before": before, "after": after, "before_header": path if exists else "/dev/null", "after_header": path}
        if not module.check_mode:
            if exists and module.params["backup"]:
                result["backup_file"] = module.backup_local(path)
            _write(module, path, after)
    if os.path.exists(path):  # in check mode this only reports attributes that differ
        file_args = module.load_file_common_arguments(module.params, path=path)
        result["changed"] = module.set_fs_attributes_if_different(file_args, result["changed"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
