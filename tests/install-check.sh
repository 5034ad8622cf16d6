#!/usr/bin/env bash
# Builds the collection tarball, installs it into an empty path and checks that ansible-doc
# lists every module and filter from the installed copy (not from the work tree).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ansible-galaxy collection build --force --output-path "$tmp/dist" . > "$tmp/build.log"
tarball=$(ls "$tmp"/dist/netdoctor-openstack-*.tar.gz)
# only the empty path: galaxy would otherwise find the work tree's copy and install nothing
export ANSIBLE_COLLECTIONS_PATH="$tmp/install"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
ansible-galaxy collection install --offline -p "$tmp/install" "$tarball" > "$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; exit 1; }
listed=$(ansible-doc -l netdoctor.openstack 2>/dev/null)
status=0
for module in plugins/modules/*.py; do
  name=netdoctor.openstack.$(basename "$module" .py)
  if ! grep -q "^$name " <<< "$listed"; then echo "not listed by ansible-doc: $name"; status=1; fi
done
filters=$(ansible-doc -t filter -l netdoctor.openstack 2>/dev/null)
for doc in plugins/filter/*.yml; do
  name=netdoctor.openstack.$(basename "$doc" .yml)
  if ! grep -q "^$name " <<< "$filters"; then echo "filter not listed by ansible-doc: $name"; status=1; fi
done
[ $status -eq 0 ] && echo "install check: $(basename "$tarball") installs; ansible-doc lists $(wc -l <<< "$listed") module(s) and $(wc -l <<< "$filters") filter(s)"
exit $status
