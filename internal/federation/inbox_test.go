package federation

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/envelope"
)

var t0 = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

func seed(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func xkey(t testing.TB, b byte) *ecdh.PrivateKey {
	t.Helper()
	k, err := ecdh.X25519().NewPrivateKey(seed(b))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// fixture is a receiving node IT-POC and the keys of its senders, all
// from fixed seeds, with a manual clock at t0 + 1h.
type fixture struct {
	inbox  *Inbox
	store  *memStore
	clock  *clock.Manual
	keys   *StaticKeys
	us     ed25519.PrivateKey // US-POC, valid
	future ed25519.PrivateKey // US-POC, valid only from t0 + 10 days
	old    ed25519.PrivateKey // US-POC, valid until t0 - 1h
	revoke ed25519.PrivateKey // US-POC, revoked at t0 + 30 min
	rogue  ed25519.PrivateKey // not in the directory
	itEnc  *ecdh.PrivateKey   // IT-POC's encryption key
	itSign ed25519.PrivateKey // IT-POC's receipt key
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{
		store:  newMemStore(),
		clock:  clock.NewManual(t0.Add(time.Hour)),
		keys:   NewStaticKeys(),
		us:     ed25519.NewKeyFromSeed(seed(0x01)),
		future: ed25519.NewKeyFromSeed(seed(0x04)),
		old:    ed25519.NewKeyFromSeed(seed(0x05)),
		revoke: ed25519.NewKeyFromSeed(seed(0x06)),
		rogue:  ed25519.NewKeyFromSeed(seed(0x07)),
		itEnc:  xkey(t, 0x02),
		itSign: ed25519.NewKeyFromSeed(seed(0x03)),
	}
	pub := func(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }
	f.keys.AddSigningKey("US-POC", SenderKey{Public: pub(f.us), ValidFrom: t0.AddDate(0, -1, 0), ValidUntil: t0.AddDate(1, 0, 0)})
	f.keys.AddSigningKey("US-POC", SenderKey{Public: pub(f.future), ValidFrom: t0.AddDate(0, 0, 10)})
	f.keys.AddSigningKey("US-POC", SenderKey{Public: pub(f.old), ValidUntil: t0.Add(-time.Hour)})
	f.keys.AddSigningKey("US-POC", SenderKey{Public: pub(f.revoke), Revoked: t0.Add(30 * time.Minute)})
	f.keys.AddLocal(&Identity{
		Authority: "IT-POC",
		Signer:    f.itSign,
		Decrypt:   map[string]*ecdh.PrivateKey{envelope.EncryptionKeyID(f.itEnc.PublicKey()): f.itEnc},
	})
	f.inbox = &Inbox{Keys: f.keys, Store: f.store, Clock: f.clock, Audit: f.store}
	return f
}

func header(id byte) envelope.Header {
	return envelope.Header{
		ID:             strings.Repeat(string("0123456789abcdef"[id%16]), 32),
		IdempotencyKey: "req:US-2026-0042:" + string('a'+rune(id%26)),
		Kind:           envelope.KindRequest,
		Subkind:        "preserve",
		Sender:         "US-POC",
		Recipient:      "IT-POC",
		Created:        t0,
		Expires:        t0.Add(24 * time.Hour),
		Handling:       envelope.H1,
	}
}

// seal seals h with signer to IT-POC's key (or to, if given) and returns the wire bytes.
func (f *fixture) seal(t testing.TB, h envelope.Header, body []byte, signer ed25519.PrivateKey, to *ecdh.PublicKey) []byte {
	t.Helper()
	if to == nil {
		to = f.itEnc.PublicKey()
	}
	env, err := envelope.Seal(h, body, signer, to)
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
	return wire(t, env)
}

func wire(t testing.TB, env *envelope.Envelope) []byte {
	t.Helper()
	b, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestInboxAccepts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	raw := f.seal(t, header(1), []byte(`{"type":"preserve"}`), f.us, nil)
	res, err := f.inbox.Receive(context.Background(), raw, "file")
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	if res.Duplicate || string(res.Body) != `{"type":"preserve"}` || f.store.count() != 1 {
		t.Fatalf("result %+v, stored %d", res, f.store.count())
	}
	r := res.Receipt
	if err := envelope.VerifyReceipt(r, f.itSign.Public().(ed25519.PublicKey)); err != nil {
		t.Fatalf("receipt: %v", err)
	}
	if !r.Covers(res.Envelope) || !r.ReceivedAt.Equal(f.clock.Now()) || r.Receiver != "IT-POC" {
		t.Fatalf("receipt %+v", r)
	}
	if got := f.store.byID[header(1).ID]; got.Via != "file" || !bytes.Equal(got.Raw, raw) {
		t.Fatalf("stored %+v", got)
	}
}

// rejectionCase crafts one envelope that the inbox must refuse with want.
// setup may change the fixture (a lower body limit, an envelope accepted
// before); rejection_vectors.json records those changes.
type rejectionCase struct {
	name  string
	setup func(t *testing.T, f *fixture) []byte
	want  Code
}

func rejectionCases() []rejectionCase {
	return []rejectionCase{
		{"not JSON", func(t *testing.T, f *fixture) []byte { return []byte("hello") }, CodeMalformed},
		{"missing fields", func(t *testing.T, f *fixture) []byte { return []byte(`{"v":1}`) }, CodeMalformed},
		{"header rule", func(t *testing.T, f *fixture) []byte {
			return bytes.Replace(f.seal(t, header(1), nil, f.us, nil), []byte(`"handling":"H1"`), []byte(`"handling":"H7"`), 1)
		}, CodeMalformed},
		{"version 2", func(t *testing.T, f *fixture) []byte {
			return bytes.Replace(f.seal(t, header(1), nil, f.us, nil), []byte(`"v":1`), []byte(`"v":2`), 1)
		}, CodeUnsupportedVersion},
		{"body over this inbox's limit", func(t *testing.T, f *fixture) []byte {
			f.inbox.MaxBody = 100
			return f.seal(t, header(1), make([]byte, 200), f.us, nil)
		}, CodeOversized},
		{"wire over the limit", func(t *testing.T, f *fixture) []byte {
			f.inbox.MaxBody = 100
			return append([]byte(`{"v":1,"x":"`), make([]byte, f.inbox.MaxWire())...)
		}, CodeOversized},
		{"wrong recipient", func(t *testing.T, f *fixture) []byte {
			h := header(1)
			h.Recipient = "FR-POC"
			return f.seal(t, h, nil, f.us, nil)
		}, CodeWrongRecipient},
		{"sealed to a key we do not hold", func(t *testing.T, f *fixture) []byte {
			return f.seal(t, header(1), nil, f.us, xkey(t, 0x0b).PublicKey())
		}, CodeUnknownRecipientKey},
		{"sender not admitted by this node's policy", func(t *testing.T, f *fixture) []byte {
			f.inbox.Admit = func(ctx context.Context, h envelope.Header) error {
				return fmt.Errorf("this provider takes orders only from its own country's authorities, not from %s", h.Sender)
			}
			return f.seal(t, header(1), nil, f.us, nil)
		}, CodeNotAdmitted},
		{"unknown sender authority", func(t *testing.T, f *fixture) []byte {
			h := header(1)
			h.Sender = "XX-POC"
			return f.seal(t, h, nil, f.rogue, nil)
		}, CodeUnknownSender},
		{"known sender, unknown key", func(t *testing.T, f *fixture) []byte {
			return f.seal(t, header(1), nil, f.rogue, nil)
		}, CodeUnknownSender},
		{"forged: signed by another key under a listed key id", func(t *testing.T, f *fixture) []byte {
			env, _ := envelope.Parse(f.seal(t, header(1), nil, f.us, nil))
			env.Signature = ed25519.Sign(f.rogue, env.SignatureInput())
			return wire(t, env)
		}, CodeBadSignature},
		{"header changed after signing", func(t *testing.T, f *fixture) []byte {
			return bytes.Replace(f.seal(t, header(1), nil, f.us, nil), []byte(`"handling":"H1"`), []byte(`"handling":"H0"`), 1)
		}, CodeBadSignature},
		{"key not yet valid", func(t *testing.T, f *fixture) []byte {
			return f.seal(t, header(1), nil, f.future, nil)
		}, CodeKeyNotValid},
		{"key no longer valid", func(t *testing.T, f *fixture) []byte {
			return f.seal(t, header(1), nil, f.old, nil)
		}, CodeKeyNotValid},
		{"revoked key, even for an envelope created before", func(t *testing.T, f *fixture) []byte {
			return f.seal(t, header(1), nil, f.revoke, nil)
		}, CodeKeyRevoked},
		{"expired", func(t *testing.T, f *fixture) []byte {
			h := header(1)
			h.Created, h.Expires = t0.Add(-48*time.Hour), t0.Add(-24*time.Hour)
			return f.seal(t, h, nil, f.us, nil)
		}, CodeExpired},
		{"expires exactly now", func(t *testing.T, f *fixture) []byte {
			h := header(1)
			h.Expires = f.clock.Now()
			return f.seal(t, h, nil, f.us, nil)
		}, CodeExpired},
		{"created in the future", func(t *testing.T, f *fixture) []byte {
			h := header(1)
			h.Created = f.clock.Now().Add(DefaultMaxSkew + time.Second)
			h.Expires = h.Created.Add(time.Hour)
			return f.seal(t, h, nil, f.us, nil)
		}, CodeFutureTimestamp},
		{"replayed id with other content", func(t *testing.T, f *fixture) []byte {
			if _, err := f.inbox.Receive(context.Background(), f.seal(t, header(1), []byte("first"), f.us, nil), "https"); err != nil {
				t.Fatal(err)
			}
			h := header(1)
			h.IdempotencyKey = "another-business-key"
			return f.seal(t, h, []byte("second"), f.us, nil)
		}, CodeReplayed},
		{"signed but undecryptable", func(t *testing.T, f *fixture) []byte {
			env, _ := envelope.Parse(f.seal(t, header(1), []byte("body"), f.us, nil))
			env.Ciphertext[len(env.Ciphertext)-1] ^= 1
			env.Signature = ed25519.Sign(f.us, env.SignatureInput())
			return wire(t, env)
		}, CodeUndecryptable},
	}
}

// TestInboxRejections crafts one envelope per rejection class and checks
// that it is refused with its own code, stored nowhere and audited.
func TestInboxRejections(t *testing.T) {
	t.Parallel()
	seen := map[Code]bool{}
	for _, tt := range rejectionCases() {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			raw := tt.setup(t, f)
			before := f.store.count()
			_, err := f.inbox.Receive(context.Background(), raw, "https")
			rej, ok := AsRejection(err)
			if !ok || rej.Code != tt.want {
				t.Fatalf("got %v, want rejection %s", err, tt.want)
			}
			if f.store.count() != before {
				t.Fatal("a refused envelope was stored")
			}
			if n := len(f.store.rejections); n == 0 || f.store.rejections[n-1].Code != tt.want || f.store.rejections[n-1].Via != "https" {
				t.Fatalf("audit records %+v", f.store.rejections)
			}
			if apperr.Code(err) != rej.AppCode() || rej.Message == "" {
				t.Fatalf("apperr code %q, message %q", apperr.Code(err), rej.Message)
			}
			seen[tt.want] = true
		})
	}
	for _, c := range Codes {
		if !seen[c] {
			t.Errorf("no test produces rejection %s", c)
		}
	}
}

