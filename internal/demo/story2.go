package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/watch"
)

// Story 2, the Oslo bank robber (SPEC section 10, story 2; Budapest
// Art. 33): a fugitive's e-mail account is hosted in the UK; Norway asks
// the UK for a realtime-traffic watch; each time he logs in, the UK's
// node attributes the address and relays the event at once to Norway and
// to Spain, where the address is; Spain's node routes it to the Spanish
// operator, whose location answer goes straight back to Norway. Every
// step shows live on the watches pages of the three portals, with each
// hop's time.

// story2Login is where the fugitive logs in from: an address the node's
// IP data attributes to a Spanish operator (documentation use only).
const story2Login = "80.58.61.250"

// story2Location is the operator's answer (fictional place).
const story2Location = "Cibercafé Ejemplo, Calle de Ejemplo 1, Madrid (fictional): terminal 7"

// story2Watch is Norway's realtime-traffic request to the UK, for a
// watch period around now (fictional account and court order).
func story2Watch(id string, now time.Time) map[string]any {
	f := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	return map[string]any{
		"id": id, "type": "realtime-traffic", "sender_ref": "DEMO-OSLO-2026-0099", "created_at": f(now.Add(-time.Minute)),
		"requesting": map[string]any{"party": "NO", "name": "NO 24/7 point of contact (demo)", "office_hours": "24/7", "time_zone": "Europe/Oslo",
			"contact": map[string]any{"name": officers["NO"], "phone": "+00 47 555 0100"}},
		"requested": map[string]any{"party": "GB", "name": "GB 24/7 point of contact (demo)"},
		"priority":  "emergency", "legal_basis": map[string]any{"instrument": "budapest", "article": "33"}, "language": "en",
		"handling": map[string]any{"code": "H0"},
		"realtime_traffic": map[string]any{
			"communications": []any{map[string]any{"kind": "email", "value": "fugitive-2026@mail.example.org"}},
			"period":         map[string]any{"from": f(now.Add(-time.Hour)), "to": f(now.Add(14 * 24 * time.Hour))},
			"domestic_basis": "Oslo District Court order 2026/77 (demo)", "offence": "armed robbery of a bank in Oslo (demo)",
		},
	}
}

// eventOf waits until svc holds the event of request id for which ok
// holds, and returns it.
func eventOf(ctx context.Context, svc *watch.Service, id, what string, ok func(watch.Stored) bool) (watch.Stored, error) {
	var got watch.Stored
	err := waitFor(ctx, what, 10*time.Second, func() (bool, error) {
		es, err := svc.Events(ctx, id)
		for _, e := range es {
			if ok(e) {
				got = e
				return true, nil
			}
		}
		return false, err
	})
	return got, err
}

// playStory2 plays the watch relay between NO, GB and ES.
func playStory2(ctx context.Context, w *World) ([]string, error) {
	no, gb := w.Net.Node("NO"), w.Net.Node("GB")
	wgb, wno, wes := w.Services["GB"].Watch, w.Services["NO"].Watch, w.Services["ES"].Watch
	now := w.Clock.Now()
	var report []string
	id := fmt.Sprintf("NO-%d-%06d", now.Year(), now.UnixNano()/1000%1000000)
	if err := submit(ctx, no.Cases, story2Watch(id, now), officers["NO"], "NO asks GB for a realtime-traffic watch"); err != nil {
		return report, err
	}
	if err := waitFor(ctx, "watch "+id+" delivered to GB", 10*time.Second, stateIs(ctx, no, id, request.StateDelivered)); err != nil {
		return report, err
	}
	for _, to := range []request.State{request.StateAcknowledged, request.StateInProgress} {
		if _, err := gb.Cases.Act(ctx, id, request.Step{To: to, By: officers["GB"]}, nil); err != nil {
			return report, fmt.Errorf("GB accepts the watch (%s): %w", to, err)
		}
	}
	if err := waitFor(ctx, "NO sees the watch accepted", 10*time.Second, stateIs(ctx, no, id, request.StateInProgress)); err != nil {
		return report, err
	}
	report = append(report, fmt.Sprintf("NO asked GB for realtime-traffic watch %s (Art. 33); GB accepted it", id))

	login := watch.Login{Address: story2Login, Port: 51234, Time: now.Add(-30 * time.Second).Truncate(time.Second)}
	out, err := wgb.Push(ctx, id, login)
	if err != nil {
		return report, fmt.Errorf("GB's provider reports a login: %w", err)
	}
	report = append(report, fmt.Sprintf("GB's provider reported a login from %s port %d: attributed to %s (%s), relayed to %v",
		login.Address, login.Port, out.Event.Country, out.Event.Operator, out.SentTo))
	atNO, err := eventOf(ctx, wno, id, "the login at NO", func(watch.Stored) bool { return true })
	if err != nil {
		return report, err
	}
	atES, err := eventOf(ctx, wes, id, "the login at ES", func(watch.Stored) bool { return true })
	if err != nil {
		return report, err
	}
	report = append(report, fmt.Sprintf("NO received the login %s after %d hops, %v end to end; ES received it for the operator (%s)",
		atNO.ID, len(atNO.Hops), atNO.EndToEnd.Round(time.Millisecond), atES.Note))

	// Spain's operator says where the subscriber was; the answer goes back
	// to Norway at once.
	if _, err := wes.Answer(ctx, atES.ID, atES.Operator, story2Location); err != nil {
		return report, fmt.Errorf("ES's operator answers the location: %w", err)
	}
	located, err := eventOf(ctx, wno, id, "the location at NO", func(e watch.Stored) bool { return e.Location != "" })
	if err != nil {
		return report, err
	}
	report = append(report, fmt.Sprintf("ES's operator answered %q; NO had it %v after GB's provider reported the login (%d hops)",
		located.Location, located.EndToEnd.Round(time.Millisecond), len(located.Hops)))
	return report, nil
}

// story2Every is how often the running demo reports another login of
// the fugitive, so officers see one arrive on the watches pages.
const story2Every = 45 * time.Second

// story2Live keeps story 2 going while the demo runs: every period
// (story2Every in the demo), GB's provider reports another login on each
// watch GB has accepted, up to 20, from the same Spanish range with
// another port. It stops with ctx.
func story2Live(ctx context.Context, w *World, every time.Duration) {
	gb := w.Net.Node("GB")
	t := time.NewTicker(every)
	defer t.Stop()
	for n := 1; n <= 20; n++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		list, err := gb.Cases.List(ctx)
		if err != nil {
			continue
		}
		for _, sum := range list {
			if sum.Type != string(request.TypeRealtimeTraffic) || sum.State != string(request.StateInProgress) {
				continue
			}
			login := watch.Login{Address: fmt.Sprintf("80.58.61.%d", 200+n), Port: 51234 + n, Time: w.Clock.Now().Add(-5 * time.Second).Truncate(time.Second)}
			if _, err := w.Services["GB"].Watch.Push(ctx, sum.ID, login); err != nil {
				gb.Log.Warn("demo: story 2 login not relayed", "request", sum.ID, "err", err)
			}
		}
	}
}
