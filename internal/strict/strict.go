// Package strict reads data from outside the node the strict way, in one
// place: exactly one JSON value with no unknown field and nothing after it,
// and ids of an exact length of lowercase hexadecimal digits. Every message
// from outside is untrusted even when its signature verifies; these are
// the first checks, before the owning package's own validation.
package strict

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/art35/art35/internal/apperr"
)

// ErrTrailing is returned when data follows the JSON value. The value
// itself was decoded; callers that report every problem may go on.
var ErrTrailing = errors.New("data after the JSON value (send exactly one)")

// ErrTooLarge is returned by ReadJSON when the input is over its limit.
var ErrTooLarge = errors.New("input over the size limit")

// DecodeJSON decodes the one JSON value in data into v, refusing object
// fields v does not have and anything after the value but white space. A
// syntax or type error is returned as encoding/json made it (errors.As
// finds *json.SyntaxError and *json.UnmarshalTypeError), so callers can
// name the byte or the field.
func DecodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return ErrTrailing
	}
	return nil
}

// ReadJSON reads at most limit bytes from r and decodes them with
// DecodeJSON; a longer input gives ErrTooLarge without decoding it.
func ReadJSON(r io.Reader, limit int, v any) error {
	data, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if len(data) > limit {
		return fmt.Errorf("%w (%d bytes)", ErrTooLarge, limit)
	}
	return DecodeJSON(data, v)
}

// LowerHex reports whether s is exactly n lowercase hexadecimal digits,
// the form of art35's random ids.
func LowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Object reads one JSON object from a peer for the owning package's Parse
// functions, with the errors a sender can act on: what names the thing read
// ("ping body", "watch event"), limit is its size bound and shape what a
// good one looks like (the fix shown when it is not JSON of that shape).
// Every error is apperr.EInvalid.
func Object(what string, data []byte, limit int, shape string, v any) error {
	if len(data) > limit {
		return apperr.Errorf(apperr.EInvalid, "%s: %d bytes, at most %d allowed", what, len(data), limit)
	}
	switch err := DecodeJSON(data, v); {
	case errors.Is(err, ErrTrailing):
		return apperr.Errorf(apperr.EInvalid, "%s: data after the JSON object (fix: send exactly one object)", what)
	case err != nil:
		return apperr.Wrap(apperr.EInvalid, err, "%s: not a JSON object of that kind (fix: send %s)", what, shape)
	}
	return nil
}
