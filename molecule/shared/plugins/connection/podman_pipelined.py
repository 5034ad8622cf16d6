# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lab's connection: containers.podman.podman with pipelining (test infrastructure, not shipped)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: podman_pipelined
short_description: containers.podman.podman with pipelining, for the netdoctor lab containers
description:
  - The connection molecule and C(make demo) use for the lab containers. It is C(containers.podman.podman) with two
    changes that take a module run from five C(podman) processes (mount, mkdir, chmod, exec, rm) to one.
  - The module comes on standard input (pipelining), which C(podman exec) reads only with C(--interactive).
  - The container's file system is mounted (C(podman mount)) only when a file is copied in or out.
author: netdoctor maintainers
options:
  remote_addr:
    description: The container's name or ID.
    default: inventory_hostname
    vars:
      - name: ansible_host
      - name: inventory_hostname
      - name: ansible_podman_host
  remote_user:
    description: The user commands run as inside the container.
    ini:
      - section: defaults
        key: remote_user
    env:
      - name: ANSIBLE_REMOTE_USER
    vars:
      - name: ansible_user
  podman_extra_args:
    description: Extra arguments of the podman command line.
    default: ''
    ini:
      - section: defaults
        key: podman_extra_args
    vars:
      - name: ansible_podman_extra_args
    env:
      - name: ANSIBLE_PODMAN_EXTRA_ARGS
  podman_executable:
    description: The podman executable.
    default: podman
    vars:
      - name: ansible_podman_executable
    env:
      - name: ANSIBLE_PODMAN_EXECUTABLE
  pipelining:
    description: Send modules on standard input instead of copying them into the container.
    type: boolean
    default: true
    env:
      - name: ANSIBLE_PIPELINING
    vars:
      - name: ansible_pipelining
"""

from ansible_collections.containers.podman.plugins.connection.podman import Connection as PodmanConnection  # noqa: E402 - after DOCUMENTATION, as ansible-doc reads it


class Connection(PodmanConnection):
    """containers.podman.podman, pipelined, mounting the container only to copy files."""

    transport = "podman_pipelined"
    has_pipelining = True

    def _podman(self, cmd, cmd_args=None, in_data=None, use_container_id=True):
        # podman exec attaches standard input only with --interactive: a pipelined module arrives there
        if in_data is not None and isinstance(cmd, list) and cmd[:1] == ["exec"]:
            cmd = ["exec", "--interactive"] + cmd[1:]
        return super()._podman(cmd, cmd_args, in_data, use_container_id)

    def _connect(self):
        # no podman mount per task: put_file/fetch_file mount on first use
        self._connected = True
        self._mount_point = None
        self._mounted = False
        return self

    def _ensure_mounted(self):
        if not getattr(self, "_mounted", False):
            PodmanConnection._connect(self)
            self._mounted = True

    def put_file(self, in_path, out_path):
        self._ensure_mounted()
        return super().put_file(in_path, out_path)

    def fetch_file(self, in_path, out_path):
        self._ensure_mounted()
        return super().fetch_file(in_path, out_path)
