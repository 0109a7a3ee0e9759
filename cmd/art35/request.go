package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
)

func init() {
	register(&command{
		name:  "request",
		short: "validate, template, schema and print cooperation requests",
		usage: "request <validate|schema|new|letter> ...",
		long: `Work with cooperation requests (SPEC section 5) as JSON files.

  art35 request validate [--json] FILE   check a request; exit 0 valid, 1 with every problem
  art35 request schema TYPE              print the JSON Schema of a request type
  art35 request new TYPE                 print a template to fill in
  art35 request letter [--for-provider] FILE
                                         print the formal letter as print-ready HTML
  art35 request next-preserve --id ID ORIGINAL ANSWER
                                         turn a traffic-path ANSWER to the preserve ORIGINAL
                                         into a linked preserve to the provider's country
  art35 request extend --id ID FILE      print an extension of a preserve request
  art35 request chain [--json] ID FILE...
                                         walk the chain of linked requests that contains ID

FILE may be - for standard input. TYPE is one of: ` + strings.Join(typeNames(), ", ") + `.`,
		run: runRequest,
	})
}

func typeNames() []string {
	var s []string
	for _, t := range request.Types {
		s = append(s, string(t))
	}
	return s
}

func runRequest(ctx context.Context, e *env, args []string) error {
	c := commands["request"]
	return dispatch(ctx, e, c, []subcommand{
		{"validate", "check a request against its checklist", requestValidate},
		{"schema", "print the JSON Schema of a request type", requestSchema},
		{"new", "print a template of a request type to fill in", requestNew},
		{"letter", "print a request as a formal letter (HTML)", requestLetter},
		{"next-preserve", "linked preserve to the third country from a traffic-path answer", requestNextPreserve},
		{"extend", "print an extension of a preserve request", requestExtend},
		{"chain", "walk the chain of linked requests", requestChain},
	}, args)
}

// readInput reads FILE, or standard input for "-", refusing documents over
// the request size limit.
func readInput(e *env, name string) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = e.stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			if os.IsNotExist(err) {
				return nil, apperr.Errorf(apperr.ENotFound, "request file %s does not exist; give a JSON file or - for standard input", name)
			}
			return nil, apperr.Wrap(apperr.EInvalid, err, "cannot read request file %s", name)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, request.MaxDocument+1))
	if err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, err, "cannot read %s", name)
	}
	return b, nil
}

// validateResult is the JSON answer of "request validate --json".
type validateResult struct {
	Valid    bool              `json:"valid"`
	Problems []request.Problem `json:"problems"`
}

// checkWithDirectory validates a document and adds the Protocol Art. 4
// language warning from the directory's record of the requested party.
func checkWithDirectory(e *env, b []byte) (*request.Request, []request.Problem) {
	r, ps := request.Check(b, e.clock.Now())
	if r == nil {
		return nil, ps
	}
	if snap, err := directory.Starter(); err == nil {
		if a, err := snap.PointOfContact(r.Requested.Party); err == nil {
			ps = append(ps, request.CheckLanguage(r, a.Languages)...)
		}
	}
	return r, ps
}

func requestValidate(ctx context.Context, e *env, args []string) error {
	c := commands["request"]
	fs := newFlagSet(e, c, "validate")
	asJSON := fs.Bool("json", false, `print {"valid":bool,"problems":[...]} instead of text`)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("validate needs one FILE (or - for standard input)")
	}
	b, err := readInput(e, pos[0])
	if err != nil {
		return err
	}
	_, ps := checkWithDirectory(e, b)
	res := validateResult{Valid: !request.HasErrors(ps), Problems: ps}
	if res.Problems == nil {
		res.Problems = []request.Problem{}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		errs, warns := 0, 0
		for _, p := range ps {
			if p.Severity == request.SeverityError {
				errs++
			} else {
				warns++
			}
			field := p.Field
			if field == "" {
				field = "(document)"
			}
			fmt.Fprintf(e.stdout, "%-7s %s [%s]\n        %s\n", p.Severity, field, p.Rule, p.Message)
		}
		if res.Valid {
			fmt.Fprintf(e.stdout, "%s: valid (%d warnings)\n", pos[0], warns)
		} else {
			fmt.Fprintf(e.stdout, "%s: invalid: %d errors, %d warnings\n", pos[0], errs, warns)
		}
	}
	if !res.Valid {
		return silentError{code: apperr.ExitCode(apperr.EInvalid)}
	}
	return nil
}

func requestSchema(ctx context.Context, e *env, args []string) error {
	c := commands["request"]
	fs := newFlagSet(e, c, "schema")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("schema needs one TYPE: %s", strings.Join(typeNames(), ", "))
	}
	s, err := request.Schema(request.Type(pos[0]))
	if err != nil {
		return err
	}
	return writeJSON(e, s)
}

