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

# run_playbook NAME: runs netdoctor.openstack.NAME on the demo cluster, times it, shows the report
run_playbook() {
  echo "== $1: ansible-playbook -i $demo/inventory.yml netdoctor.openstack.$1"
  local start
  start=$(date +%s%N)
  ansible-playbook -i "$demo/inventory.yml" "netdoctor.openstack.$1" \
    -e "netdoctor_report_dir=$out/report" -e netdoctor_audit_fail_on=never > "$out/$1.log" 2>&1 || { tail -60 "$out/$1.log"; exit 1; }
  echo "$1 took $(( ($(date +%s%N) - start) / 1000000 )) ms"
  echo
  cat "$out/report/report.md"
  echo
}

run_playbook audit
run_playbook verify
echo "reports: $out/report/report.md, report.json, report.xml"
