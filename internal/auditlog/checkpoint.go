package auditlog

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/store"
)

// OriginPrefix starts every log's origin line: "art35/" and the node's
// authority id from the directory.
const OriginPrefix = "art35/"

// Origin returns the origin (and note key name) of an authority's log.
func Origin(authority string) string { return OriginPrefix + authority }

// checkOrigin enforces the note package's rules on key names (no spaces,
// no '+') plus our prefix, so a bad authority id fails with a clear message
// instead of deep inside the note package.
func checkOrigin(origin string) error {
	rest, ok := strings.CutPrefix(origin, OriginPrefix)
	if !ok || rest == "" {
		return apperr.Errorf(apperr.EInvalid, "audit log origin %q: must be %q and the node's authority id", origin, OriginPrefix+"AUTHORITY")
	}
	if len(origin) > 200 || strings.ContainsAny(origin, "+") || strings.IndexFunc(origin, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return apperr.Errorf(apperr.EInvalid, "audit log origin %q: the authority id may not contain spaces, '+' or control characters and must be short; fix authority in the node's config", origin)
	}
	return nil
}

// NewSigner returns a note signer for origin with the node's Ed25519 key.
// The note package builds signers only from its own text encoding, so the
// raw key is put into that encoding here ("PRIVATE+KEY+name+hash+data",
// algorithm byte 1 and the 32-byte seed).
func NewSigner(origin string, key ed25519.PrivateKey) (note.Signer, error) {
	if err := checkOrigin(origin); err != nil {
		return nil, err
	}
	if len(key) != ed25519.PrivateKeySize {
		return nil, apperr.Errorf(apperr.EInvalid, "audit log signer: Ed25519 private key has %d bytes, want %d", len(key), ed25519.PrivateKeySize)
	}
	vkey, err := note.NewEd25519VerifierKey(origin, key.Public().(ed25519.PublicKey))
	if err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, err, "audit log signer for %q", origin)
	}
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return nil, apperr.Errorf(apperr.EInternal, "audit log signer: unexpected verifier key form %q", vkey)
	}
	skey := "PRIVATE+KEY+" + origin + "+" + parts[1] + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, key.Seed()...))
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInternal, err, "audit log signer for %q", origin)
	}
	return s, nil
}

// NewVerifier returns a note verifier for origin's checkpoints signed with
// the Ed25519 key pub (as published in the directory).
func NewVerifier(origin string, pub ed25519.PublicKey) (note.Verifier, error) {
	if err := checkOrigin(origin); err != nil {
		return nil, err
	}
	if len(pub) != ed25519.PublicKeySize {
		return nil, apperr.Errorf(apperr.EInvalid, "audit log verifier: Ed25519 public key has %d bytes, want %d", len(pub), ed25519.PublicKeySize)
	}
	vkey, err := note.NewEd25519VerifierKey(origin, pub)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, err, "audit log verifier for %q", origin)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInternal, err, "audit log verifier for %q", origin)
	}
	return v, nil
}

// Checkpoint is a signed statement of the log's size and root hash at a
// time. Its note text (the C2SP tlog-checkpoint form with one extension
// line) is:
//
//	art35/AUTHORITY
//	SIZE
//	ROOT (standard base64 of the 32-byte root hash)
//	time 2026-11-25T03:00:00Z
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	Time   time.Time
	// Note is the signed note (text, blank line, signature lines).
	Note []byte
}

