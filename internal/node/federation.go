package node

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"fmt"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/outbox"
)

// Apply writes the entry into a directory snapshot: the party's authority
// with this id gets the node's endpoint, TLS pin and keys (added if the
// party has no such authority yet). This is what the secretariat does with
// the public entry a new node sends; the test network and the demo use it
// to list their nodes.
func (e PublicEntry) Apply(s *directory.Snapshot) error {
	p, ok := s.Party(e.Party)
	if !ok {
		return apperr.Errorf(apperr.ENotFound, "party %s is not in the directory snapshot", e.Party)
	}
	var a *directory.Authority
	for i := range p.Authorities {
		if p.Authorities[i].ID == e.Authority {
			a = &p.Authorities[i]
		}
	}
	if a == nil {
		role := directory.RolePointOfContact
		if e.Role != "" {
			role = directory.Role(e.Role)
		}
		p.Authorities = append(p.Authorities, directory.Authority{ID: e.Authority, Role: role})
		a = &p.Authorities[len(p.Authorities)-1]
	}
	a.Endpoint, a.TLSFingerprint = e.Endpoint, e.TLSFingerprint
	// A new key of a use rotates the old ones out: they stay listed, so
	// what they signed can still be checked, and stay valid for
	// KeyRotationOverlap so that envelopes already in flight arrive.
	fresh := map[string]bool{}
	for _, k := range e.Keys {
		fresh[k.Public] = true
	}
	var kept []directory.Key
	for _, old := range a.Keys {
		if fresh[old.Public] {
			continue
		}
		for _, k := range e.Keys {
			if string(old.Use) == k.Use && (old.ValidUntil.IsZero() || old.ValidUntil.After(k.ValidFrom.Add(KeyRotationOverlap))) {
				old.ValidUntil = k.ValidFrom.Add(KeyRotationOverlap)
			}
		}
		kept = append(kept, old)
	}
	for _, k := range e.Keys {
		kept = append(kept, directory.Key{Use: directory.KeyUse(k.Use), Public: k.Public, ID: k.ID, ValidFrom: k.ValidFrom})
	}
	a.Keys = kept
	return nil
}

// KeyRotationOverlap is how long a replaced key stays valid after its
// successor's start, for envelopes sealed before the rotation.
const KeyRotationOverlap = 7 * 24 * time.Hour

// dirKeys answers the federation package's questions about keys and peers
// from the node's current directory (federation.DirectoryKeys, refreshed
// whenever the node accepts a newer snapshot) and its own key files.
type dirKeys struct{ n *Node }

func (k dirKeys) current(ctx context.Context) (*federation.DirectoryKeys, error) {
	if _, err := k.n.Directory(ctx); err != nil {
		return nil, err
	}
	return k.n.keys, nil
}

// SigningKey returns an authority's signing key by id from the directory.
func (k dirKeys) SigningKey(ctx context.Context, authority, keyID string) (federation.SenderKey, error) {
	d, err := k.current(ctx)
	if err != nil {
		return federation.SenderKey{}, err
	}
	return d.SigningKey(ctx, authority, keyID)
}

// Local returns this node's identity when asked for its own authority.
func (k dirKeys) Local(authority string) (*federation.Identity, bool) {
	return k.n.keys.Local(authority)
}

// Peer returns where an authority is reached, from the directory.
func (k dirKeys) Peer(ctx context.Context, authority string) (federation.Peer, error) {
	d, err := k.current(ctx)
	if err != nil {
		return federation.Peer{}, err
	}
	return d.Peer(authority)
}

// Seal seals body for recipient, using the recipient's current encryption
// key from the directory, and fills the header fields the node owns (id,
// sender, key ids, created, expires when unset).
func (n *Node) Seal(ctx context.Context, h envelope.Header, body []byte) (*envelope.Envelope, error) {
	d, err := n.Directory(ctx)
	if err != nil {
		return nil, err
	}
	_, a, ok := d.AuthorityByID(h.Recipient)
	if !ok {
		return nil, apperr.Errorf(apperr.ENotFound, "recipient %s is not in the directory (snapshot %d)", h.Recipient, d.Serial)
	}
	now := n.Clock.Now()
	ek, ok := a.KeyFor(directory.UseEncryption, now)
	if !ok {
		return nil, apperr.Errorf(apperr.ENotFound, "the directory lists no valid encryption key for %s: it cannot receive envelopes yet", h.Recipient)
	}
	pub, err := keys.ParseEncryptionPublic(ek.Public)
	if err != nil {
		return nil, fmt.Errorf("encryption key of %s: %w", h.Recipient, err)
	}
	if h.ID == "" {
		if h.ID, err = envelope.NewID(rand.Reader); err != nil {
			return nil, err
		}
	}
	h.Sender = n.Config.Authority
	h.SenderKeyID = keys.ID(keys.FormatSigningPublic(n.Signing.Public().(ed25519.PublicKey)))
	h.RecipientKeyID = keys.ID(ek.Public)
	if h.Created.IsZero() {
		h.Created = now.Truncate(time.Second)
	}
	if h.Expires.IsZero() {
		h.Expires = h.Created.Add(7 * 24 * time.Hour)
	}
	if h.Handling == "" {
		h.Handling = envelope.H0
	}
	return envelope.Seal(h, body, n.Signing, pub)
}

