# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""Offload feature names across the layers, and the persistence files of the nic_offloads role.

One table maps a feature between the names each layer uses: the long name ``ethtool -k`` prints
(ethtool's ``off_flag_def``, kept in :data:`ethtool.OFF_FLAG_DEF`; features outside it are shown
under the kernel's own name), the short alias ``ethtool -K`` also takes, NetworkManager's
``ethtool.feature-*`` property (NM names the legacy flags by their short alias and the rest by the
kernel name: libnm's ``NM_ETHTOOL_OPTNAME_FEATURE_*``) and the systemd ``.link`` key that udev
applies (``Link.*`` keys of systemd 252's link_config parser).
"""

from __future__ import annotations

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor.ethtool import OFF_FLAG_DEF

# ethtool -k name -> (ethtool -K short alias, NetworkManager property, systemd .link key)
LEGACY_FLAGS = {
    "rx-checksumming": ("rx", "ethtool.feature-rx", "ReceiveChecksumOffload"),
    "tx-checksumming": ("tx", "ethtool.feature-tx", "TransmitChecksumOffload"),
    "scatter-gather": ("sg", "ethtool.feature-sg", None),
    "tcp-segmentation-offload": ("tso", "ethtool.feature-tso", "TCPSegmentationOffload"),
    "udp-fragmentation-offload": ("ufo", None, None),
    "generic-segmentation-offload": ("gso", "ethtool.feature-gso", "GenericSegmentationOffload"),
    "generic-receive-offload": ("gro", "ethtool.feature-gro", "GenericReceiveOffload"),
    "large-receive-offload": ("lro", "ethtool.feature-lro", "LargeReceiveOffload"),
    "rx-vlan-offload": ("rxvlan", "ethtool.feature-rxvlan", "ReceiveVLANCTAGHardwareAcceleration"),
    "tx-vlan-offload": ("txvlan", "ethtool.feature-txvlan", "TransmitVLANCTAGHardwareAcceleration"),
    "ntuple-filters": ("ntuple", "ethtool.feature-ntuple", "NTupleFilter"),
    "receive-hashing": ("rxhash", "ethtool.feature-rxhash", None),
}
# kernel feature names (shown as-is by ethtool -k) that a .link key covers
LINK_KEYS_BY_KERNEL_NAME = {
    "rx-gro-hw": "GenericReceiveOffloadHardware",
    "rx-vlan-filter": "ReceiveVLANCTAGFilter",
    "tx-vlan-stag-hw-insert": "TransmitVLANSTAGHardwareAcceleration",
    "tx-tcp6-segmentation": "TCP6SegmentationOffload",
    "tx-udp-segmentation": "UDPSegmentationOffload",
}
# NetworkManager's feature properties named after the kernel feature (libnm nm-setting-ethtool.h)
NM_KERNEL_FEATURES = frozenset(
    [
        "esp-hw-offload",
        "esp-tx-csum-hw-offload",
        "fcoe-mtu",
        "highdma",
        "hw-tc-offload",
        "l2-fwd-offload",
        "loopback",
        "rx-all",
        "rx-fcs",
        "rx-gro-hw",
        "rx-udp_tunnel-port-offload",
        "rx-vlan-filter",
        "rx-vlan-stag-filter",
        "rx-vlan-stag-hw-parse",
        "tls-hw-record",
        "tls-hw-tx-offload",
        "tx-checksum-fcoe-crc",
        "tx-checksum-ipv4",
        "tx-checksum-ipv6",
        "tx-checksum-ip-generic",
        "tx-checksum-sctp",
        "tx-esp-segmentation",
        "tx-fcoe-segmentation",
        "tx-gre-csum-segmentation",
        "tx-gre-segmentation",
        "tx-gso-partial",
        "tx-gso-robust",
        "tx-ipxip4-segmentation",
        "tx-ipxip6-segmentation",
        "tx-nocache-copy",
        "tx-scatter-gather",
        "tx-scatter-gather-fraglist",
        "tx-sctp-segmentation",
        "tx-tcp6-segmentation",
        "tx-tcp-ecn-segmentation",
        "tx-tcp-mangleid-segmentation",
        "tx-tcp-segmentation",
        "tx-tunnel-remcsum-segmentation",
        "tx-udp-segmentation",
        "tx-udp_tnl-csum-segmentation",
        "tx-udp_tnl-segmentation",
        "tx-vlan-stag-hw-insert",
    ]
)

_ALIAS_TO_LONG = {alias: long for long, (alias, _nm, _link) in LEGACY_FLAGS.items()}
_NM_PREFIX = "ethtool.feature-"


class FeatureError(ValueError):
    """A feature name or value the device cannot take."""


def canonical(name: str, available) -> str:
    """The ``ethtool -k`` name of feature ``name`` (long name, short alias, kernel name or NM property).

    ``available`` holds the names ``ethtool -k`` printed for the device; a name that maps to none
    of them raises FeatureError naming what the device offers.
    """
    available = set(available)
    candidate = name[len(_NM_PREFIX) :] if name.startswith(_NM_PREFIX) else name
    candidate = _ALIAS_TO_LONG.get(candidate, candidate)
    if candidate in available:
        return candidate
    raise FeatureError(f"unknown offload feature {name!r}: the device offers {', '.join(sorted(available)) or 'none'}")


def nm_property(name: str):
    """NetworkManager's ``ethtool.feature-*`` property for an ``ethtool -k`` name, None when NM has none."""
    if name in LEGACY_FLAGS:
        return LEGACY_FLAGS[name][1]
    return _NM_PREFIX + name if name in NM_KERNEL_FEATURES else None


def link_key(name: str):
    """The systemd ``.link`` ``[Link]`` key for an ``ethtool -k`` name, None when udev has none."""
    if name in LEGACY_FLAGS:
        return LEGACY_FLAGS[name][2]
    return LINK_KEYS_BY_KERNEL_NAME.get(name)


def plan(features: dict, current: dict) -> dict:
    """What ``ethtool -K`` must change for ``features`` ({name: bool}) given ``current`` (``parse_ethtool_k`` output).

    Returns ``{"wanted": {canonical: bool}, "change": {canonical: bool}}``. Raises FeatureError for
    an unknown name, a value that is not a boolean, or a ``[fixed]`` feature asked to change.
    """
    wanted: dict = {}
    for name, value in features.items():
        if not isinstance(value, bool):
            raise FeatureError(f"offload feature {name!r} must be true or false, got {value!r}")
        wanted[canonical(name, current)] = value
    change = {name: value for name, value in wanted.items() if current[name]["enabled"] != value}
    fixed = sorted(name for name in change if current[name]["fixed"])
    if fixed:
        shown = ", ".join(f"{name} (shown '{'on' if current[name]['enabled'] else 'off'} [fixed]')" for name in fixed)
        raise FeatureError(f"cannot change {shown}: the device does not allow it")
    return {"wanted": wanted, "change": change}


def ethtool_args(change: dict) -> list:
    """``NAME on|off ...`` for ``ethtool -K DEV``, in a stable order."""
    args: list = []
    for name in sorted(change):
        args += [name, "on" if change[name] else "off"]
    return args


def nmcli_args(connection: str, wanted: dict) -> list:
    """``nmcli connection modify CONN prop on|off ...`` for ``wanted``; FeatureError for a feature NM cannot persist."""
    args = ["connection", "modify", connection]
    for name in sorted(wanted):
        prop = nm_property(name)
        if prop is None:
            raise FeatureError(f"NetworkManager has no ethtool property for {name}")
        args += [prop, "on" if wanted[name] else "off"]
    return args


def _ini_sections(text: str) -> list:
    """``[(section, [lines])]`` of a systemd unit-style file, comments and blank lines dropped."""
    sections: list = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            sections.append((line[1:-1], []))
        elif sections:
            sections[-1][1].append(line)
    return sections


def render_link(ifname: str, mac: str, wanted: dict, base_text: str = "", header: str = "") -> str:
    """A ``.link`` file of ours for one device: the ``[Link]`` settings of the file udev applied so far
    (``base_text``, e.g. 99-default.link) plus the offload keys, matched on the device's MAC address
    (udev applies the first matching .link file only, so ours must carry the base's settings).
    """
    keys = {}
    for name in sorted(wanted):
        key = link_key(name)
        if key is None:
            raise FeatureError(f"systemd .link files have no key for {name}")
        keys[key] = "true" if wanted[name] else "false"
    base = [line for section, lines in _ini_sections(base_text) if section == "Link" for line in lines]
    base = [line for line in base if line.split("=", 1)[0].strip() not in keys]
    lines = [header.rstrip("\n")] if header else []
    lines += ["[Match]", f"MACAddress={mac}", f"OriginalName={ifname}", "", "[Link]", *base, *(f"{k}={v}" for k, v in keys.items())]
    return "\n".join(lines) + "\n"


def render_udev_rule(ifname: str, ethtool: str, wanted: dict, header: str = "") -> str:
    """A udev rule of ours that runs ``ethtool -K`` when the device appears (argv, no shell)."""
    args = " ".join(ethtool_args(wanted))
    lines = [header.rstrip("\n")] if header else []
    lines.append(f'ACTION=="add|move", SUBSYSTEM=="net", KERNEL=="{ifname}", RUN+="{ethtool} -K {ifname} {args}"')
    return "\n".join(lines) + "\n"


def legacy_long_names() -> list:
    """The long names of ethtool's off_flag_def, the keys :data:`LEGACY_FLAGS` must cover."""
    return [long for long, _pattern in OFF_FLAG_DEF]
