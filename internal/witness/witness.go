// Package witness makes every exchange between two nodes also a check of
// each other's audit logs (issue 7, SPEC section 3): a node cannot quietly
// rewrite its history if its peers remember what it showed them.
//
// With each delivery the sender says which size of the receiver's log it
// last saw; the receiver answers (in HTTP headers, beside the signed
// receipt) with its latest signed checkpoint and a consistency proof from
// that size. The sender verifies the checkpoint's signature with the
// receiver's key from the directory and the proof against the checkpoint
// it holds: if the new one extends the old, it stores it and cosigns it
// (the cosignature travels back with the next delivery and the receiver
// keeps it for its proof bundles); if not, the receiver's log was forked
// or rewritten, and the sender raises an alarm.
package witness

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/store"
)

// HTTP headers of the exchange.
const (
	HeaderSeen       = "Art35-Witness-Seen"        // request: size of the receiver's log the sender last saw
	HeaderCosign     = "Art35-Witness-Cosignature" // request: "SIZE SIGNATURE-LINE" cosigning the receiver's checkpoint
	HeaderCheckpoint = "Art35-Checkpoint"          // answer: the receiver's latest signed checkpoint (base64 note)
	HeaderProof      = "Art35-Checkpoint-Proof"    // answer: consistency proof from the seen size (base64 hashes)
)

// Keys finds a peer's signing key for its log's origin.
type Keys func(ctx context.Context, authority string) (ed25519.PublicKey, error)

// Alarm is a peer's log that does not extend what it showed before.
type Alarm struct {
	Origin  string `json:"origin"`
	OldSize int64  `json:"old_size"`
	NewSize int64  `json:"new_size"`
	Detail  string `json:"detail"`
}

// Witness is one node's side of witnessing.
type Witness struct {
	DB        *store.DB
	Authority string      // this node's authority
	Signer    note.Signer // this node's key, for cosignatures
	Keys      Keys
	Clock     clock.Clock
	Log       *slog.Logger
	// OnAlarm is called for each alarm (the node logs it and counts it).
	OnAlarm func(Alarm)

	// cache spares each delivery the database reads, signatures and
	// verifications whose answer has not changed since the last delivery.
	cache cache
}

// cacheFresh bounds how long a cached checkpoint is reused before the
// database is read again. Everything cached is safe to use late: an older
// checkpoint or seen size is still a true statement about a log, and a
// consistency proof for two sizes never changes.
const cacheFresh = time.Second

// cacheMax bounds each of the cache's maps; when full they are emptied.
const cacheMax = 1024

type cache struct {
	mu sync.Mutex
	// Sender side: per peer origin, the headers last sent and when read.
	headers map[string]cachedHeaders
	// Sender side: per peer origin, the checkpoint header last accepted.
	accepted map[string]string
	// Receiver side: this node's latest checkpoint and when it was read.
	latest    *auditlog.Checkpoint
	latestAt  time.Time
	latestGen int64
	// Receiver side: consistency proofs already encoded, by "old new".
	proofs map[[2]int64]string
	// Receiver side: cosignature headers already verified and kept.
	kept map[string]bool
}

type cachedHeaders struct {
	h  http.Header
	at time.Time
}

func (c *cache) forget(origin string) {
	c.mu.Lock()
	delete(c.headers, origin)
	delete(c.accepted, origin)
	c.mu.Unlock()
}

func put[K comparable, V any](m *map[K]V, k K, v V) {
	if *m == nil || len(*m) >= cacheMax {
		*m = make(map[K]V)
	}
	(*m)[k] = v
}

// New returns the witness of the node of authority, cosigning with key.
func New(db *store.DB, authority string, key ed25519.PrivateKey, keys Keys, clk clock.Clock, log *slog.Logger) (*Witness, error) {
	s, err := auditlog.NewSigner(auditlog.Origin(authority), key)
	if err != nil {
		return nil, err
	}
	return &Witness{DB: db, Authority: authority, Signer: s, Keys: keys, Clock: clk, Log: log}, nil
}

