package auditlog

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
	"github.com/art35/art35/internal/testkit"
)

// TestRun checks that the ticker loop makes checkpoints as the injected
// clock says they are due, and stops with its context. Which checkpoints
// are due is decided by CheckpointIfDue (tested step by step above); here
// the test only waits (up to a generous bound, asserting nothing about
// time) for the loop to have acted.
func TestRun(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		appendN(t, db, 0, 3)
		l := newTestLog(t, db, "IT-247")
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		done := make(chan error, 1)
		const interval = 4 * time.Millisecond // polls every millisecond
		go func() { done <- l.Run(ctx, interval) }()
		waitFor := func(size int64) {
			t.Helper()
			testkit.Eventually(t, fmt.Sprintf("a checkpoint of size %d", size), func() bool {
				c, err := Latest(ctx, db)
				return err == nil && c.Size == size
			})
		}
		waitFor(3) // the first checkpoint is due at once
		appendN(t, db, 3, 5)
		l.clock.Advance(time.Hour)
		waitFor(5)
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Run = %v, want context.Canceled", err)
		}
	})
}

func TestRunRefusesBadInterval(t *testing.T) {
	t.Parallel()
	l := &Log{}
	if err := l.Run(context.Background(), 0); !apperr.Is(err, apperr.EInvalid) {
		t.Fatalf("Run(0) = %v, want EInvalid", err)
	}
}
