package cases

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
)

// MarkExerciseTx flags, inside tx, the request carried by the envelope
// messageID as an exercise (the node calls it in the transaction that
// queues the envelope).
func MarkExerciseTx(ctx context.Context, tx *sql.Tx, messageID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE requests SET exercise = 1 WHERE message_id = $1`, messageID)
	return store.MapError(err)
}

// SubmitExercise is SubmitTo for a request of an exercise: its envelope
// carries the exercise flag, so the request is flagged on both nodes and
// never counted as real work (package exercise names the exercise).
func (s *Service) SubmitExercise(ctx context.Context, doc []byte, by, recipient string) (*Case, []request.Problem, error) {
	cp := *s
	send := s.Send
	cp.Send = func(ctx context.Context, h envelope.Header, body []byte, change func(tx *sql.Tx) error) (*envelope.Envelope, error) {
		h.Exercise = true
		return send(ctx, h, body, change)
	}
	return cp.SubmitTo(ctx, doc, by, recipient)
}

// ExerciseFacts are what the casework knows of a case's part in an
// exercise: the flag its envelope carried, the request envelope's id (by
// which package exercise names the exercise) and when it was archived.
type ExerciseFacts struct {
	Exercise  bool
	MessageID string
	Archived  time.Time // zero while the case is live
}

// ExerciseFactsOf returns the exercise facts of the case id.
func (s *Service) ExerciseFactsOf(ctx context.Context, id string) (ExerciseFacts, error) {
	var (
		f        ExerciseFacts
		flag     int64
		archived string
	)
	err := s.DB.QueryRowContext(ctx, `SELECT exercise, message_id, archived_at FROM requests WHERE id = $1`, id).Scan(&flag, &f.MessageID, &archived)
	found, err := store.Found(err)
	if err != nil {
		return f, err
	}
	if !found {
		return f, apperr.Errorf(apperr.ENotFound, "no request %s on this node ('art35 case list' shows what is here)", id)
	}
	f.Exercise = flag != 0
	if archived != "" {
		if f.Archived, err = store.ParseTime(archived); err != nil {
			return f, err
		}
	}
	return f, nil
}

// ArchivedCase is one case of an exercise, live or archived.
type ArchivedCase struct {
	ID        string    `json:"id"`
	Direction Direction `json:"direction"`
	Type      string    `json:"type"`
	Peer      string    `json:"peer"`
	State     string    `json:"state"`
	MessageID string    `json:"message_id"`
	Archived  time.Time `json:"archived,omitzero"`
}

// ByMessages returns the cases whose request envelopes are messageIDs
// (an exercise's cases), in key order.
func (s *Service) ByMessages(ctx context.Context, messageIDs []string) ([]ArchivedCase, error) {
	out := []ArchivedCase{}
	for _, chunk := range chunks(messageIDs, 200) {
		q, args := inList(`SELECT id, direction, type, peer, state, message_id, archived_at FROM requests WHERE message_id IN `, chunk)
		rows, err := s.DB.QueryContext(ctx, q+` ORDER BY id`, args...)
		if err != nil {
			return nil, store.MapError(err)
		}
		for rows.Next() {
			var (
				c             ArchivedCase
				dir, archived string
			)
			if err := rows.Scan(&c.ID, &dir, &c.Type, &c.Peer, &c.State, &c.MessageID, &archived); err != nil {
				rows.Close()
				return nil, err
			}
			c.Direction = Direction(dir)
			if archived != "" {
				if c.Archived, err = store.ParseTime(archived); err != nil {
					rows.Close()
					return nil, err
				}
			}
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ArchiveTx archives, inside tx, the exercise cases whose request
// envelopes are messageIDs and that are not archived yet; it returns
// their keys. An archived case leaves the inbox, the case list and the
// clocks (List and Open skip it) and stays readable with Get. Only cases
// flagged as exercises are touched: real work is never archived this way.
func ArchiveTx(ctx context.Context, tx *sql.Tx, messageIDs []string, at time.Time) ([]string, error) {
	var ids []string
	for _, chunk := range chunks(messageIDs, 200) {
		q, args := inList(`SELECT id FROM requests WHERE exercise = 1 AND archived_at = '' AND message_id IN `, chunk)
		rows, err := tx.QueryContext(ctx, q+` ORDER BY id`, args...)
		if err != nil {
			return nil, store.MapError(err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE requests SET archived_at = $1 WHERE id = $2`, store.FormatTime(at), id); err != nil {
			return nil, store.MapError(err)
		}
	}
	return ids, nil
}

func chunks(xs []string, n int) [][]string {
	var out [][]string
	for len(xs) > 0 {
		k := min(n, len(xs))
		out = append(out, xs[:k])
		xs = xs[k:]
	}
	return out
}

// inList appends "($1, $2, ...)" for xs to q.
func inList(q string, xs []string) (string, []any) {
	var b strings.Builder
	args := make([]any, len(xs))
	b.WriteString(q + "(")
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(i+1))
		args[i] = x
	}
	b.WriteString(")")
	return b.String(), args
}
