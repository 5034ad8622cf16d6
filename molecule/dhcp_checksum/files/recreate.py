# Delete and recreate a DHCP namespace as Neutron's DHCP agent does (dnsmasq stopped, tap unplugged,
# `ip netns delete`, later `ip netns add`), then measure how long until the fill rules are back in it
# (polled every 20 ms with both iptables backends). Prints JSON: {"delay": seconds, "rules": [...],
# "settled": seconds the reconciler run the deletion started took to end}.
# argv: NETNS FAMILY... (ipv4/ipv6)
import json
import subprocess
import sys
import time

UNIT = "netdoctor-dhcp-checksum"
netns, families = sys.argv[1], sys.argv[2:]
tools = {"ipv4": ("iptables-nft-save", "iptables-legacy-save"), "ipv6": ("ip6tables-nft-save", "ip6tables-legacy-save")}


def run(argv, check=True):
    return subprocess.run(argv, capture_output=True, text=True, check=check).stdout


def show(unit, *props):
    lines = run(["systemctl", "show", unit] + [f"--property={prop}" for prop in props]).splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


def reconciler_state():
    """When the reconciler's service last ended, and whether it is idle with its path unit watching again."""
    service = show(f"{UNIT}.service", "ActiveState", "InactiveEnterTimestampMonotonic")
    path = show(f"{UNIT}.path", "SubState")
    return service["InactiveEnterTimestampMonotonic"], service["ActiveState"] in ("inactive", "failed") and path["SubState"] == "waiting"


run(["systemctl", "stop", "nd-dhcp-dnsmasq"], check=False)
run(["ovs-vsctl", "--if-exists", "del-port", "br-int", "tapd1c0"])
ended_before = reconciler_state()[0]
deleted = time.monotonic()
run(["ip", "netns", "delete", netns])
# the reconciler run the deletion woke up must be over (and the path unit watching again), so that the
# creation must wake it again: wait for that run to end (at most 10 s, then go on as the deletion did not wake it)
while time.monotonic() - deleted < 10:
    ended, idle = reconciler_state()
    if ended != ended_before and idle:
        break
    time.sleep(0.05)
settled = round(time.monotonic() - deleted, 3)
start = time.monotonic()
run(["ip", "netns", "add", netns])
rules = []
while time.monotonic() - start < 30:
    rules = []
    for family in families:
        for tool in tools[family]:
            rules += [f"{family} {line}" for line in run(["ip", "netns", "exec", netns, tool], check=False).splitlines() if "--checksum-fill" in line]
    if all(any(rule.startswith(family + " ") for rule in rules) for family in families):
        break
    time.sleep(0.02)
print(json.dumps({"delay": round(time.monotonic() - start, 3), "rules": rules, "settled": settled}))
