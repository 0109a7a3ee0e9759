package request

import (
	"fmt"
	"slices"
	"time"
)

// PreservationMinDays is the shortest preservation Art. 29(7) allows.
const PreservationMinDays = 60

// EscalationStep is one rung of the acknowledgement ladder: the role the
// request goes to, AfterPeriods acknowledgement periods after the clock
// starts (0 for the first person). It is data so that a network policy in
// the directory can change it, and so that notification channels (SMTP,
// webhook) can be attached by the caller per role.
type EscalationStep struct {
	Role         string `json:"role"`
	AfterPeriods int    `json:"after_periods"`
	// NegativeEvidence: when this step is reached, the requester is sent a
	// negative evidence ("not acknowledged in time").
	NegativeEvidence bool `json:"negative_evidence,omitempty"`
}

// Policy holds the clock defaults of SPEC section 6. The network policy in
// the directory may set others.
type Policy struct {
	Ack                 map[Priority]time.Duration `json:"ack"`
	Escalation          []EscalationStep           `json:"escalation"`
	PreservationMinDays int                        `json:"preservation_min_days"`
	ReminderDays        []int                      `json:"reminder_days"`
	Art7Days            int                        `json:"art7_days"`
	Art8ServeDays       int                        `json:"art8_serve_days"`
	Art8SubscriberDays  int                        `json:"art8_subscriber_days"`
	Art8TrafficDays     int                        `json:"art8_traffic_days"`
	EUPreserveDays      int                        `json:"eu_preserve_days"`
	EUExtensionDays     int                        `json:"eu_extension_days"`
}

// DefaultPolicy returns the SPEC section 6 defaults.
func DefaultPolicy() Policy {
	return Policy{
		Ack: map[Priority]time.Duration{
			PriorityEmergency: 15 * time.Minute,
			PriorityUrgent:    2 * time.Hour,
			PriorityRoutine:   24 * time.Hour,
		},
		Escalation: []EscalationStep{
			{Role: "primary", AfterPeriods: 0},
			{Role: "backup", AfterPeriods: 1, NegativeEvidence: true},
			{Role: "supervisor", AfterPeriods: 2},
		},
		PreservationMinDays: PreservationMinDays,
		ReminderDays:        []int{14, 3},
		Art7Days:            30,
		Art8ServeDays:       45,
		Art8SubscriberDays:  20,
		Art8TrafficDays:     45,
		EUPreserveDays:      60,
		EUExtensionDays:     30,
	}
}

// Clock names.
const (
	ClockAck          = "acknowledge"
	ClockPreservation = "preservation-end"
	ClockArt7         = "protocol-art7"
	ClockArt8Serve    = "protocol-art8-serve"
	ClockArt8Data     = "protocol-art8-data"
	// ClockEUProduction: a European Production Order is answered within
	// 10 days of receipt of the EPOC (Reg. 2023/1543 Art. 10(2)).
	ClockEUProduction = "eu-production"
	// ClockEUEmergency: in an emergency case, within 8 hours of receipt
	// of the EPOC (Reg. 2023/1543 Art. 10(4)).
	ClockEUEmergency = "eu-emergency"
	// ClockInterception: the authorised period of an Art. 34 interception,
	// moved by each renewal; content never flows through art35.
	ClockInterception = "interception-period"
	// ClockDomestic: a domestic preservation order lasts at most 90 days,
	// renewable (Art. 16(2)).
	ClockDomestic = "domestic-order"
)

// Deadline states.
const (
	DeadlinePending   = "pending"
	DeadlineMet       = "met"
	DeadlineMissed    = "missed"
	DeadlineSuspended = "suspended" // the clock is held (a preservation while MLA is pending)
)

// Deadline is one legal or network clock of a request.
type Deadline struct {
	Clock  string    `json:"clock"`
	Due    time.Time `json:"due,omitzero"` // UTC; zero while suspended
	Status string    `json:"status"`
	Source string    `json:"source"`
	Note   string    `json:"note,omitempty"`
}

