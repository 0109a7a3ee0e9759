package storetest

import (
	"testing"

	"github.com/art35/art35/internal/store"
)

// ForEachEngineParallel is ForEachEngine with the two halves run side by
// side: fn runs as a parallel subtest named for each backend. A test that
// starts its own nodes and databases spends most of its time waiting (the
// disk, the sockets, another process), which the other engine's half can
// use. fn must not share anything it changes between the two calls.
func ForEachEngineParallel(t *testing.T, fn func(t *testing.T, backend string)) {
	t.Helper()
	for _, b := range Backends {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			if b == store.Postgres {
				RequirePostgres(t)
			}
			fn(t, b)
		})
	}
}

// ForEachBackendParallel is ForEachBackend with the two halves run side
// by side, each on a fresh, migrated database of its own. fn must not
// share anything it changes between the two calls.
func ForEachBackendParallel(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, b := range Backends {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			fn(t, Open(t, b))
		})
	}
}
