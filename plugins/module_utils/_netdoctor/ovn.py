# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""OVN chassis settings: the Open_vSwitch table's ``external_ids`` → ``ansible_facts.netdoctor.ovn``.

ovn-controller reads its chassis configuration from the local OVSDB (``ovs-vsctl set open .
external_ids:ovn-encap-ip=…``), the same on packaged, kolla and OpenStack-Ansible chassis, so
net_facts gets it from the one chained ``ovs-vsctl`` call it already makes (ovs.VSCTL_TABLES).
chassis_facts() is pure; controller_pid() reads a pidfile or /proc (one read per process, none per
interface) and is called only on a chassis.
"""

from __future__ import annotations

import ipaddress
import os

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import read_text

# ovn-controller picks the tunnel type to a peer chassis in this order of preference
# (ovn/controller/encaps.c, get_tunnel_type: GENEVE > STT > VXLAN).
ENCAP_PREFERENCE = ("geneve", "stt", "vxlan")

# external_ids keys that make a host an OVN chassis (any one of them present)
CHASSIS_KEYS = ("ovn-encap-ip", "ovn-encap-type", "ovn-remote", "ovn-bridge-mappings")

# Where ovn-controller writes its pid: packaged OVN >= 20.03 and kolla's ovn_controller container
# (/run/ovn), older packages and OpenStack-Ansible on OVS's run directory.
CONTROLLER_PIDFILES = (
    "/run/ovn/ovn-controller.pid",
    "/var/run/ovn/ovn-controller.pid",
    "/run/openvswitch/ovn-controller.pid",
    "/var/run/openvswitch/ovn-controller.pid",
)
CONTROLLER_COMM = "ovn-controller"


def split_list(value) -> list[str]:
    """A comma-separated external_ids value as a list: "geneve,vxlan" → ["geneve", "vxlan"]."""
    if value is None:
        return []
    return [item.strip() for item in str(value).split(",") if item.strip()]


def parse_bridge_mappings(value) -> dict[str, str]:
    """``ovn-bridge-mappings`` ("physnet1:br-ex,physnet2:br-vlan") as {physnet: bridge}; malformed items skipped."""
    mappings: dict[str, str] = {}
    for item in split_list(value):
        physnet, sep, bridge = item.partition(":")
        if sep and physnet.strip() and bridge.strip():
            mappings[physnet.strip()] = bridge.strip()
    return mappings


def preferred_encap(types: list[str]) -> str | None:
    """The encapsulation ovn-controller uses between chassis among ``types`` (geneve before stt before vxlan)."""
    lowered = [t.lower() for t in types]
    for kind in ENCAP_PREFERENCE:
        if kind in lowered:
            return kind
    return lowered[0] if lowered else None


def is_chassis(external_ids) -> bool:
    """Whether the Open_vSwitch row's external_ids carry OVN chassis settings."""
    return isinstance(external_ids, dict) and any(external_ids.get(key) not in (None, "") for key in CHASSIS_KEYS)


def _address_list(value) -> list[str]:
    return split_list(value)


def chassis_facts(external_ids) -> dict | None:
    """docs/facts.md ``ovn`` from the Open_vSwitch row's external_ids, or None when the host is no OVN chassis.

    ``encap_ip`` is ``ovn-encap-ip-default`` when set, else the first of ``ovn-encap-ip`` (OVN accepts a
    list); ``encap_type`` the type ovn-controller prefers among ``ovn-encap-type``.
    """
    if not is_chassis(external_ids):
        return None
    encap_ips = _address_list(external_ids.get("ovn-encap-ip"))
    default_ip = str(external_ids.get("ovn-encap-ip-default") or "").strip()
    encap_types = [t.lower() for t in split_list(external_ids.get("ovn-encap-type"))]
    return {
        "encap_ip": default_ip or (encap_ips[0] if encap_ips else None),
        "encap_ips": encap_ips,
        "encap_type": preferred_encap(encap_types),
        "encap_types": encap_types,
        "bridge_mappings": parse_bridge_mappings(external_ids.get("ovn-bridge-mappings")),
        "system_id": external_ids.get("system-id") or None,
        "hostname": external_ids.get("hostname") or None,
        "integration_bridge": external_ids.get("ovn-bridge") or "br-int",
        "cms_options": split_list(external_ids.get("ovn-cms-options")),
        "sb_remote": split_list(external_ids.get("ovn-remote")),
        "nb_remote": split_list(external_ids.get("ovn-nb")),
    }


def encap_interface(interfaces: dict, address) -> tuple[str | None, int | None]:
    """(name, mtu) of the interface holding ``address`` in net_facts link entries, else of the one whose
    subnet holds it (longest prefix); (None, None) when none does or ``address`` is not an IP address."""
    try:
        wanted = ipaddress.ip_address(str(address or "").split("/", maxsplit=1)[0])
    except ValueError:
        return None, None
    best = None
    for name in sorted(interfaces):
        for entry in interfaces[name].get("addresses") or []:
            try:
                net = ipaddress.ip_interface(f"{entry.get('address')}/{entry.get('prefixlen')}").network
                ip = ipaddress.ip_address(str(entry.get("address")))
            except ValueError:
                continue
            if ip.version != wanted.version:
                continue
            if ip == wanted:
                return name, interfaces[name].get("mtu")
            if wanted in net and (best is None or net.prefixlen > best[0]):
                best = (net.prefixlen, name)
    return (best[1], interfaces[best[1]].get("mtu")) if best else (None, None)


def controller_pid(proc_root: str = "/proc", pidfiles=CONTROLLER_PIDFILES) -> int | None:
    """The pid of a running ovn-controller: a pidfile whose process is ovn-controller, else a scan of
    /proc/PID/comm (finds it in containers too: kolla's ovn_controller runs in the host's pid namespace
    view); None when none runs."""
    for pidfile in pidfiles:
        text = (read_text(pidfile, errors="replace") or "").strip()
        if text.isdigit() and (read_text(os.path.join(proc_root, text, "comm"), errors="replace") or "").strip() == CONTROLLER_COMM:
            return int(text)
    try:
        entries = os.listdir(proc_root)
    except OSError:
        return None
    for entry in sorted((e for e in entries if e.isdigit()), key=int):
        if (read_text(os.path.join(proc_root, entry, "comm"), errors="replace") or "").strip() == CONTROLLER_COMM:
            return int(entry)
    return None
