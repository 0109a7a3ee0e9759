package testnet_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/node"
	reqpkg "github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store/storetest"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/testnet"
)

// The rule book (docs/protocol.md, "Rule book"), tried as an attacker
// would: a peer in the directory seals, with its own valid key, messages
// it may not send (the Go equivalent of 'art35 envelope seal'), and posts
// them to another node's inbox over real HTTP. Each is refused with its
// own code and status, audited, and nothing is stored.

// sealed seals body from node from to authority to with its real key, as
// 'art35 envelope seal' does, and returns the wire envelope.
func sealed(t *testing.T, from *node.Node, h envelope.Header, body []byte) []byte {
	t.Helper()
	env, err := from.Seal(context.Background(), h, body)
	if err != nil {
		t.Fatal(err)
	}
	wire, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return wire
}

// deliver posts a wire envelope to a node's inbox and returns the status
// and the answer's code.
func deliver(t *testing.T, to *node.Node, wire []byte) (int, string, string) {
	t.Helper()
	resp, err := http.Post("http://"+to.Addr()+"/v1/inbox", "application/json", bytes.NewReader(wire))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var eb struct{ Code, Message string }
	json.Unmarshal(b, &eb)
	return resp.StatusCode, eb.Code, eb.Message
}

// refusal is one attack and the answer it must get.
type refusal struct {
	name, code string
	status     int
	wire       []byte
}

// expectRefused posts each attack and checks its answer, its rejection
// record and its audit record, and that the receiver stored nothing.
func expectRefused(t *testing.T, to *node.Node, attacks []refusal) {
	t.Helper()
	ctx := context.Background()
	before, _ := to.Envelopes.CountInbound(ctx)
	beforeAudit, _ := auditlog.List(ctx, to.DB, auditlog.Query{Kind: auditlog.InboxRejection, Limit: 1000})
	for _, a := range attacks {
		status, code, msg := deliver(t, to, a.wire)
		if status != a.status || code != a.code {
			t.Errorf("%s: answered %d %s %q; want %d %s", a.name, status, code, msg, a.status, a.code)
		}
		if msg == "" {
			t.Errorf("%s: refusal without a reason", a.name)
		}
	}
	if n, _ := to.Envelopes.CountInbound(ctx); n != before {
		t.Errorf("%s stored %d envelopes from the attacks", to.Config.Authority, n-before)
	}
	counts, _ := to.Envelopes.RejectionCounts(ctx)
	for _, a := range attacks {
		if counts[a.code] < 1 {
			t.Errorf("%s: no %s in the rejection table (%v)", a.name, a.code, counts)
		}
	}
	recs, _ := auditlog.List(ctx, to.DB, auditlog.Query{Kind: auditlog.InboxRejection, Limit: 1000})
	if got := len(recs) - len(beforeAudit); got != len(attacks) {
		t.Errorf("%d new inbox-rejection audit records, want %d", got, len(attacks))
	}
}

func reqHeader(idem, typ, to string) envelope.Header {
	return envelope.Header{IdempotencyKey: idem, Kind: envelope.KindRequest, Subkind: typ, Recipient: to, CaseRef: "EX-" + idem}
}

