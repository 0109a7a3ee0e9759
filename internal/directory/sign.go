package directory

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/strict"
)

// SignedFormat names the signed-file structure.
const SignedFormat = "art35-signed-directory/1"

// signingContext is prepended to the snapshot bytes before signing, so that
// a directory signature can never be replayed as the signature of some
// other art35 object made with the same key.
const signingContext = "art35 directory snapshot v1\n"

// MaxClockSkew is how far ahead of the verifier's clock a snapshot's
// issued_at may be before it counts as "not yet valid": clocks of nodes
// and the secretariat differ by seconds, not by hours.
const MaxClockSkew = 5 * time.Minute

// Errors a verifier can tell apart with errors.Is. Each reaches the user
// inside an apperr.Error whose message says why and what to do.
var (
	ErrMalformed    = errors.New("malformed signed directory")
	ErrNotCanonical = errors.New("not in canonical form")
	ErrWrongKey     = errors.New("signed by another key")
	ErrBadSignature = errors.New("bad signature")
	ErrRollback     = errors.New("serial not higher than held")
	ErrExpired      = errors.New("snapshot expired")
	ErrNotYetValid  = errors.New("snapshot not yet valid")
)

// signedFile is the on-disk form. The whole file is canonical: indented
// JSON as written by Sign. A node refuses any other spelling, so that the
// bytes it stores and passes on are exactly the bytes the secretariat
// signed, and a change of one byte anywhere is refused.
type signedFile struct {
	Format    string          `json:"format"`
	KeyID     string          `json:"key_id"`
	Signature string          `json:"signature"`
	Snapshot  json.RawMessage `json:"snapshot"`
}

// Signed is a parsed, not yet trusted, signed snapshot.
type Signed struct {
	Snapshot  *Snapshot
	KeyID     string // keys.ID of the signing key's text form
	Signature []byte
	Raw       []byte // the file's bytes, for storing and passing on unchanged
}

// Serial is the snapshot's serial number.
func (s *Signed) Serial() uint64 { return s.Snapshot.Serial }

// Canonical returns the canonical encoding of a snapshot: compact JSON in
// the struct's field order, no HTML escaping, no trailing newline. Go's
// encoder is deterministic for these types (no maps, no floats), so the
// same snapshot always gives the same bytes.
func Canonical(s *Snapshot) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, apperr.Wrap(apperr.EInternal, err, "encode snapshot")
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// encodeFile writes the signed file in its canonical indented form.
func encodeFile(f signedFile) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, apperr.Wrap(apperr.EInternal, err, "encode signed directory")
	}
	return b.Bytes(), nil
}

// Sign numbers, dates and signs a snapshot with the secretariat's key and
// returns the signed file. issuedAt is truncated to the second and stored
// in UTC; the snapshot is valid until issuedAt+validFor. s is changed in
// place (serial, dates, computed fields).
func Sign(s *Snapshot, priv ed25519.PrivateKey, serial uint64, issuedAt time.Time, validFor time.Duration) ([]byte, error) {
	if serial == 0 {
		return nil, apperr.Errorf(apperr.EInvalid, "serial 0 is kept for the unsigned starter snapshot; give a serial of 1 or more, higher than the last one published")
	}
	if validFor <= 0 {
		return nil, apperr.Errorf(apperr.EInvalid, "validity %s: a signed snapshot must be valid for a positive period (e.g. 720h)", validFor)
	}
	if len(priv) != ed25519.PrivateKeySize {
		return nil, apperr.Errorf(apperr.EInvalid, "the signing key is not an Ed25519 private key")
	}
	s.Format = FormatVersion
	s.Serial = serial
	s.IssuedAt = issuedAt.UTC().Truncate(time.Second)
	s.ValidUntil = s.IssuedAt.Add(validFor)
	if err := s.Complete(); err != nil {
		return nil, err
	}
	body, err := Canonical(s)
	if err != nil {
		return nil, err
	}
	sig := ed25519.Sign(priv, append([]byte(signingContext), body...))
	pubText := keys.FormatSigningPublic(priv.Public().(ed25519.PublicKey))
	return encodeFile(signedFile{
		Format:    SignedFormat,
		KeyID:     keys.ID(pubText),
		Signature: base64.RawURLEncoding.EncodeToString(sig),
		Snapshot:  body,
	})
}

