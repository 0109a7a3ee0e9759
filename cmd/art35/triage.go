package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/triage"
)

var triageCmd = &command{
	Name:  "triage",
	Short: "turn logs (millions of lines) into per-country, per-operator counts and draft requests",
	Usage: "triage [--from CC] [--field N [--sep C] | --regex RE] [--json|--csv] [--draft-requests DIR] [--data DIR] FILE...",
	Long:  help("triage"),
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
	} else if *field > 0 && triage.AllCSV(pos) {
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
	inputs, closeAll, err := triage.OpenInputs(pos, e.stdin)
	defer closeAll()
	if err != nil {
		return err
	}
	db, err := openIPDB(*dataDir)
	if err != nil {
		return err
	}
	sc := triage.Scanner{Extractor: x, Workers: *workers}
	if isTerminal(e.stderr) {
		sc.Now = e.clock.Now
		sc.Progress = func(p triage.Progress) { fmt.Fprint(e.stderr, p.Line()) }
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
		return cli.WriteJSON(e.stdout, rep)
	case *asCSV:
		return triage.WriteCSV(e.stdout, rep)
	}
	return triage.WriteText(e.stdout, rep)
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
