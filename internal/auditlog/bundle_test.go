package auditlog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

// proveSetup builds a log of 20 records (three per message) with a
// checkpoint at 20 and two more records after it, and proves msg-2
// (records 6, 7, 8).
func proveSetup(t *testing.T, db *store.DB) (testLog, []byte) {
	t.Helper()
	l := newTestLog(t, db, "IT-247")
	appendN(t, db, 0, 20)
	if _, err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	appendN(t, db, 20, 22)
	b, err := Prove(ctx, db, "msg-2")
	if err != nil {
		t.Fatal(err)
	}
	data, err := b.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return l, data
}

func TestProveAndCheck(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		l, data := proveSetup(t, db)
		_, stranger, _ := ed25519.GenerateKey(rand.Reader)
		got, err := CheckBundle(data, stranger.Public().(ed25519.PublicKey), l.pub)
		if err != nil {
			t.Fatalf("CheckBundle: %v\n%s", err, data)
		}
		if len(got.Records) != 3 || got.Bundle.Entries[0].Index != 6 || got.Records[2].MessageID != "msg-2" {
			t.Fatalf("checked %d records: %+v", len(got.Records), got.Bundle.Entries)
		}
		if got.Checkpoint.Size != 20 || got.Checkpoint.Origin != "art35/IT-247" || !bytes.Equal(got.SignedBy, l.pub) {
			t.Fatalf("checkpoint %+v signed by %x", got.Checkpoint, got.SignedBy)
		}

		// msg-6 has records 18, 19 (in the checkpoint) and 20 (after it):
		// the bundle holds the two the checkpoint covers.
		b, err := Prove(ctx, db, "msg-6")
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Entries) != 2 || b.Entries[1].Index != 19 {
			t.Fatalf("msg-6 entries %+v", b.Entries)
		}
		// msg-7 (record 21) is only after the checkpoint.
		if _, err := Prove(ctx, db, "msg-7"); !apperr.Is(err, apperr.ENotFound) || !strings.Contains(err.Error(), "make a checkpoint") {
			t.Fatalf("Prove of uncovered message = %v", err)
		}
		if _, err := Prove(ctx, db, "msg-none"); !apperr.Is(err, apperr.ENotFound) {
			t.Fatalf("Prove of unknown message = %v", err)
		}
		if _, err := Prove(ctx, db, ""); !apperr.Is(err, apperr.EInvalid) {
			t.Fatalf("Prove of empty id = %v", err)
		}
	})
}

func TestProveWithoutCheckpoint(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		appendN(t, db, 0, 3)
		if _, err := Prove(ctx, db, "msg-0"); !apperr.Is(err, apperr.ENotFound) {
			t.Fatalf("Prove without checkpoint = %v, want ENotFound", err)
		}
	})
}

// TestBundleEveryByte changes each byte of a bundle in turn: every change
// must make CheckBundle fail.
func TestBundleEveryByte(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	l, data := proveSetup(t, db)
	for i := range data {
		for _, flip := range []byte{0x01, 0x20} {
			bad := bytes.Clone(data)
			bad[i] ^= flip
			if _, err := CheckBundle(bad, l.pub); err == nil {
				t.Fatalf("byte %d (%q) xor %#x accepted", i, data[i], flip)
			} else if !apperr.Is(err, apperr.EInvalid) {
				t.Fatalf("byte %d: error %v is not EInvalid", i, err)
			}
		}
	}
	if _, err := CheckBundle(append(bytes.Clone(data), '\n'), l.pub); err == nil {
		t.Fatal("bundle with an extra byte accepted")
	}
	if _, err := CheckBundle(data[:len(data)-1], l.pub); err == nil {
		t.Fatal("truncated bundle accepted")
	}
}

