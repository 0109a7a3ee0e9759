package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
)

// playStory4 is life and limb (SPEC story 4): a kidnapping victim's
// phone was last seen on an Italian platform, and the US asks Italy for
// the data at once. The instrument is the one the route table finds
// between the two parties today: an emergency disclosure under the
// Second Protocol (Art. 9) once it binds both; until then urgent mutual
// assistance by expedited means under the Convention (Arts. 25(3),
// 27(9)). Italy acknowledges within the 15-minute emergency clock; a
// second emergency left unacknowledged shows the escalation that the
// same clock computation orders after 15 minutes (computed, not waited
// for: the demo does not sit still for a quarter of an hour).
func playStory4(ctx context.Context, w *World) ([]string, error) {
	us, it := w.Net.Node("US"), w.Net.Node("IT")
	var report []string
	snap, err := us.Directory(ctx)
	if err != nil {
		return nil, err
	}
	now := w.Clock.Now()
	typ := request.TypeEmergencyDisclosure
	d, err := route.DecideFor(snap, route.Question{From: "US", To: "IT", Type: typ, At: now, Addressee: route.ToAuthority})
	if err != nil {
		return nil, err
	}
	if !d.Allowed {
		report = append(report, fmt.Sprintf("route US->IT %s today: none (%s)", typ, firstReason(d, request.InstrumentProtocol2)))
		typ = request.TypeEmergencyMLA
		if d, err = route.DecideFor(snap, route.Question{From: "US", To: "IT", Type: typ, At: now, Addressee: route.ToAuthority}); err != nil {
			return report, err
		}
	}
	if !d.Allowed {
		return report, fmt.Errorf("no emergency route from US to IT on %s: %s", d.Date, d.Summary)
	}
	r := d.Routes()[0]
	report = append(report, fmt.Sprintf("route US->IT %s today: %s (%s), to the %s; clock: %s", typ, r.Name, r.Article, r.Recipient, r.ClockNote))

	send := func(n int) (string, time.Time, error) {
		id := fmt.Sprintf("US-%d-%06d", now.Year(), (now.UnixNano()/1000+int64(10+n))%1000000)
		doc, _ := json.Marshal(story4Request(id, n, typ, r.Instrument, now))
		if _, problems, err := us.Cases.Submit(ctx, doc, officers["US"]); err != nil {
			var msgs []string
			for _, p := range problems {
				if p.Severity == request.SeverityError {
					msgs = append(msgs, p.String())
				}
			}
			return id, time.Time{}, fmt.Errorf("US sends %s: %w %s", typ, err, strings.Join(msgs, "; "))
		}
		if err := waitFor(ctx, string(typ)+" "+id+" reaches IT", 10*time.Second, stateIs(ctx, it, id, request.StateDelivered)); err != nil {
			return id, time.Time{}, err
		}
		c, err := it.Cases.Get(ctx, id)
		if err != nil {
			return id, time.Time{}, err
		}
		ev, _ := c.Lifecycle.First("transition", request.StateDelivered)
		return id, ev.At, nil
	}

	// 1. Acknowledged within its clock.
	id, delivered, err := send(1)
	if err != nil {
		return report, err
	}
	if _, err := it.Cases.Act(ctx, id, request.Step{To: request.StateAcknowledged, By: officers["IT"]}, nil); err != nil {
		return report, fmt.Errorf("IT acknowledges %s: %w", id, err)
	}
	c, err := it.Cases.Get(ctx, id)
	if err != nil {
		return report, err
	}
	ag, _, err := it.Cases.Clocks(ctx, c, request.DefaultPolicy(), w.Clock.Now())
	if err != nil {
		return report, err
	}
	ack := deadlineOf(ag, request.ClockAck)
	if ack.Status != request.DeadlineMet {
		return report, fmt.Errorf("IT acknowledged %s but the clock says %s", id, ack.Status)
	}
	ackEv, _ := c.Lifecycle.First("transition", request.StateAcknowledged)
	report = append(report, fmt.Sprintf("US sent %s %s; IT acknowledged it %v after delivery, within its 15-minute clock (met)", typ, id, ackEv.At.Sub(delivered).Round(time.Millisecond)))

	// 2. Not acknowledged: what the clock orders at 15 minutes.
	id2, delivered2, err := send(2)
	if err != nil {
		return report, err
	}
	c2, err := it.Cases.Get(ctx, id2)
	if err != nil {
		return report, err
	}
	at := delivered2.Add(request.DefaultPolicy().Ack[request.PriorityEmergency] + time.Second)
	ag2, _, err := it.Cases.Clocks(ctx, c2, request.DefaultPolicy(), at)
	if err != nil {
		return report, err
	}
	var steps []string
	for _, a := range ag2.Actions {
		if a.Clock == request.ClockAck && (a.Kind == request.ActionEscalate || a.Kind == request.ActionNegative) {
			steps = append(steps, a.Kind+" -> "+a.To)
		}
	}
	if len(steps) == 0 {
		return report, fmt.Errorf("no escalation computed for the unacknowledged %s", id2)
	}
	report = append(report, fmt.Sprintf("US sent %s %s, left unacknowledged: 15 minutes after delivery the clock orders: %s (the same computation the node's clock runner performs)", typ, id2, strings.Join(steps, ", ")))
	return report, nil
}

