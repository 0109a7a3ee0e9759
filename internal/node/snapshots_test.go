package node_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

var ctx = context.Background()

func TestMetaUpsert(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		for _, v := range []string{"IT", "FR"} {
			if err := node.NewMeta(db).Set(ctx, "party", v); err != nil {
				t.Fatal(err)
			}
		}
		if v, err := node.NewMeta(db).Get(ctx, "party"); err != nil || v != "FR" {
			t.Fatalf("got %q, %v", v, err)
		}
	})
}

func TestSnapshotHistoryAndNoRollback(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		if _, err := node.NewSnapshots(db).Latest(ctx); !apperr.Is(err, apperr.ENotFound) {
			t.Fatalf("empty store: got %v", err)
		}
		base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		rec := func(serial uint64) node.SnapshotRecord {
			return node.SnapshotRecord{
				Serial: serial, IssuedAt: base.Add(time.Duration(serial) * time.Hour),
				ValidUntil: base.AddDate(0, 1, 0), Digest: "d" + string(rune('0'+serial)),
				Signed: []byte{byte(serial), 0, 255}, AcceptedAt: base.Add(time.Duration(serial)*time.Hour + time.Minute),
			}
		}
		for _, s := range []uint64{1, 2, 5} {
			if err := node.NewSnapshots(db).Save(ctx, rec(s)); err != nil {
				t.Fatalf("save %d: %v", s, err)
			}
		}
		for _, s := range []uint64{5, 3} {
			if err := node.NewSnapshots(db).Save(ctx, rec(s)); !apperr.Is(err, apperr.EConflict) {
				t.Errorf("serial %d after 5: got %v, want conflict", s, err)
			}
		}
		latest, err := node.NewSnapshots(db).Latest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := rec(5)
		if latest.Serial != 5 || string(latest.Signed) != string(want.Signed) || !latest.IssuedAt.Equal(want.IssuedAt) || !latest.AcceptedAt.Equal(want.AcceptedAt) {
			t.Fatalf("latest = %+v, want %+v", latest, want)
		}
		hist, err := node.NewSnapshots(db).History(ctx)
		if err != nil || len(hist) != 3 || hist[0].Serial != 5 || hist[2].Serial != 1 {
			t.Fatalf("history = %+v, %v", hist, err)
		}
	})
}

// TestConcurrentSnapshotSaves checks that the no-rollback rule holds when
// several writers race: exactly one of them can store each serial.
func TestConcurrentSnapshotSaves(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = node.NewSnapshots(db).Save(ctx, node.SnapshotRecord{
					Serial: 7, Digest: "same-serial-" + string(rune('a'+i)), Signed: []byte{1},
					IssuedAt: time.Unix(0, 0), ValidUntil: time.Unix(0, 0), AcceptedAt: time.Unix(0, 0),
				})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !apperr.Is(err, apperr.EConflict):
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d writers stored serial 7, want exactly 1", ok)
		}
	})
}
