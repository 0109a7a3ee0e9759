package envelope

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/hpke"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/keys"
)

// Sentinel causes, so that callers (the inbox) can tell failures apart with
// errors.Is while users see an apperr message.
var (
	// ErrMalformed: the bytes are not a valid envelope or receipt.
	ErrMalformed = errors.New("malformed envelope")
	// ErrTooLarge: the envelope or its body exceeds a protocol limit.
	ErrTooLarge = errors.New("envelope too large")
	// ErrUnsupportedVersion: the envelope was written for another protocol version.
	ErrUnsupportedVersion = errors.New("unsupported envelope version")
	// ErrBadSignature: the signature does not verify with the given key.
	ErrBadSignature = errors.New("bad signature")
	// ErrWrongKey: a key given to Seal or Open is not the one the header names.
	ErrWrongKey = errors.New("key does not match the header's key id")
	// ErrDecrypt: the body does not decrypt with the recipient's key.
	ErrDecrypt = errors.New("body does not decrypt")
)

// Domain-separation labels. Each signed or encrypted structure starts with
// its own label so that a signature over one can never pass for another.
const (
	headerLabel  = "art35-envelope-header-v1"
	receiptLabel = "art35-receipt-v1"
	// HPKEInfo is the HPKE info string of version 1 envelopes.
	HPKEInfo = "art35-envelope-v1"
)

// HPKE suite of version 1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
// ChaCha20-Poly1305 (RFC 9180 ids 0x0020, 0x0001, 0x0003).
func suite() (hpke.KDF, hpke.AEAD) { return hpke.HKDFSHA256(), hpke.ChaCha20Poly1305() }

// Envelope is a sealed message: the clear header, the HPKE ciphertext of
// the body (encapsulated key followed by the AEAD output) and the sender's
// Ed25519 signature.
type Envelope struct {
	Header     Header
	Ciphertext []byte
	Signature  []byte
}

// appendStr appends a length-prefixed string: 4-byte big-endian length, bytes.
func appendStr(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// appendTime appends a time as 8-byte big-endian signed Unix seconds.
func appendTime(b []byte, t int64) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(t))
}

