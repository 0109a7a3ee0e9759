package federation

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/keys"
)

// Run "go test ./internal/federation -run TestRejectionVectors -update" to
// rewrite the file; only for a new protocol version.
var update = flag.Bool("update", false, "rewrite testdata/rejection_vectors.json")

const rejectionVectorsFile = "testdata/rejection_vectors.json"

// rejectionVectors is the inbox conformance file of docs/protocol.md
// section 13: a receiving node, its directory and clock, and envelopes it
// must refuse, each with its code.
type rejectionVectors struct {
	Comment   string            `json:"comment"`
	Receiver  vectorReceiver    `json:"receiver"`
	Directory []vectorSenderKey `json:"directory"`
	Now       string            `json:"now"`
	MaxSkewS  int               `json:"max_skew_seconds"`
	MaxBody   int               `json:"max_body"`
	Cases     []rejectionVector `json:"cases"`
}

type vectorReceiver struct {
	Authority        string `json:"authority"`
	X25519PrivateHex string `json:"x25519_private_hex"`
	EncryptionKeyID  string `json:"encryption_key_id"`
	SigningSeedHex   string `json:"signing_seed_hex"`
}

type vectorSenderKey struct {
	Authority  string `json:"authority"`
	Public     string `json:"public"`
	KeyID      string `json:"key_id"`
	ValidFrom  string `json:"valid_from"`
	ValidUntil string `json:"valid_until"`
	Revoked    string `json:"revoked"`
}

type rejectionVector struct {
	Name           string   `json:"name"`
	Code           Code     `json:"code"`
	HTTPStatus     int      `json:"http_status"`
	MaxBody        int      `json:"max_body,omitempty"`        // a lower body limit for this case
	AcceptedBefore []string `json:"accepted_before,omitempty"` // envelopes to accept first
	Envelope       string   `json:"envelope"`
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(envelope.TimeLayout)
}

// describeFixture writes down the fixture's receiver, directory and clock.
func describeFixture(t *testing.T, f *fixture) rejectionVectors {
	t.Helper()
	v := rejectionVectors{
		Comment: "art35 inbox rejection vectors, protocol version 1 (docs/protocol.md sections 8 and 13). " +
			"Set up a receiver with these keys, this directory and this clock; accept accepted_before, then " +
			"the envelope must be refused with code (and, over HTTP, http_status). Keys are public test keys.",
		Receiver: vectorReceiver{
			Authority:        "IT-POC",
			X25519PrivateHex: hex.EncodeToString(f.itEnc.Bytes()),
			EncryptionKeyID:  envelope.EncryptionKeyID(f.itEnc.PublicKey()),
			SigningSeedHex:   hex.EncodeToString(f.itSign.Seed()),
		},
		Now:      fmtTime(f.clock.Now()),
		MaxSkewS: int(DefaultMaxSkew / time.Second),
		MaxBody:  envelope.MaxBody,
	}
	for _, k := range []ed25519.PrivateKey{f.us, f.future, f.old, f.revoke} {
		pub := k.Public().(ed25519.PublicKey)
		sk, err := f.keys.SigningKey(context.Background(), "US-POC", envelope.SigningKeyID(pub))
		if err != nil {
			t.Fatal(err)
		}
		text := keys.FormatSigningPublic(pub)
		v.Directory = append(v.Directory, vectorSenderKey{
			Authority: "US-POC", Public: text, KeyID: keys.ID(text),
			ValidFrom: fmtTime(sk.ValidFrom), ValidUntil: fmtTime(sk.ValidUntil), Revoked: fmtTime(sk.Revoked),
		})
	}
	return v
}

func TestRejectionVectors(t *testing.T) {
	t.Parallel()
	if *update {
		v := describeFixture(t, newFixture(t))
		for _, c := range rejectionCases() {
			if c.want == CodeNotAdmitted {
				continue // a node's own admission policy, not a protocol rule every inbox applies
			}
			f := newFixture(t)
			raw := c.setup(t, f)
			if len(raw) > 4096 {
				continue // the wire-size case is better made by each implementation
			}
			rv := rejectionVector{Name: c.name, Code: c.want, HTTPStatus: c.want.HTTPStatus(), Envelope: string(raw)}
			if f.inbox.MaxBody != 0 {
				rv.MaxBody = f.inbox.MaxBody
			}
			for _, in := range f.store.byID {
				rv.AcceptedBefore = append(rv.AcceptedBefore, string(in.Raw))
			}
			v.Cases = append(v.Cases, rv)
		}
		out, _ := json.MarshalIndent(v, "", "  ")
		if err := os.WriteFile(rejectionVectorsFile, append(out, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(rejectionVectorsFile)
	if err != nil {
		t.Fatal(err)
	}
	var got rejectionVectors
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	// The file must describe the fixture the cases run against.
	want := describeFixture(t, newFixture(t))
	want.Cases = got.Cases
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("vector file's receiver, directory or clock differ from the test fixture:\n got %+v\nwant %+v", got, want)
	}
	seen := map[Code]bool{}
	for _, c := range got.Cases {
		t.Run(c.Name, func(t *testing.T) {
			f := newFixture(t)
			f.inbox.MaxBody = c.MaxBody
			for _, a := range c.AcceptedBefore {
				if _, err := f.inbox.Receive(context.Background(), []byte(a), "file"); err != nil {
					t.Fatalf("accepted_before: %v", err)
				}
			}
			_, err := f.inbox.Receive(context.Background(), []byte(c.Envelope), "file")
			rej, ok := AsRejection(err)
			if !ok || rej.Code != c.Code || rej.Code.HTTPStatus() != c.HTTPStatus {
				t.Fatalf("got %v, want %s (HTTP %d)", err, c.Code, c.HTTPStatus)
			}
			seen[c.Code] = true
		})
	}
	for _, c := range Codes {
		if !seen[c] && c != CodeNotAdmitted {
			t.Errorf("no vector for rejection %s", c)
		}
	}
}
