#!/usr/bin/env bash
# Builds the lab node image localhost/netdoctor-node (Debian bookworm, systemd as PID 1, OVS)
# with debootstrap + podman import, then an OVS layer with podman build. Skips the work when an
# image built from the same recipe (hash of lab/image/* and this script) already exists.
#
# Variants: lab/variants/NAME/Containerfile (FROM ${BASE}, the node image) builds
# localhost/netdoctor-NAME, for scenarios that need heavy extras (a compiler, a database) that the
# demo's nodes do not. `build-image.sh NAME...` builds the node image and those variants;
# `build-image.sh --all` every variant. Each is cached by the node recipe plus its own directory.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
image=${NETDOCTOR_LAB_IMAGE:-localhost/netdoctor-node}
mirror=${NETDOCTOR_DEBIAN_MIRROR:-http://deb.debian.org/debian}
workdir=${NETDOCTOR_LAB_WORKDIR:-$here/../.build/lab}

recipe_hash=$(cat "$here/build-image.sh" "$here"/image/* | sha256sum | cut -c1-16)

current=$(podman image inspect --format '{{ index .Labels "netdoctor.recipe" }}' "$image:latest" 2>/dev/null || true)
build_variants() {
  local names=("$@") name dir vimage vhash vcurrent
  if [ "${names[0]:-}" = --all ]; then
    names=()
    for dir in "$here"/variants/*/; do [ -f "$dir/Containerfile" ] && names+=("$(basename "$dir")"); done
  fi
  for name in "${names[@]}"; do
    dir="$here/variants/$name"
    [ -f "$dir/Containerfile" ] || { echo "no lab variant $name ($dir/Containerfile)" >&2; exit 1; }
    vimage="localhost/netdoctor-$name"
    vhash=$( (echo "$recipe_hash"; find "$dir" -type f -print0 | sort -z | xargs -0 cat) | sha256sum | cut -c1-16)
    vcurrent=$(podman image inspect --format '{{ index .Labels "netdoctor.recipe" }}' "$vimage:latest" 2>/dev/null || true)
    if [ "$vcurrent" = "$vhash" ]; then
      echo "lab image $vimage is up to date (recipe $vhash)"
      continue
    fi
    echo "building lab image $vimage (recipe $vhash)"
    podman build --network host --build-arg "BASE=$image:latest" --label "netdoctor.recipe=$vhash" \
      -t "$vimage:latest" -f "$dir/Containerfile" "$dir" > "$workdir/variant-$name.log" 2>&1 \
      || { tail -30 "$workdir/variant-$name.log"; exit 1; }
    echo "lab image $vimage built (recipe $vhash)"
  done
}

mkdir -p "$workdir"
if [ "$current" = "$recipe_hash" ]; then
  echo "lab image $image is up to date (recipe $recipe_hash)"
  build_variants "$@"
  exit 0
fi

echo "building lab image $image (recipe $recipe_hash)"
rootfs=$(mktemp -d "$workdir/rootfs.XXXXXX")
trap 'rm -rf "$rootfs"' EXIT

includes=$(grep -v '^#' "$here/image/packages.txt" | grep -v '^$' | paste -sd, -)
debootstrap --variant=minbase --include="$includes" bookworm "$rootfs" "$mirror" > "$workdir/debootstrap.log" 2>&1 \
  || { tail -30 "$workdir/debootstrap.log"; exit 1; }
# apt inside the image uses the same mirror as debootstrap did
echo "deb $mirror bookworm main" > "$rootfs/etc/apt/sources.list"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*

base="$image-base:$recipe_hash"
tar -C "$rootfs" -c . | podman import --change 'CMD ["/sbin/init"]' - "$base" > /dev/null
podman build --network host --build-arg "BASE=$base" --label "netdoctor.recipe=$recipe_hash" \
  -t "$image:latest" -f "$here/image/Containerfile" "$here/image"
podman rmi "$base" > /dev/null 2>&1 || true
echo "lab image $image built (recipe $recipe_hash)"
build_variants "$@"
