package auditlog

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/store"
)

// Kind says what happened. The set is closed for appends (a typo must not
// create a new kind nobody searches for) but Decode accepts any well-formed
// kind, so an older binary can still check a bundle made by a newer one.
type Kind string

// The kinds of audit record.
const (
	EnvelopeSent      Kind = "envelope-sent"      // an envelope left this node
	EnvelopeReceived  Kind = "envelope-received"  // an envelope was accepted at the inbox
	ReceiptSent       Kind = "receipt-sent"       // this node signed a receipt
	ReceiptReceived   Kind = "receipt-received"   // a peer's receipt arrived
	Evidence          Kind = "evidence"           // an evidence (proof of delivery, of answer) was made or received
	DataRead          Kind = "data-read"          // a person read received personal data
	DataExport        Kind = "data-export"        // received personal data left the system (file, print)
	DataForward       Kind = "data-forward"       // received personal data was passed to a third party
	SignIn            Kind = "sign-in"            // a person signed in (or failed to)
	AdminChange       Kind = "admin-change"       // configuration, users, keys or directory changed
	InboxRejection    Kind = "inbox-rejection"    // the inbox refused an envelope
	Purge             Kind = "purge"              // expired personal data was removed
	ConditionAccepted Kind = "condition-accepted" // use conditions of a message were accepted
	Incident          Kind = "incident"           // a security incident was notified or received
	Notification      Kind = "notification"       // a person was notified (e-mail, webhook) and with what result
)

// Kinds lists the kinds Append accepts.
var Kinds = []Kind{
	EnvelopeSent, EnvelopeReceived, ReceiptSent, ReceiptReceived, Evidence,
	DataRead, DataExport, DataForward, SignIn, AdminChange, InboxRejection,
	Purge, ConditionAccepted, Incident, Notification,
}

// Record is one entry of the audit log. It names what happened and to
// which message or case, never the personal data itself: an envelope is
// recorded by its digest.
type Record struct {
	Kind Kind
	// Time is when it happened (UTC, kept to the microsecond).
	Time time.Time
	// Actor is who did it: a user id, "system", or a peer's authority id.
	Actor string
	// Case is the case reference, when there is one.
	Case string
	// MessageID is the envelope's message id, when there is one.
	MessageID string
	// Digest is "sha256:" and the hex SHA-256 of the envelope as sent or
	// received, when the record is about an envelope.
	Digest string
	// Purpose is the stated purpose of an access to personal data.
	Purpose string
	// Details are further facts as key/value pairs (counts, reasons, peer
	// ids). Never put personal data about a data subject here.
	Details map[string]string
}

// Limits of a record, so that a leaf stays small and readable.
const (
	MaxField   = 1024 // bytes in any one field value
	MaxDetails = 32   // number of details
)

// LeafHeader is the first line of a version 1 leaf.
const LeafHeader = "art35-audit-record v1"

var (
	kindRE      = regexp.MustCompile(`^[a-z][a-z0-9-]{0,63}$`)
	detailKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)
	digestRE    = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
)

// fieldNames are the leaf's fixed lines, in order.
var fieldNames = []string{"kind", "time", "actor", "case", "message", "digest", "purpose"}

func (r Record) fields() []string {
	return []string{string(r.Kind), store.FormatTime(r.Time), r.Actor, r.Case, r.MessageID, r.Digest, r.Purpose}
}

// checkText enforces the rule every value shares: valid UTF-8, no control
// characters (a newline would break the line format), at most MaxField
// bytes, no leading or trailing space (it would be invisible to a reader).
func checkText(field, v string) error {
	if len(v) > MaxField {
		return apperr.Errorf(apperr.EInvalid, "audit record %s: %d bytes, at most %d allowed; shorten it (record a reference, not the content)", field, len(v), MaxField)
	}
	if !utf8.ValidString(v) {
		return apperr.Errorf(apperr.EInvalid, "audit record %s: not valid UTF-8; give text", field)
	}
	for _, c := range v {
		if unicode.IsControl(c) {
			return apperr.Errorf(apperr.EInvalid, "audit record %s: contains control character %U; values are one line of text without tabs or newlines", field, c)
		}
	}
	if strings.TrimSpace(v) != v {
		return apperr.Errorf(apperr.EInvalid, "audit record %s: %q has leading or trailing space; trim it", field, v)
	}
	return nil
}

