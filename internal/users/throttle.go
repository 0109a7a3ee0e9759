package users

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/art35/art35/internal/ratelimit"
	"github.com/art35/art35/internal/store"
)

// AccountFreeAttempts failed sign-ins in a row from all addresses together
// are allowed before the account locks everywhere. It is ten times
// FreeAttempts (which counts one address): a stranger at one address
// locks only that address out, and guessing a TOTP code from many
// addresses still meets a wall.
const AccountFreeAttempts = 10 * FreeAttempts

// accountWide is the source of the account-wide count.
const accountWide = "*"

// lockCase builds the SQL CASE that gives the new locked_until for a count
// of failed+1, with the times as parameters from $first on: ” below free,
// then lockFor's schedule. It returns the expression and its arguments.
func lockCase(free int64, now time.Time, first int) (string, []any) {
	var b strings.Builder
	var args []any
	fmt.Fprintf(&b, "CASE WHEN failed + 1 < %d THEN ''", free)
	n := free
	for {
		d := lockFor(n + FreeAttempts - free) // the same doubling from free on
		args = append(args, store.FormatTime(now.Add(d)))
		if d >= MaxLock {
			fmt.Fprintf(&b, " ELSE $%d END", first+len(args)-1)
			break
		}
		fmt.Fprintf(&b, " WHEN failed + 1 = %d THEN $%d", n, first+len(args)-1)
		n++
	}
	return b.String(), args
}

// reserve counts one sign-in attempt for username from source, before the
// password is checked, and reports whether the attempt may go ahead. The
// count and the lock are one statement per key (UPDATE ... SET failed =
// failed + 1 ... WHERE not locked ... RETURNING), so attempts running in
// parallel are counted one by one and none gets past a lock another set.
// A successful sign-in clears both counts (clearAttempts).
func (s *Service) reserve(ctx context.Context, username, source string, now time.Time) (bool, error) {
	ok := true
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		ok = true
		for _, k := range []struct {
			source string
			free   int64
		}{{source, FreeAttempts}, {accountWide, AccountFreeAttempts}} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sign_in_throttle (username, source) VALUES ($1, $2) ON CONFLICT DO NOTHING`, username, k.source); err != nil {
				return store.MapError(err)
			}
			expr, args := lockCase(k.free, now, 4)
			q := `UPDATE sign_in_throttle SET failed = failed + 1, locked_until = ` + expr +
				` WHERE username = $1 AND source = $2 AND locked_until <= $3 RETURNING failed`
			var failed int64
			err := tx.QueryRowContext(ctx, q, append([]any{username, k.source, store.FormatTime(now)}, args...)...).Scan(&failed)
			found, err := store.Found(err)
			if err != nil {
				return err
			}
			if !found {
				ok = false
				continue
			}
		}
		return nil
	})
	return ok, err
}

// clearAttempts resets the counts after a successful sign-in, in its
// transaction.
func clearAttempts(ctx context.Context, tx *sql.Tx, username, source string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sign_in_throttle WHERE username = $1 AND source IN ($2, $3)`, username, source, accountWide)
	return store.MapError(err)
}

// Per-source rate of sign-in attempts, whatever the account: a person
// signs in a few times a shift; a script trying names or codes does not
// get further than this.
var (
	SignInRate  = rate.Every(2 * time.Second)
	SignInBurst = 10
)

// defaultSourceLimit is shared by every Service of the process (the
// portal and the command line make their own Service).
var defaultSourceLimit = ratelimit.NewPerSource(SignInRate, SignInBurst)

// HashWait is how long a sign-in waits for a free password-hash slot
// before it is told to retry (429).
var HashWait = 2 * time.Second

// HashMemoryBudget returns the memory that password hashes in flight may
// use together: a quarter of the Go memory limit when one is set
// (GOMEMLIMIT), else 160 MiB.
func HashMemoryBudget() int64 {
	if l := debug.SetMemoryLimit(-1); l > 0 && l < math.MaxInt64 {
		return l / 4
	}
	return 160 << 20
}

// GateFor returns a gate sized so that hashes of cost p in flight stay
// within HashMemoryBudget (8 at the default cost) and use at most half
// the CPUs: a flood of sign-ins must leave the peers' deliveries their
// share of the machine (one slot on 2 cores, about 27 sign-ins a second,
// far more than a desk needs).
func GateFor(p Params) *ratelimit.Gate {
	per := int64(max(p.Memory, 1)) << 10
	return ratelimit.NewGate(int(min(HashMemoryBudget()/per, int64(max(runtime.NumCPU()/2, 1)))), HashWait)
}

var defaultGate = GateFor(DefaultParams)

func (s *Service) gate() *ratelimit.Gate {
	if s.Gate != nil {
		return s.Gate
	}
	return defaultGate
}

func (s *Service) sourceLimit() *ratelimit.PerSource {
	if s.SourceLimit != nil {
		return s.SourceLimit
	}
	return defaultSourceLimit
}
