package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/art35/art35/internal/stats"
)

// StatsFlags are the flags of "stats" (the report of this node's work).
type StatsFlags struct {
	From, To, By, Exercise string
	JSON, CSV, Pings       bool
}

// Bind defines the flags of "stats" on fs.
func (f *StatsFlags) Bind(fs *flag.FlagSet) {
	fs.StringVar(&f.From, "from", "", "start of the period: a date (UTC) or an RFC 3339 time (default: the beginning)")
	fs.StringVar(&f.To, "to", "", "end of the period: a date (that whole day, UTC) or an RFC 3339 time (default: now)")
	fs.StringVar(&f.By, "by", "country", "group rows by country, type, priority or offence")
	fs.BoolVar(&f.JSON, "json", false, "print JSON")
	fs.BoolVar(&f.CSV, "csv", false, "print CSV")
	fs.BoolVar(&f.Pings, "pings", false, "with --csv: print the ping rows instead of the request figures")
	fs.StringVar(&f.Exercise, "exercise", "", "report exercise ID alone (or all for every exercise) instead of real work")
}

// Query checks the flags and returns the period, grouping and scope they
// ask for; what is wrong is a usage error.
func (f *StatsFlags) Query() (q stats.Query, err error) {
	if f.JSON && f.CSV {
		return q, Usagef("--json and --csv exclude each other: choose one")
	}
	if f.Pings && !f.CSV {
		return q, Usagef("--pings goes with --csv (text and JSON show the pings anyway)")
	}
	q.Scope = stats.ScopeReal
	switch f.Exercise {
	case "":
	case "all":
		q.Scope = stats.ScopeExercise
	default:
		q.Scope, q.Exercise = stats.ScopeExercise, f.Exercise
	}
	if q.By, err = stats.ParseDimension(f.By); err != nil {
		return q, Usagef("--by: %q is not a grouping; use country, type, priority or offence", f.By)
	}
	if q.From, err = ParseBound(f.From, false); err != nil {
		return q, Usagef("--from: %v", err)
	}
	if q.To, err = ParseBound(f.To, true); err != nil {
		return q, Usagef("--to: %v", err)
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		return q, Usagef("--to (%s) must be after --from (%s)", q.To.Format(time.RFC3339), q.From.Format(time.RFC3339))
	}
	return q, nil
}

// Print prints the report r as the flags choose.
func (f *StatsFlags) Print(w io.Writer, r *stats.Report) error {
	switch {
	case f.JSON:
		return WriteJSON(w, r)
	case f.CSV && f.Pings:
		return stats.WritePingsCSV(w, r)
	case f.CSV:
		return stats.WriteCSV(w, r)
	}
	return stats.WriteText(w, r)
}

// WriteShare writes the signed share of authority for [from, to) to the
// file out, or to w when out is "", and says where it went.
func WriteShare(w io.Writer, signed []byte, out, authority string, from, to time.Time) error {
	signed = append(signed, '\n')
	if out == "" {
		_, err := w.Write(signed)
		return err
	}
	if err := os.WriteFile(out, signed, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote the signed share of %s for %s to %s: %s\n", authority, from.Format(time.DateOnly), to.Add(-time.Second).Format(time.DateOnly), out)
	return nil
}

// ReadShares reads the share files named (- for stdin).
func ReadShares(stdin io.Reader, names []string) ([][]byte, error) {
	if len(names) == 0 {
		return nil, Usagef("name the share files to combine (written by 'art35 stats share' on each node)")
	}
	var shares [][]byte
	for _, name := range names {
		b, err := ReadArg(stdin, name, stats.MaxShare)
		if err != nil {
			return nil, err
		}
		shares = append(shares, b)
	}
	return shares, nil
}
