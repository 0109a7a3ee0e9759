package testnet

import (
	"context"
	"testing"

	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

// StartTest starts a test network for t on the given engine and closes it
// when t ends. It is the one way tests start a network: the services a
// node runs come in through opt.Setup (for example app.RegisterPing), the
// engine through backend (store.SQLite, a file in each data folder, or
// store.Postgres, a fresh schema for each node, skipped when no server is
// configured; see storetest). opt.Dir defaults to a temporary folder.
func StartTest(t *testing.T, backend string, opt Options) *Net {
	t.Helper()
	if opt.Dir == "" {
		opt.Dir = t.TempDir()
	}
	if backend == store.Postgres && opt.Database == nil {
		dsns := map[string]string{}
		for _, p := range opt.Parties {
			dsns[p] = storetest.DSN(t, store.Postgres)
		}
		for _, p := range opt.Providers {
			dsns[p.Name] = storetest.DSN(t, store.Postgres)
		}
		opt.Database = func(p string) (string, error) { return dsns[p], nil }
	}
	n, err := Start(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := n.Close(); err != nil {
			t.Error(err)
		}
	})
	return n
}
