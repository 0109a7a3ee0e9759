#!/usr/bin/env bash
# Triage benchmark of issue 5, one command:
#
#   bench/ipdb/run.sh [LINES] [WORKDIR]
#
# LINES defaults to 10,000,000 (about 1 GB of combined log); use 1000000
# for a quick check. WORKDIR (default: a new folder under /tmp) keeps the
# generated log and mmdb between runs, so a second run skips generation.
#
# On the same generated log it times
#   (a) LC_ALL=C awk '{print $1}' | sort | uniq -c   counts only, no attribution
#   (b) a plain Go program looking up each line with maxminddb-golang in an
#       mmdb built from the same data as art35's embedded snapshot
#   (c) art35 triage --from US --json                 attribution, times, routes, report
# and prints wall time, lines/s, peak memory (maximum resident set of the
# largest process, from /usr/bin/time) and the ratios c/a and c/b (below 1:
# art35 is faster). It also reports the embedded database's size and the
# time art35 takes to answer one attribution (dominated by loading it).
set -euo pipefail

LINES=${1:-10000000}
WORK=${2:-$(mktemp -d /tmp/art35-bench.XXXXXX)}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$WORK/bin"
cd "$ROOT"

echo "building into $WORK/bin ..." >&2
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$WORK/bin/" ./cmd/art35 ./bench/ipdb/genlog ./bench/ipdb/mkmmdb ./bench/ipdb/mmdbcount
BIN=$WORK/bin
LOG=$WORK/access-$LINES.log
MMDB=$WORK/same-data.mmdb
if [ ! -s "$LOG" ]; then
	echo "generating $LINES lines into $LOG ..." >&2
	"$BIN/genlog" -lines "$LINES" -out "$LOG"
fi
if [ ! -s "$MMDB" ]; then
	echo "building $MMDB from art35's embedded data (about half a minute) ..." >&2
	"$BIN/mkmmdb" -out "$MMDB"
fi
cat "$LOG" > /dev/null # same page-cache state for every contender

# measure NAME COMMAND...: runs COMMAND under /usr/bin/time, keeps
# "elapsed-seconds max-rss-KB" in $WORK/NAME.time.
measure() {
	local name=$1
	shift
	echo "running ($name) ..." >&2
	/usr/bin/time -f '%e %M' -o "$WORK/$name.time" bash -c "$*" > "$WORK/$name.out" 2> "$WORK/$name.err"
}
measure a "LC_ALL=C awk '{print \$1}' '$LOG' | LC_ALL=C sort | LC_ALL=C uniq -c"
measure b "'$BIN/mmdbcount' -db '$MMDB' '$LOG'"
measure c "'$BIN/art35' triage --from US --json '$LOG'"
measure load "'$BIN/art35' attribute 121.16.109.40 --json"
measure version "'$BIN/art35' version"

SIZE=$(stat -c %s "$LOG")
BINSIZE=$(stat -c %s "$BIN/art35")
EMBED=$(stat -c %s internal/ipdb/data/default.a35ip)
UNIQUE=$(sed -n 's/^  "unique_ips": \([0-9]*\),$/\1/p' "$WORK/c.out")
echo
echo "art35 triage benchmark: $LINES lines, $((SIZE / 1000000)) MB, $UNIQUE distinct addresses; $(nproc) CPUs; $(date -u +%Y-%m-%dT%H:%M:%SZ)"
awk -v lines="$LINES" -v work="$WORK" 'BEGIN {
	split("a b c", ids, " ")
	names["a"] = "(a) awk | sort | uniq -c"
	names["b"] = "(b) Go + maxminddb-golang"
	names["c"] = "(c) art35 triage"
	printf "%-28s %10s %14s %10s\n", "contender", "wall s", "lines/s", "peak MB"
	for (i = 1; i <= 3; i++) {
		id = ids[i]
		getline line < (work "/" id ".time")
		split(line, f, " ")
		wall[id] = f[1]; rss[id] = f[2] / 1024
		printf "%-28s %10.2f %14.0f %10.1f\n", names[id], wall[id], (wall[id] > 0 ? lines / wall[id] : 0), rss[id]
	}
	printf "\nc/a = %.2f (art35 %.1fx faster than awk|sort|uniq, target >= 3x)\n", wall["c"] / wall["a"], wall["a"] / wall["c"]
	printf "c/b = %.2f (art35 %.1fx faster than plain Go + mmdb, target >= 2x)\n", wall["c"] / wall["b"], wall["b"] / wall["c"]
	printf "art35 peak memory %.1f MB (target < 300 MB)\n", rss["c"]
	getline line < (work "/load.time"); split(line, f, " "); l = f[1]
	getline line < (work "/version.time"); split(line, f, " "); v = f[1]
	printf "one attribution (loads the embedded database): %.2f s wall; art35 version: %.2f s\n", l, v
}'
echo "embedded database: $EMBED bytes; art35 binary (stripped): $BINSIZE bytes"
echo "outputs and timings: $WORK"
