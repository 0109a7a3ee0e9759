package node

import (
	"context"
	"database/sql"

	"github.com/art35/art35/internal/store"
)

// Meta is the node's key-value table node_meta (the party the database
// was made for).
type Meta struct{ db *store.DB }

// NewMeta returns the node_meta store over db.
func NewMeta(db *store.DB) *Meta { return &Meta{db: db} }

// Set sets a node_meta value.
func (m *Meta) Set(ctx context.Context, key, value string) error {
	return m.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO node_meta (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
}

// Get returns a node_meta value, or ENotFound.
func (m *Meta) Get(ctx context.Context, key string) (string, error) {
	var v string
	err := m.db.QueryRowContext(ctx, `SELECT value FROM node_meta WHERE key = $1`, key).Scan(&v)
	if err != nil {
		return "", store.MapError(err)
	}
	return v, nil
}