// Action kinds.
const (
	ActionNotify      = "notify"            // tell a person on the roster
	ActionEscalate    = "escalate"          // go to the next person on the roster
	ActionNegative    = "negative-evidence" // tell the requester the deadline passed
	ActionRemind      = "remind"            // preservation end is near
	ActionLapsed      = "lapsed"            // preservation ended
	ActionSwitchRoute = "switch-route"      // Art. 7: use Art. 8 or MLA
	ActionOverdue     = "overdue"           // a deadline passed without the step
)

// Action is something that is due now: the caller performs it (notify by
// e-mail or webhook, send an evidence) and records it as an evidence, after
// which Due no longer lists it.
type Action struct {
	Kind    string    `json:"kind"`
	Clock   string    `json:"clock"`
	At      time.Time `json:"at"` // when it became due
	To      string    `json:"to"` // roster role, "requester" or "requested"
	Message string    `json:"message"`
}

// Agenda is what Due returns.
type Agenda struct {
	Deadlines []Deadline `json:"deadlines"`
	Actions   []Action   `json:"actions"`
}

// Facts is what the clock engine reads: the request, its lifecycle, the
// zone in which calendar days are counted (the requested authority's: a
// preservation "60 days" ends at the same local time 60 days later, across
// daylight-saving changes), and the provider's own preservation period.
type Facts struct {
	Request      *Request
	Lifecycle    *Lifecycle
	Zone         *time.Location
	ProviderDays int
	// MLA is the lifecycle of the mla-followup request linked to this
	// preservation, when the caller has it: its delivery counts as the MLA
	// request received, its end (disclosed, partially executed, declined,
	// closed) as decided. Notes on the preservation itself count too.
	MLA *Lifecycle
}

// mlaTimes returns when the follow-up MLA request reached the requested
// party and when it was decided, from the preservation's notes or the
// linked mla-followup's lifecycle, whichever is earlier.
func mlaTimes(f Facts) (received, decided time.Time) {
	earliest := func(a, b time.Time) time.Time {
		if a.IsZero() || (!b.IsZero() && b.Before(a)) {
			return b
		}
		return a
	}
	if e, ok := f.Lifecycle.First(NoteMLAReceived, ""); ok {
		received = e.At
	}
	if e, ok := f.Lifecycle.First(NoteMLADecided, ""); ok {
		decided = e.At
	}
	if f.MLA != nil {
		if e, ok := f.MLA.First("transition", StateDelivered); ok {
			received = earliest(received, e.At)
		}
		if e, ok := firstOf(f.MLA, StateDisclosed, StatePartiallyExecuted, StateDeclined, StateClosed); ok {
			decided = earliest(decided, e.At)
		}
	}
	return received, decided
}

// addDays counts calendar days in zone: the same wall-clock time n days
// later, which is 23 or 25 hours off a multiple of 24 h across a DST change.
func addDays(t time.Time, n int, zone *time.Location) time.Time {
	if zone == nil {
		zone = time.UTC
	}
	return t.In(zone).AddDate(0, 0, n).UTC()
}

// Due returns the deadlines of a request and the actions due at now.
// Durations in hours (acknowledgement) are exact; durations in days are
// calendar days in f.Zone. Actions already recorded as evidences are not
// repeated, so the caller may run Due as often as it likes.
func Due(f Facts, p Policy, now time.Time) Agenda {
	a := Agenda{Deadlines: []Deadline{}, Actions: []Action{}}
	if f.Request == nil || f.Lifecycle == nil {
		return a
	}
	ackClock(&a, f, p, now)
	if f.Request.LegalBasis.Instrument == InstrumentEU && !f.Request.Type.Preserves() {
		euProductionClock(&a, f, now)
		return a
	}
	switch f.Request.Type {
	case TypeEPOCPR:
		preservationClock(&a, f, p, now)
	case TypePreserve:
		if domestic(f.Request) {
			domesticClock(&a, f, now)
		} else {
			preservationClock(&a, f, p, now)
		}
	case TypeSubscriberDirect:
		art7Clock(&a, f, p, now)
	case TypeInterception:
		interceptionClock(&a, f, now)
	case TypeProductionOrder:
		art8Clocks(&a, f, p, now)
	}
	return a
}

