// Package clockrun applies the clock engine (request.Due) to a node's open
// cases and performs what is due, once: it tells the person on duty that a
// request arrived, escalates an unacknowledged request along this node's
// roster in the directory (primary, backup, supervisor), sends the
// requester a negative evidence when the acknowledgement deadline passes,
// reminds the requesting side 14 and 3 days before a preservation ends,
// and marks a preservation that lapsed.
//
// Exactly once: each action is recorded, in one transaction, as a note
// evidence on the case (so Due stops listing it), as a row in
// clock_actions (so a race or a restart cannot repeat it, also for
// actions that have no note kind) and as queued notifications. The
// notifications are then delivered by notify.Flush, which retries
// failures; delivery is at least once, recording is exactly once.
//
// Which side acts: the requested side (an incoming case) owns the
// acknowledgement clock, its escalation and the negative evidence, and
// the Art. 8 overdue alerts; the requesting side (an outgoing case) owns
// the preservation reminders and the Art. 7 switch-route alert, and its
// people are told when a negative evidence arrives. Both sides mark a
// lapsed preservation, each for its own people.
package clockrun

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/notify"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
)

// DefaultInterval is how often a node's runner looks at its clocks. The
// shortest clock (emergency acknowledgement) is 15 minutes, so 30 seconds
// keeps every action within a small fraction of its period.
const DefaultInterval = 30 * time.Second

// DefaultSweepEvery is how often the runner re-examines every open case
// besides the ones due (see Tick).
const DefaultSweepEvery = time.Hour

// Options adjust a runner. Zero values: DefaultInterval, the SPEC
// defaults, notify.toml from the node's data folder read with os.Getenv.
type Options struct {
	Interval time.Duration
	// SweepEvery is how often the runner looks at every open case again,
	// whatever its stored due time says (DefaultSweepEvery when zero): a
	// safety net, not the way clocks fire.
	SweepEvery time.Duration
	Policy     *request.Policy
	Settings   *notify.Settings
	Getenv     func(string) string
}

// Runner runs the clocks of one node.
type Runner struct {
	Cases     *cases.Service
	Notifier  *notify.Notifier
	DB        *store.DB
	Directory func(ctx context.Context) (*directory.Snapshot, error)
	Clock     clock.Clock
	Log       *slog.Logger
	Authority string // this node's authority, whose roster is escalated along
	Policy    request.Policy
	Interval  time.Duration
	// SweepEvery: see Options.
	SweepEvery time.Duration
	// Roster says who is on duty at an hour (package notify); nil means
	// the directory's people of each role, whatever the hour.
	Roster *notify.Roster
	// Exercise, when set, sends the notifications about exercise cases
	// to the exercise's contacts instead of the roster (notify.ForExercise).
	Exercise notify.ExerciseContacts

	swept     time.Time // last time every open case was marked for a look
	sweptDir  uint64    // the directory serial of that sweep
	sweptOnce bool
}

// Host is what the clocks need of the node they run on; internal/app
// fills it from a node.
type Host struct {
	Cases     *cases.Service
	DB        *store.DB
	Directory func(ctx context.Context) (*directory.Snapshot, error)
	Clock     clock.Clock
	Log       *slog.Logger
	Authority string
	DataDir   string // where notify.toml is read from
	Signing   ed25519.PrivateKey
}

// New builds the runner of a node.
func New(n Host, opt Options) (*Runner, error) {
	settings := opt.Settings
	if settings == nil {
		getenv := opt.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		s, err := notify.LoadSettings(n.DataDir, getenv)
		if err != nil {
			return nil, err
		}
		settings = &s
	}
	policy := request.DefaultPolicy()
	if opt.Policy != nil {
		policy = *opt.Policy
	}
	interval := opt.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	keyID := keys.ID(keys.FormatSigningPublic(n.Signing.Public().(ed25519.PublicKey)))
	return &Runner{
		Cases: n.Cases, DB: n.DB, Directory: n.Directory, Clock: n.Clock, Log: n.Log,
		Authority: n.Authority, Policy: policy, Interval: interval, SweepEvery: opt.SweepEvery, Roster: &notify.Roster{DB: n.DB, Clock: n.Clock},
		Notifier: &notify.Notifier{DB: n.DB, Clock: n.Clock, Log: n.Log, Settings: *settings, Authority: n.Authority,
			Signing: n.Signing, KeyID: keyID},
	}, nil
}

