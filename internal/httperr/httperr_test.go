package httperr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/art35/art35/internal/apperr"
)

func TestInternalTextIsLoggedNotSent(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	secret := errors.New(`pq: password authentication failed for user "art35" at /var/lib/art35/art35.db`)
	for _, err := range []error{secret, apperr.Wrap(apperr.EInternal, secret, "load snapshot"), fmt.Errorf("wrapped: %w", secret)} {
		logs.Reset()
		w := httptest.NewRecorder()
		h := WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { JSON(w, r, log, err) }))
		h.ServeHTTP(w, httptest.NewRequest("GET", "/v1/directory", nil))
		id := w.Header().Get(Header)
		var b Body
		if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
			t.Fatal(err)
		}
		if w.Code != 500 || b.Code != apperr.EInternal || b.RequestID != id || id == "" {
			t.Errorf("answer %d %+v, header id %q", w.Code, b, id)
		}
		if strings.Contains(w.Body.String(), "password") || strings.Contains(w.Body.String(), "/var/lib") || !strings.Contains(b.Message, id) {
			t.Errorf("internal text sent: %s", w.Body.String())
		}
		if !strings.Contains(logs.String(), "password authentication failed") || !strings.Contains(logs.String(), id) {
			t.Errorf("log lacks the error or the id: %s", logs.String())
		}
	}
}

func TestCallerFaultsSayWhatToFix(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{apperr.Wrap(apperr.EInvalid, errors.New("strconv: internal detail"), "serial: not a number"), 400, apperr.EInvalid},
		{apperr.Errorf(apperr.ENotFound, "no directory yet"), 404, apperr.ENotFound},
		{apperr.Errorf(apperr.ELimited, "too many attempts"), 429, apperr.ELimited},
	} {
		w := httptest.NewRecorder()
		JSON(w, httptest.NewRequest("GET", "/", nil), slog.New(slog.DiscardHandler), tc.err)
		var b Body
		_ = json.Unmarshal(w.Body.Bytes(), &b)
		if w.Code != tc.status || b.Code != tc.code || strings.Contains(b.Message, "internal detail") || b.Message == "" {
			t.Errorf("%v: %d %+v", tc.err, w.Code, b)
		}
	}
}