// TestBundleForgeries covers changes that keep the bundle well-formed: a
// forger who re-encodes canonically after changing the content.
func TestBundleForgeries(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	l, data := proveSetup(t, db)
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	resign := func(b *Bundle, key ed25519.PrivateKey, origin string) {
		text, _, _ := strings.Cut(b.Checkpoint, "\n\n")
		text = strings.Replace(text+"\n", "art35/IT-247", origin, 1)
		s, err := NewSigner(origin, key)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := note.Sign(&note.Note{Text: text}, s)
		if err != nil {
			t.Fatal(err)
		}
		b.Checkpoint = string(msg)
	}
	for name, tc := range map[string]struct {
		edit func(b *Bundle)
		keys []ed25519.PublicKey
		want string
	}{
		"wrong key only": {func(b *Bundle) {}, []ed25519.PublicKey{otherKey.Public().(ed25519.PublicKey)}, "no signature by any of the given keys"},
		"no key":         {func(b *Bundle) {}, nil, "no public key"},
		"re-signed by another key": {func(b *Bundle) { resign(b, otherKey, "art35/IT-247") },
			[]ed25519.PublicKey{l.pub}, "no signature by any of the given keys"},
		"re-signed as another log with the other log's key": {func(b *Bundle) { resign(b, otherKey, "art35/FR-247") },
			[]ed25519.PublicKey{l.pub}, "no signature"},
		"message id changed": {func(b *Bundle) { b.MessageID = "msg-3" }, nil, "not \"msg-3\""},
		"leaf changed, hash recomputed": {func(b *Bundle) {
			b.Entries[0].Leaf = strings.Replace(b.Entries[0].Leaf, "FR-247", "DE-247", 1)
			b.Entries[0].LeafHash = b64(hashLeaf(b.Entries[0].Leaf))
		}, nil, "does not lead to the checkpoint's root"},
		"leaf hash changed":       {func(b *Bundle) { b.Entries[1].LeafHash = b64(hashLeaf("x")) }, nil, "leaf_hash"},
		"index moved":             {func(b *Bundle) { b.Entries[0].Index = 5 }, nil, "does not lead"},
		"index beyond checkpoint": {func(b *Bundle) { b.Entries[2].Index = 20 }, nil, "below the checkpoint's size"},
		"entries out of order":    {func(b *Bundle) { b.Entries[0], b.Entries[1] = b.Entries[1], b.Entries[0] }, nil, "increasing"},
		"proof shortened":         {func(b *Bundle) { b.Entries[0].InclusionProof = b.Entries[0].InclusionProof[1:] }, nil, "does not lead"},
		"proof hash not base64":   {func(b *Bundle) { b.Entries[0].InclusionProof[0] = "!!" }, nil, "inclusion proof hash 0"},
		"no entries":              {func(b *Bundle) { b.Entries = []Entry{} }, nil, "0 entries"},
		"other format":            {func(b *Bundle) { b.Format = "art35-audit-bundle/v2" }, nil, "format"},
		"bad origin":              {func(b *Bundle) { b.Checkpoint = "sum.golang.org" + b.Checkpoint[len("art35/IT-247"):] }, nil, "origin"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := CheckBundle(data, l.pub)
			if err != nil {
				t.Fatal(err)
			}
			b := *got.Bundle // a deep copy: each case edits its own
			b.Entries = append([]Entry(nil), b.Entries...)
			for i := range b.Entries {
				b.Entries[i].InclusionProof = append([]string(nil), b.Entries[i].InclusionProof...)
			}
			tc.edit(&b)
			forged, err := b.Encode()
			if err != nil {
				t.Fatal(err)
			}
			keys := tc.keys
			if keys == nil && name != "no key" {
				keys = []ed25519.PublicKey{l.pub}
			}
			_, err = CheckBundle(forged, keys...)
			if !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CheckBundle = %v, want EInvalid containing %q", err, tc.want)
			}
		})
	}
}

func hashLeaf(s string) tlog.Hash { return tlog.RecordHash([]byte(s)) }

// FuzzCheckBundle: a bundle is outside data (it arrives as a file from
// anywhere). CheckBundle must never panic, and must accept only bundles in
// canonical form whose records are all about the bundle's message.
func FuzzCheckBundle(f *testing.F) {
	db, err := store.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	l, err := New(db, "IT-247", key, clock.NewManual(t0))
	if err != nil {
		f.Fatal(err)
	}
	for i := range 9 {
		if _, err := AppendOne(ctx, db, recordN(i)); err != nil {
			f.Fatal(err)
		}
	}
	if _, err := l.Checkpoint(ctx); err != nil {
		f.Fatal(err)
	}
	for _, m := range []string{"msg-0", "msg-2"} {
		b, err := Prove(ctx, db, m)
		if err != nil {
			f.Fatal(err)
		}
		data, _ := b.Encode()
		f.Add(data)
	}
	f.Add([]byte("{}\n"))
	f.Add([]byte(`{"format":"art35-audit-bundle/v1","entries":[{"index":-1}]}`))
	f.Add([]byte(""))
	pub := key.Public().(ed25519.PublicKey)
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := CheckBundle(data, pub)
		if err != nil {
			return
		}
		again, _ := got.Bundle.Encode()
		if !bytes.Equal(again, data) {
			t.Fatal("accepted a non-canonical bundle")
		}
		for _, r := range got.Records {
			if r.MessageID != got.Bundle.MessageID {
				t.Fatalf("accepted a record about %q in a bundle for %q", r.MessageID, got.Bundle.MessageID)
			}
		}
	})
}