// CanonicalHeader returns the canonical encoding of h (docs/protocol.md,
// "Canonical header"): the label and every field in a fixed order, strings
// length-prefixed, times as Unix seconds, the exercise flag as one byte. It
// is the HPKE additional data and the first part of the signature input.
// It does not validate h; Seal and Verify do.
func (h *Header) CanonicalHeader() []byte {
	b := make([]byte, 0, 256+len(h.IdempotencyKey)+len(h.CaseRef))
	b = appendStr(b, headerLabel)
	b = appendStr(b, h.ID)
	b = appendStr(b, h.IdempotencyKey)
	b = appendStr(b, string(h.Kind))
	b = appendStr(b, h.Subkind)
	b = appendStr(b, h.Sender)
	b = appendStr(b, h.Recipient)
	b = appendStr(b, h.SenderKeyID)
	b = appendStr(b, h.RecipientKeyID)
	b = appendTime(b, h.Created.Unix())
	b = appendTime(b, h.Expires.Unix())
	b = appendStr(b, h.InReplyTo)
	b = appendStr(b, h.CaseRef)
	b = appendStr(b, string(h.Handling))
	if h.Exercise {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	return b
}

// SignatureInput returns the bytes the sender signs: the canonical header
// followed by the 32-byte SHA-256 of the ciphertext.
func (e *Envelope) SignatureInput() []byte {
	sum := sha256.Sum256(e.Ciphertext)
	return append(e.Header.CanonicalHeader(), sum[:]...)
}

// Digest identifies exactly this envelope independently of its wire form
// (whitespace, field order): SHA-256 of the signature input followed by the
// signature. Receipts name what the receiver stored by this digest, and the
// inbox tells a duplicate from a replay by it.
func (e *Envelope) Digest() [32]byte {
	h := sha256.New()
	h.Write(e.SignatureInput())
	h.Write(e.Signature)
	var d [32]byte
	h.Sum(d[:0])
	return d
}

// SigningKeyID returns the key id of an Ed25519 public key as envelopes name it.
func SigningKeyID(pub ed25519.PublicKey) string { return keys.ID(keys.FormatSigningPublic(pub)) }

// EncryptionKeyID returns the key id of an X25519 public key as envelopes name it.
func EncryptionKeyID(pub *ecdh.PublicKey) string {
	return keys.ID(keys.FormatEncryptionPublic(pub))
}

// Seal encrypts body to recipient and signs the result with signer. The
// header's key ids are filled in from the keys when empty and must match
// them otherwise, so that a header never names a key other than the one used.
func Seal(h Header, body []byte, signer ed25519.PrivateKey, recipient *ecdh.PublicKey) (*Envelope, error) {
	if len(signer) != ed25519.PrivateKeySize {
		return nil, apperr.Errorf(apperr.EInvalid, "seal: signing key has %d bytes, want an Ed25519 private key", len(signer))
	}
	if recipient == nil || recipient.Curve() != ecdh.X25519() {
		return nil, apperr.Errorf(apperr.EInvalid, "seal: recipient key must be an X25519 public key")
	}
	sid := SigningKeyID(signer.Public().(ed25519.PublicKey))
	rid := EncryptionKeyID(recipient)
	if h.SenderKeyID == "" {
		h.SenderKeyID = sid
	} else if h.SenderKeyID != sid {
		return nil, apperr.Wrap(apperr.EInvalid, ErrWrongKey, "seal: header sender_key_id %s but the signing key's id is %s", h.SenderKeyID, sid)
	}
	if h.RecipientKeyID == "" {
		h.RecipientKeyID = rid
	} else if h.RecipientKeyID != rid {
		return nil, apperr.Wrap(apperr.EInvalid, ErrWrongKey, "seal: header recipient_key_id %s but the recipient key's id is %s", h.RecipientKeyID, rid)
	}
	h.Created, h.Expires = h.Created.UTC(), h.Expires.UTC()
	if err := h.Validate(); err != nil {
		return nil, err
	}
	if len(body) > MaxBody {
		return nil, apperr.Wrap(apperr.EInvalid, ErrTooLarge, "seal: body has %d bytes, at most %d allowed (fix: send large evidence out of band and reference it)", len(body), MaxBody)
	}
	pk, err := hpke.NewDHKEMPublicKey(recipient)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, err, "seal: recipient key")
	}
	kdf, aead := suite()
	enc, sender, err := hpke.NewSender(pk, kdf, aead, []byte(HPKEInfo))
	if err != nil {
		return nil, fmt.Errorf("seal: HPKE setup: %w", err)
	}
	aad := h.CanonicalHeader()
	ct, err := sender.Seal(aad, body)
	if err != nil {
		return nil, fmt.Errorf("seal: HPKE encrypt: %w", err)
	}
	env := &Envelope{Header: h, Ciphertext: append(enc, ct...)}
	env.Signature = ed25519.Sign(signer, env.SignatureInput())
	return env, nil
}

