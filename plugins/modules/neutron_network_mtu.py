#!/usr/bin/python
# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: neutron_network_mtu
short_description: Set the MTU of existing networks through the Networking API (Neutron), each on its own
version_added: 0.1.0
description:
  - Neutron stores an MTU per network; after its settings change (C(global_physnet_mtu), C(path_mtu),
    C(physical_network_mtus)), existing networks keep the old one until each is updated (extension
    C(net-mtu-writable), a C(PUT /v2.0/networks/ID) request carrying the new C(mtu)). This module does that for the
    networks it is given.
  - Lists the networks once (one paginated list, no request per network), then updates only those whose MTU
    differs, one request each; a network already at its MTU is left alone, so a second run changes nothing.
  - A network the API refuses (for example with C(Requested MTU is too big, maximum is 1450) while neutron-server
    still runs with the old settings, or a network that does not exist) is named in the result with the API's
    message and the others are still updated; the module then fails, listing the refused networks and what it
    did change.
  - In check mode it lists what it would change and sends no update request.
  - M(openstack.cloud.network) can set an MTU too, but has no check mode and cannot tell which of many networks
    the API refused.
author:
  - netdoctor maintainers (@netdoctor)
extends_documentation_fragment:
  - netdoctor.openstack.openstack_api
options:
  networks:
    description:
      - The networks to update and the MTU each must have.
      - Each id at most once; the MTU between 68 and 65535 (the API enforces the network type's maximum).
    type: list
    elements: dict
    required: true
    suboptions:
      id:
        description: The network's UUID.
        type: str
        required: true
      mtu:
        description: The MTU it must have.
        type: int
        required: true
      name:
        description: Its name, for messages (the API's name is used when it lists the network).
        type: str
  page_size:
    description: Networks per page of the list request.
    type: int
    default: 1000
  instances:
    description:
      - For each network it updates (or would), list what the network's instances need before they use the new MTU
        (RV(instance_actions)), from one paginated list of the ports and one of the subnets.
    type: bool
    default: true
  dhcp_lease_duration:
    description:
      - Neutron's C([DEFAULT] dhcp_lease_duration) in seconds (V(-1) infinite), for when DHCP clients renew
        (half the lease). The C(neutron) facts of M(netdoctor.openstack.net_facts) carry it.
    type: int
    default: 86400
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: Lists the networks (a read) and reports what it would update; sends no update.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: One line per changed network, C(network NAME (ID) mtu N), before and after.
  idempotent:
    description: When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
    support: full
"""

EXAMPLES = r"""
- name: Give two VXLAN networks the MTU of a 1500 underlay
  netdoctor.openstack.neutron_network_mtu:
    cloud: prod
    networks:
      - {id: 02046e27-6fa1-4960-b55e-bdd0798291f7, mtu: 1450}
      - {id: 0e8138e7-93db-4abb-b67e-b237d659efe3, mtu: 1450}
  delegate_to: localhost
  run_once: true
  register: mtu_update
"""

RETURN = r"""
results:
  description: One entry per requested network, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The network's UUID.
      type: str
    name:
      description: Its name.
      type: str
    project_id:
      description: The project that owns it.
      type: str
    before:
      description: Its MTU before (null when the API does not list it).
      type: int
    after:
      description: The MTU asked for.
      type: int
    action:
      description: V(update) (changed, or would be in check mode), V(none) (already right) or V(missing).
      type: str
    changed:
      description: The network was updated (false in check mode).
      type: bool
    failed:
      description: The update was refused or the network is missing.
      type: bool
    msg:
      description: Why it failed, with the API's message.
      type: str
  sample:
    - id: 02046e27-6fa1-4960-b55e-bdd0798291f7
      name: old-0
      project_id: p1
      before: 8950
      after: 1450
      action: update
      changed: true
      failed: false
      msg: ""
updated:
  description: Ids of the networks updated (in check mode, those that would be).
  returned: always
  type: list
  elements: str
refused:
  description: Ids of the networks the API refused or does not list.
  returned: always
  type: list
  elements: str
instance_actions:
  description:
    - With O(instances=true), per network updated (or that would be), what its instances need. Guests take a new MTU
      from DHCP (option 26) at their next renewal or at a reboot; a static MTU set by cloud-init does not follow.
  returned: when O(instances=true)
  type: list
  elements: dict
  contains:
    network_id:
      description: The network.
      type: str
    name:
      description: Its name.
      type: str
    mtu:
      description: Its new MTU.
      type: int
    instances:
      description: Device ids (instance UUIDs) of the ports instances own on it (C(device_owner) C(compute:*)).
      type: list
      elements: str
    instance_ports:
      description: Those ports (C(id), C(device_id), C(fixed_ips)).
      type: list
      elements: dict
    dhcp_subnets:
      description: Its subnets that serve DHCP.
      type: list
      elements: str
    dhcp_lease_duration:
      description: The lease time, seconds.
      type: int
    renewal_within:
      description: Seconds within which DHCP clients renew (half the lease); null without DHCP or with infinite leases.
      type: int
    action:
      description: What to do, in words.
      type: str
"""

import sys

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.networks import (
    NetworkError,
    diff_text,
    instance_actions,
    instance_ports,
    label,
    plan_updates,
    validate_requests,
)
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.openstack_api import (
    CONNECTION_ARGUMENT_SPEC,
    MISSING_SDK,
    APIError,
    connect,
    describe_error,
    import_sdk,
    list_networks,
    list_raw,
)


def _apply(module, conn, plan: list) -> list:
    """Update each planned network (not in check mode); a refusal is recorded and the next one is tried."""
    results = []
    for entry in plan:
        item = dict(entry, changed=False, failed=False, msg="")
        if entry["action"] == "missing":
            item.update(failed=True, msg=f"network {label(entry)} is not listed by the API (deleted, or not visible to these credentials)")
        elif entry["action"] == "update" and not module.check_mode:
            try:
                updated = conn.network.update_network(entry["id"], mtu=entry["after"])
            except Exception as exc:  # openstacksdk's HttpException and keystoneauth's connection errors
                item.update(failed=True, msg=describe_error(exc, f"updating network {label(entry)} to MTU {entry['after']}"))
            else:
                reported = getattr(updated, "mtu", None)
                if reported != entry["after"]:
                    item.update(failed=True, changed=True, msg=f"network {label(entry)}: the API accepted MTU {entry['after']} but reports {reported}")
                else:
                    item["changed"] = True
        results.append(item)
    return results


def main():
    argument_spec = dict(CONNECTION_ARGUMENT_SPEC)
    argument_spec.update(
        networks={
            "type": "list",
            "elements": "dict",
            "required": True,
            "options": {"id": {"type": "str", "required": True}, "mtu": {"type": "int", "required": True}, "name": {"type": "str"}},
        },
        page_size={"type": "int", "default": 1000},
        instances={"type": "bool", "default": True},
        dhcp_lease_duration={"type": "int", "default": 86400},
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        requests = validate_requests(module.params["networks"])
    except NetworkError as exc:
        module.fail_json(msg=str(exc), results=[], updated=[], refused=[])
    result = {"changed": False, "results": [], "updated": [], "refused": []}
    if not requests:
        module.exit_json(**result)
    if import_sdk() is None:
        module.fail_json(msg=MISSING_SDK.format(python=sys.executable), **result)
    try:
        conn = connect(module.params)
        current = {net["id"]: net for net in list_networks(conn, module.params["page_size"])}
    except APIError as exc:
        module.fail_json(msg=str(exc), **result)

    plan = plan_updates(current, requests)
    results = _apply(module, conn, plan)
    result["results"] = results
    result["updated"] = [r["id"] for r in results if r["action"] == "update" and not r["failed"]]
    result["refused"] = [r["id"] for r in results if r["failed"]]
    result["changed"] = any(r["action"] == "update" and (r["changed"] or module.check_mode) for r in results)
    affected = [r for r in results if r["action"] == "update" and (r["changed"] or (module.check_mode and not r["failed"]))]
    if module.params["instances"]:
        result["instance_actions"] = []
        if affected:
            try:
                ports = instance_ports(list_raw(conn, "ports", module.params["page_size"]))
                subnets = list_raw(conn, "subnets", module.params["page_size"])
            except APIError as exc:
                module.fail_json(msg=f"{exc} (after the updates above)", **result)
            for entry in affected:
                result["instance_actions"].append(
                    instance_actions(
                        entry,
                        entry["after"],
                        ports.get(entry["id"], []),
                        [s for s in subnets if s.get("network_id") == entry["id"]],
                        module.params["dhcp_lease_duration"],
                    )
                )
    if module._diff:
        result["diff"] = diff_text([r for r in results if r["action"] == "update" and (r["changed"] or module.check_mode)])
    if result["refused"]:
        refused = [r for r in results if r["failed"]]
        done = [label(r) for r in results if r["changed"]]
        module.fail_json(
            msg=f"{len(refused)} of {len(results)} network(s) not updated: "
            + "; ".join(r["msg"].rstrip(".") for r in refused)
            + (f". Updated: {', '.join(done)}" if done else ". No network was updated"),
            **result,
        )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
