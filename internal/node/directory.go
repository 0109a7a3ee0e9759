package node

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/httperr"
	"github.com/art35/art35/internal/keys"
)

// MaxSnapshotSize bounds a fetched directory snapshot. The real directory
// of about 200 parties is far smaller; a larger answer is refused rather
// than read into memory.
const MaxSnapshotSize = 32 << 20

// directoryCache holds the snapshot in force on this node, parsed once.
// Readers take the current state without a lock (it is consulted several
// times for every envelope); one refresher at a time reads the serial
// from the database when the state is older than DirectoryRecheck, while
// the others go on with the state they have.
type directoryCache struct {
	mu  sync.Mutex // held by the one refresher
	cur atomic.Pointer[directoryState]
}

type directoryState struct {
	serial uint64 // 0 = the starter snapshot shipped in the binary
	snap   *directory.Snapshot
	// checked is when the serial was last read from the database
	// (monotonic process time, not the node's clock: it bounds how stale
	// the cache may be, it is not a business time).
	checked time.Time
}

// DirectoryRecheck is how long Directory trusts its cached snapshot before
// reading the newest serial again. A snapshot accepted by this process is
// seen at once; one accepted by another process (the CLI beside a running
// node, another replica) within this time (plus the time of one read).
const DirectoryRecheck = time.Second

// Directory returns the directory this node works with: the newest signed
// snapshot it accepted, or, until it has accepted one, the starter snapshot
// shipped in the binary.
func (n *Node) Directory(ctx context.Context) (*directory.Snapshot, error) {
	st := n.dir.cur.Load()
	if st != nil && time.Since(st.checked) < DirectoryRecheck {
		return st.snap, nil
	}
	if st != nil && !n.dir.mu.TryLock() {
		// Another goroutine is reading the serial now: the snapshot held
		// is at most one read older than the rule allows.
		return st.snap, nil
	}
	if st == nil {
		n.dir.mu.Lock()
	}
	defer n.dir.mu.Unlock()
	return n.refreshDirectory(ctx, false)
}

// refreshDirectory reads the newest serial, and the snapshot when it
// changed, into the cache; force reads even a state checked just now. The
// caller holds n.dir.mu.
func (n *Node) refreshDirectory(ctx context.Context, force bool) (*directory.Snapshot, error) {
	st := n.dir.cur.Load()
	if !force && st != nil && time.Since(st.checked) < DirectoryRecheck {
		return st.snap, nil // refreshed while this caller waited for the lock
	}
	serial, err := n.snapshots.LatestSerial(ctx)
	if err != nil {
		return nil, err
	}
	checked := time.Now()
	if st != nil && st.serial == serial {
		n.dir.cur.Store(&directoryState{serial: serial, snap: st.snap, checked: checked})
		return st.snap, nil
	}
	if serial == 0 {
		s, err := directory.Starter()
		if err != nil {
			return nil, err
		}
		n.keys.SetSnapshot(s)
		n.dir.cur.Store(&directoryState{serial: 0, snap: s, checked: checked})
		return s, nil
	}
	rec, err := n.snapshots.Latest(ctx)
	if err != nil {
		return nil, err
	}
	// The stored bytes were verified when accepted; parsing them again
	// (without the validity check, which concerns acceptance, not use) is
	// enough to work with them.
	signed, err := directory.Parse(rec.Signed)
	if err != nil {
		return nil, fmt.Errorf("stored directory snapshot %d: %w", rec.Serial, err)
	}
	n.keys.SetSnapshot(signed.Snapshot)
	n.dir.cur.Store(&directoryState{serial: rec.Serial, snap: signed.Snapshot, checked: checked})
	return signed.Snapshot, nil
}

