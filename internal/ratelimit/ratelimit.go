// Package ratelimit holds the bounds of a node's public edge: token
// buckets per source address (golang.org/x/time/rate), a gate that bounds
// how many costly operations run at once (password hashes), and a budget
// of bytes in flight across all connections (inbox bodies). Each refuses
// quickly rather than queueing without end, so a flood costs the node a
// bounded amount of memory and a few microseconds per refused request.
package ratelimit

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Source returns the key of a client address for per-source limits: the
// IP of a "host:port" remote address, and for IPv6 its /64 (one machine
// usually holds a whole /64, so counting single v6 addresses would be
// easy to dodge). An address that does not parse is its own key.
func Source(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// PerSource is a token bucket per source key. Entries idle for longer
// than it takes their bucket to refill are forgotten, and the table is
// bounded: when full, the new source shares one overflow bucket, so a
// spoofing flood cannot grow memory.
type PerSource struct {
	// Rate and Burst are each source's bucket.
	Rate  rate.Limit
	Burst int
	// Max bounds the number of sources tracked; 0 means 10000.
	Max int

	mu       sync.Mutex
	m        map[string]*entry
	overflow *rate.Limiter
	swept    time.Time
}

type entry struct {
	l    *rate.Limiter
	last time.Time
}

// NewPerSource returns a limiter of r events a second with burst b for
// each source.
func NewPerSource(r rate.Limit, b int) *PerSource { return &PerSource{Rate: r, Burst: b} }

func (p *PerSource) get(key string, now time.Time) *rate.Limiter {
	if p.m == nil {
		p.m = map[string]*entry{}
		p.overflow = rate.NewLimiter(p.Rate, p.Burst)
	}
	if e, ok := p.m[key]; ok {
		e.last = now
		return e.l
	}
	max := p.Max
	if max <= 0 {
		max = 10000
	}
	if len(p.m) >= max && now.Sub(p.swept) > time.Second {
		p.sweep(now)
	}
	if len(p.m) >= max {
		return p.overflow
	}
	e := &entry{l: rate.NewLimiter(p.Rate, p.Burst), last: now}
	p.m[key] = e
	return e.l
}

// sweep forgets sources whose bucket has refilled (idle long enough that
// a fresh bucket would be the same).
func (p *PerSource) sweep(now time.Time) {
	p.swept = now
	refill := time.Minute
	if p.Rate > 0 {
		refill = time.Duration(float64(p.Burst)/float64(p.Rate)*float64(time.Second)) + time.Second
	}
	for k, e := range p.m {
		if now.Sub(e.last) > refill {
			delete(p.m, k)
		}
	}
}

// Allow takes one token from key's bucket and reports whether there was one.
func (p *PerSource) Allow(key string, now time.Time) bool { return p.AllowN(key, now, 1) }

// AllowN takes n tokens from key's bucket if it holds that many and
// reports whether it did.
func (p *PerSource) AllowN(key string, now time.Time, n int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.get(key, now).AllowN(now, n)
}

// Charge takes n tokens from key's bucket (at most the burst) whether or
// not it holds them, leaving it in debt: for a cost already paid, such as
// a refused body that had to be read. Exhausted is then true until the
// bucket has refilled past the debt.
func (p *PerSource) Charge(key string, now time.Time, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.get(key, now)
	l.ReserveN(now, min(max(n, 1), max(l.Burst(), 1)))
}

// Exhausted reports whether key's bucket is empty now, without taking a
// token: the inbox asks before reading a body whether this source has
// used up its allowance of refusals.
func (p *PerSource) Exhausted(key string, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		return false
	}
	e, ok := p.m[key]
	if !ok {
		return false
	}
	return e.l.TokensAt(now) < 1
}

// Gate bounds how many operations run at once. A caller that finds it
// full waits up to Wait for a slot, then gives up.
type Gate struct {
	slots chan struct{}
	wait  time.Duration
}

// NewGate returns a gate of n slots (at least 1) whose callers wait at
// most wait for one.
func NewGate(n int, wait time.Duration) *Gate {
	return &Gate{slots: make(chan struct{}, max(n, 1)), wait: wait}
}

// Size is the number of slots.
func (g *Gate) Size() int { return cap(g.slots) }

// Enter takes a slot, waiting at most the gate's wait (or until ctx ends),
// and returns the function that gives it back; ok is false when no slot
// came free in time.
func (g *Gate) Enter(ctx context.Context) (release func(), ok bool) {
	select {
	case g.slots <- struct{}{}:
		return g.release, true
	default:
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.release, true
	case <-t.C:
		return nil, false
	case <-ctx.Done():
		return nil, false
	}
}

func (g *Gate) release() { <-g.slots }

// Budget is a number of bytes shared by all requests in flight: each
// reserves what it may read before reading it. Small reservations are
// not held up behind large ones: whoever fits goes.
type Budget struct {
	mu    sync.Mutex
	cond  *sync.Cond
	total int64
	used  int64
}

// NewBudget returns a budget of total bytes.
func NewBudget(total int64) *Budget {
	b := &Budget{total: total}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// Total is the budget's size in bytes.
func (b *Budget) Total() int64 { return b.total }

// InUse is how many bytes are reserved now.
func (b *Budget) InUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// Reserve takes n bytes (at most the whole budget), waiting up to wait for
// them to come free, and returns the function that gives them back; ok is
// false when they did not come free in time.
func (b *Budget) Reserve(n int64, wait time.Duration) (release func(), ok bool) {
	n = min(max(n, 0), b.total)
	deadline := time.Now().Add(wait)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > b.total {
		// sync.Cond has no timed wait: a timer broadcasts at the deadline
		// so that this waiter wakes to give up.
		t := time.AfterFunc(wait, func() {
			b.mu.Lock()
			b.cond.Broadcast()
			b.mu.Unlock()
		})
		defer t.Stop()
		for b.used+n > b.total {
			if !time.Now().Before(deadline) {
				return nil, false
			}
			b.cond.Wait()
		}
	}
	b.used += n
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			b.used -= n
			b.cond.Broadcast()
			b.mu.Unlock()
		})
	}, true
}
