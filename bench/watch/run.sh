#!/usr/bin/env bash
# One command for the issue-8 benchmark: the story-2 watch relay at a fixed
# event rate against its fsync floor, then a ping campaign to an N-node test
# network. Bounded: at most 500 events/s, 120 s, 120 nodes.
#   bench/watch/run.sh [-rate 50] [-seconds 60] [-ping-nodes 80] [-skip-watch]
set -euo pipefail
cd "$(dirname "$0")/../.."
go run ./bench/watch "$@"