func ackClock(a *Agenda, f Facts, p Policy, now time.Time) {
	l := f.Lifecycle
	start, ok := l.First("transition", StateDelivered)
	if !ok {
		if start, ok = l.First("transition", StateSent); !ok {
			return
		}
	}
	period, ok := p.Ack[f.Request.Priority]
	if !ok {
		period = p.Ack[PriorityRoutine]
	}
	due := start.At.Add(period)
	d := Deadline{Clock: ClockAck, Due: due, Status: DeadlinePending,
		Source: fmt.Sprintf("SPEC section 6: a person acknowledges a request of priority %s within %s", f.Request.Priority, period)}
	ack, acked := l.First("transition", StateAcknowledged)
	switch {
	case acked && !ack.At.After(due):
		d.Status = DeadlineMet
	case acked:
		d.Status, d.Note = DeadlineMissed, "acknowledged late, at "+ack.At.Format(time.RFC3339)
	case !now.Before(due):
		d.Status = DeadlineMissed
	}
	a.Deadlines = append(a.Deadlines, d)
	if acked || l.State == StateClosed {
		return
	}
	recorded := map[string]bool{}
	for _, e := range l.Evidences {
		if e.Kind == NoteEscalated || e.Kind == NoteNegativeAck {
			recorded[e.Kind+"/"+e.Details] = true
		}
	}
	for _, step := range p.Escalation {
		at := start.At.Add(time.Duration(step.AfterPeriods) * period)
		if at.After(now) {
			continue
		}
		kind, note := ActionEscalate, NoteEscalated
		msg := fmt.Sprintf("request %s not acknowledged %s after delivery: escalate to the %s", f.Request.ID, at.Sub(start.At), step.Role)
		if step.AfterPeriods == 0 {
			kind, msg = ActionNotify, fmt.Sprintf("request %s (%s) delivered: the %s on duty must acknowledge it by %s", f.Request.ID, f.Request.Priority, step.Role, due.Format(time.RFC3339))
		}
		if !recorded[note+"/"+step.Role] {
			a.Actions = append(a.Actions, Action{Kind: kind, Clock: ClockAck, At: at, To: step.Role, Message: msg})
		}
		if step.NegativeEvidence && !recorded[NoteNegativeAck+"/requester"] {
			a.Actions = append(a.Actions, Action{Kind: ActionNegative, Clock: ClockAck, At: at, To: "requester",
				Message: fmt.Sprintf("request %s was not acknowledged by %s (deadline %s)", f.Request.ID, f.Request.Requested.Party, due.Format(time.RFC3339))})
		}
	}
}

// EU production order deadlines (Reg. 2023/1543 Art. 10(2) and 10(4)).
const (
	EUProductionDays    = 10
	EUEmergencyDuration = 8 * time.Hour
)

// euProductionClock: the addressee of a European Production Order
// transmits the data within 10 days of receiving the EPOC, or within 8
// hours in an emergency case (Reg. 2023/1543 Art. 10(2), 10(4)). The
// clock starts on delivery.
func euProductionClock(a *Agenda, f Facts, now time.Time) {
	l := f.Lifecycle
	recv, ok := l.First("transition", StateDelivered)
	if !ok {
		return
	}
	d := Deadline{Clock: ClockEUProduction, Due: addDays(recv.At, EUProductionDays, f.Zone), Status: DeadlinePending,
		Source: fmt.Sprintf("Regulation (EU) 2023/1543 Art. 10(2): data within %d days of receipt of the EPOC", EUProductionDays)}
	if f.Request.Type == TypeEmergencyDisclosure || f.Request.Priority == PriorityEmergency || f.Request.EPOC.emergency() {
		d.Clock, d.Due = ClockEUEmergency, recv.At.Add(EUEmergencyDuration)
		d.Source = "Regulation (EU) 2023/1543 Art. 10(4): emergency case, data within 8 hours of receipt of the EPOC"
	}
	if e, ok := firstOf(l, StateDisclosed, StatePartiallyExecuted); ok {
		d.Status = DeadlineMet
		if e.At.After(d.Due) {
			d.Note = "disclosed after the deadline, at " + e.At.Format(time.RFC3339)
		}
	} else if !now.Before(d.Due) && l.State != StateClosed && l.State != StateDeclined {
		d.Status = DeadlineMissed
		a.Actions = append(a.Actions, Action{Kind: ActionOverdue, Clock: d.Clock, At: d.Due, To: "requested",
			Message: fmt.Sprintf("European Production Order %s: no data by %s (%s)", f.Request.ID, d.Due.Format(time.RFC3339), d.Source)})
	}
	a.Deadlines = append(a.Deadlines, d)
}

