package auditlog

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

var ctx = context.Background()

// testLog is a log with its key and a manual clock.
type testLog struct {
	*Log
	pub   ed25519.PublicKey
	clock *clock.Manual
}

func newTestLog(t testing.TB, db *store.DB, authority string) testLog {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewManual(t0)
	l, err := New(db, authority, priv, clk)
	if err != nil {
		t.Fatal(err)
	}
	return testLog{Log: l, pub: pub, clock: clk}
}

func (l testLog) verifier(t *testing.T) note.Verifier {
	t.Helper()
	v, err := NewVerifier(l.Origin, l.pub)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// recordN is the n-th record of a test log: an envelope of message
// "msg-N/3" (three records per message), so bundles hold several entries.
func recordN(n int) Record {
	digest := fmt.Sprintf("sha256:%064x", n)
	return Record{
		Kind: EnvelopeSent, Time: t0.Add(time.Duration(n) * time.Second), Actor: "system",
		Case: fmt.Sprintf("IT-2026-%04d", n%7), MessageID: fmt.Sprintf("msg-%d", n/3), Digest: digest,
		Details: map[string]string{"to": "FR-247"},
	}
}

func appendN(t *testing.T, db *store.DB, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		idx, err := AppendOne(ctx, db, recordN(i))
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		if idx != int64(i) {
			t.Fatalf("append %d got index %d", i, idx)
		}
	}
}

// TestAppendMatchesTlog checks the stored hashes against tlog computing
// from scratch, and Verify's recomputed root against tlog.TreeHash, for
// every size up to 40 (all shapes of small trees).
func TestAppendMatchesTlog(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		l := newTestLog(t, db, "IT-247")
		var mem []tlog.Hash
		memReader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
			out := make([]tlog.Hash, len(idx))
			for i, x := range idx {
				out[i] = mem[x]
			}
			return out, nil
		})
		for n := 0; n < 40; n++ {
			appendN(t, db, n, n+1)
			leaf, _ := recordN(n).Encode()
			hs, err := tlog.StoredHashes(int64(n), leaf, memReader)
			if err != nil {
				t.Fatal(err)
			}
			mem = append(mem, hs...)
			want, _ := tlog.TreeHash(int64(n+1), memReader)
			rep, err := Verify(ctx, db, l.verifier(t))
			if err != nil {
				t.Fatalf("size %d: %v", n+1, err)
			}
			if rep.Size != int64(n+1) || rep.Root != want {
				t.Fatalf("size %d: report %d %x, want root %x", n+1, rep.Size, rep.Root, want)
			}
		}
		got, err := hashReader{ctx: ctx, q: db}.ReadHashes([]int64{0, int64(len(mem) - 1)})
		if err != nil || got[0] != mem[0] || got[1] != mem[len(mem)-1] {
			t.Fatalf("stored hashes differ from tlog's: %v", err)
		}
	})
}

// TestAppendRollsBackWithCaller checks that a record appended in a
// transaction that fails disappears with it, and that the next append
// takes the same index.
func TestAppendRollsBackWithCaller(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		appendN(t, db, 0, 2)
		boom := errors.New("business change failed")
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := Append(ctx, tx, recordN(2)); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx = %v", err)
		}
		if n, _ := Size(ctx, db); n != 2 {
			t.Fatalf("size after rollback %d, want 2", n)
		}
		appendN(t, db, 2, 3) // index 2 again
		l := newTestLog(t, db, "IT-247")
		if _, err := Verify(ctx, db, l.verifier(t)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAppendRefusesInvalid(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		r := sampleRecord()
		r.Purpose = ""
		_, err := AppendOne(ctx, db, r)
		if !apperr.Is(err, apperr.EInvalid) {
			t.Fatalf("append invalid = %v, want EInvalid", err)
		}
		if n, _ := Size(ctx, db); n != 0 {
			t.Fatalf("size %d after a refused append", n)
		}
	})
}

var errBusiness = errors.New("business change failed")