func requestNew(ctx context.Context, e *env, args []string) error {
	c := commands["request"]
	fs := newFlagSet(e, c, "new")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("new needs one TYPE: %s", strings.Join(typeNames(), ", "))
	}
	m, err := request.Template(request.Type(pos[0]), e.clock.Now())
	if err != nil {
		return err
	}
	return writeJSON(e, m)
}

func writeJSON(e *env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func requestLetter(ctx context.Context, e *env, args []string) error {
	c := commands["request"]
	fs := newFlagSet(e, c, "letter")
	forProvider := fs.Bool("for-provider", false, "print what the provider may see (Art. 8 supporting information left out without consent)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("letter needs one FILE (or - for standard input)")
	}
	b, err := readInput(e, pos[0])
	if err != nil {
		return err
	}
	r, ps := checkWithDirectory(e, b)
	if request.HasErrors(ps) {
		for _, p := range ps {
			fmt.Fprintf(e.stderr, "%s %s [%s] %s\n", p.Severity, p.Field, p.Rule, p.Message)
		}
		return apperr.Errorf(apperr.EInvalid, "%s is not a valid request; fix the problems above (art35 request validate %s) before printing a letter", pos[0], pos[0])
	}
	return request.RenderLetter(e.stdout, r, request.LetterOptions{Now: e.clock.Now(), ForProvider: *forProvider})
}

// loadValid reads and validates a request file; errors list every problem.
func loadValid(e *env, name string) (*request.Request, error) {
	b, err := readInput(e, name)
	if err != nil {
		return nil, err
	}
	r, ps := request.Check(b, e.clock.Now())
	if request.HasErrors(ps) {
		var lines []string
		for _, p := range ps {
			if p.Severity == request.SeverityError {
				lines = append(lines, fmt.Sprintf("  %s [%s] %s", p.Field, p.Rule, p.Message))
			}
		}
		return nil, apperr.Errorf(apperr.EInvalid, "%s is not a valid request:\n%s", name, strings.Join(lines, "\n"))
	}
	return r, nil
}

func requestNextPreserve(ctx context.Context, e *env, args []string) error {
	c := commands["request"]
	fs := newFlagSet(e, c, "next-preserve")
	id := fs.String("id", "", "network-wide id of the new request (required)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || *id == "" {
		return usagef("next-preserve needs --id ID, the ORIGINAL preserve file and the traffic-path ANSWER file")
	}
	orig, err := loadValid(e, pos[0])
	if err != nil {
		return err
	}
	answer, err := loadValid(e, pos[1])
	if err != nil {
		return err
	}
	n, err := request.PreserveFromTrafficPath(orig, answer, *id, e.clock.Now())
	if err != nil {
		return err
	}
	// Name the requested authority from the directory; the officer checks
	// it (and every other field) before sending.
	if snap, err := directory.Starter(); err == nil {
		if p, ok := snap.Party(n.Requested.Party); ok {
			n.Requested.Name = "24/7 point of contact of " + p.Name
			if a, ok := p.Authority(directory.RolePointOfContact); ok {
				if a.Name != "" {
					n.Requested.Name = a.Name
				}
				n.Requested.TimeZone = a.TimeZone
			}
		}
	}
	return writeJSON(e, n)
}

func requestExtend(ctx context.Context, e *env, args []string) error {
	c := commands["request"]
	fs := newFlagSet(e, c, "extend")
	id := fs.String("id", "", "network-wide id of the extension (required)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *id == "" {
		return usagef("extend needs --id ID and one preserve FILE")
	}
	orig, err := loadValid(e, pos[0])
	if err != nil {
		return err
	}
	n, err := request.Extend(orig, *id, e.clock.Now())
	if err != nil {
		return err
	}
	return writeJSON(e, n)
}

func requestChain(ctx context.Context, e *env, args []string) error {
	c := commands["request"]
	fs := newFlagSet(e, c, "chain")
	asJSON := fs.Bool("json", false, "print the chain as JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return usagef("chain needs an ID and the request FILEs to walk")
	}
	var reqs []*request.Request
	for _, name := range pos[1:] {
		r, err := loadValid(e, name)
		if err != nil {
			return err
		}
		reqs = append(reqs, r)
	}
	chain, err := request.Walk(reqs, pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e, chain)
	}
	for _, n := range chain {
		rel := ""
		if n.Rel != "" {
			rel = " (" + n.Rel + ")"
		}
		fmt.Fprintf(e.stdout, "%s%s %s %s -> %s%s\n", strings.Repeat("  ", n.Depth), n.ID, n.Type, n.From, n.To, rel)
	}
	return nil
}
