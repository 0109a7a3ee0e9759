package request

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// lc builds a lifecycle of a request of type typ by applying transitions
// at the given offsets from start (receiver or sender as the table says).
func lc(t *testing.T, typ Type, start time.Time, steps ...any) *Lifecycle {
	t.Helper()
	l := &Lifecycle{RequestID: "R1", Type: typ, RequestedParty: "IT", State: StateDraft}
	for i := 0; i < len(steps); i += 2 {
		at := start.Add(steps[i+1].(time.Duration))
		switch x := steps[i].(type) {
		case State:
			tr, ok := findTransition(l.State, x)
			if !ok {
				t.Fatalf("test setup: no transition %s -> %s", l.State, x)
			}
			if _, err := l.Apply(validStep(tr, at), nil); err != nil {
				t.Fatal(err)
			}
		case string: // a note kind
			if _, err := l.Note(x, at, "n", ByReceiver, "", time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return l
}

const day = 24 * time.Hour

func req(typ Type, prio Priority) *Request {
	return &Request{ID: "R1", Type: typ, Priority: prio, Requested: Authority{Party: "IT"}, LegalBasis: LegalBasis{Instrument: InstrumentBudapest}}
}

func actionKinds(a Agenda) []string {
	var s []string
	for _, x := range a.Actions {
		s = append(s, x.Kind+":"+x.To)
	}
	return s
}

func deadline(t *testing.T, a Agenda, clock string) Deadline {
	t.Helper()
	for _, d := range a.Deadlines {
		if d.Clock == clock {
			return d
		}
	}
	t.Fatalf("no %s deadline in %+v", clock, a.Deadlines)
	return Deadline{}
}

func TestAcknowledgementClock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prio    Priority
		period  time.Duration
		ackAt   time.Duration // 0 = not acknowledged
		now     time.Duration
		status  string
		actions []string
	}{
		{PriorityEmergency, 15 * time.Minute, 0, 14 * time.Minute, DeadlinePending, []string{"notify:primary"}},
		{PriorityEmergency, 15 * time.Minute, 0, 15 * time.Minute, DeadlineMissed, []string{"notify:primary", "escalate:backup", "negative-evidence:requester"}},
		{PriorityEmergency, 15 * time.Minute, 0, 30 * time.Minute, DeadlineMissed, []string{"notify:primary", "escalate:backup", "negative-evidence:requester", "escalate:supervisor"}},
		{PriorityEmergency, 15 * time.Minute, 10 * time.Minute, 40 * time.Minute, DeadlineMet, nil},
		{PriorityUrgent, 2 * time.Hour, 0, 119 * time.Minute, DeadlinePending, []string{"notify:primary"}},
		{PriorityUrgent, 2 * time.Hour, 0, 2 * time.Hour, DeadlineMissed, []string{"notify:primary", "escalate:backup", "negative-evidence:requester"}},
		{PriorityUrgent, 2 * time.Hour, 3 * time.Hour, 5 * time.Hour, DeadlineMissed, nil},
		{PriorityRoutine, 24 * time.Hour, 0, 23 * time.Hour, DeadlinePending, []string{"notify:primary"}},
		{PriorityRoutine, 24 * time.Hour, 0, 48 * time.Hour, DeadlineMissed, []string{"notify:primary", "escalate:backup", "negative-evidence:requester", "escalate:supervisor"}},
		{PriorityRoutine, 24 * time.Hour, 23 * time.Hour, 48 * time.Hour, DeadlineMet, nil},
	}
	for _, tc := range tests {
		t.Run(string(tc.prio)+"/"+tc.now.String(), func(t *testing.T) {
			steps := []any{StateSent, time.Duration(0), StateDelivered, time.Duration(0)}
			if tc.ackAt > 0 {
				steps = append(steps, StateAcknowledged, tc.ackAt)
			}
			l := lc(t, TypePreserve, t0, steps...)
			a := Due(Facts{Request: req(TypePreserve, tc.prio), Lifecycle: l}, DefaultPolicy(), t0.Add(tc.now))
			d := deadline(t, a, ClockAck)
			if !d.Due.Equal(t0.Add(tc.period)) || d.Status != tc.status {
				t.Errorf("deadline %v %s, want %v %s", d.Due, d.Status, t0.Add(tc.period), tc.status)
			}
			if got := actionKinds(a); !slices.Equal(got, tc.actions) {
				t.Errorf("actions %v, want %v", got, tc.actions)
			}
		})
	}
}

func TestEscalationNotRepeatedOnceRecorded(t *testing.T) {
	t.Parallel()
	l := lc(t, TypePreserve, t0, StateSent, time.Duration(0), StateDelivered, time.Duration(0))
	now := t0.Add(20 * time.Minute)
	for _, n := range []struct{ kind, details string }{{NoteEscalated, "primary"}, {NoteEscalated, "backup"}, {NoteNegativeAck, "requester"}} {
		if _, err := l.Note(n.kind, now, "node", BySystem, n.details, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	a := Due(Facts{Request: req(TypePreserve, PriorityEmergency), Lifecycle: l}, DefaultPolicy(), now)
	if len(a.Actions) != 0 {
		t.Fatalf("recorded actions repeated: %v", actionKinds(a))
	}
	a = Due(Facts{Request: req(TypePreserve, PriorityEmergency), Lifecycle: l}, DefaultPolicy(), t0.Add(30*time.Minute))
	if got := actionKinds(a); !slices.Equal(got, []string{"escalate:supervisor"}) {
		t.Fatalf("want only the supervisor step, got %v", got)
	}
}

// preserved returns a lifecycle of a preserve request preserved at t0.
func preservedSteps() []any {
	return []any{StateSent, -2 * time.Hour, StateDelivered, -2 * time.Hour, StateAcknowledged, -time.Hour, StateInProgress, -time.Hour, StatePreserved, time.Duration(0)}
}

func TestPreservationClock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		extra        []any // more steps after preservation
		providerDays int
		eu           bool
		now          time.Duration
		due          time.Duration // 0 when suspended
		status       string
		actions      []string
	}{
		{"pending, 60 days", nil, 0, false, 10 * day, 60 * day, DeadlinePending, nil},
		{"lapses without MLA", nil, 0, false, 61 * day, 60 * day, DeadlineMissed, []string{"lapsed:requester"}},
		{"provider's 90 days", nil, 90, false, 61 * day, 90 * day, DeadlinePending, nil},
		{"provider's shorter period does not cut Art. 29(7)", nil, 30, false, 10 * day, 60 * day, DeadlinePending, nil},
		{"reminder 14 days before", nil, 0, false, 46 * day, 60 * day, DeadlinePending, []string{"remind:requester"}},
		{"kept alive by pending MLA", []any{NoteMLAReceived, 30 * day}, 0, false, 100 * day, 0, DeadlineSuspended, nil},
		{"MLA decided late keeps it to the decision, then it ends", []any{NoteMLAReceived, 30 * day, NoteMLADecided, 120 * day}, 0, false, 121 * day, 120 * day, DeadlineMissed, []string{"lapsed:requester"}},
		{"MLA decided and data disclosed", []any{NoteMLAReceived, 30 * day, StateDisclosed, 119 * day, NoteMLADecided, 120 * day}, 0, false, 130 * day, 120 * day, DeadlineMet, nil},
		{"extension by another period", []any{NoteExtended, 50 * day}, 0, false, 70 * day, 120 * day, DeadlinePending, nil},
		{"EU 60 days", nil, 0, true, 10 * day, 60 * day, DeadlinePending, nil},
		{"EU extension +30", []any{NoteExtended, 50 * day}, 0, true, 70 * day, 90 * day, DeadlinePending, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := lc(t, TypePreserve, t0, append(preservedSteps(), tc.extra...)...)
			r := req(TypePreserve, PriorityUrgent)
			if tc.eu {
				r.LegalBasis.Instrument = InstrumentEU
			}
			a := Due(Facts{Request: r, Lifecycle: l, ProviderDays: tc.providerDays}, DefaultPolicy(), t0.Add(tc.now))
			d := deadline(t, a, ClockPreservation)
			wantDue := time.Time{}
			if tc.due != 0 {
				wantDue = t0.Add(tc.due)
			}
			if !d.Due.Equal(wantDue) || d.Status != tc.status {
				t.Errorf("deadline %v %s (%s), want %v %s", d.Due, d.Status, d.Source, wantDue, tc.status)
			}
			if got := actionKinds(a); !slices.Equal(got, tc.actions) {
				t.Errorf("actions %v, want %v", got, tc.actions)
			}
		})
	}
}

