package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
)

var requestCmd = &command{
	name:  "request",
	short: "validate, template, schema and print cooperation requests",
	usage: "request <validate|schema|new|letter> ...",
	long: `Work with cooperation requests (SPEC section 5) as JSON files.

  art35 request validate [--json] FILE   check a request; exit 0 valid, 1 with every problem
                                         (warnings from the directory: route, language)
  art35 request schema TYPE              print the JSON Schema of a request type
  art35 request new TYPE                 print a template to fill in
  art35 request letter [--for-provider] [--lang en|fr] FILE
                                         print the formal letter as print-ready HTML
  art35 request next-preserve --id ID ORIGINAL ANSWER
                                         turn a traffic-path ANSWER to the preserve ORIGINAL
                                         into a linked preserve to the provider's country
  art35 request extend --id ID FILE      print an extension of a preserve request
  art35 request due [--now TIME] [--json] FILE EVIDENCES
                                         replay the evidences (a JSON array) and print the
                                         request's deadlines and the actions due now
  art35 request show FILE                summary, checklist result and legal route
  art35 request chain [--json] ID FILE...
                                         walk the chain of linked requests that contains ID

FILE may be - for standard input. TYPE is one of: ` + strings.Join(typeNames(), ", ") + `.`,
}

func typeNames() []string {
	var s []string
	for _, t := range request.Types {
		s = append(s, string(t))
	}
	return s
}

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

// validateResult is the JSON answer of "request validate --json".
type validateResult struct {
	Valid    bool              `json:"valid"`
	Problems []request.Problem `json:"problems"`
}

// checkWithDirectory validates a document and adds, as warnings, what the
// directory says: the Protocol Art. 4 language check and the legal route
// (no instrument, a legal basis that does not apply, Art. 9(1)(b), 7(5)).
func checkWithDirectory(e *env, b []byte) (*request.Request, []request.Problem) {
	r, ps := request.Check(b, e.clock.Now())
	if r == nil {
		return nil, ps
	}
	if snap, err := directory.Starter(); err == nil {
		if a, err := snap.PointOfContact(r.Requested.Party); err == nil {
			ps = append(ps, request.CheckLanguage(r, a.Languages)...)
		}
		at := e.clock.Now()
		if r.CreatedAt.Valid() {
			at = r.CreatedAt.T
		}
		ps = append(ps, route.Check(snap, r, at)...)
	}
	return r, ps
}

func requestValidate(ctx context.Context, e *env, args []string) error {
	c := requestCmd
	fs := newFlagSet(e, c, "validate")
	asJSON := fs.Bool("json", false, `print {"valid":bool,"problems":[...]} instead of text`)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("validate needs one FILE (or - for standard input)")
	}
	b, err := readArg(e, pos[0], request.MaxDocument+1)
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
	c := requestCmd
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
	c := requestCmd
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
	c := requestCmd
	fs := newFlagSet(e, c, "letter")
	forProvider := fs.Bool("for-provider", false, "print what the provider may see (Art. 8 supporting information left out without consent)")
	lang := fs.String("lang", "", "language of the letter: "+strings.Join(request.LetterLanguages(), ", ")+" (default: the request's language; English where no catalogue exists)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("letter needs one FILE (or - for standard input)")
	}
	b, err := readArg(e, pos[0], request.MaxDocument+1)
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
	// The letter shows the requested authority's time zone and hours; when
	// the request does not state them, take them from the directory.
	if snap, err := directory.Starter(); err == nil {
		if a, err := snap.PointOfContact(r.Requested.Party); err == nil {
			if r.Requested.TimeZone == "" {
				r.Requested.TimeZone = a.TimeZone
			}
			if r.Requested.OfficeHours == "" {
				r.Requested.OfficeHours = a.DutyHours
			}
		}
	}
	if *lang != "" && !slices.Contains(request.LetterLanguages(), strings.ToLower(*lang)) {
		return usagef("--lang %q: no letter catalogue for it; use one of %s (a translator adds internal/request/letters/%s.json)", *lang, strings.Join(request.LetterLanguages(), ", "), strings.ToLower(*lang))
	}
	return request.RenderLetter(e.stdout, r, request.LetterOptions{Now: e.clock.Now(), ForProvider: *forProvider, Language: strings.ToLower(*lang)})
}

