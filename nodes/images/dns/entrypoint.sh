#!/bin/sh
# Runs dnsmasq in the foreground with the rendered configuration; its query log goes to stderr,
# the container's log. The runtime restarts the container to make dnsmasq read its records again
# (lab/runtime/dns.ts: a record taken out or put back).
set -e
. /usr/local/lib/umlab-node.sh
exec dnsmasq --keep-in-foreground --conf-file=/etc/umlab/dnsmasq.conf
