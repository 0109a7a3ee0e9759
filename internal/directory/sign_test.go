package directory

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/keys"
)

var issued = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func exampleSnapshot(t testing.TB) *Snapshot {
	t.Helper()
	data, err := os.ReadFile("testdata/example-snapshot.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ReadSnapshotJSON("testdata/example-snapshot.json", data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func signedExample(t testing.TB, serial uint64) ([]byte, ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := keys.GenerateSigning()
	if err != nil {
		t.Fatal(err)
	}
	data, err := Sign(exampleSnapshot(t), priv, serial, issued, 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return data, pub, priv
}

func TestExampleSnapshot(t *testing.T) {
	t.Parallel()
	s := exampleSnapshot(t)
	bj, _ := s.Party("BJ")
	if bj.Budapest.InForce.String() != "2024-10-01" {
		t.Errorf("BJ in force computed as %q, want 2024-10-01", bj.Budapest.InForce)
	}
	it, _ := s.Party("IT")
	if !it.Has(NotificationRequired) || it.Has(DualCriminality) {
		t.Errorf("IT reservations: %+v", it.Reservations)
	}
	a, _ := s.PointOfContact("IT")
	if got := a.Escalation(); len(got) != 3 || got[0].Name != "Giulia Esempio" {
		t.Errorf("escalation %+v", got)
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	data, pub, _ := signedExample(t, 7)
	sf, err := Verify(data, pub, 6, issued.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if sf.Serial() != 7 || !bytes.Equal(sf.Raw, data) || sf.KeyID != keys.ID(keys.FormatSigningPublic(pub)) {
		t.Fatalf("serial %d key %s", sf.Serial(), sf.KeyID)
	}
	if !sf.Snapshot.IssuedAt.Equal(issued) || !sf.Snapshot.ValidUntil.Equal(issued.Add(30*24*time.Hour)) {
		t.Fatalf("dates %s %s", sf.Snapshot.IssuedAt, sf.Snapshot.ValidUntil)
	}
	if it, ok := sf.Snapshot.Party("IT"); !ok || it.Protocol2.Signed.String() != "2022-05-12" {
		t.Fatalf("IT after round trip: %+v", it)
	}
	// Signing the same snapshot again gives the same bytes: the encoding is canonical.
	_, priv2, _ := keys.GenerateSigning()
	a, _ := Sign(exampleSnapshot(t), priv2, 7, issued, time.Hour)
	b, _ := Sign(exampleSnapshot(t), priv2, 7, issued, time.Hour)
	if !bytes.Equal(a, b) {
		t.Fatal("two signatures of the same snapshot differ")
	}
}

// TestVerifyRefusesEveryByteChange flips every byte of a signed file in
// turn: each change must be refused, and a change inside a signed value
// must be refused as a bad signature.
func TestVerifyRefusesEveryByteChange(t *testing.T) {
	t.Parallel()
	// A small snapshot (one authority with a roster, one plain party) keeps
	// this exhaustive test fast under -race; every kind of field is there.
	pub, priv, _ := keys.GenerateSigning()
	small := exampleSnapshot(t)
	small.Parties = small.Parties[:2]
	small.Parties[0].Authorities = small.Parties[0].Authorities[:1]
	small.Parties[0].Authorities[0].People = small.Parties[0].Authorities[0].People[:1]
	small.Parties[0].Legal = LegalProfile{}
	data, err := Sign(small, priv, 2, issued, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	now := issued.Add(time.Minute)
	for i := range data {
		bad := bytes.Clone(data)
		bad[i] ^= 0x01
		if _, err := Verify(bad, pub, 1, now); err == nil {
			t.Fatalf("byte %d (%q) changed: accepted", i, data[i])
		}
	}
	// A change of meaning inside the snapshot: refused for its signature.
	bad := bytes.Replace(data, []byte(`"2022-05-12"`), []byte(`"2022-05-13"`), 1)
	_, err = Verify(bad, pub, 1, now)
	if !errors.Is(err, ErrBadSignature) || !apperr.Is(err, apperr.EUnauthorized) || !strings.Contains(err.Error(), "altered after signing") {
		t.Fatalf("changed date: %v", err)
	}
	// A change of layout only: refused as not canonical, naming the byte.
	bad = bytes.Replace(data, []byte("\n  \"key_id\""), []byte("\n   \"key_id\""), 1)
	if _, err := Verify(bad, pub, 1, now); !errors.Is(err, ErrNotCanonical) || !strings.Contains(err.Error(), "at byte") {
		t.Fatalf("re-indented: %v", err)
	}
}

func TestVerifyRefusals(t *testing.T) {
	t.Parallel()
	data, pub, _ := signedExample(t, 5)
	other, _, _ := keys.GenerateSigning()
	until := issued.Add(30 * 24 * time.Hour)
	for _, tc := range []struct {
		name   string
		pinned ed25519.PublicKey
		held   uint64
		now    time.Time
		want   error
		code   string
		says   string
	}{
		{"accepted", pub, 4, issued, nil, "", ""},
		{"accepted within clock skew", pub, 0, issued.Add(-MaxClockSkew), nil, "", ""},
		{"accepted a second before expiry", pub, 0, until.Add(-time.Second), nil, "", ""},
		{"wrong pinned key", other, 4, issued, ErrWrongKey, apperr.EUnauthorized, "pinned secretariat key is"},
		{"same serial", pub, 5, issued, ErrRollback, apperr.EConflict, "serial 5 is not higher than the serial held (5)"},
		{"lower serial", pub, 9, issued, ErrRollback, apperr.EConflict, "rollback"},
		{"expired", pub, 4, until, ErrExpired, apperr.EInvalid, "expired at 2026-12-01T12:00:00Z"},
		{"not yet valid", pub, 4, issued.Add(-MaxClockSkew - time.Second), ErrNotYetValid, apperr.EInvalid, "check this machine's clock"},
	} {
		sf, err := Verify(data, tc.pinned, tc.held, tc.now)
		if tc.want == nil {
			if err != nil || sf.Serial() != 5 {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if !errors.Is(err, tc.want) || apperr.Code(err) != tc.code || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: got %v (code %s), want %v with code %s saying %q", tc.name, err, apperr.Code(err), tc.want, tc.code, tc.says)
		}
	}
}

func TestParseMalformed(t *testing.T) {
	t.Parallel()
	data, _, _ := signedExample(t, 1)
	for _, tc := range []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrMalformed},
		{"not json", "hello", ErrMalformed},
		{"unknown field", `{"format":"art35-signed-directory/1","extra":1}`, ErrMalformed},
		{"other format", strings.Replace(string(data), SignedFormat, "art35-signed-directory/9", 1), ErrMalformed},
		{"two documents", string(data) + string(data), ErrMalformed},
		{"short signature", `{"format":"art35-signed-directory/1","key_id":"k","signature":"AAAA","snapshot":{}}`, ErrBadSignature},
	} {
		_, err := Parse([]byte(tc.in))
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestSignRefusesBadInput(t *testing.T) {
	t.Parallel()
	_, priv, _ := keys.GenerateSigning()
	for _, tc := range []struct {
		name     string
		serial   uint64
		validFor time.Duration
		mutate   func(*Snapshot)
		says     string
	}{
		{"serial 0", 0, time.Hour, nil, "serial 0"},
		{"no validity", 1, 0, nil, "positive period"},
		{"invalid snapshot", 1, time.Hour, func(s *Snapshot) { s.Parties[0].Authorities[0].TimeZone = "Rome" }, "time_zone: \"Rome\""},
	} {
		s := exampleSnapshot(t)
		if tc.mutate != nil {
			tc.mutate(s)
		}
		_, err := Sign(s, priv, tc.serial, issued, tc.validFor)
		if !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: got %v, want invalid saying %q", tc.name, err, tc.says)
		}
	}
}

func TestReadSnapshotJSONErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, says string }{
		{"syntax", "{\n  \"format\": \"art35-directory/1\",\n  \"serial\": x\n}", "line 3, column"},
		{"unknown field", `{"format":"art35-directory/1","partys":[]}`, `unknown field "partys"`},
		{"trailing object", `{"format":"art35-directory/1"} {}`, "data after the snapshot"},
		{"trailing brace", `{"format":"art35-directory/1"}}`, "data after the snapshot"},
		{"wrong format", `{"format":"art35-directory/0"}`, `format "art35-directory/0"`},
		{"bad code", `{"format":"art35-directory/1","parties":[{"code":"ZZ","name":"x","confidence":"c","budapest":{"status":"party"},"protocol2":{"status":"none"},"un2024":{"status":"none"}}]}`, "parties[ZZ].code"},
		{"duplicate authority id", `{"format":"art35-directory/1","parties":[
			{"code":"IT","name":"Italy","confidence":"c","budapest":{"status":"party"},"protocol2":{"status":"none"},"un2024":{"status":"none"},"authorities":[{"id":"A","role":"24/7"}]},
			{"code":"FR","name":"France","confidence":"c","budapest":{"status":"party"},"protocol2":{"status":"none"},"un2024":{"status":"none"},"authorities":[{"id":"A","role":"24/7"}]}]}`, "id also used in parties[IT]"},
		{"bad key", `{"format":"art35-directory/1","parties":[{"code":"IT","name":"Italy","confidence":"c","budapest":{"status":"party"},"protocol2":{"status":"none"},"un2024":{"status":"none"},"authorities":[{"id":"A","role":"24/7","keys":[{"use":"signing","public":"x25519:AAAA"}]}]}]}`, "keys[0].public"},
		{"bad person role", `{"format":"art35-directory/1","parties":[{"code":"IT","name":"Italy","confidence":"c","budapest":{"status":"party"},"protocol2":{"status":"none"},"un2024":{"status":"none"},"authorities":[{"id":"A","role":"24/7","people":[{"name":"N","role":"boss"}]}]}]}`, "people[0].role"},
	} {
		_, err := ReadSnapshotJSON("s.json", []byte(tc.in))
		if !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: got %v, want invalid saying %q", tc.name, err, tc.says)
		}
	}
}

func FuzzParseSigned(f *testing.F) {
	data, pub, _ := signedExample(f, 3)
	f.Add(data)
	f.Add([]byte(`{"format":"art35-signed-directory/1","key_id":"k","signature":"AAAA","snapshot":{}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		sf, err := Parse(in)
		if err != nil {
			if c := apperr.Code(err); c != apperr.EInvalid && c != apperr.EUnauthorized {
				t.Fatalf("code %q: %v", c, err)
			}
			return
		}
		// What parses is canonical: the raw bytes are exactly the input.
		if !bytes.Equal(sf.Raw, in) {
			t.Fatal("raw differs from input")
		}
		// Only the real file verifies against the real key.
		if _, err := Verify(in, pub, 0, issued); err == nil && !bytes.Equal(in, data) {
			t.Fatal("a different file verified")
		}
	})
}

func BenchmarkStarter(b *testing.B) {
	for b.Loop() {
		if _, err := Starter(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyStarter(b *testing.B) {
	s, err := Starter()
	if err != nil {
		b.Fatal(err)
	}
	pub, priv, _ := keys.GenerateSigning()
	data, err := Sign(s, priv, 1, issued, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Verify(data, pub, 0, issued); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzReadSnapshotJSON(f *testing.F) {
	data, err := os.ReadFile("testdata/example-snapshot.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"format":"art35-directory/1","parties":[{"code":"IT","name":"Italy","confidence":"c","budapest":{"status":"party","deposited":"2024-11-30"},"protocol2":{"status":"none"},"un2024":{"status":"none"}}]}`))
	f.Add([]byte(`{"format":"art35-directory/1","as_of":"2024-02-30"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := ReadSnapshotJSON("f.json", in)
		if err != nil {
			if apperr.Code(err) != apperr.EInvalid {
				t.Fatalf("code %q: %v", apperr.Code(err), err)
			}
			return
		}
		// What is accepted survives export and re-reading unchanged.
		a, err := Canonical(s)
		if err != nil {
			t.Fatal(err)
		}
		out, err := Export(s)
		if err != nil {
			t.Fatal(err)
		}
		s2, err := ReadSnapshotJSON("export.json", out)
		if err != nil {
			t.Fatalf("exported snapshot not readable: %v", err)
		}
		if b, _ := Canonical(s2); !bytes.Equal(a, b) {
			t.Fatalf("round trip changed the snapshot:\n%s\n%s", a, b)
		}
	})
}
