#!/usr/bin/env bash
# Provide the base images umlab's Dockerfiles start FROM: debian:trixie-slim and debian:sid-slim.
# Where a registry answers they are pulled; on an air-gapped machine they are built with
# debootstrap from the Debian archive and imported (about 20 s each).
set -euo pipefail

want=("trixie" "sid")
[ $# -gt 0 ] && want=("$@")

for suite in "${want[@]}"; do
  tag="debian:${suite}-slim"
  if docker image inspect "$tag" >/dev/null 2>&1; then
    echo "base image $tag: present"
    continue
  fi
  if [ "${UMLAB_TRY_PULL:-1}" = 1 ] && timeout 60 docker pull -q "$tag" >/dev/null 2>&1; then
    echo "base image $tag: pulled"
    continue
  fi
  if ! command -v debootstrap >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
      echo "base image $tag: cannot be pulled and debootstrap is missing (apt-get install debootstrap as root)" >&2
      exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  fi
  dir=$(mktemp -d "/tmp/umlab-rootfs-${suite}.XXXXXX")
  echo "base image $tag: no registry answers; building it with debootstrap (minbase $suite)"
  start=$(date +%s)
  if ! debootstrap --variant=minbase "$suite" "$dir" >"$dir.log" 2>&1; then
    echo "base image $tag: debootstrap failed; last lines of $dir.log:" >&2
    tail -20 "$dir.log" >&2
    rm -rf "$dir"
    exit 1
  fi
  tar -C "$dir" -c . | docker import - "$tag" >/dev/null
  rm -rf "$dir" "$dir.log"
  echo "base image $tag: built in $(( $(date +%s) - start )) s"
done
