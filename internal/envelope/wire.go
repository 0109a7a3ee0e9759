package envelope

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/art35/art35/internal/apperr"
)

// TimeLayout is the only time format on the wire: UTC, whole seconds, "Z".
const TimeLayout = "2006-01-02T15:04:05Z"

// b64 is the binary-to-text encoding on the wire: unpadded base64url, strict
// (non-zero padding bits are refused, so one value has one encoding).
var b64 = base64.RawURLEncoding.Strict()

// wireHeader and wireEnvelope are the JSON shapes of docs/protocol.md.
// Every field is always written and must always be present when read.
type wireHeader struct {
	ID             string `json:"id"`
	IdempotencyKey string `json:"idempotency_key"`
	Kind           string `json:"kind"`
	Subkind        string `json:"subkind"`
	Sender         string `json:"sender"`
	Recipient      string `json:"recipient"`
	SenderKeyID    string `json:"sender_key_id"`
	RecipientKeyID string `json:"recipient_key_id"`
	Created        string `json:"created"`
	Expires        string `json:"expires"`
	InReplyTo      string `json:"in_reply_to"`
	CaseRef        string `json:"case_ref"`
	Handling       string `json:"handling"`
	Exercise       bool   `json:"exercise"`
}

type wireEnvelope struct {
	V          int        `json:"v"`
	Header     wireHeader `json:"header"`
	Ciphertext string     `json:"ciphertext"`
	Signature  string     `json:"signature"`
}

// schema describes the exact keys of a JSON object; a nil *schema is a
// scalar (string, number or boolean; never null).
type schema map[string]*schema

var headerSchema = schema{
	"id": nil, "idempotency_key": nil, "kind": nil, "subkind": nil, "sender": nil, "recipient": nil,
	"sender_key_id": nil, "recipient_key_id": nil, "created": nil, "expires": nil, "in_reply_to": nil,
	"case_ref": nil, "handling": nil, "exercise": nil,
}

var envelopeSchema = schema{"v": nil, "header": &headerSchema, "ciphertext": nil, "signature": nil}

// Marshal returns the wire form of e: compact JSON, fields in the order of
// docs/protocol.md, followed by no newline.
func (e *Envelope) Marshal() ([]byte, error) {
	h := &e.Header
	w := wireEnvelope{
		V: Version,
		Header: wireHeader{
			ID: h.ID, IdempotencyKey: h.IdempotencyKey, Kind: string(h.Kind), Subkind: h.Subkind,
			Sender: h.Sender, Recipient: h.Recipient, SenderKeyID: h.SenderKeyID, RecipientKeyID: h.RecipientKeyID,
			Created: h.Created.UTC().Format(TimeLayout), Expires: h.Expires.UTC().Format(TimeLayout),
			InReplyTo: h.InReplyTo, CaseRef: h.CaseRef, Handling: string(h.Handling), Exercise: h.Exercise,
		},
		Ciphertext: b64.EncodeToString(e.Ciphertext),
		Signature:  b64.EncodeToString(e.Signature),
	}
	return json.Marshal(w)
}

// malformed builds a parse error that names where the problem is.
func malformed(what, format string, args ...any) error {
	return apperr.Wrap(apperr.EInvalid, ErrMalformed, "%s: %s", what, fmt.Sprintf(format, args...))
}

// Parse reads one wire-encoded envelope strictly: at most MaxWire bytes of
// valid UTF-8 JSON, exactly the fields of the protocol (no unknown, missing,
// duplicate, null or differently-cased keys), no trailing data, exact time
// and base64 forms, and a header that passes Validate. It never panics; any
// refusal wraps ErrMalformed, ErrTooLarge or ErrUnsupportedVersion.
func Parse(data []byte) (*Envelope, error) {
	if len(data) > MaxWire {
		return nil, apperr.Wrap(apperr.EInvalid, ErrTooLarge, "envelope has %d bytes, at most %d allowed", len(data), MaxWire)
	}
	vals, err := strictJSON(data, envelopeSchema, "envelope")
	if err != nil {
		return nil, err
	}
	var w wireEnvelope
	if w.V, err = vals.version("envelope"); err != nil {
		return nil, err
	}
	if w.V != Version {
		return nil, apperr.Wrap(apperr.EInvalid, ErrUnsupportedVersion, "envelope version %d; this node reads version %d only", w.V, Version)
	}
	wh := &w.Header
	if err := vals.strs("envelope", "ciphertext", &w.Ciphertext, "signature", &w.Signature,
		"header.id", &wh.ID, "header.idempotency_key", &wh.IdempotencyKey, "header.kind", &wh.Kind,
		"header.subkind", &wh.Subkind, "header.sender", &wh.Sender, "header.recipient", &wh.Recipient,
		"header.sender_key_id", &wh.SenderKeyID, "header.recipient_key_id", &wh.RecipientKeyID,
		"header.created", &wh.Created, "header.expires", &wh.Expires, "header.in_reply_to", &wh.InReplyTo,
		"header.case_ref", &wh.CaseRef, "header.handling", &wh.Handling); err != nil {
		return nil, err
	}
	if wh.Exercise, err = vals.boolean("envelope", "header.exercise"); err != nil {
		return nil, err
	}
	created, err := parseTime("envelope header created", w.Header.Created)
	if err != nil {
		return nil, err
	}
	expires, err := parseTime("envelope header expires", w.Header.Expires)
	if err != nil {
		return nil, err
	}
	ct, err := parseB64("envelope ciphertext", w.Ciphertext)
	if err != nil {
		return nil, err
	}
	if len(ct) > MaxCiphertext {
		return nil, apperr.Wrap(apperr.EInvalid, ErrTooLarge, "envelope ciphertext has %d bytes, at most %d allowed", len(ct), MaxCiphertext)
	}
	if len(ct) < hpkeOverhead {
		return nil, malformed("envelope ciphertext", "has %d bytes, less than the %d of an empty body", len(ct), hpkeOverhead)
	}
	sig, err := parseB64("envelope signature", w.Signature)
	if err != nil {
		return nil, err
	}
	if len(sig) != 64 {
		return nil, malformed("envelope signature", "has %d bytes, want 64 (Ed25519)", len(sig))
	}
	e := &Envelope{
		Header: Header{
			ID: wh.ID, IdempotencyKey: wh.IdempotencyKey, Kind: Kind(wh.Kind), Subkind: wh.Subkind,
			Sender: wh.Sender, Recipient: wh.Recipient, SenderKeyID: wh.SenderKeyID, RecipientKeyID: wh.RecipientKeyID,
			Created: created, Expires: expires, InReplyTo: wh.InReplyTo, CaseRef: wh.CaseRef,
			Handling: Handling(wh.Handling), Exercise: wh.Exercise,
		},
		Ciphertext: ct,
		Signature:  sig,
	}
	if err := e.Header.Validate(); err != nil {
		return nil, err
	}
	return e, nil
}

