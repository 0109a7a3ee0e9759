package node

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
)

// The node records in its audit log, inside the transaction of each change:
// every envelope sent (with the business change that caused it), every
// envelope received (with what its arrival did), every peer receipt, every
// inbox refusal and every directory change. Records carry digests and
// identifiers, never the personal data in a body.

func envelopeDigest(env *envelope.Envelope) string {
	d := env.Digest()
	return "sha256:" + hex.EncodeToString(d[:])
}

func (n *Node) auditSent(ctx context.Context, tx *sql.Tx, env *envelope.Envelope) error {
	h := env.Header
	_, err := auditlog.Append(ctx, tx, auditlog.Record{
		Kind: auditlog.EnvelopeSent, Time: n.Clock.Now(), Actor: h.Sender, Case: h.CaseRef,
		MessageID: h.ID, Digest: envelopeDigest(env),
		Details: map[string]string{"recipient": h.Recipient, "kind": string(h.Kind), "subkind": h.Subkind, "handling": string(h.Handling)},
	})
	return err
}

// arrived is the inbound hook: the casework's reaction and the audit
// record, in the transaction that stores the envelope.
func (n *Node) arrived(ctx context.Context, tx *sql.Tx, in *federation.Inbound) error {
	h := in.Envelope.Header
	if handler, ok := n.arrivals[h.Kind]; ok {
		if err := handler(ctx, tx, in); err != nil {
			return err
		}
	} else if err := n.Cases.Arrived(ctx, tx, in); err != nil {
		return err
	}
	if err := markExercise(ctx, tx, h); err != nil {
		return err
	}
	if err := n.recordExercise(ctx, tx, h, false); err != nil {
		return err
	}
	rd := in.Receipt.Digest
	_, err := auditlog.Append(ctx, tx, auditlog.Record{
		Kind: auditlog.EnvelopeReceived, Time: in.Receipt.ReceivedAt, Actor: h.Sender, Case: h.CaseRef,
		MessageID: h.ID, Digest: envelopeDigest(in.Envelope),
		Details: map[string]string{"via": in.Via, "kind": string(h.Kind), "subkind": h.Subkind, "handling": string(h.Handling),
			"receipt_digest": "sha256:" + hex.EncodeToString(rd[:])},
	})
	return err
}

// delivered is the hook run when a peer's receipt is stored.
func (n *Node) delivered(ctx context.Context, tx *sql.Tx, messageID string, r *envelope.Receipt) error {
	if err := n.Cases.Delivered(ctx, tx, messageID, r); err != nil {
		return err
	}
	_, err := auditlog.Append(ctx, tx, auditlog.Record{
		Kind: auditlog.ReceiptReceived, Time: n.Clock.Now(), Actor: r.Receiver, MessageID: messageID,
		Digest:  "sha256:" + hex.EncodeToString(r.Digest[:]),
		Details: map[string]string{"received_at": r.ReceivedAt.Format("2006-01-02T15:04:05Z"), "receiver_key": r.ReceiverKeyID},
	})
	return err
}

// auditedRejections records each inbox refusal of an authenticated
// envelope (its signature verified) in the rejection table and the audit
// log together. A refusal of unauthenticated input is only a claim of
// anyone at all: it is counted (metrics) and aggregated into one audit
// record per source address and minute (edge.go), never recorded as the
// claimed sender's act.
type auditedRejections struct{ n *Node }

func (a auditedRejections) RecordRejection(ctx context.Context, r federation.RejectionRecord) error {
	if r.Code.Unauthenticated() {
		a.n.unauth.add(federation.RemoteFrom(ctx), r)
		return nil
	}
	return a.n.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := federation.InsertRejection(ctx, tx, r); err != nil {
			return err
		}
		actor := r.Sender
		if actor == "" {
			actor = "unknown"
		}
		_, err := auditlog.Append(ctx, tx, auditlog.Record{
			Kind: auditlog.InboxRejection, Time: r.At, Actor: actor, MessageID: r.MessageID,
			Details: map[string]string{"code": string(r.Code), "via": r.Via, "size": strconv.Itoa(r.Size), "claimed_recipient": r.Recipient},
		})
		return err
	})
}

// auditDirectory records an accepted directory snapshot.
func (n *Node) auditDirectory(ctx context.Context, tx *sql.Tx, serial uint64, digest string) error {
	_, err := auditlog.Append(ctx, tx, auditlog.Record{
		Kind: auditlog.AdminChange, Time: n.Clock.Now(), Actor: "system", Digest: "sha256:" + digest,
		Details: map[string]string{"change": "directory snapshot accepted", "serial": fmt.Sprint(serial)},
	})
	return err
}

// markExercise flags the request an exercise envelope carried, in the
// transaction that stores it, so that statistics never count a drill as
// real work (package stats), even after the envelope itself is purged.
func markExercise(ctx context.Context, tx *sql.Tx, h envelope.Header) error {
	if !h.Exercise || h.Kind != envelope.KindRequest {
		return nil
	}
	return cases.MarkExerciseTx(ctx, tx, h.ID)
}
