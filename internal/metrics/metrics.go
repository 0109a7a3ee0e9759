// Package metrics exports the Prometheus series an operator alerts on:
// the outbox (depth and oldest age per peer, deliveries and failures per
// peer, emergency alerts), inbox refusals by code, open clocks due and
// overdue by kind, escalations, ping results, watch hop latency, the
// audit log's size and last checkpoint, and the directory's serial and
// age.
//
// Almost everything is read from the node's state when Prometheus
// scrapes (a collector, not counters sprinkled through the code): the
// figures are then true after a restart and cannot drift from the
// database. The only counters kept in memory are those of events that
// leave no row: delivery attempts per peer (the outbox worker's health)
// and emergency alerts (the outbox's OnAlert hook). See docs/metrics.md.
package metrics

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/outbox"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
)

// Querier reads the node's database (*store.DB satisfies it).
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Sources are what the collector reads at scrape time. Register fills
// them from a node; tests may set their own.
type Sources struct {
	DB        Querier
	Clock     clock.Clock
	Log       *slog.Logger
	Outbox    func() []outbox.Health
	Cases     func(ctx context.Context) ([]cases.Summary, error)
	Directory func(ctx context.Context) (*directory.Snapshot, error)
}

// ScrapeTimeout bounds the database reads of one scrape.
var ScrapeTimeout = 10 * time.Second

// HopBuckets are the buckets of the watch hop latency histogram, in
// seconds: a relayed login must reach the officers in the street within
// seconds, so the buckets are fine below 10 s.
var HopBuckets = []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300}

// Collector is the node's operational metrics.
type Collector struct {
	src Sources

	mu     sync.Mutex
	alerts map[string]float64 // per peer

	outboxDepth, outboxOldest, outboxGivenUp, deliveries, failures, alertsDesc *prometheus.Desc
	refusals, clocksDue, clocksOverdue, escalations, pings                     *prometheus.Desc
	hopLatency, endToEnd                                                       *prometheus.Desc
	auditSize, auditCheckpointSize, auditCheckpointTime                        *prometheus.Desc
	dirSerial, dirIssued, dirAge, dirValidUntil                                *prometheus.Desc
	scrapeErrors                                                               *prometheus.Desc
}

// New returns a collector over src.
func New(src Sources) *Collector {
	if src.Log == nil {
		src.Log = slog.New(slog.DiscardHandler)
	}
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("art35_"+name, help, labels, nil)
	}
	return &Collector{src: src, alerts: map[string]float64{},
		outboxDepth:         d("outbox_depth", "Envelopes queued for a peer and not yet delivered.", "peer"),
		outboxOldest:        d("outbox_oldest_age_seconds", "Age of the oldest envelope queued for a peer.", "peer"),
		outboxGivenUp:       d("outbox_given_up", "Envelopes a peer refused for good (a person must look at them).", "peer"),
		deliveries:          d("outbox_deliveries_total", "Envelopes delivered to a peer (signed receipt stored) since the node started.", "peer"),
		failures:            d("outbox_delivery_failures_total", "Failed delivery attempts to a peer since the node started.", "peer"),
		alertsDesc:          d("outbox_emergency_alerts_total", "Emergency envelopes that waited longer than the alert threshold, since the node started.", "peer"),
		refusals:            d("inbox_refusals_total", "Envelopes the inbox refused, by rejection code.", "code"),
		clocksDue:           d("clocks_due", "Open cases whose next deadline is pending, by clock.", "clock"),
		clocksOverdue:       d("clocks_overdue", "Open cases whose next deadline has passed, by clock.", "clock"),
		escalations:         d("escalations_total", "Escalation evidences recorded (escalated, negative-ack), by kind.", "kind"),
		pings:               d("pings", "Ping tests by direction (sent, received), partner and state.", "direction", "peer", "state"),
		hopLatency:          d("watch_hop_latency_seconds", "Time between consecutive hops of relayed watch events.", "role"),
		endToEnd:            d("watch_end_to_end_seconds", "Time from a watch event's first hop to its last as stored here.", "role"),
		auditSize:           d("audit_log_size", "Records in the audit log."),
		auditCheckpointSize: d("audit_last_checkpoint_size", "Records covered by the latest signed checkpoint."),
		auditCheckpointTime: d("audit_last_checkpoint_timestamp_seconds", "When the latest signed checkpoint was made (Unix time)."),
		dirSerial:           d("directory_serial", "Serial of the directory snapshot the node works with."),
		dirIssued:           d("directory_issued_timestamp_seconds", "When the secretariat issued that snapshot (Unix time)."),
		dirAge:              d("directory_age_seconds", "Age of that snapshot."),
		dirValidUntil:       d("directory_valid_until_timestamp_seconds", "When that snapshot stops being valid (Unix time)."),
		scrapeErrors:        d("metrics_scrape_errors", "Sources that could not be read in this scrape (1 each); see the node's log.", "source"),
	}
}

