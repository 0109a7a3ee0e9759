package cases_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/testnet"
)

// notifyWorld republishes the test network's directory as a world where
// the Second Protocol is in force between FR and DE (since 2026-06-01; a
// test world: today it is not in force), DE requires notification of
// Art. 7 orders (Art. 7(5)(a)), DE-NOT is DE's notification authority and
// DE-EUE its enforcing authority under Regulation (EU) 2023/1543.
func notifyWorld(t testing.TB, net *testnet.Net, now time.Time) {
	t.Helper()
	if err := net.RepublishNotifyWorld(context.Background(), now); err != nil {
		t.Fatal(err)
	}
}

// order reads a minimal fixture and makes it an order from France to the
// German provider.
func order(t testing.TB, typ request.Type, id string, set func(r *request.Request)) []byte {
	t.Helper()
	doc, err := os.ReadFile("../request/testdata/minimal/" + string(typ) + ".json")
	if err != nil {
		t.Fatal(err)
	}
	r, ps := request.Check(doc, t0)
	if request.HasErrors(ps) {
		t.Fatal(ps)
	}
	r.ID, r.Requesting.Party, r.Requested.Party = id, "FR", "DE"
	r.Requested.Name = "Example Mail GmbH (fictional)"
	if set != nil {
		set(r)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if _, ps := request.Check(b, t0); request.HasErrors(ps) {
		t.Fatalf("test order %s: %v", id, ps)
	}
	return b
}

// forgeStop has node nd send a stop of order id (issued by FR-247) to the
// provider, as the rule book must refuse it, and returns the refusal.
func forgeStop(t *testing.T, nd *node.Node, id string) string {
	t.Helper()
	body, _ := json.Marshal(request.Evidence{Kind: request.NoteDisclosureStopped, RequestID: id, LinkedID: "FR-247",
		By: "Someone Else (fictional)", At: nd.Clock.Now(), Details: "stop"})
	env, err := nd.Send(context.Background(), envelope.Header{IdempotencyKey: id + "/forged-stop", Kind: envelope.KindEvidence,
		Subkind: cases.SubkindDisclosureStopped, Recipient: "DE-MAIL-EXAMPLE"}, body, nil)
	if err != nil {
		t.Fatal(err)
	}
	var refusal string
	testkit.Eventually(t, "the forged stop to be refused for good", func() bool {
		out, _ := nd.Envelopes.Outbox(context.Background())
		for _, o := range out {
			if o.MessageID == env.Header.ID && o.State == "failed" {
				refusal = o.LastError
				return true
			}
		}
		return false
	})
	return refusal
}

// TestNotifiedAuthorityStopsDisclosure (issue 12, build 2): a direct
// order to a German provider whose party must be notified is copied to
// the authority the directory lists (Protocol Art. 7(5): DE-NOT; an EPOC
// for content data, Reg. 2023/1543 Art. 8: DE-EUE). A stop from anyone
// but that authority is refused by the provider's rule book; the
// notified authority's signed stop is honoured: the order shows
// "disclosure stopped by ..." and the provider can no longer disclose.
// Real nodes on loopback, both engines.
func TestNotifiedAuthorityStopsDisclosure(t *testing.T) {
	t.Parallel()
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) {
			if backend == store.Postgres {
				storetest.RequirePostgres(t)
			}
			clk := clock.NewManual(t0)
			net := testnet.StartTest(t, backend, testnet.Options{Parties: []string{"FR", "DE"}, Clock: clk,
				Providers: []testnet.Provider{{Name: "DE-MAIL-EXAMPLE", Party: "DE"}, {Name: "DE-NOT", Party: "DE"}, {Name: "DE-EUE", Party: "DE"}}})
			notifyWorld(t, net, clk.Now())
			ctx := context.Background()
			fr, isp := net.Node("FR").Cases, net.Node("DE-MAIL-EXAMPLE").Cases
			yes := true
			orders := []struct {
				name, id, notified, other string
				doc                       []byte
			}{
				{"Protocol Art. 7", "FR-2026-000401", "DE-NOT", "DE-EUE", order(t, request.TypeSubscriberDirect, "FR-2026-000401", func(r *request.Request) {
					r.SubscriberDirect.NotificationGiven = &yes
				})},
				{"EPOC for content data", "FR-2026-000402", "DE-EUE", "DE-NOT", order(t, request.TypeEPOC, "FR-2026-000402", func(r *request.Request) {
					e := r.EPOC
					e.A.State, e.B.Country, e.I.Kind, e.G.Threshold = "FR", "DE", "judge", "3-years"
					e.F.Items[0].Category = request.EUContent
					e.E = request.EUNotification{Notified: &yes, EnforcingState: "DE", EnforcingAuthority: "DE-EUE"}
				})},
			}
			for _, o := range orders {
				c, problems, n, err := fr.SubmitDirect(ctx, o.doc, "Camille Exemple (fictional)", "DE-MAIL-EXAMPLE")
				if err != nil {
					t.Fatal(o.name, err, problems)
				}
				if n == nil || !n.Required || n.Authority != o.notified {
					t.Fatalf("%s: notification %+v, want %s", o.name, n, o.notified)
				}
				waitEvidence(t, fr, o.id, request.NoteNotified)
				waitState(t, isp, o.id, request.StateDelivered)
				cp := waitState(t, net.Node(o.notified).Cases, o.id, request.StateDelivered)
				if cp.Peer != "FR-247" || cp.Request.Type != c.Request.Type {
					t.Fatalf("%s: the copy at %s: %+v", o.name, o.notified, cp)
				}
				clk.Advance(time.Minute)
				if _, err := isp.Act(ctx, o.id, request.Step{To: request.StateAcknowledged, By: "Dana Beispiel (fictional)"}, nil); err != nil {
					t.Fatal(err)
				}

				// Rule R9: neither the other authority nor the issuer may stop it.
				for _, who := range []string{o.other, "FR"} {
					if got := forgeStop(t, net.Node(who), o.id); !strings.Contains(got, "wrong_side") || !strings.Contains(got, "only "+o.notified) {
						t.Errorf("%s: a stop from %s was refused with %q, want wrong_side naming %s", o.name, who, got, o.notified)
					}
				}
				// Nor does the other authority's node let its officer try.
				if _, err := net.Node(o.other).Cases.StopDisclosure(ctx, o.id, "DE-MAIL-EXAMPLE", "x", "y"); !apperr.Is(err, apperr.ENotFound) {
					t.Errorf("%s: %s stops a copy it does not hold: %v", o.name, o.other, err)
				}

				// The notified authority stops disclosure; the provider honours it.
				clk.Advance(time.Minute)
				if _, err := net.Node(o.notified).Cases.StopDisclosure(ctx, o.id, "DE-MAIL-EXAMPLE", "Erika Beispiel (fictional)",
					"disclosure would prejudice a domestic investigation"); err != nil {
					t.Fatal(o.name, err)
				}
				waitEvidence(t, isp, o.id, request.NoteDisclosureStopped)
				held, err := isp.Get(ctx, o.id)
				if err != nil {
					t.Fatal(err)
				}
				stop, _ := held.Lifecycle.Stopped()
				if !strings.HasPrefix(stop.By, o.notified+" (Erika Beispiel") || stop.As != request.ByNotified || !strings.Contains(stop.Details, "prejudice") {
					t.Errorf("%s: stop recorded as %+v", o.name, stop)
				}
				clk.Advance(time.Minute)
				if _, err := isp.Act(ctx, o.id, request.Step{To: request.StateInProgress, By: "Dana Beispiel (fictional)"}, nil); err != nil {
					t.Fatal(err)
				}
				_, err = isp.Act(ctx, o.id, request.Step{To: request.StateDisclosed, By: "Dana Beispiel (fictional)"}, nil)
				if !apperr.Is(err, apperr.EConflict) || !strings.Contains(err.Error(), "disclosure stopped by "+o.notified) {
					t.Errorf("%s: disclose after the stop: %v", o.name, err)
				}
				// A second stop comes too late only once the order is finished;
				// here it is still open, so the rule book takes it again.
			}
		})
	}
}
