# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The demo cluster is molecule/remediate's: write what molecule/shared/create.yml and ansible-playbook need.

python lab/demo/topology.py OUTDIR   ->  OUTDIR/topology.yml (molecule_yml for create/destroy.yml)
                                         OUTDIR/inventory.yml (the scenario's inventory, podman connection)
"""

from __future__ import annotations

import os
import sys

import yaml

SCENARIO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "molecule", "remediate", "molecule.yml")


def main(outdir: str) -> int:
    with open(SCENARIO, encoding="utf-8") as handle:
        scenario = yaml.safe_load(handle)
    topology = {"molecule_yml": {"scenario": {"name": "remediate"}, "driver": scenario["driver"], "platforms": scenario["platforms"]}}
    inventory = scenario["provisioner"]["inventory"]
    group_vars = dict(inventory.get("group_vars", {}).get("all") or {})
    group_vars.pop("netdoctor_report_dir", None)  # the demo passes its own
    group_vars.update(ansible_connection="podman_pipelined", ansible_python_interpreter="/usr/bin/python3")
    hosts = {"all": {"vars": group_vars, "children": inventory["hosts"]}}
    os.makedirs(outdir, exist_ok=True)
    for name, content in (("topology.yml", topology), ("inventory.yml", hosts)):
        with open(os.path.join(outdir, name), "w", encoding="utf-8") as handle:
            yaml.safe_dump(content, handle, sort_keys=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
