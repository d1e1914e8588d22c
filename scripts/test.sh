#!/usr/bin/env bash
# Run every check of hipwise: ruff, mypy (strict), and the test suite against SQLite and a
# throwaway PostgreSQL and Redis (started here; their tests skip with a reason if they cannot
# start).
set -euo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate
echo "== ruff"; ruff check src tests
echo "== mypy"; mypy
started_pg=0
if [ -z "${HIPWISE_TEST_POSTGRES_URL:-}" ]; then
  if url=$(bash scripts/start_postgres.sh); then
    export HIPWISE_TEST_POSTGRES_URL="$url"
    started_pg=1
  else
    echo "PostgreSQL could not be started: its store tests will be skipped" >&2
  fi
fi
started_redis=0
if [ -z "${HIPWISE_TEST_REDIS_URL:-}" ]; then
  if url=$(bash scripts/start_redis.sh); then
    export HIPWISE_TEST_REDIS_URL="$url"
    started_redis=1
  else
    echo "Redis could not be started: the clinic queue tests will be skipped" >&2
  fi
fi
cleanup() {
  if [ "$started_pg" = 1 ]; then bash scripts/start_postgres.sh --stop >/dev/null 2>&1 || true; fi
  if [ "$started_redis" = 1 ]; then bash scripts/start_redis.sh --stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
echo "== pytest"
python -m pytest -q "$@"