// Headers implements federation.Exchange: what this node last saw of the
// peer's log, and its cosignature of that checkpoint.
func (w *Witness) Headers(ctx context.Context, peer string) http.Header {
	origin := auditlog.Origin(peer)
	w.cache.mu.Lock()
	c, ok := w.cache.headers[origin]
	w.cache.mu.Unlock()
	if ok && time.Since(c.at) < cacheFresh {
		return c.h.Clone()
	}
	h := w.headers(ctx, peer)
	w.cache.mu.Lock()
	put(&w.cache.headers, origin, cachedHeaders{h: h, at: time.Now()})
	w.cache.mu.Unlock()
	return h.Clone()
}

func (w *Witness) headers(ctx context.Context, peer string) http.Header {
	h := http.Header{}
	var (
		size int64
		msg  []byte
	)
	err := w.DB.QueryRowContext(ctx, `SELECT size, note FROM witnessed_checkpoints WHERE origin = $1`, auditlog.Origin(peer)).Scan(&size, &msg)
	if err != nil {
		return h
	}
	h.Set(HeaderSeen, strconv.FormatInt(size, 10))
	if line, err := w.cosign(msg); err == nil {
		h.Set(HeaderCosign, strconv.FormatInt(size, 10)+" "+line)
	}
	return h
}

// cosign returns this node's signature line over a checkpoint's text.
func (w *Witness) cosign(msg []byte) (string, error) {
	text, _, ok := bytes.Cut(msg, []byte("\n\n"))
	if !ok {
		return "", fmt.Errorf("checkpoint note without signatures")
	}
	signed, err := note.Sign(&note.Note{Text: string(text) + "\n"}, w.Signer)
	if err != nil {
		return "", err
	}
	_, sigs, _ := bytes.Cut(signed, []byte("\n\n"))
	return strings.TrimSpace(string(sigs)), nil
}

// Answered implements federation.Exchange: check the peer's checkpoint.
func (w *Witness) Answered(ctx context.Context, peer string, h http.Header) {
	if h.Get(HeaderCheckpoint) == "" {
		return
	}
	// The same checkpoint as last time: it was verified and stored then.
	origin, header := auditlog.Origin(peer), h.Get(HeaderCheckpoint)
	w.cache.mu.Lock()
	same := w.cache.accepted[origin] == header
	w.cache.mu.Unlock()
	if same {
		return
	}
	if err := w.observe(ctx, peer, h); err != nil {
		w.Log.Warn("witness: peer checkpoint not taken", "peer", peer, "err", err)
		return
	}
	w.cache.forget(origin) // the headers to send change with it
	w.cache.mu.Lock()
	put(&w.cache.accepted, origin, header)
	w.cache.mu.Unlock()
}

func (w *Witness) observe(ctx context.Context, peer string, h http.Header) error {
	msg, err := base64.StdEncoding.DecodeString(h.Get(HeaderCheckpoint))
	if err != nil {
		return apperr.Wrap(apperr.EInvalid, err, "checkpoint header is not base64")
	}
	pub, err := w.Keys(ctx, peer)
	if err != nil {
		return err
	}
	origin := auditlog.Origin(peer)
	v, err := auditlog.NewVerifier(origin, pub)
	if err != nil {
		return err
	}
	cp, err := auditlog.OpenCheckpoint(msg, v)
	if err != nil {
		return err
	}
	if cp.Origin != origin {
		return apperr.Errorf(apperr.EInvalid, "peer %s presented the checkpoint of %s", peer, cp.Origin)
	}
	var (
		oldSize int64
		oldMsg  []byte
	)
	err = w.DB.QueryRowContext(ctx, `SELECT size, note FROM witnessed_checkpoints WHERE origin = $1`, origin).Scan(&oldSize, &oldMsg)
	found, err := store.Found(err)
	if err != nil {
		return err
	}
	if !found {
		return w.store(ctx, origin, cp, false)
	}
	old, err := auditlog.OpenCheckpoint(oldMsg, v)
	if err != nil {
		return fmt.Errorf("stored checkpoint of %s: %w", peer, err)
	}
	switch {
	case cp.Size < old.Size:
		return w.alarm(ctx, Alarm{origin, old.Size, cp.Size, fmt.Sprintf("the log shrank from %d to %d records", old.Size, cp.Size)})
	case cp.Size == old.Size:
		if cp.Root != old.Root {
			return w.alarm(ctx, Alarm{origin, old.Size, cp.Size, "two different roots for the same size: the log was rewritten"})
		}
		return nil
	}
	proof, err := decodeProof(h.Get(HeaderProof))
	if err != nil {
		return w.alarm(ctx, Alarm{origin, old.Size, cp.Size, "no readable consistency proof: " + err.Error()})
	}
	if err := auditlog.CheckConsistency(old, cp, proof); err != nil {
		return w.alarm(ctx, Alarm{origin, old.Size, cp.Size, err.Error()})
	}
	return w.store(ctx, origin, cp, true)
}

