// Package users holds the people who sign in to a node's portal: local
// accounts with a role, an argon2id password hash and a TOTP second factor
// (RFC 6238) that every role must use, sessions whose random token is
// stored only as a hash, and a lockout that backs off after failed
// attempts. Every sign-in, failed or not, goes into the audit log in the
// same transaction as the change it makes.
package users

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/ratelimit"
	"github.com/art35/art35/internal/store"
)

// Role decides what a person may do in the portal.
type Role string

// Roles (SPEC section 2).
const (
	Officer    Role = "officer"    // works the 24/7 desk: reads, composes, acts
	Supervisor Role = "supervisor" // as an officer, plus escalations and statistics
	Admin      Role = "admin"      // manages accounts and configuration
	Auditor    Role = "auditor"    // reads cases and the audit log; never acts
)

// Roles lists every role.
var Roles = []Role{Officer, Supervisor, Admin, Auditor}

// CanAct reports whether the role may send requests and take steps on
// them. Auditors read only, so that whoever checks the desk's work cannot
// also do it.
func (r Role) CanAct() bool { return r == Officer || r == Supervisor || r == Admin }

// Account is one person.
type Account struct {
	Username string
	Name     string // shown on evidences: "acknowledged by <Name>"
	Role     Role
	Disabled bool
	Created  time.Time
}

// Session is a signed-in browser.
type Session struct {
	Token   string // the cookie value; only its hash is stored
	Account Account
	Expires time.Time
}

// Lockout and session settings.
const (
	// FreeAttempts failed sign-ins in a row are allowed before the account
	// locks; each failure after that doubles the wait.
	FreeAttempts = 5
	// FirstLock is the first wait; MaxLock caps the doubling.
	FirstLock = time.Minute
	MaxLock   = time.Hour
	// SessionLifetime is how long a session lasts at most (a long shift);
	// SessionIdle ends it earlier when nobody uses it.
	SessionLifetime = 12 * time.Hour
	SessionIdle     = time.Hour
)

// Service manages accounts and sessions in a node's database.
type Service struct {
	DB     *store.DB
	Clock  clock.Clock
	Params Params // argon2id cost; zero means DefaultParams
	// SecretKey encrypts TOTP secrets at rest (AES-256-GCM); the node
	// loads it from keys/secrets.key. Without it no account can be made
	// or signed in with a sealed secret.
	SecretKey []byte
	// Gate bounds the password hashes in flight; nil means one shared
	// gate sized from memory (GateFor). SourceLimit bounds attempts per
	// source address; nil means one shared limiter of SignInRate.
	Gate        *ratelimit.Gate
	SourceLimit *ratelimit.PerSource
}

// New returns a Service with the default argon2id cost whose TOTP
// secrets are sealed with secretKey (32 bytes, keys.LoadOrCreateSecret).
func New(db *store.DB, c clock.Clock, secretKey []byte) *Service {
	return &Service{DB: db, Clock: c, Params: DefaultParams, SecretKey: secretKey,
		SourceLimit: ratelimit.NewPerSource(SignInRate, SignInBurst)}
}

func (s *Service) params() Params {
	if s.Params == (Params{}) {
		return DefaultParams
	}
	return s.Params
}

var usernameRE = regexp.MustCompile(`^[a-z][a-z0-9._-]{1,63}$`)

// CheckUsername applies the user-name rule.
func CheckUsername(u string) error {
	if !usernameRE.MatchString(u) {
		return apperr.Errorf(apperr.EInvalid, "user name %q: must be 2-64 lower-case letters, digits, '.', '_' or '-', starting with a letter (e.g. a.rossi)", u)
	}
	return nil
}

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	if r := Role(s); slices.Contains(Roles, r) {
		return r, nil
	}
	return "", apperr.Errorf(apperr.EInvalid, "role %q: unknown; use officer, supervisor, admin or auditor", s)
}

func audit(ctx context.Context, tx *sql.Tx, kind auditlog.Kind, at time.Time, actor string, details map[string]string) error {
	_, err := auditlog.Append(ctx, tx, auditlog.Record{Kind: kind, Time: at, Actor: actor, Details: details})
	return err
}

