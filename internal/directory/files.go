package directory

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/art35/art35/internal/apperr"
)

// ReadFile reads a directory file (snapshot, source list, resolutions):
// a missing file is not_found, any other failure invalid.
func ReadFile(name string) ([]byte, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, apperr.Errorf(apperr.ENotFound, "file %s does not exist", name)
		}
		return nil, apperr.Wrap(apperr.EInvalid, err, "read %s", name)
	}
	return data, nil
}

// StarterFrom says where the starter snapshot comes from.
const StarterFrom = "the starter snapshot shipped with art35 (unsigned, serial 0)"

// LoadStarter returns the starter snapshot shipped with art35.
func LoadStarter() (*Snapshot, string, error) {
	snap, err := Starter()
	if err != nil {
		return nil, "", apperr.Wrap(apperr.EInternal, err, "load the shipped directory")
	}
	return snap, StarterFrom, nil
}

// LoadSigned reads the signed snapshot file name and verifies it against
// the pinned key pub at now, as a node accepts one; from says which file
// and serial it is.
func LoadSigned(name string, pub ed25519.PublicKey, now time.Time) (snap *Snapshot, from string, err error) {
	data, err := ReadFile(name)
	if err != nil {
		return nil, "", err
	}
	sf, err := Verify(data, pub, 0, now)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", name, err)
	}
	return sf.Snapshot, fmt.Sprintf("signed snapshot %s (serial %d, key %s)", name, sf.Serial(), sf.KeyID), nil
}

// ReadAny reads "starter", an unsigned snapshot JSON, or a signed file,
// whose signature is checked when pub is given (not its dates or serial:
// this reads old snapshots too, for a diff).
func ReadAny(name string, pub ed25519.PublicKey) (*Snapshot, error) {
	if name == "starter" {
		return Starter()
	}
	data, err := ReadFile(name)
	if err != nil {
		return nil, err
	}
	if !IsSignedFile(data) {
		return ReadSnapshotJSON(name, data)
	}
	sf, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if pub != nil {
		if err := sf.CheckSignature(pub); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return sf.Snapshot, nil
}