// checkSyntax checks what every leaf must satisfy to be encoded and decoded
// canonically. Validate adds the rules for new records.
func (r Record) checkSyntax() error {
	if !kindRE.MatchString(string(r.Kind)) {
		return apperr.Errorf(apperr.EInvalid, "audit record kind %q: must be lower-case letters, digits and '-', starting with a letter (e.g. %s)", r.Kind, DataRead)
	}
	if r.Time.IsZero() {
		return apperr.Errorf(apperr.EInvalid, "audit record time: missing; give when it happened")
	}
	if y := r.Time.UTC().Year(); y < 1970 || y > 9999 {
		return apperr.Errorf(apperr.EInvalid, "audit record time: year %d is out of range 1970-9999", y)
	}
	for i, v := range r.fields() {
		if err := checkText(fieldNames[i], v); err != nil {
			return err
		}
	}
	if r.Digest != "" && !digestRE.MatchString(r.Digest) {
		return apperr.Errorf(apperr.EInvalid, "audit record digest %q: must be \"sha256:\" and 64 lower-case hex digits (the envelope's SHA-256)", r.Digest)
	}
	if len(r.Details) > MaxDetails {
		return apperr.Errorf(apperr.EInvalid, "audit record details: %d entries, at most %d allowed", len(r.Details), MaxDetails)
	}
	for k, v := range r.Details {
		if !detailKeyRE.MatchString(k) {
			return apperr.Errorf(apperr.EInvalid, "audit record detail key %q: must be lower-case letters, digits, '_', '.' or '-', starting with a letter, at most 64 bytes", k)
		}
		if err := checkText("detail "+k, v); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks a new record: well-formed, a known kind, an actor, and
// the facts its kind requires (an envelope's id and digest; the case and
// purpose of every access to personal data, as Protocol Art. 14(8) asks).
func (r Record) Validate() error {
	if err := r.checkSyntax(); err != nil {
		return err
	}
	known := false
	for _, k := range Kinds {
		known = known || k == r.Kind
	}
	if !known {
		names := make([]string, len(Kinds))
		for i, k := range Kinds {
			names[i] = string(k)
		}
		return apperr.Errorf(apperr.EInvalid, "audit record kind %q: unknown; use one of %s", r.Kind, strings.Join(names, ", "))
	}
	if r.Actor == "" {
		return apperr.Errorf(apperr.EInvalid, "audit record actor: missing; every record names who acted (a user id, \"system\" or a peer authority)")
	}
	switch r.Kind {
	case EnvelopeSent, EnvelopeReceived, ReceiptSent, ReceiptReceived:
		if r.MessageID == "" || r.Digest == "" {
			return apperr.Errorf(apperr.EInvalid, "audit record %s: message id and digest are required (the envelope's id and sha256 digest)", r.Kind)
		}
	case DataRead, DataExport, DataForward:
		if r.Case == "" || r.Purpose == "" {
			return apperr.Errorf(apperr.EInvalid, "audit record %s: case and purpose are required for every access to personal data (Protocol Art. 14(8))", r.Kind)
		}
	}
	return nil
}

// Encode returns the record's canonical leaf bytes (version 1): the header
// line, then one "name: value" line per field in a fixed order (just
// "name:" when the value is empty), then "detail.KEY: value" lines sorted
// by key; every line ends in "\n". Time is UTC with microseconds. Equal
// records always give equal bytes, and Decode accepts only this form.
func (r Record) Encode() ([]byte, error) {
	if err := r.checkSyntax(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(LeafHeader + "\n")
	line := func(name, v string) {
		b.WriteString(name + ":")
		if v != "" {
			b.WriteString(" " + v)
		}
		b.WriteByte('\n')
	}
	for i, v := range r.fields() {
		line(fieldNames[i], v)
	}
	keys := make([]string, 0, len(r.Details))
	for k := range r.Details {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		line("detail."+k, r.Details[k])
	}
	return b.Bytes(), nil
}

// Decode parses leaf bytes made by Encode. It accepts only the canonical
// form, so that Encode(Decode(b)) == b and a changed byte never goes
// unnoticed as "the same record written differently".
func Decode(leaf []byte) (Record, error) {
	var r Record
	fail := func(line int, format string, args ...any) (Record, error) {
		return Record{}, apperr.Errorf(apperr.EInvalid, "audit leaf line %d: %s", line, fmt.Sprintf(format, args...))
	}
	if len(leaf) == 0 || leaf[len(leaf)-1] != '\n' {
		return fail(0, "a leaf must end with a newline")
	}
	lines := strings.Split(string(leaf[:len(leaf)-1]), "\n")
	if lines[0] != LeafHeader {
		return fail(1, "header %q, want %q (an unknown version or not an art35 audit record)", trunc(lines[0]), LeafHeader)
	}
	if len(lines) < 1+len(fieldNames) {
		return fail(len(lines), "only %d lines; a leaf has %d fixed lines", len(lines), 1+len(fieldNames))
	}
	value := func(n int, name string) (string, bool) {
		l := lines[n]
		rest, ok := strings.CutPrefix(l, name+":")
		if !ok {
			return "", false
		}
		if rest == "" {
			return "", true
		}
		v, ok := strings.CutPrefix(rest, " ")
		return v, ok && v != ""
	}
	vals := make([]string, len(fieldNames))
	for i, name := range fieldNames {
		v, ok := value(i+1, name)
		if !ok {
			return fail(i+2, "want %q followed by a space and the value (or nothing), got %q", name+":", trunc(lines[i+1]))
		}
		vals[i] = v
	}
	r.Kind, r.Actor, r.Case, r.MessageID, r.Digest, r.Purpose = Kind(vals[0]), vals[2], vals[3], vals[4], vals[5], vals[6]
	t, err := store.ParseTime(vals[1])
	if err != nil {
		return fail(3, "time %q must be UTC like 2026-11-25T03:00:00.000000Z", trunc(vals[1]))
	}
	r.Time = t
	prev := ""
	for n := 1 + len(fieldNames); n < len(lines); n++ {
		l := lines[n]
		rest, ok := strings.CutPrefix(l, "detail.")
		key, _, found := strings.Cut(rest, ":")
		if !ok || !found {
			return fail(n+1, "want a \"detail.KEY: value\" line, got %q", trunc(l))
		}
		if key <= prev {
			return fail(n+1, "detail %q is out of order or repeated; details are sorted by key", trunc(key))
		}
		v, ok := value(n, "detail."+key)
		if !ok {
			return fail(n+1, "detail %q: want one space between ':' and the value", trunc(key))
		}
		if r.Details == nil {
			r.Details = map[string]string{}
		}
		r.Details[key] = v
		prev = key
	}
	if err := r.checkSyntax(); err != nil {
		return Record{}, err
	}
	// The last guard: anything Encode would write differently (for example
	// a time with a different spelling that parses to the same instant) is
	// not canonical.
	again, err := r.Encode()
	if err != nil || !bytes.Equal(again, leaf) {
		return Record{}, apperr.Errorf(apperr.EInvalid, "audit leaf is not in canonical form")
	}
	return r, nil
}

func trunc(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
