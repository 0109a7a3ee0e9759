package directory

import (
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/keys"
)

// The secretariat's tasks on files, one function each, so that the
// "art35 directory" commands only parse flags, call one and print.

// Find returns the party code of s, or a not_found error that suggests
// the ISO code when code is a country's name ("Italy": did you mean IT?).
func (s *Snapshot) Find(code string) (*Party, error) {
	if p, ok := s.Party(code); ok {
		return p, nil
	}
	hint := ""
	if iso, found := LookupCountry(code); found {
		hint = fmt.Sprintf(" (did you mean %s?)", iso)
	}
	return nil, apperr.Errorf(apperr.ENotFound, "party %q is not in the directory%s; 'art35 directory list' shows the parties", code, hint)
}

// ReadAnyKey is ReadAny with the public key in its text form
// (ed25519:...; "" checks no signature).
func ReadAnyKey(name, pubkey string) (*Snapshot, error) {
	var pub ed25519.PublicKey
	if pubkey != "" {
		k, err := keys.ParseSigningPublic(pubkey)
		if err != nil {
			return nil, fmt.Errorf("--pubkey: %w", err)
		}
		pub = k
	}
	return ReadAny(name, pub)
}

// ImportPartiesFile builds a snapshot from the corrected parties list
// name (the parties.csv layout) and returns it as editable JSON, the
// input of Sign.
func ImportPartiesFile(name string) ([]byte, error) {
	snap, err := readParsed(name, ReadPartiesCSV)
	if err != nil {
		return nil, err
	}
	return Export(snap)
}

// SignFile signs the snapshot file name (see ReadAny) with priv: serial
// 0 means the file's serial + 1. It returns the signed snapshot and file.
func SignFile(name string, priv ed25519.PrivateKey, serial uint64, now time.Time, validFor time.Duration) (*Snapshot, []byte, error) {
	snap, err := ReadAny(name, nil)
	if err != nil {
		return nil, nil, err
	}
	if serial == 0 {
		serial = snap.Serial + 1
	}
	data, err := Sign(snap, priv, serial, now, validFor)
	if err != nil {
		return nil, nil, err
	}
	return snap, data, nil
}

// VerifyFile reads the signed file name and checks it as a node accepts
// one (see Verify); a refusal names the file.
func VerifyFile(name string, pub ed25519.PublicKey, heldSerial uint64, now time.Time) (*Signed, error) {
	data, err := ReadFile(name)
	if err != nil {
		return nil, err
	}
	sf, err := Verify(data, pub, heldSerial, now)
	if err != nil {
		return nil, fmt.Errorf("%s refused: %w", name, err)
	}
	return sf, nil
}

// MergeFiles merges the two source list files a and b and applies the
// resolutions file resFile, if any ("" for none).
func MergeFiles(a, b, resFile string, now time.Time) (*MergeResult, error) {
	var lists [2]*SourceList
	for i, name := range []string{a, b} {
		var err error
		if lists[i], err = readParsed(name, ReadSourceList); err != nil {
			return nil, err
		}
	}
	res := Merge(lists[0], lists[1], MergeOptions{Now: now})
	if resFile == "" {
		return res, nil
	}
	rs, err := readParsed(resFile, ReadResolutions)
	if err != nil {
		return nil, err
	}
	return res, res.Resolve(rs)
}

// CheckResolved is a conflict error while any conflict is open, telling
// the secretariat how to close them.
func (r *MergeResult) CheckResolved() error {
	if open := r.Unresolved(); len(open) > 0 {
		return apperr.Errorf(apperr.EConflict, "%d of %d conflicts unresolved; write a resolutions file (conflict,choose,value) and run merge again with --resolutions", len(open), len(r.Conflicts))
	}
	return nil
}

// ApplyToFile applies the merged authorities to the snapshot file base
// (see ReadAny) and returns the result as editable JSON, ready to sign.
func (r *MergeResult) ApplyToFile(base string) ([]byte, error) {
	snap, err := ReadAny(base, nil)
	if err != nil {
		return nil, err
	}
	if err := r.Apply(snap); err != nil {
		return nil, err
	}
	return Export(snap)
}

// readParsed reads the file name (see ReadFile) and parses it with parse.
func readParsed[T any](name string, parse func(name string, data []byte) (T, error)) (T, error) {
	data, err := ReadFile(name)
	if err != nil {
		var zero T
		return zero, err
	}
	return parse(name, data)
}
