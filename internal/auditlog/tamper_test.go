package auditlog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

// tamperSetup builds a log of 20 records with checkpoints at sizes 8 and 20.
func tamperSetup(t *testing.T, db *store.DB) testLog {
	t.Helper()
	l := newTestLog(t, db, "IT-247")
	appendN(t, db, 0, 8)
	if _, err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	l.clock.Advance(time.Hour)
	appendN(t, db, 8, 20)
	if _, err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctx, db, l.verifier(t)); err != nil {
		t.Fatalf("untouched log: %v", err)
	}
	return l
}

func sqlExec(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(ctx, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func leafOf(t *testing.T, db *store.DB, idx int64) []byte {
	t.Helper()
	var leaf []byte
	if err := db.QueryRowContext(ctx, `SELECT leaf FROM audit_records WHERE idx = $1`, idx).Scan(&leaf); err != nil {
		t.Fatal(err)
	}
	return leaf
}

// rewriteHashes recomputes audit_hashes from the stored leaves, as an
// attacker who understands the format would after changing a record.
func rewriteHashes(t *testing.T, db *store.DB) {
	t.Helper()
	n, _ := Size(ctx, db)
	var all []tlog.Hash
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = all[x]
		}
		return out, nil
	})
	for i := range n {
		hs, err := tlog.StoredHashes(i, leafOf(t, db, i), r)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, hs...)
	}
	sqlExec(t, db, `DELETE FROM audit_hashes`)
	for id, h := range all {
		sqlExec(t, db, `INSERT INTO audit_hashes (id, hash) VALUES ($1, $2)`, int64(id), h[:])
	}
}

