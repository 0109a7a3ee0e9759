package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/users"
	"github.com/art35/art35/internal/watch"
)

// The watches pages (SPEC story 2, the watch relay): the node's
// realtime-traffic watches and, for one, its login events as they arrive,
// with each hop and the time it took. Events come from package watch
// (Service.Events); the page asks every 2 s and is redrawn only when an
// event arrived or changed, and the new ones are announced.

// WatchEvents is what the watches pages read of the watch relay
// (*watch.Service is one).
type WatchEvents interface {
	Events(ctx context.Context, requestID string) ([]watch.Stored, error)
}

// watchRow is one watch on the list.
type watchRow struct {
	ID, Peer, State, Side string
	Known                 bool // the request is on this node (a location node holds events only)
	Events                int
	Last                  time.Time
}

// hopRow is one hop of an event with the time since the previous one.
type hopRow struct {
	Where string
	At    time.Time
	Took  string // "" for the first hop
}

// eventRow is one event on the watch page.
type eventRow struct {
	watch.Stored
	StatusText string // what this node did with it, in words
	Hops       []hopRow
	EndToEnd   string
	New        bool
}

// sideWords says what this node does in a watch.
func sideWords(r *http.Request, role string, dir cases.Direction) string {
	switch {
	case role == watch.RoleSource || dir == cases.Incoming:
		return T(r, "watches.side-source")
	case role == watch.RoleRequester || dir == cases.Outgoing:
		return T(r, "watches.side-requester")
	case role == watch.RoleLocation:
		return T(r, "watches.side-location")
	}
	return ""
}

// eventStatus says in words what happened to an event on this node.
func eventStatus(r *http.Request, status string) string {
	switch status {
	case watch.StatusRelayed:
		return T(r, "watches.status-relayed")
	case watch.StatusNoRoute:
		return T(r, "watches.status-no-route")
	case watch.StatusReceived:
		return T(r, "watches.status-received")
	}
	return status
}

// took writes a hop time to the millisecond: seconds matter here.
func took(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.3f s", d.Seconds())
}

func (s *Server) watchesPage(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	if s.d.Watches == nil {
		s.fail(w, r, sess, apperr.Errorf(apperr.ENotFound, "%s", T(r, "watches.no-relay")))
		return
	}
	ctx := r.Context()
	list, err := s.d.Cases.List(ctx)
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	events, err := s.d.Watches.Events(ctx, "")
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	byID := map[string]*watchRow{}
	var rows []*watchRow
	for _, sum := range list {
		if sum.Type != string(request.TypeRealtimeTraffic) {
			continue
		}
		wr := &watchRow{ID: sum.ID, Peer: sum.Peer, State: sum.State, Side: sideWords(r, "", sum.Direction), Known: true}
		byID[sum.ID] = wr
		rows = append(rows, wr)
	}
	for _, e := range events {
		wr := byID[e.Request]
		if wr == nil {
			wr = &watchRow{ID: e.Request, Peer: e.Peer, Side: sideWords(r, e.Role, "")}
			byID[e.Request] = wr
			rows = append(rows, wr)
		}
		wr.Events++
		if e.Time.After(wr.Last) {
			wr.Last = e.Time
		}
	}
	// The latest event first; watches without events after, newest id last.
	slices.SortStableFunc(rows, func(a, b *watchRow) int { return b.Last.Compare(a.Last) })
	h := sha256.New()
	for _, wr := range rows {
		fmt.Fprintf(h, "%s|%s|%d|", wr.ID, wr.State, wr.Events)
	}
	version := hex.EncodeToString(h.Sum(nil))[:16]
	if r.Header.Get("HX-Request") == "true" && r.URL.Query().Get("v") == version {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	s.render(w, r, sess, "watches", map[string]any{"Title": T(r, "watches.title"), "Watches": rows, "Version": version})
}

func (s *Server) watchPage(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	if s.d.Watches == nil {
		s.fail(w, r, sess, apperr.Errorf(apperr.ENotFound, "%s", T(r, "watches.no-relay")))
		return
	}
	ctx := r.Context()
	id := r.PathValue("id")
	c, err := s.d.Cases.Get(ctx, id)
	if err != nil && !apperr.Is(err, apperr.ENotFound) {
		s.fail(w, r, sess, err)
		return
	}
	if c != nil && c.Request.Type != request.TypeRealtimeTraffic {
		s.fail(w, r, sess, apperr.Errorf(apperr.ENotFound, "%s", T(r, "watches.not-a-watch", id, word(langOf(r), "type", string(c.Request.Type)))))
		return
	}
	stored, err := s.d.Watches.Events(ctx, id)
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	if c == nil && len(stored) == 0 {
		s.fail(w, r, sess, apperr.Errorf(apperr.ENotFound, "%s", T(r, "watches.unknown", id)))
		return
	}
	h := sha256.New()
	for _, e := range stored {
		fmt.Fprintf(h, "%s|%s|%s|%d|", e.ID, e.Status, e.Location, len(e.Hops))
	}
	state := ""
	if c != nil {
		state = string(c.Lifecycle.State)
	}
	fmt.Fprint(h, state)
	version := hex.EncodeToString(h.Sum(nil))[:16]
	live := r.Header.Get("HX-Request") == "true"
	if live && r.URL.Query().Get("v") == version {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	// seen is how many events the page showed: the rest are new, and
	// announced. A page opened afresh announces nothing.
	seen := len(stored)
	if live {
		if n, err := strconv.Atoi(r.URL.Query().Get("seen")); err == nil && n >= 0 && n <= len(stored) {
			seen = n
		}
	}
	var rows, fresh []eventRow
	for i, e := range stored {
		er := eventRow{Stored: e, StatusText: eventStatus(r, e.Status), EndToEnd: took(e.EndToEnd), New: i >= seen}
		for j, hp := range e.Hops {
			hr := hopRow{Where: hp.Where, At: hp.At}
			if j > 0 {
				hr.Took = "+" + took(hp.At.Sub(e.Hops[j-1].At))
			}
			er.Hops = append(er.Hops, hr)
		}
		rows = append(rows, er)
		if er.New {
			fresh = append(fresh, er)
		}
	}
	slices.Reverse(rows) // the newest first: that is what officers in the street wait for
	data := map[string]any{"Title": T(r, "watches.title-one", id), "ID": id, "Case": c, "State": state, "Events": rows, "Fresh": fresh,
		"Count": len(stored), "Version": version}
	if c != nil {
		data["Side"] = sideWords(r, "", c.Direction)
	} else if len(stored) > 0 {
		data["Side"] = sideWords(r, stored[0].Role, "")
	}
	if live {
		s.renderPartSession(w, r, sess, "watch", "events", data)
		return
	}
	s.render(w, r, sess, "watch", data)
}
