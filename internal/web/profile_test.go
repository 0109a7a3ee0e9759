package web

import (
	"context"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
	"github.com/art35/art35/internal/users"
)

// withOfficer adds the officer a.rossi to db, on a manual clock at
// 1 January 2027, 10:00 UTC, which it returns.
func withOfficer(t *testing.T, db *store.DB) *clock.Manual {
	t.Helper()
	clk := clock.NewManual(time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC))
	svc := &users.Service{DB: db, Clock: clk, Params: users.Params{Memory: 64, Time: 1, Threads: 1}, SecretKey: make([]byte, 32)}
	if _, err := svc.Add(context.Background(), users.Account{Username: "a.rossi", Name: "Anna Esempio", Role: users.Officer}, testPassword, "test"); err != nil {
		t.Fatal(err)
	}
	return clk
}

// TestProfileStore: an officer's profile is saved, replaced and read back
// on both engines; a phone not in international form and a malformed
// e-mail are refused with the field named, and nothing is written.
func TestProfileStore(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackendParallel(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := withOfficer(t, db)
		if p, err := loadProfile(ctx, db, "a.rossi"); err != nil || p != (profile{}) {
			t.Fatalf("no profile yet: %+v %v", p, err)
		}
		now := store.FormatTime(clk.Now())
		if err := saveProfile(ctx, db, "a.rossi", profile{Phone: "+00 39 555 0101", Email: "anna@example.org"}, now); err != nil {
			t.Fatal(err)
		}
		if err := saveProfile(ctx, db, "a.rossi", profile{Phone: "+00 39 555 0102", Email: "anna@example.org"}, now); err != nil {
			t.Fatal(err)
		}
		if p, _ := loadProfile(ctx, db, "a.rossi"); p.Phone != "+00 39 555 0102" {
			t.Errorf("replaced phone: %+v", p)
		}
		for _, bad := range []profile{{Phone: "555-0100"}, {Email: "anna at example"}} {
			err := saveProfile(ctx, db, "a.rossi", bad, now)
			if !apperr.Is(err, apperr.EInvalid) {
				t.Errorf("%+v: %v", bad, err)
			}
		}
		if p, _ := loadProfile(ctx, db, "a.rossi"); p.Phone != "+00 39 555 0102" || p.Email != "anna@example.org" {
			t.Errorf("a refused profile changed the stored one: %+v", p)
		}
	})
}
