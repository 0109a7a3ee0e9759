package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
)

func runRequest(ctx context.Context, e *env, args []string) error {
	c := requestCmd
	return dispatch(ctx, e, c, []subcommand{
		{"validate", "check a request against its checklist", requestValidate},
		{"schema", "print the JSON Schema of a request type", requestSchema},
		{"new", "print a template of a request type to fill in", requestNew},
		{"letter", "print a request as a formal letter (HTML)", requestLetter},
		{"next-preserve", "linked preserve to the third country from a traffic-path answer", requestNextPreserve},
		{"extend", "print an extension of a preserve request", requestExtend},
		{"chain", "walk the chain of linked requests", requestChain},
		{"due", "deadlines and actions due for a request and its evidences", requestDue},
		{"show", "summary, checklist result and legal route of a request", requestShow},
	}, args)
}

// checkWithDirectory validates a document and adds, as warnings, what
// the shipped directory says (route.CheckDocument).
func checkWithDirectory(e *env, b []byte) (*request.Request, []request.Problem) {
	snap, _ := directory.Starter()
	return route.CheckDocument(snap, b, e.clock.Now())
}

func requestValidate(ctx context.Context, e *env, args []string) error {
	c := requestCmd
	fs := newFlagSet(e, c, "validate")
	asJSON := fs.Bool("json", false, `print {"valid":bool,"problems":[...]} instead of text`)
	pos, err := parseArgs(fs, args, 1, "validate needs one FILE (or - for standard input)")
	if err != nil {
		return err
	}
	b, err := readRequest(e, pos[0])
	if err != nil {
		return err
	}
	_, ps := checkWithDirectory(e, b)
	res := cli.NewValidation(ps)
	if *asJSON {
		if err := cli.WriteJSON(e.stdout, res); err != nil {
			return err
		}
	} else {
		cli.PrintValidation(e.stdout, pos[0], ps)
	}
	if !res.Valid {
		return cli.ExitError{Code: apperr.ExitCode(apperr.EInvalid)}
	}
	return nil
}

func requestSchema(ctx context.Context, e *env, args []string) error {
	c := requestCmd
	fs := newFlagSet(e, c, "schema")
	pos, err := parseArgs(fs, args, 1, fmt.Sprintf("schema needs one TYPE: %s", strings.Join(request.TypeNames(), ", ")))
	if err != nil {
		return err
	}
	s, err := request.Schema(request.Type(pos[0]))
	if err != nil {
		return err
	}
	return cli.WriteJSON(e.stdout, s)
}

func requestNew(ctx context.Context, e *env, args []string) error {
	c := requestCmd
	fs := newFlagSet(e, c, "new")
	pos, err := parseArgs(fs, args, 1, fmt.Sprintf("new needs one TYPE: %s", strings.Join(request.TypeNames(), ", ")))
	if err != nil {
		return err
	}
	m, err := request.Template(request.Type(pos[0]), e.clock.Now())
	if err != nil {
		return err
	}
	return cli.WriteJSON(e.stdout, m)
}

func requestLetter(ctx context.Context, e *env, args []string) error {
	c := requestCmd
	fs := newFlagSet(e, c, "letter")
	forProvider := fs.Bool("for-provider", false, "print what the provider may see (Art. 8 supporting information left out without consent)")
	lang := fs.String("lang", "", "language of the letter: "+strings.Join(request.LetterLanguages(), ", ")+" (default: the request's language; English where no catalogue exists)")
	pos, err := parseArgs(fs, args, 1, "letter needs one FILE (or - for standard input)")
	if err != nil {
		return err
	}
	b, err := readRequest(e, pos[0])
	if err != nil {
		return err
	}
	r, ps := checkWithDirectory(e, b)
	if request.HasErrors(ps) {
		cli.PrintProblemLines(e.stderr, ps)
		return apperr.Errorf(apperr.EInvalid, "%s is not a valid request; fix the problems above (art35 request validate %s) before printing a letter", pos[0], pos[0])
	}
	// The letter shows the requested authority's time zone and hours; when
	// the request does not state them, take them from the directory.
	if snap, err := directory.Starter(); err == nil {
		route.FillRequested(snap, r)
	}
	if *lang != "" && !slices.Contains(request.LetterLanguages(), strings.ToLower(*lang)) {
		return usagef("--lang %q: no letter catalogue for it; use one of %s (a translator adds internal/request/letters/%s.json)", *lang, strings.Join(request.LetterLanguages(), ", "), strings.ToLower(*lang))
	}
	return request.RenderLetter(e.stdout, r, request.LetterOptions{Now: e.clock.Now(), ForProvider: *forProvider, Language: strings.ToLower(*lang)})
}

