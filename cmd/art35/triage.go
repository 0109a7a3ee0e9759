package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/triage"
)

// triageFlags are the flags of "triage".
type triageFlags struct {
	dataDir, from, typ, sep, re, drafts *string
	field, workers                      *int
	asJSON, asCSV                       *bool
	ds                                  dirSource // --snapshot/--pubkey: decide routes against a signed directory
}

func (f *triageFlags) bind(e *env, fs *flag.FlagSet) {
	f.dataDir = dataDirFlag(e, fs)
	f.from = fs.String("from", "", "requesting party (ISO 3166-1 alpha-2) to decide routes (default: the node's party)")
	f.typ = fs.String("type", string(request.TypePreserve), "request type routes are decided for")
	f.field = fs.Int("field", 0, "1-based field holding the address (default: first field, or a JSON key)")
	f.sep = fs.String("sep", "", "field separator for --field, one character or tab (default: blanks; ',' for .csv files)")
	f.re = fs.String("regex", "", "regular expression whose first submatch is the address")
	f.asJSON = fs.Bool("json", false, "print the report as JSON")
	f.asCSV = fs.Bool("csv", false, "print one CSV row per country and operator")
	f.drafts = fs.String("draft-requests", "", "write one draft preserve request per country that can be asked into this folder")
	f.workers = fs.Int("workers", 0, "parallel workers (default: one per CPU)")
	f.ds.bind(fs)
}

// extractor checks the flags and returns how addresses are found in the
// lines of the files named.
func (f *triageFlags) extractor(files []string) (triage.Extractor, error) {
	switch {
	case len(files) == 0:
		return triage.Extractor{}, usagef("triage needs at least one FILE (or - for standard input)")
	case *f.asJSON && *f.asCSV:
		return triage.Extractor{}, usagef("--json and --csv exclude each other; choose one")
	case *f.field < 0:
		return triage.Extractor{}, usagef("--field %d: fields are numbered from 1", *f.field)
	case *f.field > 0 && *f.re != "":
		return triage.Extractor{}, usagef("--field and --regex exclude each other; choose one")
	}
	sep := *f.sep
	if sep == `\t` || sep == "tab" {
		sep = "\t"
	}
	if len(sep) > 1 {
		return triage.Extractor{}, usagef("--sep %q must be one character, e.g. --sep , or --sep ';' (or tab)", sep)
	}
	if !request.Type(*f.typ).Valid() {
		return triage.Extractor{}, usagef("--type %q is not a request type; e.g. preserve", *f.typ)
	}
	x := triage.Extractor{Field: *f.field}
	if sep != "" {
		x.Sep = sep[0]
	} else if *f.field > 0 && triage.AllCSV(files) {
		x.Sep = ','
	}
	if *f.re != "" {
		rx, err := regexp.Compile(*f.re)
		if err != nil {
			return x, usagef("--regex: %v", err)
		}
		x.Regex = rx
	}
	return x, nil
}

func runTriage(ctx context.Context, e *env, args []string) error {
	var f triageFlags
	fs := newFlagSet(e, triageCmd, "")
	f.bind(e, fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	x, err := f.extractor(pos)
	if err != nil {
		return err
	}
	fromCC := strings.ToUpper(strings.TrimSpace(*f.from))
	if fromCC == "" {
		fromCC = defaultFrom(e, *f.dataDir)
	}
	snap, _, err := f.ds.load(e) // for country names, and routes with --from
	if err != nil {
		return err
	}
	if _, ok := snap.Party(fromCC); fromCC != "" && !ok {
		return usagef("--from %q is not a party in the directory; give an ISO 3166-1 alpha-2 code such as US", fromCC)
	}
	res, err := scanLogs(ctx, e, triage.Scanner{Extractor: x, Workers: *f.workers}, pos)
	if err != nil {
		return err
	}
	db, err := openIPDB(*f.dataDir)
	if err != nil {
		return err
	}
	rep := triage.Summarize(res, db, triage.Options{From: fromCC, Type: request.Type(*f.typ), Now: e.clock.Now(), Directory: snap, Addresses: *f.drafts != ""})
	for _, fi := range rep.Input.Files {
		if fi.Error != "" {
			fmt.Fprintf(e.stderr, "art35 triage: %s: %s\n", fi.Name, fi.Error)
		}
	}
	if *f.drafts != "" {
		if fromCC == "" {
			return usagef("--draft-requests needs --from CC: a request has a requesting party")
		}
		files, err := triage.WriteDrafts(*f.drafts, rep, triage.Requesting(snap, fromCC), e.clock.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "art35 triage: wrote %d draft preserve requests to %s; a person must complete and confirm each before it is sent\n", len(files), *f.drafts)
	}
	switch {
	case *f.asJSON:
		return cli.WriteJSON(e.stdout, rep)
	case *f.asCSV:
		return triage.WriteCSV(e.stdout, rep)
	}
	return triage.WriteText(e.stdout, rep)
}

// scanLogs opens every log named (before reading any) and scans them,
// showing progress on a terminal.
func scanLogs(ctx context.Context, e *env, sc triage.Scanner, names []string) (*triage.Result, error) {
	inputs, closeAll, err := triage.OpenInputs(names, e.stdin)
	defer closeAll()
	if err != nil {
		return nil, err
	}
	if isTerminal(e.stderr) {
		sc.Now = e.clock.Now
		sc.Progress = func(p triage.Progress) { fmt.Fprint(e.stderr, p.Line()) }
	}
	res, err := sc.Scan(ctx, inputs)
	if sc.Progress != nil {
		fmt.Fprint(e.stderr, "\r\033[K")
	}
	return res, err
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
