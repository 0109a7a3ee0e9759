#!/usr/bin/env bash
# One command for the federation benchmark: starts a throwaway PostgreSQL
# cluster when the server binaries are installed, then runs the benchmark
# on SQLite and PostgreSQL with the fsync floor measured in the same run.
#   bench/federation/run.sh [-n 3000] [-c 8] [-rate 100] [-seconds 5] [-rounds 3]
set -euo pipefail
cd "$(dirname "$0")/../.."
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  source .ci/pg.sh
  PG_PORT=${PG_PORT:-54399} pg_start >/dev/null
  trap pg_stop EXIT
fi
go run ./bench/federation "$@"
