package users

import (
	"context"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/ratelimit"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

const pw = "a long enough passphrase"

func newService(t *testing.T, db *store.DB) (*Service, *clock.Manual, string) {
	t.Helper()
	clk := clock.NewManual(time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC))
	s := &Service{DB: db, Clock: clk, Params: fast, SecretKey: testKey(),
		// Tests sign in many times from one address on a manual clock.
		SourceLimit: ratelimit.NewPerSource(rate.Inf, 0), Gate: ratelimit.NewGate(64, time.Minute)}
	secret, err := s.Add(context.Background(), Account{Username: "a.rossi", Name: "Anna Rossi (fictional)", Role: Officer}, pw, "admin")
	if err != nil {
		t.Fatal(err)
	}
	return s, clk, secret
}

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := TOTPCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func signInRecords(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	// List, not the table: it includes records staged but not yet
	// sequenced into the log.
	recs, err := auditlog.List(context.Background(), db, auditlog.Query{Kind: auditlog.SignIn, Limit: auditlog.MaxListLimit})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range recs {
		out[r.Details["result"]]++
	}
	return out
}

func TestSignInAndSession(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk, secret := newService(t, db)
		sess, err := s.SignIn(ctx, "a.rossi", pw, code(t, secret, clk.Now()), "127.0.0.1")
		if err != nil {
			t.Fatalf("sign in: %v", err)
		}
		if sess.Account.Name != "Anna Rossi (fictional)" || sess.Account.Role != Officer {
			t.Errorf("session account = %+v", sess.Account)
		}
		got, err := s.Lookup(ctx, sess.Token)
		if err != nil || got.Account.Username != "a.rossi" {
			t.Fatalf("lookup: %v, %+v", err, got)
		}
		// The same code cannot be used twice.
		if _, err := s.SignIn(ctx, "a.rossi", pw, code(t, secret, clk.Now()), "127.0.0.1"); !apperr.Is(err, apperr.EUnauthorized) {
			t.Errorf("replayed code: err = %v, want unauthorized", err)
		}
		// The cookie is not what is stored.
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM sessions WHERE token_hash = $1`, sess.Token).Scan(&n); err != nil || n != 0 {
			t.Errorf("the raw token is stored (%d rows, %v)", n, err)
		}
		if err := s.SignOut(ctx, sess.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Lookup(ctx, sess.Token); !apperr.Is(err, apperr.EUnauthorized) {
			t.Errorf("after sign-out: %v", err)
		}
		if r := signInRecords(t, db); r["ok"] != 1 || r["bad-code"] != 1 {
			t.Errorf("audit sign-in records = %v, want 1 ok and 1 bad-code", r)
		}
	})
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tests := []struct {
			name  string
			steps []time.Duration // advances, each followed by a lookup
			ok    bool
		}{
			{"used every 30 minutes within the lifetime", []time.Duration{30 * time.Minute, 30 * time.Minute, 30 * time.Minute}, true},
			{"idle too long", []time.Duration{SessionIdle + time.Second}, false},
			{"past the lifetime although used", func() []time.Duration {
				var d []time.Duration
				for range 25 {
					d = append(d, 30*time.Minute)
				}
				return d
			}(), false},
		}
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				s, clk, secret := newService(t, db)
				_, _ = db.Exec(`DELETE FROM sessions`)
				clk.Advance(time.Duration(i+1) * time.Minute)
				sess, err := s.SignIn(ctx, "a.rossi", pw, code(t, secret, clk.Now()), "")
				if err != nil {
					t.Fatal(err)
				}
				var last error
				for _, d := range tc.steps {
					clk.Advance(d)
					_, last = s.Lookup(ctx, sess.Token)
				}
				if (last == nil) != tc.ok {
					t.Errorf("last lookup: %v, want ok=%v", last, tc.ok)
				}
			})
			_, _ = db.Exec(`DELETE FROM sessions`)
			_, _ = db.Exec(`DELETE FROM accounts`)
		}
	})
}

func TestLockoutBacksOff(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk, secret := newService(t, db)
		for i := range FreeAttempts {
			if _, err := s.SignIn(ctx, "a.rossi", "wrong password!!", "000000", ""); !apperr.Is(err, apperr.EUnauthorized) {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		// Locked now: even the right password and code are refused.
		_, err := s.SignIn(ctx, "a.rossi", pw, code(t, secret, clk.Now()), "")
		// The same message as any failure: a locked account is not told
		// apart from a wrong password (no enumeration).
		if !apperr.Is(err, apperr.EUnauthorized) || err.Error() != ErrSignIn {
			t.Fatalf("locked account: err = %v, want %q", err, ErrSignIn)
		}
		clk.Advance(FirstLock + time.Second)
		// One more failure doubles the wait.
		if _, err := s.SignIn(ctx, "a.rossi", "wrong password!!", "000000", ""); err == nil {
			t.Fatal("wrong password accepted")
		}
		clk.Advance(FirstLock + time.Second)
		if _, err := s.SignIn(ctx, "a.rossi", pw, code(t, secret, clk.Now()), ""); err == nil {
			t.Fatal("signed in before the doubled wait ended")
		}
		clk.Advance(FirstLock)
		if _, err := s.SignIn(ctx, "a.rossi", pw, code(t, secret, clk.Now()), ""); err != nil {
			t.Fatalf("after the wait: %v", err)
		}
		if r := signInRecords(t, db); r["bad-password"] != FreeAttempts+1 || r["locked"] != 2 || r["ok"] != 1 {
			t.Errorf("audit = %v", r)
		}
	})
}

func TestLockFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		failures int64
		want     time.Duration
	}{{1, 0}, {4, 0}, {5, time.Minute}, {6, 2 * time.Minute}, {7, 4 * time.Minute}, {12, MaxLock}, {1000, MaxLock}}
	for _, tc := range tests {
		if got := lockFor(tc.failures); got != tc.want {
			t.Errorf("lockFor(%d) = %v, want %v", tc.failures, got, tc.want)
		}
	}
}

func TestAdminChanges(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk, secret := newService(t, db)
		sess, err := s.SignIn(ctx, "a.rossi", pw, code(t, secret, clk.Now()), "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Add(ctx, Account{Username: "a.rossi", Name: "Other", Role: Admin}, pw, "admin"); !apperr.Is(err, apperr.EConflict) {
			t.Errorf("duplicate add: %v", err)
		}
		for _, bad := range []Account{{Username: "A!", Name: "x", Role: Officer}, {Username: "bob", Name: "Bob", Role: "boss"}, {Username: "bob", Name: "", Role: Officer}} {
			if _, err := s.Add(ctx, bad, pw, "admin"); !apperr.Is(err, apperr.EInvalid) {
				t.Errorf("add %+v: %v, want invalid", bad, err)
			}
		}
		// A new password ends the session and is the only one accepted.
		if err := s.SetPassword(ctx, "a.rossi", "another long passphrase", "admin"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Lookup(ctx, sess.Token); err == nil {
			t.Error("session survived a password change")
		}
		clk.Advance(TOTPPeriod)
		if _, err := s.SignIn(ctx, "a.rossi", pw, code(t, secret, clk.Now()), ""); err == nil {
			t.Error("old password accepted")
		}
		newSecret, err := s.ResetTOTP(ctx, "a.rossi", "admin")
		if err != nil || newSecret == secret {
			t.Fatalf("reset totp: %v", err)
		}
		clk.Advance(TOTPPeriod)
		if _, err := s.SignIn(ctx, "a.rossi", "another long passphrase", code(t, secret, clk.Now()), ""); err == nil {
			t.Error("old TOTP secret accepted")
		}
		clk.Advance(TOTPPeriod)
		if _, err := s.SignIn(ctx, "a.rossi", "another long passphrase", code(t, newSecret, clk.Now()), ""); err != nil {
			t.Errorf("new secret: %v", err)
		}
		if err := s.SetDisabled(ctx, "a.rossi", true, "admin"); err != nil {
			t.Fatal(err)
		}
		clk.Advance(TOTPPeriod)
		if _, err := s.SignIn(ctx, "a.rossi", "another long passphrase", code(t, newSecret, clk.Now()), ""); err == nil {
			t.Error("disabled account signed in")
		}
		if err := s.SetPassword(ctx, "nobody", pw, "admin"); !apperr.Is(err, apperr.ENotFound) {
			t.Errorf("unknown user: %v", err)
		}
		if _, err := s.SignIn(ctx, "nobody", pw, "123456", ""); err == nil || err.Error() != ErrSignIn {
			t.Errorf("unknown user sign-in: %v, want the generic message", err)
		}
	})
}
