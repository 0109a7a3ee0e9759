// Package watch relays the events of realtime-traffic watches (Budapest
// Art. 33; SPEC story 2). Once the watched side (the provider's country)
// has accepted a realtime-traffic request, each login event its provider
// reports (address, source port, UTC time to the second) is attributed
// with the node's IP database and relayed at once, as signed and
// encrypted watch-event envelopes, to the requester and to the country
// where the address is, when a route to it exists. An event whose address
// lies in a country with no route is kept for the watched side's officers
// and not relayed there. Every event carries its hops, each timed by the
// node that took it, so each side shows its end-to-end and per-hop time.
package watch

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/ipdb"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
	"github.com/art35/art35/internal/store"
)

// Roles of a node for an event.
const (
	RoleSource    = "source"    // the watched side: its provider reported the event
	RoleRequester = "requester" // the party that asked for the watch
	RoleLocation  = "location"  // the party where the address is
)

// Statuses of a stored event.
const (
	StatusRelayed  = "relayed"  // sent to the requester and to the address's country
	StatusNoRoute  = "no-route" // sent to the requester only; no route to the address's country
	StatusReceived = "received" // this node received it from the watched side
)

// Subkinds of watch-event envelopes.
const (
	SubkindLogin    = "login"    // a login event relayed by the watched side
	SubkindLocation = "location" // the address's operator's location answer, sent to the requester
)

// Service is the watch relay of one node.
type Service struct {
	DB        *store.DB
	Clock     clock.Clock
	Log       *slog.Logger
	Party     string // this node's party
	Authority string // this node's authority id
	Send      Sender
	Directory func(ctx context.Context) (*directory.Snapshot, error)
	Cases     Cases
	// IPDB attributes addresses.
	IPDB *ipdb.DB
}

// Sender is what the service needs of a node to send (the node's Send).
type Sender func(ctx context.Context, h envelope.Header, body []byte, change func(tx *sql.Tx) error) (*envelope.Envelope, error)

// Cases is what the service reads of the node's casework.
type Cases interface {
	Get(ctx context.Context, id string) (*cases.Case, error)
}

// Host is what the service needs of the node that runs it: a handler for
// arriving watch events. *node.Node is one; internal/app wires them.
type Host interface {
	OnArrival(kind envelope.Kind, h func(ctx context.Context, tx *sql.Tx, in *federation.Inbound) error)
}

// Register makes the host relay and receive watch events. Call it before
// the host runs.
func (s *Service) Register(h Host) *Service {
	h.OnArrival(envelope.KindWatchEvent, s.Arrived)
	return s
}

// Login is what a provider reports: the address and source port an
// account was used from and the UTC time to the second.
type Login struct {
	Address string
	Port    int
	Time    time.Time
}

// Outcome is what Push did with an event.
type Outcome struct {
	Event  Event    `json:"event"`
	Status string   `json:"status"`
	Note   string   `json:"note,omitempty"`
	SentTo []string `json:"sent_to"` // authority ids
}

// watchable returns the accepted realtime-traffic case a push belongs to.
func (s *Service) watchable(ctx context.Context, requestID string) (*cases.Case, error) {
	c, err := s.Cases.Get(ctx, requestID)
	if err != nil {
		return nil, err
	}
	if c.Direction != cases.Incoming || c.Request.Type != request.TypeRealtimeTraffic {
		return nil, apperr.Errorf(apperr.EInvalid, "request %s is a %s %s request; events are pushed only for realtime-traffic requests this node received", requestID, c.Direction, c.Request.Type)
	}
	switch c.Lifecycle.State {
	case request.StateAcknowledged, request.StateInProgress:
	default:
		return nil, apperr.Errorf(apperr.EConflict, "request %s is %s: events are relayed only while the watch is accepted (acknowledged or in-progress)", requestID, c.Lifecycle.State)
	}
	return c, nil
}

// Push takes an event reported by the node's provider for an accepted
// realtime-traffic request, attributes its address and relays it to the
// requester and, when a route exists, to the address's country. The
// event row and its envelopes are stored in one transaction.
func (s *Service) Push(ctx context.Context, requestID string, l Login) (*Outcome, error) {
	return s.push(ctx, requestID, l, "")
}

