package federation_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

var t0 = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

// sealed makes a real signed, encrypted envelope from US-247 to IT-247.
func sealed(t *testing.T, idem string, kind envelope.Kind, subkind string) (*envelope.Envelope, []byte) {
	t.Helper()
	signerPub, signer, _ := keys.GenerateSigning()
	enc, _ := keys.GenerateEncryption()
	id, err := envelope.NewID(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h := envelope.Header{
		ID: id, IdempotencyKey: idem, Kind: kind, Subkind: subkind,
		Sender: "US-247", Recipient: "IT-247",
		SenderKeyID: keys.ID(keys.FormatSigningPublic(signerPub)), RecipientKeyID: keys.ID(keys.FormatEncryptionPublic(enc.PublicKey())),
		Created: t0, Expires: t0.Add(24 * time.Hour), Handling: envelope.H0,
	}
	env, err := envelope.Seal(h, []byte(`{"fictional":"body"}`), signer, enc.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return env, raw
}

func inbound(t *testing.T, env *envelope.Envelope, raw []byte) *federation.Inbound {
	t.Helper()
	_, receiver, _ := keys.GenerateSigning()
	r, err := envelope.NewReceipt(env, t0.Add(time.Second), receiver)
	if err != nil {
		t.Fatal(err)
	}
	return &federation.Inbound{Envelope: env, Raw: raw, Body: []byte("body"), Receipt: r, Via: "http"}
}

func TestInboundStoredOnce(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		es := federation.NewEnvelopes(db, federation.Hooks{})
		ctx := context.Background()
		env, raw := sealed(t, "req-1/sent", envelope.KindRequest, "preserve")
		in := inbound(t, env, raw)
		if s, err := es.InboundByID(ctx, env.Header.ID); s != nil || err != nil {
			t.Fatalf("before save: %v, %v", s, err)
		}
		if err := es.SaveInbound(ctx, in); err != nil {
			t.Fatal(err)
		}
		s, err := es.InboundByID(ctx, env.Header.ID)
		if err != nil || s == nil || s.Digest != env.Digest() || s.Receipt.MessageID != env.Header.ID {
			t.Fatalf("by id: %+v, %v", s, err)
		}
		s, err = es.InboundByIdempotencyKey(ctx, "US-247", "req-1/sent")
		if err != nil || s == nil || s.Digest != env.Digest() {
			t.Fatalf("by idempotency key: %+v, %v", s, err)
		}
		// The same envelope again, and another envelope with the same
		// business key: both conflict, nothing more is stored.
		if err := es.SaveInbound(ctx, in); !apperr.Is(err, apperr.EConflict) {
			t.Fatalf("same id again: %v", err)
		}
		env2, raw2 := sealed(t, "req-1/sent", envelope.KindRequest, "preserve")
		if err := es.SaveInbound(ctx, inbound(t, env2, raw2)); !apperr.Is(err, apperr.EConflict) {
			t.Fatalf("same idempotency key again: %v", err)
		}
		if n, _ := es.CountInbound(ctx); n != 1 {
			t.Fatalf("%d stored, want 1", n)
		}
		back, err := es.InboundEnvelope(ctx, env.Header.ID)
		if err != nil || string(back) != string(raw) {
			t.Fatalf("raw bytes changed in storage: %v", err)
		}
	})
}

// TestInboundHookIsAtomic checks that a failing arrival hook rolls the
// envelope back with it: nothing is half-written.
func TestInboundHookIsAtomic(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		boom := errors.New("request row refused")
		es := federation.NewEnvelopes(db, federation.Hooks{
			Inbound: func(ctx context.Context, tx *sql.Tx, in *federation.Inbound) error { return boom },
		})
		env, raw := sealed(t, "k", envelope.KindRequest, "preserve")
		if err := es.SaveInbound(ctx, inbound(t, env, raw)); !errors.Is(err, boom) {
			t.Fatalf("got %v", err)
		}
		if s, _ := es.InboundByID(ctx, env.Header.ID); s != nil {
			t.Fatal("envelope stored although its hook failed")
		}
	})
}

