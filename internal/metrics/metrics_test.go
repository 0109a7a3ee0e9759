package metrics_test

import (
	"github.com/art35/art35/internal/testkit"

	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/clockrun"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/stats/statstest"
	"github.com/art35/art35/internal/store/storetest"
)

func scrape(t *testing.T, n *node.Node) string {
	t.Helper()
	resp, err := http.Get("http://" + n.Addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, b)
	}
	return string(b)
}

// value returns the sample of series (name with its labels, as exposed,
// e.g. `art35_outbox_depth{peer="IT-247"}`), or fails the test.
func value(t *testing.T, body, series string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("/metrics has no %s", series)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func count(t *testing.T, n *node.Node, q string, args ...any) float64 {
	t.Helper()
	var c int64
	if err := n.DB.QueryRowContext(context.Background(), q, args...).Scan(&c); err != nil {
		t.Fatal(err)
	}
	return float64(c)
}

// TestMetricsAfterRealTraffic plays the statistics history between two
// real nodes, adds an escalation, a forged envelope and an emergency that
// cannot be delivered, and reads both nodes' /metrics over HTTP: each
// series holds what the databases and the timeline say.
func TestMetricsAfterRealTraffic(t *testing.T) {
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) {
			h := statstest.Start(t, backend, statstest.Options{Setup: func(_ string, n *node.Node) error {
				_, err := app.RegisterMetrics(n)
				return err
			}})
			h.Play(t)
			ctx := context.Background()
			us, it := h.Net.Node("US"), h.Net.Node("IT")

			// Italy's clocks: the exercise D (emergency) is overdue and escalates.
			runner, err := app.Clocks(it, clockrun.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := runner.Tick(ctx); err != nil {
				t.Fatal(err)
			}
			// A forged envelope at Italy's inbox.
			resp, err := http.Post("http://"+it.Addr()+"/v1/inbox", "application/json", strings.NewReader(`{"not":"an envelope"}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()

			body := scrape(t, it)
			esc := count(t, it, `SELECT COUNT(*) FROM evidences WHERE kind = 'escalated'`)
			if esc == 0 || value(t, body, `art35_escalations_total{kind="escalated"}`) != esc {
				t.Errorf("escalations: %v in the database, metric %v", esc, value(t, body, `art35_escalations_total{kind="escalated"}`))
			}
			// Refused before any signature: anyone's claim, counted by the
			// edge, aggregated in the audit log, not in the rejection table.
			if n := count(t, it, `SELECT COUNT(*) FROM inbox_rejections`); n != 0 {
				t.Errorf("%v rows in the rejection table for an unauthenticated refusal, want 0", n)
			}
			if v := value(t, body, `art35_inbox_unauthenticated_refusals_total{code="malformed"}`); v != 1 {
				t.Errorf("unauthenticated refusals malformed = %v, want 1", v)
			}
			// Open clocks at Italy: the MLA follow-up waits for a person
			// (due). D's 15 minutes have passed, but D is an exercise: its
			// clocks run (it escalated above) and stay out of the operator's
			// series. A's preservation is held open by the MLA request, so
			// its clock is not due.
			if value(t, body, `art35_clocks_due{clock="acknowledge"}`) != 1 || strings.Contains(body, `art35_clocks_overdue{clock="acknowledge"}`) {
				t.Errorf("clocks at IT:\n%s", grep(body, "art35_clocks_"))
			}
			if value(t, body, `art35_pings{direction="received",peer="US-247",state="answered"}`) != 1 {
				t.Errorf("received pings:\n%s", grep(body, "art35_pings"))
			}

			// Italy goes down; an emergency waits at the US.
			if err := h.Net.Stop("IT"); err != nil {
				t.Fatal(err)
			}
			hd := envelope.Header{IdempotencyKey: "metrics-emergency", Kind: envelope.KindRequest, Subkind: "emergency-disclosure", Recipient: "IT-247", CaseRef: "EX-METRICS"}
			if _, err := us.Send(ctx, hd, []byte(`{}`), nil); err != nil {
				t.Fatal(err)
			}
			testkit.Eventually(t, "a failed attempt of the emergency", func() bool {
				out, _ := us.Envelopes.Outbox(ctx)
				return len(out) == 1 && out[0].Attempts > 0
			})
			h.Clock.Advance(2 * time.Minute)
			if _, _, err := us.Outbox.Pass(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := us.Audit.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
			cp, err := us.Audit.Checkpoint(ctx)
			if err != nil {
				t.Fatal(err)
			}

			body = scrape(t, us)
			for series, want := range map[string]float64{
				`art35_outbox_depth{peer="IT-247"}`:                      1,
				`art35_outbox_oldest_age_seconds{peer="IT-247"}`:         120,
				`art35_outbox_emergency_alerts_total{peer="IT-247"}`:     1,
				`art35_outbox_deliveries_total{peer="IT-247"}`:           count(t, us, `SELECT COUNT(*) FROM outbound_envelopes WHERE state = 'delivered' AND recipient = 'IT-247'`),
				`art35_pings{direction="sent",peer="IT",state="passed"}`: 1,
				`art35_clocks_due{clock="acknowledge"}`:                  1,
				`art35_audit_log_size`:                                   count(t, us, `SELECT size FROM audit_head`),
				`art35_audit_last_checkpoint_size`:                       float64(cp.Size),
				`art35_audit_last_checkpoint_timestamp_seconds`:          float64(cp.Time.Unix()),
				`art35_directory_serial`:                                 1,
				`art35_directory_age_seconds`:                            h.Clock.Now().Sub(statstest.T0).Seconds(),
				`art35_escalations_total{kind="escalated"}`:              0,
				`art35_watch_hop_latency_seconds_count{role="source"}`:   0,
			} {
				if got := value(t, body, series); got != want {
					t.Errorf("%s = %v, want %v", series, got, want)
				}
			}
			if f := value(t, body, `art35_outbox_delivery_failures_total{peer="IT-247"}`); f < 2 {
				t.Errorf("delivery failures to IT = %v, want at least 2 (C and the emergency)", f)
			}
			if strings.Contains(body, "art35_metrics_scrape_errors") {
				t.Errorf("a source failed:\n%s", grep(body, "scrape_errors"))
			}
			// A month on, the US request still unacknowledged is overdue.
			h.Clock.Advance(30 * 24 * time.Hour)
			if body = scrape(t, us); value(t, body, `art35_clocks_overdue{clock="acknowledge"}`) != 1 {
				t.Errorf("clocks at the US a month on:\n%s", grep(body, "art35_clocks_"))
			}
		})
	}
}

func grep(body, prefix string) string {
	var out []string
	for l := range strings.SplitSeq(body, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
