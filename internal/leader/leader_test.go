package leader

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
	"github.com/art35/art35/internal/testkit"
)

// replica is one elector running in the background with a work function
// that counts how many of its terms are running.
type replica struct {
	e       *Elector
	running atomic.Int32
	cancel  context.CancelFunc
	done    chan struct{}
}

func startReplica(t *testing.T, db *store.DB, name string) *replica {
	t.Helper()
	r := &replica{e: &Elector{DB: db, Replica: name, Retry: 50 * time.Millisecond, Check: 50 * time.Millisecond}, done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() {
		defer close(r.done)
		r.e.Run(ctx, func(ctx context.Context) {
			r.running.Add(1)
			defer r.running.Add(-1)
			<-ctx.Done()
		})
	}()
	t.Cleanup(r.stop)
	return r
}

func (r *replica) stop() {
	r.cancel()
	<-r.done
}

func TestSQLiteIsAlwaysLeader(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	r := startReplica(t, db, "only")
	testkit.Eventually(t, "the one process leads", func() bool { return r.e.Leading() && r.running.Load() == 1 })
	r.stop()
	if r.e.Leading() || r.running.Load() != 0 {
		t.Fatalf("after the context ended: leading %v, work running %d", r.e.Leading(), r.running.Load())
	}
}

// TestOneLeaderAndTakeover runs three replicas on one PostgreSQL schema:
// exactly one runs the work; when its lock's connection is killed by the
// server (as when its process dies) it stops and another takes over; when
// a leader stops, another takes over too.
func TestOneLeaderAndTakeover(t *testing.T) {
	t.Parallel()
	dsn := storetest.DSN(t, store.Postgres)
	var (
		replicas []*replica
		dbs      []*store.DB
	)
	for _, name := range []string{"a", "b", "c"} {
		db, err := store.Open(context.Background(), dsn) // one pool each, as separate processes
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
		replicas = append(replicas, startReplica(t, db, name))
	}
	leaders := func() (n int, who *replica) {
		for _, r := range replicas {
			if r.running.Load() > 0 {
				n, who = n+int(r.running.Load()), r
			}
		}
		return n, who
	}
	testkit.Eventually(t, "one leader", func() bool {
		n, _ := leaders()
		return n == 1
	})
	// Stay with one leader for a while: the others keep retrying and fail.
	for range 10 {
		time.Sleep(30 * time.Millisecond)
		if n, _ := leaders(); n > 1 {
			t.Fatalf("%d replicas run the leader's work at once", n)
		}
	}

	// The server ends the leader's lock connection (its process died).
	var killed bool
	err := dbs[0].QueryRowContext(context.Background(), `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND classid = $1 AND objid = hashtext(current_schema())::oid AND granted`, lockClass).Scan(&killed)
	if err != nil || !killed {
		t.Fatalf("terminate the leader's connection: %v (terminated %v)", err, killed)
	}
	terms := func() (total int) {
		for _, r := range replicas {
			total += r.e.Terms()
		}
		return total
	}
	// The old leader's term ends and a new term begins (on any replica: the
	// old one may win the lock again on a new connection).
	var second *replica
	testkit.EventuallyWithin(t, 30*time.Second, "a new term after the connection died", func() bool {
		n, who := leaders()
		second = who
		return n == 1 && terms() == 2
	})

	// A leader that stops (shutdown) lets another take over.
	second.stop()
	testkit.EventuallyWithin(t, 30*time.Second, "a third term begins elsewhere", func() bool {
		n, who := leaders()
		return n == 1 && who != second
	})
	if n := terms(); n != 3 {
		t.Fatalf("%d terms in all, want 3", n)
	}
}

// TestTwoSchemasTwoLeaders: nodes in separate schemas of one database
// each have their own leader (the lock's key holds the schema).
func TestTwoSchemasTwoLeaders(t *testing.T) {
	t.Parallel()
	a := startReplica(t, storetest.Open(t, store.Postgres), "node-a")
	b := startReplica(t, storetest.Open(t, store.Postgres), "node-b")
	testkit.Eventually(t, "both lead", func() bool {
		return a.running.Load() == 1 && b.running.Load() == 1
	})
}
