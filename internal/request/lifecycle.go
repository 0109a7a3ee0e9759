package request

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
)

// State is where a request stands (SPEC section 6).
type State string

// States, in the order a request usually passes them.
const (
	StateDraft             State = "draft"
	StateSent              State = "sent"
	StateDelivered         State = "delivered"    // the receiving node stored it and returned a signed receipt
	StateAcknowledged      State = "acknowledged" // a named person read it
	StateInProgress        State = "in-progress"
	StatePreserved         State = "preserved"
	StateDisclosed         State = "disclosed"
	StatePartiallyExecuted State = "partially-executed"
	StateDeclined          State = "declined"
	StatePostponed         State = "postponed"
	StateNeedsInfo         State = "needs-info"
	StateClosed            State = "closed"
)

// States lists every state.
var States = []State{StateDraft, StateSent, StateDelivered, StateAcknowledged, StateInProgress,
	StatePreserved, StateDisclosed, StatePartiallyExecuted, StateDeclined, StatePostponed, StateNeedsInfo, StateClosed}

// Actor is the side that may make a transition.
type Actor string

// Actors.
const (
	BySender   Actor = "sender"
	ByReceiver Actor = "receiver"
	BySystem   Actor = "system" // a node, not a person: transport receipts
	// ByNotified is the authority a direct order is notified to (Protocol
	// Art. 7(5); Reg. (EU) 2023/1543 Art. 8): neither side of the order.
	ByNotified Actor = "notified-authority"
)

// Transition is one allowed move. The table is the whole lifecycle:
// anything not listed is refused.
type Transition struct {
	From, To State
	By       Actor
	Meaning  string
}

// Transitions is the lifecycle table.
var Transitions = []Transition{
	{StateDraft, StateSent, BySender, "the request left the sender's node"},
	{StateDraft, StateClosed, BySender, "the draft was abandoned"},
	{StateSent, StateDelivered, BySystem, "the receiving node stored it and returned a signed transport receipt"},
	{StateSent, StateClosed, BySender, "the sender withdrew the request"},
	{StateDelivered, StateAcknowledged, ByReceiver, "a named person at the receiving point of contact read it"},
	{StateDelivered, StateClosed, BySender, "the sender withdrew the request"},
	{StateAcknowledged, StateInProgress, ByReceiver, "execution started"},
	{StateAcknowledged, StateDeclined, ByReceiver, "refused on reading, with a code"},
	{StateAcknowledged, StateNeedsInfo, ByReceiver, "more information is needed before execution"},
	{StateAcknowledged, StateClosed, BySender, "the sender withdrew the request"},
	{StateInProgress, StatePreserved, ByReceiver, "the data is preserved (provider reference and end date)"},
	{StateInProgress, StateDisclosed, ByReceiver, "the data or answer was sent"},
	{StateInProgress, StatePartiallyExecuted, ByReceiver, "executed in part or under conditions"},
	{StateInProgress, StateDeclined, ByReceiver, "refused, with a code"},
	{StateInProgress, StatePostponed, ByReceiver, "postponed, with a code"},
	{StateInProgress, StateNeedsInfo, ByReceiver, "more information is needed"},
	{StateNeedsInfo, StateInProgress, ByReceiver, "the sender supplied what was missing"},
	{StateNeedsInfo, StateClosed, BySender, "the sender did not pursue the request"},
	{StatePostponed, StateInProgress, ByReceiver, "execution resumed"},
	{StatePostponed, StateClosed, BySender, "the sender did not wait"},
	{StatePreserved, StateDisclosed, ByReceiver, "the preserved data was disclosed after the MLA request"},
	{StatePreserved, StateClosed, BySender, "the preservation is no longer needed or has ended"},
	{StateDisclosed, StateClosed, BySender, "the sender closed the request"},
	{StatePartiallyExecuted, StateClosed, BySender, "the sender closed the request"},
	{StateDeclined, StateClosed, BySender, "the sender closed the request"},
}

// AnswerCode is a reason given with a refusal, postponement, partial
// execution or request for more information (SPEC section 6).
type AnswerCode string

