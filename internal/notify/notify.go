// Package notify tells people on a node's roster that something is due:
// an unacknowledged request, an escalation, a preservation about to end.
// It reaches each person through the channels the directory lists for
// them (e-mail, sent with the standard library's SMTP client) and the
// paging webhooks the node's notify.toml routes to them (HTTP POSTs signed
// with the node's Ed25519 key).
//
// Notifications are durable: Queue writes one row per person and channel
// in the caller's transaction (with the evidence that caused it), and
// Flush delivers due rows, recording each attempt's result in the row and
// in the audit log. A failed delivery is retried with back-off until
// MaxAttempts, then marked given up: nothing is silently lost.
package notify

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/store"
)

// Channels.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
	ChannelNone    = "none" // the person has no channel at all: recorded so the gap shows
)

// Delivery statuses.
const (
	StatusPending       = "pending"       // queued, not yet tried
	StatusSent          = "sent"          // the server or paging system accepted it
	StatusFailed        = "failed"        // the last attempt failed; retried at next_at
	StatusGaveUp        = "gave-up"       // MaxAttempts failed attempts
	StatusUndeliverable = "undeliverable" // no channel for the person
)

// AuditKind is the audit record kind of a notification attempt.
const AuditKind = auditlog.Notification

// Message is what a person is told.
type Message struct {
	RequestID string // the case
	Action    string // the clock action: notify, escalate, remind, lapsed...
	Subject   string
	Text      string
}

// Notifier delivers notifications for one node.
type Notifier struct {
	DB        *store.DB
	Clock     clock.Clock
	Log       *slog.Logger
	Settings  Settings
	Authority string             // the node's authority id, e.g. "IT-247"
	Signing   ed25519.PrivateKey // signs webhook calls
	KeyID     string             // keys.ID of Signing's public key, as the directory lists it
	HTTP      *http.Client       // nil: http.DefaultClient
	// MaxAttempts bounds retries of one delivery (default 10); Timeout
	// bounds one attempt (default 20 s).
	MaxAttempts int
	Timeout     time.Duration
}

func (n *Notifier) timeout() time.Duration {
	if n.Timeout > 0 {
		return n.Timeout
	}
	return 20 * time.Second
}

func (n *Notifier) maxAttempts() int {
	if n.MaxAttempts > 0 {
		return n.MaxAttempts
	}
	return 10
}

// backoff is the wait after the k-th failed attempt: 1, 2, 4 ... minutes,
// at most an hour.
func backoff(k int) time.Duration {
	d := time.Minute << min(k-1, 6)
	return min(d, time.Hour)
}

func newID() string {
	var b [10]byte
	rand.Read(b[:])
	return "ntf-" + hex.EncodeToString(b[:])
}

// Notification is one stored row: one person, one channel.
type Notification struct {
	ID        string    `json:"id"`
	RequestID string    `json:"request_id"`
	Action    string    `json:"action"`
	Person    string    `json:"person"`
	Role      string    `json:"role"`
	Channel   string    `json:"channel"`
	Address   string    `json:"address"`
	Subject   string    `json:"subject"`
	Status    string    `json:"status"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error,omitempty"`
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
}

// Queue records the notification of a person in tx, one row per channel
// (the directory's e-mail address, each webhook notify.toml routes to the
// person). A person with no channel gets one "undeliverable" row and an
// audit record, so 'art35 case show' and the audit log show that nobody
// could be told. It returns the ids of the rows to deliver.
func (n *Notifier) Queue(ctx context.Context, tx *sql.Tx, p directory.Person, m Message) ([]string, error) {
	if strings.TrimSpace(m.RequestID) == "" || strings.TrimSpace(m.Action) == "" {
		return nil, apperr.Errorf(apperr.EInvalid, "notification: request id and action are required")
	}
	now := n.Clock.Now()
	type ch struct{ channel, addr string }
	var chans []ch
	if p.Email != "" {
		chans = append(chans, ch{ChannelEmail, p.Email})
	}
	for _, u := range n.Settings.webhooksFor(p.Name, string(p.Role)) {
		if IsExerciseRole(p.Role) {
			break // exercise.go: a drill never reaches the real paging system
		}
		chans = append(chans, ch{ChannelWebhook, u})
	}
	if len(chans) == 0 {
		id := newID()
		reason := fmt.Sprintf("%s (%s) has no e-mail in the directory and no webhook in %s", p.Name, p.Role, SettingsFile)
		if err := n.insert(ctx, tx, id, p, m, ChannelNone, "", StatusUndeliverable, reason, now); err != nil {
			return nil, err
		}
		return nil, n.audit(ctx, tx, id, p, m, ChannelNone, StatusUndeliverable, 0, reason, now)
	}
	var ids []string
	for _, c := range chans {
		id := newID()
		if err := n.insert(ctx, tx, id, p, m, c.channel, c.addr, StatusPending, "", now); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func (n *Notifier) insert(ctx context.Context, tx *sql.Tx, id string, p directory.Person, m Message, channel, addr, status, lastErr string, now time.Time) error {
	ts := store.FormatTime(now)
	_, err := tx.ExecContext(ctx, `INSERT INTO notifications
		(id, request_id, action, person, role, channel, address, subject, body, status, attempts, last_error, created_at, updated_at, next_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $12, $12)`,
		id, m.RequestID, m.Action, p.Name, string(p.Role), channel, addr, m.Subject, m.Text, status, lastErr, ts)
	return store.MapError(err)
}

// oneLine makes a value fit an audit record: one line, bounded.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

func (n *Notifier) audit(ctx context.Context, tx *sql.Tx, id string, p directory.Person, m Message, channel, status string, attempts int, lastErr string, now time.Time) error {
	details := map[string]string{
		"notification": id, "action": m.Action, "person": oneLine(p.Name), "role": string(p.Role),
		"channel": channel, "status": status, "attempts": fmt.Sprint(attempts),
	}
	if lastErr != "" {
		details["error"] = oneLine(lastErr)
	}
	for k, v := range details {
		if v == "" {
			delete(details, k)
		}
	}
	_, err := auditlog.Append(ctx, tx, auditlog.Record{Kind: AuditKind, Time: now, Actor: "system", Case: m.RequestID, Details: details})
	return err
}

// Notify queues and delivers at once: for callers outside a clock run.
func (n *Notifier) Notify(ctx context.Context, p directory.Person, m Message) error {
	if err := n.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := n.Queue(ctx, tx, p, m)
		return err
	}); err != nil {
		return err
	}
	_, err := n.Flush(ctx)
	return err
}

