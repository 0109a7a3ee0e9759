package cli

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/request"
)

// CaseWork is what the "case" subcommands do to a node's cases: each
// method checks what the command line gave (a usage error names what is
// missing), takes one step through cases.Service and prints the outcome
// to W.
type CaseWork struct {
	Cases *cases.Service
	W     io.Writer
	Now   time.Time
}

// needBy is the usage error of a step without the name of its author.
func needBy(by, format string, args ...any) error {
	if strings.TrimSpace(by) == "" {
		return Usagef(format, args...)
	}
	return nil
}

// Step moves case id to step.To ("case ack", "start", ...); until is the
// text of --until, sub the subcommand's name for the messages.
func (w CaseWork) Step(ctx context.Context, sub, id, until string, step request.Step, res request.Reservations) error {
	if err := needBy(step.By, "%s needs --by NAME: every step names the person who took it", sub); err != nil {
		return err
	}
	if until != "" {
		t, err := ParseUntil(until)
		if err != nil {
			return err
		}
		step.Until = t
	}
	ev, err := w.Cases.Act(ctx, id, step, res)
	if err != nil {
		return err
	}
	PrintStep(w.W, id, ev)
	return nil
}

// Served records that the Protocol Art. 8 production order of case id was
// served on the provider: the note starts the 20-day (subscriber
// information) or 45-day (traffic data) clock (Protocol Art. 8(7)),
// whose due time it prints.
func (w CaseWork) Served(ctx context.Context, id, by, details string) error {
	if err := needBy(by, "served needs --by NAME: every step names the person who took it"); err != nil {
		return err
	}
	c, err := w.Cases.Get(ctx, id)
	if err != nil {
		return err
	}
	if c.Request.Type != request.TypeProductionOrder {
		return Usagef("served applies to a production-order (Protocol Art. 8); %s is a %s", id, c.Request.Type)
	}
	if c.Direction != cases.Incoming {
		return Usagef("served is recorded by the requested party, which serves the order on its provider; %s was sent from this node", id)
	}
	ev, err := w.Cases.Note(ctx, id, cases.NoteSpec{Kind: request.NoteServed, By: by, As: request.ByReceiver, Details: details}, nil)
	if err != nil {
		return err
	}
	// The service is recorded now (the note's time starts the clock).
	var agenda request.Agenda
	if c, err = w.Cases.Get(ctx, id); err == nil {
		agenda, _, err = w.Cases.Clocks(ctx, c, request.DefaultPolicy(), w.Now)
	}
	fmt.Fprintf(w.W, "%s: served on the provider, recorded by %s at %s\n", id, ev.By, ev.At.Format(time.RFC3339))
	if err == nil {
		for _, d := range agenda.Deadlines {
			if d.Clock == request.ClockArt8Data {
				fmt.Fprintf(w.W, "data due by %s (%s)\n", d.Due.Format(time.RFC3339), d.Source)
			}
		}
	}
	return nil
}

