#!/usr/bin/env bash
# Runs molecule scenarios in parallel lanes: tests/molecule-lanes.sh JOBS SCENARIO...
# Scenarios are independent (their own containers, podman networks, subnets and veth names), and most of
# a scenario's time is spent waiting (systemd booting, services restarting, revert timers), so two lanes
# on two cores finish well before one. Each scenario logs to .build/molecule/NAME.log; a line per scenario
# says how it ended, and a failed one's log tail is printed. Exits non-zero when any scenario failed.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:?usage: molecule-lanes.sh JOBS SCENARIO...}
shift
logs=.build/molecule
mkdir -p "$logs"
rm -f "$logs"/*.rc

# longest first, so that no long one starts last
order=(remediate dhcp_checksum physnet_mtu nic_offloads priority_tag_strip usb_nic_driver jumbo_underlay neutron_api ovn audit
  audit_sosreport net_facts pmtu_probe lab)
queue=()
for s in "${order[@]}"; do
  for want in "$@"; do [ "$want" = "$s" ] && queue+=("$s"); done
done
for want in "$@"; do
  known=0
  for s in "${order[@]}"; do [ "$want" = "$s" ] && known=1; done
  [ "$known" = 1 ] || queue+=("$want")
done

run_one() {
  local s=$1 start rc
  start=$(date +%s)
  echo "=== molecule scenario $s: started (log: .build/molecule/$s.log)"
  if molecule test -s "$s" > ".build/molecule/$s.log" 2>&1; then rc=0; else rc=$?; fi
  echo "$rc" > ".build/molecule/$s.rc"
  if [ "$rc" = 0 ]; then
    echo "=== molecule scenario $s: passed in $(( $(date +%s) - start )) s"
  else
    # one block, so that a parallel lane's lines do not cut into it
    { echo "=== molecule scenario $s: FAILED (rc $rc) after $(( $(date +%s) - start )) s; the end of its log:"
      tail -n 150 ".build/molecule/$s.log"; echo "=== end of $s"; } | cat
  fi
  return 0
}
export -f run_one

started=$(date +%s)
# shellcheck disable=SC2016  # $1 is the inner shell's
printf '%s\n' "${queue[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$1"' _ {}
failed=()
for s in "${queue[@]}"; do
  [ "$(cat "$logs/$s.rc" 2>/dev/null || echo missing)" = 0 ] || failed+=("$s")
done
echo "=== molecule: ${#queue[@]} scenarios in $jobs lanes took $(( $(date +%s) - started )) s"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "=== molecule scenarios that failed: ${failed[*]}"
  exit 1
fi
