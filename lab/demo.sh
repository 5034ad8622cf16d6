#!/usr/bin/env bash
# make demo: the whole job on the built-in lab. Builds molecule/remediate's cluster (a network node, two
# computes, a switch, a guest; the network node also serves a real Networking API), puts the field reports' faults in, audits and probes it, repairs it with
# netdoctor.openstack.remediate and proves the result. Exits 0 only when every fault a host can fix is gone
# and what is left is what no host can fix (the switch port 2 bytes short), reported for a person.
# The cluster is removed at the end, also on failure or Ctrl-C (NETDOCTOR_DEMO_KEEP=1 keeps it for a look
# around: podman exec -it nd-remediate-compute1 bash).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${NETDOCTOR_DEMO_DIR:-$PWD/.build/demo}
report=$out/report
rm -rf "$report"
mkdir -p "$out" "$report"
python3 lab/demo/topology.py "$out"
inventory=$out/inventory.yml
# the lab containers' connection (molecule/shared/plugins/connection/podman_pipelined.py)
export ANSIBLE_CONNECTION_PLUGINS=$PWD/molecule/shared/plugins/connection
# the network node's Networking API (prepare writes the cloud; the audit and physnet_mtu use it)
export OS_CLIENT_CONFIG_FILE=$out/clouds.yaml
# the controller runs the create/destroy plays with the virtual environment's Python
lab_vars=(-e "@$out/topology.yml" -e "molecule_instance_config=$out/instances.yml" -e "ansible_python_interpreter=$(command -v python3)")
started=$(date +%s)
steps=6
step=0

say() { echo; echo "== [$(( $(date +%s) - started ))s] step $step of $steps: $*"; }
next() { step=$((step + 1)); say "$@"; }

teardown() {
  trap - EXIT INT TERM
  if [ "${NETDOCTOR_DEMO_KEEP:-0}" != 1 ]; then
    echo "== removing the demo cluster"
    ansible-playbook -i localhost, -c local molecule/shared/destroy.yml "${lab_vars[@]}" > "$out/destroy.log" 2>&1 || cat "$out/destroy.log"
  fi
}
trap teardown EXIT
trap 'echo "interrupted"; exit 130' INT TERM

# play NAME ARGS...: runs ansible-playbook quietly into .build/demo/NAME.log, shows the tail when it fails;
# the switch and the guest are lab furniture, not OpenStack nodes: the audit and repairs target the others
play() {
  local log=$out/$1.log
  shift
  if ! ansible-playbook -i "$inventory" -e netdoctor_targets=controllers:computes "$@" > "$log" 2>&1; then
    tail -60 "$log"
    echo "failed: see $log"
    return 1
  fi
}

next "building the cluster: 5 containers from localhost/netdoctor-node and -neutron-api (log: $out/create.log)"
ansible-playbook -i localhost, -c local molecule/shared/create.yml "${lab_vars[@]}" > "$out/create.log" 2>&1 || { tail -40 "$out/create.log"; exit 1; }

next "putting the faults in: overlay over a 1500 underlay, Neutron outlier, networks with stale MTUs in the API, bridge ports, DHCP without the fill rule, priority tags, a short switch port"
play prepare molecule/remediate/prepare.yml
echo "the guest asks for a lease with dhclient: $(grep -o '"no lease: [^"]*' "$out/prepare.log" | head -1 | tr -d '"')"

next "audit and path-MTU probes: netdoctor.openstack.verify (log: $out/verify.log)"
play verify netdoctor.openstack.verify -e "netdoctor_report_dir=$report" -e netdoctor_audit_fail_on=never
cp "$report/report.json" "$out/report-before.json"
cp "$report/report.html" "$out/report-before.html"
echo
cat "$report/report.md"

next "the plan: netdoctor.openstack.remediate --check --tags plan (host, finding, role, what changes; log: $out/plan.log)"
play plan netdoctor.openstack.remediate --check --tags plan -e "netdoctor_report_dir=$report" -e "netdoctor_remediate_report=$out/report-before.json"
python3 - "$report/remediation-plan.json" <<'EOF'
import json, sys
plan = json.load(open(sys.argv[1]))["plan"]
for host, roles in plan["hosts"].items():
    for entry in roles:
        print(f"  {host}: {entry['role']} {json.dumps(entry['vars'], sort_keys=True)}")
for item in plan["manual"]:
    print(f"  for a person: {item['finding']['host']}: {item['finding']['code']}: {item['action']}")
EOF

next "repairing (${NETDOCTOR_DEMO_SERIAL:-3} hosts per batch), then probing and auditing afresh: netdoctor.openstack.remediate (log: $out/remediate.log)"
play remediate netdoctor.openstack.remediate -e "netdoctor_remediate_serial=${NETDOCTOR_DEMO_SERIAL:-3}" -e "netdoctor_report_dir=$report" -e "netdoctor_remediate_report=$out/report-before.json" \
  || { echo "remediate failed: findings it set out to fix remain (see $report/remediation.md)"; exit 1; }
echo
cat "$report/remediation.md"

next "proof from the guest: the same dhclient asks again"
play lease -e lab_expect_lease=true molecule/remediate/lease.yml
echo "the guest asks again: $(grep -o '"bound to [^"]*' "$out/lease.log" | head -1 | tr -d '"')"

echo
python3 - "$report/remediation.json" <<'EOF'
import json, sys
outcome = json.load(open(sys.argv[1]))
# what no host can fix: the switch port 2 bytes short shows as path findings, reported for a person
expected = {"PMTU_BELOW_EXPECTED", "PMTU_DEFICIT_UNEXPLAINED", "PMTU_BLACKHOLE", "KERNEL_OVER_MTU_DROPS"}
left = [r["finding"] for r in outcome["rows"] if r["after"] in ("manual", "new", "remains")]
unexpected = [f for f in left if f["code"] not in expected]
print(f"fixed {outcome['summary']['fixed']}, left for a person {len(left)} (expected: the storage switch port 2 bytes short)")
if outcome["remaining"] or unexpected:
    print("NOT CLEAN:", [(f["host"], f["code"], f.get("interface")) for f in outcome["remaining"] + unexpected])
    sys.exit(1)
print("clean: every fault a host can fix is gone")
EOF
echo "took $(( $(date +%s) - started ))s; reports: $report/report.md, report.html (path-MTU matrix), remediation.md, remediation.json"