// Alert counts an emergency alert of the outbox.
func (c *Collector) Alert(a outbox.Alert) {
	c.mu.Lock()
	c.alerts[a.Recipient]++
	c.mu.Unlock()
	c.src.Log.Warn("emergency alert counted in art35_outbox_emergency_alerts_total", "recipient", a.Recipient, "message_id", a.MessageID, "waiting", a.Waiting.Round(time.Second))
}

// Describe sends the descriptions of every series.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.outboxDepth, c.outboxOldest, c.outboxGivenUp, c.deliveries, c.failures, c.alertsDesc,
		c.refusals, c.clocksDue, c.clocksOverdue, c.escalations, c.pings, c.hopLatency, c.endToEnd,
		c.auditSize, c.auditCheckpointSize, c.auditCheckpointTime, c.dirSerial, c.dirIssued, c.dirAge, c.dirValidUntil, c.scrapeErrors} {
		ch <- d
	}
}

// Collect reads the node's state. A source that fails is logged and
// reported in art35_metrics_scrape_errors; the others are still served.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), ScrapeTimeout)
	defer cancel()
	now := c.src.Clock.Now()
	for _, part := range []struct {
		name string
		fn   func(context.Context, chan<- prometheus.Metric, time.Time) error
	}{
		{"outbox", c.collectOutbox}, {"inbox", c.collectRefusals}, {"clocks", c.collectClocks},
		{"escalations", c.collectEscalations}, {"pings", c.collectPings}, {"watch", c.collectWatch},
		{"audit", c.collectAudit}, {"directory", c.collectDirectory},
	} {
		if err := part.fn(ctx, ch, now); err != nil {
			c.src.Log.Error("metrics: cannot read a source", "source", part.name, "err", err)
			ch <- prometheus.MustNewConstMetric(c.scrapeErrors, prometheus.GaugeValue, 1, part.name)
		}
	}
	c.mu.Lock()
	for peer, n := range c.alerts {
		ch <- prometheus.MustNewConstMetric(c.alertsDesc, prometheus.CounterValue, n, peer)
	}
	c.mu.Unlock()
}

