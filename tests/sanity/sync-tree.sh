#!/usr/bin/env bash
# Mirrors the files git knows (tracked and untracked-but-not-ignored) into DEST, the
# ansible_collections/netdoctor/openstack tree ansible-test needs. DEST sits inside this
# repository's ignored .build/, so it is made a git repository of its own: ansible-test asks
# git which files exist, and would otherwise see none. DEST/tests/output (ansible-test's
# virtual environments) is kept so later runs reuse them.
set -euo pipefail
dest=$1
mkdir -p "$dest"
find "$dest" -mindepth 1 -maxdepth 1 ! -name tests ! -name .git -exec rm -rf {} +
if [ -d "$dest/tests" ]; then
  find "$dest/tests" -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf {} +
fi
git ls-files -co --exclude-standard -z | while IFS= read -r -d '' path; do
  if [ -e "$path" ]; then printf '%s\0' "$path"; fi
done | xargs -0 -r cp -a --parents -t "$dest"
cd "$dest"
[ -d .git ] || git init -q
git add -A
