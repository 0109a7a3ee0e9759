package request

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/strict"
)

// Decoding problems are reported like checklist problems, so that a user
// sees a type error in one field together with everything else.
func init() {
	Rules["json-syntax"] = Rule{"RFC 8259", "the document must be valid JSON"}
	Rules["json-type"] = Rule{"JSON Schema", "the value has the wrong JSON type; see 'art35 request schema TYPE'"}
	Rules["json-unknown-field"] = Rule{"JSON Schema", "the field is not part of the request format; check its spelling against 'art35 request schema TYPE'"}
	Rules["json-trailing"] = Rule{"RFC 8259", "the document must hold exactly one JSON object"}
}

// MaxDocument is the largest request document accepted, in bytes. A
// request is a form, not an evidence file; attachments travel apart.
const MaxDocument = 1 << 20

// Decode reads a request document. It returns the request (nil when the
// document is not JSON at all) and the problems found while decoding; an
// unknown field or a type error does not stop the rest from being read.
func Decode(data []byte) (*Request, []Problem) {
	if len(data) > MaxDocument {
		return nil, []Problem{{Field: "", Rule: "json-syntax", Severity: SeverityError,
			Message: fmt.Sprintf("%s (the document is %d bytes; the limit is %d)", Rules["json-syntax"].Message(), len(data), MaxDocument)}}
	}
	var ps []Problem
	r := &Request{}
	err := strict.DecodeJSON(data, r)
	switch {
	case err == nil:
		return r, ps
	case errors.Is(err, strict.ErrTrailing):
		// The first object was decoded; the rest is still checked.
		return r, append(ps, problem("", "json-trailing", "there is more after the first object"))
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return nil, []Problem{problem("", "json-syntax", fmt.Sprintf("at byte %d: %v", syn.Offset, err))}
	case errors.As(err, &typ):
		// encoding/json keeps decoding after a type error and reports
		// the first one; the rest of the request is still checked.
		return r, []Problem{problem(typ.Field, "json-type", fmt.Sprintf("got a JSON %s, want %s", typ.Value, jsonKind(typ.Type.String())))}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return r, []Problem{problem(name, "json-unknown-field", fmt.Sprintf("unknown field %q", name))}
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return nil, []Problem{problem("", "json-syntax", "the document is empty or cut short")}
	}
	return nil, []Problem{problem("", "json-syntax", err.Error())}
}

func problem(field, rule, found string) Problem {
	msg := Rules[rule].Message()
	if found != "" {
		msg += " (" + found + ")"
	}
	return Problem{Field: field, Rule: rule, Message: msg, Severity: SeverityError}
}

func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case goType == "string" || strings.HasPrefix(goType, "request."):
		return "a string or object as in the schema"
	case goType == "bool" || goType == "*bool":
		return "true or false"
	case strings.HasPrefix(goType, "int"):
		return "a whole number"
	}
	return "a " + goType
}

// Check decodes and validates a document in one step: the problems of
// both, in one list.
func Check(data []byte, now time.Time) (*Request, []Problem) {
	r, ps := Decode(data)
	if r == nil {
		return nil, ps
	}
	return r, append(ps, Validate(r, now)...)
}

// CheckFile is Check for the document read from the file name: the
// request when it has no error, otherwise an invalid error that lists
// every error-level problem, one a line, naming the file.
func CheckFile(name string, data []byte, now time.Time) (*Request, error) {
	r, ps := Check(data, now)
	if !HasErrors(ps) {
		return r, nil
	}
	var lines []string
	for _, p := range ps {
		if p.Severity == SeverityError {
			lines = append(lines, fmt.Sprintf("  %s [%s] %s", p.Field, p.Rule, p.Message))
		}
	}
	return nil, apperr.Errorf(apperr.EInvalid, "%s is not a valid request:\n%s", name, strings.Join(lines, "\n"))
}

// TypeNames are the request types' names, in the order of Types.
func TypeNames() []string {
	s := make([]string, len(Types))
	for i, t := range Types {
		s[i] = string(t)
	}
	return s
}