// Answer and refusal codes.
const (
	CodePoliticalOffence        AnswerCode = "political-offence"
	CodeEssentialInterests      AnswerCode = "essential-interests"
	CodeDualCriminality         AnswerCode = "dual-criminality"
	CodePreservationIneffective AnswerCode = "preservation-ineffective"
	CodePostponedDomestic       AnswerCode = "postponed-domestic-case"
	CodePartialOrConditions     AnswerCode = "partial-or-conditions"
	CodeDataNotHeld             AnswerCode = "data-not-held"
	CodeNotOurJurisdiction      AnswerCode = "not-our-jurisdiction"
)

// AnswerInfo explains a code: its legal source and the states it may be
// given with.
type AnswerInfo struct {
	Source string
	Text   string
	States []State
}

// AnswerCodeNames are the answer codes' names, sorted.
func AnswerCodeNames() []string {
	var out []string
	for c := range AnswerCodes {
		out = append(out, string(c))
	}
	slices.Sort(out)
	return out
}

// AnswerCodes is the table of codes.
var AnswerCodes = map[AnswerCode]AnswerInfo{
	CodePoliticalOffence:        {"Art. 29(5)(a)", "the offence is regarded as a political offence or connected with one", []State{StateDeclined}},
	CodeEssentialInterests:      {"Art. 29(5)(b)", "execution is likely to prejudice sovereignty, security, ordre public or other essential interests", []State{StateDeclined}},
	CodeDualCriminality:         {"Art. 29(4)", "dual criminality is not met; only a party holding the Art. 29(4) reservation may refuse on this ground", []State{StateDeclined}},
	CodePreservationIneffective: {"Art. 29(6)", "preservation will not ensure the future availability of the data or will threaten confidentiality or harm the investigation; the requesting party decides whether to proceed", []State{StateNeedsInfo}},
	CodePostponedDomestic:       {"Art. 27(5)", "execution would prejudice a domestic criminal investigation or proceeding", []State{StatePostponed}},
	CodePartialOrConditions:     {"Art. 27(6)", "executed in part or subject to conditions", []State{StatePartiallyExecuted}},
	CodeDataNotHeld:             {"SPEC section 6", "the data is no longer held (retention expired)", []State{StateDeclined}},
	CodeNotOurJurisdiction:      {"Art. 30", "the provider is not under our jurisdiction; the traffic-path answer says where it is", []State{StateDeclined}},
}

// Reservations tells whether a party holds a reservation. The directory
// implements it; the domain only asks, so it stays free of I/O.
type Reservations interface {
	// HoldsDualCriminality reports whether party holds the Art. 29(4)
	// reservation.
	HoldsDualCriminality(party string) bool
}

// Evidence is the record of one step: a transition or a note (an
// escalation, an extension, a served order). It goes back to the sender
// and into both audit logs; the envelope layer signs it.
type Evidence struct {
	Kind        string     `json:"kind"` // "transition" or a note kind
	RequestID   string     `json:"request_id"`
	From        State      `json:"from,omitempty"`
	To          State      `json:"to,omitempty"`
	At          time.Time  `json:"at"`
	By          string     `json:"by"`
	As          Actor      `json:"as"`
	Code        AnswerCode `json:"code,omitempty"`
	Details     string     `json:"details,omitempty"`
	ProviderRef string     `json:"provider_ref,omitempty"`
	Until       time.Time  `json:"until,omitzero"`
	LinkedID    string     `json:"linked_id,omitempty"` // e.g. the traffic-path answer of a not-our-jurisdiction refusal
}