// TestRuleBookRequests: a peer may send only its own party's requests,
// only to the party it addresses, only requests that pass their
// checklist, and a request's id is scoped by its party.
func TestRuleBookRequests(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngineParallel(t, func(t *testing.T, backend string) {
		net, clk := startManual(t, backend, "US", "IT", "FR")
		us, it, fr := net.Node("US"), net.Node("IT"), net.Node("FR")
		ctx := context.Background()
		now := clk.Now()
		const stolen = "FR-2026-777001"

		invalid := testnet.RequestDoc("preserve", "US-2026-000900", "US", "IT", now)
		invalid = bytes.Replace(invalid, []byte(`"priority":"urgent"`), []byte(`"priority":"whenever"`), 1)
		noRef := testnet.RequestDoc("preserve", "US-2026-000903", "US", "IT", now)
		if noRef = bytes.Replace(noRef, []byte(`"sender_ref":"EX-US-2026-000903",`), nil, 1); bytes.Contains(noRef, []byte("sender_ref")) {
			t.Fatal("the request still has its sender_ref")
		}
		expectRefused(t, it, []refusal{
			// US poses as France and takes France's id.
			{"requesting party of another", "not_sender_party", 403,
				sealed(t, us, reqHeader("pose-as-fr", "preserve", "IT-247"), testnet.RequestDoc("preserve", stolen, "FR", "IT", now))},
			// A request addressed to the United Kingdom, sent to Italy.
			{"addressed to another party", "not_addressed_here", 421,
				sealed(t, us, reqHeader("to-gb", "preserve", "IT-247"), testnet.RequestDoc("preserve", "US-2026-000901", "US", "GB", now))},
			// A request that fails its checklist.
			{"fails its checklist", "request_invalid", 422,
				sealed(t, us, reqHeader("invalid", "preserve", "IT-247"), invalid)},
			// A request without sender_ref: once stored, the portal
			// could not open it (the read record needs a case reference).
			{"without sender_ref", "request_invalid", 422,
				sealed(t, us, reqHeader("no-ref", "preserve", "IT-247"), noRef)},
			{"not a request at all", "request_invalid", 422,
				sealed(t, us, reqHeader("junk", "preserve", "IT-247"), []byte(`{"type":"preserve"}`))},
			{"type other than the envelope says", "request_invalid", 422,
				sealed(t, us, reqHeader("subkind", "emergency-disclosure", "IT-247"), testnet.RequestDoc("preserve", "US-2026-000902", "US", "IT", now))},
		})
		if _, err := it.Cases.Get(ctx, stolen); err == nil {
			t.Fatalf("Italy holds %s after the US posed as France", stolen)
		}
		_, code, msg := deliver(t, it, sealed(t, us, reqHeader("invalid-2", "preserve", "IT-247"), invalid))
		if !strings.Contains(msg, "priority") {
			t.Errorf("a checklist refusal names its problems: %s %q", code, msg)
		}

		// France's genuine request with that id arrives and is France's.
		c, _, err := fr.Cases.Submit(ctx, testnet.RequestDoc("preserve", stolen, "FR", "IT", now), "Camille Exemple (fictional)")
		if err != nil {
			t.Fatal(err)
		}
		got := waitCase(t, it, c.Request.ID, reqpkg.StateDelivered)
		if got.Peer != "FR-247" || got.Request.Requesting.Party != "FR" {
			t.Fatalf("Italy holds %s as from %s (%s)", stolen, got.Peer, got.Request.Requesting.Party)
		}

		// The same id from the US, legitimately its own request, does
		// not collide with France's: both are held, each as its own.
		mine, _, err := us.Cases.Submit(ctx, testnet.RequestDoc("preserve", stolen, "US", "IT", now), "Alex Example")
		if err != nil {
			t.Fatal(err)
		}
		if out := waitOutbox(t, us); out != "" {
			t.Fatalf("the US request with France's id was refused: %s", out)
		}
		list, err := it.Cases.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		peers := map[string]string{}
		for _, s := range list {
			peers[s.Peer] = s.ID
		}
		if len(list) != 2 || peers["FR-247"] != stolen || peers["US-247"] != "US~"+stolen {
			t.Fatalf("Italy's cases %+v; want France's %s and the US's as US~%s", list, stolen, stolen)
		}
		usCase, err := it.Cases.Get(ctx, "US~"+stolen)
		if err != nil || usCase.Ref != stolen || usCase.Request.Requesting.Party != "US" {
			t.Fatalf("the US case at Italy: %+v %v", usCase, err)
		}
		// Italy answers the US request: the US case moves, France's does not.
		if _, err := it.Cases.Act(ctx, "US~"+stolen, reqpkg.Step{To: reqpkg.StateAcknowledged, By: "Giulia Esempio (fictional)"}, nil); err != nil {
			t.Fatal(err)
		}
		waitCase(t, us, mine.Request.ID, reqpkg.StateAcknowledged)
		if c, _ := fr.Cases.Get(ctx, stolen); c.Lifecycle.State != reqpkg.StateDelivered {
			t.Fatalf("France's case moved to %s on Italy's answer to the US", c.Lifecycle.State)
		}

		// The same request id again from France, in a new envelope.
		expectRefused(t, it, []refusal{{"same id twice from one party", "duplicate_request", 409,
			sealed(t, fr, reqHeader("again", "preserve", "IT-247"), testnet.RequestDoc("preserve", stolen, "FR", "IT", now))}})
	})
}

