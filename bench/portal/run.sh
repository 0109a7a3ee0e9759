#!/usr/bin/env bash
# One command for the issue-16 compose measure: a preservation request for
# one IP address, from the inbox to sent, in scripted Chromium, art35's
# attribution against the plain compose form, steps and seconds.
# Bounded: at most 10 runs of each, loopback only. Needs /usr/bin/chromium.
#   bench/portal/run.sh [-runs 3]
set -euo pipefail
cd "$(dirname "$0")/../.."
go run ./bench/portal "$@"
