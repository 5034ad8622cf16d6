# Print every rule (legacy and nft, IPv4 and IPv6) of the root and of each named namespace, tx
# checksum offload of every interface there, and the files and units of ours: a text to compare.
import glob
import hashlib
import os
import re
import subprocess

# chain policy lines carry packet/byte counters (":OUTPUT ACCEPT [8:544]") that traffic moves: not a change
COUNTERS = re.compile(r" \[\d+:\d+\]$")


def run(argv):
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    return "".join(COUNTERS.sub("", line) + "\n" for line in proc.stdout.splitlines() if not line.startswith("#"))


for netns in [None] + sorted(os.listdir("/run/netns")):
    prefix = ["ip", "netns", "exec", netns] if netns else []
    for tool in ("iptables-nft-save", "iptables-legacy-save", "ip6tables-nft-save", "ip6tables-legacy-save"):
        print(f"== {netns} {tool}\n{run(prefix + [tool])}")
    if netns:
        for line in run(["ip", "-n", netns, "-o", "link", "show"]).splitlines():
            name = line.split(": ")[1].split("@")[0]
            features = [f for f in run(prefix + ["ethtool", "-k", name]).splitlines() if f.startswith("tx-checksumming")]
            print(f"== {netns} {name} {features}")
for path in sorted(glob.glob("/etc/systemd/system/netdoctor-*") + glob.glob("/etc/netdoctor/*") + glob.glob("/usr/local/libexec/netdoctor/*")):
    with open(path, "rb") as handle:
        print(f"== {path} {hashlib.sha256(handle.read()).hexdigest()}")
print(run(["systemctl", "list-units", "--all", "--no-legend", "netdoctor-*"]))