// Run ticks every Interval until ctx ends. A failing tick is logged and
// the next one tries again: the clocks must keep running.
func (r *Runner) Run(ctx context.Context) {
	t := time.NewTicker(r.Interval)
	defer t.Stop()
	for {
		if _, err := r.Tick(ctx); err != nil && ctx.Err() == nil {
			r.Log.Error("clock run failed; next run retries", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Performed is one action the runner took.
type Performed struct {
	Request string   `json:"request"`
	Kind    string   `json:"kind"` // a request.Action kind, or "not-acknowledged" (requesting side told)
	To      string   `json:"to"`   // roster role or "requester"
	People  []string `json:"people,omitempty"`
}

// Report is what one tick did.
type Report struct {
	Performed []Performed
	Delivery  notify.FlushResult
	// Examined is how many cases the tick looked at: those due by now or
	// changed since the last look (all open cases on a sweep).
	Examined int
	// Swept says the tick marked every open case for a look (the first
	// tick, a new directory, or SweepEvery passed).
	Swept bool
}

// Tick looks at the cases whose clocks are due by now (table clock_due,
// indexed by due time; a new evidence marks its case due at once), performs
// their due actions, stores each case's next due time and delivers the
// queued notifications. The cost of a tick follows what is due, not what
// is open. An error on one case does not stop the others; the errors are
// joined, and that case is looked at again at the next tick.
//
// Every open case is looked at on the first tick of a runner (the policy
// may have changed), when the directory changes (zones and rosters count
// in the clocks) and every SweepEvery.
func (r *Runner) Tick(ctx context.Context) (Report, error) {
	var rep Report
	d, err := r.Directory(ctx)
	if err != nil {
		return rep, err
	}
	var own *directory.Authority
	if _, a, ok := d.AuthorityByID(r.Authority); ok {
		own = a
	}
	now := r.Clock.Now()
	every := r.SweepEvery
	if every <= 0 {
		every = DefaultSweepEvery
	}
	if !r.sweptOnce || d.Serial != r.sweptDir || now.Sub(r.swept) >= every {
		if err := r.Cases.MarkOpenClocksDue(ctx); err != nil {
			return rep, err
		}
		r.sweptOnce, r.sweptDir, r.swept, rep.Swept = true, d.Serial, now, true
	}
	due, err := r.Cases.DueClocks(ctx, now)
	if err != nil {
		return rep, err
	}
	var errs []error
	if len(due) > 0 {
		// What other requests say about each case's clocks, read once for
		// the whole tick (cases.ClockLinks: the computation of ClockFacts).
		links, err := r.Cases.LoadClockLinks(ctx)
		if err != nil {
			return rep, err
		}
		for _, dc := range due {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			rep.Examined++
			done, err := r.examine(ctx, dc, d, own, links, now)
			rep.Performed = append(rep.Performed, done...)
			if err != nil {
				errs = append(errs, fmt.Errorf("request %s: %w", dc.ID, err))
			}
		}
	}
	rep.Delivery, err = r.Notifier.Flush(ctx)
	if err != nil {
		errs = append(errs, err)
	}
	return rep, errors.Join(errs...)
}

// examine performs what is due on one case and stores when it is next due.
func (r *Runner) examine(ctx context.Context, dc cases.DueClock, d *directory.Snapshot, own *directory.Authority, links *cases.ClockLinks, now time.Time) ([]Performed, error) {
	if dc.Gone {
		return nil, r.Cases.SetClockDue(ctx, dc.ID, dc.Marks, time.Time{}) // purged
	}
	c, err := r.Cases.Get(ctx, dc.ID)
	if err != nil {
		if apperr.Is(err, apperr.ENotFound) {
			return nil, r.Cases.SetClockDue(ctx, dc.ID, dc.Marks, time.Time{})
		}
		return nil, r.retry(ctx, dc, now, err)
	}
	// A follow-up or an extension changed: the clocks of the case it
	// links to may have moved too (cases.ClockFacts reads them).
	if err := r.markLinked(ctx, c.Request); err != nil {
		return nil, r.retry(ctx, dc, now, err)
	}
	if !dc.Open {
		return nil, r.Cases.SetClockDue(ctx, dc.ID, dc.Marks, time.Time{})
	}
	done, err := r.runCase(ctx, c, d, own, links)
	if err != nil {
		return done, r.retry(ctx, dc, now, err)
	}
	marks := dc.Marks
	if len(done) > 0 {
		// The actions wrote notes (which added marks): read the marks,
		// then the case as it is now, so that a change by anyone else
		// after this read still leaves its mark.
		if marks, err = r.Cases.ClockMarks(ctx, dc.ID); err != nil {
			return done, err
		}
		if c, err = r.Cases.Get(ctx, dc.ID); err != nil {
			return done, err
		}
	}
	next := nextDue(links.Facts(c, d), r.Policy, c.Direction, now)
	return done, r.Cases.SetClockDue(ctx, dc.ID, marks, next)
}

// retry keeps a failing case due at the next tick (its marks stay) and
// returns err.
func (r *Runner) retry(ctx context.Context, dc cases.DueClock, now time.Time, err error) error {
	return errors.Join(err, r.Cases.SetClockDue(ctx, dc.ID, nil, now.Add(r.Interval)))
}

// markLinked marks for a look the cases whose clocks r may move: the
// preservation an mla-followup follows up, the original an extension
// extends.
func (r *Runner) markLinked(ctx context.Context, req *request.Request) error {
	if req == nil {
		return nil
	}
	var ids []string
	if req.Type == request.TypeMLAFollowup && req.MLAFollowup != nil && req.MLAFollowup.PreservationID != "" {
		ids = append(ids, req.MLAFollowup.PreservationID)
	}
	if req.Type == request.TypePreserve {
		for _, l := range req.Links {
			if l.Rel == request.RelExtends && l.ID != "" {
				ids = append(ids, l.ID)
			}
		}
	}
	for _, id := range ids {
		if err := r.Cases.MarkClockDue(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// nextDue is when case facts f next has an action to perform on this side
// (direction dir) that is not due already at now; zero when nothing is
// ahead until the case changes. It asks request.Due itself at each
// candidate time (each deadline, each rung of the escalation ladder, each
// reminder), so it cannot disagree with the clocks the portal and the CLI
// show; candidates that bring nothing new are skipped.
func nextDue(f request.Facts, p request.Policy, dir cases.Direction, now time.Time) time.Time {
	agenda := request.Due(f, p, now)
	seen := map[string]bool{}
	for _, a := range agenda.Actions {
		if applies(dir, a.Kind) {
			seen[actionKey("", a)] = true
		}
	}
	var cands []time.Time
	add := func(t time.Time) {
		if !t.IsZero() && t.After(now) {
			cands = append(cands, t)
		}
	}
	for _, dl := range agenda.Deadlines {
		add(dl.Due)
		switch dl.Clock {
		case request.ClockAck:
			period, ok := p.Ack[f.Request.Priority]
			if !ok {
				period = p.Ack[request.PriorityRoutine]
			}
			start := dl.Due.Add(-period)
			for _, step := range p.Escalation {
				add(start.Add(time.Duration(step.AfterPeriods) * period))
			}
		case request.ClockPreservation:
			zone := f.Zone
			if zone == nil {
				zone = time.UTC
			}
			for _, n := range p.ReminderDays {
				add(dl.Due.In(zone).AddDate(0, 0, -n).UTC())
			}
		}
	}
	slices.SortFunc(cands, time.Time.Compare)
	for _, t := range cands {
		for _, a := range request.Due(f, p, t).Actions {
			if applies(dir, a.Kind) && !seen[actionKey("", a)] {
				return t
			}
		}
	}
	return time.Time{}
}

// applies says which side performs an action (see the package comment).
func applies(dir cases.Direction, kind string) bool {
	switch kind {
	case request.ActionNotify, request.ActionEscalate, request.ActionOverdue:
		return dir == cases.Incoming
	case request.ActionRemind, request.ActionSwitchRoute:
		return dir == cases.Outgoing
	case request.ActionLapsed, request.ActionNegative:
		// The requesting side acts on a missed acknowledgement too: its
		// primary is told to phone, even when the peer's node is down and
		// no negative evidence can arrive.
		return true
	}
	return false
}

func (r *Runner) runCase(ctx context.Context, c *cases.Case, d *directory.Snapshot, own *directory.Authority, links *cases.ClockLinks) ([]Performed, error) {
	id := c.Request.ID
	now := r.Clock.Now()
	// The same facts as the CLI and the portal (cases.ClockFacts): the
	// linked MLA follow-up, extensions applied to the original.
	facts := links.Facts(c, d)
	agenda := request.Due(facts, r.Policy, now)
	var done []Performed
	var errs []error
	for _, a := range agenda.Actions {
		if !applies(c.Direction, a.Kind) {
			continue
		}
		p, err := r.perform(ctx, c, a, agenda, facts.Zone, own)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s to %s: %w", a.Kind, a.To, err))
			continue
		}
		if p != nil {
			done = append(done, *p)
		}
		// The case moved (a note was added): reload before the next action.
		if c, err = r.Cases.Get(ctx, id); err != nil {
			return done, err
		}
	}
	if c.Direction == cases.Outgoing {
		p, err := r.peerNegative(ctx, c, own)
		if err != nil {
			errs = append(errs, err)
		} else if p != nil {
			done = append(done, *p)
		}
	}
	return done, errors.Join(errs...)
}

// people returns the persons of a role on this node's roster; when the
// directory lists none, the authority itself (its general e-mail), so the
// notification is still recorded and, if possible, delivered.
func people(own *directory.Authority, role string) []directory.Person {
	if own == nil {
		return []directory.Person{{Name: "(this authority is not in the directory)", Role: directory.PersonRole(role)}}
	}
	var out []directory.Person
	for _, p := range own.Escalation() {
		if strings.EqualFold(string(p.Role), role) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		name := own.Name
		if name == "" {
			name = own.ID
		}
		out = append(out, directory.Person{Name: name + " (no " + role + " on the roster)", Role: directory.PersonRole(role), Email: own.Email, Phone: own.Phone})
	}
	return out
}

// onDuty returns who to tell for role now: whoever the node's roster
// says is on duty at this hour in the authority's zone (notify.Roster),
// or, without a roster, the directory's people of the role (people).
func (r *Runner) onDuty(ctx context.Context, own *directory.Authority, role string) ([]directory.Person, error) {
	if own == nil || r.Roster == nil {
		return people(own, role), nil
	}
	d, err := r.Roster.OnDuty(ctx, own, role, r.Clock.Now())
	if err != nil {
		return nil, fmt.Errorf("duty roster: %w", err)
	}
	if len(d.People) == 0 {
		return people(own, role), nil
	}
	return d.People, nil
}

// actionKey identifies one action of one case for clock_actions.
func actionKey(id string, a request.Action) string {
	return strings.Join([]string{id, a.Clock, a.Kind, a.To, a.At.UTC().Format(time.RFC3339)}, "|")
}

// claim inserts the action's once-key; false when it was already done.
func claim(ctx context.Context, tx *sql.Tx, key, id, kind string, now time.Time) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM clock_actions WHERE action_key = $1`, key).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO clock_actions (action_key, request_id, kind, done_at) VALUES ($1, $2, $3, $4)`, key, id, kind, store.FormatTime(now))
	return err == nil, err
}

// errDone aborts a transaction whose action another run already took.
var errDone = errors.New("action already performed")

// reminderDetails finds which reminder an action is ("14 days"), from the
// preservation end and the policy's reminder days.
func reminderDetails(a request.Action, agenda request.Agenda, p request.Policy, zone *time.Location) string {
	for _, dl := range agenda.Deadlines {
		if dl.Clock != request.ClockPreservation || dl.Due.IsZero() {
			continue
		}
		for _, n := range p.ReminderDays {
			if dl.Due.In(zone).AddDate(0, 0, -n).Equal(a.At) {
				return fmt.Sprintf("%d days", n)
			}
		}
	}
	return ""
}

func (r *Runner) perform(ctx context.Context, c *cases.Case, a request.Action, agenda request.Agenda, zone *time.Location, own *directory.Authority) (*Performed, error) {
	id := c.Request.ID
	now := r.Clock.Now()
	key := actionKey(id, a)
	var (
		spec *cases.NoteSpec
		role string
	)
	by := r.Authority
	switch a.Kind {
	case request.ActionNotify, request.ActionEscalate:
		spec, role = &cases.NoteSpec{Kind: request.NoteEscalated, By: by, Details: a.To}, a.To
	case request.ActionNegative:
		if c.Direction == cases.Outgoing {
			// Told once, whether this clock or the peer's negative
			// evidence comes first (see peerNegative).
			return r.tellUnacknowledged(ctx, c, own, a.At, "")
		}
		spec = &cases.NoteSpec{Kind: request.NoteNegativeAck, By: by, Details: "requester", Send: true}
	case request.ActionRemind:
		details := reminderDetails(a, agenda, r.Policy, zone)
		if details == "" {
			return nil, fmt.Errorf("cannot tell which reminder is due at %s", a.At.Format(time.RFC3339))
		}
		spec, role = &cases.NoteSpec{Kind: request.NoteReminder, By: by, Details: details}, string(directory.Primary)
		key = strings.Join([]string{id, a.Clock, a.Kind, details}, "|")
	case request.ActionLapsed:
		spec, role = &cases.NoteSpec{Kind: request.NoteLapsed, By: by, Details: "preservation ended " + a.At.UTC().Format(time.RFC3339)}, string(directory.Primary)
	default: // overdue, switch-route: no note kind; the once-key alone
		role = string(directory.Primary)
	}
	var told []directory.Person
	if role != "" {
		var err error
		if told, err = r.onDuty(ctx, own, role); err != nil {
			return nil, err
		}
		if told, err = notify.ForExercise(ctx, r.Exercise, id, told); err != nil {
			return nil, err
		}
	}
	msg := r.message(c, a, role)
	change := r.claimAndQueue(ctx, key, id, a.Kind, now, told, msg)
	var err error
	if spec != nil {
		_, err = r.Cases.Note(ctx, id, *spec, change)
	} else {
		err = r.DB.Tx(ctx, change)
	}
	if errors.Is(err, errDone) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r.Log.Info("clock action", "request", id, "kind", a.Kind, "to", a.To, "people", len(told))
	return performed(id, a.Kind, a.To, told), nil
}

// peerNegative tells this side's primary when the other side's node sent
// a negative acknowledgement evidence: the requester must now phone.
func (r *Runner) peerNegative(ctx context.Context, c *cases.Case, own *directory.Authority) (*Performed, error) {
	ev, ok := c.Lifecycle.First(request.NoteNegativeAck, "")
	if !ok {
		return nil, nil
	}
	return r.tellUnacknowledged(ctx, c, own, ev.At, c.Peer)
}

// tellUnacknowledged tells the requesting side's primary, once per case,
// that its request was not acknowledged in time: by its own clock, or by
// the peer's negative evidence (reporter set), whichever comes first.
func (r *Runner) tellUnacknowledged(ctx context.Context, c *cases.Case, own *directory.Authority, at time.Time, reporter string) (*Performed, error) {
	id := c.Request.ID
	key := strings.Join([]string{id, request.ClockAck, "requester-told"}, "|")
	told, err := r.onDuty(ctx, own, string(directory.Primary))
	if err == nil {
		told, err = notify.ForExercise(ctx, r.Exercise, id, told)
	}
	if err != nil {
		return nil, err
	}
	how := "by this node's clock; no acknowledgement has arrived"
	if reporter != "" {
		how = reporter + " reported it with a negative evidence at " + at.UTC().Format(time.RFC3339)
	}
	msg := notify.Message{RequestID: id, Action: "not-acknowledged",
		Subject: fmt.Sprintf("[art35] Not acknowledged: %s to %s", id, c.Request.Requested.Party),
		Text: fmt.Sprintf("Your request %s (%s, %s) to %s was not acknowledged by a person there in time (%s).\n"+
			"Call their 24/7 point of contact by phone now.\n\nShow the case: art35 case show %s\n",
			id, c.Request.Type, c.Request.Priority, c.Request.Requested.Party, how, id)}
	err = r.DB.Tx(ctx, r.claimAndQueue(ctx, key, id, "not-acknowledged", r.Clock.Now(), told, msg))
	if errors.Is(err, errDone) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return performed(id, "not-acknowledged", string(directory.Primary), told), nil
}

// claimAndQueue is the change that does an action once: it claims the
// action's once-key and queues msg to each person told in the same
// transaction, or returns errDone when the key was claimed before.
func (r *Runner) claimAndQueue(ctx context.Context, key, id, kind string, now time.Time, told []directory.Person, msg notify.Message) func(*sql.Tx) error {
	return func(tx *sql.Tx) error {
		ok, err := claim(ctx, tx, key, id, kind, now)
		if err != nil {
			return err
		}
		if !ok {
			return errDone
		}
		for _, p := range told {
			if _, err := r.Notifier.Queue(ctx, tx, p, msg); err != nil {
				return err
			}
		}
		return nil
	}
}

// performed reports an action done for request id, naming the people told.
func performed(id, kind, to string, told []directory.Person) *Performed {
	p := &Performed{Request: id, Kind: kind, To: to}
	for _, x := range told {
		p.People = append(p.People, x.Name)
	}
	return p
}

func (r *Runner) message(c *cases.Case, a request.Action, role string) notify.Message {
	id := c.Request.ID
	var subject, todo string
	switch a.Kind {
	case request.ActionNotify:
		subject = fmt.Sprintf("[art35] New %s request %s from %s", c.Request.Priority, id, c.Request.Requesting.Party)
		todo = fmt.Sprintf("Acknowledge it: art35 case ack %s --by \"YOUR NAME\"", id)
	case request.ActionEscalate:
		subject = fmt.Sprintf("[art35] ESCALATED to %s: %s request %s from %s not acknowledged", role, c.Request.Priority, id, c.Request.Requesting.Party)
		todo = fmt.Sprintf("Acknowledge it now: art35 case ack %s --by \"YOUR NAME\"", id)
	case request.ActionRemind:
		subject = fmt.Sprintf("[art35] Preservation %s ends soon", id)
		todo = fmt.Sprintf("Send the MLA request or an extension (art35 request extend). Show it: art35 case show %s", id)
	case request.ActionLapsed:
		subject = fmt.Sprintf("[art35] Preservation %s has ended", id)
		todo = fmt.Sprintf("Show it: art35 case show %s", id)
	default:
		subject = fmt.Sprintf("[art35] %s: request %s", a.Kind, id)
		todo = fmt.Sprintf("Show it: art35 case show %s", id)
	}
	text := fmt.Sprintf("%s\n\nRequest: %s (%s, %s)\nFrom %s to %s, sender's reference %s\nDue since: %s\n\n%s\n",
		a.Message, id, c.Request.Type, c.Request.Priority, c.Request.Requesting.Party, c.Request.Requested.Party, c.Request.SenderRef,
		a.At.UTC().Format(time.RFC3339), todo)
	return notify.Message{RequestID: id, Action: a.Kind, Subject: subject, Text: text}
}
