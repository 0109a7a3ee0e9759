package keys

import (
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/art35/art35/internal/apperr"
)

// SecretKeySize is the size of a node's key for secrets at rest (AES-256).
const SecretKeySize = 32

const secretPEMType = "ART35 SECRET KEY"

// CheckPrivateFile refuses a file holding a secret (a private key, the TLS
// key, a config file with a database password) when its group or others
// may read or write it, with the chmod that fixes it. A missing file is
// ENotFound.
func CheckPrivateFile(path, what string) error {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return apperr.Errorf(apperr.ENotFound, "%s %s does not exist; run 'art35 node init' to create the node's keys", what, path)
		}
		return fmt.Errorf("stat %s: %w", path, err)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return apperr.Errorf(apperr.EInvalid,
			"%s %s has mode %04o: it is readable or writable by group or others; it must be 0600 (fix: chmod 600 %s)",
			what, path, perm, path)
	}
	return nil
}

// LoadOrCreateSecret returns the node's key for secrets at rest from path
// (a PEM block of 32 random bytes, mode 0600), creating it when it does
// not exist yet: nodes made before the key existed get one on their next
// start. A file that others can read is refused.
func LoadOrCreateSecret(path string) ([]byte, error) {
	err := CheckPrivateFile(path, "secret key file")
	if apperr.Is(err, apperr.ENotFound) {
		k := make([]byte, SecretKeySize)
		_, _ = rand.Read(k)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			if !errors.Is(err, fs.ErrExist) {
				return nil, fmt.Errorf("create secret key file: %w", err)
			}
			// Another process made it first: read theirs.
			return LoadOrCreateSecret(path)
		}
		if err := pem.Encode(f, &pem.Block{Type: secretPEMType, Bytes: k}); err != nil {
			f.Close()
			return nil, fmt.Errorf("write secret key file %s: %w", path, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("sync secret key file %s: %w", path, err)
		}
		return k, f.Close()
	}
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read secret key file: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != secretPEMType || len(block.Bytes) != SecretKeySize {
		return nil, apperr.Errorf(apperr.EInvalid, "secret key file %s: not a PEM %q block of %d bytes (restore it from backup: without it the TOTP secrets cannot be read)", path, secretPEMType, SecretKeySize)
	}
	return block.Bytes, nil
}
