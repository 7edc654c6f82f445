#!/bin/sh
# Installs the rendered configuration and greetings, starts the provider's SIP proxy when the node
# has one (the hosted UM: it holds the TLS material, in /etc/umlab/tls), then runs Asterisk in the
# foreground.
set -e
. /usr/local/lib/umlab-node.sh
cp /etc/umlab/asterisk/*.conf /etc/asterisk/
if [ -d /etc/umlab/greetings ]; then
  cp -r /etc/umlab/greetings/. /var/spool/asterisk/voicemail/
fi
chown -R asterisk:asterisk /var/spool/asterisk /var/log/asterisk /var/lib/asterisk /var/run/asterisk 2>/dev/null || true
# The hosted UM: the provider's SIP proxy in front of Asterisk (federation TLS outside, loopback
# inside), unprivileged like the lab's other Kamailios, from a private copy of its files.
if [ -f /etc/umlab/kamailio.cfg ]; then
  rm -rf /run/umlab
  mkdir -p /run/umlab
  # Every Kamailio file the renderers made (kamailio.cfg and what it includes), and the TLS material.
  cp -R /etc/umlab/*.cfg /etc/umlab/tls /run/umlab/
  chown -R root:kamailio /run/umlab
  chmod -R u=rwX,g=rX,o= /run/umlab
  (cd / && exec kamailio -DD -E -u kamailio -g kamailio -f /run/umlab/kamailio.cfg) &
fi
exec asterisk -f -U asterisk -G asterisk