// TestTamper changes the stored log directly in the database, as someone
// with access to the database could, and checks that Verify names the
// place.
func TestTamper(t *testing.T) {
	t.Parallel()
	other := func(t *testing.T, db *store.DB) {
		// Re-sign the second checkpoint's exact text with a key that is
		// not the node's.
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		s, err := NewSigner("art35/IT-247", priv)
		if err != nil {
			t.Fatal(err)
		}
		var msg string
		if err := db.QueryRowContext(ctx, `SELECT note FROM audit_checkpoints WHERE seq = 2`).Scan(&msg); err != nil {
			t.Fatal(err)
		}
		text, _, _ := strings.Cut(msg, "\n\n")
		forged, err := note.Sign(&note.Note{Text: text + "\n"}, s)
		if err != nil {
			t.Fatal(err)
		}
		sqlExec(t, db, `UPDATE audit_checkpoints SET note = $1 WHERE seq = 2`, string(forged))
	}
	for name, tc := range map[string]struct {
		tamper     func(t *testing.T, db *store.DB)
		index      int64 // -1: no record named
		checkpoint int64 // 0: no checkpoint named
		says       string
	}{
		"one byte of a leaf": {func(t *testing.T, db *store.DB) {
			leaf := bytes.Replace(leafOf(t, db, 5), []byte("to: FR-247"), []byte("to: FR-248"), 1)
			sqlExec(t, db, `UPDATE audit_records SET leaf = $1 WHERE idx = 5`, leaf)
		}, 5, 0, "leaf hash differs"},
		"a byte of a leaf and its column": {func(t *testing.T, db *store.DB) {
			leaf := bytes.Replace(leafOf(t, db, 6), []byte("actor: system"), []byte("actor: systen"), 1)
			sqlExec(t, db, `UPDATE audit_records SET leaf = $1, actor = 'systen' WHERE idx = 6`, leaf)
		}, 6, 0, "leaf hash differs"},
		"a query column only": {func(t *testing.T, db *store.DB) {
			sqlExec(t, db, `UPDATE audit_records SET case_ref = 'IT-2026-9999' WHERE idx = 7`)
		}, 7, 0, "column case_ref"},
		"a leaf made unreadable": {func(t *testing.T, db *store.DB) {
			sqlExec(t, db, `UPDATE audit_records SET leaf = $1 WHERE idx = 2`, []byte("hello\n"))
		}, 2, 0, "not a valid record"},
		"delete a record": {func(t *testing.T, db *store.DB) {
			sqlExec(t, db, `DELETE FROM audit_records WHERE idx = 9`)
		}, 9, 0, "missing"},
		"delete the last record": {func(t *testing.T, db *store.DB) {
			sqlExec(t, db, `DELETE FROM audit_records WHERE idx = 19`)
		}, 19, 0, "missing"},
		"cut the tail and the head": {func(t *testing.T, db *store.DB) {
			sqlExec(t, db, `DELETE FROM audit_records WHERE idx >= 15`)
			sqlExec(t, db, `DELETE FROM audit_hashes WHERE id >= $1`, tlog.StoredHashIndex(0, 15))
			sqlExec(t, db, `UPDATE audit_head SET size = 15`)
		}, 15, 2, "were removed"},
		"insert a record beyond the end": {func(t *testing.T, db *store.DB) {
			sqlExec(t, db, `INSERT INTO audit_records (idx, kind, at, actor, case_ref, message_id, digest, leaf)
				SELECT 25, kind, at, actor, case_ref, message_id, digest, leaf FROM audit_records WHERE idx = 4`)
		}, 25, 0, "beyond the end"},
		"raise the head": {func(t *testing.T, db *store.DB) {
			sqlExec(t, db, `UPDATE audit_head SET size = 21`)
		}, 20, 0, "missing"},
		"reorder two records": {func(t *testing.T, db *store.DB) {
			sqlExec(t, db, `UPDATE audit_records SET idx = 1000 WHERE idx = 3`)
			sqlExec(t, db, `UPDATE audit_records SET idx = 3 WHERE idx = 4`)
			sqlExec(t, db, `UPDATE audit_records SET idx = 4 WHERE idx = 1000`)
		}, 3, 0, "leaf hash differs"},
		"rewrite a leaf hash": {func(t *testing.T, db *store.DB) {
			sqlExec(t, db, `UPDATE audit_hashes SET hash = $1 WHERE id = $2`, make([]byte, 32), tlog.StoredHashIndex(0, 11))
		}, 11, 0, "leaf hash differs"},
		"rewrite an inner stored hash": {func(t *testing.T, db *store.DB) {
			// Level 2, subtree 1: records 4 to 7, stored when 7 was appended.
			sqlExec(t, db, `UPDATE audit_hashes SET hash = $1 WHERE id = $2`, make([]byte, 32), tlog.StoredHashIndex(2, 1))
		}, 7, 0, "records 4 to 7"},
		"delete a stored hash": {func(t *testing.T, db *store.DB) {
			sqlExec(t, db, `DELETE FROM audit_hashes WHERE id = $1`, tlog.StoredHashIndex(1, 6))
		}, 13, 0, "missing"},
		"change a record and recompute every hash": {func(t *testing.T, db *store.DB) {
			leaf := bytes.Replace(leafOf(t, db, 10), []byte("to: FR-247"), []byte("to: XX-247"), 1)
			sqlExec(t, db, `UPDATE audit_records SET leaf = $1 WHERE idx = 10`, leaf)
			rewriteHashes(t, db)
		}, 8, 2, "from 8 to 19 was changed"},
		"checkpoint signed by another key": {other, -1, 2, "no signature by any of the given keys"},
		"checkpoint row edited": {func(t *testing.T, db *store.DB) {
			sqlExec(t, db, `UPDATE audit_checkpoints SET size = 19 WHERE seq = 2`)
		}, -1, 2, "disagrees with the signed note"},
		"checkpoint note edited": {func(t *testing.T, db *store.DB) {
			sqlExec(t, db, `UPDATE audit_checkpoints SET note = REPLACE(note, $1, $2) WHERE seq = 2`, "\n20\n", "\n19\n")
		}, -1, 2, "invalid"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // each case tampers with databases of its own
			storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
				l := tamperSetup(t, db)
				tc.tamper(t, db)
				_, err := Verify(ctx, db, l.verifier(t))
				var be *BreakError
				if !errors.As(err, &be) || !apperr.Is(err, apperr.EInvalid) {
					t.Fatalf("Verify after tampering = %v, want a BreakError", err)
				}
				if be.Index != tc.index || be.Checkpoint != tc.checkpoint || !strings.Contains(be.Reason, tc.says) {
					t.Fatalf("Verify = %q (index %d, checkpoint %d), want index %d, checkpoint %d, saying %q",
						err, be.Index, be.Checkpoint, tc.index, tc.checkpoint, tc.says)
				}
			})
		})
	}
}

