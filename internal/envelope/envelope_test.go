package envelope

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
)

// testKeys are fixed keys derived from fixed seeds, so failures reproduce.
type testKeys struct {
	signer    ed25519.PrivateKey
	recipient *ecdh.PrivateKey
	// receiver is the recipient's own signing key, for receipts.
	receiver ed25519.PrivateKey
}

func seed(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func fixedKeys(t testing.TB) testKeys {
	t.Helper()
	rk, err := ecdh.X25519().NewPrivateKey(seed(0x02))
	if err != nil {
		t.Fatal(err)
	}
	return testKeys{
		signer:    ed25519.NewKeyFromSeed(seed(0x01)),
		recipient: rk,
		receiver:  ed25519.NewKeyFromSeed(seed(0x03)),
	}
}

var t0 = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

func testHeader() Header {
	return Header{
		ID:             "0123456789abcdef0123456789abcdef",
		IdempotencyKey: "req:US-POC-2026-0042:send",
		Kind:           KindRequest,
		Subkind:        "preserve",
		Sender:         "US-POC",
		Recipient:      "IT-POC",
		Created:        t0,
		Expires:        t0.Add(24 * time.Hour),
		CaseRef:        "US-2026-0042",
		Handling:       H1,
	}
}

func mustSeal(t testing.TB, k testKeys, h Header, body []byte) *Envelope {
	t.Helper()
	env, err := Seal(h, body, k.signer, k.recipient.PublicKey())
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	return env
}

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	k := fixedKeys(t)
	for _, body := range [][]byte{nil, []byte("{}"), bytes.Repeat([]byte("x"), 100_000)} {
		env := mustSeal(t, k, testHeader(), body)
		if env.Header.SenderKeyID != SigningKeyID(k.signer.Public().(ed25519.PublicKey)) ||
			env.Header.RecipientKeyID != EncryptionKeyID(k.recipient.PublicKey()) {
			t.Fatalf("key ids not filled in: %+v", env.Header)
		}
		wire, err := env.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(wire)
		if err != nil {
			t.Fatalf("Parse(Marshal): %v", err)
		}
		if !back.Equal(env) || back.Digest() != env.Digest() {
			t.Fatal("wire round trip changed the envelope")
		}
		got, err := Open(back, k.signer.Public().(ed25519.PublicKey), k.recipient)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if !bytes.Equal(got, body) {
			t.Fatalf("body %d bytes, want %d", len(got), len(body))
		}
	}
}

// TestTamperIsDetected changes each signed part of a sealed envelope and
// checks that Verify refuses it as a bad signature.
func TestTamperIsDetected(t *testing.T) {
	t.Parallel()
	k := fixedKeys(t)
	pub := k.signer.Public().(ed25519.PublicKey)
	tests := []struct {
		name   string
		change func(e *Envelope)
	}{
		{"id", func(e *Envelope) { e.Header.ID = "f" + e.Header.ID[1:] }},
		{"idempotency key", func(e *Envelope) { e.Header.IdempotencyKey += "x" }},
		{"kind", func(e *Envelope) { e.Header.Kind = KindPing }},
		{"subkind", func(e *Envelope) { e.Header.Subkind = "traffic-path" }},
		{"sender", func(e *Envelope) { e.Header.Sender = "XX-POC" }},
		{"recipient", func(e *Envelope) { e.Header.Recipient = "FR-POC" }},
		{"created", func(e *Envelope) { e.Header.Created = e.Header.Created.Add(time.Second) }},
		{"expires", func(e *Envelope) { e.Header.Expires = e.Header.Expires.Add(time.Hour) }},
		{"in reply to", func(e *Envelope) { e.Header.InReplyTo = strings.Repeat("a", 32) }},
		{"case ref", func(e *Envelope) { e.Header.CaseRef = "other" }},
		{"handling weakened", func(e *Envelope) { e.Header.Handling = H0 }},
		{"exercise", func(e *Envelope) { e.Header.Exercise = true }},
		{"ciphertext", func(e *Envelope) { e.Ciphertext[40] ^= 1 }},
		{"signature", func(e *Envelope) { e.Signature[0] ^= 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := mustSeal(t, k, testHeader(), []byte("body"))
			if err := Verify(env, pub); err != nil {
				t.Fatalf("untouched: %v", err)
			}
			tt.change(env)
			err := Verify(env, pub)
			if !errors.Is(err, ErrBadSignature) || !apperr.Is(err, apperr.EUnauthorized) {
				t.Fatalf("got %v, want bad signature", err)
			}
		})
	}
}