// waitOutbox waits until a node's outbox is empty (everything delivered)
// or an envelope failed for good, and returns that failure.
func waitOutbox(t *testing.T, nd *node.Node) string {
	t.Helper()
	var last string
	testkit.Eventually(t, "the outbox settles", func() bool {
		out, _ := nd.Envelopes.Outbox(context.Background())
		for _, o := range out {
			if o.State == "failed" {
				last = o.LastError
				return true
			}
		}
		return len(out) == 0
	})
	return last
}

func evidenceHeader(idem string, c *cases.Case, subkind string) envelope.Header {
	return envelope.Header{IdempotencyKey: idem, Kind: envelope.KindEvidence, Subkind: subkind, Recipient: c.Peer, InReplyTo: c.MessageID}
}

func evidenceBody(id string, fields map[string]any) []byte {
	m := map[string]any{"kind": "transition", "request_id": id, "at": time.Now().UTC().Format(time.RFC3339Nano), "by": "Mallory Example (fictional)"}
	for k, v := range fields {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return b
}

// TestRuleBookEvidences: an evidence moves a case only along the
// lifecycle table, only from the side that owns the step (derived from
// who signed it, not from its "as"), and only between the case's parties.
func TestRuleBookEvidences(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngineParallel(t, func(t *testing.T, backend string) {
		net := start(t, backend, clock.System{}, "US", "IT", "FR")
		us, it, fr := net.Node("US"), net.Node("IT"), net.Node("FR")
		ctx := context.Background()
		sent, _, err := us.Cases.Submit(ctx, testnet.RequestDoc("preserve", "US-2026-000501", "US", "IT", time.Now()), "Alex Example")
		if err != nil {
			t.Fatal(err)
		}
		id := sent.Request.ID
		atIT := waitCase(t, it, id, reqpkg.StateDelivered)
		waitCase(t, us, id, reqpkg.StateDelivered)
		atUS, _ := us.Cases.Get(ctx, id)
		// FR's forged evidence names the US↔IT case at the US.
		frView := &cases.Case{Peer: "US-247", MessageID: atUS.MessageID}

		expectRefused(t, us, []refusal{
			// Italy, the requested side, closes the US's request
			// claiming to be the sender.
			{"requested side closes, claiming as=sender", "wrong_side", 403,
				sealed(t, it, evidenceHeader("forge-close", atIT, "closed"), evidenceBody(id, map[string]any{"to": "closed", "as": "sender"}))},
			{"a step the table does not allow from delivered", "step_not_allowed", 409,
				sealed(t, it, evidenceHeader("skip", atIT, "disclosed"), evidenceBody(id, map[string]any{"to": "disclosed", "as": "receiver"}))},
			{"a system step (delivered) from a peer", "step_not_allowed", 409,
				sealed(t, it, evidenceHeader("system", atIT, "delivered"), evidenceBody(id, map[string]any{"to": "delivered", "as": "system"}))},
			{"a note of the other side", "wrong_side", 403,
				sealed(t, it, evidenceHeader("grant", atIT, cases.KindTransferGranted), evidenceBody(id, map[string]any{"kind": cases.KindTransferGranted, "details": "to=GB; purpose=x"}))},
			{"a third party moves the case", "unknown_case", 422,
				sealed(t, fr, evidenceHeader("third", frView, "acknowledged"), evidenceBody(id, map[string]any{"to": "acknowledged", "as": "receiver"}))},
			{"unreadable evidence", "evidence_invalid", 422,
				sealed(t, it, evidenceHeader("junk", atIT, "acknowledged"), []byte(`{"to":"closed"}`))},
			{"a step without who took it", "evidence_invalid", 422,
				sealed(t, it, evidenceHeader("nobody", atIT, "acknowledged"), evidenceBody(id, map[string]any{"to": "acknowledged", "by": ""}))},
		})
		if c, _ := us.Cases.Get(ctx, id); c.Lifecycle.State != reqpkg.StateDelivered {
			t.Fatalf("the US case moved to %s on forged evidences", c.Lifecycle.State)
		}
		// The requesting side may not take the requested side's steps.
		expectRefused(t, it, []refusal{{"requesting side acknowledges its own request", "wrong_side", 403,
			sealed(t, us, evidenceHeader("self-ack", atUS, "acknowledged"), evidenceBody(id, map[string]any{"to": "acknowledged", "as": "receiver"}))}})

		// Genuine steps still move both sides.
		if _, err := it.Cases.Act(ctx, id, reqpkg.Step{To: reqpkg.StateAcknowledged, By: "Giulia Esempio (fictional)"}, nil); err != nil {
			t.Fatal(err)
		}
		got := waitCase(t, us, id, reqpkg.StateAcknowledged)
		if last := got.Lifecycle.Evidences[len(got.Lifecycle.Evidences)-1]; last.As != reqpkg.ByReceiver {
			t.Fatalf("the acknowledgement is recorded as %q", last.As)
		}
		if _, err := us.Cases.Act(ctx, id, reqpkg.Step{To: reqpkg.StateClosed, By: "Alex Example"}, nil); err != nil {
			t.Fatal(err)
		}
		waitCase(t, it, id, reqpkg.StateClosed)
	})
}

// TestPeerRefusalReachesTheOfficer: a step the peer refuses for good
// (here Italy's acknowledgement crossing the US's withdrawal) is not
// retried, and the refusal's code and reason are on the sender's case.
func TestPeerRefusalReachesTheOfficer(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngineParallel(t, func(t *testing.T, backend string) {
		net, clk := startManual(t, backend, "US", "IT")
		us, it := net.Node("US"), net.Node("IT")
		ctx := context.Background()
		sent, _, err := us.Cases.Submit(ctx, testnet.RequestDoc("preserve", "US-2026-000601", "US", "IT", clk.Now()), "Alex Example")
		if err != nil {
			t.Fatal(err)
		}
		id := sent.Request.ID
		waitCase(t, it, id, reqpkg.StateDelivered)
		waitCase(t, us, id, reqpkg.StateDelivered)
		// The US withdraws while Italy is down: the withdrawal waits in
		// the US outbox (the manual clock holds its retry back).
		if err := net.Stop("IT"); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Second)
		if _, err := us.Cases.Act(ctx, id, reqpkg.Step{To: reqpkg.StateClosed, By: "Alex Example"}, nil); err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, "the withdrawal failed once", func() bool {
			out, _ := us.Envelopes.Outbox(ctx)
			return len(out) == 1 && out[0].Attempts > 0
		})
		if err := net.Restart(ctx, "IT"); err != nil {
			t.Fatal(err)
		}
		it = net.Node("IT")
		// Italy acknowledges meanwhile; the US case is closed, so the US
		// refuses the step for good.
		if _, err := it.Cases.Act(ctx, id, reqpkg.Step{To: reqpkg.StateAcknowledged, By: "Giulia Esempio (fictional)"}, nil); err != nil {
			t.Fatal(err)
		}
		if out := waitOutbox(t, it); !strings.Contains(out, "step_not_allowed") {
			t.Fatalf("Italy's outbox: %q, want a final step_not_allowed", out)
		}
		var note *reqpkg.Evidence
		testkit.Eventually(t, "the refusal on Italy's case", func() bool {
			c, _ := it.Cases.Get(ctx, id)
			for i, ev := range c.Lifecycle.Evidences {
				if ev.Kind == cases.KindRefusedByPeer {
					note = &c.Lifecycle.Evidences[i]
				}
			}
			return note != nil
		})
		if !strings.Contains(note.Details, "US-247") || !strings.Contains(note.Details, "step_not_allowed") {
			t.Fatalf("refusal note %q", note.Details)
		}
		// Italy is back: the withdrawal arrives and closes its case too.
		clk.Advance(time.Hour)
		waitCase(t, it, id, reqpkg.StateClosed)
		if out, _ := it.Envelopes.Outbox(ctx); len(out) != 1 || out[0].Attempts != 1 {
			t.Fatalf("the refused envelope was retried: %+v", out)
		}
	})
}
