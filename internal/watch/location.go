package watch

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/strict"
)

// Paths of the provider API for location queries, on the node of the
// country where an address is.
const (
	OrdersPath  = "GET /v1/watch/orders"
	AnswersPath = "POST /v1/watch/answers"
)

// Order is a location query for a provider: who used this address and
// port at this second, and where.
type Order struct {
	Event   string    `json:"event"`
	Address string    `json:"address"`
	Port    int       `json:"port"`
	Time    time.Time `json:"time"`
}

// Orders lists the location queries waiting for an operator: events this
// node received as the address's country whose operator (by this node's
// IP data) is the provider and that it has not answered yet.
func (s *Service) Orders(ctx context.Context, operator string) ([]Order, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT id, address, port, observed_at FROM watch_events
		WHERE role = 'location' AND operator = $1 AND location = '' ORDER BY stored_at, id`, operator)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Order{}
	for rows.Next() {
		var o Order
		var at string
		if err := rows.Scan(&o.Event, &o.Address, &o.Port, &at); err != nil {
			return nil, err
		}
		if o.Time, err = store.ParseTime(at); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Answer records an operator's location answer to a query, for this
// node's officers, and sends it, with the event's hops so far, to the
// requester of the watch, in one transaction.
func (s *Service) Answer(ctx context.Context, eventID, operator, location string) (*Event, error) {
	location = strings.TrimSpace(location)
	if location == "" || len(location) > MaxLocation || !printable(location) {
		return nil, evErr("location", "give the subscriber location (1 to %d printable characters)", MaxLocation)
	}
	var e Event
	var op, answered, requester, observed string
	var hops []byte
	err := s.DB.QueryRowContext(ctx, `SELECT id, request_id, address, port, observed_at, country, operator, basis, hops, requester, location
		FROM watch_events WHERE id = $1 AND role = 'location'`, eventID).
		Scan(&e.ID, &e.Request, &e.Address, &e.Port, &observed, &e.Country, &op, &e.Basis, &hops, &requester, &answered)
	found, err := store.Found(err)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, apperr.Errorf(apperr.ENotFound, "no location query %q on this node (fix: take the id from GET /v1/watch/orders)", eventID)
	}
	if op != operator {
		return nil, apperr.Errorf(apperr.EUnauthorized, "location query %s is for operator %q, not for %q", eventID, op, operator)
	}
	if answered != "" {
		return nil, apperr.Errorf(apperr.EConflict, "location query %s is already answered", eventID)
	}
	if requester == "" {
		return nil, apperr.Errorf(apperr.EConflict, "location query %s does not name the watch's requester: the answer stays with this node's officers", eventID)
	}
	if e.Time, err = store.ParseTime(observed); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(hops, &e.Hops); err != nil {
		return nil, err
	}
	e.Operator, e.Requester, e.Location, e.LocatedBy = op, requester, location, operator
	e.Hops = append(e.Hops, Hop{Where: s.Authority + " answer from " + operator, At: s.Clock.Now().UTC()})
	body, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	newHops, _ := json.Marshal(e.Hops)
	h := envelope.Header{IdempotencyKey: "watch-location:" + e.ID, Kind: envelope.KindWatchEvent, Subkind: SubkindLocation,
		Recipient: requester, CaseRef: e.Request}
	_, err = s.Send(ctx, h, body, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE watch_events SET location = $2, located_by = $3, hops = $4 WHERE id = $1 AND location = ''`,
			e.ID, location, operator, newHops)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Errorf(apperr.EConflict, "location query %s was answered meanwhile", e.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// locationArrived records, at the requester, the location answer of an
// event it already holds, with the hops of the whole chain.
func (s *Service) locationArrived(ctx context.Context, tx *sql.Tx, h envelope.Header, e Event, now time.Time) error {
	c, err := s.Cases.Get(ctx, e.Request)
	if err != nil || c.Direction != cases.Outgoing || e.Requester != s.Authority {
		return apperr.Errorf(apperr.EInvalid, "location answer %s: request %s is not a watch this node asked for", h.ID, e.Request)
	}
	if e.Location == "" {
		return apperr.Errorf(apperr.EInvalid, "location answer %s carries no location", h.ID)
	}
	e.Hops = append(e.Hops, Hop{Where: s.Authority + " received location", At: now})
	hops, _ := json.Marshal(e.Hops)
	res, err := tx.ExecContext(ctx, `UPDATE watch_events SET location = $2, located_by = $3, hops = $4, note = $5
		WHERE id = $1 AND role = 'requester' AND location = ''`, e.ID, e.Location, e.LocatedBy, hops, "location from "+h.Sender)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// The event itself has not arrived (or the answer is a repeat):
		// keep the answer as the event, so nothing is lost.
		return insertLocated(ctx, tx, e, h.Sender, hops, now)
	}
	return nil
}

func insertLocated(ctx context.Context, tx *sql.Tx, e Event, peer string, hops []byte, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO watch_events (id, request_id, role, peer, address, port, observed_at, country, operator, basis, status, note, hops, stored_at, requester, location, located_by)
		VALUES ($1, $2, 'requester', $3, $4, $5, $6, $7, $8, $9, 'received', $10, $11, $12, $13, $14, $15) ON CONFLICT (id) DO NOTHING`,
		e.ID, e.Request, peer, e.Address, e.Port, store.FormatTime(e.Time), e.Country, e.Operator, e.Basis, "location from "+peer, hops, store.FormatTime(at), e.Requester, e.Location, e.LocatedBy)
	return err
}

// ServeOrders lists the authenticated provider's pending location queries.
func (a *ProviderAPI) ServeOrders(w http.ResponseWriter, r *http.Request) {
	name, ok := a.provider(r)
	if !ok {
		writeErr(w, apperr.Errorf(apperr.EUnauthorized, "provider API: a valid bearer token is required"))
		return
	}
	os, err := a.Service.Orders(r.Context(), name)
	if err != nil {
		writeErr(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(os)
}

// ServeAnswer takes the authenticated provider's answer to a query.
func (a *ProviderAPI) ServeAnswer(w http.ResponseWriter, r *http.Request) {
	name, ok := a.provider(r)
	if !ok {
		writeErr(w, apperr.Errorf(apperr.EUnauthorized, "provider API: a valid bearer token is required"))
		return
	}
	var p struct {
		Event    string `json:"event"`
		Location string `json:"location"`
	}
	if err := strict.ReadJSON(r.Body, 4<<10, &p); err != nil {
		writeErr(w, apperr.Wrap(apperr.EInvalid, err, `provider API: body must be {"event","location"}`))
		return
	}
	e, err := a.Service.Answer(r.Context(), p.Event, name, p.Location)
	if err != nil {
		writeErr(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	json.NewEncoder(w).Encode(e)
}

// Mount registers the provider API's three routes on a node (before Run).
func (a *ProviderAPI) Mount(n interface{ Handle(string, http.Handler) }) {
	n.Handle(ProviderPath, a)
	n.Handle(OrdersPath, http.HandlerFunc(a.ServeOrders))
	n.Handle(AnswersPath, http.HandlerFunc(a.ServeAnswer))
}
