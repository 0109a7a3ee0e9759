package cases

import (
	"context"

	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
)

// IDsOfType returns the ids of the requests of type typ held on this node,
// in either direction.
func (s *Service) IDsOfType(ctx context.Context, typ request.Type) ([]string, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT id FROM requests WHERE type = $1 ORDER BY id`, string(typ))
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, store.MapError(err)
		}
		ids = append(ids, id)
	}
	return ids, store.MapError(rows.Err())
}
