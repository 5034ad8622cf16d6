#!/usr/bin/env bash
# Builds the lab's DKMS-style packages netdoctor-lab-r8152-dkms_VERSION-1_all.deb from
# netdoctor-lab-r8152/ (one per VERSION argument) and a flat apt repository (Packages.gz) in OUT.
# Usage: build-repo.sh OUT VERSION...
set -euo pipefail
out=$1; shift
src=$(cd "$(dirname "$0")/netdoctor-lab-r8152" && pwd)
rm -rf "$out"; mkdir -p "$out"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for version in "$@"; do
  root="$work/$version"
  dest="$root/usr/src/netdoctor-lab-r8152-$version"
  mkdir -p "$dest" "$root/DEBIAN"
  for f in r8152.c Makefile dkms.conf; do sed "s/@VERSION@/$version/g" "$src/$f" > "$dest/$f"; done
  for f in control postinst prerm; do sed "s/@VERSION@/$version/g" "$src/$f" > "$root/DEBIAN/$f"; done
  chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm"
  dpkg-deb --build --root-owner-group "$root" "$out/netdoctor-lab-r8152-dkms_${version}-1_all.deb" > /dev/null
done
(cd "$out" && dpkg-scanpackages --multiversion . /dev/null 2> /dev/null | gzip -9c > Packages.gz)
