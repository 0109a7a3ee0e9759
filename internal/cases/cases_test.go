package cases_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/testnet"
)

var t0 = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

func start(t *testing.T, backend string, clk clock.Clock) *testnet.Net {
	t.Helper()
	return startParties(t, backend, clk, "US", "IT")
}

func waitState(t *testing.T, svc *cases.Service, id string, want request.State) *cases.Case {
	t.Helper()
	var c *cases.Case
	testkit.Eventually(t, fmt.Sprintf("request %s to be %s", id, want), func() bool {
		got, err := svc.Get(context.Background(), id)
		c = got
		return err == nil && got.Lifecycle.State == want
	})
	return c
}

// preserveDoc returns the preserve fixture (testdata/preserve.json) with
// each old string of oldNew replaced by the new one after it.
func preserveDoc(t *testing.T, oldNew ...string) []byte {
	t.Helper()
	doc, err := os.ReadFile("testdata/preserve.json")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(oldNew); i += 2 {
		if !bytes.Contains(doc, []byte(oldNew[i])) {
			t.Fatalf("the preserve fixture no longer holds %s", oldNew[i])
		}
		doc = bytes.Replace(doc, []byte(oldNew[i]), []byte(oldNew[i+1]), 1)
	}
	return doc
}

// sendDelivered has from's officer submit doc and returns the request's
// id once to holds it as delivered.
func sendDelivered(t *testing.T, from, to *cases.Service, doc []byte) string {
	t.Helper()
	c, problems, err := from.Submit(context.Background(), doc, "Alex Example")
	if err != nil {
		t.Fatal(err, problems)
	}
	waitState(t, to, c.Request.ID, request.StateDelivered)
	return c.Request.ID
}

// TestPreservationRoundTrip is the network's basic exchange between two
// real nodes: the US sends a preservation request, Italy's node stores
// it and the US sees it delivered; an Italian officer acknowledges it,
// starts and reports it preserved with the provider's reference and end
// date; each step reaches the US as a signed evidence. The US then closes.
func TestPreservationRoundTrip(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngineParallel(t, func(t *testing.T, backend string) {
		clk := clock.NewManual(t0)
		net := start(t, backend, clk)
		us, it := net.Node("US").Cases, net.Node("IT").Cases
		ctx := context.Background()
		doc, err := os.ReadFile("testdata/preserve.json")
		if err != nil {
			t.Fatal(err)
		}
		c, _, err := us.Submit(ctx, doc, "Alex Example")
		if err != nil {
			t.Fatal(err)
		}
		if c.Peer != "IT-247" || c.Lifecycle.State != request.StateSent {
			t.Fatalf("submitted case = %+v", c)
		}
		id := c.Request.ID
		waitState(t, us, id, request.StateDelivered)
		in := waitState(t, it, id, request.StateDelivered)
		if in.Direction != cases.Incoming || in.Peer != "US-247" || !bytes.Equal(in.Document, doc) {
			t.Fatalf("incoming case = %+v", in)
		}

		// Italy's officer works the request; each step reaches the US.
		until := t0.AddDate(0, 0, 90)
		for _, st := range []request.Step{
			{To: request.StateAcknowledged, By: "Giulia Prova (fictional)"},
			{To: request.StateInProgress, By: "Giulia Prova (fictional)"},
			{To: request.StatePreserved, By: "Giulia Prova (fictional)", ProviderRef: "EXH-7781", Until: until},
		} {
			clk.Advance(time.Minute)
			if _, err := it.Act(ctx, id, st, nil); err != nil {
				t.Fatalf("%s: %v", st.To, err)
			}
			waitState(t, us, id, st.To)
		}
		out, err := us.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		last := out.Lifecycle.Evidences[len(out.Lifecycle.Evidences)-1]
		if last.ProviderRef != "EXH-7781" || !last.Until.Equal(until) || last.By != "Giulia Prova (fictional)" {
			t.Fatalf("preserved evidence at the sender = %+v", last)
		}
		if n := len(out.Lifecycle.Evidences); n != 5 {
			t.Fatalf("the sender holds %d evidences, want 5 (sent, delivered, acknowledged, in-progress, preserved)", n)
		}

		// A step out of order, or taken by the wrong side, is refused.
		if _, err := it.Act(ctx, id, request.Step{To: request.StateAcknowledged, By: "x"}, nil); !apperr.Is(err, apperr.EConflict) {
			t.Fatalf("acknowledge after preserved: %v", err)
		}
		if _, err := us.Act(ctx, id, request.Step{To: request.StateDisclosed, By: "x"}, nil); !apperr.Is(err, apperr.EUnauthorized) {
			t.Fatalf("sender discloses: %v", err)
		}
		if _, err := us.Act(ctx, id, request.Step{To: request.StateClosed, By: "Alex Example"}, nil); err != nil {
			t.Fatal(err)
		}
		waitState(t, it, id, request.StateClosed)

		list, err := it.List(ctx)
		if err != nil || len(list) != 1 || list[0].ID != id || list[0].State != "closed" {
			t.Fatalf("Italy's list = %+v, %v", list, err)
		}

		// Both nodes' audit logs hold every envelope of the exchange
		// and verify against a signed checkpoint.
		for party, kinds := range map[string][]auditlog.Kind{
			"US": {auditlog.EnvelopeSent, auditlog.ReceiptReceived, auditlog.EnvelopeReceived},
			"IT": {auditlog.EnvelopeReceived, auditlog.EnvelopeSent, auditlog.ReceiptReceived},
		} {
			nd := net.Node(party)
			for _, k := range kinds {
				recs, err := auditlog.List(ctx, nd.DB, auditlog.Query{Kind: k})
				if err != nil || len(recs) == 0 {
					t.Errorf("%s audit log has no %s record (%v)", party, k, err)
				}
			}
			if _, err := nd.Audit.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
			v, err := auditlog.NewVerifier(auditlog.Origin(nd.Config.Authority), nd.Signing.Public().(ed25519.PublicKey))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := auditlog.Verify(ctx, nd.DB, v); err != nil {
				t.Errorf("%s audit log does not verify: %v", party, err)
			}
		}
		sent, _ := auditlog.List(ctx, net.Node("US").DB, auditlog.Query{MessageID: c.MessageID})
		if len(sent) < 2 {
			t.Fatalf("the request's envelope has %d audit records at the sender, want sent and receipt", len(sent))
		}
	})
}

