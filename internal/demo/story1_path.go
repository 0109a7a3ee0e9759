package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
)

// Story 1's second half (SPEC section 10, story 1; Budapest Art. 30): the
// requested side finds that the connection came through a provider in a
// third country and answers the preservation with the traffic path; the
// requesting side, from that answer, sends the linked preservation request
// to that country. The chain (preserve, answer, onward preserve) then
// shows in order in both portals' request views, and where passing IT's
// answer on to GB needs IT's authorisation (Protocol Art. 14(10)), the ask
// and the grant travel first and show on both transfer pages.

// story1PathProvider is the fictional transit provider in GB the answer
// names; its addresses are GB's in the IP data.
const story1PathProvider = "Example Transit Ltd (fictional)"

// story1TrafficPath is IT's answer to the US preserve id.
func story1TrafficPath(answer, preserve string, now time.Time) map[string]any {
	return map[string]any{
		"id": answer, "type": "traffic-path", "sender_ref": "DEMO-IT-TP-0001", "created_at": now.UTC().Format(time.RFC3339),
		"requesting": map[string]any{"party": "IT", "name": "IT 24/7 point of contact (demo)", "office_hours": "24/7", "time_zone": "Europe/Rome",
			"contact": map[string]any{"name": officers["IT"], "phone": "+00 39 555 0100"}},
		"requested": map[string]any{"party": "US", "name": "US 24/7 point of contact (demo)"},
		"priority":  "urgent", "legal_basis": map[string]any{"instrument": "budapest", "article": "30"}, "language": "en",
		// H2: not to be passed on without IT's permission (Art. 28(2)), so
		// the onward preserve shows the authorisation step.
		"handling": map[string]any{"code": "H2"},
		"links":    []any{map[string]any{"rel": request.RelAnswers, "id": preserve}},
		"traffic_path": map[string]any{"preservation_id": preserve,
			"provider": map[string]any{"name": story1PathProvider, "address": "1 Example Street, London", "country": "GB"},
			"identifiers": []any{
				map[string]any{"kind": "ip", "value": "81.2.69.142", "port": 40001, "time": "2026-11-20T14:01:59Z"},
				map[string]any{"kind": "ip", "value": "81.2.69.143", "time": "2026-11-20T14:02:03Z"},
			},
			"path": "the session to Example Hosting came in from the GB provider's network (demo)"},
	}
}

// story1Onward is the US preservation request to GB made from IT's
// answer: the fields the portal's "Ask GB to preserve" button fills in
// (party, custodian, provider, every identifier with its port and time,
// the link to the answer), and what the officer adds.
func story1Onward(id string, tp *request.Request, now time.Time) map[string]any {
	doc := story1Preserve(id, now)
	doc["sender_ref"] = "DEMO-NY-2026-0001-GB"
	doc["requested"] = map[string]any{"party": "GB", "name": "GB 24/7 point of contact (demo)"}
	doc["links"] = []any{map[string]any{"rel": request.RelTrafficPath, "id": tp.ID}}
	doc["handling"] = map[string]any{"code": string(tp.Handling.Code)} // never weaker than the data it passes on
	p := tp.TrafficPath
	var ids []any
	for _, x := range p.Identifiers {
		m := map[string]any{"kind": x.Kind, "value": x.Value, "time": x.Time.T.UTC().Format(time.RFC3339)}
		if x.Port != 0 {
			m["port"] = x.Port
		}
		ids = append(ids, m)
	}
	pr := doc["preserve"].(map[string]any)
	pr["custodian"] = strings.Join([]string{p.Provider.Name, p.Provider.Address, p.Provider.Country}, ", ")
	pr["provider"] = map[string]any{"name": p.Provider.Name, "address": p.Provider.Address, "country": p.Provider.Country}
	pr["facts"] = "A company network in New York was entered on 20 November 2026; IT's traffic path " + tp.ID + " shows the connection came through this provider (demo)."
	pr["data"] = []any{map[string]any{"category": "traffic", "description": "connection records of the identifiers below, as shown by the traffic path " + tp.ID + " from IT",
		"identifiers": ids}}
	return doc
}

// submit sends a request document and names its problems on refusal.
func submit(ctx context.Context, svc *cases.Service, doc map[string]any, by, what string) error {
	b, _ := json.Marshal(doc)
	if _, problems, err := svc.Submit(ctx, b, by); err != nil {
		var msgs []string
		for _, p := range problems {
			if p.Severity == request.SeverityError {
				msgs = append(msgs, p.String())
			}
		}
		return fmt.Errorf("%s: %w %s", what, err, strings.Join(msgs, "; "))
	}
	return nil
}

// arrives waits until the request id is stored on svc's node.
func arrives(ctx context.Context, svc *cases.Service, id, what string) error {
	return waitFor(ctx, what, 10*time.Second, func() (bool, error) {
		_, err := svc.Get(ctx, id)
		return err == nil, err
	})
}

