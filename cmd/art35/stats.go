package main

import (
	"context"
	"flag"
	"strings"
	"time"

	"github.com/art35/art35/internal/stats"
)

var statsCmd = &command{
	name:  "stats",
	short: "statistics of this node's casework: volumes, response times, ack clock, MLA follow-up, declines, pings",
	usage: "stats --data DIR [--from DATE] [--to DATE] [--by country|type|priority] [--exercise] [--json|--csv [--pings]]",
	long: `Stats computes, from this node's own casework, per partner country, request
type or priority over a period: the requests sent and received; the time from
sending to the machine receipt, to a person's acknowledgement, to preservation
and to disclosure (median, 90th percentile and maximum); the share acknowledged
within the acknowledgement clock of its priority; the share of preservations
followed by an MLA request; the declines by reason code; and the ping tests
(reachable, answered by a person, how fast).

A request belongs to the period in which it left its sender; its later steps
count even after the period ends. --from and --to take a date (2026-01-01; a
--to date includes that whole day, UTC) or an RFC 3339 time. Without them the
period is everything up to now.

The figures are counts and durations only: no name, reference or other
personal data. Exercises (envelopes with the exercise flag) and tests (ping
requests) are never counted with real work; --exercise reports the exercises
alone. --csv prints the request figures (durations in seconds); with --pings it
prints the ping rows instead. See docs/stats.md.

Examples:
	art35 stats --data ./us-node
	art35 stats --data ./us-node --from 2026-01-01 --to 2026-12-31 --by type
	art35 stats --data ./us-node --json
	art35 stats --data ./us-node --csv --pings`,
}

func init() {
	statsCmd.run = runStats
	register(statsCmd)
}

func runStats(ctx context.Context, e *env, args []string) error {
	var from, to, by string
	var asJSON, asCSV, pings, exercise bool
	n, pos, err := openNode(ctx, e, statsCmd, "", args, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "start of the period: a date (UTC) or an RFC 3339 time (default: the beginning)")
		fs.StringVar(&to, "to", "", "end of the period: a date (that whole day, UTC) or an RFC 3339 time (default: now)")
		fs.StringVar(&by, "by", "country", "group rows by country, type or priority")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
		fs.BoolVar(&asCSV, "csv", false, "print CSV")
		fs.BoolVar(&pings, "pings", false, "with --csv: print the ping rows instead of the request figures")
		fs.BoolVar(&exercise, "exercise", false, "report the exercises alone instead of real work")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	if len(pos) > 0 {
		return usagef("unexpected argument %q: stats takes flags only", pos[0])
	}
	if asJSON && asCSV {
		return usagef("--json and --csv exclude each other: choose one")
	}
	if pings && !asCSV {
		return usagef("--pings goes with --csv (text and JSON show the pings anyway)")
	}
	q := stats.Query{Scope: stats.ScopeReal}
	if exercise {
		q.Scope = stats.ScopeExercise
	}
	if q.By, err = stats.ParseDimension(by); err != nil {
		return usagef("--by: %q is not a grouping; use country, type or priority", by)
	}
	if q.From, err = parseStatsTime(from, false); err != nil {
		return usagef("--from: %v", err)
	}
	if q.To, err = parseStatsTime(to, true); err != nil {
		return usagef("--to: %v", err)
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		return usagef("--to (%s) must be after --from (%s)", q.To.Format(time.RFC3339), q.From.Format(time.RFC3339))
	}
	r, err := stats.New(n.DB, n.Clock).Compute(ctx, q)
	if err != nil {
		return err
	}
	switch {
	case asJSON:
		return pingJSON(e, r)
	case asCSV && pings:
		return stats.WritePingsCSV(e.stdout, r)
	case asCSV:
		return stats.WriteCSV(e.stdout, r)
	}
	return stats.WriteText(e.stdout, r)
}

// parseStatsTime reads a period bound: "" is none, a date is midnight UTC
// (the next midnight for an end, so that the day is included), anything
// else must be RFC 3339.
func parseStatsTime(s string, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usageError{msg: "give a date like 2026-01-31 or a time like 2026-01-31T12:00:00Z, not " + quoteShort(s)}
	}
	return t.UTC(), nil
}

func quoteShort(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return `"` + s + `"`
}