// AcceptSnapshot verifies a signed directory snapshot against the pinned
// secretariat key and the serial this node holds, and stores it. It refuses
// a node with no pinned key: a directory nobody can vouch for is not
// accepted.
func (n *Node) AcceptSnapshot(ctx context.Context, data []byte) (*directory.Signed, error) {
	if n.Config.SecretariatKey == "" {
		return nil, apperr.Errorf(apperr.EInvalid, "no secretariat key is pinned: set secretariat_key in %s (the ed25519:... key the secretariat published) before accepting a directory", n.Config.Path("art35.toml"))
	}
	pinned, err := keys.ParseSigningPublic(n.Config.SecretariatKey)
	if err != nil {
		return nil, fmt.Errorf("secretariat_key: %w", err)
	}
	var held uint64
	rec, err := n.snapshots.Latest(ctx)
	switch {
	case err == nil:
		held = rec.Serial
	case !apperr.Is(err, apperr.ENotFound):
		return nil, err
	}
	now := n.Clock.Now()
	signed, err := directory.Verify(data, pinned, held, now)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(signed.Raw)
	digest := hex.EncodeToString(sum[:])
	err = n.snapshots.SaveWith(ctx, SnapshotRecord{
		Serial: signed.Serial(), IssuedAt: signed.Snapshot.IssuedAt, ValidUntil: signed.Snapshot.ValidUntil,
		Digest: digest, Signed: signed.Raw, AcceptedAt: now,
	}, func(tx *sql.Tx) error { return n.auditDirectory(ctx, tx, signed.Serial(), digest) })
	if err != nil {
		return nil, err
	}
	// The cache moves to the new snapshot before this returns, so that
	// everything this process does next uses it.
	n.dir.mu.Lock()
	if _, err := n.refreshDirectory(ctx, true); err != nil {
		// Stored all the same: the next use reads it again.
		n.Log.Warn("directory snapshot accepted but not yet loaded", "serial", signed.Serial(), "err", err)
		if st := n.dir.cur.Load(); st != nil {
			n.dir.cur.Store(&directoryState{serial: st.serial, snap: st.snap})
		}
	}
	n.dir.mu.Unlock()
	n.Log.Info("directory snapshot accepted", "serial", signed.Serial(), "parties", len(signed.Snapshot.Parties), "valid_until", signed.Snapshot.ValidUntil)
	n.directoryAccepted(ctx) // rules.go
	return signed, nil
}

// handleDirectory serves the newest signed snapshot this node holds (on the
// secretariat's node, the one it publishes). The ETag is the digest of the
// signed bytes, so pollers ask with If-None-Match and get 304 when nothing
// changed.
func (n *Node) handleDirectory(w http.ResponseWriter, r *http.Request) {
	rec, err := n.snapshots.Latest(r.Context())
	if err != nil {
		httperr.JSON(w, r, n.Log, err)
		return
	}
	etag := `"` + rec.Digest + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "no-cache")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	http.ServeContent(w, r, "directory.json", rec.AcceptedAt, bytes.NewReader(rec.Signed))
}

// PollResult says what one directory poll did.
type PollResult struct {
	Changed bool   // a new snapshot was accepted
	Serial  uint64 // the serial held after the poll
}

// PollDirectory fetches the signed directory from url with a conditional
// GET and accepts it if it is newer. A snapshot that fails verification
// (bad signature, rollback, expired) is refused and the node keeps the one
// it holds.
func (n *Node) PollDirectory(ctx context.Context, client *http.Client, url string) (PollResult, error) {
	var res PollResult
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return res, apperr.Wrap(apperr.EInvalid, err, "directory_url %q", url)
	}
	rec, err := n.snapshots.Latest(ctx)
	switch {
	case err == nil:
		req.Header.Set("If-None-Match", `"`+rec.Digest+`"`)
		res.Serial = rec.Serial
	case !apperr.Is(err, apperr.ENotFound):
		return res, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return res, fmt.Errorf("fetch directory from %s: %w", url, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified:
		return res, nil
	case http.StatusOK:
	default:
		return res, fmt.Errorf("fetch directory from %s: HTTP %s", url, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxSnapshotSize+1))
	if err != nil {
		return res, fmt.Errorf("read directory from %s: %w", url, err)
	}
	if len(data) > MaxSnapshotSize {
		return res, apperr.Errorf(apperr.EInvalid, "directory from %s is larger than %d bytes; refused", url, MaxSnapshotSize)
	}
	signed, err := n.AcceptSnapshot(ctx, data)
	if err != nil {
		return res, err
	}
	return PollResult{Changed: true, Serial: signed.Serial()}, nil
}

// pollEvery polls the directory until ctx ends. Failures are logged and
// retried at the next tick: the node keeps working with what it holds.
func (n *Node) pollEvery(ctx context.Context, client *http.Client, url string, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if res, err := n.PollDirectory(ctx, client, url); err != nil {
			n.Log.Warn("directory poll failed; keeping the snapshot held", "url", url, "err", err)
		} else if res.Changed {
			n.Log.Info("directory updated", "serial", res.Serial)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