func malformed(format string, args ...any) error {
	return apperr.Wrap(apperr.EInvalid, ErrMalformed, "%s", fmt.Sprintf(format, args...))
}

// Parse reads a signed directory file without trusting it: it checks the
// structure and canonical form only. Use Verify before using the contents.
func Parse(data []byte) (*Signed, error) {
	var f signedFile
	switch err := strict.DecodeJSON(data, &f); {
	case errors.Is(err, strict.ErrTrailing):
		return nil, malformed("data after the signed directory; the file must hold one signed snapshot only")
	case err != nil:
		return nil, malformed("not a signed directory file (%v); it must be the JSON written by 'art35 directory sign'", err)
	}
	if f.Format != SignedFormat {
		return nil, malformed("format %q is not %q; this art35 reads only that format (upgrade art35 or ask the secretariat)", f.Format, SignedFormat)
	}
	if f.KeyID == "" || f.Signature == "" || len(f.Snapshot) == 0 {
		return nil, malformed("key_id, signature and snapshot are all required")
	}
	sig, err := base64.RawURLEncoding.DecodeString(f.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, apperr.Wrap(apperr.EUnauthorized, ErrBadSignature, "the signature field is not a %d-byte Ed25519 signature in unpadded base64url; the file was damaged or altered: fetch it again from the secretariat", ed25519.SignatureSize)
	}
	var snap Snapshot
	if err := strict.DecodeJSON(f.Snapshot, &snap); err != nil {
		return nil, malformed("snapshot: %v; the file was damaged or written by another program", err)
	}
	// The canonical check: re-encoding must give back the file byte for
	// byte. Whitespace, escapes, key order or duplicate keys that JSON would
	// tolerate are refused, so what is stored is what was signed.
	canon, err := Canonical(&snap)
	if err != nil {
		return nil, err
	}
	file, err := encodeFile(signedFile{Format: f.Format, KeyID: f.KeyID, Signature: f.Signature, Snapshot: canon})
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(file, data) {
		return nil, apperr.Wrap(apperr.EUnauthorized, ErrNotCanonical, "the file differs from the form the secretariat signs (at byte %d); it was edited or re-encoded after signing: fetch it again unchanged", firstDiff(file, data))
	}
	return &Signed{Snapshot: &snap, KeyID: f.KeyID, Signature: sig, Raw: data}, nil
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// Verify accepts a signed directory file only if it is signed by the
// pinned secretariat key, its serial is higher than heldSerial (no
// rollback to an older directory), and now is within its validity. Each
// refusal has its own error (see the Err variables) and says what to do.
// On success it returns the parsed snapshot, ready to be stored with its
// Raw bytes.
func Verify(data []byte, pinned ed25519.PublicKey, heldSerial uint64, now time.Time) (*Signed, error) {
	if len(pinned) != ed25519.PublicKeySize {
		return nil, apperr.Errorf(apperr.EInvalid, "the pinned secretariat key is not an Ed25519 public key; pin the key the secretariat published (ed25519:...)")
	}
	sf, err := Parse(data)
	if err != nil {
		return nil, err
	}
	if err := sf.CheckSignature(pinned); err != nil {
		return nil, err
	}
	snap := sf.Snapshot
	if err := snap.Validate(); err != nil {
		return nil, fmt.Errorf("signed snapshot %d breaks a directory rule; ask the secretariat to correct and re-sign it: %w", snap.Serial, err)
	}
	if snap.IssuedAt.IsZero() || snap.ValidUntil.IsZero() {
		return nil, malformed("signed snapshot %d has no issued_at or valid_until; the secretariat must sign with a validity period", snap.Serial)
	}
	if now.Before(snap.IssuedAt.Add(-MaxClockSkew)) {
		return nil, apperr.Wrap(apperr.EInvalid, ErrNotYetValid,
			"snapshot %d is issued at %s, later than now (%s); check this machine's clock, or wait until then",
			snap.Serial, snap.IssuedAt.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if !now.Before(snap.ValidUntil) {
		return nil, apperr.Wrap(apperr.EInvalid, ErrExpired,
			"snapshot %d expired at %s (now %s); refused, since contact details may have changed: fetch the current directory from the secretariat",
			snap.Serial, snap.ValidUntil.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if snap.Serial <= heldSerial {
		return nil, apperr.Wrap(apperr.EConflict, ErrRollback,
			"snapshot serial %d is not higher than the serial held (%d); refused as a rollback or replay of an older directory. Keep the one you hold, or fetch the newest from the secretariat",
			snap.Serial, heldSerial)
	}
	return sf, nil
}

// ReadSnapshotJSON reads an unsigned snapshot as the secretariat edits it
// (the JSON that 'art35 directory export' writes), strictly: unknown fields
// are refused, so a misspelt field is not silently dropped. It computes
// what follows from the data and validates it.
func ReadSnapshotJSON(name string, data []byte) (*Snapshot, error) {
	var s Snapshot
	switch err := strict.DecodeJSON(data, &s); {
	case errors.Is(err, strict.ErrTrailing):
		return nil, apperr.Errorf(apperr.EInvalid, "%s: data after the snapshot; the file must hold one snapshot", name)
	case err != nil:
		return nil, apperr.Wrap(apperr.EInvalid, err, "%s: not a directory snapshot (%s); start from 'art35 directory export'", name, jsonWhere(data, err))
	}
	if err := s.Complete(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &s, nil
}

// jsonWhere turns a JSON decoding error's byte offset into "line L, column C".
func jsonWhere(data []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return "see the error below"
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

// Export returns the snapshot as indented JSON for a person to edit and
// then sign.
func Export(s *Snapshot) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, apperr.Wrap(apperr.EInternal, err, "encode snapshot")
	}
	return b.Bytes(), nil
}

// CheckSignature checks only that the file is signed by the pinned key, not
// its serial or validity: for reading history (diff, audit), where old
// snapshots are expired by design. Accepting a snapshot needs Verify.
func (s *Signed) CheckSignature(pinned ed25519.PublicKey) error {
	if len(pinned) != ed25519.PublicKeySize {
		return apperr.Errorf(apperr.EInvalid, "the pinned secretariat key is not an Ed25519 public key; pin the key the secretariat published (ed25519:...)")
	}
	pinnedText := keys.FormatSigningPublic(pinned)
	if s.KeyID != keys.ID(pinnedText) {
		return apperr.Wrap(apperr.EUnauthorized, ErrWrongKey,
			"signed by key %s, but the pinned secretariat key is %s (%s); refused. If the secretariat has rotated its key, pin the new one after checking it out of band",
			s.KeyID, keys.ID(pinnedText), pinnedText)
	}
	// Encode again rather than trust bytes kept from Parse: the caller may
	// have changed the Snapshot since, and then it must no longer verify.
	body, err := Canonical(s.Snapshot)
	if err != nil {
		return err
	}
	if !ed25519.Verify(pinned, append([]byte(signingContext), body...), s.Signature) {
		return apperr.Wrap(apperr.EUnauthorized, ErrBadSignature,
			"the signature does not match the contents: the snapshot was altered after signing, or damaged in transit; refused. Fetch it again from the secretariat")
	}
	return nil
}

// IsSignedFile reports whether data looks like a signed directory file
// (rather than an unsigned snapshot), so commands can accept either.
func IsSignedFile(data []byte) bool {
	var probe struct {
		Format string `json:"format"`
	}
	return json.Unmarshal(data, &probe) == nil && probe.Format == SignedFormat
}

// Clone returns a deep copy of the snapshot (through its JSON form, which
// holds every field), for callers that change a snapshot others may read.
func (s *Snapshot) Clone() (*Snapshot, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInternal, err, "copy snapshot")
	}
	var c Snapshot
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, apperr.Wrap(apperr.EInternal, err, "copy snapshot")
	}
	return &c, nil
}
