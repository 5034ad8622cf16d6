#!/usr/bin/python
# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: report_files
short_description: Write several report files into one directory on the controller in one step
version_added: 0.1.0
description:
  - Creates the directory O(path) with its missing parents (mode V(0755)) and writes every file of O(files) into it,
    each through a temporary file in the same directory renamed over the old one, so that a reader never sees half a
    file.
  - A file is written only when its content differs; a file whose content is the same but whose mode is not gets
    its mode set. An existing directory's mode is left alone. A symbolic link at a file's place is replaced by a
    regular file, as M(ansible.builtin.copy) does.
  - Everything is checked before anything is written; a bad file name, a directory at a file's place or a
    non-directory at O(path) fail the task with nothing touched.
  - This is an action plugin that runs in the controller's process, with no module run and no connection to the
    host. B(It always writes on the controller), as the user running C(ansible-playbook), whatever host the task
    runs for and whatever C(delegate_to), C(become) or the connection say. Use M(ansible.builtin.copy) to write
    files on a managed host.
  - The audit role and the remediate playbook write their reports with it (C(report.json), C(report.md),
    C(report.xml), C(report.html); C(remediation-plan.json), C(remediation.json), C(remediation.md)).
author:
  - netdoctor maintainers (@netdoctor)
options:
  path:
    description:
      - The directory on the controller the files go into; created with its missing parents when absent.
    type: path
    required: true
  files:
    description:
      - The files to write, file name to content (a string, written as UTF-8, byte for byte).
      - The names must be plain file names in O(path) (not empty, no V(/), not V(.) or V(..)).
    type: dict
    required: true
  mode:
    description:
      - Permission bits of every file written, an octal string such as V(0644) (quote it in YAML).
    type: raw
    default: "0644"
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
  async:
    description: Supports being used with the C(async) keyword.
    support: none
  bypass_host_loop:
    description: Forces a 'global' task that does not execute per host, this bypasses per host templating and serial, throttle and other loop considerations.
    support: none
    details: Run it with C(run_once) when the files are the same for every host.
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: Nothing is created or written; RV(written) and RV(created) say what would be.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: >-
      Before and after of every file that changes; a side larger than Ansible's C(MAX_FILE_SIZE_FOR_DIFF) or
      holding a NUL byte is not shown.
  idempotent:
    description: When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
    support: full
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
    details: The controller's file system.
notes:
  - Each file is replaced atomically; the set of files is not (a failure part way leaves the files written so far).
seealso:
  - module: ansible.builtin.copy
"""

EXAMPLES = r"""
- name: Write the audit's reports beside each other on the controller
  netdoctor.openstack.report_files:
    path: "{{ netdoctor_report_dir }}"
    files:
      report.json: "{{ audit_report | to_nice_json(indent=2) ~ '\n' }}"
      report.md: "{{ audit_report | netdoctor.openstack.audit_markdown }}"
  run_once: true

- name: Private notes, readable by the controller's user only
  netdoctor.openstack.report_files:
    path: ~/netdoctor-notes
    files:
      notes.txt: "{{ inventory_hostname }} audited\n"
    mode: "0600"
"""

RETURN = r"""
path:
  description: The absolute directory the files are in.
  returned: always
  type: str
  sample: /home/ops/netdoctor-report
created:
  description: The directories created (or, in check mode, that would be), outermost first.
  returned: always
  type: list
  elements: str
  sample: [/home/ops/netdoctor-report]
written:
  description:
    - The names of the files written (or, in check mode, that would be), in the order of O(files); a file whose
      only change is its mode is listed too.
  returned: always
  type: list
  elements: str
  sample: [report.json, report.md]
"""
