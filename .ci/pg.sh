#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests: Debian's PostgreSQL
# binaries, run as the postgres user (initdb refuses root), data and socket
# in a temporary folder, trust authentication, listening on 127.0.0.1 only,
# on a port that is not the distribution's 5432.
#   source .ci/pg.sh; pg_start; ... ; pg_stop
# pg_start exports ART35_TEST_POSTGRES.
# Sourced: it sets no shell options of its own.

PG_PORT=${PG_PORT:-54329}
PG_BIN=""

pg_find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ]; then PG_BIN=$d; fi
  done
  [ -n "$PG_BIN" ] || { echo "pg.sh: no PostgreSQL server binaries under /usr/lib/postgresql" >&2; return 1; }
}

pg_start() {
  pg_find_bin
  PG_DIR=$(mktemp -d /tmp/art35-pg.XXXXXX)
  chown postgres:postgres "$PG_DIR"
  (cd / && runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres -E UTF8 >"$PG_DIR/initdb.log" 2>&1) || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  (cd / && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=on -c max_connections=400" start >/dev/null) || { cat "$PG_DIR/server.log" >&2; return 1; }
  (cd / && runuser -u postgres -- "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres art35)
  export ART35_TEST_POSTGRES="postgres://postgres@127.0.0.1:$PG_PORT/art35?sslmode=disable"
  export PG_DIR PG_BIN
  echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (data in $PG_DIR)"
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] || return 0
  (cd / && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1) || true
  rm -rf "$PG_DIR"
}
