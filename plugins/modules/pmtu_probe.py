#!/usr/bin/python
# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: pmtu_probe
short_description: Measure the path MTU to targets with don't-fragment probes, exactly and fast
version_added: 0.1.0
description:
  - Measures, byte-exact, the largest IP packet that reaches each target and comes back,
    with ICMP (IPv4) or ICMPv6 echo requests that must not be fragmented.
  - Tells a clean limit (a router answers oversized probes with ICMP frag-needed or
    packet-too-big and names its MTU, returned as RV(results[].icmp_mtu)) from a black hole
    (oversized probes vanish without any ICMP, RV(results[].blackhole)), the fault that
    makes large packets disappear between hosts whose interfaces both say 1500.
  - Probes of several sizes are in flight at once and the answer is bisected from their
    replies, so a measurement costs about one round trip per round (three to four rounds),
    at most O(timeout) for the first round plus a few measured round trips for each later
    one, not one timeout per bisection step. The answer N is only given once N was
    answered and N+1 was refused or vanished twice.
  - Uses raw ICMP sockets from Python's standard library with path-MTU probing set on the
    socket (C(IP_PMTUDISC_PROBE) / C(IPV6_PMTUDISC_PROBE)), so the don't-fragment bit is set
    and a path MTU the kernel has cached does not cut the probes short; C(IP_RECVERR)
    delivers ICMP errors with the MTU they name. Without the privilege to open raw sockets
    (C(CAP_NET_RAW)) it falls back to running C(ping -M do), one process per probe.
  - Only measures, it changes nothing on the host (beyond the path-MTU cache the kernel
    keeps for every ICMP frag-needed it receives, as for any ping), so it runs in check mode too.
author:
  - netdoctor maintainers (@netdoctor)
options:
  targets:
    description:
      - Host names or IP addresses to measure the path to.
      - A name is resolved on the managed host; with O(family=auto) the first address
        the resolver returns is used.
    type: list
    elements: str
    required: true
  family:
    description:
      - IP version to probe with. V(auto) takes the version of the target's address.
      - A literal address of the other version is an error.
    type: str
    choices: [auto, '4', '6']
    default: auto
  source:
    description:
      - Send the probes from this local address, or out of this interface (by name).
      - An address the host does not have, or an interface that does not exist, is an error.
    type: str
  expected_mtu:
    description:
      - The MTU the path should carry, for RV(results[].deficit).
      - Defaults to the MTU of the interface the route to the target leaves by.
    type: int
  timeout:
    description:
      - Seconds the first round of probes waits for the target to answer at all.
      - Later rounds wait a few of the round trips measured in the first one (at least
        50 ms, at most O(timeout)).
    type: float
    default: 2.0
  method:
    description:
      - How to send the probes. V(auto) uses raw sockets and falls back to V(ping) when
        the module may not open them.
    type: str
    choices: [auto, socket, ping]
    default: auto
  wait_for_job:
    description:
      - The results file of an Ansible async job (the C(results_file) a task run with C(async) and
        C(poll=0) registers). The module waits until that job has finished before probing, and returns its result as RV(job).
      - The probe then needs no separate M(ansible.builtin.async_status) round trip per poll. A job that failed fails
        this module with its message, before any probe is sent.
    type: path
  wait_for_job_timeout:
    description: Seconds to wait for the O(wait_for_job) job to finish; a job still running after them is an error.
    type: float
    default: 60.0
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: It only measures; results in check mode are real measurements.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  idempotent:
    description: When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
    support: full
requirements:
  - iproute2 (C(ip)) on the managed host, to find the interface each target is reached by.
  - C(CAP_NET_RAW) (root) for raw sockets; otherwise iputils C(ping) for the slower fallback.
notes:
  - Sizes are whole IP packets, header included, the number an interface MTU is compared with
    (C(ping -s) takes the payload, 28 bytes less for IPv4, 48 for IPv6).
  - The smallest size probed is 68 bytes for IPv4 and 1280 for IPv6, the minimum every link must carry;
    the largest is the MTU of the outgoing interface.
