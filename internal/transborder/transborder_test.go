package transborder_test

import (
	"context"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
	"github.com/art35/art35/internal/transborder"
)

var now = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

// TestRecordAndList: both grounds of Art. 32 are recorded with their
// audit entry and listed newest first; an incomplete record is refused
// with the field named and nothing is written; on both engines.
func TestRecordAndList(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := &transborder.Service{DB: db, Clock: clock.NewManual(now)}
		pub, err := s.Record(ctx, transborder.Access{Ground: transborder.PubliclyAvailable, What: "public forum posts of the account ex-ample",
			Source: "https://forum.example.org/u/ex-ample", AccessedAt: now.Add(-2 * time.Hour), RecordedBy: "Alex Example (fictional)"})
		if err != nil {
			t.Fatal(err)
		}
		con, err := s.Record(ctx, transborder.Access{Ground: transborder.Consent, Party: "de", What: "mailbox of the victim",
			Source: "mail.example.org", ConsentBy: "the account holder (fictional)", ConsentAuthority: "owner of the mailbox",
			AccessedAt: now.Add(-time.Hour), RecordedBy: "Alex Example (fictional)", CaseRef: "NY-2026-7", Notice: "DE point of contact told on 2026-12-02"})
		if err != nil {
			t.Fatal(err)
		}
		if con.Party != "DE" || con.ID == pub.ID || con.Ground.Article() != "Art. 32(b)" {
			t.Fatalf("recorded %+v", con)
		}
		for name, a := range map[string]transborder.Access{
			"consent without the person": {Ground: transborder.Consent, What: "x", Source: "y", AccessedAt: now, RecordedBy: "A"},
			"unknown ground":             {Ground: "hacked", What: "x", Source: "y", AccessedAt: now, RecordedBy: "A"},
			"future":                     {Ground: transborder.PubliclyAvailable, What: "x", Source: "y", AccessedAt: now.Add(time.Hour), RecordedBy: "A"},
			"no person":                  {Ground: transborder.PubliclyAvailable, What: "x", Source: "y", AccessedAt: now},
			"bad party":                  {Ground: transborder.PubliclyAvailable, Party: "Germany", What: "x", Source: "y", AccessedAt: now, RecordedBy: "A"},
		} {
			if _, err := s.Record(ctx, a); !apperr.Is(err, apperr.EInvalid) {
				t.Errorf("%s: %v, want EInvalid", name, err)
			}
		}
		list, err := s.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != con.ID || list[1].ID != pub.ID || !list[0].AccessedAt.Equal(now.Add(-time.Hour)) || list[0].Notice == "" {
			t.Fatalf("list %+v", list)
		}
		// List, not Size: records are staged and sequenced later.
		if recs, err := auditlog.List(ctx, db, auditlog.Query{}); err != nil || len(recs) != 2 {
			t.Fatalf("audit entries %d (%v), want 2: one per record, none for the refused ones", len(recs), err)
		}
	})
}
