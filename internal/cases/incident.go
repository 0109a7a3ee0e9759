package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
)

// KindIncident is the evidence kind (and envelope subkind) of a security
// incident notice (SPEC section 7; Protocol Art. 14(7)(c)): the receiver of
// data tells the party that sent it that the data was exposed.
const KindIncident = "incident"

// NotifyIncident tells the party that sent a request that data received
// with it was exposed. The notice is a signed evidence; at the origin it
// raises an alert and an audit record.
func (s *Service) NotifyIncident(ctx context.Context, id, details, by string) error {
	c, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if c.Direction != Incoming {
		return apperr.Errorf(apperr.EInvalid, "request %s was sent by this node: an incident notice goes to the party whose data was exposed, which is us", id)
	}
	if strings.TrimSpace(details) == "" || strings.TrimSpace(by) == "" {
		return apperr.Errorf(apperr.EInvalid, "an incident notice needs what happened (--details) and who reports it (--by)")
	}
	return s.sendNote(ctx, c, request.Evidence{Kind: KindIncident, RequestID: id, By: by, As: request.ByReceiver, Details: details},
		func(tx *sql.Tx) error {
			_, err := auditlog.Append(ctx, tx, auditlog.Record{Kind: auditlog.Incident, Time: s.Clock.Now(), Actor: by, Case: auditCase(c),
				Details: map[string]string{"incident": "notified to the originating party", "request": id, "to": c.Peer}})
			return err
		})
}

// arrivedIncident records an incident notice from the other side of a
// request this node sent, and raises the alert.
func (s *Service) arrivedIncident(ctx context.Context, tx *sql.Tx, ev request.Evidence, from, messageID string) error {
	s.Log.Error("INCIDENT: a party we sent data to reports it was exposed", "request", ev.RequestID, "from", from, "by", ev.By, "details", ev.Details)
	_, err := auditlog.Append(ctx, tx, auditlog.Record{Kind: auditlog.Incident, Time: ev.At, Actor: from, MessageID: messageID,
		Details: map[string]string{"incident": "received from the receiving party", "request": ev.RequestID}})
	return err
}

// Incident is an incident notice on a request.
type Incident struct {
	RequestID string    `json:"request_id"`
	Direction Direction `json:"direction"` // out: our data was exposed at the peer; in: we reported
	Peer      string    `json:"peer"`
	At        time.Time `json:"at"`
	By        string    `json:"by"`
	Details   string    `json:"details"`
}

// Incidents lists incident notices sent and received, newest first.
func (s *Service) Incidents(ctx context.Context) ([]Incident, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT e.request_id, r.direction, r.peer, e.at, e.by_name, e.document
		FROM evidences e JOIN requests r ON r.id = e.request_id WHERE e.kind = $1 ORDER BY e.at DESC`, KindIncident)
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	var out []Incident
	for rows.Next() {
		var (
			in       Incident
			dir, at  string
			document []byte
		)
		if err := rows.Scan(&in.RequestID, &dir, &in.Peer, &at, &in.By, &document); err != nil {
			return nil, err
		}
		in.Direction = Direction(dir)
		if in.At, err = store.ParseTime(at); err != nil {
			return nil, err
		}
		var ev request.Evidence
		if json.Unmarshal(document, &ev) == nil {
			in.Details = ev.Details
		}
		out = append(out, in)
	}
	return out, rows.Err()
}