// Note kinds: evidences that do not change the state.
const (
	NoteEscalated   = "escalated"    // an unacknowledged request went to the next person
	NoteNegativeAck = "negative-ack" // the acknowledgement deadline passed; sent to the requester
	NoteReminder    = "reminder"     // a preservation end is near
	NoteExtended    = "extended"     // a preservation was extended (Until is the new end)
	NoteServed      = "served"       // an Art. 8 order was served on the provider
	NoteMLAReceived = "mla-received" // the MLA request following a preservation reached the requested party
	NoteMLADecided  = "mla-decided"  // that MLA request was decided
	NoteLapsed      = "lapsed"       // a preservation ended without MLA
	NoteRenewed     = "renewed"      // an interception's authorised period was renewed (Until is the new end; Art. 34)
	// NoteNotified: the issuer sent the notification copy of a direct
	// order to the provider's party (Protocol Art. 7(5)(a); Reg. (EU)
	// 2023/1543 Art. 8(1)); Details names the authority.
	NoteNotified = "notified"
	// NoteDisclosureStopped: the notified authority instructed the
	// provider not to execute the order (Protocol Art. 7(5)(c); Reg. (EU)
	// 2023/1543 Art. 10(2), 12). By is the authority and person; the
	// order can no longer be disclosed.
	NoteDisclosureStopped = "disclosure-stopped"
)

var noteStates = map[string][]State{
	NoteEscalated:         {StateSent, StateDelivered},
	NoteNegativeAck:       {StateSent, StateDelivered},
	NoteReminder:          {StatePreserved},
	NoteExtended:          {StatePreserved},
	NoteServed:            {StateAcknowledged, StateInProgress},
	NoteMLAReceived:       {StatePreserved},
	NoteMLADecided:        {StatePreserved, StateDisclosed, StateClosed},
	NoteLapsed:            {StatePreserved},
	NoteRenewed:           {StateAcknowledged, StateInProgress},
	NoteNotified:          {StateSent, StateDelivered, StateAcknowledged, StateInProgress},
	NoteDisclosureStopped: {StateDelivered, StateAcknowledged, StateInProgress, StateNeedsInfo, StatePostponed},
}

// Stopped returns the evidence by which a notified authority stopped the
// execution of the request, if any.
func (l *Lifecycle) Stopped() (Evidence, bool) { return l.First(NoteDisclosureStopped, "") }

// Lifecycle is the state of one request and the evidences that led there.
type Lifecycle struct {
	RequestID      string     `json:"request_id"`
	Type           Type       `json:"type"`
	RequestedParty string     `json:"requested_party"`
	State          State      `json:"state"`
	Evidences      []Evidence `json:"evidences"`
}

// NewLifecycle starts the lifecycle of r in the draft state.
func NewLifecycle(r *Request) *Lifecycle {
	return &Lifecycle{RequestID: r.ID, Type: r.Type, RequestedParty: r.Requested.Party, State: StateDraft}
}

// Step is what an actor asks to do.
type Step struct {
	To          State
	At          time.Time
	By          string // the person (or node, for BySystem) taking the step
	As          Actor
	Code        AnswerCode
	Details     string
	ProviderRef string    // preserved: the provider's reference
	Until       time.Time // preserved: the end date the requested side gives
	LinkedID    string    // not-our-jurisdiction: the traffic-path answer
}

// Next lists the states reachable from s.
func Next(s State) []State {
	var out []State
	for _, t := range Transitions {
		if t.From == s {
			out = append(out, t.To)
		}
	}
	return out
}

func findTransition(from, to State) (Transition, bool) {
	for _, t := range Transitions {
		if t.From == from && t.To == to {
			return t, true
		}
	}
	return Transition{}, false
}

// Apply takes a step and returns its evidence. Steps outside the table,
// by the wrong side, without the code or reference the target state needs,
// or back in time are refused with an error that names from and to.
func (l *Lifecycle) Apply(s Step, res Reservations) (Evidence, error) {
	tr, ok := findTransition(l.State, s.To)
	if !ok {
		next := Next(l.State)
		names := make([]string, len(next))
		for i, n := range next {
			names[i] = string(n)
		}
		allowed := "none: it is final"
		if len(names) > 0 {
			allowed = strings.Join(names, ", ")
		}
		return Evidence{}, apperr.Errorf(apperr.EConflict, "request %s: transition from %q to %q is not allowed; from %s it may go to: %s", l.RequestID, l.State, s.To, l.State, allowed)
	}
	if err := l.checkStep(s, tr, res); err != nil {
		return Evidence{}, err
	}
	ev := Evidence{Kind: "transition", RequestID: l.RequestID, From: l.State, To: s.To, At: s.At.UTC(), By: s.By, As: s.As,
		Code: s.Code, Details: s.Details, ProviderRef: s.ProviderRef, LinkedID: s.LinkedID}
	if !s.Until.IsZero() {
		ev.Until = s.Until.UTC()
	}
	l.State = s.To
	l.Evidences = append(l.Evidences, ev)
	return ev, nil
}