// Renew records the renewal of the authorised period of the Art. 34
// interception of case id until the time until names: the note's Until is
// the new end, which the interception clock reads.
func (w CaseWork) Renew(ctx context.Context, id, by, until, details string) error {
	if strings.TrimSpace(by) == "" || until == "" {
		return Usagef("renew needs --by NAME and --until DATE (the new end of the authorised period)")
	}
	end, err := ParseUntil(until)
	if err != nil {
		return err
	}
	c, err := w.Cases.Get(ctx, id)
	if err != nil {
		return err
	}
	if c.Request.Type != request.TypeInterception {
		return Usagef("renew applies to an interception (Art. 34); %s is a %s", id, c.Request.Type)
	}
	if !end.After(w.Now) {
		return Usagef("--until %s is not in the future", until)
	}
	ev, err := w.Cases.Note(ctx, id, cases.NoteSpec{Kind: request.NoteRenewed, By: by, As: request.ByReceiver, Details: details, Until: end}, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(w.W, "%s: authorised period renewed until %s, recorded by %s at %s\n", id, end.Format(time.RFC3339), ev.By, ev.At.Format(time.RFC3339))
	return nil
}

// Countersign is the second person's signature of the emergency request
// of case id, which this node sent (SPEC story 7; Protocol Art. 9), with
// their own signing key from keyFile, which the directory lists for this
// authority, never the node's (cases.Countersign).
func (w CaseWork) Countersign(ctx context.Context, id, by, keyFile string) error {
	if strings.TrimSpace(by) == "" || keyFile == "" {
		return Usagef("countersign needs --by NAME and --key FILE: the second person and their own signing key")
	}
	key, err := keys.LoadSigning(keyFile)
	if err != nil {
		return err
	}
	if err := w.Cases.Countersign(ctx, id, by, key); err != nil {
		return err
	}
	kid := keys.ID(keys.FormatSigningPublic(key.Public().(ed25519.PublicKey)))
	fmt.Fprintf(w.W, "%s: countersigned by %s (key %s); the countersignature is queued for the requested side\n", id, by, kid)
	return nil
}

// Notify sends the notification copy of the direct order of case id,
// sent from here (Protocol Art. 7(5); Reg. (EU) 2023/1543 Art. 8).
func (w CaseWork) Notify(ctx context.Context, id, by string) error {
	if err := needBy(by, "notify needs one case ID and --by NAME"); err != nil {
		return err
	}
	note, err := w.Cases.Notify(ctx, id, by)
	if err != nil {
		return err
	}
	fmt.Fprintf(w.W, "%s: notification copy queued for %s (%s)\n", id, note.Authority, note.Basis)
	return nil
}

// StopUsage is the usage line of "case stop-disclosure".
const StopUsage = "stop-disclosure needs the ID of the notification copy held here, --provider ID, --by NAME and --reason TEXT"

// StopDisclosure is the notified authority's stop of the direct order
// whose notification copy is case id (Protocol Art. 7(5)(c); Reg. (EU)
// 2023/1543 Art. 12).
func (w CaseWork) StopDisclosure(ctx context.Context, id, provider, by, reason string) error {
	if provider == "" || strings.TrimSpace(by) == "" || strings.TrimSpace(reason) == "" {
		return Usagef("%s", StopUsage)
	}
	ev, err := w.Cases.StopDisclosure(ctx, id, provider, by, reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(w.W, "%s: %s instructed not to disclose, by %s at %s; the signed stop is queued\n", id, provider, ev.By, ev.At.Format("2006-01-02T15:04:05Z07:00"))
	return nil
}

// Callback records the call-back cb that confirms the received emergency
// request of case id, when cb names one (at is its time, RFC 3339, or ""
// for now), and prints (as JSON when asJSON) how the request stands.
func (w CaseWork) Callback(ctx context.Context, id string, cb cases.CallbackRecord, at string, asJSON bool) error {
	if cb.CalledBy != "" || cb.Number != "" || cb.Outcome != "" {
		if at != "" {
			var err error
			if cb.CalledAt, err = time.Parse(time.RFC3339, at); err != nil {
				return Usagef("--at %q: not RFC 3339 (e.g. 2026-11-25T02:00:00Z)", at)
			}
		}
		if _, err := w.Cases.Callback(ctx, id, cb); err != nil {
			return err
		}
	}
	conf, err := w.Cases.Confirm(ctx, id)
	return Show(w.W, asJSON, conf, err, func() error { PrintConfirmation(w.W, id, conf); return nil })
}

// ParseUntil reads an end date: a day (end of that day, UTC) or an RFC
// 3339 time with a zone.
func ParseUntil(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Add(24*time.Hour - time.Second), nil
	}
	ts := request.ParseTimestamp(s)
	if !ts.Valid() {
		return time.Time{}, Usagef("--until %q: give a date YYYY-MM-DD or an RFC 3339 time with a zone, e.g. 2027-02-28 or 2027-02-28T23:59:59Z", s)
	}
	return ts.T, nil
}