// TestBodyBoundToHeader moves a ciphertext under another header and
// re-signs it (as a sender, or anyone holding a sender key, could): the
// HPKE additional data no longer matches, so decryption fails.
func TestBodyBoundToHeader(t *testing.T) {
	t.Parallel()
	k := fixedKeys(t)
	a := mustSeal(t, k, testHeader(), []byte("for case A"))
	h := testHeader()
	h.ID = strings.Repeat("b", 32)
	h.CaseRef = "another case"
	b := mustSeal(t, k, h, []byte("for case B"))
	b.Ciphertext = a.Ciphertext
	b.Signature = ed25519.Sign(k.signer, b.SignatureInput())
	_, err := Open(b, k.signer.Public().(ed25519.PublicKey), k.recipient)
	if !errors.Is(err, ErrDecrypt) {
		t.Fatalf("got %v, want a decryption failure", err)
	}
}

func TestWrongKeys(t *testing.T) {
	t.Parallel()
	k := fixedKeys(t)
	other := ed25519.NewKeyFromSeed(seed(0x09))
	otherX, _ := ecdh.X25519().NewPrivateKey(seed(0x0a))
	env := mustSeal(t, k, testHeader(), []byte("x"))
	if err := Verify(env, other.Public().(ed25519.PublicKey)); !errors.Is(err, ErrWrongKey) {
		t.Errorf("verify with another key: %v", err)
	}
	if _, err := Decrypt(env, otherX); !errors.Is(err, ErrWrongKey) {
		t.Errorf("decrypt with another key: %v", err)
	}
	h := testHeader()
	h.SenderKeyID = "0000000000000000"
	if _, err := Seal(h, nil, k.signer, k.recipient.PublicKey()); !errors.Is(err, ErrWrongKey) {
		t.Errorf("seal with mismatched sender key id: %v", err)
	}
	h = testHeader()
	h.RecipientKeyID = "0000000000000000"
	if _, err := Seal(h, nil, k.signer, k.recipient.PublicKey()); !errors.Is(err, ErrWrongKey) {
		t.Errorf("seal with mismatched recipient key id: %v", err)
	}
	if _, err := Seal(testHeader(), make([]byte, MaxBody+1), k.signer, k.recipient.PublicKey()); !errors.Is(err, ErrTooLarge) {
		t.Errorf("seal oversized body: %v", err)
	}
}

func TestHeaderValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(h *Header)
		field  string // must appear in the error
	}{
		{"short id", func(h *Header) { h.ID = "abc" }, "header id"},
		{"uppercase id", func(h *Header) { h.ID = strings.ToUpper(h.ID) }, "header id"},
		{"empty idempotency key", func(h *Header) { h.IdempotencyKey = "" }, "idempotency_key"},
		{"space in idempotency key", func(h *Header) { h.IdempotencyKey = "a b" }, "idempotency_key"},
		{"long idempotency key", func(h *Header) { h.IdempotencyKey = strings.Repeat("k", 129) }, "idempotency_key"},
		{"unknown kind", func(h *Header) { h.Kind = "letter" }, "header kind"},
		{"request without type", func(h *Header) { h.Subkind = "" }, "subkind"},
		{"evidence bad step", func(h *Header) { h.Kind = KindEvidence; h.Subkind = "done" }, "subkind"},
		{"subkind uppercase", func(h *Header) { h.Subkind = "Preserve" }, "subkind"},
		{"empty sender", func(h *Header) { h.Sender = "" }, "header sender"},
		{"sender with space", func(h *Header) { h.Sender = "US POC" }, "header sender"},
		{"recipient starts with dot", func(h *Header) { h.Recipient = ".IT" }, "header recipient"},
		{"sender key id", func(h *Header) { h.SenderKeyID = "xyz" }, "sender_key_id"},
		{"zero created", func(h *Header) { h.Created = time.Time{} }, "header created"},
		{"fractional created", func(h *Header) { h.Created = h.Created.Add(time.Millisecond) }, "header created"},
		{"expires before created", func(h *Header) { h.Expires = h.Created }, "header expires"},
		{"lifetime too long", func(h *Header) { h.Expires = h.Created.Add(MaxLifetime + time.Second) }, "header expires"},
		{"year 3000", func(h *Header) { h.Created = time.Date(3001, 1, 1, 0, 0, 0, 0, time.UTC) }, "header created"},
		{"in reply to", func(h *Header) { h.InReplyTo = "nope" }, "in_reply_to"},
		{"case ref control char", func(h *Header) { h.CaseRef = "a\nb" }, "case_ref"},
		{"case ref too long", func(h *Header) { h.CaseRef = strings.Repeat("é", 65) }, "case_ref"},
		{"handling", func(h *Header) { h.Handling = "H4" }, "handling"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := testHeader()
			h.SenderKeyID, h.RecipientKeyID = "0123456789abcdef", "0123456789abcdef"
			if err := h.Validate(); err != nil {
				t.Fatalf("valid header refused: %v", err)
			}
			tt.change(&h)
			err := h.Validate()
			if !errors.Is(err, ErrMalformed) || !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("got %v, want invalid naming %q", err, tt.field)
			}
		})
	}
}

