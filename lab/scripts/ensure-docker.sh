#!/usr/bin/env bash
# Make sure a Docker engine answers. An engine that already runs is left alone;
# otherwise the engine is installed from the Debian archive (if missing) and started.
set -euo pipefail

if docker info >/dev/null 2>&1; then
  echo "docker: an engine already answers"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "docker: no engine answers and this is not root; start a Docker engine (dockerd) and retry" >&2
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "docker: installing docker.io from the Debian archive"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

log=${UMLAB_DOCKERD_LOG:-/var/log/umlab-dockerd.log}
echo "docker: starting dockerd (log: $log)"
nohup dockerd >"$log" 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo "docker: engine is up"
    exit 0
  fi
  sleep 1
done
echo "docker: dockerd did not answer within 60 s; see $log" >&2
tail -20 "$log" >&2 || true
exit 1
