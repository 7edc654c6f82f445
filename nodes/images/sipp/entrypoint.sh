#!/bin/sh
# The test phones. A local lab's phones share this container (a phone bank), each at an address
# of its own: Docker gives the container the first, and UMLAB_SECONDARY_ADDRESSES (address/prefix,
# on the same network) are added to that interface here, which needs CAP_NET_ADMIN. Phones only
# place and take calls when the call driver runs SIPp or baresip in here; the container idles.
set -e
if [ -n "${UMLAB_SECONDARY_ADDRESSES:-}" ]; then
  first=${UMLAB_ADDRESSES%% *}
  dev=$(ip -o -4 addr show | awk -v a="$first" 'index($4, a "/") == 1 { print $2; exit }')
  if [ -z "$dev" ]; then echo "umlab: no interface holds $first" >&2; exit 1; fi
  for a in $UMLAB_SECONDARY_ADDRESSES; do ip addr add "$a" dev "$dev"; done
fi
. /usr/local/lib/umlab-node.sh
exec sleep infinity
