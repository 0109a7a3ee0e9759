package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/triage"
)

var triageCmd = &command{
	name:  "triage",
	short: "turn logs (millions of lines) into per-country, per-operator counts and draft requests",
	usage: "triage [--from CC] [--field N [--sep C] | --regex RE] [--json|--csv] [--draft-requests DIR] [--data DIR] FILE...",
	long: `Read access logs (Apache/nginx combined), CSV, JSON lines or plain address
lists, gzip or not ("-" reads standard input), find the client address on each
line (by default the first field, or a known key of a JSON line; --field N
takes the N-th field split by blanks or by --sep; --regex takes the first
submatch), attribute every distinct address once, and aggregate by country and
operator: lines, unique addresses, first and last time seen (UTC; common log,
ISO 8601 and RFC 3339 times; a time without a zone is counted, not guessed).

With --from CC (default: the node's party), each country gets its route, and
countries that cannot be asked are listed apart under "no route" with the
reason and what remains (against the shipped directory, or a signed snapshot
given with --snapshot FILE --pubkey KEY). --draft-requests DIR writes one draft preserve
request per country that can be asked (CC-preserve-draft.json), complete
except for the fields only a person can fill (offence, facts, contact, ...).

Garbage, truncated gzip, very long lines and lines without an address are
counted and reported, never fatal. Memory follows the number of distinct
addresses, not the size of the logs. Progress goes to standard error when it
is a terminal.`,
}

func runTriage(ctx context.Context, e *env, args []string) error {
	c := triageCmd
	fs := newFlagSet(e, c, "")
	dataDir := dataDirFlag(e, fs)
	from := fs.String("from", "", "requesting party (ISO 3166-1 alpha-2) to decide routes (default: the node's party)")
	typ := fs.String("type", string(request.TypePreserve), "request type routes are decided for")
	field := fs.Int("field", 0, "1-based field holding the address (default: first field, or a JSON key)")
	sep := fs.String("sep", "", "field separator for --field, one character or tab (default: blanks; ',' for .csv files)")
	re := fs.String("regex", "", "regular expression whose first submatch is the address")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	asCSV := fs.Bool("csv", false, "print one CSV row per country and operator")
	drafts := fs.String("draft-requests", "", "write one draft preserve request per country that can be asked into this folder")
	workers := fs.Int("workers", 0, "parallel workers (default: one per CPU)")
	var ds dirSource // --snapshot/--pubkey: decide routes against a signed directory
	ds.bind(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("triage needs at least one FILE (or - for standard input)")
	}
	if *asJSON && *asCSV {
		return usagef("--json and --csv exclude each other; choose one")
	}
	if *field < 0 {
		return usagef("--field %d: fields are numbered from 1", *field)
	}
	if *field > 0 && *re != "" {
		return usagef("--field and --regex exclude each other; choose one")
	}
	switch *sep {
	case `\t`, "tab":
		*sep = "\t"
	}
	if len(*sep) > 1 {
		return usagef("--sep %q must be one character, e.g. --sep , or --sep ';' (or tab)", *sep)
	}
	if !request.Type(*typ).Valid() {
		return usagef("--type %q is not a request type; e.g. preserve", *typ)
	}
	x := triage.Extractor{Field: *field}
	if *sep != "" {
		x.Sep = (*sep)[0]
	} else if *field > 0 && allCSV(pos) {
		x.Sep = ','
	}
	if *re != "" {
		rx, err := regexp.Compile(*re)
		if err != nil {
			return usagef("--regex: %v", err)
		}
		x.Regex = rx
	}
	fromCC := strings.ToUpper(strings.TrimSpace(*from))
	if fromCC == "" {
		fromCC = defaultFrom(e, *dataDir)
	}
	snap, _, err := ds.load(e) // for country names, and routes with --from
	if err != nil {
		return err
	}
	if fromCC != "" {
		if _, ok := snap.Party(fromCC); !ok {
			return usagef("--from %q is not a party in the directory; give an ISO 3166-1 alpha-2 code such as US", fromCC)
		}
	}
	// Open every input first: a missing file is the user's mistake and
	// should stop the run before minutes of reading, not after.
	var inputs []triage.Input
	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	for _, name := range pos {
		if name == "-" {
			inputs = append(inputs, triage.Input{Name: "(standard input)", R: e.stdin})
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			return apperr.Wrap(apperr.EInvalid, err, "cannot read log")
		}
		closers = append(closers, f)
		var size int64
		if fi, err := f.Stat(); err == nil {
			if fi.IsDir() {
				return apperr.Errorf(apperr.EInvalid, "%s is a folder; give log files (e.g. %s/*.log)", name, name)
			}
			size = fi.Size()
		}
		inputs = append(inputs, triage.Input{Name: name, R: f, Size: size})
	}
	db, err := openIPDB(*dataDir)
	if err != nil {
		return err
	}
	sc := triage.Scanner{Extractor: x, Workers: *workers}
	if isTerminal(e.stderr) {
		sc.Now = e.clock.Now
		sc.Progress = func(p triage.Progress) { printProgress(e.stderr, p) }
	}
	res, err := sc.Scan(ctx, inputs)
	if sc.Progress != nil {
		fmt.Fprint(e.stderr, "\r\033[K")
	}
	if err != nil {
		return err
	}
	rep := triage.Summarize(res, db, triage.Options{From: fromCC, Type: request.Type(*typ), Now: e.clock.Now(), Directory: snap, Addresses: *drafts != ""})
	for _, f := range rep.Input.Files {
		if f.Error != "" {
			fmt.Fprintf(e.stderr, "art35 triage: %s: %s\n", f.Name, f.Error)
		}
	}
	if *drafts != "" {
		if fromCC == "" {
			return usagef("--draft-requests needs --from CC: a request has a requesting party")
		}
		files, err := triage.WriteDrafts(*drafts, rep, triage.Requesting(snap, fromCC), e.clock.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "art35 triage: wrote %d draft preserve requests to %s; a person must complete and confirm each before it is sent\n", len(files), *drafts)
	}
	switch {
	case *asJSON:
		return writeJSON(e, rep)
	case *asCSV:
		return triage.WriteCSV(e.stdout, rep)
	}
	return triage.WriteText(e.stdout, rep)
}

func allCSV(names []string) bool {
	for _, n := range names {
		n = strings.TrimSuffix(strings.ToLower(n), ".gz")
		if !strings.HasSuffix(n, ".csv") {
			return false
		}
	}
	return true
}

// isTerminal reports whether w is a character device (a terminal), the
// only place progress output belongs.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func printProgress(w io.Writer, p triage.Progress) {
	secs := p.Elapsed.Seconds()
	if secs <= 0 {
		return
	}
	rate := float64(p.Lines) / secs
	msg := fmt.Sprintf("\r\033[K%.0f MB read, %d lines, %.0f lines/s", float64(p.Bytes)/1e6, p.Lines, rate)
	if p.Total > 0 && p.Bytes > 0 && p.Bytes <= p.Total {
		left := time.Duration(float64(p.Elapsed) * float64(p.Total-p.Bytes) / float64(p.Bytes))
		msg += fmt.Sprintf(", %d%%, about %s left", p.Bytes*100/p.Total, left.Round(time.Second))
	}
	fmt.Fprint(w, msg)
}
