#!/bin/sh
# Starts the media relay when the rendered configuration asks for one and waits until its control
# socket is bound (Kamailio's rtpengine module disables a relay that does not answer at start-up),
# then runs Kamailio in the foreground.
set -e
. /usr/local/lib/umlab-node.sh
if [ -f /etc/umlab/rtpengine.conf ]; then
  rtpengine --config-file=/etc/umlab/rtpengine.conf --config-section=rtpengine &
  port=$(sed -n 's/^listen-ng *= *.*:\([0-9]*\)$/\1/p' /etc/umlab/rtpengine.conf)
  hex=$(printf ':%04X ' "$port")
  i=0
  until grep -q "$hex" /proc/net/udp; do
    i=$((i + 1))
    if [ "$i" -gt 100 ]; then echo "umlab: rtpengine did not bind its control port $port" >&2; exit 1; fi
    sleep 0.1
  done
fi
exec kamailio -DD -E -f /etc/umlab/kamailio.cfg
