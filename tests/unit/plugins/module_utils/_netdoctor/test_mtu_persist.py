"""link_mtu's persistence planning (mtu_persist): which files each renderer gets, from real captured configuration
files (tests/unit/fixtures/renderers/, networkctl/), with the host's I/O passed in as dictionaries."""

from __future__ import annotations

import fnmatch
import json

import pytest
import yaml
from conftest import read_fixture

from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import common, mtu_persist, renderers

CEPH = read_fixture("renderers/ifupdown-ceph-bonds-vlans.interfaces")
DEBIAN = read_fixture("renderers/ifupdown-debian12-default.interfaces")
NETWORKCTL = read_fixture("networkctl/list-json-systemd252-eth0-configured.json")
NETWORK_UNIT = read_fixture("renderers/systemd-25-address-static.network")


class Host:
    """Files (path -> text) and command answers (argv prefix -> (rc, out, err)) of a host; records the commands."""

    def __init__(self, files=None, answers=None):
        self.files = dict(files or {})
        self.answers = dict(answers or {})
        self.calls = []

    def read(self, path):
        return self.files.get(path)

    def glob(self, pattern):
        return [p for p in self.files if fnmatch.fnmatchcase(p, pattern)]

    def run(self, argv, check=True):
        self.calls.append(list(argv))
        for prefix, answer in self.answers.items():
            if tuple(argv[: len(prefix)]) == prefix:
                return answer
        return 127, "", f"{argv[0]}: command not found"


def _links(*names, kind="ether"):
    return {n: {"name": n, "kind": kind, "mtu": 1500, "min_mtu": 68, "max_mtu": 9216} for n in names}


def test_ifupdown_files_follow_source_globs():
    host = Host({"/etc/network/interfaces": DEBIAN, "/etc/network/interfaces.d/ceph": CEPH})
    files = mtu_persist.ifupdown_files(host.read, glob=host.glob, isfile=lambda p: p in host.files)
    assert list(files) == ["/etc/network/interfaces", "/etc/network/interfaces.d/ceph"]
    assert files["/etc/network/interfaces.d/ceph"] == CEPH


def test_ifupdown_source_directory_takes_only_run_parts_names(tmp_path):
    main = tmp_path / "interfaces"
    main.write_text(f"source-directory {tmp_path / 'd'}\n")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "ceph").write_text(CEPH)
    (tmp_path / "d" / "ceph.dpkg-old").write_text(CEPH)  # run-parts skips names with a dot
    files = mtu_persist.ifupdown_files(common.read_text, main=str(main))
    assert list(files) == [str(main), str(tmp_path / "d" / "ceph")]


def test_renderer_inputs_of_a_networkd_host_without_nmcli():
    host = Host(
        {"/etc/network/interfaces": DEBIAN, "/etc/netplan/01-bond.yaml": read_fixture("renderers/netplan-bonding.yaml.txt")},
        {("networkctl", "--json=short", "list"): (0, NETWORKCTL, "")},
    )
    inputs = mtu_persist.renderer_inputs(host.run, host.read, glob=host.glob)
    assert inputs["nm"] == {}  # nmcli is not installed (rc 127)
    assert inputs["networkd"]["eth0"]["network_file"] == "/etc/systemd/network/20-eth0.network"
    assert inputs["netplan_docs"]["/etc/netplan/01-bond.yaml"]["network"]["bonds"]["bond0"]["interfaces"] == ["enp3s0", "enp4s0"]
    assert inputs["osnet"] == {}
    assert list(inputs["ifupdown_files"]) == ["/etc/network/interfaces"]
    assert host.calls == [mtu_persist.NMCLI_ACTIVE, mtu_persist.NETWORKCTL_LIST]


def test_load_docs_without_pyyaml_names_the_file():
    with pytest.raises(renderers.RendererError, match="PyYAML"):
        mtu_persist.load_docs({"/etc/netplan/01.yaml": "network: {}"}, yaml_ok=False)
    assert mtu_persist.load_docs({"/etc/os-net-config/config.json": read_fixture("renderers/os-net-config-bridge_vlan.json")}, yaml_ok=False)


def _inputs(host):
    return mtu_persist.renderer_inputs(host.run, host.read, glob=host.glob, ifupdown=lambda: {p: t for p, t in host.files.items() if "/network/" in p})


def test_ifupdown_two_targets_in_one_file_are_both_changed():
    host = Host({"/etc/network/interfaces": CEPH})
    links = _links("bond0.MGMT_VLAN", "em3", "veth9")
    persisted, missing, writes, post = mtu_persist.persist_plan(links, ["bond0.MGMT_VLAN", "em3", "veth9"], 9000, _inputs(host), host.run, host.read)
    assert missing == ["veth9"]  # nothing configures it: runtime only
    assert [(r["name"], r["renderer"], r["changed"]) for r in persisted] == [("bond0.MGMT_VLAN", "ifupdown", True), ("em3", "ifupdown", True)]
    text = writes["/etc/network/interfaces"]
    assert renderers.ifupdown_get_mtu(text, "bond0.MGMT_VLAN") == 9000 and renderers.ifupdown_get_mtu(text, "em3") == 9000
    assert post == []  # ifupdown reads the file at the next ifup; the runtime change is link_mtu's