func TestInboxDuplicates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	raw := f.seal(t, header(1), []byte("body"), f.us, nil)
	first, err := f.inbox.Receive(ctx, raw, "https")
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)

	// Same bytes again, in another JSON layout (out of band): same receipt.
	var indented bytes.Buffer
	indented.Write(bytes.ReplaceAll(raw, []byte(`,"`), []byte(",\n \"")))
	// Same business key in a new envelope (the sender sealed it twice).
	h := header(2)
	h.IdempotencyKey = header(1).IdempotencyKey
	resealed := f.seal(t, h, []byte("body"), f.us, nil)

	for name, in := range map[string][]byte{"same bytes": raw, "re-indented": indented.Bytes(), "same idempotency key": resealed} {
		res, err := f.inbox.Receive(ctx, in, "file")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !res.Duplicate || res.Body != nil || !bytes.Equal(res.Receipt.Signature, first.Receipt.Signature) {
			t.Fatalf("%s: got %+v, want the original receipt", name, res)
		}
	}
	// After expiry a duplicate still gets its receipt: it was delivered.
	f.clock.Set(t0.Add(48 * time.Hour))
	if res, err := f.inbox.Receive(ctx, raw, "https"); err != nil || !res.Duplicate {
		t.Fatalf("duplicate after expiry: %v", err)
	}
	if f.store.count() != 1 || len(f.store.rejections) != 0 {
		t.Fatalf("stored %d, rejections %v", f.store.count(), f.store.rejections)
	}
}

