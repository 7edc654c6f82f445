#!/bin/sh
# Sourced by every umlab entrypoint. Announces the node (the runtime waits for this line), then
# waits until every address in UMLAB_ADDRESSES is on an interface: a node on two networks (the
# edge) gets its second network attached right after it starts, and its daemons bind to both.
echo "umlab: node ${UMLAB_NODE:-?} starting"
for addr in ${UMLAB_ADDRESSES:-}; do
  i=0
  until grep -q -- "-- $addr\$" /proc/net/fib_trie 2>/dev/null; do
    i=$((i + 1))
    if [ "$i" -gt 300 ]; then echo "umlab: address $addr never appeared" >&2; exit 1; fi
    sleep 0.1
  done
done
echo "umlab: node ${UMLAB_NODE:-?} has its addresses"