func TestPreservationReminders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		now      time.Duration
		reminded []string // reminders already recorded
		want     string   // expected message fragment, "" for none
	}{
		{45 * day, nil, ""},
		{46 * day, nil, "ends in 14 days"},
		{50 * day, []string{"14 days"}, ""},
		{57 * day, []string{"14 days"}, "ends in 3 days"},
		{57 * day, nil, "ends in 3 days"},
		{58 * day, []string{"14 days", "3 days"}, ""},
	}
	for _, tc := range tests {
		l := lc(t, TypePreserve, t0, preservedSteps()...)
		for _, r := range tc.reminded {
			if _, err := l.Note(NoteReminder, t0.Add(tc.now), "node", BySystem, r, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		a := Due(Facts{Request: req(TypePreserve, PriorityUrgent), Lifecycle: l}, DefaultPolicy(), t0.Add(tc.now))
		var msgs []string
		for _, x := range a.Actions {
			msgs = append(msgs, x.Message)
		}
		got := strings.Join(msgs, "|")
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) || len(msgs) > 1 {
			t.Errorf("day %v reminded %v: got %q, want %q", tc.now/day, tc.reminded, got, tc.want)
		}
	}
}

func TestMLAAfterLapseDoesNotRevive(t *testing.T) {
	t.Parallel()
	l := lc(t, TypePreserve, t0, preservedSteps()...)
	l.Evidences = append(l.Evidences, Evidence{Kind: NoteMLAReceived, At: t0.Add(65 * day)})
	a := Due(Facts{Request: req(TypePreserve, PriorityUrgent), Lifecycle: l}, DefaultPolicy(), t0.Add(66*day))
	if d := deadline(t, a, ClockPreservation); d.Status != DeadlineMissed {
		t.Fatalf("an MLA request after the end must not revive the preservation: %+v", d)
	}
}

