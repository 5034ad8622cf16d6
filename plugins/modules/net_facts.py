#!/usr/bin/python
# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: net_facts
short_description: Gather what a network audit needs to know about a host, in one round trip
version_added: 0.1.0
description:
  - Returns C(ansible_facts.netdoctor) with every interface with its MTU, min/max MTU, kind, master, lower device,
    VLAN id, addresses, Linux bridge and OVS membership and, on tunnel devices, the underlay that carries them,
    the underlay MTU they need and the headroom left.
  - Optional subsets add parsed ethtool features (O(gather_subset=offloads)), driver, firmware, bus and
    known-issue matches (V(drivers)), hardware VLAN stripping and whether VLAN-0 (802.1p) tags are stripped
    by an OVS flow, a tc filter or a VLAN-0 device (V(vlan)), over-MTU drops in the kernel log, UDP checksum
    errors and per-interface drop counters (V(counters)), and the parsed Neutron configuration with the MTU
    Neutron gives each network type (V(neutron)).
  - Fast on hosts with thousands of ports; one C(ip -j -d -s link show), one C(ip -j addr show), one route
    dump per address family, sysfs reads, ethtool data through the SIOCETHTOOL ioctl, one C(ovs-vsctl) call,
    one C(ovs-ofctl dump-flows) per OVS bridge and one C(tc -batch) for all devices with an ingress qdisc.
    No process is started per interface.
  - On an OVN chassis, C(ansible_facts.netdoctor.ovn) holds the chassis settings ovn-controller reads from the
    Open_vSwitch table (C(ovn-encap-ip), C(ovn-encap-type), C(ovn-bridge-mappings), C(system-id), C(ovn-cms-options),
    C(ovn-remote)), taken from the same C(ovs-vsctl) call; packaged, kolla and OpenStack-Ansible chassis alike.
  - Never changes anything.
  - The full schema of the facts is in C(docs/facts.md) of the collection.
author:
  - netdoctor maintainers (@netdoctor)
requirements:
  - iproute2 with JSON output (C(ip -j), C(tc -j)) on the managed host.
  - C(ovs-vsctl) and C(ovs-ofctl) for OVS facts (optional).
attributes:
  check_mode:
    support: full
    description: The module only reads; it runs the same way in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is no diff.
  idempotent:
    support: full
    description: Gathering facts changes nothing.
  facts:
    support: full
    description: Returns C(ansible_facts.netdoctor).
options:
  gather_subset:
    description:
      - Which subsets to gather, as with M(ansible.builtin.setup).
      - V(all) gathers every subset; V(!all) only V(links); V(!name) excludes one subset; a list of only
        exclusions starts from V(all).
      - V(links) is always gathered; every other subset hangs off it.
    type: list
    elements: str
    default: [all]
  interfaces:
    description:
      - Report only interfaces whose name matches one of these shell-style glob patterns (C(fnmatch), case-sensitive).
      - Tunnel underlays are still resolved against every interface.
      - A pattern holding a character no interface name can contain, or a pattern without wildcards longer than
        15 bytes, is an error.
    type: list
    elements: str
  neutron_config_dirs:
    description:
      - Directories to read Neutron configuration from (V(neutron) subset).
      - When unset, the packaged C(/etc/neutron), kolla C(/etc/kolla/<service>) and OpenStack-Ansible layouts are searched.
      - A directory given here that exists but cannot be read is an error.
    type: list
    elements: path
  offload_features:
    description:
      - The ethtool features (as C(ethtool -k) names them) the V(offloads) subset reports per interface.
      - The default is the set the audit judges and operators tune; V(all) reports every feature the kernel knows,
        about 60 an interface, which makes the facts of a node with many ports large and slow to process.
    type: list
    elements: str
    default: [rx-checksumming, tx-checksumming, scatter-gather, tcp-segmentation-offload, generic-segmentation-offload,
              generic-receive-offload, large-receive-offload, rx-vlan-offload, tx-vlan-offload, rx-vlan-filter,
              tx-udp_tnl-segmentation, tx-gre-segmentation]
  root:
    description:
      - Gather from a sosreport instead of the live host, an unpacked sosreport directory (or its parent holding
        exactly one C(sosreport-*) directory), or a directory of captured command output in sos's layout
        (C(sos_commands/networking/ip_-s_-d_link), C(sos_commands/openvswitch/ovs-vsctl_-t_5_list_interface), ...).
      - The same parsers read the report's files and the facts have the same schema, plus
        C(source) (V(kind=sosreport), C(path), C(hostname), C(date)). Files the report lacks shrink the facts and are
        listed in C(errors); a partial report never fails the module.
      - O(neutron_config_dirs) are then taken relative to this root.
      - Runs no command; use it on the controller (with C(delegate_to) V(localhost)) or wherever the report is.
    type: path
  kernel_log_window:
    description:
      - With O(root), kernel-log evidence (over-MTU drops, USB NIC errors) counts only lines from this many hours
        before the report's own date (C(sos_commands/date/date)), not the controller's clock. Lines that carry no
        time that can be read count too.
    type: int
    default: 168