// interceptionClock tracks an Art. 34 interception as a case: its
// authorised period (interception.period.to), each renewal (a "renewed"
// note whose Until is the new end) and its end (the case closed). When the
// period ends with the case still open, the requested party is told that
// the interception must stop unless renewed.
func interceptionClock(a *Agenda, f Facts, now time.Time) {
	in := f.Request.Interception
	if in == nil || !in.Period.To.Valid() {
		return
	}
	l := f.Lifecycle
	end := in.Period.To.T
	source := "Art. 34: the authorised period ends " + end.UTC().Format(time.RFC3339)
	for _, e := range l.All(NoteRenewed) {
		if e.Until.After(end) {
			end, source = e.Until, "Art. 34: renewed on "+e.At.UTC().Format("2006-01-02")+" until "+e.Until.UTC().Format(time.RFC3339)
		}
	}
	d := Deadline{Clock: ClockInterception, Due: end, Status: DeadlinePending, Source: source}
	switch {
	case l.State == StateClosed || l.State == StateDeclined:
		d.Status, d.Note = DeadlineMet, "ended ("+string(l.State)+")"
	case !now.Before(end):
		d.Status, d.Note = DeadlineMissed, "the authorised period is over: the interception must stop unless renewed"
		if l.State == StateInProgress {
			a.Actions = append(a.Actions, Action{Kind: ActionOverdue, Clock: ClockInterception, At: end, To: "requested",
				Message: fmt.Sprintf("interception %s: the authorised period ended %s; stop it or record the renewal", f.Request.ID, end.UTC().Format(time.RFC3339))})
		}
	}
	a.Deadlines = append(a.Deadlines, d)
}

// HeldForMLA is how every view (portal, CLI, runner) says that a
// preservation's clock is held by a pending MLA request.
const HeldForMLA = "held until the MLA is decided"

// DomesticOrderDays is the longest a domestic preservation order lasts
// before it must be renewed (Art. 16(2)).
const DomesticOrderDays = 90

// domestic reports whether r is a domestic order: a preservation that a
// party's own authority sends to a provider or authority of the same party
// (Art. 16), not an international request (Art. 29).
func domestic(r *Request) bool {
	return r.Type == TypePreserve && r.Requesting.Party != "" && r.Requesting.Party == r.Requested.Party
}

// domesticClock: a domestic preservation order lasts at most 90 days from
// execution, renewable (Art. 16(2)); each renewal (a NoteExtended on the
// order) starts another period of at most 90 days.
func domesticClock(a *Agenda, f Facts, now time.Time) {
	l := f.Lifecycle
	pres, ok := l.First("transition", StatePreserved)
	if !ok {
		return
	}
	end := addDays(pres.At, DomesticOrderDays, f.Zone)
	source := fmt.Sprintf("Art. 16(2): a domestic preservation order lasts at most %d days, renewable", DomesticOrderDays)
	if !pres.Until.IsZero() && pres.Until.Before(end) {
		end, source = pres.Until, source+"; the order gave an earlier end"
	}
	for _, e := range l.All(NoteExtended) {
		next := addDays(e.At, DomesticOrderDays, f.Zone)
		if !e.Until.IsZero() && e.Until.Before(next) {
			next = e.Until
		}
		if next.After(end) {
			end, source = next, fmt.Sprintf("Art. 16(2): renewed on %s for at most %d days", e.At.Format("2006-01-02"), DomesticOrderDays)
		}
	}
	d := Deadline{Clock: ClockDomestic, Due: end, Status: DeadlinePending, Source: source}
	switch {
	case l.State == StateDisclosed || l.State == StateClosed:
		d.Status = DeadlineMet
	case !now.Before(end):
		d.Status, d.Note = DeadlineMissed, "the order ran out without renewal"
	}
	a.Deadlines = append(a.Deadlines, d)
}

