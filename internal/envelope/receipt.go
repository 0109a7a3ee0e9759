package envelope

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/art35/art35/internal/apperr"
)

// MaxReceiptWire bounds the wire size of a receipt; real ones are about 500 bytes.
const MaxReceiptWire = 4096

// Receipt is a transport receipt: the receiving node's signed statement
// that it stored the envelope with this digest at this time. It proves
// delivery, not that a person read the message (that is an
// "acknowledged" evidence).
type Receipt struct {
	MessageID      string // header id of the stored envelope
	IdempotencyKey string // its business key, so a sender can match a receipt for an earlier duplicate
	Sender         string // sending authority of the stored envelope
	Receiver       string // authority that stored it (the envelope's recipient)
	ReceiverKeyID  string // keys.ID of the Ed25519 key that signed this receipt
	Digest         [32]byte
	ReceivedAt     time.Time // whole seconds, UTC
	Signature      []byte
}

// canonical returns the receipt's signature input (docs/protocol.md, "Receipts").
func (r *Receipt) canonical() []byte {
	b := make([]byte, 0, 256)
	b = appendStr(b, receiptLabel)
	b = appendStr(b, r.MessageID)
	b = appendStr(b, r.IdempotencyKey)
	b = appendStr(b, r.Sender)
	b = appendStr(b, r.Receiver)
	b = appendStr(b, r.ReceiverKeyID)
	b = appendStr(b, string(r.Digest[:]))
	return appendTime(b, r.ReceivedAt.Unix())
}

