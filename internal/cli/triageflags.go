package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"regexp"
	"time"

	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/triage"
)

// TriageFlags are the flags of "triage".
type TriageFlags struct {
	Data, From, Type, Sep, Regex, Drafts string
	Field, Workers                       int
	JSON, CSV                            bool
	Dir                                  DirSource // decide routes against a signed directory
}

// Bind defines the flags of "triage" on fs.
func (f *TriageFlags) Bind(fs *flag.FlagSet, getenv func(string) string) {
	IPDBDataFlag(fs, &f.Data, getenv)
	fs.StringVar(&f.From, "from", "", "requesting party (ISO 3166-1 alpha-2) to decide routes (default: the node's party)")
	fs.StringVar(&f.Type, "type", string(request.TypePreserve), "request type routes are decided for")
	fs.IntVar(&f.Field, "field", 0, "1-based field holding the address (default: first field, or a JSON key)")
	fs.StringVar(&f.Sep, "sep", "", "field separator for --field, one character or tab (default: blanks; ',' for .csv files)")
	fs.StringVar(&f.Regex, "regex", "", "regular expression whose first submatch is the address")
	fs.BoolVar(&f.JSON, "json", false, "print the report as JSON")
	fs.BoolVar(&f.CSV, "csv", false, "print one CSV row per country and operator")
	fs.StringVar(&f.Drafts, "draft-requests", "", "write one draft preserve request per country that can be asked into this folder")
	fs.IntVar(&f.Workers, "workers", 0, "parallel workers (default: one per CPU)")
	f.Dir.Bind(fs)
}

// Extractor checks the flags and returns how addresses are found in the
// lines of the files named; a bad combination is a usage error.
func (f *TriageFlags) Extractor(files []string) (triage.Extractor, error) {
	switch {
	case len(files) == 0:
		return triage.Extractor{}, Usagef("triage needs at least one FILE (or - for standard input)")
	case f.JSON && f.CSV:
		return triage.Extractor{}, Usagef("--json and --csv exclude each other; choose one")
	case f.Field < 0:
		return triage.Extractor{}, Usagef("--field %d: fields are numbered from 1", f.Field)
	case f.Field > 0 && f.Regex != "":
		return triage.Extractor{}, Usagef("--field and --regex exclude each other; choose one")
	}
	sep := f.Sep
	if sep == `\t` || sep == "tab" {
		sep = "\t"
	}
	if len(sep) > 1 {
		return triage.Extractor{}, Usagef("--sep %q must be one character, e.g. --sep , or --sep ';' (or tab)", sep)
	}
	if !request.Type(f.Type).Valid() {
		return triage.Extractor{}, Usagef("--type %q is not a request type; e.g. preserve", f.Type)
	}
	x := triage.Extractor{Field: f.Field}
	if sep != "" {
		x.Sep = sep[0]
	} else if f.Field > 0 && triage.AllCSV(files) {
		x.Sep = ','
	}
	if f.Regex != "" {
		rx, err := regexp.Compile(f.Regex)
		if err != nil {
			return x, Usagef("--regex: %v", err)
		}
		x.Regex = rx
	}
	return x, nil
}

// ScanLogs opens every log named (before reading any; - is stdin) and
// scans them with sc, showing progress on stderr when it is a terminal.
func ScanLogs(ctx context.Context, stdin io.Reader, stderr io.Writer, now func() time.Time, sc triage.Scanner, names []string) (*triage.Result, error) {
	inputs, closeAll, err := triage.OpenInputs(names, stdin)
	defer closeAll()
	if err != nil {
		return nil, err
	}
	if IsTerminal(stderr) {
		sc.Now = now
		sc.Progress = func(p triage.Progress) { fmt.Fprint(stderr, p.Line()) }
	}
	res, err := sc.Scan(ctx, inputs)
	if sc.Progress != nil {
		fmt.Fprint(stderr, "\r\033[K")
	}
	return res, err
}

// Report scans the logs named (- for stdin) and summarises them for the
// requesting party (--from, else the node's) against the directory; with
// --draft-requests it writes a draft preserve request per country that
// can be asked. Files that could not be read, and the drafts written, are
// said on e.Stderr.
func (f *TriageFlags) Report(ctx context.Context, e *Env, files []string) (*triage.Report, error) {
	x, err := f.Extractor(files)
	if err != nil {
		return nil, err
	}
	fromCC := RequestingParty(f.From, f.Data, e.Getenv)
	snap, _, err := f.Dir.Load(e.Getenv, e.Clock.Now()) // for country names, and routes with --from
	if err != nil {
		return nil, err
	}
	if _, ok := snap.Party(fromCC); fromCC != "" && !ok {
		return nil, Usagef("--from %q is not a party in the directory; give an ISO 3166-1 alpha-2 code such as US", fromCC)
	}
	res, err := ScanLogs(ctx, e.Stdin, e.Stderr, e.Clock.Now, triage.Scanner{Extractor: x, Workers: f.Workers}, files)
	if err != nil {
		return nil, err
	}
	db, err := OpenIPDB(f.Data)
	if err != nil {
		return nil, err
	}
	r := triage.Summarize(res, db, triage.Options{From: fromCC, Type: request.Type(f.Type), Now: e.Clock.Now(), Directory: snap, Addresses: f.Drafts != ""})
	rep := &r
	for _, fi := range rep.Input.Files {
		if fi.Error != "" {
			fmt.Fprintf(e.Stderr, "art35 triage: %s: %s\n", fi.Name, fi.Error)
		}
	}
	if f.Drafts == "" {
		return rep, nil
	}
	if fromCC == "" {
		return nil, Usagef("--draft-requests needs --from CC: a request has a requesting party")
	}
	written, err := triage.WriteDrafts(f.Drafts, r, triage.Requesting(snap, fromCC), e.Clock.Now())
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(e.Stderr, "art35 triage: wrote %d draft preserve requests to %s; a person must complete and confirm each before it is sent\n", len(written), f.Drafts)
	return rep, nil
}

// Print prints the report as --json or --csv choose (text by default).
func (f *TriageFlags) Print(w io.Writer, rep *triage.Report) error {
	switch {
	case f.JSON:
		return WriteJSON(w, rep)
	case f.CSV:
		return triage.WriteCSV(w, *rep)
	}
	return triage.WriteText(w, *rep)
}
