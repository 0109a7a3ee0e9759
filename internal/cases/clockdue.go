package cases

import (
	"context"
	"fmt"
	"time"

	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
)

// Clock due times (table clock_due, migration 0140): when each case's
// clocks next need the clock runner, so that a tick reads only the cases
// due by now. Triggers on evidences (and on archiving a request) mark a
// case due at once ('') and bump its generation wherever the case changes;
// the runner stores the next due time it computed only if the generation
// is still the one it read before loading the case.

// DueClock is a case whose clocks are due.
type DueClock struct {
	ID  string
	Gen int64
	// Open is false when the case is closed, a draft, archived or gone:
	// it has no clocks to run.
	Open bool
	// Gone is true when the request no longer exists (purged).
	Gone bool
}

// DueClocks returns the cases whose clocks are due by now, earliest first.
func (s *Service) DueClocks(ctx context.Context, now time.Time) ([]DueClock, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT d.request_id, d.gen, r.state, r.archived_at
		FROM clock_due d LEFT JOIN requests r ON r.id = d.request_id
		WHERE d.due_at <= $1 ORDER BY d.due_at, d.request_id`, store.FormatTime(now))
	if err != nil {
		return nil, fmt.Errorf("due clocks: %w", store.MapError(err))
	}
	defer rows.Close()
	var out []DueClock
	for rows.Next() {
		var (
			dc              DueClock
			state, archived *string
		)
		if err := rows.Scan(&dc.ID, &dc.Gen, &state, &archived); err != nil {
			return nil, err
		}
		dc.Gone = state == nil
		dc.Open = !dc.Gone && request.State(*state) != request.StateClosed && request.State(*state) != request.StateDraft && *archived == ""
		out = append(out, dc)
	}
	return out, rows.Err()
}

// MarkOpenClocksDue marks every open case due now (the runner's sweep).
func (s *Service) MarkOpenClocksDue(ctx context.Context) error {
	_, err := s.DB.ExecContext(ctx, `INSERT INTO clock_due (request_id, due_at, gen)
		SELECT id, '', 1 FROM requests WHERE state NOT IN ('closed', 'draft') AND archived_at = ''
		ON CONFLICT (request_id) DO UPDATE SET due_at = '', gen = clock_due.gen + 1`)
	if err != nil {
		return fmt.Errorf("mark open cases for the clocks: %w", store.MapError(err))
	}
	return nil
}

// MarkClockDue marks case id due now, if it exists.
func (s *Service) MarkClockDue(ctx context.Context, id string) error {
	_, err := s.DB.ExecContext(ctx, `INSERT INTO clock_due (request_id, due_at, gen)
		SELECT id, '', 1 FROM requests WHERE id = $1
		ON CONFLICT (request_id) DO UPDATE SET due_at = '', gen = clock_due.gen + 1`, id)
	if err != nil {
		return fmt.Errorf("mark case %s for the clocks: %w", id, store.MapError(err))
	}
	return nil
}

// ClockGen returns case id's clock_due generation (0 without a row).
func (s *Service) ClockGen(ctx context.Context, id string) (int64, error) {
	var g int64
	err := s.DB.QueryRowContext(ctx, `SELECT gen FROM clock_due WHERE request_id = $1`, id).Scan(&g)
	if found, err := store.Found(err); !found {
		return 0, err
	}
	return g, nil
}

// SetClockDue stores when case id is next due (zero: nothing ahead, its
// row goes), unless the case changed since generation gen was read: then
// it stays due now.
func (s *Service) SetClockDue(ctx context.Context, id string, gen int64, next time.Time) error {
	var err error
	if next.IsZero() {
		_, err = s.DB.ExecContext(ctx, `DELETE FROM clock_due WHERE request_id = $1 AND gen = $2`, id, gen)
	} else {
		_, err = s.DB.ExecContext(ctx, `UPDATE clock_due SET due_at = $1 WHERE request_id = $2 AND gen = $3`, store.FormatTime(next), id, gen)
	}
	if err != nil {
		return fmt.Errorf("store next due time of %s: %w", id, store.MapError(err))
	}
	return nil
}
