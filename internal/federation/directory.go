package federation

import (
	"context"
	"crypto/ecdh"
	"sync"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/keys"
)

// DirectoryKeys implements Keys over the node's current, verified
// directory snapshot, and tells the sending side where a peer is (Peer)
// and which key to encrypt to (EncryptionKey). The node replaces the
// snapshot with SetSnapshot when it accepts a new one, so a key revoked in
// a snapshot is refused from that snapshot on. It is safe for concurrent use.
type DirectoryKeys struct {
	mu     sync.RWMutex
	serial uint64
	byID   map[string]*directory.Authority
	locals map[string]*Identity
}

// NewDirectoryKeys returns a DirectoryKeys for snap and the authorities this
// node serves.
func NewDirectoryKeys(snap *directory.Snapshot, locals ...*Identity) *DirectoryKeys {
	d := &DirectoryKeys{locals: map[string]*Identity{}}
	for _, id := range locals {
		d.locals[id.Authority] = id
	}
	d.SetSnapshot(snap)
	return d
}

// SetSnapshot makes snap the directory the checks use. The caller has
// verified its signature and that it is newer than the current one.
func (d *DirectoryKeys) SetSnapshot(snap *directory.Snapshot) {
	byID := map[string]*directory.Authority{}
	for i := range snap.Parties {
		for j := range snap.Parties[i].Authorities {
			a := snap.Parties[i].Authorities[j] // a copy: later changes to snap do not leak in
			byID[a.ID] = &a
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.serial, d.byID = snap.Serial, byID
}

func (d *DirectoryKeys) authority(id string) (*directory.Authority, uint64, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	a, ok := d.byID[id]
	if !ok {
		return nil, d.serial, apperr.Errorf(apperr.ENotFound, "authority %q is not in directory snapshot %d", id, d.serial)
	}
	return a, d.serial, nil
}

// SigningKey implements Keys.
func (d *DirectoryKeys) SigningKey(_ context.Context, authority, keyID string) (SenderKey, error) {
	a, serial, err := d.authority(authority)
	if err != nil {
		return SenderKey{}, err
	}
	for _, k := range a.Keys {
		if k.Use != directory.UseSigning || keys.ID(k.Public) != keyID {
			continue
		}
		pub, err := keys.ParseSigningPublic(k.Public)
		if err != nil {
			return SenderKey{}, apperr.Wrap(apperr.ENotFound, err, "authority %s signing key %s in directory snapshot %d is unreadable", authority, keyID, serial)
		}
		return SenderKey{Public: pub, ValidFrom: k.ValidFrom, ValidUntil: k.ValidUntil, Revoked: k.Revoked}, nil
	}
	return SenderKey{}, apperr.Errorf(apperr.ENotFound, "authority %s has no signing key %s in directory snapshot %d", authority, keyID, serial)
}

// Local implements Keys.
func (d *DirectoryKeys) Local(authority string) (*Identity, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	id, ok := d.locals[authority]
	return id, ok
}

// Peer returns where to deliver envelopes for an authority: its endpoint
// and TLS fingerprint from the directory.
func (d *DirectoryKeys) Peer(authority string) (Peer, error) {
	a, serial, err := d.authority(authority)
	if err != nil {
		return Peer{}, err
	}
	if a.Endpoint == "" {
		return Peer{}, apperr.Errorf(apperr.ENotFound, "authority %s has no node endpoint in directory snapshot %d; it can only be reached out of band", authority, serial)
	}
	return Peer{Authority: authority, URL: a.Endpoint, Pin: a.TLSFingerprint}, nil
}

// EncryptionKey returns the key to seal an envelope for authority at the
// instant at: of its encryption keys valid then, the one that became valid
// last, so that senders move to a rotated key as soon as it is published
// while the old one still decrypts what is in flight.
func (d *DirectoryKeys) EncryptionKey(authority string, at time.Time) (*ecdh.PublicKey, error) {
	a, serial, err := d.authority(authority)
	if err != nil {
		return nil, err
	}
	var best *directory.Key
	for i := range a.Keys {
		k := &a.Keys[i]
		if k.Use != directory.UseEncryption || !k.ValidAt(at) {
			continue
		}
		if best == nil || k.ValidFrom.After(best.ValidFrom) {
			best = k
		}
	}
	if best == nil {
		return nil, apperr.Errorf(apperr.ENotFound, "authority %s has no encryption key valid at %s in directory snapshot %d", authority, at.UTC().Format(time.RFC3339), serial)
	}
	pub, err := keys.ParseEncryptionPublic(best.Public)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, err, "authority %s encryption key in directory snapshot %d", authority, serial)
	}
	return pub, nil
}