func (w *Witness) store(ctx context.Context, origin string, cp auditlog.Checkpoint, exists bool) error {
	return w.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO witnessed_checkpoints (origin, size, note, seen_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (origin) DO UPDATE SET size = excluded.size, note = excluded.note, seen_at = excluded.seen_at
			WHERE witnessed_checkpoints.size < excluded.size`, origin, cp.Size, cp.Note, store.FormatTime(w.Clock.Now()))
		return err
	})
}

func (w *Witness) alarm(ctx context.Context, a Alarm) error {
	var id [8]byte
	_, _ = rand.Read(id[:])
	now := w.Clock.Now()
	err := w.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO witness_alarms (id, origin, at, old_size, new_size, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
			hex.EncodeToString(id[:]), a.Origin, store.FormatTime(now), a.OldSize, a.NewSize, a.Detail); err != nil {
			return err
		}
		_, err := auditlog.Append(ctx, tx, auditlog.Record{Kind: auditlog.Incident, Time: now, Actor: "system",
			Details: map[string]string{"alarm": "peer audit log inconsistent", "origin": a.Origin,
				"old_size": strconv.FormatInt(a.OldSize, 10), "new_size": strconv.FormatInt(a.NewSize, 10)}})
		return err
	})
	w.Log.Error("WITNESS ALARM: a peer's audit log does not extend what it showed before", "origin", a.Origin, "old_size", a.OldSize, "new_size", a.NewSize, "detail", a.Detail)
	if w.OnAlarm != nil {
		w.OnAlarm(a)
	}
	if err != nil {
		return err
	}
	return apperr.Errorf(apperr.EConflict, "%s: %s", a.Origin, a.Detail)
}

// Alarms lists the alarms raised, newest first.
func (w *Witness) Alarms(ctx context.Context) ([]Alarm, error) {
	rows, err := w.DB.QueryContext(ctx, `SELECT origin, old_size, new_size, detail FROM witness_alarms ORDER BY at DESC`)
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	var out []Alarm
	for rows.Next() {
		var a Alarm
		if err := rows.Scan(&a.Origin, &a.OldSize, &a.NewSize, &a.Detail); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Serve adds this node's checkpoint and proof to the answer of a delivery
// and keeps the sender's cosignature, if any. It runs before the inbox
// handler writes its answer; failures only leave the headers out.
func (w *Witness) Serve(r *http.Request, out http.Header) {
	ctx := r.Context()
	cp, err := w.latest(ctx)
	if err != nil {
		return // no checkpoint yet: nothing to show
	}
	out.Set(HeaderCheckpoint, base64.StdEncoding.EncodeToString(cp.Note))
	if seen, err := strconv.ParseInt(r.Header.Get(HeaderSeen), 10, 64); err == nil && seen > 0 && seen < cp.Size {
		key := [2]int64{seen, cp.Size}
		w.cache.mu.Lock()
		p, ok := w.cache.proofs[key]
		w.cache.mu.Unlock()
		if !ok {
			if proof, err := auditlog.ProveConsistency(ctx, w.DB, seen, cp.Size); err == nil {
				p, ok = encodeProof(proof), true
				w.cache.mu.Lock()
				put(&w.cache.proofs, key, p)
				w.cache.mu.Unlock()
			}
		}
		if ok {
			out.Set(HeaderProof, p)
		}
	}
	if c := r.Header.Get(HeaderCosign); c != "" {
		w.cache.mu.Lock()
		kept := w.cache.kept[c]
		w.cache.mu.Unlock()
		if kept {
			return
		}
		if err := w.keepCosignature(ctx, c); err != nil {
			w.Log.Debug("witness: cosignature not kept", "err", err)
			return
		}
		w.cache.mu.Lock()
		put(&w.cache.kept, c, true)
		w.cache.mu.Unlock()
	}
}

// latest returns this node's latest checkpoint, read from the database at
// most once per cacheFresh, and again at once after this process made a
// checkpoint.
func (w *Witness) latest(ctx context.Context) (auditlog.Checkpoint, error) {
	gen := auditlog.Generation(w.DB)
	w.cache.mu.Lock()
	if w.cache.latestGen == gen && !w.cache.latestAt.IsZero() && time.Since(w.cache.latestAt) < cacheFresh {
		defer w.cache.mu.Unlock()
		if w.cache.latest == nil {
			return auditlog.Checkpoint{}, apperr.Errorf(apperr.ENotFound, "no checkpoint yet")
		}
		return *w.cache.latest, nil
	}
	w.cache.mu.Unlock()
	cp, err := auditlog.Latest(ctx, w.DB)
	if err != nil && !apperr.Is(err, apperr.ENotFound) {
		return cp, err
	}
	w.cache.mu.Lock()
	// "None yet" is cached too: a young node has no checkpoint for its
	// first interval, and must not look for one with every delivery.
	w.cache.latest, w.cache.latestAt, w.cache.latestGen = nil, time.Now(), gen
	if err == nil {
		w.cache.latest = &cp
	}
	w.cache.mu.Unlock()
	return cp, err
}

// keepCosignature verifies a peer's cosignature over one of this node's
// checkpoints and stores it.
func (w *Witness) keepCosignature(ctx context.Context, header string) error {
	sizeText, line, ok := strings.Cut(header, " ")
	size, err := strconv.ParseInt(sizeText, 10, 64)
	if !ok || err != nil {
		return fmt.Errorf("malformed cosignature header")
	}
	msg, err := auditlog.CheckpointNote(ctx, w.DB, size)
	if err != nil {
		return err
	}
	text, _, _ := bytes.Cut(msg, []byte("\n\n"))
	// The signature line names the witness: "— art35/AUTHORITY base64".
	fields := strings.Fields(line)
	if len(fields) != 3 || !strings.HasPrefix(fields[1], auditlog.OriginPrefix) {
		return fmt.Errorf("malformed cosignature line")
	}
	witness := strings.TrimPrefix(fields[1], auditlog.OriginPrefix)
	pub, err := w.Keys(ctx, witness)
	if err != nil {
		return err
	}
	v, err := auditlog.NewVerifier(fields[1], pub)
	if err != nil {
		return err
	}
	if _, err := note.Open([]byte(string(text)+"\n\n"+line+"\n"), note.VerifierList(v)); err != nil {
		return fmt.Errorf("cosignature by %s does not verify: %w", witness, err)
	}
	return auditlog.AddCosignature(ctx, w.DB, size, witness, line, w.Clock.Now())
}

// Cosignatures returns the witnesses' signature lines over this node's
// checkpoint of the given size.
func (w *Witness) Cosignatures(ctx context.Context, size int64) (map[string]string, error) {
	list, err := auditlog.Cosignatures(ctx, w.DB, size)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, c := range list {
		out[c.Witness] = c.Signature
	}
	return out, nil
}

func encodeProof(p tlog.TreeProof) string {
	parts := make([]string, len(p))
	for i, h := range p {
		parts[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return strings.Join(parts, ",")
}

func decodeProof(s string) (tlog.TreeProof, error) {
	if s == "" {
		return nil, fmt.Errorf("empty proof")
	}
	var p tlog.TreeProof
	for _, part := range strings.Split(s, ",") {
		b, err := base64.StdEncoding.DecodeString(part)
		if err != nil || len(b) != tlog.HashSize {
			return nil, fmt.Errorf("proof hash %q is not a base64 SHA-256", part)
		}
		p = append(p, tlog.Hash(b))
	}
	return p, nil
}