func (l *Lifecycle) checkStep(s Step, tr Transition, res Reservations) error {
	fromTo := fmt.Sprintf("request %s: %s -> %s", l.RequestID, tr.From, tr.To)
	if s.As != tr.By {
		return apperr.Errorf(apperr.EUnauthorized, "%s is taken by the %s, not the %s", fromTo, tr.By, s.As)
	}
	if strings.TrimSpace(s.By) == "" {
		return apperr.Errorf(apperr.EInvalid, "%s: name who takes the step (by); an acknowledgement means a named person read it", fromTo)
	}
	if s.At.IsZero() {
		return apperr.Errorf(apperr.EInvalid, "%s: the time of the step (at) is required", fromTo)
	}
	if last, ok := l.last(); ok && s.At.Before(last.At) {
		return apperr.Errorf(apperr.EInvalid, "%s: at %s is before the previous evidence (%s); steps cannot go back in time", fromTo, s.At.UTC().Format(time.RFC3339), last.At.Format(time.RFC3339))
	}
	if stop, ok := l.Stopped(); ok && (tr.To == StateDisclosed || tr.To == StatePartiallyExecuted) {
		return apperr.Errorf(apperr.EConflict, "%s: disclosure stopped by %s on %s (%s): the order must not be executed; decline it or close it", fromTo, stop.By, stop.At.UTC().Format(time.RFC3339), stop.Details)
	}
	switch tr.To {
	case StatePreserved:
		if !l.Type.Preserves() {
			return apperr.Errorf(apperr.EInvalid, "%s: only a preserve or epoc-pr request can be preserved; a %s request is disclosed or partially executed", fromTo, l.Type)
		}
		if strings.TrimSpace(s.ProviderRef) == "" {
			return apperr.Errorf(apperr.EInvalid, "%s: the provider's reference (provider_ref) is required (SPEC section 6)", fromTo)
		}
		if !s.Until.IsZero() && s.Until.Before(s.At.AddDate(0, 0, PreservationMinDays)) {
			return apperr.Errorf(apperr.EInvalid, "%s: Art. 29(7): preservation lasts at least %d days; until %s is earlier than %s", fromTo, PreservationMinDays, s.Until.UTC().Format("2006-01-02"), s.At.AddDate(0, 0, PreservationMinDays).UTC().Format("2006-01-02"))
		}
	case StateDeclined, StatePostponed, StatePartiallyExecuted, StateNeedsInfo:
		info, ok := AnswerCodes[s.Code]
		if !ok {
			return apperr.Errorf(apperr.EInvalid, "%s: a code is required; for %s use one of %s", fromTo, tr.To, strings.Join(codesFor(tr.To), ", "))
		}
		if !slices.Contains(info.States, tr.To) {
			return apperr.Errorf(apperr.EInvalid, "%s: code %q (%s) does not fit %s; use one of %s", fromTo, s.Code, info.Source, tr.To, strings.Join(codesFor(tr.To), ", "))
		}
		if s.Code == CodeDualCriminality && (res == nil || !res.HoldsDualCriminality(l.RequestedParty)) {
			return apperr.Errorf(apperr.EInvalid, "%s: Art. 29(4): %s does not hold the dual-criminality reservation, so it cannot refuse preservation on that ground", fromTo, l.RequestedParty)
		}
		if s.Code == CodeNotOurJurisdiction && strings.TrimSpace(s.LinkedID) == "" {
			return apperr.Errorf(apperr.EInvalid, "%s: a not-our-jurisdiction refusal must link the traffic-path answer that says where the provider is (linked_id)", fromTo)
		}
	}
	if tr.To == StateNeedsInfo && s.Code == "" {
		return apperr.Errorf(apperr.EInvalid, "%s: a code is required", fromTo)
	}
	return nil
}