// loadValid reads and validates a request file; errors list every problem.
func loadValid(e *env, name string) (*request.Request, error) {
	b, err := readArg(e, name, request.MaxDocument+1)
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
	return writeJSON(e, n)
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

func requestDue(ctx context.Context, e *env, args []string) error {
	c := requestCmd
	fs := newFlagSet(e, c, "due")
	nowFlag := fs.String("now", "", "judge the clocks at this time, RFC 3339 with a zone (default: now)")
	asJSON := fs.Bool("json", false, "print the agenda as JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("due needs the request FILE and its EVIDENCES file (a JSON array)")
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
	b, err := readArg(e, pos[1], request.MaxDocument+1)
	if err != nil {
		return err
	}
	var evs []request.Evidence
	if err := json.Unmarshal(b, &evs); err != nil {
		return apperr.Wrap(apperr.EInvalid, err, "%s is not a JSON array of evidences", pos[1])
	}
	snap, _ := directory.Starter()
	l, err := request.Replay(r, evs, route.Reservations{Snapshot: snap})
	if err != nil {
		return apperr.Wrap(apperr.EInvalid, err, "%s", pos[1])
	}
	zone := cases.Zone(r, snap)
	agenda := request.Due(request.Facts{Request: r, Lifecycle: l, Zone: zone}, request.DefaultPolicy(), now)
	if *asJSON {
		return writeJSON(e, struct {
			State request.State `json:"state"`
			request.Agenda
		}{l.State, agenda})
	}
	fmt.Fprintf(e.stdout, "%s (%s, %s) %s -> %s: %s, at %s\n", r.ID, r.Type, r.Priority, r.Requesting.Party, r.Requested.Party, l.State, now.UTC().Format(time.RFC3339))
	fmt.Fprintf(e.stdout, "\nDeadlines (UTC, and local time in %s):\n", zone)
	if len(agenda.Deadlines) == 0 {
		fmt.Fprintln(e.stdout, "  none running")
	}
	for _, d := range agenda.Deadlines {
		due := "(held)"
		if !d.Due.IsZero() {
			due = d.Due.Format(time.RFC3339) + " (" + d.Due.In(zone).Format("Mon 2 Jan 15:04 MST") + ")"
		}
		fmt.Fprintf(e.stdout, "  %-20s %-9s %s\n      %s\n", d.Clock, d.Status, due, d.Source)
		if d.Note != "" {
			fmt.Fprintf(e.stdout, "      %s\n", d.Note)
		}
	}
	fmt.Fprintln(e.stdout, "\nActions due now:")
	if len(agenda.Actions) == 0 {
		fmt.Fprintln(e.stdout, "  none")
	}
	for _, a := range agenda.Actions {
		fmt.Fprintf(e.stdout, "  %-18s -> %-10s %s\n", a.Kind, a.To, a.Message)
		if a.Kind == request.ActionNotify || a.Kind == request.ActionEscalate {
			people := route.Escalation(snap, r.Requested.Party, a.To)
			if len(people) == 0 {
				fmt.Fprintf(e.stdout, "      the directory lists no %s for %s: reach the point of contact by its published channel\n", a.To, r.Requested.Party)
			}
			for _, p := range people {
				fmt.Fprintf(e.stdout, "      %s %s %s\n", p.Name, p.Phone, p.Email)
			}
		}
	}
	return nil
}

func requestShow(ctx context.Context, e *env, args []string) error {
	c := requestCmd
	fs := newFlagSet(e, c, "show")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("show needs one FILE (or - for standard input)")
	}
	b, err := readArg(e, pos[0], request.MaxDocument+1)
	if err != nil {
		return err
	}
	r, ps := checkWithDirectory(e, b)
	if r == nil {
		return apperr.Errorf(apperr.EInvalid, "%s: %s", pos[0], ps[0].Message)
	}
	fmt.Fprintf(e.stdout, "%s  %s  %s -> %s  priority %s  handling %s\n", r.ID, r.Type, r.Requesting.Party, r.Requested.Party, r.Priority, r.Handling.Code)
	fmt.Fprintf(e.stdout, "reference %s, created %s, language %s, basis %s %s\n", r.SenderRef, r.CreatedAt, r.Language, r.LegalBasis.Instrument, r.LegalBasis.Article)
	for _, l := range r.Links {
		fmt.Fprintf(e.stdout, "link %s %s\n", l.Rel, l.ID)
	}
	errs := 0
	for _, p := range ps {
		if p.Severity == request.SeverityError {
			errs++
		}
	}
	fmt.Fprintf(e.stdout, "checklist: %d errors, %d warnings (art35 request validate for details)\n", errs, len(ps)-errs)
	snap, err := directory.Starter()
	if err != nil {
		return err
	}
	at := r.CreatedAt.T
	if !r.CreatedAt.Valid() {
		at = e.clock.Now()
	}
	d, err := route.Decide(snap, r.Requesting.Party, r.Requested.Party, r.Type, at)
	if err != nil {
		fmt.Fprintf(e.stdout, "route: %v\n", err)
	} else {
		fmt.Fprintf(e.stdout, "route: %s\n", d.Summary)
	}
	for _, p := range ps {
		if strings.HasPrefix(p.Rule, "route-") {
			fmt.Fprintf(e.stdout, "warning: %s\n", p.Message)
		}
	}
	if errs > 0 {
		return silentError{code: apperr.ExitCode(apperr.EInvalid)}
	}
	return nil
}
