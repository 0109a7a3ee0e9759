package request

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
)

type reservations map[string]bool

func (r reservations) HoldsDualCriminality(party string) bool { return r[party] }

var t0 = time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC)

// validStep returns a step that satisfies the checks of the target state,
// so that the table test exercises the table itself.
func validStep(tr Transition, at time.Time) Step {
	s := Step{To: tr.To, At: at, By: "Officer Example", As: tr.By}
	switch tr.To {
	case StatePreserved:
		s.ProviderRef = "PRV-1"
	case StateDeclined:
		s.Code = CodeEssentialInterests
	case StatePostponed:
		s.Code = CodePostponedDomestic
	case StatePartiallyExecuted:
		s.Code = CodePartialOrConditions
	case StateNeedsInfo:
		s.Code = CodePreservationIneffective
	}
	return s
}

func TestEveryLegalTransition(t *testing.T) {
	t.Parallel()
	for _, tr := range Transitions {
		t.Run(string(tr.From)+"->"+string(tr.To), func(t *testing.T) {
			l := &Lifecycle{RequestID: "R1", Type: TypePreserve, RequestedParty: "IT", State: tr.From}
			ev, err := l.Apply(validStep(tr, t0), nil)
			if err != nil {
				t.Fatalf("legal transition refused: %v", err)
			}
			if l.State != tr.To || ev.From != tr.From || ev.To != tr.To || ev.Kind != "transition" || !ev.At.Equal(t0) || ev.By == "" || len(l.Evidences) != 1 {
				t.Fatalf("state %s, evidence %+v", l.State, ev)
			}
		})
	}
}