func codesFor(s State) []string {
	var out []string
	for c, info := range AnswerCodes {
		if slices.Contains(info.States, s) {
			out = append(out, string(c))
		}
	}
	slices.Sort(out)
	return out
}

func (l *Lifecycle) last() (Evidence, bool) {
	if len(l.Evidences) == 0 {
		return Evidence{}, false
	}
	return l.Evidences[len(l.Evidences)-1], true
}

// Note records an evidence that does not change the state: an escalation,
// an extension, a served order, the MLA request's arrival or decision.
func (l *Lifecycle) Note(kind string, at time.Time, by string, as Actor, details string, until time.Time) (Evidence, error) {
	states, ok := noteStates[kind]
	if !ok {
		return Evidence{}, apperr.Errorf(apperr.EInvalid, "request %s: unknown evidence kind %q", l.RequestID, kind)
	}
	if !slices.Contains(states, l.State) {
		return Evidence{}, apperr.Errorf(apperr.EConflict, "request %s: %q cannot be recorded in state %s (only in %v)", l.RequestID, kind, l.State, states)
	}
	if at.IsZero() || strings.TrimSpace(by) == "" {
		return Evidence{}, apperr.Errorf(apperr.EInvalid, "request %s: %q needs a time and who records it", l.RequestID, kind)
	}
	if last, ok := l.last(); ok && at.Before(last.At) {
		return Evidence{}, apperr.Errorf(apperr.EInvalid, "request %s: %q at %s is before the previous evidence (%s)", l.RequestID, kind, at.UTC().Format(time.RFC3339), last.At.Format(time.RFC3339))
	}
	ev := Evidence{Kind: kind, RequestID: l.RequestID, At: at.UTC(), By: by, As: as, Details: details}
	if !until.IsZero() {
		ev.Until = until.UTC()
	}
	l.Evidences = append(l.Evidences, ev)
	return ev, nil
}

// First returns the first evidence of a kind (or transition to a state,
// when kind is "transition" and to is set).
func (l *Lifecycle) First(kind string, to State) (Evidence, bool) {
	for _, e := range l.Evidences {
		if e.Kind == kind && (to == "" || e.To == to) {
			return e, true
		}
	}
	return Evidence{}, false
}

// All returns every evidence of a kind.
func (l *Lifecycle) All(kind string) []Evidence {
	var out []Evidence
	for _, e := range l.Evidences {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// Replay rebuilds the lifecycle of r from recorded evidences, applying
// each through the same checks as a live step. A history that was edited
// by hand, or that arrives from outside, therefore cannot reach a state
// the table does not allow; the error names the evidence (by index) and
// the rule it breaks.
func Replay(r *Request, evs []Evidence, res Reservations) (*Lifecycle, error) {
	if r == nil {
		return nil, apperr.Errorf(apperr.EInvalid, "replay needs the request")
	}
	l := NewLifecycle(r)
	for i, ev := range evs {
		if ev.RequestID != "" && ev.RequestID != r.ID {
			return nil, apperr.Errorf(apperr.EInvalid, "evidence %d belongs to request %q, not %q", i, ev.RequestID, r.ID)
		}
		var err error
		if ev.Kind == "transition" {
			if ev.From != "" && ev.From != l.State {
				return nil, apperr.Errorf(apperr.EInvalid, "evidence %d says it left %q, but the request was %q at that point", i, ev.From, l.State)
			}
			_, err = l.Apply(Step{To: ev.To, At: ev.At, By: ev.By, As: ev.As, Code: ev.Code, Details: ev.Details,
				ProviderRef: ev.ProviderRef, Until: ev.Until, LinkedID: ev.LinkedID}, res)
		} else {
			_, err = l.Note(ev.Kind, ev.At, ev.By, ev.As, ev.Details, ev.Until)
		}
		if err != nil {
			return nil, fmt.Errorf("evidence %d: %w", i, err)
		}
	}
	return l, nil
}