// TestCheckpointRefusesRewrittenPast: after a record was changed and every
// hash recomputed, the node must not sign a new checkpoint over it.
func TestCheckpointRefusesRewrittenPast(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		l := tamperSetup(t, db)
		leaf := bytes.Replace(leafOf(t, db, 3), []byte("to: FR-247"), []byte("to: XX-247"), 1)
		sqlExec(t, db, `UPDATE audit_records SET leaf = $1 WHERE idx = 3`, leaf)
		rewriteHashes(t, db)
		appendN(t, db, 20, 21)
		_, err := l.Checkpoint(ctx)
		if !apperr.Is(err, apperr.EConflict) || !strings.Contains(err.Error(), "refusing to sign") {
			t.Fatalf("Checkpoint over a rewritten past = %v, want EConflict refusing to sign", err)
		}
		// And a log whose tail was cut.
		sqlExec(t, db, `UPDATE audit_head SET size = 5`)
		_, err = l.Checkpoint(ctx)
		if !apperr.Is(err, apperr.EConflict) || !strings.Contains(err.Error(), "removed") {
			t.Fatalf("Checkpoint over a shortened log = %v, want EConflict", err)
		}
	})
}

// TestConsistency checks ProveConsistency/CheckConsistency between an older
// and a newer checkpoint of one log, and their failure for a fork: a second
// history, signed with the same key, that shares the first 4 records and
// then differs.
func TestConsistency(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, dbA *store.DB) {
		a := newTestLog(t, dbA, "IT-247")
		appendN(t, dbA, 0, 7)
		c7, err := a.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		appendN(t, dbA, 7, 12)
		c12, err := a.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ProveConsistency(ctx, dbA, 7, 12)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckConsistency(c7, c12, p); err != nil {
			t.Fatalf("honest log: %v", err)
		}
		if err := CheckConsistency(c7, c7, tlog.TreeProof{}); err != nil {
			t.Fatalf("same checkpoint: %v", err)
		}

		// The fork: same origin and key, records 0-3 equal, then others.
		dbB := storetest.Open(t, dbA.Backend())
		b := &Log{DB: dbB, Origin: a.Origin, Signer: a.Signer, Clock: a.clock}
		appendN(t, dbB, 0, 4)
		for i := 4; i < 12; i++ {
			r := recordN(i)
			r.Details["to"] = "XX-247"
			if _, err := AppendOne(ctx, dbB, r); err != nil {
				t.Fatal(err)
			}
		}
		f12, err := b.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pf, err := ProveConsistency(ctx, dbB, 7, 12)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckConsistency(c7, f12, pf); !apperr.Is(err, apperr.EConflict) || !strings.Contains(err.Error(), "forked") {
			t.Fatalf("fork with its own proof = %v, want EConflict naming a fork", err)
		}
		if err := CheckConsistency(c7, f12, p); err == nil {
			t.Fatal("fork accepted with the honest log's proof")
		}
		// The shared prefix itself is consistent with the fork: a fork is
		// only visible to someone who saw a checkpoint after the split.
		c4 := checkpointAt(t, dbA, a, 4)
		pf4, _ := ProveConsistency(ctx, dbB, 4, 12)
		if err := CheckConsistency(c4, f12, pf4); err != nil {
			t.Fatalf("shared prefix: %v", err)
		}
		if err := CheckConsistency(c12, c7, p); err == nil {
			t.Fatal("a shrinking log was accepted")
		}
		if _, err := ProveConsistency(ctx, dbA, 7, 13); !apperr.Is(err, apperr.EInvalid) {
			t.Fatalf("proof beyond the log = %v, want EInvalid", err)
		}
	})
}

// checkpointAt computes (without storing) the checkpoint of the first size
// records of l's log.
func checkpointAt(t *testing.T, db *store.DB, l testLog, size int64) Checkpoint {
	t.Helper()
	root, err := tlog.TreeHash(size, hashReader{ctx: ctx, q: db})
	if err != nil {
		t.Fatal(err)
	}
	return Checkpoint{Origin: l.Origin, Size: size, Root: root, Time: t0}
}
