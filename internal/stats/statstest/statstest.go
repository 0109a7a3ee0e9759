// Package statstest plays a known history of casework between two real
// nodes (US and IT) of a test network on a manual clock, so that tests of
// the statistics, their page, their command and the annual report can
// check figures against a timeline they know. Every name in it is
// fictional.
package statstest

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/ping"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
	"github.com/art35/art35/internal/testnet"
)

//go:embed testdata/preserve.json
var preserveDoc []byte

// T0 is when the history starts.
var T0 = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

// Officers are the fictional people who act in the history: their names
// must never appear in a statistic.
var Officers = []string{"Alex Example", "Giulia Prova (fictional)", "Sam Sample", "Paola Esempio"}

// SenderRefs are the requests' own references, which must not appear in a
// statistic either.
var SenderRefs = []string{"EX-24-7-2026-0412", "EX-STATS-A", "EX-STATS-B", "EX-STATS-C", "EX-STATS-MLA", "EX-STATS-D"}

// The timeline, relative to T0. Request A (preserve, urgent) is sent at
// 0, acknowledged at AckA, preserved at PreservedA and followed by an MLA
// request at MLAAt; B (preserve, emergency) is sent at BAt, acknowledged
// late at BAt+AckB and declined; C (preserve, routine) is sent at CAt
// while Italy is down, receipted ReceiptC later, acknowledged at
// CAt+AckC and disclosed at CAt+DiscloseC; D is an exercise; a ping sent
// at PingAt is answered PingAnswer later.
const (
	AckA       = 10 * time.Minute
	PreservedA = 60 * time.Minute
	MLAAt      = 61 * time.Minute
	BAt        = 2 * time.Hour
	AckB       = 40 * time.Minute
	DeclineB   = 45 * time.Minute
	CAt        = 3 * time.Hour
	ReceiptC   = 6 * time.Minute
	AckC       = 30 * time.Minute
	DiscloseC  = 60 * time.Minute
	DAt        = 4*time.Hour + 30*time.Minute
	PingAt     = 5 * time.Hour
	PingAnswer = 7 * time.Minute
	// DeclineCode is B's reason.
	DeclineCode = request.CodeEssentialInterests
)

// IDs of the requests.
const (
	IDA, IDB, IDC, IDMLA, IDD = "US-2026-000101", "US-2026-000102", "US-2026-000103", "US-2026-000105", "US-2026-000104"
)

// History is a test network that has played the history.
type History struct {
	Net   *testnet.Net
	Clock *clock.Manual
}

// Options of Play.
type Options struct {
	// Setup, when set, is called for each node before it runs, after ping
	// tests are registered (mount the portal, metrics...).
	Setup func(party string, n *node.Node) error
	// Extra are more parties to run nodes for (they take no part in the
	// history), e.g. for network figures.
	Extra []string
}

// Start starts US and IT on backend with a manual clock at T0.
func Start(t *testing.T, backend string, opt Options) *History {
	t.Helper()
	clk := clock.NewManual(T0)
	parties := append([]string{"US", "IT"}, opt.Extra...)
	to := testnet.Options{Parties: parties, Dir: t.TempDir(), Clock: clk, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Setup: func(party string, n *node.Node) error {
			PingService(n).Register(n)
			if opt.Setup != nil {
				return opt.Setup(party, n)
			}
			return nil
		}}
	if backend == store.Postgres {
		storetest.RequirePostgres(t)
		dsns := map[string]string{}
		for _, p := range parties {
			dsns[p] = storetest.DSN(t, store.Postgres)
		}
		to.Database = func(p string) (string, error) { return dsns[p], nil }
	}
	net, err := testnet.Start(context.Background(), to)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := net.Close(); err != nil {
			t.Error(err)
		}
	})
	return &History{Net: net, Clock: clk}
}