// Send seals body for the header's recipient and queues it for delivery in
// one transaction with change, the business change that causes the
// message (nil when there is none): both are stored, or neither.
func (n *Node) Send(ctx context.Context, h envelope.Header, body []byte, change func(tx *sql.Tx) error) (*envelope.Envelope, error) {
	h, err := n.tagExercise(ctx, h)
	if err != nil {
		return nil, err
	}
	env, err := n.Seal(ctx, h, body)
	if err != nil {
		return nil, err
	}
	err = n.DB.Tx(ctx, func(tx *sql.Tx) error {
		if change != nil {
			if err := change(tx); err != nil {
				return err
			}
		}
		if err := markExercise(ctx, tx, env.Header); err != nil {
			return err
		}
		if err := n.recordExercise(ctx, tx, env.Header, true); err != nil {
			return err
		}
		if err := federation.Enqueue(ctx, tx, env, outbox.IsEmergency(env.Header), n.Clock.Now()); err != nil {
			return err
		}
		return n.auditSent(ctx, tx, env)
	})
	if err != nil {
		return nil, err
	}
	n.wakeOutbox()
	return env, nil
}

// Outgoing is one message of SendMany: a header and its body.
type Outgoing struct {
	Header envelope.Header
	Body   []byte
}

// SendMany is Send for several messages at once: each is sealed, then all
// are queued, each with its audit record, in one transaction with change
// (nil when there is none). A campaign that messages the whole network
// commits once instead of once per message; either every message is
// queued, or none is.
func (n *Node) SendMany(ctx context.Context, msgs []Outgoing, change func(tx *sql.Tx) error) ([]*envelope.Envelope, error) {
	envs := make([]*envelope.Envelope, len(msgs))
	for i, m := range msgs {
		h, err := n.tagExercise(ctx, m.Header)
		if err != nil {
			return nil, err
		}
		if envs[i], err = n.Seal(ctx, h, m.Body); err != nil {
			return nil, fmt.Errorf("message %d to %s: %w", i, h.Recipient, err)
		}
	}
	err := n.DB.Tx(ctx, func(tx *sql.Tx) error {
		if change != nil {
			if err := change(tx); err != nil {
				return err
			}
		}
		now := n.Clock.Now()
		for _, env := range envs {
			if err := markExercise(ctx, tx, env.Header); err != nil {
				return err
			}
			if err := n.recordExercise(ctx, tx, env.Header, true); err != nil {
				return err
			}
			if err := federation.Enqueue(ctx, tx, env, outbox.IsEmergency(env.Header), now); err != nil {
				return err
			}
			if err := n.auditSent(ctx, tx, env); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	n.wakeOutbox()
	return envs, nil
}

// wakeOutbox makes the delivery worker run a pass now rather than at its
// next tick, so a new request leaves at once.
func (n *Node) wakeOutbox() {
	select {
	case n.outboxWake <- struct{}{}:
	default:
	}
}

// peerSigningKey returns an authority's current signing key from the
// directory (the key its audit-log checkpoints are signed with).
func (n *Node) peerSigningKey(ctx context.Context, authority string) (ed25519.PublicKey, error) {
	d, err := n.Directory(ctx)
	if err != nil {
		return nil, err
	}
	_, a, ok := d.AuthorityByID(authority)
	if !ok {
		return nil, apperr.Errorf(apperr.ENotFound, "authority %s is not in the directory", authority)
	}
	k, ok := a.KeyFor(directory.UseSigning, n.Clock.Now())
	if !ok {
		return nil, apperr.Errorf(apperr.ENotFound, "the directory lists no valid signing key for %s", authority)
	}
	return keys.ParseSigningPublic(k.Public)
}

// admit is the inbox's admission policy. A service provider's node (its
// authority has the provider role in the directory) takes orders from its
// own country's authorities, and from another party's authority only where
// the route table allows a direct order of that type (admit_direct.go);
// anyone else must go through that country's point of contact (SPEC story
// 7). Everyone else admits every authenticated sender.
func (n *Node) admit(ctx context.Context, h envelope.Header) error {
	if h.Kind != envelope.KindRequest {
		return nil
	}
	d, err := n.Directory(ctx)
	if err != nil {
		return err
	}
	_, me, ok := d.AuthorityByID(n.Config.Authority)
	if !ok || me.Role != directory.RoleProvider {
		return nil
	}
	return n.admitDirect(d, h)
}
