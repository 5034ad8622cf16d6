#!/usr/bin/python
# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: neutron_networks_info
short_description: List the networks of the Networking API (Neutron) with their type, physnet, segmentation and MTU
version_added: 0.1.0
description:
  - Lists every network the credentials see with one paginated list request (pages of O(page_size), no request
    per network), with the provider attributes an admin sees (C(provider:network_type),
    C(provider:physical_network), C(provider:segmentation_id), C(segments) of multi-segment networks) and the MTU.
  - The list asks only for the attributes it returns (C(fields=)) and reads the API's JSON pages as they are
    (no openstacksdk resource object per network); the next pages are requested from the connection's own endpoint.
  - Optionally lists the ports and the subnets too (one paginated list each), for what the instances on a network
    need after its MTU changed (M(netdoctor.openstack.neutron_network_mtu)).
  - With C(async) on the controller (delegated to C(localhost), without C(become) or a task C(environment)) and
    openstacksdk installed in the controller's Python, the list starts detached in the controller's Python instead
    of through ansible-core's async wrapper. The task returns at once and writes the same results file, read by
    M(ansible.builtin.async_status) or M(netdoctor.openstack.async_result).
  - The audit role (C(netdoctor_openstack_cloud) or C(netdoctor_openstack_auth)) judges the result into
    C(NEUTRON_NETWORK_MTU_STALE).
  - Changes nothing.
author:
  - netdoctor maintainers (@netdoctor)
extends_documentation_fragment:
  - netdoctor.openstack.openstack_api
options:
  filters:
    description:
      - Query filters of the network list (the API's names, for example C(project_id), C(name),
        C(provider:network_type)), as the API accepts them.
    type: dict
    default: {}
  page_size:
    description: Networks per page of the list (C(limit)); the module follows the pages to the end.
    type: int
    default: 1000
  include:
    description: Also list these resources (one paginated list each).
    type: list
    elements: str
    choices: [ports, subnets]
    default: []
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
    details: It starts the list detached on the controller when run there with C(async).
  async:
    description: Supports being used with the C(async) keyword.
    support: full
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: It only reads.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  idempotent:
    description: When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
    support: full
"""

EXAMPLES = r"""
- name: List the networks with the cloud "prod" of clouds.yaml
  netdoctor.openstack.neutron_networks_info:
    cloud: prod
  delegate_to: localhost
  run_once: true
  register: networks

- name: Only the VXLAN networks of one project, with their ports and subnets
  netdoctor.openstack.neutron_networks_info:
    auth:
      auth_url: https://keystone.example.com:5000/v3
      username: admin
      password: "{{ vault_admin_password }}"
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    filters:
      project_id: 4b0e1b6f0c5e4c8f9f0d2a1e3c4b5a69
      "provider:network_type": vxlan
    include: [ports, subnets]
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
networks:
  description: The networks, in the order the API listed them.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The network's UUID.
      type: str
    name:
      description: Its name (empty when it has none).
      type: str
    project_id:
      description: The project that owns it.
      type: str
    mtu:
      description: The MTU the API reports for it.
      type: int
    network_type:
      description: C(provider:network_type) (of the first segment); null when the credentials are not an admin's.
      type: str
    physical_network:
      description: C(provider:physical_network), for flat and VLAN networks.
      type: str
    segmentation_id:
      description: The VNI or VLAN id.
      type: int
    segments:
      description: Every segment (C(network_type), C(physical_network), C(segmentation_id)).
      type: list
      elements: dict
    status:
      description: C(ACTIVE), C(DOWN)...
      type: str
    admin_state_up:
      description: The network's admin state.
      type: bool
    shared:
      description: Shared between projects.
      type: bool
    external:
      description: C(router:external).
      type: bool
  sample:
    - id: 02046e27-6fa1-4960-b55e-bdd0798291f7
      name: old-0
      project_id: p1
      mtu: 8950
      network_type: vxlan
      physical_network: null
      segmentation_id: 17
      segments: [{network_type: vxlan, physical_network: null, segmentation_id: 17}]
      status: ACTIVE
      admin_state_up: true
      shared: false
      external: false
ports:
  description: With O(include=ports), every port as the API returns it.
  returned: when O(include) has V(ports)
  type: list
  elements: dict
subnets:
  description: With O(include=subnets), every subnet as the API returns it.
  returned: when O(include) has V(subnets)
  type: list
  elements: dict
elapsed:
  description: Seconds the listing took (connection included).
  returned: success
  type: float
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.openstack_api import NETWORKS_INFO_ARGUMENT_SPEC, networks_info


def main():
    module = AnsibleModule(argument_spec=NETWORKS_INFO_ARGUMENT_SPEC, supports_check_mode=True)
    result = networks_info(module.params)
    if result.pop("failed", False):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