func TestProtocolClocks(t *testing.T) {
	t.Parallel()
	deliver := []any{StateSent, time.Duration(0), StateDelivered, time.Hour}
	tests := []struct {
		name    string
		typ     Type
		kind    string
		steps   []any
		now     time.Duration
		want    map[string]string // clock -> status
		actions []string
	}{
		{"art7 pending", TypeSubscriberDirect, "", deliver, 29 * day, map[string]string{ClockArt7: DeadlinePending}, nil},
		{"art7 missed: switch route", TypeSubscriberDirect, "", append(deliver, StateAcknowledged, 2*time.Hour), 30 * day, map[string]string{ClockArt7: DeadlineMissed}, []string{"switch-route:requester"}},
		{"art7 met", TypeSubscriberDirect, "", append(deliver, StateAcknowledged, 2*time.Hour, StateInProgress, 3*time.Hour, StateDisclosed, 10*day), 40 * day, map[string]string{ClockArt7: DeadlineMet}, nil},
		{"art8 serve overdue", TypeProductionOrder, "traffic", append(deliver, StateAcknowledged, 2*time.Hour), 46 * day, map[string]string{ClockArt8Serve: DeadlineMissed}, []string{"overdue:requested"}},
		{"art8 subscriber 20 days", TypeProductionOrder, "subscriber", append(deliver, StateAcknowledged, 2*time.Hour, NoteServed, 10*day), 31 * day, map[string]string{ClockArt8Serve: DeadlineMet, ClockArt8Data: DeadlineMissed}, []string{"overdue:requested"}},
		{"art8 traffic 45 days", TypeProductionOrder, "traffic", append(deliver, StateAcknowledged, 2*time.Hour, NoteServed, 10*day), 31 * day, map[string]string{ClockArt8Serve: DeadlineMet, ClockArt8Data: DeadlinePending}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := lc(t, tc.typ, t0, tc.steps...)
			r := req(tc.typ, PriorityRoutine)
			if tc.typ == TypeProductionOrder {
				r.ProductionOrder = &ProductionOrder{DataKind: tc.kind}
			}
			a := Due(Facts{Request: r, Lifecycle: l}, DefaultPolicy(), t0.Add(tc.now))
			for clock, st := range tc.want {
				if d := deadline(t, a, clock); d.Status != st {
					t.Errorf("%s: %s, want %s (%+v)", clock, d.Status, st, d)
				}
			}
			var got []string
			for _, x := range a.Actions {
				if x.Clock != ClockAck { // the acknowledgement clock has its own test
					got = append(got, x.Kind+":"+x.To)
				}
			}
			if !slices.Equal(got, tc.actions) {
				t.Errorf("actions %v, want %v", got, tc.actions)
			}
		})
	}
	// The Art. 8 data clock runs from service: 20 days for subscriber data.
	l := lc(t, TypeProductionOrder, t0, append(deliver, StateAcknowledged, 2*time.Hour, NoteServed, 10*day)...)
	r := req(TypeProductionOrder, PriorityRoutine)
	r.ProductionOrder = &ProductionOrder{DataKind: "subscriber"}
	if d := deadline(t, Due(Facts{Request: r, Lifecycle: l}, DefaultPolicy(), t0), ClockArt8Data); !d.Due.Equal(t0.Add(30 * day)) {
		t.Errorf("art8 data due %v, want %v", d.Due, t0.Add(30*day))
	}
}

