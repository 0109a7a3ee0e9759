package auditlog

import (
	"database/sql"
	"fmt"
	"testing"

	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

// TestListOfCase: the records of one case are those of its request
// message or naming one of its references, whether still staged or
// already in the log, and the two answers agree (the SQL and the staged
// filter say the same thing).
func TestListOfCase(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		l := newTestLog(t, db, "IT-247")
		stage(t, db, 0, 10) // record n: case IT-2026-000(n%7), message msg-(n/3)
		keys := &CaseKeys{MessageID: "msg-1", Refs: []string{"IT-2026-0000", ""}}
		digests := func(q Query) (idx []int64, ds []string) {
			t.Helper()
			got, err := List(ctx, db, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range got {
				idx, ds = append(idx, g.Index), append(ds, g.Digest)
			}
			return idx, ds
		}
		var want []string
		for _, n := range []int{7, 5, 4, 3, 0} {
			want = append(want, recordN(n).Digest)
		}
		idx, ds := digests(Query{OfCase: keys})
		if fmt.Sprint(ds) != fmt.Sprint(want) || fmt.Sprint(idx) != "[-1 -1 -1 -1 -1]" {
			t.Fatalf("staged records of the case: %v %v, want %v unsequenced", idx, ds, want)
		}
		if _, err := l.Sequence(ctx); err != nil {
			t.Fatal(err)
		}
		idx, ds = digests(Query{OfCase: keys})
		if fmt.Sprint(ds) != fmt.Sprint(want) || fmt.Sprint(idx) != "[7 5 4 3 0]" {
			t.Fatalf("logged records of the case: %v %v, want %v at 7 5 4 3 0", idx, ds, want)
		}
		if idx, _ := digests(Query{OfCase: keys, Kind: DataRead}); len(idx) != 0 {
			t.Fatalf("case and kind: %v, want none (ANDed)", idx)
		}
		if idx, _ := digests(Query{OfCase: &CaseKeys{}}); len(idx) != 0 {
			t.Fatalf("a case with no keys: %v, want none", idx)
		}
	})
}

// TestListIdenticalRecords: two records may be identical to the byte (the
// same person reading the same case twice in one microsecond); with one in
// the log and its twin still staged, List shows both (it once took the
// staged twin for the same record seen twice and dropped it).
func TestListIdenticalRecords(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		l := newTestLog(t, db, "IT-247")
		r := sampleRecord()
		if _, err := AppendOne(ctx, db, r); err != nil {
			t.Fatal(err)
		}
		if err := db.Tx(ctx, func(tx *sql.Tx) error { _, err := Append(ctx, tx, r); return err }); err != nil {
			t.Fatal(err)
		}
		for _, when := range []string{"twin staged", "both in the log"} {
			got, err := List(ctx, db, Query{Kind: DataRead})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Fatalf("%s: List shows %d of the 2 identical records", when, len(got))
			}
			if _, err := l.Sequence(ctx); err != nil {
				t.Fatal(err)
			}
		}
	})
}
