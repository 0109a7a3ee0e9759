package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
)

// Migrations are art35's schema changes, embedded in the binary.
//
// A migration is a file NNNN_name.sql run on both engines, or a pair
// NNNN_name.sqlite.sql and NNNN_name.postgres.sql where the engines need
// different SQL. Each runs in its own transaction together with the row that
// records it in schema_migrations, so a migration that fails halfway leaves
// the database exactly as it was.
//
//go:embed migrations/*.sql
var embedded embed.FS

// Migrations is the embedded migration set.
var Migrations fs.FS = mustSub(embedded, "migrations")

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // a build-time mistake: the embed pattern names this folder
	}
	return s
}

// Migration is one schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// LoadMigrations reads the migrations in fsys that apply to backend,
// ordered by version.
func LoadMigrations(fsys fs.FS, backend string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	byVersion := map[int]Migration{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || path.Ext(name) != ".sql" {
			continue
		}
		base := strings.TrimSuffix(name, ".sql")
		only := ""
		for _, b := range []string{SQLite, Postgres} {
			if strings.HasSuffix(base, "."+b) {
				only, base = b, strings.TrimSuffix(base, "."+b)
			}
		}
		if only != "" && only != backend {
			continue
		}
		num, label, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, apperr.Errorf(apperr.EInvalid, "migration file %q: name must be NNNN_name.sql with NNNN a positive number", name)
		}
		if prev, dup := byVersion[v]; dup {
			return nil, apperr.Errorf(apperr.EInvalid, "migration %d defined twice (%s and %s)", v, prev.Name, label)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		byVersion[v] = Migration{Version: v, Name: label, SQL: string(body)}
	}
	out := make([]Migration, 0, len(byVersion))
	for _, m := range byVersion {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version BIGINT PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`

// Migrate applies the migrations in fsys that are not yet recorded, each in
// its own transaction. Two processes migrating at once are serialised: on
// PostgreSQL by an advisory lock, on SQLite by the write lock taken at BEGIN.
func (db *DB) Migrate(ctx context.Context, fsys fs.FS) error {
	migs, err := LoadMigrations(fsys, db.backend)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range migs {
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if db.backend == Postgres {
				// Any constant key will do: it only has to be the same in
				// every art35 process sharing this database.
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(3535)`); err != nil {
					return err
				}
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, FormatTime(time.Now()))
			return err
		})
		if err != nil {
			return apperr.Wrap(apperr.EInternal, err, "migration %04d_%s failed and was rolled back; the database is as before", m.Version, m.Name)
		}
	}
	return nil
}

// AppliedMigrations lists the versions recorded in schema_migrations.
func (db *DB) AppliedMigrations(ctx context.Context) ([]int, error) {
	rows, err := db.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, MapError(err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
