package auditlog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

// stage stages records from..to-1, one transaction each, and returns
// their tickets.
func stage(t *testing.T, db *store.DB, from, to int) []int64 {
	t.Helper()
	var tickets []int64
	for i := from; i < to; i++ {
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			tk, err := Append(ctx, tx, recordN(i))
			tickets = append(tickets, tk)
			return err
		})
		if err != nil {
			t.Fatalf("stage %d: %v", i, err)
		}
	}
	return tickets
}

func mustSize(t *testing.T, db *store.DB) int64 {
	t.Helper()
	n, err := Size(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mustPending(t *testing.T, db *store.DB) int64 {
	t.Helper()
	n, err := Pending(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSequenceSignsHead: staged records are not in the log until
// sequenced; a sequenced batch keeps staging order, signs a tree head that
// verifies, and proofs can be made from it without a periodic checkpoint.
func TestSequenceSignsHead(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		l := newTestLog(t, db, "IT-247")
		stage(t, db, 0, 10)
		if n := mustSize(t, db); n != 0 {
			t.Fatalf("size %d before sequencing, want 0", n)
		}
		// The audit view shows staged records at once, without an index.
		got, err := List(ctx, db, Query{MessageID: "msg-1"})
		if err != nil || len(got) != 3 || got[0].Index != -1 || got[0].Digest != recordN(5).Digest {
			t.Fatalf("List of staged records = %+v, %v; want records 5, 4, 3 with index -1", got, err)
		}
		if _, err := Head(ctx, db); !apperr.Is(err, apperr.ENotFound) {
			t.Fatalf("Head before sequencing = %v, want ENotFound", err)
		}
		n, err := l.Sequence(ctx)
		if err != nil || n != 10 {
			t.Fatalf("Sequence = %d, %v; want 10", n, err)
		}
		if p := mustPending(t, db); p != 0 {
			t.Fatalf("%d records still staged", p)
		}
		for i := range 10 {
			want, _ := recordN(i).Encode()
			if got := leafOf(t, db, int64(i)); string(got) != string(want) {
				t.Fatalf("record %d is not the %d-th staged", i, i)
			}
		}
		head, err := Head(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := OpenCheckpoint(head.Note, l.verifier(t)); err != nil || head.Size != 10 {
			t.Fatalf("head of size %d: %v", head.Size, err)
		}
		rep, err := Verify(ctx, db, l.verifier(t))
		if err != nil || rep.Size != 10 || rep.Root != head.Root {
			t.Fatalf("Verify = %+v, %v; want size 10 and the head's root", rep, err)
		}
		b, err := Prove(ctx, db, "msg-3")
		if err != nil {
			t.Fatal(err)
		}
		enc, _ := b.Encode()
		if _, err := CheckBundle(enc, l.pub); err != nil {
			t.Fatalf("bundle from the tree head: %v", err)
		}
		// A record appended at once (a sign-in) moves the size past the
		// head; the next batch still extends the head, and Verify checks
		// the head at its own size.
		if idx, err := AppendOne(ctx, db, recordN(10)); err != nil || idx != 10 {
			t.Fatalf("AppendOne = %d, %v", idx, err)
		}
		if rep, err := Verify(ctx, db, l.verifier(t)); err != nil || rep.Size != 11 {
			t.Fatalf("Verify after AppendOne = %+v, %v", rep, err)
		}
		stage(t, db, 11, 14)
		if n, err := l.Sequence(ctx); err != nil || n != 3 {
			t.Fatalf("Sequence = %d, %v; want 3", n, err)
		}
		if rep, err := Verify(ctx, db, l.verifier(t)); err != nil || rep.Size != 14 {
			t.Fatalf("Verify = %+v, %v", rep, err)
		}
	})
}

// TestSequenceCrash: a sequencer that dies after writing a batch but
// before committing loses nothing; after a restart (the database closed
// and opened again) the records are sequenced once.
func TestSequenceCrash(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, backend string) {
		dsn := storetest.DSN(t, backend)
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		l := newTestLog(t, db, "IT-247")
		appendN(t, db, 0, 3) // some records already in the log
		stage(t, db, 3, 3+MaxBatch+5)

		errTestCrash = errors.New("power cut")
		_, err = l.Sequence(ctx)
		errTestCrash = nil
		if err == nil {
			t.Fatal("the crashing sequencer reported success")
		}
		if n := mustSize(t, db); n != 3 {
			t.Fatalf("size %d after the crash, want 3", n)
		}
		if p := mustPending(t, db); p != MaxBatch+5 {
			t.Fatalf("%d staged after the crash, want %d", p, MaxBatch+5)
		}
		db.Close()

		db, err = store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		l.DB = db
		n, err := l.Sequence(ctx)
		if err != nil || n != MaxBatch+5 {
			t.Fatalf("Sequence after restart = %d, %v; want %d", n, err, MaxBatch+5)
		}
		rep, err := Verify(ctx, db, l.verifier(t))
		if err != nil || rep.Size != 3+MaxBatch+5 {
			t.Fatalf("Verify = %+v, %v", rep, err)
		}
		var distinct int64
		if err := db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT digest) FROM audit_records`).Scan(&distinct); err != nil || distinct != rep.Size {
			t.Fatalf("%d distinct records among %d (%v): a record was doubled or lost", distinct, rep.Size, err)
		}
	})
}

// TestSequencersInParallel: stagers and two sequencers (as two replicas of
// a node on one database would run) at once: every committed record is
// sequenced exactly once and the log verifies.
func TestSequencersInParallel(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		a := newTestLog(t, db, "IT-247")
		b := &Log{DB: db, Origin: a.Origin, Signer: a.Signer, Clock: a.clock}
		const stagers, each = 4, 40
		var wg sync.WaitGroup
		stop := make(chan struct{})
		errs := make(chan error, 16)
		for s := range stagers {
			wg.Go(func() {
				for i := range each {
					err := db.Tx(ctx, func(tx *sql.Tx) error {
						_, err := Append(ctx, tx, recordN(s*each+i))
						return err
					})
					if err != nil {
						errs <- err
						return
					}
				}
			})
		}
		var seqs sync.WaitGroup
		for _, l := range []*Log{a.Log, b} {
			seqs.Go(func() {
				for {
					if _, err := l.Sequence(ctx); err != nil {
						errs <- err
						return
					}
					select {
					case <-stop:
						return
					default:
					}
				}
			})
		}
		wg.Wait()
		close(stop)
		seqs.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if _, err := a.Sequence(ctx); err != nil {
			t.Fatal(err)
		}
		rep, err := Verify(ctx, db, a.verifier(t))
		if err != nil || rep.Size != stagers*each {
			t.Fatalf("Verify = %+v, %v; want %d records", rep, err, stagers*each)
		}
		var distinct int64
		if err := db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT digest) FROM audit_records`).Scan(&distinct); err != nil || distinct != stagers*each {
			t.Fatalf("%d distinct records (%v)", distinct, err)
		}
	})
}