// Play runs the history; the clock ends at PingAt+PingAnswer.
func (h *History) Play(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	clk := h.Clock
	us := func() *cases.Service { return h.Net.Node("US").Cases }
	it := func() *cases.Service { return h.Net.Node("IT").Cases }
	at := func(d time.Duration) {
		if now := clk.Now(); T0.Add(d).After(now) {
			clk.Advance(T0.Add(d).Sub(now))
		}
	}
	act := func(id string, d time.Duration, st request.Step) {
		t.Helper()
		at(d)
		if _, err := it().Act(ctx, id, st, nil); err != nil {
			t.Fatalf("IT %s %s: %v", id, st.To, err)
		}
		waitState(t, us(), id, st.To)
	}
	officer := Officers[1]

	// A: preserve, urgent, acknowledged in time, preserved, then MLA.
	submit(t, us(), doc(t, IDA, "urgent", SenderRefs[1]), Officers[0])
	waitState(t, it(), IDA, request.StateDelivered)
	waitState(t, us(), IDA, request.StateDelivered) // see note on races below
	act(IDA, AckA, request.Step{To: request.StateAcknowledged, By: officer})
	act(IDA, 30*time.Minute, request.Step{To: request.StateInProgress, By: officer})
	act(IDA, PreservedA, request.Step{To: request.StatePreserved, By: officer, ProviderRef: "EXH-1", Until: T0.AddDate(0, 0, 90)})
	at(MLAAt)
	mla := map[string]any{}
	if err := json.Unmarshal(doc(t, IDMLA, "routine", SenderRefs[4]), &mla); err != nil {
		t.Fatal(err)
	}
	delete(mla, "preserve")
	mla["type"] = "mla-followup"
	mla["links"] = []any{map[string]any{"rel": "follows-up", "id": IDA}}
	mla["mla_followup"] = map[string]any{"preservation_id": IDA, "mla_date": T0.Add(MLAAt).Format(time.RFC3339), "ticket": "MLA-1",
		"channel": "central-authority", "requesting_authority": "US central authority (fictional)", "executing_authority": "IT central authority (fictional)"}
	b, _ := json.Marshal(mla)
	submit(t, us(), b, Officers[0])
	waitState(t, it(), IDMLA, request.StateDelivered)
	waitState(t, us(), IDMLA, request.StateDelivered) // see note on races below

	// B: preserve, emergency, acknowledged late, declined.
	at(BAt)
	submit(t, us(), doc(t, IDB, "emergency", SenderRefs[2]), Officers[0])
	waitState(t, it(), IDB, request.StateDelivered)
	waitState(t, us(), IDB, request.StateDelivered) // see note on races below
	act(IDB, BAt+AckB, request.Step{To: request.StateAcknowledged, By: officer})
	act(IDB, BAt+DeclineB, request.Step{To: request.StateDeclined, By: officer, Code: DeclineCode, Details: "fictional refusal"})

	// C: preserve, routine, sent while Italy is down: the receipt comes
	// when it is back.
	at(CAt)
	if err := h.Net.Stop("IT"); err != nil {
		t.Fatal(err)
	}
	submit(t, us(), doc(t, IDC, "routine", SenderRefs[3]), Officers[0])
	wait(t, "a failed delivery attempt of C", func() bool {
		out, _ := h.Net.Node("US").Envelopes.Outbox(ctx)
		return len(out) == 1 && out[0].Attempts > 0
	})
	if err := h.Net.Restart(ctx, "IT"); err != nil {
		t.Fatal(err)
	}
	at(CAt + ReceiptC)
	wait(t, "C delivered", func() bool {
		_, _, _ = h.Net.Node("US").Outbox.Pass(ctx)
		c, err := us().Get(ctx, IDC)
		return err == nil && c.Lifecycle.State == request.StateDelivered
	})
	act(IDC, CAt+AckC, request.Step{To: request.StateAcknowledged, By: officer})
	act(IDC, CAt+40*time.Minute, request.Step{To: request.StateInProgress, By: officer})
	act(IDC, CAt+DiscloseC, request.Step{To: request.StateDisclosed, By: officer})

	// D: an exercise, sent with the envelope's exercise flag.
	at(DAt)
	hd := envelope.Header{IdempotencyKey: IDD + "/request", Kind: envelope.KindRequest, Subkind: "preserve",
		Recipient: "IT-247", CaseRef: SenderRefs[5], Exercise: true}
	if _, err := h.Net.Node("US").Send(ctx, hd, doc(t, IDD, "emergency", SenderRefs[5]), nil); err != nil {
		t.Fatal(err)
	}
	waitState(t, it(), IDD, request.StateDelivered)

	// A ping answered by a person seven minutes later.
	at(PingAt)
	usPing, itPing := PingService(h.Net.Node("US")), PingService(h.Net.Node("IT"))
	if _, err := usPing.StartCampaign(ctx, ping.CampaignOptions{To: []string{"IT"}, By: Officers[2]}); err != nil {
		t.Fatal(err)
	}
	var challenge string
	wait(t, "the challenge at IT", func() bool {
		cs, _ := itPing.Challenges(ctx, false)
		if len(cs) == 1 {
			challenge = cs[0].ID
		}
		return challenge != ""
	})
	// Both sides, as for the requests: the challenge stored at IT says
	// nothing yet of IT's receipt stored at the US (reachable).
	wait(t, "IT's receipt of the challenge at US", func() bool {
		rs, _ := usPing.Results(ctx, ping.Filter{})
		return len(rs) == 1 && rs[0].Reachable
	})
	at(PingAt + PingAnswer)
	if _, err := itPing.Answer(ctx, challenge, Officers[3]); err != nil {
		t.Fatal(err)
	}
	wait(t, "the answer at US", func() bool {
		rs, _ := usPing.Results(ctx, ping.Filter{})
		return len(rs) == 1 && rs[0].State == ping.StatePassed
	})
}