func TestIllegalTransitions(t *testing.T) {
	t.Parallel()
	tests := []struct{ from, to State }{
		{StateDraft, StateDelivered},
		{StateDraft, StatePreserved},
		{StateSent, StateAcknowledged}, // no receipt yet
		{StateDelivered, StateInProgress},
		{StateAcknowledged, StatePreserved},
		{StatePreserved, StateDeclined},
		{StateDeclined, StateInProgress},
		{StateClosed, StateSent},
		{StateClosed, StateDraft},
		{StateDisclosed, StatePreserved},
		{StateInProgress, StateDraft},
	}
	for _, tc := range tests {
		t.Run(string(tc.from)+"->"+string(tc.to), func(t *testing.T) {
			l := &Lifecycle{RequestID: "R1", Type: TypePreserve, State: tc.from}
			_, err := l.Apply(Step{To: tc.to, At: t0, By: "x", As: ByReceiver, Code: CodeEssentialInterests, ProviderRef: "P"}, nil)
			if apperr.Code(err) != apperr.EConflict {
				t.Fatalf("want conflict, got %v", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, `from "`+string(tc.from)+`"`) || !strings.Contains(msg, `to "`+string(tc.to)+`"`) {
				t.Errorf("error does not name from and to: %s", msg)
			}
			if l.State != tc.from || len(l.Evidences) != 0 {
				t.Errorf("a refused step changed the lifecycle")
			}
		})
	}
}

func TestStepChecks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		typ   Type
		from  State
		step  Step
		res   Reservations
		code  string // "" = accepted
		inMsg string
	}{
		{"wrong side", TypePreserve, StateDelivered, Step{To: StateAcknowledged, At: t0, By: "n", As: BySender}, nil, apperr.EUnauthorized, "taken by the receiver"},
		{"anonymous ack", TypePreserve, StateDelivered, Step{To: StateAcknowledged, At: t0, As: ByReceiver}, nil, apperr.EInvalid, "named person"},
		{"no time", TypePreserve, StateDelivered, Step{To: StateAcknowledged, By: "n", As: ByReceiver}, nil, apperr.EInvalid, "time of the step"},
		{"preserved without provider ref", TypePreserve, StateInProgress, Step{To: StatePreserved, At: t0, By: "n", As: ByReceiver}, nil, apperr.EInvalid, "provider's reference"},
		{"preserved shorter than 60 days", TypePreserve, StateInProgress, Step{To: StatePreserved, At: t0, By: "n", As: ByReceiver, ProviderRef: "P", Until: t0.AddDate(0, 0, 30)}, nil, apperr.EInvalid, "Art. 29(7)"},
		{"preserved for 90 days", TypePreserve, StateInProgress, Step{To: StatePreserved, At: t0, By: "n", As: ByReceiver, ProviderRef: "P", Until: t0.AddDate(0, 0, 90)}, nil, "", ""},
		{"preserved on a non-preserve request", TypeAssistance, StateInProgress, Step{To: StatePreserved, At: t0, By: "n", As: ByReceiver, ProviderRef: "P"}, nil, apperr.EInvalid, "only a preserve or epoc-pr request"},
		{"declined without code", TypePreserve, StateInProgress, Step{To: StateDeclined, At: t0, By: "n", As: ByReceiver}, nil, apperr.EInvalid, "a code is required"},
		{"code for another state", TypePreserve, StateInProgress, Step{To: StateDeclined, At: t0, By: "n", As: ByReceiver, Code: CodePostponedDomestic}, nil, apperr.EInvalid, "does not fit declined"},
		{"dual criminality without reservation", TypePreserve, StateInProgress, Step{To: StateDeclined, At: t0, By: "n", As: ByReceiver, Code: CodeDualCriminality}, reservations{"FR": true}, apperr.EInvalid, "does not hold the dual-criminality reservation"},
		{"dual criminality, no directory", TypePreserve, StateInProgress, Step{To: StateDeclined, At: t0, By: "n", As: ByReceiver, Code: CodeDualCriminality}, nil, apperr.EInvalid, "Art. 29(4)"},
		{"dual criminality with reservation", TypePreserve, StateInProgress, Step{To: StateDeclined, At: t0, By: "n", As: ByReceiver, Code: CodeDualCriminality}, reservations{"IT": true}, "", ""},
		{"not our jurisdiction without traffic path", TypePreserve, StateInProgress, Step{To: StateDeclined, At: t0, By: "n", As: ByReceiver, Code: CodeNotOurJurisdiction}, nil, apperr.EInvalid, "traffic-path"},
		{"not our jurisdiction with traffic path", TypePreserve, StateInProgress, Step{To: StateDeclined, At: t0, By: "n", As: ByReceiver, Code: CodeNotOurJurisdiction, LinkedID: "IT-TP-1"}, nil, "", ""},
		{"29(6) goes to needs-info", TypePreserve, StateInProgress, Step{To: StateNeedsInfo, At: t0, By: "n", As: ByReceiver, Code: CodePreservationIneffective}, nil, "", ""},
		{"back in time", TypePreserve, StateDelivered, Step{To: StateAcknowledged, At: t0.Add(-2 * time.Hour), By: "n", As: ByReceiver}, nil, apperr.EInvalid, "back in time"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := &Lifecycle{RequestID: "R1", Type: tc.typ, RequestedParty: "IT", State: tc.from,
				Evidences: []Evidence{{Kind: "transition", To: tc.from, At: t0.Add(-time.Hour)}}}
			_, err := l.Apply(tc.step, tc.res)
			if apperr.Code(err) != tc.code {
				t.Fatalf("code %q, want %q (%v)", apperr.Code(err), tc.code, err)
			}
			if err != nil && !strings.Contains(err.Error(), tc.inMsg) {
				t.Errorf("message %q lacks %q", err, tc.inMsg)
			}
		})
	}
}

