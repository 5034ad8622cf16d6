# Delete and recreate a DHCP namespace as Neutron's DHCP agent does (dnsmasq stopped, tap unplugged,
# `ip netns delete`, later `ip netns add`), then measure how long until the fill rules are back in it
# (polled every 20 ms with both iptables backends). Prints JSON: {"delay": seconds, "rules": [...]}.
# argv: NETNS FAMILY... (ipv4/ipv6)
import json
import subprocess
import sys
import time

netns, families = sys.argv[1], sys.argv[2:]
tools = {"ipv4": ("iptables-nft-save", "iptables-legacy-save"), "ipv6": ("ip6tables-nft-save", "ip6tables-legacy-save")}


def run(argv, check=True):
    return subprocess.run(argv, capture_output=True, text=True, check=check).stdout


run(["systemctl", "stop", "nd-dhcp-dnsmasq"], check=False)
run(["ovs-vsctl", "--if-exists", "del-port", "br-int", "tapd1c0"])
run(["ip", "netns", "delete", netns])
time.sleep(3)  # the reconciler the deletion woke up has finished: the creation must wake it again
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
print(json.dumps({"delay": round(time.monotonic() - start, 3), "rules": rules}))
