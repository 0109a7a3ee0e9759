package testnet_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/store/storetest"
	"github.com/art35/art35/internal/testnet"
)

// TestInboxRejectsEachClass crafts, for each class of refusal the inbox
// knows, an envelope from the US node (signed with its real key unless
// the class is about the key) and posts it to the Italian node over real
// HTTP, on both database engines. Each must be refused with its own code
// and HTTP status, recorded in the rejection table and the audit log, and
// nothing stored. A genuine envelope sent twice is stored once.
func TestInboxRejectsEachClass(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngineParallel(t, func(t *testing.T, backend string) {
		clk := clock.NewManual(time.Now().UTC().Truncate(time.Second))
		net := start(t, backend, clk, "US", "IT")
		us, it := net.Node("US"), net.Node("IT")
		ctx := context.Background()
		start := clk.Now() // the nodes' keys are valid from here
		clk.Advance(time.Minute)
		now := clk.Now()
		_, stranger, _ := keys.GenerateSigning()

		// seal makes a genuine envelope, lets edit change it, and signs
		// the result again with key (the US key unless a test swaps it).
		seal := func(idem string, edit func(*envelope.Envelope), key ed25519.PrivateKey) []byte {
			env, err := us.Seal(ctx, request(idem, "preserve"), testnet.RequestDoc("preserve", "US-REJ-"+idem, "US", "IT", clk.Now()))
			if err != nil {
				t.Fatal(err)
			}
			if edit != nil {
				edit(env)
				env.Signature = ed25519.Sign(key, env.SignatureInput())
			}
			wire, err := env.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			return wire
		}
		genuine := seal("genuine", nil, nil)
		var genuineID string
		{
			var w struct {
				Header struct {
					ID string `json:"id"`
				} `json:"header"`
			}
			json.Unmarshal(genuine, &w)
			genuineID = w.Header.ID
		}
		cases := []struct {
			name, code string
			status     int
			wire       []byte
		}{
			{"malformed", "malformed", 400, []byte(`{"v":1,"header":`)},
			{"oversized", "oversized", 413, bytes.Repeat([]byte("x"), envelope.MaxWire+1)},
			{"bad signature", "bad_signature", 403, seal("bad-sig", func(e *envelope.Envelope) {}, stranger)},
			{"unknown sender", "unknown_sender", 403, seal("unknown-sender", func(e *envelope.Envelope) { e.Header.Sender = "FR-247" }, us.Signing)},
			{"wrong recipient", "wrong_recipient", 421, seal("wrong-recipient", func(e *envelope.Envelope) { e.Header.Recipient = "DE-247" }, us.Signing)},
			{"unknown recipient key", "unknown_recipient_key", 421, seal("unknown-rkey", func(e *envelope.Envelope) { e.Header.RecipientKeyID = "0123456789abcdef" }, us.Signing)},
			{"key not yet valid", "key_not_valid", 403, seal("early", func(e *envelope.Envelope) {
				e.Header.Created, e.Header.Expires = now.Add(-48*time.Hour), now.Add(24*time.Hour)
			}, us.Signing)},
			{"expired", "expired", 400, seal("expired", func(e *envelope.Envelope) {
				e.Header.Created, e.Header.Expires = start.Add(time.Second), start.Add(2*time.Second)
			}, us.Signing)},
			{"far future", "future_timestamp", 400, seal("future", func(e *envelope.Envelope) {
				e.Header.Created, e.Header.Expires = now.Add(time.Hour), now.Add(48*time.Hour)
			}, us.Signing)},
			{"undecryptable", "undecryptable", 400, seal("undecryptable", func(e *envelope.Envelope) {
				e.Ciphertext[len(e.Ciphertext)-1] ^= 1
			}, us.Signing)},
			{"replayed id", "replayed", 409, seal("replay", func(e *envelope.Envelope) { e.Header.ID = genuineID }, us.Signing)},
			{"unsupported version", "unsupported_version", 400, bytes.Replace(seal("v2", nil, nil), []byte(`{"v":1,`), []byte(`{"v":2,`), 1)},
		}
		post := func(wire []byte) (int, string) {
			resp, err := http.Post("http://"+it.Addr()+"/v1/inbox", "application/json", bytes.NewReader(wire))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(body)
		}
		if code, body := post(genuine); code != 200 {
			t.Fatalf("genuine envelope: %d %s", code, body)
		}
		if code, _ := post(genuine); code != 200 {
			t.Fatalf("genuine envelope again: %d, want 200 with the original receipt", code)
		}
		for _, tc := range cases {
			status, body := post(tc.wire)
			if status != tc.status || !strings.Contains(body, `"code":"`+tc.code+`"`) {
				t.Errorf("%s: answered %d %.200s; want %d with code %s", tc.name, status, body, tc.status, tc.code)
			}
		}
		// The secretariat revokes the US signing key; once Italy holds
		// that directory, an envelope signed with it is refused.
		d, err := it.Directory(ctx)
		if err != nil {
			t.Fatal(err)
		}
		revoked, err := d.Clone()
		if err != nil {
			t.Fatal(err)
		}
		_, usAuth, _ := revoked.AuthorityByID("US-247")
		for i := range usAuth.Keys {
			if usAuth.Keys[i].Use == directory.UseSigning {
				usAuth.Keys[i].Revoked = now
			}
		}
		signed, err := directory.Sign(revoked, net.SecretariatKey, net.Serial+1, now, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := it.AcceptSnapshot(ctx, signed); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		cases = append(cases, struct {
			name, code string
			status     int
			wire       []byte
		}{"revoked key", "key_revoked", 403, seal("after-revocation", nil, nil)})
		if status, body := post(cases[len(cases)-1].wire); status != 403 || !strings.Contains(body, `"code":"key_revoked"`) {
			t.Errorf("revoked key: answered %d %.200s", status, body)
		}
		counts, err := it.Envelopes.RejectionCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// A refusal after the signature verified is recorded one by one;
		// one before it is anyone's claim: counted, and aggregated into
		// one audit record per source address and minute (issue 11).
		if err := it.FlushRefusals(ctx); err != nil {
			t.Fatal(err)
		}
		recs, err := auditlog.List(ctx, it.DB, auditlog.Query{Kind: auditlog.InboxRejection, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var aggregated map[string]string
		ofSigned := 0
		for _, r := range recs {
			if r.Actor == "unauthenticated 127.0.0.1" {
				aggregated = r.Details
			} else {
				ofSigned++
			}
		}
		unauth := 0
		for _, tc := range cases {
			if federation.Code(tc.code).Unauthenticated() {
				unauth++
				if counts[tc.code] != 0 || !strings.Contains(aggregated["codes"], tc.code+"=") {
					t.Errorf("%s: %d rows in the rejection table, aggregated codes %q; want none, and the code aggregated", tc.name, counts[tc.code], aggregated["codes"])
				}
				continue
			}
			if counts[tc.code] < 1 {
				t.Errorf("%s: no %s in the rejection table (%v)", tc.name, tc.code, counts)
			}
		}
		if ofSigned != len(cases)-unauth || aggregated["count"] != strconv.Itoa(unauth) {
			t.Errorf("%d inbox-rejection records of signed envelopes, want %d; aggregated %v, want count %d", ofSigned, len(cases)-unauth, aggregated, unauth)
		}
		if n, _ := it.Envelopes.CountInbound(ctx); n != 1 {
			t.Errorf("Italy stored %d envelopes, want only the genuine one", n)
		}
	})
}
