// Package outbox delivers queued envelopes to their peers: workers take
// what is due from the database, send it, store the peer's signed receipt,
// and retry failures with exponential back-off and jitter until the peer
// answers. It keeps each peer's health (last success, last failure, queue
// depth, oldest undelivered) and raises an alert when an emergency message
// has waited longer than a minute.
//
// The envelopes themselves are written to the queue by the business code,
// in the same transaction as the change that caused them (federation.Enqueue),
// so the worker can crash and restart at any point: at worst it delivers an
// envelope again, and the receiver answers a duplicate with its original
// receipt.
//
// Several replicas of one node may run workers on the same PostgreSQL
// database: each pass then claims what it sends (Claimer), with a lease,
// so that an envelope is sent by one replica, and one whose replica died
// is taken up by another when the lease expires.
package outbox

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
)

// Sender delivers one envelope to a peer and returns its receipt
// (federation.Client does this over HTTPS).
type Sender interface {
	Send(ctx context.Context, p federation.Peer, env *envelope.Envelope) (*envelope.Receipt, error)
}

// Peers finds where a recipient authority is reached, from the directory.
type Peers interface {
	Peer(ctx context.Context, authority string) (federation.Peer, error)
}

// Claimer is a store that hands each due envelope to one replica only
// (federation.Envelopes does, with FOR UPDATE SKIP LOCKED on PostgreSQL).
// A claim lasts until leaseUntil; the outcome the worker records
// (MarkDelivered, MarkAttempt) ends it, and so does its expiry: the
// envelope is then due again for any replica.
type Claimer interface {
	ClaimDue(ctx context.Context, replica string, now, leaseUntil time.Time, limit int) ([]federation.Outbound, error)
}

// Policy is the retry policy.
type Policy struct {
	// First is the delay before the first retry; each further retry
	// doubles it, up to Max. The actual delay is drawn uniformly between
	// half and all of that ("equal jitter"), so that many senders retrying
	// a peer that comes back do not all knock at the same instant.
	First, Max time.Duration
	// EmergencyAlert is how long an emergency envelope may wait before the
	// alert fires (SPEC: one minute).
	EmergencyAlert time.Duration
	// Batch is how many due envelopes one pass takes.
	Batch int
	// PerPeer is how many envelopes are in flight to one peer at once.
	// Envelopes are independent (each carries its own links), so they
	// need not arrive in order; a few in flight hide the network's and
	// the receiver's latency.
	PerPeer int
	// Lease is how long a claimed envelope belongs to the replica that
	// claimed it (when the store is a Claimer). It must outlast a pass
	// (a batch at PerPeer in flight); a worker does not start sending an
	// envelope whose lease has run out, since another replica may have
	// taken it, and a replica that died holds its envelopes this long.
	Lease time.Duration
}

// DefaultPolicy is the policy a node runs with.
var DefaultPolicy = Policy{First: time.Second, Max: 5 * time.Minute, EmergencyAlert: time.Minute, Batch: 256, PerPeer: 8, Lease: 30 * time.Second}

// Backoff returns the delay before retry number attempts (1 = first retry).
func (p Policy) Backoff(attempts int, rnd func() float64) time.Duration {
	d := p.First
	for i := 1; i < attempts && d < p.Max; i++ {
		d *= 2
	}
	if d > p.Max {
		d = p.Max
	}
	return d/2 + time.Duration(rnd()*float64(d/2))
}

// Health is what the worker knows of one peer.
type Health struct {
	Peer                string    `json:"peer"`
	LastSuccess         time.Time `json:"last_success,omitzero"`
	LastFailure         time.Time `json:"last_failure,omitzero"`
	LastError           string    `json:"last_error,omitempty"`
	ConsecutiveFailures int       `json:"consecutive_failures"`
	Delivered           int       `json:"delivered"`
	// Failed counts failed delivery attempts since the worker started
	// (the metric art35_outbox_delivery_failures_total).
	Failed int `json:"failed"`
}

// Alert is raised for an emergency envelope undelivered too long.
type Alert struct {
	MessageID string
	Recipient string
	Waiting   time.Duration
	LastError string
}

