# Copyright (c) 2026, netdoctor maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One DHCP exchange from the client, in one container round trip.

usage: python3 -c "$(cat lease.py)" IFACE LEASE TIMEOUT PREVIOUS

Reads Udp InCsumErrors (/proc/net/snmp), holds the address LEASE/24 on IFACE meanwhile when PREVIOUS is
"true" (a renewing guest: the replies then reach the client's UDP stack, which counts their bad checksums),
asks for a lease with dhclient (one try, killed after TIMEOUT seconds), reads InCsumErrors again, then
releases the address. Prints JSON {"rc", "lease", "in_csum_errors", "log"}: lease is true when dhclient
exited 0 saying "bound to LEASE"; in_csum_errors is how much the counter rose; log is dhclient's DHCP lines.
"""

from __future__ import annotations

import json
import subprocess
import sys

PIDFILE = "/run/nd-dhclient.pid"
LEASES = "/run/nd-dhclient.leases"


def in_csum_errors() -> int:
    """Udp InCsumErrors of the client's network namespace."""
    with open("/proc/net/snmp", encoding="ascii") as handle:
        udp = [line.split() for line in handle if line.startswith("Udp: ")]
    return int(dict(zip(udp[0], udp[1]))["InCsumErrors"])


def main(iface: str, lease: str, timeout: str, previous: str) -> int:
    before = in_csum_errors()
    if previous == "true":
        subprocess.run(["ip", "addr", "replace", f"{lease}/24", "dev", iface], check=True)
    dhclient = subprocess.run(["timeout", timeout, "dhclient", "-v", "-1", "-pf", PIDFILE, "-lf", LEASES, iface], capture_output=True, text=True, check=False)
    after = in_csum_errors()
    subprocess.run(["pkill", "-F", PIDFILE], capture_output=True, check=False)
    subprocess.run(["ip", "addr", "flush", "dev", iface], capture_output=True, check=False)
    print(
        json.dumps(
            {
                "rc": dhclient.returncode,
                "lease": dhclient.returncode == 0 and f"bound to {lease}" in dhclient.stderr,
                "in_csum_errors": after - before,
                "log": [line for line in dhclient.stderr.splitlines() if line.startswith(("DHCP", "bound"))],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
