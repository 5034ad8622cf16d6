# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""Networks of the Networking API (Neutron) as plain data: records, MTU update plans, what instances need.

Pure functions, no I/O. The input is what the API returns for a network (``GET /v2.0/networks``,
server-side names such as ``provider:network_type``); openstacksdk's
``Network.to_dict(original_names=True)`` gives the same keys.
"""

from __future__ import annotations

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import as_int as _int
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.mtu import MTUError, validate_mtu

# DHCP clients renew at T1, half the lease (RFC 2131 4.4.5); Neutron's default lease (dhcp_lease_duration).
NEUTRON_DEFAULT_DHCP_LEASE = 86400
TUNNEL_TYPES = ("vxlan", "gre", "geneve")
PHYSNET_TYPES = ("flat", "vlan")


class NetworkError(ValueError):
    """A network or an MTU request that cannot be right."""


def _segment(raw: dict) -> dict:
    return {
        "network_type": raw.get("provider:network_type") or raw.get("network_type"),
        "physical_network": raw.get("provider:physical_network") or raw.get("physical_network"),
        "segmentation_id": _int(raw.get("provider:segmentation_id", raw.get("segmentation_id"))),
    }


def normalize_network(raw: dict) -> dict:
    """One network as the collection reports it.

    ``{id, name, project_id, status, admin_state_up, shared, external, mtu, network_type,
    physical_network, segmentation_id, segments}``; ``segments`` lists every segment of a
    multi-segment network (extension ``multi-provider``), else the one provider segment.
    """
    if not isinstance(raw, dict) or not raw.get("id"):
        raise NetworkError(f"not a network record (no id): {raw!r}")
    segments = [_segment(s) for s in raw.get("segments") or [] if isinstance(s, dict)]
    provider = _segment(raw)
    if not segments and provider["network_type"]:
        segments = [provider]
    first = segments[0] if segments else provider
    return {
        "id": raw["id"],
        "name": raw.get("name") or "",
        "project_id": raw.get("project_id") or raw.get("tenant_id"),
        "status": raw.get("status"),
        "admin_state_up": raw.get("admin_state_up"),
        "shared": raw.get("shared"),
        "external": raw.get("router:external"),
        "mtu": _int(raw.get("mtu")),
        "network_type": first["network_type"],
        "physical_network": first["physical_network"],
        "segmentation_id": first["segmentation_id"],
        "segments": segments,
    }


def label(network: dict) -> str:
    """``name (id)`` of a network record, or its id alone when it has no name."""
    name = network.get("name")
    return f"{name} ({network['id']})" if name else str(network.get("id"))


def validate_requests(requests) -> list:
    """The ``networks`` option of neutron_network_mtu: [{id, mtu, name?}], each id once, MTUs in range."""
    if not isinstance(requests, list):
        raise NetworkError("networks must be a list of {id, mtu}")
    seen = set()
    out = []
    for index, item in enumerate(requests):
        if not isinstance(item, dict) or not item.get("id"):
            raise NetworkError(f"networks[{index}] must be a dict with an id and an mtu, got {item!r}")
        network_id = str(item["id"])
        if network_id in seen:
            raise NetworkError(f"network {network_id} is listed twice")
        seen.add(network_id)
        try:
            mtu = validate_mtu(item.get("mtu"), name=f"mtu of network {item.get('name') or network_id}")
        except MTUError as exc:
            raise NetworkError(str(exc)) from None
        out.append({"id": network_id, "mtu": mtu, "name": item.get("name")})
    return out


def plan_updates(current: dict, requests: list) -> list:
    """One plan entry per request against ``current`` ({id: network record}).

    ``{id, name, project_id, before, after, action}`` where ``action`` is ``update``, ``none``
    (already at that MTU) or ``missing`` (the API does not list the network).
    """
    plan = []
    for item in requests:
        network = current.get(item["id"])
        if network is None:
            plan.append({"id": item["id"], "name": item.get("name"), "project_id": None, "before": None, "after": item["mtu"], "action": "missing"})
            continue
        plan.append(
            {
                "id": network["id"],
                "name": network.get("name"),
                "project_id": network.get("project_id"),
                "before": network.get("mtu"),
                "after": item["mtu"],
                "action": "none" if network.get("mtu") == item["mtu"] else "update",
            }
        )
    return plan


def diff_text(plan: list) -> dict:
    """``{before, after}`` texts of the networks the plan changes (one line each), for --diff."""
    changing = [p for p in plan if p["action"] == "update"]
    before = "".join(f"network {label(p)}: mtu {p['before']}\n" for p in changing)
    after = "".join(f"network {label(p)}: mtu {p['after']}\n" for p in changing)
    return {"before": before, "after": after}


def instance_ports(ports) -> dict:
    """{network_id: [port]} of the ports instances own (``device_owner`` ``compute:*``)."""
    out: dict = {}
    for port in ports or []:
        if not isinstance(port, dict) or not str(port.get("device_owner") or "").startswith("compute:"):
            continue
        out.setdefault(port.get("network_id"), []).append(
            {"id": port.get("id"), "device_id": port.get("device_id"), "fixed_ips": [ip.get("ip_address") for ip in port.get("fixed_ips") or []]}
        )
    return out


def instance_actions(network: dict, new_mtu: int, ports: list, subnets: list, lease: int | None) -> dict:
    """What the instances on ``network`` need before they use ``new_mtu`` (the guests' MTU is theirs).

    DHCP-configured guests learn the MTU (DHCP option 26 / IPv6 RA) at their next renewal, at T1 =
    half of Neutron's ``dhcp_lease_duration``, or at a reboot; an infinite lease (-1) never renews.
    Networks without a DHCP-enabled subnet, and guests whose cloud-init network configuration sets
    a static MTU, do not follow: those need the MTU changed inside the guest.
    """
    lease = NEUTRON_DEFAULT_DHCP_LEASE if lease is None else int(lease)
    dhcp = [s for s in subnets or [] if s.get("enable_dhcp")]
    renewal = lease // 2 if dhcp and lease >= 0 else None
    if not ports:
        how = "no instance has a port on this network: nothing to do in guests"
    elif not dhcp:
        how = "no subnet of this network serves DHCP: set the MTU inside each guest (or in its cloud-init network config) and reboot"
    elif lease < 0:
        how = "dhcp_lease_duration is -1 (infinite leases never renew): reboot each instance, or renew its lease inside the guest"
    else:
        how = (
            f"guests configured by DHCP take MTU {new_mtu} at their next lease renewal (within {renewal} s, half of dhcp_lease_duration "
            f"{lease} s) or at a reboot; a static MTU from cloud-init (network config or config drive) does not follow: change it in the guest"
        )
    return {
        "network_id": network.get("id"),
        "name": network.get("name"),
        "mtu": new_mtu,
        "instance_ports": list(ports or []),
        "instances": sorted({p["device_id"] for p in ports or [] if p.get("device_id")}),
        "dhcp_subnets": [s.get("id") for s in dhcp],
        "dhcp_lease_duration": lease,
        "renewal_within": renewal,
        "action": how,
    }
