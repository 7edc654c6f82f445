#!/bin/sh
# Installs the rendered configuration, TLS material and greetings, then runs Asterisk in the foreground.
set -e
. /usr/local/lib/umlab-node.sh
cp /etc/umlab/asterisk/*.conf /etc/asterisk/
if [ -d /etc/umlab/tls ]; then
  mkdir -p /etc/asterisk/keys
  cp /etc/umlab/tls/* /etc/asterisk/keys/
  chown -R asterisk:asterisk /etc/asterisk/keys
  chmod 600 /etc/asterisk/keys/node.key
fi
if [ -d /etc/umlab/greetings ]; then
  cp -r /etc/umlab/greetings/. /var/spool/asterisk/voicemail/
fi
chown -R asterisk:asterisk /var/spool/asterisk /var/log/asterisk /var/lib/asterisk /var/run/asterisk 2>/dev/null || true
exec asterisk -f -U asterisk -G asterisk