seealso:
  - name: RFC 8899, Packetization Layer Path MTU Discovery
    description: Probing with don't-fragment packets instead of trusting ICMP alone.
    link: https://www.rfc-editor.org/rfc/rfc8899
"""

EXAMPLES = r"""
- name: Measure the path MTU to two compute nodes over the tunnel network
  netdoctor.openstack.pmtu_probe:
    targets:
      - 10.0.1.12
      - 10.0.1.13
    source: 10.0.1.11
    expected_mtu: 1500
  register: pmtu

- name: Fail when a path carries less than both ends say
  ansible.builtin.assert:
    that: pmtu.results | selectattr('deficit', 'gt', 0) | list | length == 0

- name: IPv6, out of a given interface, with a shorter first-round timeout
  netdoctor.openstack.pmtu_probe:
    targets: [compute2.example.org]
    family: "6"
    source: br-ex
    timeout: 1
"""

RETURN = r"""
results:
  description: One entry per target, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    target:
      description: The target as given.
      type: str
      sample: compute2
    address:
      description: The address probed.
      type: str
      sample: 10.0.1.12
    family:
      description: IP version of the probes.
      type: int
      sample: 4
    source:
      description: Source address of the probes (the route's preferred source when not given).
      type: str
      sample: 10.0.1.11
    interface:
      description: Interface the route to the target leaves by.
      type: str
      sample: eth1
    interface_mtu:
      description: Its MTU, the largest size probed.
      type: int
      sample: 1500
    path_mtu:
      description:
        - Largest IP packet, in bytes, that reached the target and came back; the byte above it was
          refused or vanished. null when the target did not answer at all.
      type: int
      sample: 1498
    expected_mtu:
      description: O(expected_mtu), or the interface MTU when not given.
      type: int
      sample: 1500
    deficit:
      description: RV(results[].expected_mtu) minus RV(results[].path_mtu) (0 when the path carries it; null without an answer).
      type: int
      sample: 2
    blackhole:
      description: The byte above RV(results[].path_mtu) vanished without any ICMP frag-needed or packet-too-big.
      type: bool
      sample: true
    icmp_mtu:
      description:
        - The smallest MTU named by an ICMP frag-needed (IPv4) or packet-too-big (IPv6) during the measurement
          (or by a path MTU the kernel had cached from one), null when no ICMP named one.
      type: int
      sample: 1450
    icmp_from:
      description: Addresses of the routers that sent those ICMP messages.
      type: list
      elements: str
      sample: [10.0.1.254]
    reachable:
      description: The target answered at least one probe.
      type: bool
      sample: true
    exact:
      description: RV(results[].path_mtu) is confirmed to the byte.
      type: bool
      sample: true
    largest_answered:
      description: Largest size answered (equals RV(results[].path_mtu) when exact).
      type: int
      sample: 1498
    smallest_refused:
      description: Smallest size above it that was refused or vanished.
      type: int
      sample: 1499
    probes:
      description: Number of probes sent.
      type: int
      sample: 23
    rounds:
      description: Number of batches of probes.
      type: int
      sample: 4
    elapsed:
      description: Seconds the measurement took.
      type: float
      sample: 0.213
    method:
      description: V(socket) (raw ICMP sockets) or V(ping) (the fallback).
      type: str
      sample: socket
    msg:
      description: Why there is no answer, when there is none.
      type: str
      sample: no reply within 2.0 s
job:
  description: With O(wait_for_job), the finished job's result, as M(ansible.builtin.async_status) returns it.
  returned: with O(wait_for_job)
  type: dict
  sample: {changed: true, devices: [{name: eth0, before: 1500, after: 9000}]}
"""

import ipaddress
import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import async_job, pmtu
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.common import COMMAND_ENVIRON, InvalidName, read_text, validate_ifname
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.mtu import MTUError, validate_mtu
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.pmtu_probers import PingProber, SocketProber, measure


def _resolve(target: str, family: str) -> tuple[int, str]:
    """(family, address) of ``target``; raises ValueError with a message for the user."""
    try:
        literal = ipaddress.ip_address(target.split("%", 1)[0])
    except ValueError:
        literal = None
    if literal is not None:
        if family != "auto" and int(family) != literal.version:
            raise ValueError(f"target {target!r} is an IPv{literal.version} address but family is {family}")
        return literal.version, target
    wanted = {"auto": socket.AF_UNSPEC, "4": socket.AF_INET, "6": socket.AF_INET6}[family]
    try:
        infos = socket.getaddrinfo(target, None, wanted, socket.SOCK_DGRAM)
    except (socket.gaierror, UnicodeError) as exc:
        suffix = "" if family == "auto" else f" as IPv{family}"
        raise ValueError(f"cannot resolve target {target!r}{suffix}: {exc}") from None
    for af, _type, _proto, _canon, sockaddr in infos:
        if af in (socket.AF_INET, socket.AF_INET6):
            return (4 if af == socket.AF_INET else 6), sockaddr[0]
    raise ValueError(f"cannot resolve target {target!r}: no IPv4 or IPv6 address")


def _check_source_address(address: str, family: int) -> None:
    """Raise ValueError unless this host has ``address`` (binding to it is the kernel's own test)."""
    af = socket.AF_INET if family == 4 else socket.AF_INET6
    with socket.socket(af, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind((address, 0))
        except OSError as exc:
            raise ValueError(f"source address {address} is not an address of this host ({exc.strerror})") from None


class Runner:
    """Measures one target at a time; the module's only I/O outside the probers."""

    def __init__(self, module: AnsibleModule) -> None:
        self.module = module
        self.ip = module.get_bin_path("ip", required=True)
        self.ping = None
        self.params = module.params

    def _run_command(self, argv: list[str]) -> tuple[int, str, str]:
        return self.module.run_command(argv, check_rc=False)

    def route(self, family: int, address: str, source_address: str | None, device: str | None) -> dict:
        argv = [self.ip, "-j", f"-{family}", "route", "get", address]
        if source_address:
            argv += ["from", source_address]
        if device:
            argv += ["oif", device]
        rc, out, err = self._run_command(argv)
        if rc != 0:
            raise ValueError(f"no route to {address}: {err.strip() or out.strip()}")
        return pmtu.parse_route_get(out)

    def interface_mtu(self, device: str) -> int:
        validate_ifname(device)
        with open(f"/sys/class/net/{device}/mtu", encoding="ascii") as handle:
            return int(handle.read().strip())

    def prober(self, family: int, address: str, source_address: str | None, device: str | None):
        method = self.params["method"]
        if method in ("auto", "socket"):
            try:
                return SocketProber(family, address, source_address, device)
            except PermissionError:
                if method == "socket":
                    raise ValueError("raw ICMP sockets are not permitted (CAP_NET_RAW is needed); use method=ping or become root") from None
        if self.ping is None:
            self.ping = self.module.get_bin_path("ping", required=False)
            if self.ping is None:
                raise ValueError("raw ICMP sockets are not permitted and ping (iputils) is not installed")
        return PingProber(self._run_command, self.ping, family, address, source_address or device)

    def probe(self, target: str, family: int, address: str) -> dict:
        started = time.monotonic()
        source = self.params["source"]
        source_address = device = None
        result = {"target": target, "address": address, "family": family}
        if source:
            try:
                literal = ipaddress.ip_address(source)
            except ValueError:
                literal = None
            if literal is not None:
                if literal.version != family:
                    raise ValueError(f"source {source} is an IPv{literal.version} address but target {target} is probed over IPv{family}")
                _check_source_address(source, family)
                source_address = source
            else:
                try:
                    device = validate_ifname(source)
                except InvalidName as exc:
                    raise ValueError(f"source {source!r} is neither an IP address nor a valid interface name: {exc}") from None
                if not os.path.isdir(f"/sys/class/net/{device}"):
                    raise ValueError(f"source interface {device} does not exist on this host")
        route = self.route(family, address, source_address, device)
        interface = route["dev"] or device
        ceiling = min(self.interface_mtu(interface), pmtu.MAX_PACKET)
        expected = self.params["expected_mtu"] if self.params["expected_mtu"] is not None else ceiling
        result.update(
            {
                "source": source_address or route["prefsrc"],
                "interface": interface,
                "interface_mtu": ceiling,
            }
        )
        search = pmtu.PmtuSearch(pmtu.MIN_PATH_MTU[family], ceiling)
        prober = self.prober(family, address, source_address, device)
        try:
            measure(prober, search, float(self.params["timeout"]))
        finally:
            prober.close()
        result.update(search.verdict(expected))
        result["method"] = prober.method
        result["elapsed"] = round(time.monotonic() - started, 3)
        if result["path_mtu"] is None:
            if search.unreachable:
                result["msg"] = f"target unreachable (ICMP from {', '.join(sorted(set(search.unreachable)))})"
            elif search.lo is None:
                result["msg"] = f"no reply within {self.params['timeout']} s"
            else:
                result["msg"] = "the answers did not converge (the path changed during the measurement?)"
        return result


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "targets": {"type": "list", "elements": "str", "required": True},
            "family": {"type": "str", "choices": ["auto", "4", "6"], "default": "auto"},
            "source": {"type": "str"},
            "expected_mtu": {"type": "int"},
            "timeout": {"type": "float", "default": 2.0},
            "method": {"type": "str", "choices": ["auto", "socket", "ping"], "default": "auto"},
            "wait_for_job": {"type": "path"},
            "wait_for_job_timeout": {"type": "float", "default": 60.0},
        },
        supports_check_mode=True,
    )
    module.run_command_environ_update = COMMAND_ENVIRON
    params = module.params
    if not params["targets"]:
        module.fail_json(msg="targets must name at least one host")
    if not 0 < params["timeout"] <= 60:
        module.fail_json(msg=f"timeout must be above 0 and at most 60 seconds, got {params['timeout']}")
    if params["expected_mtu"] is not None:
        try:
            validate_mtu(params["expected_mtu"], pmtu.MIN_PATH_MTU[4], pmtu.MAX_PACKET, name="expected_mtu")
        except MTUError as exc:
            module.fail_json(msg=str(exc))

    if not 0 < params["wait_for_job_timeout"] <= 3600:
        module.fail_json(msg=f"wait_for_job_timeout must be above 0 and at most 3600 seconds, got {params['wait_for_job_timeout']}")
    job = {}
    if params["wait_for_job"]:
        try:
            job = {"job": async_job.wait_for_job(params["wait_for_job"], params["wait_for_job_timeout"], read_text)}
        except async_job.JobError as exc:
            module.fail_json(msg=f"{exc}; nothing was probed")
        if job["job"].get("failed"):
            module.fail_json(msg=f"the async job failed: {job['job'].get('msg', 'no message')}; nothing was probed", **job)

    resolved = []
    for target in params["targets"]:
        try:
            resolved.append((target, *_resolve(target, params["family"])))
        except ValueError as exc:
            module.fail_json(msg=str(exc), **job)

    runner = Runner(module)
    with ThreadPoolExecutor(max_workers=min(8, len(resolved))) as pool:
        futures = [pool.submit(runner.probe, target, family, address) for target, family, address in resolved]
        results = []
        for future in futures:
            try:
                results.append(future.result())
            except (ValueError, pmtu.PmtuError, OSError) as exc:
                module.fail_json(msg=str(exc), **job)
    module.exit_json(changed=False, results=results, **job)


if __name__ == "__main__":
    main()
