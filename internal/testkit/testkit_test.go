package testkit_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/art35/art35/internal/testkit"
)

func TestEventuallyWaitsForCondition(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	testkit.Eventually(t, "the third check", func() bool { return calls.Add(1) >= 3 })
	if calls.Load() != 3 {
		t.Fatalf("checked %d times, want 3 (stop at the first success)", calls.Load())
	}
}

// failRecorder is a testing.TB that records Fatalf instead of stopping the
// real test.
type failRecorder struct {
	testing.TB
	failed bool
	msg    string
}

func (f *failRecorder) Helper() {}
func (f *failRecorder) Fatalf(format string, args ...any) {
	f.failed, f.msg = true, format
	panic(f) // Fatalf must not return; the panic stands in for runtime.Goexit
}

func TestEventuallyFailsNamingWhat(t *testing.T) {
	t.Parallel()
	rec := &failRecorder{TB: t}
	func() {
		defer func() {
			if r := recover(); r != rec {
				t.Fatalf("unexpected panic %v", r)
			}
		}()
		testkit.EventuallyWithin(rec, 50*time.Millisecond, "a condition that never holds", func() bool { return false })
	}()
	if !rec.failed {
		t.Fatal("a condition that never holds did not fail the test")
	}
}
