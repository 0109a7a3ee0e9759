package node

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/ratelimit"
)

// The inbox's bounds (federation.Handler): bytes of bodies in flight
// across all connections, and unauthenticated refusals per source
// address. A real peer's envelopes verify and never spend the latter.
var (
	InboxBudget       int64 = 4*envelope.MaxWire + 16<<20 // four of the largest envelopes at once, and room for small ones
	InboxRefusalRate        = rate.Limit(10)              // a second, per source address
	InboxRefusalBurst       = 100
)

// inboxHandler builds the peers' inbox with its bounds and metrics.
func (n *Node) inboxHandler() *federation.Handler {
	// Refusals of envelopes whose signature verified are in the rejection
	// table, which internal/metrics reads as art35_inbox_refusals_total;
	// these are the others, which leave no row.
	refusals := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "art35_inbox_unauthenticated_refusals_total",
		Help: "Envelopes refused before their signature verified (aggregated in the audit log per source and minute), and the edge's own rate_limited and busy answers, by code, since the node started.",
	}, []string{"code"})
	n.Metrics.MustRegister(refusals)
	return &federation.Handler{
		Inbox:    n.Inbox,
		Log:      n.Log,
		Budget:   ratelimit.NewBudget(InboxBudget),
		Refusals: ratelimit.NewPerSource(InboxRefusalRate, InboxRefusalBurst),
		Refused: func(c federation.Code) {
			if c.Unauthenticated() || c == federation.CodeRateLimited || c == federation.CodeBusy {
				refusals.WithLabelValues(string(c)).Inc()
			}
		},
	}
}

// unauthRefusals aggregates refusals of unauthenticated input (anything
// refused before the signature verified) per source address and minute.
// Each bucket becomes ONE audit record, with actor "unauthenticated
// <address>", when its minute is over (flushRefusals): a flood of forged
// envelopes claiming to come from FR-247 costs one record a minute and
// never appears as FR-247's act.
type unauthRefusals struct {
	mu      sync.Mutex
	buckets map[refusalKey]*refusalBucket
}

type refusalKey struct {
	source string
	minute int64 // Unix minute
}

type refusalBucket struct {
	count   int
	bytes   int64
	codes   map[federation.Code]int
	claimed map[string]bool // claimed senders, at most maxClaimed
}

const (
	maxRefusalBuckets = 10000
	maxClaimed        = 5
)

func (u *unauthRefusals) add(source string, r federation.RejectionRecord) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.buckets == nil {
		u.buckets = map[refusalKey]*refusalBucket{}
	}
	if source == "" {
		source = "unknown"
	}
	k := refusalKey{source, r.At.Unix() / 60}
	b, ok := u.buckets[k]
	if !ok {
		if len(u.buckets) >= maxRefusalBuckets {
			k.source = "other" // bounded memory under a spoofing flood
			b = u.buckets[k]
		}
		if b == nil {
			b = &refusalBucket{codes: map[federation.Code]int{}, claimed: map[string]bool{}}
			u.buckets[k] = b
		}
	}
	b.count++
	b.bytes += int64(r.Size)
	b.codes[r.Code]++
	if r.Sender != "" && len(b.claimed) < maxClaimed {
		b.claimed[clip(r.Sender, 64)] = true
	}
}

func clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) > n {
		return s[:n]
	}
	return s
}

// take removes and returns the buckets of minutes before now's (all of
// them when all is set).
func (u *unauthRefusals) take(now time.Time, all bool) map[refusalKey]*refusalBucket {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := map[refusalKey]*refusalBucket{}
	cur := now.Unix() / 60
	for k, b := range u.buckets {
		if all || k.minute < cur {
			out[k] = b
			delete(u.buckets, k)
		}
	}
	return out
}

// flushRefusals writes one audit record per finished bucket.
func (n *Node) flushRefusals(ctx context.Context, all bool) error {
	done := n.unauth.take(n.Clock.Now(), all)
	keys := make([]refusalKey, 0, len(done))
	for k := range done {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].minute != keys[j].minute {
			return keys[i].minute < keys[j].minute
		}
		return keys[i].source < keys[j].source
	})
	for _, k := range keys {
		b := done[k]
		var codes, claimed []string
		for c, x := range b.codes {
			codes = append(codes, fmt.Sprintf("%s=%d", c, x))
		}
		for c := range b.claimed {
			claimed = append(claimed, c)
		}
		sort.Strings(codes)
		sort.Strings(claimed)
		at := time.Unix(k.minute*60, 0).UTC()
		_, err := auditlog.AppendOne(ctx, n.DB, auditlog.Record{
			Kind: auditlog.InboxRejection, Time: at, Actor: "unauthenticated " + k.source,
			Details: map[string]string{
				"aggregated": "per source and minute", "minute": at.Format("2006-01-02T15:04Z"),
				"count": strconv.Itoa(b.count), "bytes": strconv.FormatInt(b.bytes, 10),
				"codes": strings.Join(codes, ","), "claimed_senders": strings.Join(claimed, ","),
			},
		})
		if err != nil {
			// Put the rest back, to try again at the next flush.
			for k2, b2 := range done {
				n.unauth.restore(k2, b2)
			}
			return fmt.Errorf("audit unauthenticated refusals: %w", err)
		}
		delete(done, k)
	}
	return nil
}

func (u *unauthRefusals) restore(k refusalKey, b *refusalBucket) {
	if b == nil {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if old, ok := u.buckets[k]; ok {
		old.count += b.count
		old.bytes += b.bytes
		for c, x := range b.codes {
			old.codes[c] += x
		}
		return
	}
	u.buckets[k] = b
}

// RefusalFlushInterval is how often finished minutes of unauthenticated
// refusals are written to the audit log.
var RefusalFlushInterval = 10 * time.Second

// flushRefusalsEvery runs until ctx ends, then writes what is left.
func (n *Node) flushRefusalsEvery(ctx context.Context) {
	t := time.NewTicker(RefusalFlushInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := n.flushRefusals(context.WithoutCancel(ctx), true); err != nil {
				n.Log.Error("inbox: write refusals at shutdown", "err", err)
			}
			return
		case <-t.C:
			if err := n.flushRefusals(ctx, false); err != nil {
				n.Log.Warn("inbox: write refusals", "err", err)
			}
		}
	}
}

// FlushRefusals writes every pending aggregated refusal record now (tests,
// and before a proof bundle is made).
func (n *Node) FlushRefusals(ctx context.Context) error { return n.flushRefusals(ctx, true) }