// PreservationEnd computes when a preservation ends, and whether it is
// held open by a pending MLA request (Art. 29(7)). executed is when it
// was preserved.
func PreservationEnd(f Facts, p Policy) (end time.Time, held bool, source string, ok bool) {
	l := f.Lifecycle
	pres, ok := l.First("transition", StatePreserved)
	if !ok {
		return time.Time{}, false, "", false
	}
	eu := f.Request.LegalBasis.Instrument == InstrumentEU
	if eu {
		end = addDays(pres.At, p.EUPreserveDays, f.Zone)
		source = fmt.Sprintf("Regulation (EU) 2023/1543 Art. 11: %d days", p.EUPreserveDays)
		if len(l.All(NoteExtended)) > 0 {
			end = addDays(end, p.EUExtensionDays, f.Zone)
			source += fmt.Sprintf(", extended once by %d days", p.EUExtensionDays)
		}
	} else {
		days := max(p.PreservationMinDays, f.ProviderDays)
		end = addDays(pres.At, days, f.Zone)
		source = fmt.Sprintf("Art. 29(7): at least %d days", p.PreservationMinDays)
		if f.ProviderDays > p.PreservationMinDays {
			source = fmt.Sprintf("the provider's own period of %d days (longer than the %d of Art. 29(7))", f.ProviderDays, p.PreservationMinDays)
		}
		if !pres.Until.IsZero() && pres.Until.After(end) {
			end, source = pres.Until, "the end date the requested party gave"
		}
		for _, e := range l.All(NoteExtended) {
			next := e.Until
			if next.IsZero() {
				next = addDays(end, days, f.Zone)
			}
			if next.After(end) {
				end, source = next, "extended on "+e.At.Format("2006-01-02")
			}
		}
	}
	// An MLA request that reached the requested party before the end keeps
	// the data preserved until it is decided.
	if received, decided := mlaTimes(f); !received.IsZero() && !received.After(end) {
		if decided.IsZero() {
			return end, true, "Art. 29(7): kept while the MLA request received on " + received.Format("2006-01-02") + " is pending", true
		}
		if decided.After(end) {
			end, source = decided, "Art. 29(7): kept until the MLA request was decided"
		}
	}
	return end, false, source, true
}

func preservationClock(a *Agenda, f Facts, p Policy, now time.Time) {
	end, held, source, ok := PreservationEnd(f, p)
	if !ok {
		return
	}
	l := f.Lifecycle
	d := Deadline{Clock: ClockPreservation, Due: end, Status: DeadlinePending, Source: source}
	if held {
		d.Due, d.Status = time.Time{}, DeadlineSuspended
		d.Note = HeldForMLA + " (Art. 29(7)); computed end without it: " + end.Format(time.RFC3339)
		a.Deadlines = append(a.Deadlines, d)
		return
	}
	done := l.State == StateDisclosed || l.State == StateClosed
	if done {
		d.Status = DeadlineMet
		a.Deadlines = append(a.Deadlines, d)
		return
	}
	if !now.Before(end) {
		d.Status = DeadlineMissed
		d.Note = "the preservation lapsed without an MLA request"
		a.Deadlines = append(a.Deadlines, d)
		if len(l.All(NoteLapsed)) == 0 {
			a.Actions = append(a.Actions, Action{Kind: ActionLapsed, Clock: ClockPreservation, At: end, To: "requester",
				Message: fmt.Sprintf("preservation of request %s ended on %s; the data may now be deleted", f.Request.ID, end.Format(time.RFC3339))})
		}
		return
	}
	a.Deadlines = append(a.Deadlines, d)
	reminded := map[string]bool{}
	for _, e := range l.All(NoteReminder) {
		reminded[e.Details] = true
	}
	days := slices.Clone(p.ReminderDays)
	slices.Sort(days)
	// Only the latest reminder whose time has come is due: a reminder 14
	// days before is moot once the 3-day one is due.
	for _, n := range days {
		at := addDays(end, -n, f.Zone)
		key := fmt.Sprintf("%d days", n)
		if !now.Before(at) {
			if !reminded[key] {
				a.Actions = append(a.Actions, Action{Kind: ActionRemind, Clock: ClockPreservation, At: at, To: "requester",
					Message: fmt.Sprintf("preservation of request %s ends in %d days (%s); send the MLA request or an extension", f.Request.ID, n, end.Format(time.RFC3339))})
			}
			break
		}
	}
}

