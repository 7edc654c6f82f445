#!/bin/sh
# Starts the media relay when the rendered configuration asks for one and waits until its control
# socket is bound (Kamailio's rtpengine module disables a relay that does not answer at start-up),
# then runs Kamailio in the foreground.
#
# Both run unprivileged: rtpengine as the rtpengine user (no kernel forwarding, ports above 1024),
# Kamailio as the kamailio user (-u/-g: it binds its sockets as root, then drops root before its
# modules read their files). So Kamailio reads a private copy of /etc/umlab, /run/umlab, made at
# every start, owned by root and readable by the kamailio group only: a TLS key written owner-only,
# or under a read-only mount (Azure), still loads, and nobody else can read it. The configuration's
# relative paths (include_file, tls.cfg's files) resolve against that copy.
# UMLAB_DIALOG_KEY: the secret of the dialog marks (dialog-mark.cfg), drawn anew at every start and
# kept in the environment of Kamailio alone.
set -e
. /usr/local/lib/umlab-node.sh
if [ -f /etc/umlab/rtpengine.conf ]; then
  setpriv --reuid=rtpengine --regid=rtpengine --init-groups -- \
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
rm -rf /run/umlab
cp -R /etc/umlab /run/umlab
chown -R root:kamailio /run/umlab
chmod -R u=rwX,g=rX,o= /run/umlab
UMLAB_DIALOG_KEY=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
export UMLAB_DIALOG_KEY
cd /
exec kamailio -DD -E -u kamailio -g kamailio -f /run/umlab/kamailio.cfg
