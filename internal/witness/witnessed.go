package witness

import (
	"context"
	"fmt"
	"time"

	"github.com/art35/art35/internal/store"
)

// Seen is the latest checkpoint of a peer's audit log this node checked.
type Seen struct {
	Origin string    `json:"origin"`
	Size   int64     `json:"size"`
	SeenAt time.Time `json:"seen_at"`
}

// Witnessed lists, by origin, the latest checkpoint seen of each peer.
func (w *Witness) Witnessed(ctx context.Context) ([]Seen, error) {
	rows, err := w.DB.QueryContext(ctx, `SELECT origin, size, seen_at FROM witnessed_checkpoints ORDER BY origin`)
	if err != nil {
		return nil, fmt.Errorf("witness: list seen checkpoints: %w", store.MapError(err))
	}
	defer rows.Close()
	out := []Seen{}
	for rows.Next() {
		var (
			s  Seen
			at string
		)
		if err := rows.Scan(&s.Origin, &s.Size, &at); err != nil {
			return nil, store.MapError(err)
		}
		if s.SeenAt, err = store.ParseTime(at); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, store.MapError(rows.Err())
}