// readRequest reads a request document (or a file of evidences), - for
// standard input.
func readRequest(e *env, name string) ([]byte, error) {
	return readArg(e, name, request.MaxDocument+1)
}

// loadValid reads and validates a request file; errors list every problem.
func loadValid(e *env, name string) (*request.Request, error) {
	b, err := readRequest(e, name)
	if err != nil {
		return nil, err
	}
	return request.CheckFile(name, b, e.clock.Now())
}

func requestNextPreserve(ctx context.Context, e *env, args []string) error {
	c := requestCmd
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
	if snap, err := directory.Starter(); err == nil {
		route.NameRequested(snap, n)
	}
	return cli.WriteJSON(e.stdout, n)
}

func requestExtend(ctx context.Context, e *env, args []string) error {
	c := requestCmd
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
	return cli.WriteJSON(e.stdout, n)
}

func requestChain(ctx context.Context, e *env, args []string) error {
	c := requestCmd
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
		return cli.WriteJSON(e.stdout, chain)
	}
	cli.PrintChain(e.stdout, chain)
	return nil
}

func requestDue(ctx context.Context, e *env, args []string) error {
	c := requestCmd
	fs := newFlagSet(e, c, "due")
	nowFlag := fs.String("now", "", "judge the clocks at this time, RFC 3339 with a zone (default: now)")
	asJSON := fs.Bool("json", false, "print the agenda as JSON")
	pos, err := parseArgs(fs, args, 2, "due needs the request FILE and its EVIDENCES file (a JSON array)")
	if err != nil {
		return err
	}
	now := e.clock.Now()
	if *nowFlag != "" {
		ts := request.ParseTimestamp(*nowFlag)
		if !ts.Valid() {
			return usagef("--now %q is not an RFC 3339 time with a zone, e.g. 2026-11-25T03:00:00Z", *nowFlag)
		}
		now = ts.T
	}
	r, err := loadValid(e, pos[0])
	if err != nil {
		return err
	}
	b, err := readRequest(e, pos[1])
	if err != nil {
		return err
	}
	snap, _ := directory.Starter()
	state, agenda, zone, err := cases.AgendaFromEvidences(r, pos[1], b, snap, now)
	if err != nil {
		return err
	}
	if *asJSON {
		return cli.WriteJSON(e.stdout, cli.AgendaJSON{State: state, Agenda: agenda})
	}
	cli.PrintAgenda(e.stdout, cli.AgendaView{Request: r, State: state, Agenda: agenda, Zone: zone, Directory: snap, Now: now})
	return nil
}

func requestShow(ctx context.Context, e *env, args []string) error {
	c := requestCmd
	fs := newFlagSet(e, c, "show")
	pos, err := parseArgs(fs, args, 1, "show needs one FILE (or - for standard input)")
	if err != nil {
		return err
	}
	b, err := readRequest(e, pos[0])
	if err != nil {
		return err
	}
	r, ps := checkWithDirectory(e, b)
	if r == nil {
		return apperr.Errorf(apperr.EInvalid, "%s: %s", pos[0], ps[0].Message)
	}
	snap, err := directory.Starter()
	if err != nil {
		return err
	}
	if errs := cli.PrintRequestSummary(e.stdout, r, ps, snap, e.clock.Now()); errs > 0 {
		return cli.ExitError{Code: apperr.ExitCode(apperr.EInvalid)}
	}
	return nil
}