// Note on races: each step waits until both sides hold the delivery
// before Italy acts. When Italy's first step reaches the US while the US
// is still storing Italy's receipt, both record "delivered" at once; on
// PostgreSQL one of them then fails on the evidence's key and the step
// is refused until the sender retries, which a manual clock that stands
// still never lets happen.

func doc(t *testing.T, id, priority, ref string) []byte {
	t.Helper()
	return Doc(t, id, priority, ref, "US", "IT")
}

// Doc returns a preservation request from party from to party to.
func Doc(t *testing.T, id, priority, ref, from, to string) []byte {
	t.Helper()
	m := map[string]any{}
	if err := json.Unmarshal(preserveDoc, &m); err != nil {
		t.Fatal(err)
	}
	m["id"], m["priority"], m["sender_ref"] = id, priority, ref
	m["requesting"].(map[string]any)["party"] = from
	m["requested"].(map[string]any)["party"] = to
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Submit sends a request from a node and waits until both sides hold
// its delivery.
func Submit(t *testing.T, from, to *cases.Service, doc []byte, by, id string) {
	t.Helper()
	submit(t, from, doc, by)
	waitState(t, to, id, request.StateDelivered)
	waitState(t, from, id, request.StateDelivered)
}

// WaitState waits until a node holds a request in a state.
func WaitState(t *testing.T, s *cases.Service, id string, want request.State) {
	t.Helper()
	waitState(t, s, id, want)
}

func submit(t *testing.T, s *cases.Service, doc []byte, by string) {
	t.Helper()
	if _, problems, err := s.Submit(context.Background(), doc, by); err != nil {
		t.Fatalf("submit: %v %v", err, problems)
	}
}

func waitState(t *testing.T, s *cases.Service, id string, want request.State) {
	t.Helper()
	wait(t, fmt.Sprintf("%s to be %s", id, want), func() bool {
		c, err := s.Get(context.Background(), id)
		return err == nil && c.Lifecycle.State == want
	})
}

// wait polls cond (bounded); it is a wait, not a timing assertion.
func wait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// PingService is the ping service of n as internal/app builds it
// (app.Ping); statstest cannot import app, whose portal's own tests
// import statstest.
func PingService(n *node.Node) *ping.Service {
	return &ping.Service{DB: n.DB, Clock: n.Clock, Send: n.Send, Directory: n.Directory, Delivered: n.Envelopes.DeliveredSince,
		Party: n.Config.Party, Authority: n.Config.Authority, Log: n.Log}
}
