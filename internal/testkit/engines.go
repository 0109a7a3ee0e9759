package testkit

import (
	"testing"

	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

// ForEachEngine is storetest.ForEachEngine with the two halves run at
// once: fn runs as a parallel subtest named for each engine
// (storetest.Backends), and the PostgreSQL one is skipped (failed under
// ART35_REQUIRE_ALL=1) without a server. A test that starts its own
// nodes and databases spends much of its time waiting for them (the
// disk, the network, another process), which the other engine's half
// can use. fn must not share anything it changes between the two calls.
func ForEachEngine(t *testing.T, fn func(t *testing.T, backend string)) {
	t.Helper()
	for _, b := range storetest.Backends {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			if b == store.Postgres {
				storetest.RequirePostgres(t)
			}
			fn(t, b)
		})
	}
}

// ForEachBackend is storetest.ForEachBackend with the two halves run at
// once: fn runs as a parallel subtest on a fresh, migrated database of
// each engine. fn must not share anything it changes between the calls.
func ForEachBackend(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, b := range storetest.Backends {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			fn(t, storetest.Open(t, b))
		})
	}
}