// Text returns the checkpoint's note text (what is signed).
func (c Checkpoint) Text() string {
	return fmt.Sprintf("%s\n%d\n%s\ntime %s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]), c.Time.UTC().Format(time.RFC3339))
}

// ParseCheckpoint parses a checkpoint's note text (without signatures). It
// accepts only the form Text writes.
func ParseCheckpoint(text string) (Checkpoint, error) {
	var c Checkpoint
	bad := func(format string, args ...any) (Checkpoint, error) {
		return Checkpoint{}, apperr.Errorf(apperr.EInvalid, "audit checkpoint: %s", fmt.Sprintf(format, args...))
	}
	lines := strings.Split(text, "\n")
	if len(lines) != 5 || lines[4] != "" {
		return bad("want 4 lines (origin, size, root hash, time) each ending in a newline, got %d", len(lines)-1)
	}
	c.Origin = lines[0]
	if err := checkOrigin(c.Origin); err != nil {
		return bad("line 1: %v", err)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size <= 0 || strconv.FormatInt(size, 10) != lines[1] {
		return bad("line 2: size %q must be a positive decimal number without leading zeros", trunc(lines[1]))
	}
	c.Size = size
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return bad("line 3: root %q must be the standard base64 of %d bytes", trunc(lines[2]), tlog.HashSize)
	}
	c.Root = tlog.Hash(root)
	ts, ok := strings.CutPrefix(lines[3], "time ")
	t, err := time.Parse(time.RFC3339, ts)
	if !ok || err != nil || t.Location() != time.UTC {
		return bad("line 4: want \"time \" and a UTC time like 2026-11-25T03:00:00Z, got %q", trunc(lines[3]))
	}
	c.Time = t
	if c.Text() != text {
		return bad("not in canonical form")
	}
	return c, nil
}

// OpenCheckpoint verifies a signed checkpoint note with the given verifiers
// and parses it. The note must carry a valid signature by a verifier named
// like the checkpoint's origin: a peer's signature alone (a cosignature)
// does not make it the log's checkpoint.
func OpenCheckpoint(msg []byte, verifiers ...note.Verifier) (Checkpoint, error) {
	if err := checkSigLines(msg); err != nil {
		return Checkpoint{}, err
	}
	n, err := note.Open(msg, note.VerifierList(verifiers...))
	if err != nil {
		var inv *note.InvalidSignatureError
		var unv *note.UnverifiedNoteError
		switch {
		case errors.As(err, &inv):
			return Checkpoint{}, apperr.Errorf(apperr.EInvalid, "audit checkpoint: the signature by %s (key hash %08x) is invalid: the checkpoint was changed or signed by another key", inv.Name, inv.Hash)
		case errors.As(err, &unv):
			return Checkpoint{}, apperr.Errorf(apperr.EInvalid, "audit checkpoint: no signature by any of the given keys (signed by %s); check that the key is the log owner's, from the directory", sigNames(unv.Note))
		}
		return Checkpoint{}, apperr.Wrap(apperr.EInvalid, err, "audit checkpoint: not a signed note")
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	ok := false
	for _, s := range n.Sigs {
		ok = ok || s.Name == c.Origin
	}
	if !ok {
		return Checkpoint{}, apperr.Errorf(apperr.EInvalid, "audit checkpoint of %s: not signed by %s itself (only by %s)", c.Origin, c.Origin, sigNames(n))
	}
	c.Note = msg
	return c, nil
}

// checkSigLines makes the signature block strict where note.Open is lax:
// it decodes signatures with lenient base64 (unused bits may vary) and skips
// repeated lines, so one note could be spelled several ways. A checkpoint
// must have exactly one spelling, so that changing any byte is noticed.
func checkSigLines(msg []byte) error {
	split := bytes.LastIndex(msg, []byte("\n\n"))
	if split < 0 || len(msg) == 0 || msg[len(msg)-1] != '\n' {
		return apperr.Errorf(apperr.EInvalid, "audit checkpoint: not a signed note (text, a blank line, signature lines)")
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(string(msg[split+2:len(msg)-1]), "\n") {
		rest, ok := strings.CutPrefix(line, "\u2014 ")
		_, sig, _ := strings.Cut(rest, " ")
		raw, err := base64.StdEncoding.Strict().DecodeString(sig)
		if !ok || err != nil || base64.StdEncoding.EncodeToString(raw) != sig || seen[line] {
			return apperr.Errorf(apperr.EInvalid, "audit checkpoint: signature line %q is malformed or repeated", trunc(line))
		}
		seen[line] = true
	}
	return nil
}

func sigNames(n *note.Note) string {
	var names []string
	for _, s := range append(append([]note.Signature{}, n.Sigs...), n.UnverifiedSigs...) {
		names = append(names, fmt.Sprintf("%s (key hash %08x)", s.Name, s.Hash))
	}
	if len(names) == 0 {
		return "nobody"
	}
	return strings.Join(names, ", ")
}

// Log makes the node's checkpoints. Appending needs no Log (see Append):
// only signing does.
type Log struct {
	DB     *store.DB
	Origin string
	Signer note.Signer
	Clock  clock.Clock
	// Logger receives the errors of Run; nil discards them.
	Logger *slog.Logger
}

// New returns the Log of the node of authority, signing with key.
func New(db *store.DB, authority string, key ed25519.PrivateKey, clk clock.Clock) (*Log, error) {
	origin := Origin(authority)
	s, err := NewSigner(origin, key)
	if err != nil {
		return nil, err
	}
	if clk == nil {
		clk = clock.System{}
	}
	return &Log{DB: db, Origin: origin, Signer: s, Clock: clk}, nil
}

// Checkpoint signs and stores a checkpoint of the log as it is now. It
// refuses an empty log, and it refuses to sign when the log is no longer
// consistent with the previous checkpoint (a rewritten past must not be
// blessed by a new signature). It blocks appends for the moment it takes.
func (l *Log) Checkpoint(ctx context.Context) (Checkpoint, error) {
	var c Checkpoint
	// Records staged until now belong in the checkpoint.
	if _, err := l.Sequence(ctx); err != nil {
		return c, err
	}
	// Alone, not in a group: it takes the head lock (store.DB.TxAlone).
	err := l.DB.TxAlone(ctx, func(tx *sql.Tx) error {
		var size int64
		// A no-op update: it takes the same lock as Append, so the size
		// and the hashes read below belong to one state of the log.
		if err := tx.QueryRowContext(ctx, `UPDATE audit_head SET size = size WHERE id = 1 RETURNING size`).Scan(&size); err != nil {
			return apperr.Wrap(apperr.EInternal, store.MapError(err), "audit log: read its size")
		}
		if size == 0 {
			return apperr.Errorf(apperr.EInvalid, "audit log is empty: there is nothing to checkpoint yet")
		}
		r := hashReader{ctx: ctx, q: tx}
		root, err := tlog.TreeHash(size, r)
		if err != nil {
			return apperr.Wrap(apperr.EInvalid, err, "audit log: compute the root of %d records", size)
		}
		prev, seq, err := latest(ctx, tx)
		switch {
		case apperr.Is(err, apperr.ENotFound):
		case err != nil:
			return err
		default:
			if prev.Origin != l.Origin {
				return apperr.Errorf(apperr.EConflict, "audit log: this log was started as %s but the node now signs as %s; restore the authority in the node's config (a log keeps its name for life)", prev.Origin, l.Origin)
			}
			if prev.Size > size {
				return apperr.Errorf(apperr.EConflict, "audit log: checkpoint %d covers %d records but the log has only %d: records were removed; refusing to sign (run 'art35 audit verify')", seq, prev.Size, size)
			}
			proof, err := tlog.ProveTree(size, prev.Size, r)
			if err == nil {
				err = tlog.CheckTree(proof, size, root, prev.Size, prev.Root)
			}
			if err != nil {
				return apperr.Errorf(apperr.EConflict, "audit log: the log is not consistent with checkpoint %d (size %d): its past was rewritten; refusing to sign (run 'art35 audit verify')", seq, prev.Size)
			}
		}
		c = Checkpoint{Origin: l.Origin, Size: size, Root: root, Time: l.Clock.Now().UTC().Truncate(time.Second)}
		msg, err := note.Sign(&note.Note{Text: c.Text()}, l.Signer)
		if err != nil {
			return apperr.Wrap(apperr.EInternal, err, "audit log: sign checkpoint")
		}
		c.Note = msg
		_, err = tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (seq, size, root, made_at, note) VALUES ($1, $2, $3, $4, $5)`,
			seq+1, c.Size, c.Root[:], store.FormatTime(c.Time), string(msg))
		return err
	})
	if err == nil {
		generation(l.DB).Add(1)
	}
	return c, err
}

// generations counts, per database, the checkpoints made in this process.
var generations sync.Map // *store.DB -> *atomic.Int64

func generation(db *store.DB) *atomic.Int64 {
	g, _ := generations.LoadOrStore(db, new(atomic.Int64))
	return g.(*atomic.Int64)
}

// Generation returns a number that changes whenever this process makes a
// checkpoint of db's log: a cache of Latest (the witness keeps one) stays
// valid while it is unchanged. Checkpoints made by another process do not
// change it; such a cache must also expire.
func Generation(db *store.DB) int64 { return generation(db).Load() }

// CheckpointIfDue makes a checkpoint when the log has grown since the last
// one and that one is at least interval old (or there is none yet). It is
// what the node calls on a ticker; the clock decides, so tests move time by
// hand.
func (l *Log) CheckpointIfDue(ctx context.Context, interval time.Duration) (c Checkpoint, made bool, err error) {
	if _, err := l.Sequence(ctx); err != nil {
		return c, false, err
	}
	n, err := Size(ctx, l.DB)
	if err != nil || n == 0 {
		return c, false, err
	}
	last, _, err := latest(ctx, l.DB)
	switch {
	case apperr.Is(err, apperr.ENotFound):
	case err != nil:
		return c, false, err
	case last.Size == n || l.Clock.Now().Sub(last.Time) < interval:
		return last, false, nil
	}
	c, err = l.Checkpoint(ctx)
	return c, err == nil, err
}

// Run sequences staged records (RunSequencer, in a goroutine of its own)
// and calls CheckpointIfDue until ctx ends, polling at most once a minute
// (more often for short intervals), and logs failures. The node starts it
// in a goroutine.
func (l *Log) Run(ctx context.Context, interval time.Duration) error {
	poll := min(interval/4, time.Minute)
	if poll <= 0 {
		return apperr.Errorf(apperr.EInvalid, "audit checkpoint interval %s: must be positive (e.g. 1h)", interval)
	}
	seqDone := make(chan struct{})
	go func() {
		defer close(seqDone)
		_ = l.RunSequencer(ctx)
	}()
	defer func() { <-seqDone }()
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			if _, _, err := l.CheckpointIfDue(ctx, interval); err != nil && l.Logger != nil {
				l.Logger.Error("audit checkpoint failed", "err", err)
			}
		}
	}
}

// Latest returns the most recent stored checkpoint (not re-verified), or
// ENotFound when none was made yet.
func Latest(ctx context.Context, db *store.DB) (Checkpoint, error) {
	c, _, err := latest(ctx, db)
	return c, err
}

func latest(ctx context.Context, q querier) (Checkpoint, int64, error) {
	var (
		c    Checkpoint
		seq  int64
		root []byte
		at   string
		msg  string
	)
	err := q.QueryRowContext(ctx, `SELECT seq, size, root, made_at, note FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`).
		Scan(&seq, &c.Size, &root, &at, &msg)
	found, err := store.Found(err)
	if err != nil {
		return c, 0, apperr.Wrap(apperr.EInternal, err, "audit log: read the latest checkpoint")
	}
	if !found {
		return c, 0, apperr.Errorf(apperr.ENotFound, "the audit log has no checkpoint yet; make one with 'art35 audit checkpoint'")
	}
	if len(root) != tlog.HashSize {
		return c, 0, apperr.Errorf(apperr.EInvalid, "audit checkpoint %d: stored root has %d bytes (the table was changed; run 'art35 audit verify')", seq, len(root))
	}
	c.Root = tlog.Hash(root)
	if c.Time, err = store.ParseTime(at); err != nil {
		return c, 0, apperr.Wrap(apperr.EInvalid, err, "audit checkpoint %d", seq)
	}
	c.Note = []byte(msg)
	if i := bytes.IndexByte(c.Note, '\n'); i > 0 {
		c.Origin = string(c.Note[:i])
	}
	return c, seq, nil
}

// ProveConsistency returns the proof that the log's first oldSize records
// are the first records of its first newSize records (tlog.ProveTree): what
// a peer asks for when a newer checkpoint arrives.
func ProveConsistency(ctx context.Context, db *store.DB, oldSize, newSize int64) (tlog.TreeProof, error) {
	n, err := Size(ctx, db)
	if err != nil {
		return nil, err
	}
	if oldSize <= 0 || oldSize > newSize || newSize > n {
		return nil, apperr.Errorf(apperr.EInvalid, "audit consistency proof: sizes %d and %d must satisfy 0 < old <= new <= %d (the log's size)", oldSize, newSize, n)
	}
	p, err := tlog.ProveTree(newSize, oldSize, hashReader{ctx: ctx, q: db})
	if err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, err, "audit consistency proof %d -> %d", oldSize, newSize)
	}
	return p, nil
}

// CheckConsistency checks that checkpoint newer extends checkpoint older of
// the same log, given the proof from ProveConsistency. It fails for a
// forked log: two histories that share a prefix and then differ.
func CheckConsistency(older, newer Checkpoint, proof tlog.TreeProof) error {
	if older.Origin != newer.Origin {
		return apperr.Errorf(apperr.EInvalid, "audit consistency: checkpoints of different logs (%s and %s)", older.Origin, newer.Origin)
	}
	if older.Size > newer.Size {
		return apperr.Errorf(apperr.EInvalid, "audit consistency: the newer checkpoint (size %d) is smaller than the older (size %d): the log shrank", newer.Size, older.Size)
	}
	if err := tlog.CheckTree(proof, newer.Size, newer.Root, older.Size, older.Root); err != nil {
		return apperr.Errorf(apperr.EConflict, "audit consistency: checkpoint of size %d does not extend the one of size %d: the log %s was forked or rewritten", newer.Size, older.Size, older.Origin)
	}
	return nil
}
