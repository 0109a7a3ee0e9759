package watch

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/strict"
)

// ProviderPath is where a domestic provider's system pushes login events
// to its country's node.
const ProviderPath = "POST /v1/watch/events"

// MinTokenLen is the shortest provider token accepted: a token is a
// shared secret, so it must not be guessable.
const MinTokenLen = 32

// ProviderAPI is the small authenticated API through which a domestic
// provider (a mail or access provider) pushes the login events of a
// watched account to its country's node. Each provider has its own bearer
// token; the node relays what it receives with watch.Push, and the
// provider's name goes in the event's first hop.
type ProviderAPI struct {
	Service *Service
	// Tokens maps a provider's bearer token to its name.
	tokens map[[32]byte]string
}

// NewProviderAPI returns the API for the given providers (name -> token).
func NewProviderAPI(s *Service, tokens map[string]string) (*ProviderAPI, error) {
	api := &ProviderAPI{Service: s, tokens: map[[32]byte]string{}}
	for name, tok := range tokens {
		if len(tok) < MinTokenLen {
			return nil, apperr.Errorf(apperr.EInvalid, "provider %q: token has %d characters, at least %d required (fix: generate 32 random bytes, hex)", name, len(tok), MinTokenLen)
		}
		api.tokens[sha256.Sum256([]byte(tok))] = name
	}
	return api, nil
}

// provider returns the name of the provider a request authenticates as.
// Tokens are compared as SHA-256 digests in constant time, so neither the
// map lookup nor the comparison leaks a token's prefix.
func (a *ProviderAPI) provider(r *http.Request) (string, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return "", false
	}
	d := sha256.Sum256([]byte(tok))
	var name string
	found := 0
	for k, v := range a.tokens {
		if subtle.ConstantTimeCompare(k[:], d[:]) == 1 {
			name, found = v, 1
		}
	}
	return name, found == 1
}

// pushRequest is the JSON a provider posts.
type pushRequest struct {
	Request string `json:"request"`
	Address string `json:"address"`
	Port    int    `json:"port"`
	Time    string `json:"time"`
}

// MaxPushBody bounds a provider's push.
const MaxPushBody = 4 << 10

// ParsePush reads a provider's push: the request id and the login. It
// refuses unknown fields, trailing data, a body over MaxPushBody, a bad
// address, port or time, naming the field.
func ParsePush(r io.Reader) (string, Login, error) {
	var p pushRequest
	switch err := strict.ReadJSON(r, MaxPushBody, &p); {
	case errors.Is(err, strict.ErrTooLarge):
		return "", Login{}, apperr.Errorf(apperr.EInvalid, "provider API: body over %d bytes", MaxPushBody)
	case errors.Is(err, strict.ErrTrailing):
		return "", Login{}, apperr.Errorf(apperr.EInvalid, "provider API: data after the JSON object")
	case err != nil:
		return "", Login{}, apperr.Wrap(apperr.EInvalid, err, `provider API: body must be {"request","address","port","time"}`)
	}
	if p.Request == "" || len(p.Request) > MaxRequest || !printable(p.Request) {
		return "", Login{}, evErr("request", "give the realtime-traffic request id (1 to %d printable characters)", MaxRequest)
	}
	if _, err := ParseAddress(p.Address); err != nil {
		return "", Login{}, err
	}
	if p.Port < 0 || p.Port > 65535 {
		return "", Login{}, evErr("port", "%d is not a port (0 to 65535; 0 when not logged)", p.Port)
	}
	t, err := time.Parse(time.RFC3339, p.Time)
	if err != nil {
		return "", Login{}, evErr("time", "%q is not RFC 3339 (e.g. 2026-11-25T02:00:00Z)", p.Time)
	}
	return p.Request, Login{Address: p.Address, Port: p.Port, Time: t}, nil
}

// ServeHTTP takes one event: 202 with the outcome when it was relayed (or
// kept for lack of a route), 401 without a valid token, 400/404/409 with
// the reason otherwise.
func (a *ProviderAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := a.provider(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="art35 provider API"`)
		writeErr(w, apperr.Errorf(apperr.EUnauthorized, "provider API: a valid bearer token is required"))
		return
	}
	req, l, err := ParsePush(io.LimitReader(r.Body, MaxPushBody+1))
	if err != nil {
		writeErr(w, err)
		return
	}
	// A token answers only for the watches passed to its provider; an
	// unknown id and another provider's (or any other request's) id get
	// the same answer, so a token cannot learn which ids exist.
	mine, err := a.Service.assignedTo(r.Context(), req, name)
	if err != nil {
		writeErr(w, err)
		return
	}
	if !mine {
		writeErr(w, errNotYours)
		return
	}
	out, err := a.Service.push(r.Context(), req, l, name)
	if err != nil {
		writeErr(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	json.NewEncoder(w).Encode(out)
}

// errNotYours is the one answer to a push for a watch not addressed to
// the provider, whether or not the id exists.
var errNotYours = apperr.Errorf(apperr.ENotFound, "provider API: no watch with this request id is addressed to you (the node's officers pass each watch to its provider: 'art35 watch assign')")

// Assign passes a realtime-traffic watch this node received to one of its
// providers (a name in the provider API's token list): from then on that
// provider's token may push the watch's events. It is recorded in the
// audit log. Assigning twice is harmless.
func (s *Service) Assign(ctx context.Context, requestID, provider, by string) error {
	provider, by = strings.TrimSpace(provider), strings.TrimSpace(by)
	if provider == "" || by == "" || !printable(provider) || len(provider) > 200 {
		return apperr.Errorf(apperr.EInvalid, "name the provider (as in %s) and who passes the watch to it (--by)", "provider-tokens.toml")
	}
	c, err := s.Cases.Get(ctx, requestID)
	if err != nil {
		return err
	}
	if c.Direction != cases.Incoming || c.Request.Type != request.TypeRealtimeTraffic {
		return apperr.Errorf(apperr.EInvalid, "request %s is a %s %s request; only a realtime-traffic request this node received is passed to a provider", requestID, c.Direction, c.Request.Type)
	}
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO watch_assignments (request_id, provider, assigned_by, assigned_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (request_id, provider) DO NOTHING`, c.Request.ID, provider, by, store.FormatTime(now))
		if err != nil {
			return store.MapError(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		_, err = auditlog.Append(ctx, tx, auditlog.Record{Kind: auditlog.AdminChange, Time: now, Actor: by, Case: c.Request.SenderRef,
			Details: map[string]string{"change": "watch passed to provider", "request": c.Request.ID, "provider": provider}})
		return err
	})
}

// assignedTo reports whether the watch requestID was passed to provider.
func (s *Service) assignedTo(ctx context.Context, requestID, provider string) (bool, error) {
	var n int
	err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM watch_assignments WHERE request_id = $1 AND provider = $2`, requestID, provider).Scan(&n)
	if err != nil {
		return false, store.MapError(err)
	}
	return n > 0, nil
}

func writeErr(w http.ResponseWriter, err error) {
	code := apperr.Code(err)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(apperr.HTTPStatus(code))
	msg := err.Error()
	if code == apperr.EInternal {
		msg = "internal error"
	}
	json.NewEncoder(w).Encode(map[string]string{"code": code, "error": msg})
}