func art7Clock(a *Agenda, f Facts, p Policy, now time.Time) {
	l := f.Lifecycle
	sent, ok := l.First("transition", StateSent)
	if !ok {
		return
	}
	due := addDays(sent.At, p.Art7Days, f.Zone)
	d := Deadline{Clock: ClockArt7, Due: due, Status: DeadlinePending,
		Source: fmt.Sprintf("Protocol Art. 7: %d days for the provider to disclose, then other routes", p.Art7Days)}
	settleByDisclosure(a, l, d, now, "disclosed after the deadline", Action{Kind: ActionSwitchRoute, To: "requester",
		Message: fmt.Sprintf("no data %d days after order %s: the issuer may send a production-order (Protocol Art. 8) or an MLA request", p.Art7Days, f.Request.ID)})
}

// settleByDisclosure adds d, a deadline that the first disclosure (full or
// partial) meets, to a. A disclosure after d.Due still meets it, with the
// note late; once d.Due has passed without one, d is missed and overdue is
// added to a's actions, on d's clock at d.Due.
func settleByDisclosure(a *Agenda, l *Lifecycle, d Deadline, now time.Time, late string, overdue Action) {
	if e, ok := firstOf(l, StateDisclosed, StatePartiallyExecuted); ok {
		d.Status = DeadlineMet
		if e.At.After(d.Due) {
			d.Note = late
		}
	} else if !now.Before(d.Due) {
		d.Status = DeadlineMissed
		overdue.Clock, overdue.At = d.Clock, d.Due
		a.Actions = append(a.Actions, overdue)
	}
	a.Deadlines = append(a.Deadlines, d)
}

func firstOf(l *Lifecycle, states ...State) (Evidence, bool) {
	for _, e := range l.Evidences {
		if e.Kind == "transition" && slices.Contains(states, e.To) {
			return e, true
		}
	}
	return Evidence{}, false
}

func art8Clocks(a *Agenda, f Facts, p Policy, now time.Time) {
	l := f.Lifecycle
	recv, ok := l.First("transition", StateDelivered)
	if !ok {
		return
	}
	serveDue := addDays(recv.At, p.Art8ServeDays, f.Zone)
	serve := Deadline{Clock: ClockArt8Serve, Due: serveDue, Status: DeadlinePending,
		Source: fmt.Sprintf("Protocol Art. 8: the requested party serves the order on the provider within %d days", p.Art8ServeDays)}
	served, isServed := l.First(NoteServed, "")
	switch {
	case isServed && !served.At.After(serveDue):
		serve.Status = DeadlineMet
	case isServed:
		serve.Status, serve.Note = DeadlineMissed, "served late, on "+served.At.Format("2006-01-02")
	case !now.Before(serveDue):
		serve.Status = DeadlineMissed
		a.Actions = append(a.Actions, Action{Kind: ActionOverdue, Clock: ClockArt8Serve, At: serveDue, To: "requested",
			Message: fmt.Sprintf("order %s has not been served on the provider within %d days", f.Request.ID, p.Art8ServeDays)})
	}
	a.Deadlines = append(a.Deadlines, serve)
	if !isServed {
		return
	}
	days, kind := p.Art8TrafficDays, "traffic data"
	if f.Request.ProductionOrder != nil && f.Request.ProductionOrder.DataKind == "subscriber" {
		days, kind = p.Art8SubscriberDays, "subscriber information"
	}
	dataDue := addDays(served.At, days, f.Zone)
	data := Deadline{Clock: ClockArt8Data, Due: dataDue, Status: DeadlinePending,
		Source: fmt.Sprintf("Protocol Art. 8: the provider produces %s within %d days of service", kind, days)}
	settleByDisclosure(a, l, data, now, "produced after the deadline", Action{Kind: ActionOverdue, To: "requested",
		Message: fmt.Sprintf("the provider has not produced the %s of order %s within %d days", kind, f.Request.ID, days)})
}
