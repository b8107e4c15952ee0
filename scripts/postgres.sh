#!/usr/bin/env bash
# Start (or stop) a private PostgreSQL cluster for the test suite; idempotent.
#   scripts/postgres.sh start   -> prints the database URL on its last line
#   scripts/postgres.sh stop
set -euo pipefail
PORT="${LAB_TEST_PG_PORT:-54329}"
NAME=labtest
case "${1:-start}" in
start)
    if ! command -v pg_createcluster >/dev/null 2>&1; then
        [ "$(id -u)" -eq 0 ] || { echo "postgres: install postgresql (apt-get install postgresql)" >&2; exit 3; }
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1 \
            || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
    fi
    VERSION=$(ls /usr/lib/postgresql | sort -n | tail -1)
    if ! pg_lsclusters -h | awk '{print $2}' | grep -qx "$NAME"; then
        pg_createcluster "$VERSION" "$NAME" -p "$PORT" -- --auth=trust >/dev/null
    fi
    pg_ctlcluster "$VERSION" "$NAME" start 2>/dev/null || true
    for _ in $(seq 40); do
        pg_isready -q -h 127.0.0.1 -p "$PORT" && break
        sleep 0.25
    done
    su postgres -c "psql -h 127.0.0.1 -p $PORT -tAc \"select 1 from pg_database where datname='labtest'\"" | grep -q 1 \
        || su postgres -c "createdb -h 127.0.0.1 -p $PORT labtest"
    echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/labtest"
    ;;
stop)
    VERSION=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
    [ -n "$VERSION" ] && pg_ctlcluster "$VERSION" "$NAME" stop 2>/dev/null || true
    ;;
esac
