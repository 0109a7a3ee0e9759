package users

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/store"
)

// sealedPrefix marks a TOTP secret encrypted at rest. A stored secret
// without it is a clear base32 secret from before encryption, which
// SealClearSecrets encrypts.
const sealedPrefix = "aesgcm1:"

// aead returns the cipher for TOTP secrets, from the node's secret key
// (keys/secrets.key, see keys.LoadOrCreateSecret).
func (s *Service) aead() (cipher.AEAD, error) {
	if len(s.SecretKey) != 32 {
		return nil, apperr.Errorf(apperr.EInternal, "users: no 32-byte key for TOTP secrets at rest (the node loads keys/secrets.key)")
	}
	b, err := aes.NewCipher(s.SecretKey)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// sealSecret encrypts a base32 TOTP secret with AES-256-GCM. The user
// name is the associated data, so a secret copied onto another account's
// row does not decrypt.
func (s *Service) sealSecret(username, secret string) (string, error) {
	a, err := s.aead()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, a.NonceSize())
	_, _ = rand.Read(nonce)
	ct := a.Seal(nonce, nonce, []byte(secret), []byte("art35 totp "+username))
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(ct), nil
}

// openSecret returns the base32 TOTP secret of a stored value, sealed or
// (before SealClearSecrets ran) clear.
func (s *Service) openSecret(username, stored string) (string, error) {
	rest, ok := strings.CutPrefix(stored, sealedPrefix)
	if !ok {
		return stored, nil
	}
	a, err := s.aead()
	if err != nil {
		return "", err
	}
	ct, err := base64.RawStdEncoding.DecodeString(rest)
	if err != nil || len(ct) < a.NonceSize()+a.Overhead() {
		return "", fmt.Errorf("TOTP secret of %s: not a sealed secret", username)
	}
	pt, err := a.Open(nil, ct[:a.NonceSize()], ct[a.NonceSize():], []byte("art35 totp "+username))
	if err != nil {
		return "", fmt.Errorf("TOTP secret of %s does not decrypt with keys/secrets.key (was the key file replaced?): %w", username, err)
	}
	return string(pt), nil
}

// SealClearSecrets encrypts every TOTP secret still stored in clear (from
// a node made before secrets were encrypted at rest) and returns how many
// it sealed. The node runs it at every start; it is a no-op once done.
// Each row is rewritten only if it still holds the clear value read, so a
// concurrent reset is never overwritten.
func (s *Service) SealClearSecrets(ctx context.Context) (int, error) {
	if _, err := s.aead(); err != nil {
		return 0, err
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT username, totp_secret FROM accounts WHERE totp_secret NOT LIKE $1`, sealedPrefix+"%")
	if err != nil {
		return 0, store.MapError(err)
	}
	type clear struct{ user, secret string }
	var todo []clear
	for rows.Next() {
		var c clear
		if err := rows.Scan(&c.user, &c.secret); err != nil {
			rows.Close()
			return 0, err
		}
		todo = append(todo, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(todo) == 0 {
		return 0, nil
	}
	n := 0
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		n = 0
		for _, c := range todo {
			sealed, err := s.sealSecret(c.user, c.secret)
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `UPDATE accounts SET totp_secret = $2 WHERE username = $1 AND totp_secret = $3`, c.user, sealed, c.secret)
			if err != nil {
				return store.MapError(err)
			}
			if k, _ := res.RowsAffected(); k > 0 {
				n++
			}
		}
		return audit(ctx, tx, auditlog.AdminChange, s.Clock.Now(), "system", map[string]string{"action": "totp-secrets-sealed", "count": strconv.Itoa(n)})
	})
	return n, err
}
