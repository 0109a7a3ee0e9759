package cli

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/keys"
)

// SignatureStatus is what "envelope inspect" says about the signature.
type SignatureStatus struct {
	Checked bool   `json:"checked"`
	Valid   bool   `json:"valid"`
	Detail  string `json:"detail"`
}

// EnvelopeView is the JSON form of "envelope inspect --json".
type EnvelopeView struct {
	ID              string          `json:"id"`
	IdempotencyKey  string          `json:"idempotency_key"`
	Kind            string          `json:"kind"`
	Subkind         string          `json:"subkind"`
	Sender          string          `json:"sender"`
	Recipient       string          `json:"recipient"`
	SenderKeyID     string          `json:"sender_key_id"`
	RecipientKeyID  string          `json:"recipient_key_id"`
	Created         time.Time       `json:"created"`
	Expires         time.Time       `json:"expires"`
	Expired         bool            `json:"expired"`
	InReplyTo       string          `json:"in_reply_to"`
	CaseRef         string          `json:"case_ref"`
	Handling        string          `json:"handling"`
	Exercise        bool            `json:"exercise"`
	CiphertextBytes int             `json:"ciphertext_bytes"`
	BodyBytes       int             `json:"body_bytes"`
	Digest          string          `json:"digest"`
	Signature       SignatureStatus `json:"signature"`
}

// handlingMeaning explains the handling codes (SPEC: handling codes).
var handlingMeaning = map[envelope.Handling]string{
	envelope.H0: "use only for preventing and fighting crime",
	envelope.H1: "not for judicial proceedings without the sender's permission",
	envelope.H2: "not to be passed on without permission",
	envelope.H3: "other conditions, stated in the body",
}

// PrintEnvelopeView prints an envelope's clear header for a person.
func PrintEnvelopeView(w io.Writer, v EnvelopeView, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	kind := v.Kind
	if v.Subkind != "" {
		kind += " / " + v.Subkind
	}
	expires := v.Expires.Format(time.RFC3339)
	if v.Expired {
		expires += fmt.Sprintf(" (expired %s ago)", now.Sub(v.Expires).Round(time.Second))
	} else {
		expires += fmt.Sprintf(" (in %s)", v.Expires.Sub(now).Round(time.Second))
	}
	exercise := "no"
	if v.Exercise {
		exercise = "YES: a drill, not real casework"
	}
	rows := [][2]string{
		{"message id", v.ID},
		{"idempotency key", v.IdempotencyKey},
		{"kind", kind},
		{"sender", v.Sender + " (signing key " + v.SenderKeyID + ")"},
		{"recipient", v.Recipient + " (encryption key " + v.RecipientKeyID + ")"},
		{"created", v.Created.Format(time.RFC3339)},
		{"expires", expires},
		{"in reply to", dash(v.InReplyTo)},
		{"case reference", dash(v.CaseRef)},
		{"handling", v.Handling + ": " + handlingMeaning[envelope.Handling(v.Handling)]},
		{"exercise", exercise},
		{"body", fmt.Sprintf("%d bytes, encrypted", v.BodyBytes)},
		{"digest", v.Digest},
		{"signature", v.Signature.Detail},
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", r[0], r[1])
	}
	tw.Flush()
}

// NewEnvelopeView describes env at now; with pub (the sender's signing key
// from the directory) it also checks the signature.
func NewEnvelopeView(env *envelope.Envelope, pub ed25519.PublicKey, now time.Time) EnvelopeView {
	h := env.Header
	d := env.Digest()
	v := EnvelopeView{
		ID: h.ID, IdempotencyKey: h.IdempotencyKey, Kind: string(h.Kind), Subkind: h.Subkind,
		Sender: h.Sender, Recipient: h.Recipient, SenderKeyID: h.SenderKeyID, RecipientKeyID: h.RecipientKeyID,
		Created: h.Created, Expires: h.Expires, Expired: !now.Before(h.Expires), InReplyTo: h.InReplyTo,
		CaseRef: h.CaseRef, Handling: string(h.Handling), Exercise: h.Exercise,
		CiphertextBytes: len(env.Ciphertext), BodyBytes: len(env.Ciphertext) - 48,
		Digest:    "sha256:" + hex.EncodeToString(d[:]),
		Signature: SignatureStatus{Detail: "not checked (give --sender-key to check it)"},
	}
	if pub != nil {
		v.Signature.Checked = true
		if err := envelope.Verify(env, pub); err != nil {
			v.Signature.Detail = err.Error()
		} else {
			v.Signature.Valid = true
			v.Signature.Detail = "valid, signed by " + h.Sender + " key " + h.SenderKeyID
		}
	}
	return v
}

// PrintReceipt prints a transport receipt with what was checked of it:
// its signature (status) and the envelope it covers (covers).
func PrintReceipt(w io.Writer, r *envelope.Receipt, status, covers string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, row := range [][2]string{
		{"message id", r.MessageID},
		{"idempotency key", r.IdempotencyKey},
		{"sender", r.Sender},
		{"receiver", r.Receiver + " (signing key " + r.ReceiverKeyID + ")"},
		{"received at", r.ReceivedAt.Format(time.RFC3339)},
		{"digest", "sha256:" + hex.EncodeToString(r.Digest[:])},
		{"signature", status},
		{"covers envelope", covers},
	} {
		fmt.Fprintf(tw, "%s\t%s\n", row[0], row[1])
	}
	return tw.Flush()
}

// CheckReceipt says what can be checked of the receipt r: its signature,
// with pub (the receiver's signing key; nil leaves it unchecked), and
// whether it covers env (read from file; nil when none was given). bad is
// true when either check failed.
func CheckReceipt(r *envelope.Receipt, pub ed25519.PublicKey, env *envelope.Envelope, file string) (status, covers string, bad bool) {
	status, covers = "not checked (give --receiver-key to check it)", "-"
	if pub != nil {
		if err := envelope.VerifyReceipt(r, pub); err != nil {
			status, bad = err.Error(), true
		} else {
			status = "valid, signed by " + r.Receiver + " key " + r.ReceiverKeyID
		}
	}
	if env != nil {
		if r.Covers(env) {
			covers = "yes: " + file + " was delivered"
		} else {
			covers, bad = "NO: this receipt is for another envelope", true
		}
	}
	return status, covers, bad
}

// SigningKeyFlag parses the value of the flag name, a signing key from
// the directory (ed25519:...); an empty value gives no key.
func SigningKeyFlag(name, value string) (ed25519.PublicKey, error) {
	if value == "" {
		return nil, nil
	}
	pub, err := keys.ParseSigningPublic(value)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, err, "%s", name)
	}
	return pub, nil
}