def test_networkd_unit_copied_to_etc_and_reloaded():
    host = Host({"/etc/systemd/network/20-eth0.network": NETWORK_UNIT}, {("networkctl", "--json=short", "list"): (0, NETWORKCTL, "")})
    persisted, missing, writes, post = mtu_persist.persist_plan(_links("eth0"), ["eth0"], 9000, _inputs(host), host.run, host.read)
    assert missing == [] and persisted[0]["renderer"] == "systemd-networkd" and persisted[0]["changed"]
    assert writes == {"/etc/systemd/network/20-eth0.network": renderers.networkd_set_mtu(NETWORK_UNIT, 9000)}
    assert post == [["networkctl", "reload"]]
    owner = {"path": "/usr/lib/systemd/network/99-default.network", "link_file": None}
    assert mtu_persist.networkd_target(owner, {owner["path"]: NETWORK_UNIT}.get) == ("network", "/etc/systemd/network/99-default.network", NETWORK_UNIT)


def test_netplan_gets_the_dropin_and_a_generate():
    netplan = read_fixture("renderers/netplan-bonding.yaml.txt")
    host = Host({"/etc/netplan/01-bond.yaml": netplan}, {("networkctl", "--json=short", "list"): (0, NETWORKCTL, "")})
    inputs = _inputs(host)
    # what parse_networkctl_list makes of a netplan-generated unit (the shape test_renderers checks)
    inputs["networkd"]["bond0"] = {"admin_state": "configured", "network_file": "/run/systemd/network/10-netplan-bond0.network", "link_file": None}
    persisted, _missing, writes, post = mtu_persist.persist_plan(_links("bond0", kind="bond"), ["bond0"], 9000, inputs, host.run, host.read)
    assert persisted[0]["renderer"] == "netplan"
    assert yaml.safe_load(writes[renderers.NETPLAN_DROPIN])["network"]["bonds"]["bond0"]["mtu"] == 9000
    assert post == [["netplan", "generate"], ["networkctl", "reload"]]


def test_os_net_config_json_rewritten():
    path = "/etc/os-net-config/config.json"
    host = Host({path: read_fixture("renderers/os-net-config-bridge_vlan.json")})
    persisted, _missing, writes, _post = mtu_persist.persist_plan(_links("em1"), ["em1"], 9000, _inputs(host), host.run, host.read)
    assert persisted[0]["renderer"] == "os-net-config"
    members = json.loads(writes[path])["network_config"][0]["members"]
    assert next(m for m in members if m.get("name") == "em1")["mtu"] == 9000


def test_plan_targets_is_idempotent_once_the_files_are_written():
    host = Host({"/etc/network/interfaces": CEPH})
    targets = [("bond0.MGMT_VLAN", 9000)]
    steps, persisted, missing, writes, post = mtu_persist.plan_targets(_links("bond0.MGMT_VLAN"), targets, False, _inputs(host), host.run, host.read)
    assert [(s["name"], s["before"], s["after"]) for s in steps] == [("bond0.MGMT_VLAN", 1500, 9000)]
    assert persisted[0]["changed"] and list(writes) == ["/etc/network/interfaces"] and missing == []
    host.files.update(writes)
    links = _links("bond0.MGMT_VLAN")
    links["bond0.MGMT_VLAN"]["mtu"] = 9000
    steps, persisted, _missing, writes, post = mtu_persist.plan_targets(links, targets, False, _inputs(host), host.run, host.read)
    assert steps == [] and writes == {} and post == [] and not persisted[0]["changed"]


def test_plan_targets_runtime_only_reads_nothing():
    host = Host()
    steps, persisted, missing, writes, post = mtu_persist.plan_targets(_links("eth0"), [("eth0", 9000)], False, None, host.run, host.read)
    assert len(steps) == 1 and (persisted, missing, writes, post) == ([], [], {}, [])
    assert host.calls == []


def test_device_diff_revert_post_and_wrong_mtus():
    steps = [{"name": "eth0", "before": 1500, "after": 9000}, {"name": "vxlan0", "before": 1450, "after": 8950}]
    nm = [{"name": "eth1", "renderer": "NetworkManager", "before": "1500", "after": 9000}]
    diff = mtu_persist.device_diff(steps, nm)
    assert diff["before"] == "eth0: mtu 1500\nvxlan0: mtu 1450\neth1 (NetworkManager): 1500\n"
    assert diff["after"] == "eth0: mtu 9000\nvxlan0: mtu 8950\neth1 (NetworkManager): 9000\n"
    post = [["nmcli", "connection", "modify", "u", "802-3-ethernet.mtu", "9000"], ["nmcli", "connection", "reload"], ["networkctl", "reload"]]
    assert mtu_persist.revert_post(post) == [["nmcli", "connection", "reload"], ["networkctl", "reload"]]
    links = {"eth0": {"mtu": 9000}, "vxlan0": {"mtu": 1450}}
    assert mtu_persist.wrong_mtus(links, steps) == [("vxlan0", 1450, 8950)]
    assert mtu_persist.wrong_mtus({}, steps[:1]) == [("eth0", None, 9000)]