// TestSubmitRefusesIncompleteRequest: a preserve without the Art.
// 29(2)(f) statement is not sent, and nothing is stored or queued.
func TestSubmitRefusesIncompleteRequest(t *testing.T) {
	t.Parallel()
	net := start(t, store.SQLite, clock.NewManual(t0))
	us := net.Node("US")
	doc, _ := os.ReadFile("testdata/preserve.json")
	doc = bytes.Replace(doc, []byte(`"mla_will_follow": true`), []byte(`"mla_will_follow": false`), 1)
	_, problems, err := us.Cases.Submit(context.Background(), doc, "Alex Example")
	if !apperr.Is(err, apperr.EInvalid) {
		t.Fatalf("got %v, want invalid", err)
	}
	found := false
	for _, p := range problems {
		found = found || p.Rule == "art29-2-f"
	}
	if !found {
		t.Fatalf("problems %+v do not name art29-2-f", problems)
	}
	if out, _ := us.Envelopes.Outbox(context.Background()); len(out) != 0 {
		t.Fatal("a refused request was queued")
	}
	if _, err := us.Cases.Get(context.Background(), "US-2026-000101"); !apperr.Is(err, apperr.ENotFound) {
		t.Fatalf("a refused request was stored: %v", err)
	}
}

// TestSubmitOnlyOwnParty: a node sends only its own party's requests.
func TestSubmitOnlyOwnParty(t *testing.T) {
	t.Parallel()
	net := start(t, store.SQLite, clock.NewManual(t0))
	doc, _ := os.ReadFile("testdata/preserve.json")
	_, _, err := net.Node("IT").Cases.Submit(context.Background(), doc, "x")
	if !apperr.Is(err, apperr.EInvalid) {
		t.Fatalf("got %v", err)
	}
}