// TestRunSequencerWakesOnCommit: with the sequencer running, a committed
// record reaches the log without anyone calling Sequence (the commit hook
// wakes it); WaitSequenced returns once it has.
func TestRunSequencerWakesOnCommit(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		l := newTestLog(t, db, "IT-247")
		stage(t, db, 0, 2) // staged before the sequencer starts (a restart)
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- l.RunSequencer(runCtx) }()
		tickets := stage(t, db, 2, 5)
		wctx, wcancel := context.WithTimeout(ctx, time.Minute)
		defer wcancel()
		if err := WaitSequenced(wctx, db, tickets[len(tickets)-1]); err != nil {
			t.Fatal(err)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("RunSequencer = %v", err)
		}
		if n := mustSize(t, db); n != 5 {
			t.Fatalf("size %d, want 5", n)
		}
	})
}

// TestHeadTamper: the tree head is checked like a checkpoint, and the
// sequencer refuses to sign a head over a rewritten past.
func TestHeadTamper(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		l := newTestLog(t, db, "IT-247")
		stage(t, db, 0, 6)
		if _, err := l.Sequence(ctx); err != nil {
			t.Fatal(err)
		}
		var root []byte
		if err := db.QueryRowContext(ctx, `SELECT root FROM audit_head WHERE id = 1`).Scan(&root); err != nil {
			t.Fatal(err)
		}
		bad := append([]byte{}, root...)
		bad[0] ^= 1
		sqlExec(t, db, `UPDATE audit_head SET root = $1 WHERE id = 1`, bad)
		if _, err := Verify(ctx, db, l.verifier(t)); !apperr.Is(err, apperr.EInvalid) {
			t.Fatalf("Verify with a changed head row = %v, want EInvalid", err)
		}
		sqlExec(t, db, `UPDATE audit_head SET root = $1 WHERE id = 1`, root)

		// Rewrite record 2 and every hash, as a careful attacker would.
		other, _ := recordN(100).Encode()
		sqlExec(t, db, `UPDATE audit_records SET leaf = $1 WHERE idx = 2`, other)
		rewriteHashes(t, db)
		if _, err := Verify(ctx, db, l.verifier(t)); !apperr.Is(err, apperr.EInvalid) {
			t.Fatalf("Verify of a rewritten past = %v, want EInvalid", err)
		}
		stage(t, db, 6, 7)
		if _, err := l.Sequence(ctx); !apperr.Is(err, apperr.EConflict) {
			t.Fatalf("Sequence over a rewritten past = %v, want EConflict", err)
		}
		if p := mustPending(t, db); p != 1 {
			t.Fatalf("%d staged, want the refused record kept", p)
		}
	})
}

func ExampleWaitSequenced() {
	ctx := context.Background()
	db, err := store.Open(ctx, "/var/lib/art35/art35.db")
	if err != nil {
		return
	}
	defer db.Close()
	var ticket int64
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		ticket, err = Append(ctx, tx, Record{Kind: AdminChange, Time: time.Now(), Actor: "admin-1"})
		return err
	})
	if err == nil {
		// The node's sequencer (Log.Run) integrates it; wait for it.
		err = WaitSequenced(ctx, db, ticket)
	}
	fmt.Println(err)
}

// TestFlush: Flush integrates staged records without a key; the next
// signed batch signs a head over them too.
func TestFlush(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		l := newTestLog(t, db, "IT-247")
		stage(t, db, 0, 3)
		if n, err := Flush(ctx, db); err != nil || n != 3 {
			t.Fatalf("Flush = %d, %v", n, err)
		}
		if _, err := Head(ctx, db); !apperr.Is(err, apperr.ENotFound) {
			t.Fatalf("Head after Flush = %v, want ENotFound (nothing signed)", err)
		}
		stage(t, db, 3, 5)
		if _, err := l.Sequence(ctx); err != nil {
			t.Fatal(err)
		}
		head, err := Head(ctx, db)
		if err != nil || head.Size != 5 {
			t.Fatalf("head %d, %v; want 5", head.Size, err)
		}
		if rep, err := Verify(ctx, db, l.verifier(t)); err != nil || rep.Root != head.Root {
			t.Fatalf("Verify = %+v, %v", rep, err)
		}
	})
}