// Add creates an account and returns its new TOTP secret (base32), which
// the person enters in an authenticator app. by names the administrator,
// for the audit log.
func (s *Service) Add(ctx context.Context, a Account, password, by string) (string, error) {
	if err := CheckUsername(a.Username); err != nil {
		return "", err
	}
	if _, err := ParseRole(string(a.Role)); err != nil {
		return "", err
	}
	if strings.TrimSpace(a.Name) == "" || strings.TrimSpace(a.Name) != a.Name || len(a.Name) > 200 {
		return "", apperr.Errorf(apperr.EInvalid, "name: give the person's full name (1-200 characters, no leading or trailing space); it appears on every evidence they sign")
	}
	if err := CheckPassword(password); err != nil {
		return "", err
	}
	secret := NewTOTPSecret()
	sealed, err := s.sealSecret(a.Username, secret)
	if err != nil {
		return "", err
	}
	hash := HashPassword(password, s.params())
	now := s.Clock.Now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO accounts (username, display_name, role, password_hash, totp_secret, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6)`, a.Username, a.Name, string(a.Role), hash, sealed, store.FormatTime(now))
		if err != nil {
			if apperr.Is(store.MapError(err), apperr.EConflict) {
				return apperr.Errorf(apperr.EConflict, "user %s already exists; use 'art35 user passwd' or 'art35 user totp' to change it", a.Username)
			}
			return store.MapError(err)
		}
		return audit(ctx, tx, auditlog.AdminChange, now, by, map[string]string{"action": "user-add", "user": a.Username, "role": string(a.Role)})
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// update runs one account change with its audit record; it fails with
// ENotFound when the user does not exist.
func (s *Service) update(ctx context.Context, username, by, action, q string, args ...any) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, append([]any{username, store.FormatTime(now)}, args...)...)
		if err != nil {
			return store.MapError(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Errorf(apperr.ENotFound, "no user %s on this node ('art35 user add' creates one)", username)
		}
		// Any change of credentials or status ends the person's sessions.
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE username = $1`, username); err != nil {
			return store.MapError(err)
		}
		if action == "user-passwd" {
			// A new password unlocks the account, from every address.
			if _, err := tx.ExecContext(ctx, `DELETE FROM sign_in_throttle WHERE username = $1`, username); err != nil {
				return store.MapError(err)
			}
		}
		return audit(ctx, tx, auditlog.AdminChange, now, by, map[string]string{"action": action, "user": username})
	})
}

// SetPassword replaces a password and clears the lockout.
func (s *Service) SetPassword(ctx context.Context, username, password, by string) error {
	if err := CheckPassword(password); err != nil {
		return err
	}
	hash := HashPassword(password, s.params())
	return s.update(ctx, username, by, "user-passwd",
		`UPDATE accounts SET password_hash = $3, updated_at = $2 WHERE username = $1`, hash)
}

// ResetTOTP gives the account a new TOTP secret and returns it.
func (s *Service) ResetTOTP(ctx context.Context, username, by string) (string, error) {
	secret := NewTOTPSecret()
	sealed, err := s.sealSecret(username, secret)
	if err != nil {
		return "", err
	}
	err = s.update(ctx, username, by, "user-totp",
		`UPDATE accounts SET totp_secret = $3, totp_last_step = 0, updated_at = $2 WHERE username = $1`, sealed)
	return secret, err
}

// SetDisabled disables (or enables) an account; a disabled account cannot
// sign in and its sessions end at once.
func (s *Service) SetDisabled(ctx context.Context, username string, disabled bool, by string) error {
	v, action := 0, "user-enable"
	if disabled {
		v, action = 1, "user-disable"
	}
	return s.update(ctx, username, by, action, `UPDATE accounts SET disabled = $3, updated_at = $2 WHERE username = $1`, v)
}

