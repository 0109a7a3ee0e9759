package federation

import (
	"context"
	"crypto/ed25519"
	"sync"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/envelope"
)

// StaticKeys is a Keys held in memory: the node wiring fills it from the
// verified directory snapshot and its own key files, and replaces its
// content when a new snapshot arrives. It is safe for concurrent use.
type StaticKeys struct {
	mu      sync.RWMutex
	signing map[string]map[string]SenderKey // authority -> key id -> key
	local   map[string]*Identity
}

// NewStaticKeys returns an empty StaticKeys.
func NewStaticKeys() *StaticKeys {
	return &StaticKeys{signing: map[string]map[string]SenderKey{}, local: map[string]*Identity{}}
}

// AddSigningKey lists a signing key of authority; its id is derived from the key.
func (s *StaticKeys) AddSigningKey(authority string, k SenderKey) string {
	id := envelope.SigningKeyID(k.Public)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.signing[authority] == nil {
		s.signing[authority] = map[string]SenderKey{}
	}
	s.signing[authority][id] = k
	return id
}

// AddLocal declares an authority this node serves. Unless the directory
// already lists it, its signing key is also listed as a sender key, so
// that the node can check its own receipts and envelopes it sends itself.
func (s *StaticKeys) AddLocal(id *Identity) {
	pub := id.Signer.Public().(ed25519.PublicKey)
	kid := envelope.SigningKeyID(pub)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.signing[id.Authority] == nil {
		s.signing[id.Authority] = map[string]SenderKey{}
	}
	if _, ok := s.signing[id.Authority][kid]; !ok {
		s.signing[id.Authority][kid] = SenderKey{Public: pub}
	}
	s.local[id.Authority] = id
}

// SigningKey implements Keys.
func (s *StaticKeys) SigningKey(_ context.Context, authority, keyID string) (SenderKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	byID, ok := s.signing[authority]
	if !ok {
		return SenderKey{}, apperr.Errorf(apperr.ENotFound, "authority %q is not in the directory", authority)
	}
	k, ok := byID[keyID]
	if !ok {
		return SenderKey{}, apperr.Errorf(apperr.ENotFound, "authority %q has no signing key %s in the directory", authority, keyID)
	}
	return k, nil
}

// Local implements Keys.
func (s *StaticKeys) Local(authority string) (*Identity, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.local[authority]
	return id, ok
}
