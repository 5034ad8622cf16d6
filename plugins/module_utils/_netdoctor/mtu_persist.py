# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: not part of the collection's public API; may change without notice.
"""link_mtu's persistence: read what each renderer configures, plan the file each owner of a device gets.

Everything here takes its I/O as arguments (``read(path) -> str | None``, ``run(argv, check=True) ->
(rc, out, err)``, ``listdir``/``isdir``/``isfile``/``glob`` for the ifupdown include walk), so the
planning is tested with real captured files (tests/unit/fixtures/renderers/) and no host. The per-renderer
text editing itself is in renderers.py; the device order in mtu_plan.py.
"""

from __future__ import annotations

import glob as _glob
import json
import os

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import mtu_plan, renderers

try:
    import yaml

    HAS_YAML = True
except ImportError:  # only hosts with netplan or os-net-config need it, and both depend on it
    yaml = None
    HAS_YAML = False

IFUPDOWN_MAIN = "/etc/network/interfaces"
OSNET_FILES = ("/etc/os-net-config/config.json", "/etc/os-net-config/config.yaml")
NETPLAN_FILES = ("/lib/netplan/*.yaml", "/etc/netplan/*.yaml", "/run/netplan/*.yaml")
NMCLI_ACTIVE = ["nmcli", "-t", "-f", "UUID,TYPE,DEVICE,FILENAME", "connection", "show", "--active"]
NETWORKCTL_LIST = ["networkctl", "--json=short", "list"]


def load_docs(texts: dict, yaml_ok: bool = HAS_YAML) -> dict:
    """``{path: text}`` of os-net-config/netplan files as ``{path: data}`` (JSON by the ``.json`` suffix, else YAML)."""
    docs = {}
    for path, text in texts.items():
        if path.endswith(".json"):
            docs[path] = json.loads(text)
            continue
        if not yaml_ok:
            raise renderers.RendererError(f"{path} needs PyYAML (python3-yaml) on the host to be read")
        docs[path] = yaml.safe_load(text)
    return docs


def read_globbed(patterns, read, glob=_glob.glob) -> dict:
    """``{path: text}`` of the readable files matching ``patterns``, sorted within each pattern, in pattern order."""
    texts = {}
    for pattern in patterns:
        for path in sorted(glob(pattern)):
            text = read(path)
            if text is not None:
                texts[path] = text
    return texts


def _ifupdown_name_ok(name: str) -> bool:
    """run-parts' rule for ``source-directory``: only letters, digits, ``-`` and ``_``."""
    return name.replace("-", "").replace("_", "").isalnum()


def ifupdown_files(read, listdir=os.listdir, isdir=os.path.isdir, isfile=os.path.isfile, glob=_glob.glob, main: str = IFUPDOWN_MAIN) -> dict:
    """``{path: text}`` of /etc/network/interfaces and every file it includes (``source``, ``source-directory``)."""
    files: dict = {}
    pending = [main]
    while pending:
        path = pending.pop(0)
        if path in files:
            continue
        text = read(path)
        if text is None:
            continue
        files[path] = text
        for source in renderers.ifupdown_sources(text):
            if source.startswith("dir:"):
                directory = source[4:]
                names = sorted(listdir(directory)) if isdir(directory) else []
                pending.extend(os.path.join(directory, n) for n in names if _ifupdown_name_ok(n))
            else:
                pattern = source if source.startswith("/") else os.path.join(os.path.dirname(main), source)
                pending.extend(p for p in sorted(glob(pattern)) if isfile(p))
    return files


def renderer_inputs(run, read, glob=_glob.glob, ifupdown=None) -> dict:
    """What detect_owner needs for every device: os-net-config and netplan documents, the active NetworkManager
    connections, systemd-networkd's link list, the ifupdown files (``ifupdown``: a callable returning them)."""
    inputs = {
        "osnet": load_docs(read_globbed(OSNET_FILES, read, glob)),
        "netplan_docs": load_docs(read_globbed(NETPLAN_FILES, read, glob)),
        "nm": {},
        "networkd": {},
    }
    rc, out, _err = run(NMCLI_ACTIVE, check=False)
    if rc == 0:
        inputs["nm"] = renderers.nm_active_connections(out)
    rc, out, _err = run(NETWORKCTL_LIST, check=False)
    if rc == 0:
        inputs["networkd"] = renderers.parse_networkctl_list(out)
    inputs["ifupdown_files"] = ifupdown() if ifupdown is not None else ifupdown_files(read, glob=glob)
    return inputs


def networkd_target(owner: dict, read) -> tuple[str, str, str]:
    """(unit kind ``network``/``link``, path to write, current text) for a device systemd-networkd owns.

    The MTU goes into the ``.link`` file when that is where it is set already (renderers.networkd_unit_for_mtu);
    a unit outside /etc (a vendor one in /usr/lib or /run) is copied to /etc/systemd/network, which overrides it.
    """
    network_text = read(owner["path"]) or ""
    link_text = read(owner["link_file"]) if owner.get("link_file") else None
    unit = renderers.networkd_unit_for_mtu(network_text, link_text)
    source, text = (owner["link_file"], link_text) if unit == "link" else (owner["path"], network_text)
    path = source if source.startswith("/etc/") else os.path.join("/etc/systemd/network", os.path.basename(source))
    return unit, path, text or ""


def dump_osnet(path: str, data) -> str:
    """The text of an os-net-config file after the change (JSON as os-net-config writes it, else YAML)."""
    return renderers.osnet_render_json(data) if path.endswith(".json") else yaml.safe_dump(data, default_flow_style=False, sort_keys=False)


