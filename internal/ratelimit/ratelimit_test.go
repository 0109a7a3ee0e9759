package ratelimit

import (
	"context"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestSource(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7:4000":                "192.0.2.7",
		"[2001:db8:1:2:3:4:5:6]:443":    "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff:4:5:6]:443": "2001:db8:1:2::/64",
		"[::ffff:192.0.2.9]:80":         "192.0.2.9",
		"not an address":                "not an address",
	} {
		if got := Source(in); got != want {
			t.Errorf("Source(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPerSource(t *testing.T) {
	p := NewPerSource(rate.Every(time.Minute), 3)
	p.Max = 2
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		if !p.Allow("a", now) {
			t.Fatalf("a: token %d refused", i)
		}
	}
	if p.Allow("a", now) || !p.Exhausted("a", now) {
		t.Fatal("a: a fourth token in the same instant")
	}
	if p.Exhausted("b", now) || !p.Allow("b", now) {
		t.Fatal("b is not a's bucket")
	}
	if !p.Allow("a", now.Add(time.Minute)) {
		t.Fatal("a: no token after a minute")
	}
	// Charge takes the cost even beyond what is left, up to the burst:
	// the source is then exhausted until the debt is repaid.
	p.Charge("b", now, 50)
	if !p.Exhausted("b", now) {
		t.Fatal("b: not exhausted after a charge")
	}
	if p.Exhausted("b", now.Add(4*time.Minute)) {
		t.Fatal("b: still exhausted after the debt was repaid")
	}
	// The table is bounded: past Max sources, new ones share one bucket.
	if len(p.m) > p.Max {
		t.Fatalf("%d sources tracked, max %d", len(p.m), p.Max)
	}
}

func TestGate(t *testing.T) {
	g := NewGate(1, 10*time.Millisecond)
	release, ok := g.Enter(context.Background())
	if !ok {
		t.Fatal("empty gate refused")
	}
	if _, ok := g.Enter(context.Background()); ok {
		t.Fatal("full gate let a second in")
	}
	release()
	if r, ok := g.Enter(context.Background()); !ok {
		t.Fatal("freed gate refused")
	} else {
		r()
	}
}

func TestBudget(t *testing.T) {
	b := NewBudget(100)
	r1, ok := b.Reserve(60, time.Millisecond)
	if !ok {
		t.Fatal("first reservation refused")
	}
	if _, ok := b.Reserve(50, 10*time.Millisecond); ok {
		t.Fatal("over budget reserved")
	}
	r2, ok := b.Reserve(40, time.Millisecond)
	if !ok || b.InUse() != 100 {
		t.Fatalf("a small reservation that fits: %v, in use %d", ok, b.InUse())
	}
	done := make(chan bool)
	go func() {
		_, ok := b.Reserve(50, 5*time.Second)
		done <- ok
	}()
	time.Sleep(10 * time.Millisecond)
	r1()
	r1() // a second release is a no-op
	if !<-done {
		t.Fatal("a waiter did not get the freed bytes")
	}
	r2()
	if b.InUse() != 50 {
		t.Fatalf("in use %d, want 50", b.InUse())
	}
}

// Source reads a remote address: it must never panic, and equal inputs
// map to one key.
func FuzzSource(f *testing.F) {
	for _, s := range []string{"192.0.2.1:80", "[2001:db8::1]:443", "[::ffff:1.2.3.4]:1", "", ":", "[", "%zone", "[fe80::1%eth0]:22"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := Source(s)
		if b := Source(s); a != b {
			t.Fatalf("Source(%q) = %q, then %q", s, a, b)
		}
	})
}
