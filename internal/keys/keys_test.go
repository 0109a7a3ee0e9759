package keys

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/art35/art35/internal/apperr"
)

func TestSigningKeyRoundTripAndPermissions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pub, priv, err := GenerateSigning()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "signing.key")
	if err := WritePrivate(path, priv); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %o, want 0600", st.Mode().Perm())
	}
	got, err := LoadSigning(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, priv) {
		t.Fatal("loaded key differs")
	}
	if err := WritePrivate(path, priv); !apperr.Is(err, apperr.EConflict) {
		t.Fatalf("overwrite: got %v, want conflict", err)
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o644} {
		os.Chmod(path, mode)
		_, err := LoadSigning(path)
		if !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("mode %o: got %v, want invalid naming chmod 600", mode, err)
		}
	}
	text := FormatSigningPublic(pub)
	back, err := ParseSigningPublic(text)
	if err != nil || !bytes.Equal(back, pub) {
		t.Fatalf("parse %q: %v", text, err)
	}
	if len(ID(text)) != 16 {
		t.Fatalf("ID %q", ID(text))
	}
}

func TestEncryptionKeyRoundTrip(t *testing.T) {
	t.Parallel()
	k, err := GenerateEncryption()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "enc.key")
	if err := WritePrivate(path, k); err != nil {
		t.Fatal(err)
	}
	got, err := LoadEncryption(path)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(k) {
		t.Fatal("loaded key differs")
	}
	if _, err := LoadSigning(path); !apperr.Is(err, apperr.EInvalid) {
		t.Fatalf("loading X25519 as signing key: %v", err)
	}
	pub, err := ParseEncryptionPublic(FormatEncryptionPublic(k.PublicKey()))
	if err != nil || !pub.Equal(k.PublicKey()) {
		t.Fatalf("public round trip: %v", err)
	}
}

func TestParsePublicErrors(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "ed25519:", "ed25519:!!", "x25519:AAAA", "rsa:AAAA"} {
		if _, err := ParseSigningPublic(s); err == nil {
			t.Errorf("ParseSigningPublic(%q) succeeded", s)
		}
	}
	if _, err := ParseEncryptionPublic("x25519:AAAA"); err == nil {
		t.Error("short X25519 key accepted")
	}
}
