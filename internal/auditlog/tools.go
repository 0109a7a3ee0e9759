package auditlog

import (
	"context"
	"crypto/ed25519"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/store"
	"golang.org/x/mod/sumdb/note"
)

// VerifyWithKeys is Verify against the checkpoints signed by any of pubs
// (the node's key and, after a rotation, its earlier ones) for the log
// named origin.
func VerifyWithKeys(ctx context.Context, db *store.DB, origin string, pubs ...ed25519.PublicKey) (Report, error) {
	var verifiers []note.Verifier
	for _, p := range pubs {
		v, err := NewVerifier(origin, p)
		if err != nil {
			return Report{}, err
		}
		verifiers = append(verifiers, v)
	}
	return Verify(ctx, db, verifiers...)
}

// ProveNow is Prove after signing a checkpoint when the message's newest
// record is not covered by the latest one, so the bundle holds every
// record of the message. signed is that new checkpoint, nil if none was
// needed.
func (l *Log) ProveNow(ctx context.Context, messageID string) (b *Bundle, signed *Checkpoint, err error) {
	db := l.DB
	newest, err := List(ctx, db, Query{MessageID: messageID, Limit: 1})
	if err != nil {
		return nil, nil, err
	}
	if len(newest) > 0 {
		last, err := Latest(ctx, db)
		if err != nil && !apperr.Is(err, apperr.ENotFound) {
			return nil, nil, err
		}
		if err != nil || last.Size <= newest[0].Index {
			c, err := l.Checkpoint(ctx)
			if err != nil {
				return nil, nil, err
			}
			signed = &c
		}
	}
	b, err = Prove(ctx, db, messageID)
	return b, signed, err
}
