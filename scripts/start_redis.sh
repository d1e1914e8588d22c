#!/usr/bin/env bash
# Start a throwaway Redis server on loopback for the clinic's queue tests and print its URL.
#
#   url=$(scripts/start_redis.sh)              # installs Debian's redis-server if missing
#   HIPWISE_TEST_REDIS_URL=$url pytest tests/clinic
#   scripts/start_redis.sh --stop              # stop it and delete its data directory
#
# The server lives in REDIS_DIR (default /tmp/hipwise-redis), listens on 127.0.0.1 only (port
# REDIS_PORT, default 63799), keeps an append-only file there (so a restart keeps queued
# messages), and logs to $REDIS_DIR/redis.log. Only the URL is printed on stdout.
set -euo pipefail
REDIS_PORT=${REDIS_PORT:-63799}
REDIS_DIR=${REDIS_DIR:-/tmp/hipwise-redis}
log() { echo "start_redis: $*" >&2; }

if ! command -v redis-server >/dev/null 2>&1; then
  log "installing Debian's redis-server package"
  if [ "$(id -u)" -ne 0 ]; then log "need root to install redis-server (or install it yourself)"; exit 1; fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
fi

if [ "${1:-}" = "--stop" ]; then
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$REDIS_DIR"
  exit 0
fi

mkdir -p "$REDIS_DIR"
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" --daemonize yes \
    --appendonly yes --appendfsync always --save "" --protected-mode yes \
    --logfile "$REDIS_DIR/redis.log" --pidfile "$REDIS_DIR/redis.pid" >&2
  for _ in $(seq 1 50); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null || { log "redis did not start"; exit 1; }
fi
echo "redis://127.0.0.1:$REDIS_PORT/0"
