// Package httperr is the one way art35's HTTP handlers answer with an
// error. The status comes from the error's apperr code; the text sent is
// the error's own message for a fault of the caller (4xx), which is
// written for people and names the field and the fix, and never the
// internal error text of a fault of ours (5xx): that is logged with a
// request id, and the caller gets the id to quote. Causes wrapped inside
// an apperr.Error (driver errors, file paths) are never sent either.
package httperr

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/art35/art35/internal/apperr"
)

// Header carries the request id in every answer.
const Header = "X-Request-Id"

type ctxKey struct{}

// NewID returns a fresh request id: 16 random hex characters.
func NewID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// WithRequestID gives every request an id (in its context and in the
// answer's X-Request-Id header), so that a person can quote it and an
// operator can find the log lines. An id sent by the client is not
// trusted: it could forge log lines.
func WithRequestID(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := NewID()
		w.Header().Set(Header, id)
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, id)))
	})
}

// RequestID returns r's id, making one (and setting the header on w, if
// given) when the request did not come through WithRequestID.
func RequestID(w http.ResponseWriter, r *http.Request) string {
	if id, ok := r.Context().Value(ctxKey{}).(string); ok {
		return id
	}
	id := NewID()
	if w != nil {
		w.Header().Set(Header, id)
	}
	return id
}

// Public is what may be shown of err: its HTTP status, its apperr code
// and a message. For a 5xx the message is only "internal error" with the
// request id, and err is logged in full (with the id, method and path).
func Public(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) (status int, code, msg string) {
	code = apperr.Code(err)
	status = apperr.HTTPStatus(code)
	id := RequestID(w, r)
	if status >= 500 {
		if log == nil {
			log = slog.Default()
		}
		log.Error("request failed", "request_id", id, "method", r.Method, "path", r.URL.Path, "err", err)
		return status, code, "internal error: the node could not answer; quote reference " + id + " to its operator (the details are in its log)"
	}
	var e *apperr.Error
	if errors.As(err, &e) && e.Message != "" {
		return status, code, e.Message
	}
	return status, code, http.StatusText(status)
}

// Body is the JSON of an error answer.
type Body struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
}

// JSON answers err as {"code", "message", "request_id"}.
func JSON(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	status, code, msg := Public(w, r, log, err)
	b, _ := json.Marshal(Body{Code: code, Message: msg, RequestID: RequestID(w, r)})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// Text answers err as plain text.
func Text(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	status, _, msg := Public(w, r, log, err)
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	http.Error(w, msg, status)
}
