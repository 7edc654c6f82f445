#!/bin/sh
# Installs the rendered configuration and greetings, then runs Asterisk in the foreground.
set -e
cp /etc/umlab/asterisk/*.conf /etc/asterisk/
if [ -d /etc/umlab/greetings ]; then
  (cd /etc/umlab/greetings && find . -type f) | while read -r f; do
    mkdir -p "/var/spool/asterisk/voicemail/$(dirname "$f")"
    cp "/etc/umlab/greetings/$f" "/var/spool/asterisk/voicemail/$f"
  done
fi
chown -R asterisk:asterisk /var/spool/asterisk /var/log/asterisk /var/lib/asterisk 2>/dev/null || true
exec asterisk -f -U asterisk -G asterisk