func TestOutboxLifecycle(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		es := federation.NewEnvelopes(db, federation.Hooks{})
		ctx := context.Background()
		var envs []*envelope.Envelope
		for i := range 3 {
			env, _ := sealed(t, fmt.Sprintf("req-%d/sent", i), envelope.KindRequest, "preserve")
			envs = append(envs, env)
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				return federation.Enqueue(ctx, tx, env, i == 2, t0.Add(time.Duration(i)*time.Second))
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		// The same business event twice to the same peer is refused.
		err := db.Tx(ctx, func(tx *sql.Tx) error { return federation.Enqueue(ctx, tx, envs[0], false, t0) })
		if !apperr.Is(err, apperr.EConflict) {
			t.Fatalf("duplicate enqueue: %v", err)
		}
		due, err := es.DueOutbound(ctx, t0.Add(time.Minute), 10)
		if err != nil || len(due) != 3 {
			t.Fatalf("due: %d, %v", len(due), err)
		}
		if due[0].Envelope.Header.ID != envs[2].Header.ID {
			t.Fatal("the emergency envelope is not first")
		}
		if err := es.MarkAttempt(ctx, envs[0].Header.ID, t0.Add(time.Minute), "connection refused", t0.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := es.MarkAttempt(ctx, envs[1].Header.ID, t0.Add(time.Minute), "bad_signature", time.Time{}); err != nil {
			t.Fatal(err)
		}
		_, rsigner, _ := keys.GenerateSigning()
		r, _ := envelope.NewReceipt(envs[2], t0.Add(time.Minute), rsigner)
		if err := es.MarkDelivered(ctx, envs[2].Header.ID, r); err != nil {
			t.Fatal(err)
		}
		// Only the delivered one is known delivered, at the receipt's time;
		// a later "since" or another kind leaves it out.
		got, err := es.DeliveredSince(ctx, envelope.KindRequest, t0)
		if err != nil || len(got) != 1 || !got[envs[2].Header.ID].Equal(t0.Add(time.Minute)) {
			t.Fatalf("delivered since t0: %v, %v", got, err)
		}
		if got, _ := es.DeliveredSince(ctx, envelope.KindRequest, t0.Add(3*time.Second)); len(got) != 0 {
			t.Fatalf("delivered since after the queueing: %v", got)
		}
		if got, _ := es.DeliveredSince(ctx, envelope.KindPing, t0); len(got) != 0 {
			t.Fatalf("delivered pings: %v", got)
		}
		due, _ = es.DueOutbound(ctx, t0.Add(90*time.Second), 10)
		if len(due) != 0 {
			t.Fatalf("%d due before the retry time, want 0", len(due))
		}
		due, _ = es.DueOutbound(ctx, t0.Add(2*time.Minute), 10)
		if len(due) != 1 || due[0].Attempts != 1 || due[0].Envelope.Header.ID != envs[0].Header.ID {
			t.Fatalf("due at retry time: %+v", due)
		}
		list, err := es.Outbox(ctx)
		if err != nil || len(list) != 2 {
			t.Fatalf("outbox: %+v, %v", list, err)
		}
		states := map[string]string{}
		for _, s := range list {
			states[s.MessageID] = s.State + "/" + s.LastError
		}
		if states[envs[0].Header.ID] != "queued/connection refused" || states[envs[1].Header.ID] != "failed/bad_signature" {
			t.Fatalf("states = %v", states)
		}
		raw, err := es.OutboundEnvelope(ctx, envs[0].Header.ID)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := envelope.Parse(raw); err != nil || !back.Equal(envs[0]) {
			t.Fatalf("outbound envelope read back differs: %v", err)
		}
		if _, err := es.OutboundEnvelope(ctx, "absent"); !apperr.Is(err, apperr.ENotFound) {
			t.Fatalf("absent: %v", err)
		}
		if err := es.MarkAttempt(ctx, envs[1].Header.ID, t0, "x", t0); !apperr.Is(err, apperr.ENotFound) {
			t.Fatalf("attempt on a failed envelope: %v", err)
		}
	})
}

func TestRejectionsRecorded(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		es := federation.NewEnvelopes(db, federation.Hooks{})
		ctx := context.Background()
		for _, c := range []federation.Code{federation.CodeBadSignature, federation.CodeBadSignature, federation.CodeReplayed} {
			if err := es.RecordRejection(ctx, federation.RejectionRecord{At: t0, Code: c, Message: "m", Via: "http", Sender: "XX-247", Size: 10}); err != nil {
				t.Fatal(err)
			}
		}
		counts, err := es.RejectionCounts(ctx)
		if err != nil || counts["bad_signature"] != 2 || counts["replayed"] != 1 {
			t.Fatalf("counts = %v, %v", counts, err)
		}
	})
}

// TestOutboxStreamsStayInOrder: envelopes answering the same message are
// handed out one at a time, oldest first, even when queued in the same
// instant and when the first has to wait for a retry; other streams and
// independent envelopes are not held up.
func TestOutboxStreamsStayInOrder(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		es := federation.NewEnvelopes(db, federation.Hooks{})
		ctx := context.Background()
		queue := func(idem, inReplyTo string) *envelope.Envelope {
			env, _ := sealed(t, idem, envelope.KindEvidence, "acknowledged")
			env.Header.InReplyTo = inReplyTo
			if err := db.Tx(ctx, func(tx *sql.Tx) error { return federation.Enqueue(ctx, tx, env, false, t0) }); err != nil {
				t.Fatal(err)
			}
			return env
		}
		streamA := "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		a1, a2, a3 := queue("a/1", streamA), queue("a/2", streamA), queue("a/3", streamA)
		b1 := queue("b/1", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
		lone := queue("lone", "")
		ids := func() map[string]bool {
			due, err := es.DueOutbound(ctx, t0.Add(time.Hour), 10)
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]bool{}
			for _, o := range due {
				m[o.Envelope.Header.ID] = true
			}
			return m
		}
		got := ids()
		if len(got) != 3 || !got[a1.Header.ID] || !got[b1.Header.ID] || !got[lone.Header.ID] {
			t.Fatalf("due = %v, want the head of each stream and the lone envelope", got)
		}
		// a1 fails and waits for a retry: a2 must still wait behind it.
		if err := es.MarkAttempt(ctx, a1.Header.ID, t0, "connection refused", t0.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got := ids(); got[a2.Header.ID] || got[a1.Header.ID] {
			t.Fatalf("a later envelope overtook one waiting for its retry: %v", got)
		}
		_, rs, _ := keys.GenerateSigning()
		r, _ := envelope.NewReceipt(a1, t0, rs)
		if err := es.MarkDelivered(ctx, a1.Header.ID, r); err != nil {
			t.Fatal(err)
		}
		if got := ids(); !got[a2.Header.ID] || got[a3.Header.ID] {
			t.Fatalf("after the first is delivered, the second (only) is due: %v", got)
		}
	})
}
