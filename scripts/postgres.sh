#!/usr/bin/env bash
# Runs a PostgreSQL 15 instance of the project's own, set up the way a production server would be,
# for `npm run bench` (docs/performance.md):
#
#   scripts/postgres.sh start|stop|status
#
# Environment (all optional):
#   PG_PORT  port on 127.0.0.1 (default 25432)
#   PG_DIR   data folder (default /tmp/graph-postgres-<port>; owned by the postgres user, which
#            initdb needs when run as root)
#
# Two differences from the machine's shared instance, both measured (docs/performance.md):
# - autovacuum is on (PostgreSQL's default; the shared instance has it off, a CI setting);
# - glibc's malloc keeps freed memory in each backend instead of trimming the heap after every
#   transaction: MALLOC_TRIM_THRESHOLD_ and MALLOC_TOP_PAD_ in the server's environment. Each trim
#   and regrowth cost a brk and, on this VM, a TLB shootdown across the cores; the write functions
#   ran 20-43 % more calls/s under pgbench without them. A backend then holds on to its peak heap.
set -euo pipefail

PG_PORT="${PG_PORT:-25432}"
PG_DIR="${PG_DIR:-/tmp/graph-postgres-${PG_PORT}}"
BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
MALLOC_ENV=(MALLOC_TRIM_THRESHOLD_=67108864 MALLOC_TOP_PAD_=16777216)

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- env "${MALLOC_ENV[@]}" "$@"; else env "${MALLOC_ENV[@]}" "$@"; fi
}

log() { echo "[postgres.sh:${PG_PORT}] $*"; }

case "${1:-}" in
  start)
    if [ ! -f "$PG_DIR/PG_VERSION" ]; then
      mkdir -p "$PG_DIR"
      [ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
      as_postgres "$BIN/initdb" -D "$PG_DIR" -U postgres --auth=trust --no-sync > /dev/null
      cat >> "$PG_DIR/postgresql.conf" <<EOF
port = ${PG_PORT}
listen_addresses = '127.0.0.1'
unix_socket_directories = '/tmp'
shared_buffers = 128MB
max_connections = 200
EOF
      log "initialised $PG_DIR"
    fi
    if as_postgres "$BIN/pg_ctl" -D "$PG_DIR" status > /dev/null 2>&1; then
      log "already running"
    else
      as_postgres "$BIN/pg_ctl" -D "$PG_DIR" -l "$PG_DIR/server.log" -w start > /dev/null
      log "ready on 127.0.0.1:${PG_PORT} (postgres://postgres@127.0.0.1:${PG_PORT}/postgres)"
    fi
    ;;
  stop)
    as_postgres "$BIN/pg_ctl" -D "$PG_DIR" -m fast -w stop > /dev/null 2>&1 && log "stopped" || log "not running"
    ;;
  status)
    as_postgres "$BIN/pg_ctl" -D "$PG_DIR" status > /dev/null 2>&1 && log "running" || { log "not running"; exit 1; }
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
