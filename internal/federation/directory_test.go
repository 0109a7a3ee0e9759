package federation

import (
	"context"
	"crypto/ecdh"
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/keys"
)

func TestDirectoryKeys(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	oldX, newX := xkey(t, 0x21), xkey(t, 0x22)
	usPub := keys.FormatSigningPublic(f.us.Public().(ed25519.PublicKey))
	revokedPub := keys.FormatSigningPublic(f.revoke.Public().(ed25519.PublicKey))
	snap := &directory.Snapshot{Serial: 7, Parties: []directory.Party{
		{Code: "US", Authorities: []directory.Authority{{
			ID: "US-POC", Endpoint: "https://us.example.org/v1/inbox", TLSFingerprint: "sha256:" + strings.Repeat("ab", 32),
			Keys: []directory.Key{
				{Use: directory.UseSigning, Public: usPub, ValidFrom: t0.AddDate(0, -1, 0)},
				{Use: directory.UseSigning, Public: revokedPub, Revoked: t0},
				{Use: directory.UseEncryption, Public: keys.FormatEncryptionPublic(oldX.PublicKey()), ValidFrom: t0.AddDate(-1, 0, 0), ValidUntil: t0.AddDate(0, 0, 7)},
				{Use: directory.UseEncryption, Public: keys.FormatEncryptionPublic(newX.PublicKey()), ValidFrom: t0},
			},
		}}},
		{Code: "FR", Authorities: []directory.Authority{{ID: "FR-POC"}}},
	}}
	d := NewDirectoryKeys(snap, &Identity{Authority: "IT-POC", Signer: f.itSign})
	ctx := context.Background()

	k, err := d.SigningKey(ctx, "US-POC", keys.ID(usPub))
	if err != nil || !k.Public.Equal(f.us.Public()) || !k.ValidFrom.Equal(t0.AddDate(0, -1, 0)) {
		t.Fatalf("SigningKey: %+v, %v", k, err)
	}
	if k, err := d.SigningKey(ctx, "US-POC", keys.ID(revokedPub)); err != nil || !k.Revoked.Equal(t0) {
		t.Fatalf("revoked key: %+v, %v", k, err)
	}
	for _, c := range [][2]string{{"US-POC", "0000000000000000"}, {"XX-POC", keys.ID(usPub)}} {
		if _, err := d.SigningKey(ctx, c[0], c[1]); !apperr.Is(err, apperr.ENotFound) {
			t.Errorf("SigningKey(%s, %s) = %v, want not found", c[0], c[1], err)
		}
	}
	if _, ok := d.Local("IT-POC"); !ok {
		t.Error("local authority not found")
	}
	if _, ok := d.Local("US-POC"); ok {
		t.Error("a remote authority is local")
	}

	// During the overlap the newer encryption key is chosen; before it, the old one.
	for _, c := range []struct {
		at   time.Time
		want *ecdh.PrivateKey
	}{{t0.Add(time.Hour), newX}, {t0.Add(-time.Hour), oldX}} {
		pub, err := d.EncryptionKey("US-POC", c.at)
		if err != nil || !pub.Equal(c.want.PublicKey()) {
			t.Errorf("EncryptionKey at %s: wrong key (%v)", c.at, err)
		}
	}
	if _, err := d.EncryptionKey("FR-POC", t0); !apperr.Is(err, apperr.ENotFound) {
		t.Errorf("no encryption key: %v", err)
	}
	p, err := d.Peer("US-POC")
	if err != nil || p.URL != "https://us.example.org/v1/inbox" || p.Authority != "US-POC" || p.Pin != "sha256:"+strings.Repeat("ab", 32) {
		t.Fatalf("Peer: %+v, %v", p, err)
	}
	if _, err := d.Peer("FR-POC"); !apperr.Is(err, apperr.ENotFound) {
		t.Errorf("peer without endpoint: %v", err)
	}

	// A new snapshot that drops the key: from then on the sender is unknown.
	snap2 := &directory.Snapshot{Serial: 8, Parties: []directory.Party{{Code: "US", Authorities: []directory.Authority{{ID: "US-POC"}}}}}
	d.SetSnapshot(snap2)
	if _, err := d.SigningKey(ctx, "US-POC", keys.ID(usPub)); !apperr.Is(err, apperr.ENotFound) {
		t.Errorf("after the new snapshot: %v", err)
	}

	// The inbox runs on DirectoryKeys like on any Keys.
	f.keys = nil
	d.SetSnapshot(snap)
	itEncPub := keys.FormatEncryptionPublic(f.itEnc.PublicKey())
	d.locals["IT-POC"].Decrypt = map[string]*ecdh.PrivateKey{keys.ID(itEncPub): f.itEnc}
	f.inbox.Keys = d
	if _, err := f.inbox.Receive(ctx, f.seal(t, header(1), []byte("x"), f.us, nil), "https"); err != nil {
		t.Fatalf("inbox on DirectoryKeys: %v", err)
	}
	h := header(2)
	if _, err := f.inbox.Receive(ctx, f.seal(t, h, nil, f.revoke, nil), "https"); err == nil {
		t.Fatal("revoked key accepted")
	} else if rej, _ := AsRejection(err); rej == nil || rej.Code != CodeKeyRevoked {
		t.Fatalf("revoked key: %v", err)
	}
}