def persist_plan(links: dict, names: list, mtu: int, inputs: dict, run, read, writes: dict | None = None) -> tuple[list, list, dict, list]:
    """(persisted entries, not persisted names, {path: new text}, post commands) for ``names`` at ``mtu``.

    ``writes`` holds the texts planned by earlier targets of the same run (updated in place, so two devices in
    one file are both changed). ``run`` asks nmcli for a NetworkManager connection's current MTU setting.
    """
    persisted, missing, post = [], [], []
    writes = {} if writes is None else writes
    netplan_entries = {}
    for name in names:
        owner = renderers.detect_owner(
            name,
            ovs=mtu_plan.is_ovs(links[name]),
            osnet=inputs["osnet"],
            netplan_docs=inputs["netplan_docs"],
            nm_connection=inputs["nm"].get(name),
            networkd_state=inputs["networkd"].get(name),
            ifupdown_files=inputs["ifupdown_files"],
        )
        kind = owner["renderer"]
        record = {"name": name, "renderer": kind, "path": owner.get("path"), "changed": False}
        if kind is None:
            missing.append(name)
            continue
        if kind == renderers.OS_NET_CONFIG:
            path = owner["path"]
            data = renderers.osnet_set_mtu(inputs["osnet"][path], name, mtu)
            inputs["osnet"][path] = data
            writes[path] = dump_osnet(path, data)
        elif kind == renderers.NETPLAN:
            netplan_entries[(owner["section"], owner["id"])] = mtu
        elif kind == renderers.NETWORKMANAGER:
            _rc, out, _err = run(["nmcli", "-g", renderers.nm_mtu_setting(owner["type"]), "connection", "show", owner["uuid"]])
            if out.strip() != str(mtu):
                record.update(changed=True, before=out.strip(), after=mtu)
                post.extend(renderers.nm_commands(owner["uuid"], owner["type"], name, mtu))
        elif kind == renderers.NETWORKD:
            unit, path, text = networkd_target(owner, read)
            record["path"] = path
            writes[path] = renderers.networkd_set_mtu(writes.get(path, text), mtu)
            post.extend(c for c in renderers.networkd_commands(unit, name) if c not in post)
        elif kind == renderers.IFUPDOWN:
            path = owner["path"]
            writes[path] = renderers.ifupdown_set_mtu(writes.get(path, inputs["ifupdown_files"][path]), name, mtu)
        persisted.append(record)
    if netplan_entries:
        existing = writes.get(renderers.NETPLAN_DROPIN) or read(renderers.NETPLAN_DROPIN)
        body = "".join(line for line in (existing or "").splitlines(True) if not line.lstrip().startswith("#"))
        entries = renderers.netplan_dropin_entries(json.loads(body) if body.strip() else {})
        entries.update(netplan_entries)
        writes[renderers.NETPLAN_DROPIN] = renderers.netplan_dropin(entries)
        post.append(["netplan", "generate"])
        post.append(["networkctl", "reload"] if inputs["networkd"] else ["nmcli", "connection", "reload"])
    changed_writes = {p: t for p, t in writes.items() if read(p) != t}
    for record in persisted:
        if record["path"] in changed_writes:
            record["changed"] = True
    return persisted, missing, changed_writes, post if (changed_writes or any(r["changed"] for r in persisted)) else []


def plan_targets(links: dict, targets: list, stack: bool, inputs: dict | None, run, read) -> tuple[list, list, list, dict, list]:
    """(steps, persisted, not persisted, writes, post) of every ``(name, mtu)`` target, each planned over the
    links the earlier ones leave; ``inputs`` None: runtime only (nothing persisted). ``links`` is updated."""
    steps, persisted, missing, writes, post = [], [], [], {}, []
    for name, mtu in targets:
        mine = mtu_plan.plan(links, name, mtu, stack=stack)
        for step in mine:
            links[step["name"]] = dict(links[step["name"]], mtu=step["after"])
        steps.extend(mine)
        if inputs is not None:
            names = [name] + [s["name"] for s in mine if s["name"] != name]
            more_persisted, more_missing, _changed, more_post = persist_plan(links, names, mtu, inputs, run, read, writes)
            persisted.extend(r for r in more_persisted if r not in persisted)
            missing.extend(n for n in more_missing if n not in missing)
            post.extend(argv for argv in more_post if argv not in post)
    changed_writes = {path: text for path, text in writes.items() if read(path) != text}
    for record in persisted:
        record["changed"] = record["changed"] or record["path"] in changed_writes
    if not changed_writes and not any(r["changed"] for r in persisted):
        post = []
    return steps, persisted, missing, changed_writes, post


def device_diff(steps: list, nm_changes: list) -> dict:
    """The ``devices`` entry of the diff: one line per device (runtime MTU) and per NetworkManager setting."""
    before = "".join(f"{s['name']}: mtu {s['before']}\n" for s in steps) + "".join(f"{r['name']} ({r['renderer']}): {r.get('before')}\n" for r in nm_changes)
    after = "".join(f"{s['name']}: mtu {s['after']}\n" for s in steps) + "".join(f"{r['name']} ({r['renderer']}): {r.get('after')}\n" for r in nm_changes)
    return {"before_header": "devices", "after_header": "devices", "before": before, "after": after}


def revert_post(post: list) -> list:
    """The post commands the revert replays after restoring the files: every one but the nmcli changes (the
    NetworkManager checkpoint undoes those), keeping ``nmcli connection reload``."""
    return [argv for argv in post if argv[0] != "nmcli" or argv[1:3] == ["connection", "reload"]]


def wrong_mtus(links: dict, steps: list) -> list:
    """``(name, mtu now, mtu wanted)`` of every step whose device is not at its new MTU in ``links``."""
    return [(s["name"], (links.get(s["name"]) or {}).get("mtu"), s["after"]) for s in steps if (links.get(s["name"]) or {}).get("mtu") != s["after"]]
