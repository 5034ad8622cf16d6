#!/usr/bin/env bash
# make demo: builds the demo cluster (three lab containers), puts the field reports' faults in,
# audits it, probes its paths, and prints the report. The cluster is removed at the end, also
# on failure (NETDOCTOR_DEMO_KEEP=1 keeps it for a look around: podman exec -it nd-demo-compute1 bash).
set -euo pipefail
cd "$(dirname "$0")/.."
demo=lab/demo
out=${NETDOCTOR_DEMO_DIR:-$PWD/.build/demo}
mkdir -p "$out"
# the controller runs the create/destroy plays with the virtual environment's Python
lab_vars=(-e "@$demo/topology.yml" -e "molecule_instance_config=$out/instances.yml" -e "ansible_python_interpreter=$(command -v python3)")

teardown() {
  if [ "${NETDOCTOR_DEMO_KEEP:-0}" != 1 ]; then
    echo "== removing the demo cluster"
    ansible-playbook -i localhost, -c local molecule/shared/destroy.yml "${lab_vars[@]}" > "$out/destroy.log" 2>&1 || cat "$out/destroy.log"
  fi
}
trap teardown EXIT

echo "== building the demo cluster (log: $out/create.log)"
ansible-playbook -i localhost, -c local molecule/shared/create.yml "${lab_vars[@]}" > "$out/create.log" 2>&1 || { tail -40 "$out/create.log"; exit 1; }
echo "== putting the faults in (log: $out/break.log)"
ansible-playbook -i $demo/inventory.yml $demo/break.yml > "$out/break.log" 2>&1 || { tail -40 "$out/break.log"; exit 1; }

echo "== audit: ansible-playbook -i $demo/inventory.yml netdoctor.openstack.audit"
start=$(date +%s%N)
ansible-playbook -i $demo/inventory.yml netdoctor.openstack.audit \
  -e "netdoctor_report_dir=$out/report" -e netdoctor_audit_fail_on=never > "$out/audit.log" 2>&1 || { tail -60 "$out/audit.log"; exit 1; }
echo "audit took $(( ($(date +%s%N) - start) / 1000000 )) ms"; echo
cat "$out/report/report.md"

echo
echo "== verify: ansible-playbook -i $demo/inventory.yml netdoctor.openstack.verify"
start=$(date +%s%N)
ansible-playbook -i $demo/inventory.yml netdoctor.openstack.verify \
  -e "netdoctor_report_dir=$out/report" -e netdoctor_audit_fail_on=never > "$out/verify.log" 2>&1 || { tail -60 "$out/verify.log"; exit 1; }
echo "verify took $(( ($(date +%s%N) - start) / 1000000 )) ms"; echo
cat "$out/report/report.md"
echo
echo "reports: $out/report/report.md, report.json, report.xml"
