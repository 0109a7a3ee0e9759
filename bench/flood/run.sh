#!/usr/bin/env bash
# The flood benchmark of issue 11, one command, loopback only, bounded:
#   bash bench/flood/run.sh [-seconds 10] [-rate 20] [-signins 200] [-bodies 40] [-forged 2000]
set -euo pipefail
cd "$(dirname "$0")/../.."
go build -o /tmp/art35-flood-bench ./bench/flood
exec /tmp/art35-flood-bench "$@"