// List returns every account, by user name.
func (s *Service) List(ctx context.Context) ([]Account, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT username, display_name, role, disabled, created_at FROM accounts ORDER BY username`)
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		var a Account
		var dis int64
		var created string
		if err := rows.Scan(&a.Username, &a.Name, &a.Role, &dis, &created); err != nil {
			return nil, err
		}
		a.Disabled = dis != 0
		a.Created, _ = store.ParseTime(created)
		out = append(out, a)
	}
	return out, rows.Err()
}

// ErrSignIn is the one message every failed sign-in gets, whatever failed,
// so that nobody learns which user names exist or which factor was wrong.
const ErrSignIn = "sign-in failed: wrong user name, password or code (after 5 failures in a row the account locks for a while)"

// lockFor is how long the account locks after failures consecutive
// failed attempts: nothing for the first FreeAttempts-1, then FirstLock
// doubling up to MaxLock.
func lockFor(failures int64) time.Duration {
	if failures < FreeAttempts {
		return 0
	}
	d := FirstLock
	for i := int64(FreeAttempts); i < failures && d < MaxLock; i++ {
		d *= 2
	}
	return min(d, MaxLock)
}

// SignIn checks the password and the TOTP code and opens a session.
// remote is the client's address ("host:port"): attempts are limited per
// source address (SignInRate), counted per account and per source before
// the password is checked (reserve), and recorded in the audit log with
// their result. Every failure, whatever failed (unknown name, wrong
// password or code, locked or disabled account), gets the same message
// (ErrSignIn) after the same work (one password hash), so nobody learns
// which names exist or which are locked. Too many attempts from one
// address, or more password hashes in flight than the node's memory
// allows, are ELimited (429): the caller waits, nothing is allocated.
func (s *Service) SignIn(ctx context.Context, username, password, code, remote string) (*Session, error) {
	now := s.Clock.Now()
	source := ratelimit.Source(remote)
	if !s.sourceLimit().Allow(source, now) {
		return nil, apperr.Errorf(apperr.ELimited, "too many sign-in attempts from your address; wait a minute and try again")
	}
	var (
		a                  Account
		hash, stored       string
		lastStep, disabled int64
	)
	err := s.DB.QueryRowContext(ctx, `SELECT username, display_name, role, password_hash, totp_secret, totp_last_step, disabled
		FROM accounts WHERE username = $1`, username).Scan(&a.Username, &a.Name, &a.Role, &hash, &stored, &lastStep, &disabled)
	found, err := store.Found(err)
	if err != nil {
		return nil, err
	}
	if !found || !usernameRE.MatchString(username) {
		// Spend the same time as a real check, so timing does not tell
		// which names exist.
		if err := s.verify(ctx, password, s.dummyHash()); err != nil {
			return nil, err
		}
		return nil, s.fail(ctx, now, "unknown-user", remote, "unknown-user")
	}
	if disabled != 0 {
		if err := s.verify(ctx, password, s.dummyHash()); err != nil {
			return nil, err
		}
		return nil, s.fail(ctx, now, username, remote, "disabled")
	}
	admitted, err := s.reserve(ctx, username, source, now)
	if err != nil {
		return nil, err
	}
	if !admitted {
		if err := s.verify(ctx, password, s.dummyHash()); err != nil {
			return nil, err
		}
		return nil, s.fail(ctx, now, username, remote, "locked")
	}
	ok, err := s.verifyOK(ctx, password, hash)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, s.fail(ctx, now, username, remote, "bad-password")
	}
	secret, err := s.openSecret(username, stored)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInternal, err, "account %s", username)
	}
	key, err := DecodeTOTPSecret(secret)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInternal, err, "account %s", username)
	}
	step, ok := verifyTOTP(key, code, now, uint64(lastStep))
	if !ok {
		return nil, s.fail(ctx, now, username, remote, "bad-code")
	}
	tok := make([]byte, 32)
	_, _ = rand.Read(tok)
	sess := &Session{Token: base64.RawURLEncoding.EncodeToString(tok), Account: a, Expires: now.Add(SessionLifetime)}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		// The step is re-checked in the update so two sign-ins racing with
		// the same code cannot both win.
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET totp_last_step = $2 WHERE username = $1 AND totp_last_step < $2`, username, int64(step))
		if err != nil {
			return store.MapError(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Errorf(apperr.EUnauthorized, "%s", ErrSignIn)
		}
		if err := clearAttempts(ctx, tx, username, source); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, username, created_at, expires_at, last_seen) VALUES ($1, $2, $3, $4, $3)`,
			tokenHash(sess.Token), username, store.FormatTime(now), store.FormatTime(sess.Expires)); err != nil {
			return store.MapError(err)
		}
		return audit(ctx, tx, auditlog.SignIn, now, username, map[string]string{"result": "ok", "remote": clean(remote)})
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// verifyOK checks pw against a PHC hash inside the node's bound on
// password hashes in flight; a full gate is ELimited.
func (s *Service) verifyOK(ctx context.Context, pw, phc string) (bool, error) {
	release, ok := s.gate().Enter(ctx)
	if !ok {
		return false, apperr.Errorf(apperr.ELimited, "the node is busy checking other sign-ins; try again in a few seconds")
	}
	defer release()
	ok, err := VerifyPassword(pw, phc)
	if err != nil {
		return false, apperr.Wrap(apperr.EInternal, err, "password hash")
	}
	return ok, nil
}

// verify spends a password check whose result does not matter.
func (s *Service) verify(ctx context.Context, pw, phc string) error {
	_, err := s.verifyOK(ctx, pw, phc)
	return err
}

// dummyHashes are checked against when the user does not exist (or may
// not sign in now), one per cost, so that the time spent is a real
// check's at the node's cost. It is made once, under a lock: a flood of
// first sign-ins must not make one each.
var (
	dummyMu     sync.Mutex
	dummyHashes = map[Params]string{}
)

func (s *Service) dummyHash() string {
	p := s.params()
	dummyMu.Lock()
	defer dummyMu.Unlock()
	h, ok := dummyHashes[p]
	if !ok {
		h = HashPassword("not a real password", p)
		dummyHashes[p] = h
	}
	return h
}

func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if len(s) > 100 {
		s = s[:100]
	}
	if s == "" {
		return "-"
	}
	return s
}

func (s *Service) record(ctx context.Context, now time.Time, actor, remote, result string) error {
	_, err := auditlog.AppendOne(ctx, s.DB, auditlog.Record{Kind: auditlog.SignIn, Time: now, Actor: actor,
		Details: map[string]string{"result": result, "remote": clean(remote)}})
	return err
}

// fail records a failed attempt (already counted by reserve, for a
// known account) and returns ErrSignIn.
func (s *Service) fail(ctx context.Context, now time.Time, actor, remote, result string) error {
	if err := s.record(ctx, now, actor, remote, result); err != nil {
		return err
	}
	return apperr.Errorf(apperr.EUnauthorized, "%s", ErrSignIn)
}

func tokenHash(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// Lookup returns the session of a cookie token, refreshing its idle timer.
// An unknown, expired or idle session, or one of a disabled account, is
// EUnauthorized.
func (s *Service) Lookup(ctx context.Context, token string) (*Session, error) {
	denied := apperr.Errorf(apperr.EUnauthorized, "not signed in, or the session ended; sign in again")
	if token == "" || len(token) > 100 {
		return nil, denied
	}
	now := s.Clock.Now()
	var (
		sess                       Session
		expires, lastSeen, created string
		disabled                   int64
	)
	sess.Token = token
	err := s.DB.QueryRowContext(ctx, `SELECT a.username, a.display_name, a.role, a.disabled, a.created_at, s.expires_at, s.last_seen
		FROM sessions s JOIN accounts a ON a.username = s.username WHERE s.token_hash = $1`, tokenHash(token)).
		Scan(&sess.Account.Username, &sess.Account.Name, &sess.Account.Role, &disabled, &created, &expires, &lastSeen)
	found, err := store.Found(err)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, denied
	}
	exp, err1 := store.ParseTime(expires)
	seen, err2 := store.ParseTime(lastSeen)
	if err1 != nil || err2 != nil || disabled != 0 || !now.Before(exp) || now.Sub(seen) >= SessionIdle {
		_, _ = s.DB.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash(token))
		return nil, denied
	}
	sess.Expires = exp
	sess.Account.Created, _ = store.ParseTime(created)
	// Refresh the idle timer at most once a minute: the inbox polls every
	// second or two, and each poll need not write.
	if now.Sub(seen) > time.Minute {
		_, _ = s.DB.ExecContext(ctx, `UPDATE sessions SET last_seen = $2 WHERE token_hash = $1`, tokenHash(token), store.FormatTime(now))
	}
	return &sess, nil
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, token string) error {
	_, err := s.DB.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash(token))
	return store.MapError(err)
}

// String describes an account for listings.
func (a Account) String() string {
	st := ""
	if a.Disabled {
		st = " (disabled)"
	}
	return fmt.Sprintf("%s\t%s\t%s%s", a.Username, a.Role, a.Name, st)
}