func TestNotes(t *testing.T) {
	t.Parallel()
	l := &Lifecycle{RequestID: "R1", Type: TypePreserve, State: StateDelivered}
	if _, err := l.Note(NoteExtended, t0, "n", ByReceiver, "", time.Time{}); apperr.Code(err) != apperr.EConflict {
		t.Fatalf("extension before preservation: %v", err)
	}
	if _, err := l.Note("gossip", t0, "n", ByReceiver, "", time.Time{}); apperr.Code(err) != apperr.EInvalid {
		t.Fatalf("unknown kind: %v", err)
	}
	ev, err := l.Note(NoteEscalated, t0, "node", BySystem, "backup", time.Time{})
	if err != nil || ev.Kind != NoteEscalated || l.State != StateDelivered {
		t.Fatalf("escalation note: %v %+v", err, ev)
	}
}

func TestReplay(t *testing.T) {
	t.Parallel()
	r := &Request{ID: "R1", Type: TypePreserve, Requested: Authority{Party: "IT"}}
	live := NewLifecycle(r)
	for i, tr := range []Transition{
		{StateDraft, StateSent, BySender, ""}, {StateSent, StateDelivered, BySystem, ""},
		{StateDelivered, StateAcknowledged, ByReceiver, ""}, {StateAcknowledged, StateInProgress, ByReceiver, ""},
		{StateInProgress, StatePreserved, ByReceiver, ""},
	} {
		if _, err := live.Apply(validStep(tr, t0.Add(time.Duration(i)*time.Minute)), nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := live.Note(NoteMLAReceived, t0.Add(time.Hour), "central authority", ByReceiver, "", time.Time{}); err != nil {
		t.Fatal(err)
	}
	got, err := Replay(r, live.Evidences, nil)
	if err != nil || got.State != StatePreserved || len(got.Evidences) != len(live.Evidences) {
		t.Fatalf("replay: %v %+v", err, got)
	}
	tests := []struct {
		name   string
		mutate func([]Evidence) []Evidence
		msg    string
	}{
		{"skipped step", func(e []Evidence) []Evidence { return append(e[:1:1], e[2:]...) }, "evidence 1"},
		{"wrong from", func(e []Evidence) []Evidence { e[1].From = StateDraft; return e }, "says it left"},
		{"other request", func(e []Evidence) []Evidence { e[0].RequestID = "R2"; return e }, "belongs to request"},
		{"time reversed", func(e []Evidence) []Evidence { e[3].At = t0.Add(-time.Hour); return e }, "back in time"},
		{"unknown note", func(e []Evidence) []Evidence { e[5].Kind = "gossip"; return e }, "unknown evidence kind"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			evs := tc.mutate(append([]Evidence(nil), live.Evidences...))
			if _, err := Replay(r, evs, nil); err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, want %q", err, tc.msg)
			}
		})
	}
}

func FuzzReplay(f *testing.F) {
	f.Add([]byte(`[{"kind":"transition","to":"sent","at":"2026-11-20T14:00:00Z","by":"a","as":"sender"},{"kind":"transition","to":"delivered","at":"2026-11-20T14:01:00Z","by":"node","as":"system"}]`))
	f.Add([]byte(`[{"kind":"extended","at":"2026-11-20T14:00:00Z","by":"a"}]`))
	f.Add([]byte(`[{"kind":"transition","to":"declined","code":"dual-criminality"}]`))
	r := &Request{ID: "R1", Type: TypePreserve, Requested: Authority{Party: "IT"}}
	f.Fuzz(func(t *testing.T, b []byte) {
		var evs []Evidence
		if json.Unmarshal(b, &evs) != nil {
			return
		}
		l, err := Replay(r, evs, reservations{"IT": true})
		if err != nil {
			return
		}
		// Whatever replays is reachable through the table.
		for _, e := range l.Evidences {
			if e.Kind == "transition" {
				if _, ok := findTransition(e.From, e.To); !ok {
					t.Fatalf("replayed an illegal transition %s -> %s", e.From, e.To)
				}
			}
		}
		_ = Due(Facts{Request: r, Lifecycle: l}, DefaultPolicy(), t0)
	})
}