// push is Push with the name of the provider that reported the event
// ("" when an officer or the CLI pushes it), for the first hop.
func (s *Service) push(ctx context.Context, requestID string, l Login, provider string) (*Outcome, error) {
	clk := s.Clock
	received := clk.Now().UTC()
	addr, err := ParseAddress(l.Address)
	if err != nil {
		return nil, err
	}
	if l.Time.IsZero() {
		return nil, evErr("time", "the provider must give the UTC time of the event (to the second)")
	}
	c, err := s.watchable(ctx, requestID)
	if err != nil {
		return nil, err
	}
	if p := c.Request.RealtimeTraffic.Period; !p.From.T.IsZero() && (l.Time.Before(p.From.T) || !l.Time.Before(p.To.T)) {
		return nil, evErr("time", "%s is outside the watch period %s to %s of request %s", l.Time.UTC().Format(time.RFC3339), p.From.Raw, p.To.Raw, requestID)
	}
	me := s.Authority
	ans := s.IPDB.Lookup(addr)
	id, err := envelope.NewID(rand.Reader)
	if err != nil {
		return nil, err
	}
	ev := Event{ID: id, Request: requestID, Address: addr.String(), Port: l.Port, Time: l.Time.UTC().Truncate(time.Second),
		Country: ans.Country, Operator: ans.Operator,
		Basis:     fmt.Sprintf("realtime-traffic request %s (%s)", requestID, basisText(c.Request.LegalBasis)),
		Hops:      []Hop{{Where: strings.TrimSpace(me + " received from provider " + provider), At: received}},
		Requester: c.Peer}
	out := &Outcome{Event: ev, Status: StatusRelayed}
	snap, err := s.Directory(ctx)
	if err != nil {
		return nil, err
	}
	recipients := []string{c.Peer}
	switch {
	case !ans.Attributable:
		out.Status, out.Note = StatusNoRoute, "address not attributable: "+ans.Reason
	case ans.Country == s.Party:
		out.Status, out.Note = StatusRelayed, "address in this node's own country: for the national desk"
	default:
		if reason := s.noRoute(snap, ans.Country, received); reason != "" {
			out.Status, out.Note = StatusNoRoute, reason
		} else if poc, err := snap.PointOfContact(ans.Country); err == nil && poc.ID != c.Peer {
			recipients = append(recipients, poc.ID)
		}
	}
	out.Event.Hops = append(out.Event.Hops, Hop{Where: me + " attributed and relayed", At: clk.Now().UTC()})
	body, err := json.Marshal(out.Event)
	if err != nil {
		return nil, err
	}
	hops, _ := json.Marshal(out.Event.Hops)
	for i, to := range recipients {
		h := envelope.Header{IdempotencyKey: "watch:" + id, Kind: envelope.KindWatchEvent, Subkind: SubkindLogin,
			Recipient: to, CaseRef: requestID, Handling: envelope.Handling(c.Request.Handling.Code)}
		var change func(tx *sql.Tx) error
		if i == 0 {
			// The event row commits with the first envelope, so there is
			// never an event recorded as relayed that was not.
			change = func(tx *sql.Tx) error {
				return insert(ctx, tx, out.Event, RoleSource, c.Peer, out.Status, out.Note, hops, received)
			}
		}
		if _, err := s.Send(ctx, h, body, change); err != nil {
			return nil, fmt.Errorf("relay event to %s: %w", to, err)
		}
		out.SentTo = append(out.SentTo, to)
	}
	if out.Status == StatusNoRoute {
		s.log().Warn("watch event not relayed to the address's country: for this node's officers", "request", requestID, "address", ev.Address, "country", ev.Country, "why", out.Note)
	}
	return out, nil
}

