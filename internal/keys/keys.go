// Package keys creates, stores and loads the keys of an art35 node: an
// Ed25519 key that signs envelopes, receipts and directory snapshots, and an
// X25519 key that HPKE encrypts envelopes to. Private keys are PEM-encoded
// PKCS#8 files that must be readable by their owner only: a key file that
// its group or the world can read is refused, because anyone who can read it
// can speak for the node.
package keys

import (
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/art35/art35/internal/apperr"
)

// Prefixes of the textual form of public keys, as they appear in the directory.
const (
	Ed25519Prefix = "ed25519:"
	X25519Prefix  = "x25519:"
)

// GenerateSigning returns a new Ed25519 key pair.
func GenerateSigning() (ed25519.PublicKey, ed25519.PrivateKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate Ed25519 key: %w", err)
	}
	return pub, priv, nil
}

// GenerateEncryption returns a new X25519 key for HPKE.
func GenerateEncryption() (*ecdh.PrivateKey, error) {
	k, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate X25519 key: %w", err)
	}
	return k, nil
}

// WritePrivate writes a private key (ed25519.PrivateKey or *ecdh.PrivateKey)
// to path as PEM PKCS#8 with mode 0600. It refuses to overwrite an existing
// file, so that "node init" twice never destroys a key.
func WritePrivate(path string, key any) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("encode private key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return apperr.Errorf(apperr.EConflict, "key file %s exists already; refusing to overwrite a key (move it away first if you really mean to replace it)", path)
		}
		return fmt.Errorf("create key file: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return fmt.Errorf("write key file %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync key file %s: %w", path, err)
	}
	return f.Close()
}

// readPrivate reads a PEM PKCS#8 key file after checking its permissions.
func readPrivate(path string) (any, error) {
	if err := CheckPrivateFile(path, "key file"); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, apperr.Errorf(apperr.EInvalid, "key file %s: not a PEM \"PRIVATE KEY\" block", path)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, err, "key file %s: not a PKCS#8 private key", path)
	}
	return key, nil
}

// LoadSigning loads an Ed25519 private key, refusing a file that group or
// others can read.
func LoadSigning(path string) (ed25519.PrivateKey, error) {
	key, err := readPrivate(path)
	if err != nil {
		return nil, err
	}
	k, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, apperr.Errorf(apperr.EInvalid, "key file %s holds a %T, want an Ed25519 signing key", path, key)
	}
	return k, nil
}

// LoadEncryption loads an X25519 private key, refusing a file that group or
// others can read.
func LoadEncryption(path string) (*ecdh.PrivateKey, error) {
	key, err := readPrivate(path)
	if err != nil {
		return nil, err
	}
	k, ok := key.(*ecdh.PrivateKey)
	if !ok || k.Curve() != ecdh.X25519() {
		return nil, apperr.Errorf(apperr.EInvalid, "key file %s holds a %T, want an X25519 encryption key", path, key)
	}
	return k, nil
}

// FormatSigningPublic returns the directory's text form of an Ed25519
// public key: "ed25519:" and the unpadded base64url of its 32 bytes.
func FormatSigningPublic(pub ed25519.PublicKey) string {
	return Ed25519Prefix + base64.RawURLEncoding.EncodeToString(pub)
}

// FormatEncryptionPublic returns the directory's text form of an X25519
// public key: "x25519:" and the unpadded base64url of its 32 bytes.
func FormatEncryptionPublic(pub *ecdh.PublicKey) string {
	return X25519Prefix + base64.RawURLEncoding.EncodeToString(pub.Bytes())
}

// ParseSigningPublic parses the text form made by FormatSigningPublic.
func ParseSigningPublic(s string) (ed25519.PublicKey, error) {
	b, err := parseTagged(s, Ed25519Prefix)
	if err != nil {
		return nil, err
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, apperr.Errorf(apperr.EInvalid, "Ed25519 public key %q has %d bytes, want %d", s, len(b), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// ParseEncryptionPublic parses the text form made by FormatEncryptionPublic.
func ParseEncryptionPublic(s string) (*ecdh.PublicKey, error) {
	b, err := parseTagged(s, X25519Prefix)
	if err != nil {
		return nil, err
	}
	pub, err := ecdh.X25519().NewPublicKey(b)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, err, "X25519 public key %q", s)
	}
	return pub, nil
}

func parseTagged(s, prefix string) ([]byte, error) {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return nil, apperr.Errorf(apperr.EInvalid, "public key %q must start with %q", s, prefix)
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, err, "public key %q: not unpadded base64url", s)
	}
	return b, nil
}

// ID returns a short, stable identifier of a public key (its text form):
// the first 8 bytes of its SHA-256, in hex. Envelopes name keys by ID so
// that a rotated key is told apart from the one it replaces.
func ID(publicText string) string {
	sum := sha256.Sum256([]byte(publicText))
	return hex.EncodeToString(sum[:8])
}
