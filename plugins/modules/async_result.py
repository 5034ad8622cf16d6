#!/usr/bin/python
# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: async_result
short_description: Wait for a detached job that runs on the controller and return its result
version_added: 0.1.0
description:
  - Waits until the Ansible async job O(jid) has finished, returns the job's own result as
    M(ansible.builtin.async_status) returns it (the module's keys, with RV(finished), RV(started) and
    RV(ansible_job_id)), and removes the job's results file (O(cleanup)).
  - For a job started on the controller, such as an API call delegated to C(localhost) with C(async) and
    C(poll=0). It replaces an M(ansible.builtin.async_status) loop with C(until) and the cleanup task after it.
    Those run one module per poll and one more to clean up; this reads the results file every 0.05 s in the
    controller's process, with no module run and no connection.
  - A job whose module failed fails this task with the module's message; a job that has not finished within
    O(timeout) fails it with RV(finished) false, and its results file is left for a later look.
  - B(It reads the controller's files only.) The task must be delegated to C(localhost) (a C(local) connection),
    as the detached task was, without C(become); the results file is looked for in the shell's C(async_dir)
    (C(ansible_async_dir), default C(~/.ansible_async)) of the controller's user. Use
    M(ansible.builtin.async_status) for a job that runs on a managed host.
  - The audit role waits for its Networking API list (M(netdoctor.openstack.neutron_networks_info)) with it.
author:
  - netdoctor maintainers (@netdoctor)
options:
  jid:
    description:
      - The job id, the C(ansible_job_id) the detached task registered.
    type: str
    required: true
  timeout:
    description:
      - Seconds to wait for the job to finish; V(0) looks once.
    type: float
    default: 600
  cleanup:
    description:
      - Remove the job's results file once the job has finished (what C(async_status) with C(mode=cleanup) does).
    type: bool
    default: true
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
    details: Run it with C(run_once) for a job started with C(run_once).
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: It reads the job's result in check mode too, and removes the results file the job left on the controller.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  idempotent:
    description: When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
    support: N/A
    details: A job's result is read once; with O(cleanup) a second read finds no results file and waits for it.
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
    details: The controller.
seealso:
  - module: ansible.builtin.async_status
"""

EXAMPLES = r"""
- name: Start listing the networks (detached, on the controller)
  netdoctor.openstack.neutron_networks_info:
    cloud: prod
  delegate_to: localhost
  run_once: true
  async: 600
  poll: 0
  register: networks_job

- name: Gather the hosts meanwhile
  netdoctor.openstack.net_facts:

- name: Wait for the list and remove its results file
  netdoctor.openstack.async_result:
    jid: "{{ networks_job.ansible_job_id }}"
    timeout: 600
  delegate_to: localhost
  run_once: true
  register: networks
"""

RETURN = r"""
finished:
  description: Whether the job has finished; false when O(timeout) ran out (the task then fails).
  returned: always
  type: bool
  sample: true
started:
  description: Always true (as M(ansible.builtin.async_status) says it).
  returned: always
  type: bool
  sample: true
ansible_job_id:
  description: The job id, O(jid).
  returned: always
  type: str
  sample: j462718284737.4052
results_file:
  description: The job's results file on the controller.
  returned: always
  type: str
  sample: /home/ops/.ansible_async/j462718284737.4052
erased:
  description: The results file removed (with O(cleanup), once the job has finished).
  returned: when the job has finished and O(cleanup) is true
  type: str
  sample: /home/ops/.ansible_async/j462718284737.4052
"""
