package request

import (
	"testing"
	"time"
)

// TestDomesticOrderClock: a preservation a party's own authority orders
// from its own provider is a domestic order under Art. 16(2): at most 90
// days, each renewal another 90 at most; not the 60 days of Art. 29(7).
func TestDomesticOrderClock(t *testing.T) {
	start := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	r := req(TypePreserve, PriorityUrgent)
	r.Requesting.Party, r.Requested.Party = "ES", "ES"
	l := lc(t, TypePreserve, start, StateSent, time.Duration(0), StateDelivered, time.Minute, StateAcknowledged, time.Hour, StateInProgress, 2*time.Hour, StatePreserved, 3*time.Hour)
	a := Due(Facts{Request: r, Lifecycle: l, Zone: time.UTC}, DefaultPolicy(), start.Add(4*time.Hour))
	d := deadline(t, a, ClockDomestic)
	if want := start.Add(3*time.Hour).AddDate(0, 0, 90); !d.Due.Equal(want) || d.Status != DeadlinePending {
		t.Fatalf("domestic order %+v, want pending until %s", d, want)
	}
	for _, x := range a.Deadlines {
		if x.Clock == ClockPreservation {
			t.Errorf("a domestic order got the Art. 29(7) clock: %+v", x)
		}
	}
	// Renewed on day 80: another 90 days from the renewal.
	if _, err := l.Note(NoteExtended, start.Add(80*day), "n", ByReceiver, "", time.Time{}); err != nil {
		t.Fatal(err)
	}
	a = Due(Facts{Request: r, Lifecycle: l, Zone: time.UTC}, DefaultPolicy(), start.Add(100*day))
	if d := deadline(t, a, ClockDomestic); !d.Due.Equal(start.Add(80*day).AddDate(0, 0, 90)) || d.Status != DeadlinePending {
		t.Fatalf("after renewal %+v", d)
	}
	// Without renewal it runs out after 90 days.
	l2 := lc(t, TypePreserve, start, StateSent, time.Duration(0), StateDelivered, time.Minute, StateAcknowledged, time.Hour, StateInProgress, 2*time.Hour, StatePreserved, 3*time.Hour)
	if d := deadline(t, Due(Facts{Request: r, Lifecycle: l2, Zone: time.UTC}, DefaultPolicy(), start.Add(91*day)), ClockDomestic); d.Status != DeadlineMissed {
		t.Fatalf("after 91 days %+v, want missed", d)
	}
}

// TestEUProductionClocks: a European Production Order is answered within
// 10 days of delivery, an emergency case within 8 hours (Reg. 2023/1543
// Art. 10(2), 10(4)).
func TestEUProductionClocks(t *testing.T) {
	start := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		typ   Type
		prio  Priority
		clock string
		due   time.Time
	}{
		{TypeProductionOrder, PriorityRoutine, ClockEUProduction, start.Add(time.Minute).AddDate(0, 0, 10)},
		{TypeEmergencyDisclosure, PriorityEmergency, ClockEUEmergency, start.Add(time.Minute + 8*time.Hour)},
	} {
		r := req(tc.typ, tc.prio)
		r.LegalBasis.Instrument = InstrumentEU
		l := lc(t, tc.typ, start, StateSent, time.Duration(0), StateDelivered, time.Minute)
		d := deadline(t, Due(Facts{Request: r, Lifecycle: l, Zone: time.UTC}, DefaultPolicy(), start.Add(time.Hour)), tc.clock)
		if !d.Due.Equal(tc.due) || d.Status != DeadlinePending {
			t.Errorf("%s: %+v, want pending until %s", tc.typ, d, tc.due)
		}
		a := Due(Facts{Request: r, Lifecycle: l, Zone: time.UTC}, DefaultPolicy(), tc.due.Add(time.Second))
		if d := deadline(t, a, tc.clock); d.Status != DeadlineMissed || len(a.Actions) == 0 {
			t.Errorf("%s after the deadline: %+v, actions %v", tc.typ, d, actionKinds(a))
		}
	}
}

// TestInterceptionPeriod: an Art. 34 interception is tracked with its
// authorised period, moved by a renewal, and ends when the case closes.
func TestInterceptionPeriod(t *testing.T) {
	start := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	r := req(TypeInterception, PriorityUrgent)
	r.Interception = &Interception{Period: Period{From: NewTimestamp(start), To: NewTimestamp(start.Add(30 * day))}}
	l := lc(t, TypeInterception, start, StateSent, time.Duration(0), StateDelivered, time.Minute, StateAcknowledged, time.Hour, StateInProgress, 2*time.Hour)
	f := Facts{Request: r, Lifecycle: l, Zone: time.UTC}
	if d := deadline(t, Due(f, DefaultPolicy(), start.Add(day)), ClockInterception); !d.Due.Equal(start.Add(30*day)) || d.Status != DeadlinePending {
		t.Fatalf("period %+v", d)
	}
	a := Due(f, DefaultPolicy(), start.Add(31*day))
	if d := deadline(t, a, ClockInterception); d.Status != DeadlineMissed || len(a.Actions) == 0 {
		t.Fatalf("after the period %+v %v", d, actionKinds(a))
	}
	if _, err := l.Note(NoteRenewed, start.Add(29*day), "n", ByReceiver, "", start.Add(60*day)); err != nil {
		t.Fatal(err)
	}
	if d := deadline(t, Due(f, DefaultPolicy(), start.Add(31*day)), ClockInterception); !d.Due.Equal(start.Add(60*day)) || d.Status != DeadlinePending {
		t.Fatalf("after renewal %+v", d)
	}
}