// Worker delivers the outbox.
type Worker struct {
	Store  federation.OutboxStore
	Sender Sender
	Peers  Peers
	Clock  clock.Clock
	Log    *slog.Logger
	Policy Policy
	// OnAlert is called once per emergency envelope that waits longer than
	// Policy.EmergencyAlert (the node logs it, counts it in /metrics and
	// shows it to the supervisor).
	OnAlert func(Alert)
	// OnRefused, if set, is called once when a peer refuses an envelope
	// for good (a *federation.Rejection that is not RetryLater), after the
	// worker stopped retrying it: the node shows the code and the peer's
	// reason on the case, to the officer who sent it.
	OnRefused func(ctx context.Context, env *envelope.Envelope, rej *federation.Rejection)
	// Rand returns a number in [0,1) for the jitter; nil uses math/rand.
	Rand func() float64
	// Replica names this process among the node's replicas. When it is
	// set and Store is a Claimer, each pass claims what it sends.
	Replica string

	mu      sync.Mutex
	health  map[string]*Health
	alerted map[string]bool
	lastErr map[string]string
}

func (w *Worker) init() {
	if w.health == nil {
		w.health = map[string]*Health{}
		w.alerted = map[string]bool{}
		w.lastErr = map[string]string{}
	}
	if w.Rand == nil {
		w.Rand = rand.Float64
	}
	if w.Policy == (Policy{}) {
		w.Policy = DefaultPolicy
	}
	if w.Log == nil {
		w.Log = slog.Default()
	}
}

// Pass delivers what is due now, once, and returns how many envelopes were
// delivered and how many attempts failed. Peers are served concurrently,
// so that one dead peer does not hold up the others, and up to
// Policy.PerPeer envelopes are in flight to each.
func (w *Worker) Pass(ctx context.Context) (delivered, failed int, err error) {
	w.mu.Lock()
	w.init()
	w.mu.Unlock()
	now := w.Clock.Now()
	var (
		due        []federation.Outbound
		leaseUntil time.Time // zero: nothing claimed, no lease to watch
	)
	if c, ok := w.Store.(Claimer); ok && w.Replica != "" && w.Policy.Lease > 0 {
		leaseUntil = now.Add(w.Policy.Lease)
		due, err = c.ClaimDue(ctx, w.Replica, now, leaseUntil, w.Policy.Batch)
	} else {
		due, err = w.Store.DueOutbound(ctx, now, w.Policy.Batch)
	}
	if err != nil {
		return 0, 0, err
	}
	byPeer := map[string][]federation.Outbound{}
	for _, o := range due {
		byPeer[o.Envelope.Header.Recipient] = append(byPeer[o.Envelope.Header.Recipient], o)
	}
	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	for peer, list := range byPeer {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, f := w.deliverPeer(ctx, peer, list, leaseUntil)
			mu.Lock()
			delivered, failed = delivered+d, failed+f
			mu.Unlock()
		}()
	}
	wg.Wait()
	w.checkAlerts(ctx, due, now)
	return delivered, failed, nil
}

func (w *Worker) deliverPeer(ctx context.Context, peer string, list []federation.Outbound, leaseUntil time.Time) (delivered, failed int) {
	p, err := w.Peers.Peer(ctx, peer)
	if err != nil {
		for _, o := range list {
			w.fail(ctx, o, err, true)
			failed++
		}
		return
	}
	var (
		mu   sync.Mutex
		down error // set when the peer failed in a way worth retrying later
		wg   sync.WaitGroup
		sem  = make(chan struct{}, max(1, w.Policy.PerPeer))
	)
	for _, o := range list {
		mu.Lock()
		stop := down
		if stop != nil {
			failed++
		}
		mu.Unlock()
		if stop != nil {
			// The peer is down or busy: leave the rest of its queue for the
			// next pass instead of hammering it now.
			w.fail(ctx, o, stop, true)
			continue
		}
		sem <- struct{}{}
		if !leaseUntil.IsZero() && !w.Clock.Now().Before(leaseUntil) {
			// The claim ran out while earlier envelopes were sent: another
			// replica may hold this one now. Leave it; it is due again.
			<-sem
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			r, err := w.Sender.Send(ctx, p, o.Envelope)
			if err != nil {
				retry := federation.Retryable(err)
				w.fail(ctx, o, err, retry)
				mu.Lock()
				failed++
				if retry && down == nil {
					down = err
				}
				mu.Unlock()
				return
			}
			if err := w.Store.MarkDelivered(ctx, o.Envelope.Header.ID, r); err != nil {
				w.Log.Error("receipt not stored; the envelope will be sent again and answered as a duplicate", "id", o.Envelope.Header.ID, "err", err)
				return
			}
			mu.Lock()
			delivered++
			mu.Unlock()
			w.mu.Lock()
			h := w.peerHealth(peer)
			h.LastSuccess, h.ConsecutiveFailures = w.Clock.Now(), 0
			h.Delivered++
			delete(w.lastErr, o.Envelope.Header.ID)
			w.mu.Unlock()
		})
	}
	wg.Wait()
	mu.Lock() // the counters were written by the senders under mu
	defer mu.Unlock()
	return delivered, failed
}

