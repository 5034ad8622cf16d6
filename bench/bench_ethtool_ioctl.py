# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Time ethtool data through the SIOCETHTOOL ioctl (one socket) against one `ethtool -k` + `ethtool -i` process pair per interface.

A network namespace with N veth interfaces (N/2 pairs, default 1,000) is made; inside it
(`ip netns exec`) a small driver times `ethtool.collect()` over all of them and then the
per-interface processes, and checks that both agree. The namespace is removed at the end,
also on failure or Ctrl-C. Needs root.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid

from _benchlib import ensure_collection_link

INNER = r"""
import json, os, subprocess, sys, time
sys.path.insert(0, sys.argv[1])
from ansible_collections.netdoctor.openstack.plugins.module_utils._netdoctor import ethtool
names = sorted(os.listdir("/sys/class/net"))
best = None
for _ in range(3):
    start = time.perf_counter()
    result = ethtool.collect(names)
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
sample = names[: int(sys.argv[2])]
env = dict(os.environ, LANG="C", LC_ALL="C")
start = time.perf_counter()
mismatch = 0
for name in sample:
    k = subprocess.run(["ethtool", "-k", name], capture_output=True, text=True, env=env).stdout
    subprocess.run(["ethtool", "-i", name], capture_output=True, text=True, env=env)
    if ethtool.parse_ethtool_k(k) != result[name]["offloads"]:
        mismatch += 1
proc = time.perf_counter() - start
print(json.dumps({"interfaces": len(names), "ioctl": best, "sample": len(sample), "processes": proc, "mismatch": mismatch}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interfaces", type=int, default=1000, help="number of veth interfaces (pairs x 2)")
    parser.add_argument("--sample", type=int, default=0, help="interfaces timed with ethtool processes (0: all)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("bench_ethtool_ioctl: needs root (creates a network namespace); skipped")
        return 0
    tree = ensure_collection_link()
    netns = "ndbench-eth-" + uuid.uuid4().hex[:8]
    subprocess.run(["ip", "netns", "add", netns], check=True)
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".batch") as batch:
            for index in range(args.interfaces // 2):
                batch.write(f"link add va{index} type veth peer name vb{index}\n")
            batch.flush()
            subprocess.run(["ip", "-n", netns, "-batch", batch.name], check=True)
        sample = args.sample or args.interfaces + 1
        out = subprocess.run(["ip", "netns", "exec", netns, sys.executable, "-c", INNER, tree, str(sample)], check=True, capture_output=True, text=True).stdout
    finally:
        subprocess.run(["ip", "netns", "del", netns], check=False)
    data = json.loads(out)
    per_proc = data["processes"] / max(1, data["sample"])
    projected = per_proc * data["interfaces"]
    print(f"{'method':<44}{'interfaces':>12}{'seconds':>12}")
    print(f"{'SIOCETHTOOL ioctl (drvinfo + features)':<44}{data['interfaces']:>12}{data['ioctl']:>12.4f}")
    print(f"{'ethtool -k + ethtool -i per interface':<44}{data['sample']:>12}{data['processes']:>12.4f}")
    if data["sample"] != data["interfaces"]:
        print(f"{'  (projected to all interfaces)':<44}{data['interfaces']:>12}{projected:>12.4f}")
    print(f"speed-up: {projected / data['ioctl']:.0f}x; ioctl result differs from `ethtool -k` on {data['mismatch']} of {data['sample']} interfaces")
    return 1 if data["mismatch"] else 0


if __name__ == "__main__":
    sys.exit(main())
