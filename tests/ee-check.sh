#!/usr/bin/env bash
# The execution environment definition: `ansible-builder create` renders execution-environment.yml into
# a build context holding the collection tarball, and `ansible-builder introspect` on the installed
# tarball finds every Python requirement (requirements.txt) and system package (bindep.txt) it declares.
# (Building the image itself needs the base image from a container registry, which CI cannot reach.)
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p .build/dist
rm -f .build/dist/netdoctor-openstack-*.tar.gz
ansible-galaxy collection build --force --output-path .build/dist . > "$tmp/build.log"
ansible-builder create -f execution-environment.yml -c "$tmp/context" > "$tmp/create.log" 2>&1 || { cat "$tmp/create.log"; exit 1; }
status=0
ls "$tmp"/context/_build/netdoctor/netdoctor-openstack-*.tar.gz > /dev/null 2>&1 || { echo "ee: the collection tarball is not in the build context"; status=1; }
grep -q 'ansible-galaxy collection install' "$tmp/context/Containerfile" || { echo "ee: the Containerfile installs no collection"; status=1; }
ANSIBLE_COLLECTIONS_PATH="$tmp/install" ansible-galaxy collection install --offline -p "$tmp/install" .build/dist/netdoctor-openstack-*.tar.gz > "$tmp/install.log" 2>&1 \
  || { cat "$tmp/install.log"; exit 1; }
ansible-builder introspect "$tmp/install" > "$tmp/introspect.txt"
while read -r req; do
  grep -q "^- '$req" "$tmp/introspect.txt" || { echo "ee: python requirement $req not found by introspection"; status=1; }
done < <(grep -v '^#' requirements.txt | grep -v '^$' | sed 's/[<>=!; ].*//')
while read -r pkg; do
  grep -q "^- '$pkg " "$tmp/introspect.txt" || { echo "ee: system package $pkg not found by introspection"; status=1; }
done < <(grep -v '^#' bindep.txt | grep -v '^$' | cut -d' ' -f1 | sort -u)
[ $status -eq 0 ] && echo "ee check: ansible-builder create renders the context; introspection finds $(grep -c "^- '" "$tmp/introspect.txt") requirement(s)"
exit $status