// rows runs a query and calls scan for each row.
func (c *Collector) rows(ctx context.Context, q string, scan func(*sql.Rows) error, args ...any) error {
	rows, err := c.src.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (c *Collector) collectOutbox(ctx context.Context, ch chan<- prometheus.Metric, now time.Time) error {
	err := c.rows(ctx, `SELECT recipient, state, COUNT(*), MIN(created_at) FROM outbound_envelopes
		WHERE state IN ('queued', 'failed') GROUP BY recipient, state`, func(r *sql.Rows) error {
		var peer, state, oldest string
		var n int64
		if err := r.Scan(&peer, &state, &n, &oldest); err != nil {
			return err
		}
		if state == "failed" {
			ch <- prometheus.MustNewConstMetric(c.outboxGivenUp, prometheus.GaugeValue, float64(n), peer)
			return nil
		}
		t, err := store.ParseTime(oldest)
		if err != nil {
			return err
		}
		ch <- prometheus.MustNewConstMetric(c.outboxDepth, prometheus.GaugeValue, float64(n), peer)
		ch <- prometheus.MustNewConstMetric(c.outboxOldest, prometheus.GaugeValue, max(0, now.Sub(t).Seconds()), peer)
		return nil
	})
	if c.src.Outbox != nil {
		for _, h := range c.src.Outbox() {
			ch <- prometheus.MustNewConstMetric(c.deliveries, prometheus.CounterValue, float64(h.Delivered), h.Peer)
			ch <- prometheus.MustNewConstMetric(c.failures, prometheus.CounterValue, float64(h.Failed), h.Peer)
		}
	}
	return err
}

func (c *Collector) collectRefusals(ctx context.Context, ch chan<- prometheus.Metric, _ time.Time) error {
	return c.rows(ctx, `SELECT code, COUNT(*) FROM inbox_rejections GROUP BY code`, func(r *sql.Rows) error {
		var code string
		var n int64
		if err := r.Scan(&code, &n); err != nil {
			return err
		}
		ch <- prometheus.MustNewConstMetric(c.refusals, prometheus.CounterValue, float64(n), code)
		return nil
	})
}

func (c *Collector) collectClocks(ctx context.Context, ch chan<- prometheus.Metric, _ time.Time) error {
	if c.src.Cases == nil {
		return nil
	}
	list, err := c.src.Cases(ctx)
	if err != nil {
		return err
	}
	due, overdue := map[string]int{}, map[string]int{}
	for _, s := range list {
		// Exercise cases run their clocks for real but alert nobody on
		// duty (issue 14): they stay out of the operator's series.
		if s.NextDue == nil || s.State == "closed" || s.Exercise {
			continue
		}
		// The acknowledgement clock waits only while a request is sent or
		// delivered: once a person acknowledged it, late or not, nothing
		// is overdue on it any more (the case list still shows the miss).
		if s.NextDue.Clock == request.ClockAck && s.State != string(request.StateSent) && s.State != string(request.StateDelivered) {
			continue
		}
		if s.NextDue.Status == request.DeadlineMissed {
			overdue[s.NextDue.Clock]++
		} else {
			due[s.NextDue.Clock]++
		}
	}
	for k, n := range due {
		ch <- prometheus.MustNewConstMetric(c.clocksDue, prometheus.GaugeValue, float64(n), k)
	}
	for k, n := range overdue {
		ch <- prometheus.MustNewConstMetric(c.clocksOverdue, prometheus.GaugeValue, float64(n), k)
	}
	return nil
}

func (c *Collector) collectEscalations(ctx context.Context, ch chan<- prometheus.Metric, _ time.Time) error {
	n := map[string]int64{"escalated": 0, "negative-ack": 0}
	err := c.rows(ctx, `SELECT kind, COUNT(*) FROM evidences WHERE kind IN ('escalated', 'negative-ack') GROUP BY kind`, func(r *sql.Rows) error {
		var kind string
		var k int64
		if err := r.Scan(&kind, &k); err != nil {
			return err
		}
		n[kind] = k
		return nil
	})
	for kind, k := range n {
		ch <- prometheus.MustNewConstMetric(c.escalations, prometheus.CounterValue, float64(k), kind)
	}
	return err
}

func (c *Collector) collectPings(ctx context.Context, ch chan<- prometheus.Metric, _ time.Time) error {
	emit := func(dir string) func(*sql.Rows) error {
		return func(r *sql.Rows) error {
			var peer, state string
			var n int64
			if err := r.Scan(&peer, &state, &n); err != nil {
				return err
			}
			ch <- prometheus.MustNewConstMetric(c.pings, prometheus.GaugeValue, float64(n), dir, peer, state)
			return nil
		}
	}
	// Pings of an exercise (their envelopes are filed in exercise_messages)
	// are drills, not the network's health: left out.
	if err := c.rows(ctx, `SELECT party, state, COUNT(*) FROM pings_out p
		WHERE NOT EXISTS (SELECT 1 FROM exercise_messages x WHERE x.message_id = p.message_id) GROUP BY party, state`, emit("sent")); err != nil {
		return err
	}
	return c.rows(ctx, `SELECT sender, state, COUNT(*) FROM pings_in p
		WHERE NOT EXISTS (SELECT 1 FROM exercise_messages x WHERE x.message_id = p.message_id) GROUP BY sender, state`, emit("received"))
}

// collectWatch builds the hop latency histograms from the hops of every
// stored watch event: the events only accumulate, so the histogram only
// grows, as a histogram must.
func (c *Collector) collectWatch(ctx context.Context, ch chan<- prometheus.Metric, _ time.Time) error {
	type hist struct {
		count   uint64
		sum     float64
		buckets map[float64]uint64
	}
	newHist := func() *hist { return &hist{buckets: map[float64]uint64{}} }
	hops, e2e := map[string]*hist{}, map[string]*hist{}
	observe := func(m map[string]*hist, role string, v float64) {
		h := m[role]
		if h == nil {
			h = newHist()
			m[role] = h
		}
		h.count++
		h.sum += v
		for _, b := range HopBuckets {
			if v <= b {
				h.buckets[b]++
			}
		}
	}
	err := c.rows(ctx, `SELECT role, hops FROM watch_events`, func(r *sql.Rows) error {
		var role string
		var raw []byte
		if err := r.Scan(&role, &raw); err != nil {
			return err
		}
		var hs []struct {
			At time.Time `json:"at"`
		}
		if json.Unmarshal(raw, &hs) != nil || len(hs) < 2 {
			return nil // no hop to time
		}
		for i := 1; i < len(hs); i++ {
			observe(hops, role, max(0, hs[i].At.Sub(hs[i-1].At).Seconds()))
		}
		observe(e2e, role, max(0, hs[len(hs)-1].At.Sub(hs[0].At).Seconds()))
		return nil
	})
	for _, role := range []string{"source", "requester", "location"} {
		for desc, m := range map[*prometheus.Desc]map[string]*hist{c.hopLatency: hops, c.endToEnd: e2e} {
			h := m[role]
			if h == nil {
				h = newHist()
			}
			ch <- prometheus.MustNewConstHistogram(desc, h.count, h.sum, h.buckets, role)
		}
	}
	return err
}

func (c *Collector) collectAudit(ctx context.Context, ch chan<- prometheus.Metric, _ time.Time) error {
	var size int64
	if err := c.rows(ctx, `SELECT size FROM audit_head WHERE id = 1`, func(r *sql.Rows) error { return r.Scan(&size) }); err != nil {
		return err
	}
	ch <- prometheus.MustNewConstMetric(c.auditSize, prometheus.GaugeValue, float64(size))
	var cpSize int64
	var made string
	err := c.rows(ctx, `SELECT size, made_at FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`, func(r *sql.Rows) error { return r.Scan(&cpSize, &made) })
	if err != nil || made == "" {
		return err
	}
	t, err := store.ParseTime(made)
	if err != nil {
		return err
	}
	ch <- prometheus.MustNewConstMetric(c.auditCheckpointSize, prometheus.GaugeValue, float64(cpSize))
	ch <- prometheus.MustNewConstMetric(c.auditCheckpointTime, prometheus.GaugeValue, float64(t.Unix()))
	return nil
}

func (c *Collector) collectDirectory(ctx context.Context, ch chan<- prometheus.Metric, now time.Time) error {
	if c.src.Directory == nil {
		return nil
	}
	d, err := c.src.Directory(ctx)
	if err != nil {
		return err
	}
	ch <- prometheus.MustNewConstMetric(c.dirSerial, prometheus.GaugeValue, float64(d.Serial))
	if !d.IssuedAt.IsZero() {
		ch <- prometheus.MustNewConstMetric(c.dirIssued, prometheus.GaugeValue, float64(d.IssuedAt.Unix()))
		ch <- prometheus.MustNewConstMetric(c.dirAge, prometheus.GaugeValue, max(0, now.Sub(d.IssuedAt).Seconds()))
	}
	if !d.ValidUntil.IsZero() {
		ch <- prometheus.MustNewConstMetric(c.dirValidUntil, prometheus.GaugeValue, float64(d.ValidUntil.Unix()))
	}
	return nil
}