func TestParseStrict(t *testing.T) {
	t.Parallel()
	k := fixedKeys(t)
	wire, err := mustSeal(t, k, testHeader(), []byte("body")).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	good := string(wire)
	rep := func(old, new string) string {
		if !strings.Contains(good, old) {
			t.Fatalf("test setup: %q not in %s", old, good)
		}
		return strings.Replace(good, old, new, 1)
	}
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrMalformed},
		{"not an object", "[]", ErrMalformed},
		{"trailing data", good + "{}", ErrMalformed},
		{"trailing garbage", good + "x", ErrMalformed},
		{"unknown field", rep(`"v":1`, `"v":1,"extra":1`), ErrMalformed},
		{"duplicate field", rep(`"v":1`, `"v":1,"v":1`), ErrMalformed},
		{"duplicate header field", rep(`"kind":"request"`, `"kind":"request","kind":"ping"`), ErrMalformed},
		{"case-folded field", rep(`"kind":`, `"Kind":`), ErrMalformed},
		{"missing field", rep(`"case_ref":"US-2026-0042",`, ``), ErrMalformed},
		{"null field", rep(`"case_ref":"US-2026-0042"`, `"case_ref":null`), ErrMalformed},
		{"array value", rep(`"case_ref":"US-2026-0042"`, `"case_ref":["x"]`), ErrMalformed},
		{"header not object", rep(`"header":{`, `"header":1,"x":{`), ErrMalformed},
		{"number as string", rep(`"v":1`, `"v":"1"`), ErrMalformed},
		{"float version", rep(`"v":1`, `"v":1.0`), ErrMalformed},
		{"version 2", rep(`"v":1`, `"v":2`), ErrUnsupportedVersion},
		{"time with fraction", rep(`"created":"2026-11-25T03:00:00Z"`, `"created":"2026-11-25T03:00:00.5Z"`), ErrMalformed},
		{"time with offset", rep(`"created":"2026-11-25T03:00:00Z"`, `"created":"2026-11-25T04:00:00+01:00"`), ErrMalformed},
		{"local time", rep(`"created":"2026-11-25T03:00:00Z"`, `"created":"2026-11-25T03:00:00"`), ErrMalformed},
		{"padded base64", strings.Replace(good, `","signature"`, `=","signature"`, 1), ErrMalformed},
		{"escaped newline in base64", strings.Replace(good, `","signature"`, `\n","signature"`, 1), ErrMalformed},
		{"invalid utf-8", rep(`US-2026-0042`, "US-2026-\xff"), ErrMalformed},
		{"bad header rule", rep(`"handling":"H1"`, `"handling":"H9"`), ErrMalformed},
		{"deep nesting", rep(`"v":1`, `"v":[[[[[[1]]]]]]`), ErrMalformed},
		{"oversized", `{"v":1,"pad":"` + strings.Repeat("a", MaxWire) + `"}`, ErrTooLarge},
	}
	if _, err := Parse([]byte(good)); err != nil {
		t.Fatalf("good envelope refused: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			if !errors.Is(err, tt.want) || !apperr.Is(err, apperr.EInvalid) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestReceipt(t *testing.T) {
	t.Parallel()
	k := fixedKeys(t)
	env := mustSeal(t, k, testHeader(), []byte("body"))
	r, err := NewReceipt(env, t0.Add(1500*time.Millisecond), k.receiver)
	if err != nil {
		t.Fatal(err)
	}
	if !r.ReceivedAt.Equal(t0.Add(time.Second)) {
		t.Errorf("received_at %v not truncated to the second", r.ReceivedAt)
	}
	wire, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseReceipt(wire)
	if err != nil {
		t.Fatalf("ParseReceipt: %v", err)
	}
	pub := k.receiver.Public().(ed25519.PublicKey)
	if err := VerifyReceipt(back, pub); err != nil {
		t.Fatalf("VerifyReceipt: %v", err)
	}
	if !back.Covers(env) {
		t.Fatal("receipt does not cover its own envelope")
	}
	// A different envelope with the same business key is covered (the
	// receiver answers duplicates with the original receipt); one with
	// the same id but other bytes is not.
	h := testHeader()
	h.ID = strings.Repeat("c", 32)
	if dup := mustSeal(t, k, h, []byte("body again")); !back.Covers(dup) {
		t.Error("receipt does not cover a same-idempotency-key duplicate")
	}
	h = testHeader()
	h.IdempotencyKey = "other"
	if other := mustSeal(t, k, h, []byte("body")); back.Covers(other) {
		t.Error("receipt covers an envelope with the same id but other bytes")
	}
	tampered := *back
	tampered.ReceivedAt = tampered.ReceivedAt.Add(time.Hour)
	if err := VerifyReceipt(&tampered, pub); !errors.Is(err, ErrBadSignature) {
		t.Errorf("tampered receipt: %v", err)
	}
	tampered = *back
	tampered.Digest = sha256.Sum256([]byte("other"))
	if err := VerifyReceipt(&tampered, pub); !errors.Is(err, ErrBadSignature) {
		t.Errorf("receipt with another digest: %v", err)
	}
	if err := VerifyReceipt(back, k.signer.Public().(ed25519.PublicKey)); !errors.Is(err, ErrWrongKey) {
		t.Errorf("receipt checked with another key: %v", err)
	}
	for _, bad := range []string{"", "{}", strings.Replace(string(wire), `"v":1`, `"v":1,"v":1`, 1), string(wire) + " x"} {
		if _, err := ParseReceipt([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseReceipt(%.40q): %v, want malformed", bad, err)
		}
	}
}

func TestNewID(t *testing.T) {
	t.Parallel()
	a, err := NewID(nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewID(nil)
	if a == b || checkHexID("id", a, IDLen) != nil {
		t.Fatalf("ids %q %q", a, b)
	}
	id, _ := NewID(bytes.NewReader(seed(0xab)))
	if id != strings.Repeat("ab", 16) {
		t.Fatalf("id from fixed reader %q", id)
	}
	if _, err := NewID(bytes.NewReader([]byte{1})); err == nil {
		t.Fatal("short reader accepted")
	}
}

// FuzzParse feeds arbitrary bytes to Parse: it must never panic, and what
// it accepts must survive a Marshal/Parse round trip unchanged.
func FuzzParse(f *testing.F) {
	k := fixedKeys(f)
	wire, _ := mustSeal(f, k, testHeader(), []byte("body")).Marshal()
	f.Add(wire)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"v":1,"header":{},"ciphertext":"","signature":""}`))
	f.Add([]byte(`{"v":1,"header":null}`))
	f.Add([]byte(`[[[[[[[[`))
	f.Add(bytes.Replace(wire, []byte(`"v":1`), []byte(`"v":1,"v":2`), 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := Parse(data)
		if err != nil {
			if apperr.Code(err) != apperr.EInvalid {
				t.Fatalf("error without the invalid code: %v", err)
			}
			return
		}
		again, err := env.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(again)
		if err != nil || !back.Equal(env) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzParseReceipt: never panic, and accepted receipts round-trip.
func FuzzParseReceipt(f *testing.F) {
	k := fixedKeys(f)
	r, _ := NewReceipt(mustSeal(f, k, testHeader(), nil), t0, k.receiver)
	wire, _ := r.Marshal()
	f.Add(wire)
	f.Add([]byte(`{"v":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseReceipt(data)
		if err != nil {
			return
		}
		again, _ := r.Marshal()
		back, err := ParseReceipt(again)
		if err != nil || back.Digest != r.Digest || !bytes.Equal(back.canonical(), r.canonical()) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzCanonicalInjective checks the property the signature relies on: two
// different headers never have the same canonical encoding (strings are
// length-prefixed, so no field can bleed into the next).
func FuzzCanonicalInjective(f *testing.F) {
	f.Add("a", "b", "c", "d", int64(0), false, "ab", "", "c", "d", int64(0), false)
	f.Add("", "x\x00\x00\x00\x01y", "", "", int64(1), true, "x", "y", "", "", int64(1), true)
	f.Fuzz(func(t *testing.T, key1, sub1, case1, reply1 string, c1 int64, ex1 bool, key2, sub2, case2, reply2 string, c2 int64, ex2 bool) {
		mk := func(key, sub, cref, reply string, c int64, ex bool) Header {
			h := testHeader()
			h.IdempotencyKey, h.Subkind, h.CaseRef, h.InReplyTo, h.Exercise = key, sub, cref, reply, ex
			h.Created = time.Unix(c, 0).UTC()
			return h
		}
		a, b := mk(key1, sub1, case1, reply1, c1, ex1), mk(key2, sub2, case2, reply2, c2, ex2)
		same := a.IdempotencyKey == b.IdempotencyKey && a.Subkind == b.Subkind && a.CaseRef == b.CaseRef &&
			a.InReplyTo == b.InReplyTo && a.Created.Equal(b.Created) && a.Exercise == b.Exercise
		if eq := bytes.Equal(a.CanonicalHeader(), b.CanonicalHeader()); eq != same {
			t.Fatalf("headers equal %v but canonical encodings equal %v:\n%+v\n%+v", same, eq, a, b)
		}
	})
}
