package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/art35/art35/internal/stats"
)

var statsCmd = &command{
	name:  "stats",
	short: "statistics of this node's casework: volumes, response times, ack clock, MLA follow-up, declines, pings",
	usage: "stats --data DIR [--from DATE] [--to DATE] [--by country|type|priority] [--exercise ID|all] [--json|--csv [--pings]]\n       art35 stats share --data DIR --from DATE --to DATE [--out FILE]\n       art35 stats network --data DIR --from DATE --to DATE [--json] SHARE...\n       art35 stats classify ID --data DIR --offence CLASS[,CLASS...] --by NAME",
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
requests) are never counted with real work; --exercise ID reports that
exercise alone (its requests and pings; "art35 exercise list" names them),
--exercise all every exercise. --csv prints the request figures (durations in seconds); with --pings it
prints the ping rows instead. See docs/stats.md.

"stats share" writes this node's aggregate for a period (counts and durations
per partner country and its pings, with the period and the node's authority),
signed with the node's key, for the secretariat. "stats network", run at the
secretariat, checks each share against the directory (the authority's signing
key) and combines those of the period into the network's figures: per party,
its own figures and how its partners saw it (their requests to it, the share
acknowledged in time as they measured it, each one's median time to
acknowledge). A party whose node shared nothing is shown as such; a share that
does not verify, is for another period or repeats a party is listed and not
counted.

"stats classify" records the offence classes a case concerns (Budapest
Convention Arts. 2-11 and the UN Convention of 2024, one list: illegal-access,
illegal-interception, data-interference, system-interference,
misuse-of-devices, computer-related-forgery, computer-related-fraud,
child-sexual-abuse-material, copyright-infringement, attempt-aiding,
solicitation-of-children, intimate-images, laundering), replacing those it had;
--by offence groups the figures by class, and shares carry them.