// Verify checks the envelope's header rules and its signature with the
// sender's public key. It does not check times against a clock, key
// validity or revocation: that is the inbox's job (internal/federation).
func Verify(e *Envelope, senderPub ed25519.PublicKey) error {
	if err := e.Header.Validate(); err != nil {
		return err
	}
	if len(e.Ciphertext) < hpkeOverhead || len(e.Ciphertext) > MaxCiphertext {
		return apperr.Wrap(apperr.EInvalid, ErrMalformed, "envelope ciphertext has %d bytes, want %d to %d", len(e.Ciphertext), hpkeOverhead, MaxCiphertext)
	}
	if len(senderPub) != ed25519.PublicKeySize {
		return apperr.Errorf(apperr.EInvalid, "verify: sender key has %d bytes, want %d", len(senderPub), ed25519.PublicKeySize)
	}
	if id := SigningKeyID(senderPub); id != e.Header.SenderKeyID {
		return apperr.Wrap(apperr.EUnauthorized, ErrWrongKey, "verify: envelope names sender key %s but the key given is %s", e.Header.SenderKeyID, id)
	}
	if len(e.Signature) != ed25519.SignatureSize || !ed25519.Verify(senderPub, e.SignatureInput(), e.Signature) {
		return apperr.Wrap(apperr.EUnauthorized, ErrBadSignature, "envelope %s: signature does not verify with sender key %s", e.Header.ID, e.Header.SenderKeyID)
	}
	return nil
}

// Open verifies the envelope with senderPub and decrypts its body with the
// recipient's private key.
func Open(e *Envelope, senderPub ed25519.PublicKey, recipient *ecdh.PrivateKey) ([]byte, error) {
	if err := Verify(e, senderPub); err != nil {
		return nil, err
	}
	return Decrypt(e, recipient)
}

// Decrypt decrypts the body without checking the signature. Use it only
// after Verify (the inbox verifies first, then checks times, then decrypts).
func Decrypt(e *Envelope, recipient *ecdh.PrivateKey) ([]byte, error) {
	if recipient == nil || recipient.Curve() != ecdh.X25519() {
		return nil, apperr.Errorf(apperr.EInvalid, "open: recipient key must be an X25519 private key")
	}
	if id := EncryptionKeyID(recipient.PublicKey()); id != e.Header.RecipientKeyID {
		return nil, apperr.Wrap(apperr.EInvalid, ErrWrongKey, "open: envelope is encrypted to key %s, this key is %s", e.Header.RecipientKeyID, id)
	}
	if len(e.Ciphertext) < hpkeOverhead {
		return nil, apperr.Wrap(apperr.EInvalid, ErrMalformed, "open: ciphertext has %d bytes, less than the %d of an empty body", len(e.Ciphertext), hpkeOverhead)
	}
	sk, err := hpke.NewDHKEMPrivateKey(recipient)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, err, "open: recipient key")
	}
	kdf, aead := suite()
	r, err := hpke.NewRecipient(e.Ciphertext[:32], sk, kdf, aead, []byte(HPKEInfo))
	if err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, errors.Join(ErrDecrypt, err), "open: envelope %s: HPKE setup", e.Header.ID)
	}
	body, err := r.Open(e.Header.CanonicalHeader(), e.Ciphertext[32:])
	if err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, errors.Join(ErrDecrypt, err), "open: envelope %s: body does not decrypt with key %s (tampered, or sealed under another header)", e.Header.ID, e.Header.RecipientKeyID)
	}
	return body, nil
}

// Equal reports whether two envelopes are the same bytes.
func (e *Envelope) Equal(o *Envelope) bool {
	return bytes.Equal(e.SignatureInput(), o.SignatureInput()) && bytes.Equal(e.Signature, o.Signature)
}

// SealNew gives h a fresh ID, the creation time now (to the second) and
// an expiry ttl later, seals body into it and returns the envelope and its
// wire form ending in a newline, ready for a file.
func SealNew(h Header, body []byte, signer ed25519.PrivateKey, recipient *ecdh.PublicKey, now time.Time, ttl time.Duration) (*Envelope, []byte, error) {
	var err error
	if h.ID, err = NewID(nil); err != nil {
		return nil, nil, err
	}
	h.Created = now.UTC().Truncate(time.Second)
	h.Expires = h.Created.Add(ttl.Truncate(time.Second))
	env, err := Seal(h, body, signer, recipient)
	if err != nil {
		return nil, nil, err
	}
	wire, err := env.Marshal()
	if err != nil {
		return nil, nil, err
	}
	return env, append(wire, '\n'), nil
}
