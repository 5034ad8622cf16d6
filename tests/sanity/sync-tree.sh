#!/usr/bin/env bash
# Mirrors the files git knows (tracked and untracked-but-not-ignored) into DEST, the
# ansible_collections/netdoctor/openstack tree ansible-test needs, keeping DEST/tests/output
# (ansible-test's virtual environments) so later runs reuse them.
set -euo pipefail
dest=$1
mkdir -p "$dest"
find "$dest" -mindepth 1 -maxdepth 1 ! -name tests -exec rm -rf {} +
[ -d "$dest/tests" ] && find "$dest/tests" -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf {} +
git ls-files -co --exclude-standard -z | while IFS= read -r -d '' path; do
  [ -e "$path" ] && printf '%s\0' "$path"
done | xargs -0 -r cp -a --parents -t "$dest"
