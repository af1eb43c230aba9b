#!/usr/bin/env bash
# Starts the local services the test suite talks to (see the `env` notes), only when they are down.
set -u
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
start() {
  local port=$1 name=$2; shift 2
  up "$port" && return 0
  echo "Starting $name on 127.0.0.1:$port..."
  "$@" >/dev/null 2>&1 || echo "Could not start $name: run '$*' by hand." >&2
  for _ in $(seq 1 30); do up "$port" && return 0; sleep 0.5; done
  echo "$name is still down on port $port; tests that need it will fail." >&2
}
start 5432 PostgreSQL sh -c 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'
start 6379 Redis redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
start 1883 Mosquitto mosquitto -d -c /etc/mosquitto/mosquitto.conf
start 4222 NATS start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
# The e-mail tests start their own throwaway Dovecot (tests/sources/dovecot.py); only the binary is needed.
if ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; then
  echo "Installing Debian's dovecot-imapd for the e-mail tests (a private instance per test run, never the system one)..."
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null; fi \
    || echo "Could not install dovecot-imapd: the e-mail tests will fail." >&2
fi
exit 0