func (w *Worker) fail(ctx context.Context, o federation.Outbound, cause error, retry bool) {
	now := w.Clock.Now()
	next := time.Time{}
	if retry {
		next = now.Add(w.Policy.Backoff(o.Attempts+1, w.Rand))
	}
	id := o.Envelope.Header.ID
	if err := w.Store.MarkAttempt(ctx, id, now, cause.Error(), next); err != nil {
		w.Log.Error("cannot record a failed delivery", "id", id, "err", err)
	}
	if !retry {
		w.Log.Error("envelope refused for good; a person must look at it", "id", id, "recipient", o.Envelope.Header.Recipient, "err", cause)
		if rej, ok := federation.AsRejection(cause); ok && w.OnRefused != nil {
			w.OnRefused(ctx, o.Envelope, rej)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	h := w.peerHealth(o.Envelope.Header.Recipient)
	h.LastFailure, h.LastError = now, cause.Error()
	h.ConsecutiveFailures++
	h.Failed++
	w.lastErr[id] = cause.Error()
}

func (w *Worker) peerHealth(peer string) *Health {
	h := w.health[peer]
	if h == nil {
		h = &Health{Peer: peer}
		w.health[peer] = h
	}
	return h
}

// checkAlerts raises one alert per emergency envelope still undelivered
// after Policy.EmergencyAlert. The store returns emergencies first, so
// the due list holds them even when the queue is long.
func (w *Worker) checkAlerts(ctx context.Context, due []federation.Outbound, now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, o := range due {
		if !IsEmergency(o.Envelope.Header) {
			continue
		}
		id := o.Envelope.Header.ID
		wait := now.Sub(o.Created)
		if _, failedNow := w.lastErr[id]; !failedNow || wait < w.Policy.EmergencyAlert || w.alerted[id] {
			continue
		}
		w.alerted[id] = true
		a := Alert{MessageID: id, Recipient: o.Envelope.Header.Recipient, Waiting: wait, LastError: w.lastErr[id]}
		w.Log.Error("EMERGENCY message undelivered", "id", id, "recipient", a.Recipient, "waiting", wait.Round(time.Second), "last_error", a.LastError)
		if w.OnAlert != nil {
			w.OnAlert(a)
		}
	}
}

// IsEmergency reports whether an envelope jumps the queue: a request of
// an emergency type (Protocol Art. 9 and 10), and every watch event (a
// live login relayed while officers wait in the street: seconds matter).
// Callers pass it to federation.Enqueue so that the queue serves these first.
func IsEmergency(h envelope.Header) bool {
	if h.Kind == envelope.KindWatchEvent {
		return true
	}
	return h.Kind == envelope.KindRequest && (h.Subkind == "emergency-disclosure" || h.Subkind == "emergency-mla")
}

// Health returns the health of every peer the worker has tried, by name.
func (w *Worker) Health() []Health {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Health, 0, len(w.health))
	for _, h := range w.health {
		out = append(out, *h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Peer < out[j].Peer })
	return out
}

// Run makes passes until ctx ends, waking every interval, when wake
// receives (a new envelope was queued), and at once after a pass that
// delivered something, to drain a burst quickly.
func (w *Worker) Run(ctx context.Context, interval time.Duration, wake <-chan struct{}) {
	for {
		delivered, _, err := w.Pass(ctx)
		if err != nil && ctx.Err() == nil {
			w.Log.Error("outbox pass failed", "err", err)
		}
		if delivered > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-time.After(interval):
		}
	}
}