Examples:
	art35 stats --data ./us-node
	art35 stats --data ./us-node --from 2026-01-01 --to 2026-12-31 --by type
	art35 stats --data ./us-node --json
	art35 stats --data ./us-node --csv --pings
	art35 stats share --data ./us-node --from 2026-01-01 --to 2026-12-31 --out us-2026.share.json
	art35 stats network --data ./secretariat --from 2026-01-01 --to 2026-12-31 us-2026.share.json it-2026.share.json fr-2026.share.json`,
}

func runStats(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "share":
			return runStatsShare(ctx, e, args[1:])
		case "network":
			return runStatsNetwork(ctx, e, args[1:])
		case "classify":
			return runStatsClassify(ctx, e, args[1:])
		}
	}
	var from, to, by string
	var asJSON, asCSV, pings bool
	var exercise string
	n, pos, err := openNode(ctx, e, statsCmd, "", args, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "start of the period: a date (UTC) or an RFC 3339 time (default: the beginning)")
		fs.StringVar(&to, "to", "", "end of the period: a date (that whole day, UTC) or an RFC 3339 time (default: now)")
		fs.StringVar(&by, "by", "country", "group rows by country, type, priority or offence")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
		fs.BoolVar(&asCSV, "csv", false, "print CSV")
		fs.BoolVar(&pings, "pings", false, "with --csv: print the ping rows instead of the request figures")
		fs.StringVar(&exercise, "exercise", "", "report exercise ID alone (or all for every exercise) instead of real work")
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
	switch exercise {
	case "":
	case "all":
		q.Scope = stats.ScopeExercise
	default:
		q.Scope, q.Exercise = stats.ScopeExercise, exercise
	}
	if q.By, err = stats.ParseDimension(by); err != nil {
		return usagef("--by: %q is not a grouping; use country, type, priority or offence", by)
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

// statsPeriod reads the required --from and --to of share and network.
func statsPeriod(from, to string) (time.Time, time.Time, error) {
	if from == "" || to == "" {
		return time.Time{}, time.Time{}, usagef("--from and --to are required: a share is for a period, e.g. --from 2026-01-01 --to 2026-12-31")
	}
	f, err := parseStatsTime(from, false)
	if err != nil {
		return f, f, usagef("--from: %v", err)
	}
	t, err := parseStatsTime(to, true)
	if err != nil {
		return f, t, usagef("--to: %v", err)
	}
	if !t.After(f) {
		return f, t, usagef("--to must be after --from")
	}
	return f, t, nil
}

func runStatsShare(ctx context.Context, e *env, args []string) error {
	var from, to, out string
	n, pos, err := openNode(ctx, e, statsCmd, "share", args, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "start of the period: a date (UTC) or an RFC 3339 time (required)")
		fs.StringVar(&to, "to", "", "end of the period: a date (that whole day) or an RFC 3339 time (required)")
		fs.StringVar(&out, "out", "", "file to write the signed share to (default: standard output)")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	f, t, err := statsPeriod(from, to)
	if err != nil {
		return err
	}
	sh, err := stats.New(n.DB, n.Clock).NewShare(ctx, n.Config.Authority, n.Config.Party, f, t)
	if err != nil {
		return err
	}
	signed, err := sh.Sign(n.Signing)
	if err != nil {
		return err
	}
	if out == "" {
		_, err = e.stdout.Write(append(signed, '\n'))
		return err
	}
	if err := os.WriteFile(out, append(signed, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote the signed share of %s for %s to %s: %s\n", n.Config.Authority, f.Format(time.DateOnly), t.Add(-time.Second).Format(time.DateOnly), out)
	return nil
}

func runStatsNetwork(ctx context.Context, e *env, args []string) error {
	var from, to string
	var asJSON bool
	n, files, err := openNode(ctx, e, statsCmd, "network", args, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "start of the period the shares must cover (required)")
		fs.StringVar(&to, "to", "", "end of that period (required)")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	f, t, err := statsPeriod(from, to)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("name the share files to combine (written by 'art35 stats share' on each node)")
	}
	var shares [][]byte
	for _, name := range files {
		b, err := readArg(e, name, stats.MaxShare)
		if err != nil {
			return err
		}
		shares = append(shares, b)
	}
	d, err := n.Directory(ctx)
	if err != nil {
		return err
	}
	net := stats.Combine(shares, d, f, t, n.Clock.Now())
	if asJSON {
		return pingJSON(e, net)
	}
	fmt.Fprintf(e.stdout, "network figures from %s to %s: %d share(s) counted, %d refused\n", f.Format(time.RFC3339), t.Format(time.RFC3339), len(shares)-len(net.Refused), len(net.Refused))
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nPARTY\tSHARED\tSENT\tRECEIVED\tOWN TIME TO ACK (RECEIVED)\tPARTNERS' REQUESTS\tACK IN TIME (AS PARTNERS SAW IT)\tMEDIAN ACK BY PARTNER\tPINGS IN TIME")
	for _, r := range net.Rows {
		shared := "no share"
		if r.Shared {
			shared = "yes"
		}
		var seen []string
		for _, s := range r.SeenBy.MedianAckBySeers {
			seen = append(seen, s.Reporter+" "+stats.FormatSeconds(s.MedianSeconds))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%d\t%s (%d/%d)\t%s\t%d/%d\n", r.Party, shared, r.Sent.Requests, r.Received.Requests,
			r.Received.ToAcknowledgement.Brief(), r.SeenBy.Requests, stats.Percent(r.SeenBy.AckInTimeShare), r.SeenBy.AckInTime, r.SeenBy.AckDecided,
			strings.Join(seen, ", "), r.Pings.InTime, r.Pings.Pings)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range net.Refused {
		fmt.Fprintf(e.stdout, "refused: %s\n", r)
	}
	return nil
}

func runStatsClassify(ctx context.Context, e *env, args []string) error {
	var offences, by string
	n, pos, err := openNode(ctx, e, statsCmd, "classify", args, func(fs *flag.FlagSet) {
		fs.StringVar(&offences, "offence", "", "comma-separated offence classes (see -h); empty clears them")
		fs.StringVar(&by, "by", "", "your name: who classifies the case (required)")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	if len(pos) != 1 {
		return usagef("give one request id: art35 stats classify ID --offence illegal-access --by NAME")
	}
	var classes []string
	for c := range strings.SplitSeq(offences, ",") {
		if c = strings.TrimSpace(c); c != "" {
			classes = append(classes, c)
		}
	}
	if err := (stats.Classifier{DB: n.DB}).Classify(ctx, pos[0], classes, by, n.Clock.Now()); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: offence classes %s\n", pos[0], strings.Join(append([]string{}, classes...), ", "))
	return nil
}