// TestDaylightSavingEdges: hour clocks are exact durations; day clocks
// count calendar days in the requested authority's zone, so across the
// Europe/Rome DST change they end at the same local time, not a multiple
// of 24 hours later.
func TestDaylightSavingEdges(t *testing.T) {
	t.Parallel()
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	// Routine acknowledgement across the spring change (2026-03-29 02:00 CET -> 03:00 CEST).
	delivered := time.Date(2026, 3, 28, 12, 0, 0, 0, rome) // 11:00 UTC
	l := lc(t, TypePreserve, delivered, StateSent, time.Duration(0), StateDelivered, time.Duration(0))
	a := Due(Facts{Request: req(TypePreserve, PriorityRoutine), Lifecycle: l, Zone: rome}, DefaultPolicy(), delivered)
	ack := deadline(t, a, ClockAck)
	if want := time.Date(2026, 3, 29, 11, 0, 0, 0, time.UTC); !ack.Due.Equal(want) {
		t.Errorf("ack due %v, want %v (exactly 24 h)", ack.Due, want)
	}
	if got := ack.Due.In(rome).Format("15:04 MST"); got != "13:00 CEST" {
		t.Errorf("ack due shown in Rome as %s, want 13:00 CEST", got)
	}

	tests := []struct {
		name     string
		executed time.Time
		wantUTC  time.Time
		wantHour int // local hour in Rome
	}{
		{"spring forward", time.Date(2026, 3, 1, 10, 0, 0, 0, rome), time.Date(2026, 4, 30, 8, 0, 0, 0, time.UTC), 10},
		{"fall back", time.Date(2026, 9, 1, 10, 0, 0, 0, rome), time.Date(2026, 10, 31, 9, 0, 0, 0, time.UTC), 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := lc(t, TypePreserve, tc.executed, preservedSteps()...)
			a := Due(Facts{Request: req(TypePreserve, PriorityUrgent), Lifecycle: l, Zone: rome}, DefaultPolicy(), tc.executed)
			d := deadline(t, a, ClockPreservation)
			if !d.Due.Equal(tc.wantUTC) || d.Due.In(rome).Hour() != tc.wantHour {
				t.Errorf("end %v (Rome %v), want %v", d.Due, d.Due.In(rome), tc.wantUTC)
			}
			if d.Due.Sub(tc.executed) == 60*day {
				t.Errorf("end is exactly 60x24h later; calendar days across DST must differ by one hour")
			}
		})
	}
}