func firstReason(d route.Decision, in request.Instrument) string {
	for _, f := range d.Findings {
		if f.Instrument == in && len(f.Reasons) > 0 {
			return f.Reasons[len(f.Reasons)-1]
		}
	}
	return d.Summary
}

func deadlineOf(a request.Agenda, clock string) request.Deadline {
	for _, d := range a.Deadlines {
		if d.Clock == clock {
			return d
		}
	}
	return request.Deadline{}
}

// story4Request is the emergency request of story 4 (fictional data).
func story4Request(id string, n int, typ request.Type, basis request.Instrument, now time.Time) map[string]any {
	m := map[string]any{
		"id": id, "type": string(typ), "sender_ref": fmt.Sprintf("DEMO-NY-2026-LIFE-%d", n), "created_at": now.UTC().Format(time.RFC3339),
		"requesting": map[string]any{"party": "US", "name": "US 24/7 point of contact (demo)", "office_hours": "24/7 duty line",
			"time_zone": "America/New_York", "contact": map[string]any{"name": officers["US"], "phone": "+00 1 555 0100"}},
		"requested": map[string]any{"party": "IT", "name": "IT 24/7 point of contact (demo)"},
		"priority":  "emergency", "legal_basis": map[string]any{"instrument": string(basis)}, "language": "en",
		"handling": map[string]any{"code": "H0"},
	}
	facts := "A person was abducted in New York on 2 December 2026 (demo); the abductor's phone logged in to an Italian platform an hour ago."
	if typ == request.TypeEmergencyMLA {
		m["emergency_mla"] = map[string]any{"offence": "kidnapping (demo)", "facts": facts,
			"emergency_facts":   "the victim is held and threatened with death within hours (demo)",
			"assistance_sought": "the subscriber and the last login addresses of the account, from Example Platform (fictional), Rome"}
	} else {
		m["emergency_disclosure"] = map[string]any{"issued_at": now.UTC().Format(time.RFC3339), "protocol_statement": true,
			"provider": map[string]any{"name": "Example Platform (fictional)", "address": "Via Esempio 1, Roma (fictional)"},
			"offence":  "kidnapping (demo)", "legal_provisions": "kidnapping statute (demo)", "penalties": "up to life imprisonment (demo)",
			"emergency_facts": facts + " The victim is threatened with death within hours.",
			"data_relation":   "the account's subscriber and login addresses lead to where the victim is held",
			"data":            []any{map[string]any{"category": "subscriber", "description": "subscriber and last login addresses of the account"}}}
	}
	return m
}