// TestInboxConcurrentDuplicate replays the race where two deliveries of
// one message both pass the duplicate lookups: the store refuses the
// second save, and the inbox answers it with the first one's receipt.
func TestInboxConcurrentDuplicate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	raw := f.seal(t, header(1), []byte("body"), f.us, nil)
	first, err := f.inbox.Receive(ctx, raw, "https")
	if err != nil {
		t.Fatal(err)
	}
	f.store.missLookups = 2
	res, err := f.inbox.Receive(ctx, raw, "https")
	if err != nil || !res.Duplicate || !bytes.Equal(res.Receipt.Signature, first.Receipt.Signature) {
		t.Fatalf("got %+v, %v", res, err)
	}
	// And for real: many goroutines deliver the same envelope at once.
	f = newFixture(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	sigs := map[string]int{}
	for range 8 {
		wg.Go(func() {
			res, err := f.inbox.Receive(ctx, raw, "https")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			sigs[string(res.Receipt.Signature)]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if f.store.count() != 1 || len(sigs) != 1 {
		t.Fatalf("stored %d, distinct receipts %d", f.store.count(), len(sigs))
	}
}

// TestInboxDuplicateJudgedKnown replays the race where two deliveries of
// one message both pass the duplicate lookups and the first is stored
// before the second reaches the rule book, which then finds its request
// already known: the second gets the first one's receipt, not a refusal
// (a refusal would make the sender give up on an envelope that arrived).
func TestInboxDuplicateJudgedKnown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	raw := f.seal(t, header(1), []byte("body"), f.us, nil)
	var first *Result
	f.inbox.Judge = func(ctx context.Context, h envelope.Header, body []byte) error {
		if first == nil {
			// The other delivery of the same bytes wins meanwhile.
			f.inbox.Judge = func(context.Context, envelope.Header, []byte) error { return nil }
			var err error
			if first, err = f.inbox.Receive(ctx, raw, "https"); err != nil {
				t.Fatal(err)
			}
		}
		return Reject(CodeDuplicateRequest, "request already received")
	}
	res, err := f.inbox.Receive(ctx, raw, "https")
	if err != nil || !res.Duplicate || !bytes.Equal(res.Receipt.Signature, first.Receipt.Signature) {
		t.Fatalf("got %+v, %v", res, err)
	}
	if f.store.count() != 1 || len(f.store.rejections) != 0 {
		t.Fatalf("stored %d, rejections %v", f.store.count(), f.store.rejections)
	}
	// A different envelope whose request is known is still refused.
	f.inbox.Judge = func(context.Context, envelope.Header, []byte) error {
		return Reject(CodeDuplicateRequest, "request already received")
	}
	_, err = f.inbox.Receive(ctx, f.seal(t, header(2), []byte("body"), f.us, nil), "https")
	if rej, ok := AsRejection(err); !ok || rej.Code != CodeDuplicateRequest {
		t.Fatalf("other envelope: %v", err)
	}
}

func TestInboxOwnFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	f.store.failSave = errDisk
	_, err := f.inbox.Receive(ctx, f.seal(t, header(1), nil, f.us, nil), "https")
	if _, isRej := AsRejection(err); isRej || !errors.Is(err, errDisk) || !Retryable(err) {
		t.Fatalf("store failure: got %v, want a retryable non-rejection", err)
	}
	f = newFixture(t)
	f.store.failAudit = errDisk
	_, err = f.inbox.Receive(ctx, []byte("junk"), "https")
	if _, isRej := AsRejection(err); isRej || !errors.Is(err, errDisk) {
		t.Fatalf("audit failure: got %v, want a non-rejection error", err)
	}
}

func TestRetryable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{&Rejection{Code: CodeBadSignature}, false},
		{&Rejection{Code: CodeUnknownSender}, true},
		{&Rejection{Code: CodeFutureTimestamp}, true},
		{apperr.Errorf(apperr.EInvalid, "no pin"), false},
		{errDisk, true},
	}
	for _, tt := range tests {
		if got := Retryable(tt.err); got != tt.want {
			t.Errorf("Retryable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
	for _, c := range Codes {
		if s := c.HTTPStatus(); s < 400 || s > 499 {
			t.Errorf("%s maps to HTTP %d, want a 4xx", c, s)
		}
	}
}

// FuzzInbox feeds arbitrary bytes to the inbox: never a panic, never a
// non-rejection error (the store here does not fail), never stored.
func FuzzInbox(f *testing.F) {
	fx := newFixture(f)
	good := fx.seal(f, header(1), []byte("body"), fx.us, nil)
	f.Add(good)
	f.Add([]byte(`{"v":1}`))
	f.Add(bytes.Replace(good, []byte(`"v":1`), []byte(`"v":2`), 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		fx := newFixture(t)
		fx.inbox.Audit = nil
		res, err := fx.inbox.Receive(context.Background(), data, "file")
		if err == nil {
			if res.Receipt == nil || fx.store.count() != 1 {
				t.Fatalf("accepted without a stored receipt")
			}
			return
		}
		if _, ok := AsRejection(err); !ok {
			t.Fatalf("non-rejection error: %v", err)
		}
	})
}

// TestRuleCodesAreRefusals: every rule-book code is a 4xx, has an
// application code, and only unknown_case (an evidence that overtook its
// request) is worth retrying.
func TestRuleCodesAreRefusals(t *testing.T) {
	seen := map[Code]bool{}
	for _, c := range RuleCodes {
		if s := c.HTTPStatus(); s < 400 || s > 499 || s == 400 {
			t.Errorf("%s maps to HTTP %d, want a 4xx of its own (not the envelope's 400)", c, s)
		}
		if (&Rejection{Code: c}).AppCode() == "" || seen[c] {
			t.Errorf("%s: no application code, or listed twice", c)
		}
		seen[c] = true
		if c.RetryLater() != (c == CodeUnknownCase) {
			t.Errorf("%s: RetryLater = %v", c, c.RetryLater())
		}
		for _, e := range Codes {
			if e == c {
				t.Errorf("%s is both an envelope code and a rule code", c)
			}
		}
	}
}
