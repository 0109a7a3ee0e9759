package app

import (
	"context"
	"crypto/ed25519"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/store"
)

// Audit is what the audit commands open of a node: its database, signing
// key and log. It does not start the node.
type Audit struct {
	Config config.Config
	DB     *store.DB
	Key    ed25519.PrivateKey
	Log    *auditlog.Log
}

// Close closes the database.
func (a *Audit) Close() { a.DB.Close() }

// OpenAudit opens the audit log of the node in the data folder data and
// sequences the records staged by commands run without the node (or while
// it was down), so every audit command sees the whole log.
func OpenAudit(ctx context.Context, data string, getenv func(string) string, clk clock.Clock) (*Audit, error) {
	cfg, err := config.Load(data, getenv)
	if err != nil {
		return nil, err
	}
	key, err := keys.LoadSigning(cfg.Path(config.SigningKeyFile))
	if err != nil {
		return nil, err
	}
	if cfg.Authority == "" && cfg.Party != "" {
		cfg.Authority = cfg.Party + "-247" // node init's default
	}
	if cfg.Authority == "" {
		return nil, apperr.Errorf(apperr.EInvalid, "config in %s: authority is not set; the log is named after it (set authority in %s or ART35_AUTHORITY)", data, config.FileName)
	}
	db, err := store.Open(ctx, cfg.DatabaseDSN())
	if err != nil {
		return nil, err
	}
	l, err := auditlog.New(db, cfg.Authority, key, clk)
	if err != nil {
		db.Close()
		return nil, err
	}
	if _, err := l.Sequence(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return &Audit{Config: cfg, DB: db, Key: key, Log: l}, nil
}
