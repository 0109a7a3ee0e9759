package cases

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
)

// Clock due times (tables clock_due and clock_marks, migration 0140): when
// each case's clocks next need the clock runner, so that a tick reads only
// the cases due by now. clock_due is the next due time the runner computed;
// triggers append a clock_marks row wherever a case's evidences change
// (appending touches no shared row: no waiting, no deadlock). The runner
// deletes exactly the marks it read before loading a case, so a change
// that lands meanwhile leaves its mark for the next tick.

// DueClock is a case whose clocks are due, or that changed.
type DueClock struct {
	ID string
	// Marks are the clock_marks rows read for the case (to delete once
	// its next due time is stored).
	Marks []int64
	// Open is false when the case is closed, a draft, archived or gone:
	// it has no clocks to run.
	Open bool
	// Gone is true when the request no longer exists (purged).
	Gone bool
}

// DueClocks returns the cases whose clocks are due by now or that changed
// since they were last looked at, in id order.
func (s *Service) DueClocks(ctx context.Context, now time.Time) ([]DueClock, error) {
	byID := map[string]*DueClock{}
	get := func(id string) *DueClock {
		if byID[id] == nil {
			byID[id] = &DueClock{ID: id}
		}
		return byID[id]
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT id, request_id FROM clock_marks ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("changed cases: %w", store.MapError(err))
	}
	for rows.Next() {
		var (
			mark int64
			id   string
		)
		if err := rows.Scan(&mark, &id); err != nil {
			rows.Close()
			return nil, err
		}
		dc := get(id)
		dc.Marks = append(dc.Marks, mark)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.DB.QueryContext(ctx, `SELECT request_id FROM clock_due WHERE due_at <= $1`, store.FormatTime(now))
	if err != nil {
		return nil, fmt.Errorf("due clocks: %w", store.MapError(err))
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		get(id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]DueClock, 0, len(byID))
	for _, dc := range byID {
		var state, archived string
		err := s.DB.QueryRowContext(ctx, `SELECT state, archived_at FROM requests WHERE id = $1`, dc.ID).Scan(&state, &archived)
		found, err := store.Found(err)
		if err != nil {
			return nil, err
		}
		dc.Gone = !found
		dc.Open = found && request.State(state) != request.StateClosed && request.State(state) != request.StateDraft && archived == ""
		out = append(out, *dc)
	}
	slices.SortFunc(out, func(a, b DueClock) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// MarkOpenClocksDue marks every open case changed (the runner's sweep).
func (s *Service) MarkOpenClocksDue(ctx context.Context) error {
	_, err := s.DB.ExecContext(ctx, `INSERT INTO clock_marks (request_id)
		SELECT id FROM requests WHERE state NOT IN ('closed', 'draft') AND archived_at = ''`)
	if err != nil {
		return fmt.Errorf("mark open cases for the clocks: %w", store.MapError(err))
	}
	return nil
}

// MarkClockDue marks case id changed: its clocks are looked at next tick.
func (s *Service) MarkClockDue(ctx context.Context, id string) error {
	if _, err := s.DB.ExecContext(ctx, `INSERT INTO clock_marks (request_id) VALUES ($1)`, id); err != nil {
		return fmt.Errorf("mark case %s for the clocks: %w", id, store.MapError(err))
	}
	return nil
}

// ClockMarks returns case id's marks as they are now (read them before
// loading the case whose next due time you then store).
func (s *Service) ClockMarks(ctx context.Context, id string) ([]int64, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT id FROM clock_marks WHERE request_id = $1`, id)
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var m int64
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SetClockDue stores when case id is next due (zero: nothing ahead) and
// deletes the marks that were read before the case was loaded, in one
// transaction. Marks added since stay: the case is looked at again.
func (s *Service) SetClockDue(ctx context.Context, id string, marks []int64, next time.Time) error {
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, m := range marks {
			if _, err := tx.ExecContext(ctx, `DELETE FROM clock_marks WHERE id = $1`, m); err != nil {
				return err
			}
		}
		if next.IsZero() {
			_, err := tx.ExecContext(ctx, `DELETE FROM clock_due WHERE request_id = $1`, id)
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO clock_due (request_id, due_at) VALUES ($1, $2)
			ON CONFLICT (request_id) DO UPDATE SET due_at = excluded.due_at`, id, store.FormatTime(next))
		return err
	})
	if err != nil {
		return fmt.Errorf("store next due time of %s: %w", id, store.MapError(err))
	}
	return nil
}