// NewReceipt builds and signs the receipt for an envelope received at
// receivedAt (truncated to the second) by the holder of signer.
func NewReceipt(e *Envelope, receivedAt time.Time, signer ed25519.PrivateKey) (*Receipt, error) {
	if len(signer) != ed25519.PrivateKeySize {
		return nil, apperr.Errorf(apperr.EInvalid, "receipt: signing key has %d bytes, want an Ed25519 private key", len(signer))
	}
	r := &Receipt{
		MessageID:      e.Header.ID,
		IdempotencyKey: e.Header.IdempotencyKey,
		Sender:         e.Header.Sender,
		Receiver:       e.Header.Recipient,
		ReceiverKeyID:  SigningKeyID(signer.Public().(ed25519.PublicKey)),
		Digest:         e.Digest(),
		ReceivedAt:     receivedAt.UTC().Truncate(time.Second),
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	r.Signature = ed25519.Sign(signer, r.canonical())
	return r, nil
}

func (r *Receipt) validate() error {
	if err := checkHexID("receipt message_id", r.MessageID, IDLen); err != nil {
		return err
	}
	if n := len(r.IdempotencyKey); n == 0 || n > MaxIdempotencyKey {
		return invalid("receipt idempotency_key", "has %d bytes, want 1 to %d", n, MaxIdempotencyKey)
	}
	if err := checkAuthority("receipt sender", r.Sender); err != nil {
		return err
	}
	if err := checkAuthority("receipt receiver", r.Receiver); err != nil {
		return err
	}
	if err := checkHexID("receipt receiver_key_id", r.ReceiverKeyID, KeyIDLen); err != nil {
		return err
	}
	return checkTime("receipt received_at", r.ReceivedAt)
}

// VerifyReceipt checks the receipt's signature with the receiver's public key.
func VerifyReceipt(r *Receipt, receiverPub ed25519.PublicKey) error {
	if err := r.validate(); err != nil {
		return err
	}
	if len(receiverPub) != ed25519.PublicKeySize {
		return apperr.Errorf(apperr.EInvalid, "verify receipt: receiver key has %d bytes, want %d", len(receiverPub), ed25519.PublicKeySize)
	}
	if id := SigningKeyID(receiverPub); id != r.ReceiverKeyID {
		return apperr.Wrap(apperr.EUnauthorized, ErrWrongKey, "receipt names receiver key %s but the key given is %s", r.ReceiverKeyID, id)
	}
	if len(r.Signature) != ed25519.SignatureSize || !ed25519.Verify(receiverPub, r.canonical(), r.Signature) {
		return apperr.Wrap(apperr.EUnauthorized, ErrBadSignature, "receipt for %s: signature does not verify with receiver key %s", r.MessageID, r.ReceiverKeyID)
	}
	return nil
}

// Covers reports whether r acknowledges e: either e itself (same id and
// digest), or an earlier envelope of the same sender with the same
// idempotency key (the receiver answers a business duplicate with the
// original's receipt).
func (r *Receipt) Covers(e *Envelope) bool {
	if r.Receiver != e.Header.Recipient || r.Sender != e.Header.Sender {
		return false
	}
	if r.MessageID == e.Header.ID {
		return r.Digest == e.Digest()
	}
	return r.IdempotencyKey == e.Header.IdempotencyKey
}

type wireReceipt struct {
	V              int    `json:"v"`
	MessageID      string `json:"message_id"`
	IdempotencyKey string `json:"idempotency_key"`
	Sender         string `json:"sender"`
	Receiver       string `json:"receiver"`
	ReceiverKeyID  string `json:"receiver_key_id"`
	Digest         string `json:"envelope_digest"`
	ReceivedAt     string `json:"received_at"`
	Signature      string `json:"signature"`
}

var receiptSchema = schema{
	"v": nil, "message_id": nil, "idempotency_key": nil, "sender": nil, "receiver": nil,
	"receiver_key_id": nil, "envelope_digest": nil, "received_at": nil, "signature": nil,
}

// Marshal returns the receipt's wire form (compact JSON).
func (r *Receipt) Marshal() ([]byte, error) {
	return json.Marshal(wireReceipt{
		V: Version, MessageID: r.MessageID, IdempotencyKey: r.IdempotencyKey, Sender: r.Sender,
		Receiver: r.Receiver, ReceiverKeyID: r.ReceiverKeyID, Digest: hex.EncodeToString(r.Digest[:]),
		ReceivedAt: r.ReceivedAt.UTC().Format(TimeLayout), Signature: b64.EncodeToString(r.Signature),
	})
}

// ParseReceipt reads a wire receipt with the same strictness as Parse. It
// does not verify the signature: call VerifyReceipt.
func ParseReceipt(data []byte) (*Receipt, error) {
	if len(data) > MaxReceiptWire {
		return nil, apperr.Wrap(apperr.EInvalid, ErrTooLarge, "receipt has %d bytes, at most %d allowed", len(data), MaxReceiptWire)
	}
	vals, err := strictJSON(data, receiptSchema, "receipt")
	if err != nil {
		return nil, err
	}
	var w wireReceipt
	if w.V, err = vals.version("receipt"); err != nil {
		return nil, err
	}
	if w.V != Version {
		return nil, apperr.Wrap(apperr.EInvalid, ErrUnsupportedVersion, "receipt version %d; this node reads version %d only", w.V, Version)
	}
	if err := vals.strs("receipt", "message_id", &w.MessageID, "idempotency_key", &w.IdempotencyKey,
		"sender", &w.Sender, "receiver", &w.Receiver, "receiver_key_id", &w.ReceiverKeyID,
		"envelope_digest", &w.Digest, "received_at", &w.ReceivedAt, "signature", &w.Signature); err != nil {
		return nil, err
	}
	at, err := parseTime("receipt received_at", w.ReceivedAt)
	if err != nil {
		return nil, err
	}
	d, err := hex.DecodeString(w.Digest)
	if err != nil || len(d) != 32 || hex.EncodeToString(d) != w.Digest {
		return nil, malformed("receipt envelope_digest", "%q is not 64 lowercase hex characters", w.Digest)
	}
	sig, err := parseB64("receipt signature", w.Signature)
	if err != nil {
		return nil, err
	}
	if len(sig) != ed25519.SignatureSize {
		return nil, malformed("receipt signature", "has %d bytes, want 64 (Ed25519)", len(sig))
	}
	r := &Receipt{
		MessageID: w.MessageID, IdempotencyKey: w.IdempotencyKey, Sender: w.Sender, Receiver: w.Receiver,
		ReceiverKeyID: w.ReceiverKeyID, ReceivedAt: at, Signature: sig,
	}
	copy(r.Digest[:], d)
	if err := r.validate(); err != nil {
		return nil, err
	}
	return r, nil
}