func parseTime(what, s string) (time.Time, error) {
	t, err := time.Parse(TimeLayout, s)
	if err != nil || t.Format(TimeLayout) != s {
		return time.Time{}, malformed(what, "%q is not a UTC time of the form 2026-11-25T03:00:00Z (whole seconds, 'Z')", s)
	}
	return t, nil
}

func parseB64(what, s string) ([]byte, error) {
	b, err := b64.DecodeString(s)
	// The decoder skips '\r' and '\n'; re-encoding refuses such variants.
	if err != nil || b64.EncodeToString(b) != s {
		return nil, malformed(what, "is not unpadded base64url (RFC 4648 section 5, no '=', no line breaks)")
	}
	return b, nil
}

// maxDepth bounds nesting while scanning, so hostile input cannot make the
// scanner recurse deeply; the protocol's objects are two levels deep.
const maxDepth = 4

// values are the scalars of a strictly read JSON object, by dotted path
// ("v", "header.id"): string, json.Number or bool.
type values map[string]any

// strictJSON reads data as one JSON object with exactly the keys of s
// (recursively), no duplicates, no nulls, and nothing after it, and
// returns its scalars. It is the only JSON pass over the input: the
// tokens it reads are the values, so nothing is decoded twice.
func strictJSON(data []byte, s schema, what string) (values, error) {
	if !utf8.Valid(data) {
		return nil, malformed(what, "is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	vals := make(values, 24)
	if err := scanObject(dec, s, what, "", 1, vals); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, malformed(what, "unexpected data after the JSON object")
	}
	return vals, nil
}

func (v values) str(what, key string) (string, error) {
	s, ok := v[key].(string)
	if !ok {
		return "", malformed(what+"."+key, "want a string")
	}
	return s, nil
}

func (v values) boolean(what, key string) (bool, error) {
	b, ok := v[key].(bool)
	if !ok {
		return false, malformed(what+"."+key, "want true or false")
	}
	return b, nil
}

// version reads "v": a JSON integer (1, not 1.0, 1e0 or "1").
func (v values) version(what string) (int, error) {
	n, ok := v["v"].(json.Number)
	if !ok {
		return 0, malformed(what+".v", "want the number %d", Version)
	}
	i, err := strconv.Atoi(string(n))
	if err != nil {
		return 0, malformed(what+".v", "%s is not an integer", n)
	}
	return i, nil
}

// strs reads several string fields into the pointers, in order.
func (v values) strs(what string, fields ...any) error {
	for i := 0; i+1 < len(fields); i += 2 {
		s, err := v.str(what, fields[i].(string))
		if err != nil {
			return err
		}
		*fields[i+1].(*string) = s
	}
	return nil
}

func scanObject(dec *json.Decoder, s schema, path, prefix string, depth int, vals values) error {
	if depth > maxDepth {
		return malformed(path, "nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return malformed(path, "not JSON: %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return malformed(path, "want a JSON object, got %s", describe(tok))
	}
	seen := make(map[string]bool, len(s))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return malformed(path, "not JSON: %v", err)
		}
		key, ok := tok.(string)
		if !ok {
			return malformed(path, "want a key, got %s", describe(tok))
		}
		sub, known := s[key]
		if !known {
			return malformed(path, "unknown field %q (field names are lowercase and exact; see docs/protocol.md)", key)
		}
		if seen[key] {
			return malformed(path, "field %q appears twice", key)
		}
		seen[key] = true
		if sub != nil {
			if err := scanObject(dec, *sub, path+"."+key, prefix+key+".", depth+1, vals); err != nil {
				return err
			}
			continue
		}
		tok, err = dec.Token()
		if err != nil {
			return malformed(path+"."+key, "not JSON: %v", err)
		}
		switch tok.(type) {
		case string, json.Number, bool:
			vals[prefix+key] = tok
		default:
			return malformed(path+"."+key, "want a string, number or boolean, got %s", describe(tok))
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return malformed(path, "not JSON: %v", err)
	}
	for _, key := range slices.Sorted(maps.Keys(s)) {
		if !seen[key] {
			return malformed(path, "field %q is missing (every field must be present, empty strings included)", key)
		}
	}
	return nil
}

func describe(tok json.Token) string {
	switch t := tok.(type) {
	case nil:
		return "null"
	case json.Delim:
		return fmt.Sprintf("%q", string(t))
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", tok)
}