notes:
  - Run as root for complete data (kernel log, network namespaces, iptables rules of qdhcp namespaces).
  - Tunnel C(headroom) is the underlay MTU minus the MTU the tunnel needs; a negative value is the fault
    C(MTU_TUNNEL_UNDERLAY) of the audit role.
seealso:
  - module: ansible.builtin.setup
"""

EXAMPLES = r"""
- name: Gather from an unpacked sosreport on the controller
  netdoctor.openstack.net_facts:
    root: /srv/cases/12345/sosreport-compute4-2022-02-10-abcdef
  delegate_to: localhost

- name: Gather every netdoctor fact
  netdoctor.openstack.net_facts:

- name: Only links and VLAN facts of the tap and qvo ports
  netdoctor.openstack.net_facts:
    gather_subset: [vlan]
    interfaces: ["tap*", "qvo*"]

- name: Everything but Neutron, with Neutron read from a custom path elsewhere
  netdoctor.openstack.net_facts:
    gather_subset: ["!neutron"]

- name: Neutron facts from a kolla host
  netdoctor.openstack.net_facts:
    gather_subset: [neutron]
    neutron_config_dirs: [/etc/kolla/neutron-server, /etc/kolla/neutron-openvswitch-agent]

- name: Show tunnels whose underlay is too small
  ansible.builtin.debug:
    msg: "{{ item.key }} needs {{ item.value.tunnel.required_underlay_mtu }} on {{ item.value.tunnel.underlay }}"
  loop: "{{ ansible_facts.netdoctor.interfaces | dict2items | selectattr('value.tunnel') | list }}"
  when: item.value.tunnel.headroom is not none and item.value.tunnel.headroom < 0
"""

RETURN = r"""
ansible_facts:
  description: Facts to add to C(ansible_facts).
  returned: always
  type: complex
  contains:
    netdoctor:
      description: Network facts; the complete schema is C(docs/facts.md) in the collection.
      returned: always
      type: complex
      contains:
        schema:
          description: Version of the facts' schema.
          type: int
          returned: always
          sample: 1
        gather_subset:
          description: The subsets gathered.
          type: list
          elements: str
          returned: always
          sample: [links, offloads, drivers, vlan, counters, neutron]
        hostname:
          description: The host's name.
          type: str
          returned: always
          sample: compute1
        kernel:
          description: The running kernel's release.
          type: str
          returned: always
          sample: 6.1.0-26-amd64
        errors:
          description: Non-fatal problems, each C({subset, message}).
          type: list
          elements: dict
          returned: always
          sample: []
        interfaces:
          description:
            - Per interface (selected by O(interfaces)); always C(name), C(ifindex), C(kind), C(mtu), C(min_mtu), C(max_mtu),
              C(operstate), C(admin_up).
            - Where they apply (absent otherwise, so a node with 1,000 ports returns small facts) C(mac), C(master),
              C(master_kind), C(lower), C(vlan), C(addresses), C(bridge_ports), C(bond_members), C(ovs), C(tunnel).
            - With subset V(offloads), C(offloads) (each feature name mapped to its enabled state), C(offloads_fixed) (the features ethtool shows
              C([fixed])) and C(offloads_requested) (only where the wanted state differs from the active one).
            - C(driver) with V(drivers); with V(vlan), the VLAN features in C(offloads) and C(vlan0_strip) (the ways
              VLAN-0 frames are stripped, where any); C(counters) with V(counters).
            - The whole schema is in docs/facts.md of the collection.
          type: dict
          returned: always
          sample:
            uplink:
              name: uplink
              ifindex: 4
              kind: veth
              mtu: 1500
              min_mtu: 68
              max_mtu: 65535
              operstate: UP
              admin_up: true
              offloads: {tx-checksumming: true, large-receive-offload: false}
              offloads_fixed: [large-receive-offload]
        ovs:
          description: Open vSwitch bridges and interfaces when C(ovs-vsctl) answers (C(running)).
          type: dict
          returned: always
          sample: {running: true, version: 3.1.0, bridges: {br-int: {datapath_type: system, ports: [br-int], mtu_request: null, flows_checked: true}}}
        ovn:
          description:
            - OVN chassis settings from the Open_vSwitch table's C(external_ids) (read by the same C(ovs-vsctl) call),
              the interface holding C(ovn-encap-ip) and whether C(ovn-controller) runs.
            - Absent when the host is not an OVN chassis (none of C(ovn-encap-ip), C(ovn-encap-type), C(ovn-remote),
              C(ovn-bridge-mappings) is set).
          type: dict
          returned: on an OVN chassis
          sample:
            encap_ip: 172.29.240.100
            encap_ips: [172.29.240.100]
            encap_type: geneve
            encap_types: [geneve, vxlan]
            bridge_mappings: {vlan: br-provider}
            system_id: 11af26c6-9ec1-4cf7-bf41-2af45bd59b03
            hostname: aio1
            integration_bridge: br-int
            cms_options: []
            sb_remote: ["tcp:172.29.236.100:6642"]
            nb_remote: []
            encap_interface: br-mgmt
            encap_interface_mtu: 1500
            controller_running: true
            controller_pid: 1234
        linux_bridges:
          description: Every Linux bridge and its ports.
          type: dict
          returned: always
          sample: {br0: [tap0, v1]}
        counters:
          description: Host-wide counters (C(snmp), C(kernel_log)).
          type: dict
          returned: when subset counters is gathered
        neutron:
          description: Parsed Neutron configuration, computed network MTUs and qdhcp/qrouter namespaces.
          type: dict
          returned: when subset neutron is gathered
        source:
          description: Where the facts come from, with O(root) only.
          type: dict
          returned: when O(root) is given
          sample: {kind: sosreport, path: /srv/sosreport-compute4, hostname: compute4, date: "2022-02-10 16:19:17"}
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import netfacts
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import COMMAND_ENVIRON, ParseError


