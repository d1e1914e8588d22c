#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on loopback for the store tests and print its URL.
#
#   url=$(scripts/start_postgres.sh)            # installs Debian's postgresql if missing
#   HIPWISE_TEST_POSTGRES_URL=$url pytest tests/store tests/program
#   scripts/start_postgres.sh --stop            # stop it and delete its data directory
#
# The cluster lives in a temporary directory (PGDATA, default /tmp/hipwise-pg), runs as the
# `postgres` system user when started by root, listens on 127.0.0.1 only (port PGPORT, default
# 54329), trusts local connections (test use only, never for real data) and has one database,
# `hipwise_test`. Logs go to $PGDATA/server.log. Only the URL is printed on stdout.
set -euo pipefail
PGPORT=${PGPORT:-54329}
PGDATA=${PGDATA:-/tmp/hipwise-pg}
DBNAME=${PGDATABASE_NAME:-hipwise_test}
log() { echo "start_postgres: $*" >&2; }

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

BIN=$(find_bin || true)
if [ -z "$BIN" ]; then
  log "installing Debian's postgresql package"
  if [ "$(id -u)" -ne 0 ]; then log "need root to install postgresql (or install it yourself)"; exit 1; fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  BIN=$(find_bin)
fi

# Run a command as the cluster owner (postgres refuses to run as root).
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if [ "${1:-}" = "--stop" ]; then
  if [ -f "$PGDATA/PG_VERSION" ]; then
    as_owner "$BIN/pg_ctl" -D "$PGDATA" -m fast stop >&2 || true
    rm -rf "$PGDATA"
  fi
  exit 0
fi

if [ ! -f "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$PGDATA"
  chmod 700 "$PGDATA"
  as_owner "$BIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --no-locale >&2
fi

if ! as_owner "$BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
  as_owner "$BIN/pg_ctl" -D "$PGDATA" -w -t 60 -l "$PGDATA/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDATA -c fsync=off -c max_connections=50" \
    start >&2
fi

PSQL=("$BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
if [ "$("${PSQL[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname='$DBNAME'")" != "1" ]; then
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE $DBNAME" >&2
fi
echo "postgresql+psycopg://postgres@127.0.0.1:$PGPORT/$DBNAME"