// playStory1Path plays the traffic path and the onward preservation of
// story 1 on the US preserve id, which IT has preserved.
func playStory1Path(ctx context.Context, w *World, preserve string) ([]string, error) {
	us, it, gb := w.Net.Node("US").Cases, w.Net.Node("IT").Cases, w.Net.Node("GB").Cases
	now := w.Clock.Now()
	var report []string
	answer := fmt.Sprintf("IT-%d-%06d", now.Year(), now.UnixNano()/1000%1000000)
	if err := submit(ctx, it, story1TrafficPath(answer, preserve, now), officers["IT"], "IT answers with the traffic path"); err != nil {
		return report, err
	}
	if err := arrives(ctx, us, answer, "traffic path "+answer+" reaches US"); err != nil {
		return report, err
	}
	report = append(report, fmt.Sprintf("IT answered %s with traffic path %s (Art. 30): the connection came through %s in GB", preserve, answer, story1PathProvider))
	tp, err := us.Get(ctx, answer)
	if err != nil {
		return report, err
	}

	// Passing IT's answer on to GB: IT's authorisation first, where the
	// rules ask for it (the same decision cases.Submit applies).
	d, err := w.Net.Node("US").Directory(ctx)
	if err != nil {
		return report, err
	}
	if rule := route.OnwardTransfer(d, "IT", "US", "GB", tp.Request.Handling.Code, tp.Request.Handling.Conditions, now); rule.NeedsAuthorisation {
		purpose := "to ask GB to preserve the logs of the provider your answer names"
		if err := us.RequestTransfer(ctx, answer, "GB", purpose, officers["US"]); err != nil {
			return report, fmt.Errorf("US asks IT to authorise passing %s to GB: %w", answer, err)
		}
		if err := waitFor(ctx, "IT receives the transfer ask", 10*time.Second, func() (bool, error) {
			c, err := it.Get(ctx, answer)
			return err == nil && len(c.Lifecycle.All(cases.KindTransferRequest)) > 0, err
		}); err != nil {
			return report, err
		}
		if err := it.GrantTransfer(ctx, answer, "GB", purpose, officers["IT"]); err != nil {
			return report, fmt.Errorf("IT authorises passing %s to GB: %w", answer, err)
		}
		if err := waitFor(ctx, "US records IT's authorisation", 10*time.Second, func() (bool, error) {
			as, err := us.Authorisations(ctx)
			for _, a := range as {
				if a.RequestID == answer && a.To == "GB" {
					return true, nil
				}
			}
			return false, err
		}); err != nil {
			return report, err
		}
		report = append(report, fmt.Sprintf("US asked IT to pass %s on to GB (%s); IT authorised it: both transfer pages show it", answer, rule.Basis))
	} else {
		report = append(report, fmt.Sprintf("passing %s on to GB needs no authorisation from IT: %s", answer, rule.Reason))
	}

	onward := fmt.Sprintf("US-%d-%06d", now.Year(), (now.UnixNano()/1000+2)%1000000)
	if err := submit(ctx, us, story1Onward(onward, tp.Request, now), officers["US"], "US sends the preservation request to GB"); err != nil {
		return report, err
	}
	if err := arrives(ctx, gb, onward, "preserve "+onward+" reaches GB"); err != nil {
		return report, err
	}
	if _, err := gb.Act(ctx, onward, request.Step{To: request.StateAcknowledged, By: officers["GB"]}, nil); err != nil {
		return report, fmt.Errorf("GB acknowledges %s: %w", onward, err)
	}
	if err := waitFor(ctx, "US sees "+onward+" acknowledged", 10*time.Second, stateIs(ctx, w.Net.Node("US"), onward, request.StateAcknowledged)); err != nil {
		return report, err
	}
	report = append(report, fmt.Sprintf("US opened preserve %s to GB from the answer (provider, identifiers and times from %s); GB acknowledged it", onward, answer))

	// The chain in order on both sides: each request links to the one
	// before it.
	for _, side := range []struct {
		party string
		svc   *cases.Service
		ids   []string
	}{{"US", us, []string{preserve, answer, onward}}, {"IT", it, []string{preserve, answer}}} {
		for i := 1; i < len(side.ids); i++ {
			c, err := side.svc.Get(ctx, side.ids[i])
			if err != nil {
				return report, fmt.Errorf("the chain on %s: %w", side.party, err)
			}
			if len(c.Request.Links) == 0 || c.Request.Links[0].ID != side.ids[i-1] {
				return report, fmt.Errorf("the chain on %s: %s does not link to %s", side.party, side.ids[i], side.ids[i-1])
			}
		}
		report = append(report, fmt.Sprintf("chain on %s: %s", side.party, strings.Join(side.ids, " -> ")))
	}
	return report, nil
}