// TestConcurrentAppends runs appenders in parallel transactions, a quarter
// of which fail after appending: every committed record must get its own
// index, every failed one must leave no trace, and the tree must verify.
func TestConcurrentAppends(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		const workers, each = 6, 15
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		seen := sync.Map{}
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					r := recordN(w*each + i)
					err := db.Tx(ctx, func(tx *sql.Tx) error {
						// Some business change beside the record.
						if _, err := tx.ExecContext(ctx, `INSERT INTO node_meta (key, value) VALUES ($1, 'x')`, fmt.Sprintf("k%d-%d", w, i)); err != nil {
							return err
						}
						idx, err := Append(ctx, tx, r)
						if err != nil {
							return err
						}
						if i%4 == 3 {
							// The business change fails after its record
							// was appended: both must vanish, and the
							// index goes to the next appender.
							return errBusiness
						}
						if _, dup := seen.LoadOrStore(idx, true); dup {
							return fmt.Errorf("index %d given twice", idx)
						}
						return nil
					})
					if err != nil && !errors.Is(err, errBusiness) {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		l := newTestLog(t, db, "IT-247")
		if _, err := l.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		rep, err := Verify(ctx, db, l.verifier(t))
		if err != nil {
			t.Fatal(err)
		}
		committed := int64(workers * (each - each/4))
		if rep.Size != committed {
			t.Fatalf("size %d, want %d", rep.Size, committed)
		}
		var meta int64
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM node_meta WHERE key LIKE 'k%'`).Scan(&meta); err != nil || meta != committed {
			t.Fatalf("%d business rows for %d records (%v)", meta, committed, err)
		}
	})
}

func TestCheckpointIfDue(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		l := newTestLog(t, db, "IT-247")
		const every = time.Hour
		steps := []struct {
			name      string
			appendTo  int // append records up to this count first
			advance   time.Duration
			wantMade  bool
			wantSize  int64
			wantCount int
		}{
			{"empty log: nothing to sign", 0, 0, false, 0, 0},
			{"first records: first checkpoint at once", 3, 0, true, 3, 1},
			{"grown but too soon", 5, 10 * time.Minute, false, 3, 1},
			{"grown and due", 5, 50 * time.Minute, true, 5, 2},
			{"due but unchanged", 5, 2 * time.Hour, false, 5, 2},
			{"grown again and due", 6, 0, true, 6, 3},
		}
		appended := 0
		for _, s := range steps {
			appendN(t, db, appended, s.appendTo)
			appended = max(appended, s.appendTo)
			l.clock.Advance(s.advance)
			c, made, err := l.CheckpointIfDue(ctx, every)
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if made != s.wantMade || c.Size != s.wantSize {
				t.Fatalf("%s: made %v size %d, want %v %d", s.name, made, c.Size, s.wantMade, s.wantSize)
			}
			rep, err := Verify(ctx, db, l.verifier(t))
			if err != nil {
				t.Fatalf("%s: verify: %v", s.name, err)
			}
			if rep.Checkpoints != s.wantCount {
				t.Fatalf("%s: %d checkpoints, want %d", s.name, rep.Checkpoints, s.wantCount)
			}
		}
	})
}

// TestCheckpointKeepsOrigin: a node whose authority id changed must not
// sign its old log under a new name.
func TestCheckpointKeepsOrigin(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		appendN(t, db, 0, 2)
		if _, err := newTestLog(t, db, "IT-247").Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		appendN(t, db, 2, 3)
		_, err := newTestLog(t, db, "IT-CNAIPIC").Checkpoint(ctx)
		if !apperr.Is(err, apperr.EConflict) || !strings.Contains(err.Error(), "started as art35/IT-247") {
			t.Fatalf("Checkpoint under another origin = %v, want EConflict", err)
		}
	})
}

func TestCheckpointEmptyLog(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		l := newTestLog(t, db, "IT-247")
		if _, err := l.Checkpoint(ctx); !apperr.Is(err, apperr.EInvalid) {
			t.Fatalf("checkpoint of empty log = %v, want EInvalid", err)
		}
		if _, err := Latest(ctx, db); !apperr.Is(err, apperr.ENotFound) {
			t.Fatalf("Latest = %v, want ENotFound", err)
		}
	})
}

func TestCheckpointNote(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		l := newTestLog(t, db, "IT-247")
		appendN(t, db, 0, 5)
		c, err := l.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		root, _ := tlog.TreeHash(5, hashReader{ctx: ctx, q: db})
		want := fmt.Sprintf("art35/IT-247\n5\n%s\ntime 2026-11-25T03:00:00Z\n", b64(root))
		if c.Text() != want {
			t.Fatalf("note text %q, want %q", c.Text(), want)
		}
		back, err := OpenCheckpoint(c.Note, l.verifier(t))
		if err != nil {
			t.Fatal(err)
		}
		if back.Size != 5 || back.Root != root || !back.Time.Equal(c.Time) {
			t.Fatalf("opened %+v", back)
		}
		// The standard sumdb note verifier built from the vkey text agrees.
		vkey, _ := note.NewEd25519VerifierKey("art35/IT-247", l.pub)
		v, _ := note.NewVerifier(vkey)
		if _, err := note.Open(c.Note, note.VerifierList(v)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestOriginRules(t *testing.T) {
	t.Parallel()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	for _, a := range []string{"", "IT 247", "IT+247", "IT\n247"} {
		if _, err := New(nil, a, priv, nil); !apperr.Is(err, apperr.EInvalid) {
			t.Errorf("authority %q accepted: %v", a, err)
		}
	}
	if _, err := New(nil, "IT-247", priv[:10], nil); !apperr.Is(err, apperr.EInvalid) {
		t.Errorf("short key accepted: %v", err)
	}
}

func TestParseCheckpointRejects(t *testing.T) {
	t.Parallel()
	good := "art35/IT-247\n5\n" + b64(tlog.Hash{1}) + "\ntime 2026-11-25T03:00:00Z\n"
	if _, err := ParseCheckpoint(good); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"no newline":   good[:len(good)-1],
		"extra line":   good + "x\n",
		"other origin": "sum.golang.org\n5\n" + b64(tlog.Hash{1}) + "\ntime 2026-11-25T03:00:00Z\n",
		"zero size":    "art35/IT-247\n0\n" + b64(tlog.Hash{1}) + "\ntime 2026-11-25T03:00:00Z\n",
		"leading zero": "art35/IT-247\n05\n" + b64(tlog.Hash{1}) + "\ntime 2026-11-25T03:00:00Z\n",
		"short root":   "art35/IT-247\n5\nAAAA\ntime 2026-11-25T03:00:00Z\n",
		"local time":   "art35/IT-247\n5\n" + b64(tlog.Hash{1}) + "\ntime 2026-11-25T04:00:00+01:00\n",
		"no time":      "art35/IT-247\n5\n" + b64(tlog.Hash{1}) + "\n2026-11-25T03:00:00Z\n",
	} {
		if _, err := ParseCheckpoint(text); !apperr.Is(err, apperr.EInvalid) {
			t.Errorf("%s: ParseCheckpoint(%q) = %v, want EInvalid", name, text, err)
		}
	}
}

// FuzzParseCheckpoint: never a panic, and only canonical text accepted.
func FuzzParseCheckpoint(f *testing.F) {
	f.Add("art35/IT-247\n5\n" + b64(tlog.Hash{1}) + "\ntime 2026-11-25T03:00:00Z\n")
	f.Add("art35/x\n1\n\ntime \n")
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		c, err := ParseCheckpoint(text)
		if err == nil && c.Text() != text {
			t.Fatalf("accepted non-canonical %q", text)
		}
	})
}

func TestList(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		appendN(t, db, 0, 10)
		r := sampleRecord()
		if _, err := AppendOne(ctx, db, r); err != nil {
			t.Fatal(err)
		}
		for name, tc := range map[string]struct {
			q    Query
			want []int64
		}{
			"all, newest first": {Query{}, []int64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0}},
			"limit":             {Query{Limit: 2}, []int64{10, 9}},
			"message":           {Query{MessageID: "msg-1"}, []int64{5, 4, 3}},
			"case":              {Query{Case: "IT-2026-0003"}, []int64{3}},
			"who read":          {Query{Kind: DataRead}, []int64{10}},
			"actor and kind":    {Query{Actor: "officer-17", Kind: DataRead}, []int64{10}},
			"nothing":           {Query{Actor: "nobody"}, nil},
		} {
			got, err := List(ctx, db, tc.q)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var idx []int64
			for _, l := range got {
				idx = append(idx, l.Index)
			}
			if fmt.Sprint(idx) != fmt.Sprint(tc.want) {
				t.Errorf("%s: got %v, want %v", name, idx, tc.want)
			}
		}
		got, _ := List(ctx, db, Query{Kind: DataRead})
		if got[0].Purpose != r.Purpose || got[0].Details["rows"] != "3" {
			t.Fatalf("listed record %+v", got[0])
		}
		if _, err := List(ctx, db, Query{Limit: -1}); !apperr.Is(err, apperr.EInvalid) {
			t.Fatalf("negative limit: %v", err)
		}
	})
}