// TestPreservationHeldByLinkedMLA: the follow-up MLA request is its own
// request (mla-followup) with its own lifecycle; once delivered, it holds
// the preservation open until it ends.
func TestPreservationHeldByLinkedMLA(t *testing.T) {
	t.Parallel()
	pres := lc(t, TypePreserve, t0, preservedSteps()...)
	tests := []struct {
		name   string
		mla    []any
		now    time.Duration
		status string
		due    time.Duration
	}{
		{"sent, not yet delivered: no hold", []any{StateSent, 50 * day}, 61 * day, DeadlineMissed, 60 * day},
		{"delivered before the end: held", []any{StateSent, 50 * day, StateDelivered, 51 * day}, 200 * day, DeadlineSuspended, 0},
		{"delivered after the end: lapsed", []any{StateSent, 61 * day, StateDelivered, 62 * day}, 63 * day, DeadlineMissed, 60 * day},
		{"decided: preserved until the decision", []any{StateSent, 50 * day, StateDelivered, 51 * day, StateAcknowledged, 52 * day, StateInProgress, 53 * day, StateDisclosed, 90 * day}, 80 * day, DeadlinePending, 90 * day},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mla := lc(t, TypeMLAFollowup, t0, tc.mla...)
			a := Due(Facts{Request: req(TypePreserve, PriorityUrgent), Lifecycle: pres, MLA: mla}, DefaultPolicy(), t0.Add(tc.now))
			d := deadline(t, a, ClockPreservation)
			want := time.Time{}
			if tc.due != 0 {
				want = t0.Add(tc.due)
			}
			if d.Status != tc.status || !d.Due.Equal(want) {
				t.Errorf("%s %v (%s), want %s %v", d.Status, d.Due, d.Source, tc.status, want)
			}
		})
	}
}

// TestSettleByDisclosure checks the shared end of the Art. 7 and Art. 8
// data clocks: met by a disclosure in time, met with the late note after
// it, pending before the due time, and missed after it, with the overdue
// action put on the deadline's clock at its due time.
func TestSettleByDisclosure(t *testing.T) {
	due := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	disclosed := func(at time.Time) *Lifecycle {
		return &Lifecycle{Evidences: []Evidence{
			{Kind: "transition", To: StateInProgress, At: due.Add(-48 * time.Hour)},
			{Kind: "transition", To: StatePartiallyExecuted, At: at},
		}}
	}
	overdue := Action{Kind: ActionOverdue, To: "requested", Message: "no data"}
	for _, tc := range []struct {
		name    string
		l       *Lifecycle
		now     time.Time
		status  string
		note    string
		actions int
	}{
		{"in time", disclosed(due.Add(-time.Hour)), due.Add(time.Hour), DeadlineMet, "", 0},
		{"late", disclosed(due.Add(time.Hour)), due.Add(2 * time.Hour), DeadlineMet, "late", 0},
		{"not yet due", &Lifecycle{}, due.Add(-time.Second), DeadlinePending, "", 0},
		{"missed", &Lifecycle{}, due, DeadlineMissed, "", 1},
	} {
		var a Agenda
		settleByDisclosure(&a, tc.l, Deadline{Clock: ClockArt8Data, Due: due, Status: DeadlinePending}, tc.now, "late", overdue)
		if len(a.Deadlines) != 1 || a.Deadlines[0].Status != tc.status || a.Deadlines[0].Note != tc.note {
			t.Errorf("%s: deadlines %+v, want one %s with note %q", tc.name, a.Deadlines, tc.status, tc.note)
		}
		if len(a.Actions) != tc.actions {
			t.Fatalf("%s: actions %+v, want %d", tc.name, a.Actions, tc.actions)
		}
		if tc.actions == 1 {
			if got := a.Actions[0]; got.Clock != ClockArt8Data || !got.At.Equal(due) || got.Kind != ActionOverdue || got.Message != "no data" {
				t.Errorf("%s: action %+v, want the overdue action on %s at %s", tc.name, got, ClockArt8Data, due)
			}
		}
	}
}
