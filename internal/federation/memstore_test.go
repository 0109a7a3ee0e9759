package federation

import (
	"context"
	"errors"
	"sync"

	"github.com/art35/art35/internal/apperr"
)

// memStore is an in-memory InboxStore and RejectionLog for tests only; the
// real one is internal/store on SQLite and PostgreSQL. It keeps the two
// uniqueness rules of the interface (message id; sender and idempotency key).
type memStore struct {
	mu         sync.Mutex
	byID       map[string]*Inbound
	byKey      map[[2]string]*Inbound
	rejections []RejectionRecord
	// missLookups makes that many lookups report "not found", to replay
	// the race of two deliveries of one message checking at the same time.
	missLookups int
	failSave    error
	failAudit   error
}

func newMemStore() *memStore {
	return &memStore{byID: map[string]*Inbound{}, byKey: map[[2]string]*Inbound{}}
}

func stored(in *Inbound) *Stored {
	return &Stored{Digest: in.Envelope.Digest(), Receipt: in.Receipt}
}

func (m *memStore) InboundByID(_ context.Context, id string) (*Stored, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.missLookups > 0 {
		m.missLookups--
		return nil, nil
	}
	if in, ok := m.byID[id]; ok {
		return stored(in), nil
	}
	return nil, nil
}

func (m *memStore) InboundByIdempotencyKey(_ context.Context, sender, key string) (*Stored, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.missLookups > 0 {
		m.missLookups--
		return nil, nil
	}
	if in, ok := m.byKey[[2]string{sender, key}]; ok {
		return stored(in), nil
	}
	return nil, nil
}

func (m *memStore) SaveInbound(_ context.Context, in *Inbound) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failSave != nil {
		return m.failSave
	}
	h := in.Envelope.Header
	k := [2]string{h.Sender, h.IdempotencyKey}
	if m.byID[h.ID] != nil || m.byKey[k] != nil {
		return apperr.Errorf(apperr.EConflict, "inbound %s already stored", h.ID)
	}
	m.byID[h.ID] = in
	m.byKey[k] = in
	return nil
}

func (m *memStore) RecordRejection(_ context.Context, r RejectionRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failAudit != nil {
		return m.failAudit
	}
	m.rejections = append(m.rejections, r)
	return nil
}

func (m *memStore) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.byID)
}

var errDisk = errors.New("disk full")
