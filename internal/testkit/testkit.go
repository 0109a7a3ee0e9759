// Package testkit holds what art35's tests share besides the test network
// (internal/testnet) and the two engines (internal/store/storetest): one
// way to wait for something another goroutine or node does.
package testkit

import (
	"testing"
	"time"
)

// Timeout is how long Eventually waits by default: long enough for a
// delivery between loopback nodes on a loaded CI machine running tests
// side by side (a run of three packages at once at load 30 on 2 cores
// took over 30 s for one), short enough to fail a broken test within
// two minutes.
const Timeout = 90 * time.Second

// poll is how often a condition is checked.
const poll = 20 * time.Millisecond

// Eventually waits until cond holds, checking it every few milliseconds,
// and fails the test naming what it waited for after Timeout. It is a
// bounded wait for work done elsewhere (an outbox, a worker, a peer), not
// a timing assertion: a slow machine makes it wait longer, never fail
// sooner.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	EventuallyWithin(t, Timeout, what, cond)
}

// EventuallyWithin is Eventually with its own limit.
func EventuallyWithin(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s", limit, what)
		}
		time.Sleep(poll)
	}
}