def _runner(module):
    """``run(argv, data=None) -> (rc, stdout, stderr)`` through module.run_command, LANG=C, never a shell."""
    paths = {}

    def run(argv, data=None):
        name = argv[0]
        if name not in paths:
            paths[name] = module.get_bin_path(name, required=False, opt_dirs=["/usr/sbin", "/sbin", "/usr/bin"])
        if paths[name] is None:
            return 127, "", f"{name}: command not found"
        return module.run_command([paths[name]] + list(argv[1:]), data=data, binary_data=data is not None, check_rc=False)

    return run


def main():
    module = AnsibleModule(
        argument_spec=dict(
            gather_subset=dict(type="list", elements="str", default=["all"]),
            interfaces=dict(type="list", elements="str"),
            neutron_config_dirs=dict(type="list", elements="path"),
            offload_features=dict(type="list", elements="str", default=list(netfacts.DEFAULT_OFFLOAD_FEATURES)),
            root=dict(type="path"),
            kernel_log_window=dict(type="int", default=168),
        ),
        supports_check_mode=True,
    )
    module.run_command_environ_update = COMMAND_ENVIRON
    try:
        subsets = netfacts.resolve_subsets(module.params["gather_subset"])
        patterns = netfacts.validate_patterns(module.params["interfaces"])
        config_dirs = netfacts.validate_config_dirs(module.params["neutron_config_dirs"])
        offload_features = netfacts.resolve_offload_features(module.params["offload_features"])
    except netfacts.OptionError as exc:
        module.fail_json(msg=str(exc))
    root = module.params["root"]
    if root is not None:
        if not os.path.isdir(root):
            module.fail_json(msg=f"root: {root} is not a directory (unpack a sosreport archive first)")
        if module.params["kernel_log_window"] <= 0:
            module.fail_json(msg=f"kernel_log_window: {module.params['kernel_log_window']} is not a positive number of hours")
        # imported here: a live run (the common case, timed at 1,000 ports) never loads the sosreport reader
        from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import sosreport  # noqa: PLC0415  # pylint: disable=import-outside-toplevel

        source = sosreport.SosReport(sosreport.find_root(root), module.params["kernel_log_window"])
        facts = netfacts.gather(
            source.run, subsets, patterns=patterns, neutron_config_dirs=module.params["neutron_config_dirs"], offload_features=offload_features, source=source
        )
        module.exit_json(changed=False, ansible_facts={"netdoctor": facts})
    # links is always gathered and every other subset hangs off it: without iproute2 there is nothing to report
    module.get_bin_path("ip", required=True, opt_dirs=["/usr/sbin", "/sbin"])
    try:
        facts = netfacts.gather(_runner(module), subsets, patterns=patterns, neutron_config_dirs=config_dirs, offload_features=offload_features)
    except ParseError as exc:
        module.fail_json(msg=f"cannot read the host's network state: {exc}")
    module.exit_json(changed=False, ansible_facts={"netdoctor": facts})


if __name__ == "__main__":
    main()
