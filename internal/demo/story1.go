package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/art35/art35/internal/request"
)

// story1Preserve is the US preserve request of story 1 (fictional data).
func story1Preserve(id string, now time.Time) map[string]any {
	return map[string]any{
		"id": id, "type": "preserve", "sender_ref": "DEMO-NY-2026-0001", "created_at": now.UTC().Format(time.RFC3339),
		"requesting": map[string]any{"party": "US", "name": "US 24/7 point of contact (demo)", "office_hours": "24/7 duty line",
			"time_zone": "America/New_York", "contact": map[string]any{"name": officers["US"], "phone": "+00 1 555 0100"}},
		"requested": map[string]any{"party": "IT", "name": "IT 24/7 point of contact (demo)"},
		"priority":  "urgent", "legal_basis": map[string]any{"instrument": "budapest", "article": "29"}, "language": "en",
		"handling": map[string]any{"code": "H0"},
		"preserve": map[string]any{
			"status": "new", "offence": "unauthorised access (Art. 2)",
			"facts": "A company network in New York was entered on 20 November 2026 from an address in Italy (demo).",
			"data": []any{map[string]any{"category": "traffic", "description": "connection logs of the session",
				"identifiers": []any{map[string]any{"kind": "ip", "value": "151.99.125.1", "port": 51234, "time": "2026-11-20T14:02:07Z"}}}},
			"relation": "the logs show where the intruder connected from", "custodian": "Example Hosting (fictional), Milan",
			"necessity": "logs are erased after 30 days", "mla_will_follow": true, "reply_channel": "node",
			"confirmation_contact": map[string]any{"name": officers["US"], "phone": "+00 1 555 0100"},
		},
	}
}

// playStory1 plays story 1 between US and IT and returns one report line
// per step.
func playStory1(ctx context.Context, w *World) ([]string, error) {
	us, it := w.Net.Node("US"), w.Net.Node("IT")
	var report []string
	now := w.Clock.Now()
	id := fmt.Sprintf("US-%d-%06d", now.Year(), now.UnixNano()/1000%1000000)
	doc, _ := json.Marshal(story1Preserve(id, now))
	start := time.Now()
	if _, problems, err := us.Cases.Submit(ctx, doc, officers["US"]); err != nil {
		var msgs []string
		for _, p := range problems {
			msgs = append(msgs, p.String())
		}
		return report, fmt.Errorf("US sends the preserve: %w %s", err, strings.Join(msgs, "; "))
	}
	if err := waitFor(ctx, "preserve "+id+" reaches IT", 10*time.Second, func() (bool, error) {
		_, err := it.Cases.Get(ctx, id)
		return err == nil, err
	}); err != nil {
		return report, err
	}
	report = append(report, fmt.Sprintf("US sent preserve %s to IT: stored at IT after %v", id, time.Since(start).Round(time.Millisecond)))
	if err := waitFor(ctx, "US receives IT's transport receipt for "+id, 10*time.Second, stateIs(ctx, us, id, request.StateDelivered)); err != nil {
		report = append(report, "warning: "+err.Error())
	} else {
		report = append(report, "US holds IT's signed transport receipt: delivered")
	}
	steps := []request.Step{
		{To: request.StateAcknowledged, By: officers["IT"]},
		{To: request.StateInProgress, By: officers["IT"], Details: "order sent to Example Hosting (fictional)"},
		{To: request.StatePreserved, By: officers["IT"], ProviderRef: "EXH-PRES-0412", Until: now.Add(90 * 24 * time.Hour)},
	}
	for _, st := range steps {
		if _, err := it.Cases.Act(ctx, id, st, nil); err != nil {
			return report, fmt.Errorf("IT marks %s %s: %w", id, st.To, err)
		}
		if err := waitFor(ctx, "US sees "+id+" "+string(st.To), 10*time.Second, stateIs(ctx, us, id, st.To)); err != nil {
			return report, err
		}
		report = append(report, fmt.Sprintf("IT: %s by %s; US sees it", st.To, st.By))
	}
	// The traffic path to a third country and the onward preserve (story1_path.go).
	more, err := playStory1Path(ctx, w, id)
	report = append(report, more...)
	if err != nil {
		return report, err
	}
	// The MLA follow-up keeps the preservation alive and links the chain.
	mla := fmt.Sprintf("US-%d-%06d", now.Year(), (now.UnixNano()/1000+1)%1000000)
	fu := story1Preserve(mla, now)
	delete(fu, "preserve")
	fu["type"], fu["sender_ref"], fu["priority"] = "mla-followup", "DEMO-NY-2026-0001-MLA", "routine"
	fu["links"] = []any{map[string]any{"rel": "follows-up", "id": id}}
	fu["mla_followup"] = map[string]any{"preservation_id": id, "mla_date": now.UTC().Format(time.RFC3339), "ticket": "DEMO-MLA-77",
		"channel": "central-authority", "requesting_authority": "US central authority (demo)", "executing_authority": "IT central authority (demo)"}
	doc, _ = json.Marshal(fu)
	if _, problems, err := us.Cases.Submit(ctx, doc, officers["US"]); err != nil {
		var msgs []string
		for _, p := range problems {
			if p.Severity == request.SeverityError {
				msgs = append(msgs, p.String())
			}
		}
		return report, fmt.Errorf("US sends the MLA follow-up: %w %s", err, strings.Join(msgs, "; "))
	}
	if err := waitFor(ctx, "MLA follow-up "+mla+" reaches IT", 10*time.Second, func() (bool, error) {
		_, err := it.Cases.Get(ctx, mla)
		return err == nil, err
	}); err != nil {
		return report, err
	}
	report = append(report, fmt.Sprintf("US sent mla-followup %s linked to %s: the chain shows in both request views", mla, id))
	return report, nil
}