// FlushResult counts what one Flush did.
type FlushResult struct {
	Sent, Failed, GaveUp int
}

type dueRow struct {
	id, requestID, action, person, role, channel, address, subject, body string
	attempts                                                             int
}

// Flush delivers every pending notification and retries every failed one
// whose time has come, recording each result in its row and in the audit
// log. Run it from one worker per node: two Flushes at once could both
// deliver the same row.
func (n *Notifier) Flush(ctx context.Context) (FlushResult, error) {
	var res FlushResult
	now := n.Clock.Now()
	rows, err := n.DB.QueryContext(ctx, `SELECT id, request_id, action, person, role, channel, address, subject, body, attempts
		FROM notifications WHERE status IN ('pending', 'failed') AND next_at <= $1 ORDER BY created_at, id`, store.FormatTime(now))
	if err != nil {
		return res, store.MapError(err)
	}
	var due []dueRow
	for rows.Next() {
		var r dueRow
		if err := rows.Scan(&r.id, &r.requestID, &r.action, &r.person, &r.role, &r.channel, &r.address, &r.subject, &r.body, &r.attempts); err != nil {
			rows.Close()
			return res, err
		}
		due = append(due, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, err
	}
	for _, r := range due {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		m := Message{RequestID: r.requestID, Action: r.action, Subject: r.subject, Text: r.body}
		p := directory.Person{Name: r.person, Role: directory.PersonRole(r.role)}
		var sendErr error
		switch r.channel {
		case ChannelEmail:
			sendErr = n.sendMail(ctx, r.address, r.subject, r.body)
		case ChannelWebhook:
			sendErr = n.deliverWebhook(ctx, r.address, p, m)
		default:
			sendErr = fmt.Errorf("unknown channel %q", r.channel)
		}
		at := n.Clock.Now()
		attempts := r.attempts + 1
		status, lastErr, next := StatusSent, "", at
		if sendErr != nil {
			lastErr = sendErr.Error()
			status, next = StatusFailed, at.Add(backoff(attempts))
			if attempts >= n.maxAttempts() {
				status = StatusGaveUp
			}
			if n.Log != nil {
				n.Log.Warn("notification not delivered", "id", r.id, "request", r.requestID, "channel", r.channel, "attempt", attempts, "status", status, "err", sendErr)
			}
		}
		switch status {
		case StatusSent:
			res.Sent++
		case StatusFailed:
			res.Failed++
		default:
			res.GaveUp++
		}
		err := n.DB.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE notifications SET status = $1, attempts = $2, last_error = $3, updated_at = $4, next_at = $5 WHERE id = $6`,
				status, attempts, lastErr, store.FormatTime(at), store.FormatTime(next), r.id)
			if err != nil {
				return err
			}
			return n.audit(ctx, tx, r.id, p, m, r.channel, status, attempts, lastErr, at)
		})
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// webhookBody is the JSON a paging system receives.
type webhookBody struct {
	Authority string    `json:"authority"`
	Request   string    `json:"request"`
	Action    string    `json:"action"`
	Person    string    `json:"person"`
	Role      string    `json:"role"`
	Subject   string    `json:"subject"`
	Text      string    `json:"text"`
	At        time.Time `json:"at"`
}

func (n *Notifier) deliverWebhook(ctx context.Context, target string, p directory.Person, m Message) error {
	body, err := json.Marshal(webhookBody{Authority: n.Authority, Request: m.RequestID, Action: m.Action, Person: p.Name, Role: string(p.Role),
		Subject: m.Subject, Text: m.Text, At: n.Clock.Now().UTC()})
	if err != nil {
		return err
	}
	return n.postWebhook(ctx, target, body)
}

// List returns the notifications of a request, oldest first.
func List(ctx context.Context, db *store.DB, requestID string) ([]Notification, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, request_id, action, person, role, channel, address, subject, status, attempts, last_error, created_at, updated_at
		FROM notifications WHERE request_id = $1 ORDER BY created_at, id`, requestID)
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		var (
			x                Notification
			created, updated string
		)
		if err := rows.Scan(&x.ID, &x.RequestID, &x.Action, &x.Person, &x.Role, &x.Channel, &x.Address, &x.Subject, &x.Status, &x.Attempts, &x.LastError, &created, &updated); err != nil {
			return nil, err
		}
		if x.Created, err = store.ParseTime(created); err != nil {
			return nil, err
		}
		if x.Updated, err = store.ParseTime(updated); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