// noRoute says why an event cannot be relayed to country, or "" when it
// can: an instrument must allow this party to pass information to that
// country on its own initiative (Budapest Art. 26 and the like), and the
// country's point of contact must list a node.
func (s *Service) noRoute(snap *directory.Snapshot, country string, at time.Time) string {
	d, err := route.Decide(snap, s.Party, country, request.TypeSpontaneousInfo, at)
	if err != nil {
		return "no route to " + country + ": " + err.Error()
	}
	if !d.Allowed {
		return d.Summary
	}
	poc, err := snap.PointOfContact(country)
	if err != nil {
		return err.Error()
	}
	if poc.Endpoint == "" {
		return fmt.Sprintf("%s's point of contact %s lists no node: call it", country, poc.ID)
	}
	return ""
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

func basisText(b request.LegalBasis) string {
	s := string(b.Instrument)
	if b.Article != "" {
		s += " Art. " + b.Article
	}
	return s
}

func insert(ctx context.Context, tx *sql.Tx, e Event, role, peer, status, note string, hops []byte, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO watch_events (id, request_id, role, peer, address, port, observed_at, country, operator, basis, status, note, hops, stored_at, requester)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (id) DO NOTHING`,
		e.ID, e.Request, role, peer, e.Address, e.Port, store.FormatTime(e.Time), e.Country, e.Operator, e.Basis, status, note, hops, store.FormatTime(at), e.Requester)
	return err
}

// Arrived stores a watch event relayed by the watched side, inside the
// transaction that stores its envelope. The requester keeps it under its
// request; the address's country keeps it with its own attribution (the
// national overlay names the operator and its desk) and the hop of its
// arrival.
func (s *Service) Arrived(ctx context.Context, tx *sql.Tx, in *federation.Inbound) error {
	now := s.Clock.Now().UTC()
	h := in.Envelope.Header
	e, err := ParseEvent(in.Body)
	if err != nil {
		return err
	}
	me := s.Authority
	switch h.Subkind {
	case SubkindLogin:
	case SubkindLocation:
		return s.locationArrived(ctx, tx, h, e, now)
	default:
		return apperr.Errorf(apperr.EInvalid, "watch event envelope %s: subkind %q, want %q or %q", h.ID, h.Subkind, SubkindLogin, SubkindLocation)
	}
	role, note := RoleLocation, ""
	if c, err := s.Cases.Get(ctx, e.Request); err == nil && c.Direction == cases.Outgoing {
		if c.Peer != h.Sender {
			return apperr.Errorf(apperr.EUnauthorized, "watch event for request %s came from %s, but the request went to %s", e.Request, h.Sender, c.Peer)
		}
		role = RoleRequester
	} else if err != nil && !apperr.Is(err, apperr.ENotFound) {
		return err
	}
	e.Hops = append(e.Hops, Hop{Where: me + " received", At: now})
	if role == RoleLocation {
		addr, _ := ParseAddress(e.Address)
		a := s.IPDB.Lookup(addr)
		if a.Operator != "" {
			e.Operator = a.Operator // this country's own data names the operator to ask
		}
		switch {
		case a.Desk != "":
			note = fmt.Sprintf("for operator %s: desk %s", a.Operator, a.Desk)
		case a.Operator != "":
			note = "for operator " + a.Operator + " (no desk in the national overlay)"
		default:
			note = "operator not known to this node's IP data"
		}
		e.Hops = append(e.Hops, Hop{Where: me + " routed to operator", At: s.Clock.Now().UTC()})
	}
	hops, _ := json.Marshal(e.Hops)
	return insert(ctx, tx, e, role, h.Sender, StatusReceived, note, hops, now)
}

// Stored is an event as this node keeps it.
type Stored struct {
	Event
	Role     string        `json:"role"`
	Peer     string        `json:"peer"`
	Status   string        `json:"status"`
	Note     string        `json:"note,omitempty"`
	EndToEnd time.Duration `json:"end_to_end_ns"`
}

// Events lists the events of a request (all requests when requestID is
// ""), oldest first.
func (s *Service) Events(ctx context.Context, requestID string) ([]Stored, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT id, request_id, role, peer, address, port, observed_at, country, operator, basis, status, note, hops, requester, location, located_by
		FROM watch_events WHERE ($1 = '' OR request_id = $1) ORDER BY observed_at, stored_at, id`, requestID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Stored
	for rows.Next() {
		var st Stored
		var observed string
		var hops []byte
		if err := rows.Scan(&st.ID, &st.Request, &st.Role, &st.Peer, &st.Address, &st.Port, &observed, &st.Country, &st.Operator, &st.Basis, &st.Status, &st.Note, &hops, &st.Requester, &st.Location, &st.LocatedBy); err != nil {
			return nil, err
		}
		if st.Time, err = store.ParseTime(observed); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(hops, &st.Hops); err != nil {
			return nil, fmt.Errorf("event %s: stored hops: %w", st.ID, err)
		}
		st.EndToEnd = st.Event.EndToEnd()
		out = append(out, st)
	}
	return out, rows.Err()
}
