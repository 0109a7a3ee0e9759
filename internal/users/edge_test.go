package users

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/ratelimit"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

func testKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

// parallelSignIns runs n sign-ins at once with the right password and
// wrong codes, from the addresses addr(i), and returns their errors.
func parallelSignIns(s *Service, n int, addr func(i int) string) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = s.SignIn(context.Background(), "a.rossi", pw, "000000", addr(i))
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// The attack of issue 11: 150 parallel sign-ins with the right password
// and wrong codes. The count used to be read and written back, so the
// account never locked; now exactly FreeAttempts get their code checked
// and the account is locked for that address afterwards.
func TestLockoutHoldsUnderParallelSignIns(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		s, clk, secret := newService(t, db)
		errs := parallelSignIns(s, 150, func(int) string { return "192.0.2.7:40000" })
		for i, err := range errs {
			if err == nil || err.Error() != ErrSignIn {
				t.Fatalf("attempt %d: %v, want %q", i, err, ErrSignIn)
			}
		}
		r := signInRecords(t, db)
		if r["bad-code"] != FreeAttempts || r["locked"] != 150-FreeAttempts {
			t.Errorf("audit = %v, want %d bad-code and %d locked", r, FreeAttempts, 150-FreeAttempts)
		}
		// Locked: the right code is refused too, from that address.
		if _, err := s.SignIn(context.Background(), "a.rossi", pw, code(t, secret, clk.Now()), "192.0.2.7:40001"); err == nil {
			t.Fatal("signed in through the lockout")
		}
	})
}

// Spread over many addresses, the parallel attack meets the account-wide
// count: at most AccountFreeAttempts codes are checked.
func TestAccountWideLockoutHoldsAcrossAddresses(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		s, _, _ := newService(t, db)
		n := AccountFreeAttempts + 40
		parallelSignIns(s, n, func(i int) string { return fmt.Sprintf("198.51.100.%d:1000", i%250) })
		if r := signInRecords(t, db); r["bad-code"] != AccountFreeAttempts || r["locked"] != n-AccountFreeAttempts {
			t.Errorf("audit = %v, want %d bad-code", r, AccountFreeAttempts)
		}
	})
}

// A stranger who locks an officer's account from their own address does
// not lock the officer out at theirs.
func TestStrangerCannotLockOfficerOut(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk, secret := newService(t, db)
		for range FreeAttempts + 3 {
			_, _ = s.SignIn(ctx, "a.rossi", "guessed password", "123456", "203.0.113.66:5000")
		}
		if _, err := s.SignIn(ctx, "a.rossi", pw, code(t, secret, clk.Now()), "203.0.113.66:5001"); err == nil {
			t.Fatal("the stranger's address is not locked")
		}
		if _, err := s.SignIn(ctx, "a.rossi", pw, code(t, secret, clk.Now()), "192.0.2.10:6000"); err != nil {
			t.Fatalf("officer at another address: %v", err)
		}
		// A new password clears every lock.
		if err := s.SetPassword(ctx, "a.rossi", "another long passphrase", "admin"); err != nil {
			t.Fatal(err)
		}
		clk.Advance(TOTPPeriod)
		if _, err := s.SignIn(ctx, "a.rossi", "another long passphrase", code(t, secret, clk.Now()), "203.0.113.66:5002"); err != nil {
			t.Fatalf("after passwd: %v", err)
		}
	})
}

func TestSignInPerSourceRateLimit(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		s, _, _ := newService(t, db)
		s.SourceLimit = ratelimit.NewPerSource(rate.Every(time.Hour), 3)
		for i := range 3 {
			if _, err := s.SignIn(context.Background(), "nobody", pw, "000000", "192.0.2.1:1"); !apperr.Is(err, apperr.EUnauthorized) {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		if _, err := s.SignIn(context.Background(), "nobody", pw, "000000", "192.0.2.1:2"); !apperr.Is(err, apperr.ELimited) {
			t.Fatalf("4th attempt from one address: %v, want limited", err)
		}
		if _, err := s.SignIn(context.Background(), "nobody", pw, "000000", "192.0.2.2:1"); !apperr.Is(err, apperr.EUnauthorized) {
			t.Fatalf("another address: %v", err)
		}
	})
}

// With every password-hash slot taken, a sign-in waits briefly and is
// told to retry: it never allocates another hash.
func TestSignInHashGate(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		s, _, _ := newService(t, db)
		s.Gate = ratelimit.NewGate(1, 20*time.Millisecond)
		release, ok := s.Gate.Enter(context.Background())
		if !ok {
			t.Fatal("empty gate refused")
		}
		for _, user := range []string{"nobody", "a.rossi"} {
			if _, err := s.SignIn(context.Background(), user, pw, "000000", "192.0.2.1:1"); !apperr.Is(err, apperr.ELimited) {
				t.Errorf("%s with the gate full: %v, want limited", user, err)
			}
		}
		release()
		if _, err := s.SignIn(context.Background(), "nobody", pw, "000000", "192.0.2.1:1"); !apperr.Is(err, apperr.EUnauthorized) {
			t.Errorf("after release: %v", err)
		}
	})
}

func TestTOTPSecretsSealedAtRest(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk, secret := newService(t, db)
		var stored string
		if err := db.QueryRow(`SELECT totp_secret FROM accounts WHERE username = 'a.rossi'`).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(stored, sealedPrefix) || strings.Contains(stored, secret) {
			t.Fatalf("stored secret %q is not sealed", stored)
		}
		// An account from before encryption: its secret in clear.
		clear := NewTOTPSecret()
		now := store.FormatTime(clk.Now())
		if _, err := db.Exec(`INSERT INTO accounts (username, display_name, role, password_hash, totp_secret, created_at, updated_at)
			VALUES ('b.bianchi', 'Bruno Bianchi (fictional)', 'officer', $1, $2, $3, $3)`, HashPassword(pw, fast), clear, now); err != nil {
			t.Fatal(err)
		}
		n, err := s.SealClearSecrets(ctx)
		if err != nil || n != 1 {
			t.Fatalf("seal: %d, %v; want 1", n, err)
		}
		if n, err := s.SealClearSecrets(ctx); err != nil || n != 0 {
			t.Fatalf("second seal: %d, %v; want 0", n, err)
		}
		if err := db.QueryRow(`SELECT totp_secret FROM accounts WHERE username = 'b.bianchi'`).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(stored, sealedPrefix) || strings.Contains(stored, clear) {
			t.Fatalf("clear secret not sealed: %q", stored)
		}
		if _, err := s.SignIn(ctx, "b.bianchi", pw, code(t, clear, clk.Now()), "192.0.2.1:1"); err != nil {
			t.Fatalf("sign in with a sealed old secret: %v", err)
		}
		// Another key cannot read it, and a secret moved to another row
		// does not decrypt there.
		other := *s
		other.SecretKey = testKey()
		if _, err := other.openSecret("b.bianchi", stored); err == nil {
			t.Error("another key opened the secret")
		}
		if _, err := s.openSecret("a.rossi", stored); err == nil {
			t.Error("a secret moved to another account opened")
		}
		if bytes.Equal(other.SecretKey, s.SecretKey) {
			t.Fatal("test keys collide")
		}
		// Without a key no account is made.
		nokey := *s
		nokey.SecretKey = nil
		if _, err := nokey.Add(ctx, Account{Username: "c.verdi", Name: "Carla Verdi (fictional)", Role: Officer}, pw, "admin"); err == nil {
			t.Error("account made without a secret key")
		}
	})
}
