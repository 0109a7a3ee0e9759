package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
)

func runRequest(ctx context.Context, e *env, args []string) error {
	return e.Dispatch(ctx, requestCmd, []subcommand{
		{Name: "validate", Short: "check a request against its checklist", Run: requestValidate},
		{Name: "schema", Short: "print the JSON Schema of a request type", Run: requestSchema},
		{Name: "new", Short: "print a template of a request type to fill in", Run: requestNew},
		{Name: "letter", Short: "print a request as a formal letter (HTML)", Run: requestLetter},
		{Name: "next-preserve", Short: "linked preserve to the third country from a traffic-path answer", Run: requestNextPreserve},
		{Name: "extend", Short: "print an extension of a preserve request", Run: requestExtend},
		{Name: "chain", Short: "walk the chain of linked requests", Run: requestChain},
		{Name: "due", Short: "deadlines and actions due for a request and its evidences", Run: requestDue},
		{Name: "show", Short: "summary, checklist result and legal route of a request", Run: requestShow},
	}, args)
}

// requestFiles reads the request files named on the command line.
func requestFiles(e *env) cli.RequestFiles {
	return cli.RequestFiles{Stdin: e.Stdin, Now: e.Clock.Now()}
}

// invalid is the exit status of a request found invalid.
var invalid = cli.ExitError{Code: apperr.ExitCode(apperr.EInvalid)}

func requestValidate(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(requestCmd, "validate")
	asJSON := fs.Bool("json", false, `print {"valid":bool,"problems":[...]} instead of text`)
	pos, err := cli.ParseArgs(fs, args, 1, "validate needs one FILE (or - for standard input)")
	if err != nil {
		return err
	}
	_, ps, err := requestFiles(e).Check(pos[0])
	res := cli.NewValidation(ps)
	if err := cli.Show(e.Stdout, *asJSON, res, err, func() error { cli.PrintValidation(e.Stdout, pos[0], ps); return nil }); err != nil {
		return err
	}
	if !res.Valid {
		return invalid
	}
	return nil
}

func requestSchema(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(requestCmd, "schema")
	pos, err := cli.ParseArgs(fs, args, 1, fmt.Sprintf("schema needs one TYPE: %s", strings.Join(request.TypeNames(), ", ")))
	if err != nil {
		return err
	}
	s, err := request.Schema(request.Type(pos[0]))
	return cli.Show(e.Stdout, true, s, err, nil)
}

func requestNew(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(requestCmd, "new")
	pos, err := cli.ParseArgs(fs, args, 1, fmt.Sprintf("new needs one TYPE: %s", strings.Join(request.TypeNames(), ", ")))
	if err != nil {
		return err
	}
	m, err := request.Template(request.Type(pos[0]), e.Clock.Now())
	return cli.Show(e.Stdout, true, m, err, nil)
}

func requestLetter(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(requestCmd, "letter")
	forProvider := fs.Bool("for-provider", false, "print what the provider may see (Art. 8 supporting information left out without consent)")
	lang := fs.String("lang", "", "language of the letter: "+strings.Join(request.LetterLanguages(), ", ")+" (default: the request's language; English where no catalogue exists)")
	pos, err := cli.ParseArgs(fs, args, 1, "letter needs one FILE (or - for standard input)")
	if err != nil {
		return err
	}
	return requestFiles(e).Letter(e.Stdout, e.Stderr, pos[0], *lang, *forProvider)
}

func requestNextPreserve(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(requestCmd, "next-preserve")
	id := fs.String("id", "", "network-wide id of the new request (required)")
	pos, err := cli.ParseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || *id == "" {
		return cli.Usagef("next-preserve needs --id ID, the ORIGINAL preserve file and the traffic-path ANSWER file")
	}
	n, err := requestFiles(e).NextPreserve(pos[0], pos[1], *id)
	return cli.Show(e.Stdout, true, n, err, nil)
}

func requestExtend(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(requestCmd, "extend")
	id := fs.String("id", "", "network-wide id of the extension (required)")
	pos, err := cli.ParseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *id == "" {
		return cli.Usagef("extend needs --id ID and one preserve FILE")
	}
	orig, err := requestFiles(e).Valid(pos[0])
	if err != nil {
		return err
	}
	n, err := request.Extend(orig[0], *id, e.Clock.Now())
	return cli.Show(e.Stdout, true, n, err, nil)
}

func requestChain(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(requestCmd, "chain")
	asJSON := fs.Bool("json", false, "print the chain as JSON")
	pos, err := cli.ParseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return cli.Usagef("chain needs an ID and the request FILEs to walk")
	}
	reqs, err := requestFiles(e).Valid(pos[1:]...)
	if err != nil {
		return err
	}
	chain, err := request.Walk(reqs, pos[0])
	return cli.Show(e.Stdout, *asJSON, chain, err, func() error { cli.PrintChain(e.Stdout, chain); return nil })
}

func requestDue(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(requestCmd, "due")
	nowFlag := fs.String("now", "", "judge the clocks at this time, RFC 3339 with a zone (default: now)")
	asJSON := fs.Bool("json", false, "print the agenda as JSON")
	pos, err := cli.ParseArgs(fs, args, 2, "due needs the request FILE and its EVIDENCES file (a JSON array)")
	if err != nil {
		return err
	}
	f := requestFiles(e)
	if f.Now, err = cli.ParseNow(*nowFlag, f.Now); err != nil {
		return err
	}
	v, err := f.Due(pos[0], pos[1])
	return cli.Show(e.Stdout, *asJSON, cli.AgendaJSON{State: v.State, Agenda: v.Agenda}, err, func() error { cli.PrintAgenda(e.Stdout, v); return nil })
}

func requestShow(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(requestCmd, "show")
	pos, err := cli.ParseArgs(fs, args, 1, "show needs one FILE (or - for standard input)")
	if err != nil {
		return err
	}
	r, ps, err := requestFiles(e).Check(pos[0])
	if err != nil {
		return err
	}
	if r == nil {
		return apperr.Errorf(apperr.EInvalid, "%s: %s", pos[0], ps[0].Message)
	}
	snap, err := directory.Starter()
	if err != nil {
		return err
	}
	if errs := cli.PrintRequestSummary(e.Stdout, r, ps, snap, e.Clock.Now()); errs > 0 {
		return invalid
	}
	return nil
}
