package request

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // time zones are data the legal clocks depend on: embed them, never trust the host
)

// Severity of a problem: an error blocks sending, a warning is shown.
type Severity string

// Severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Problem is one thing wrong with a request.
type Problem struct {
	Field    string   `json:"field"`    // JSON path, e.g. preserve.data[0].identifiers[1].value
	Rule     string   `json:"rule"`     // rule id, a key of Rules
	Message  string   `json:"message"`  // "Source: requirement", plus what was found
	Severity Severity `json:"severity"` // error or warning
}

func (p Problem) String() string {
	return fmt.Sprintf("%s: %s [%s] %s", p.Severity, p.Field, p.Rule, p.Message)
}

// HasErrors reports whether any problem is an error.
func HasErrors(ps []Problem) bool {
	return slices.ContainsFunc(ps, func(p Problem) bool { return p.Severity == SeverityError })
}

// MaxClockSkew is how far in the future a time may lie before it is
// refused: clocks of two agencies disagree by seconds, not by hours, and a
// time hours ahead is almost always a local time written as UTC.
const MaxClockSkew = 5 * time.Minute

var (
	idRe       = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	partyRe    = regexp.MustCompile(`^[A-Z]{2}$`)
	languageRe = regexp.MustCompile(`^[a-z]{2,3}(-[A-Z]{2})?$`)
	labelRe    = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
)

// Validate checks r against the checklist of its type and returns every
// problem at once, errors and warnings, in the order of the document. now
// is the time the check is made (future times are judged against it).
func Validate(r *Request, now time.Time) []Problem {
	v := &validator{now: now.UTC()}
	if r == nil {
		v.add("", "content-missing", SeverityError, "")
		return v.ps
	}
	rv := reflect.ValueOf(r).Elem()
	v.walk(rv, "", false)
	v.content(r, rv)
	v.extra(r, rv)
	v.specific(r)
	return v.ps
}

type validator struct {
	now time.Time
	ps  []Problem
}

func (v *validator) add(field, rule string, sev Severity, found string) {
	msg := Rules[rule].Message()
	if found != "" {
		msg += " (" + found + ")"
	}
	v.ps = append(v.ps, Problem{Field: field, Rule: rule, Message: msg, Severity: sev})
}

var timestampType = reflect.TypeFor[Timestamp]()

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// JSONName is a field's name in the JSON form: the name in its json tag,
// or its Go name.
func JSONName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" {
		name = f.Name
	}
	return name
}

// ContentTag reads a field's content tag (`content:"type"` or
// `content:"type,optional"`): the request type whose content the field
// holds and whether that content may be left out; ok is false for a field
// that holds no content. The forms, schema, template and checks all read
// Request's content fields through it.
func ContentTag(f reflect.StructField) (t Type, optional, ok bool) {
	tag, ok := f.Tag.Lookup("content")
	if !ok {
		return "", false, false
	}
	name, opt, _ := strings.Cut(tag, ",")
	return Type(name), opt == "optional", true
}

// isEmpty decides whether a required field was left out.
func isEmpty(fv reflect.Value) bool {
	if fv.Type() == timestampType {
		return fv.Interface().(Timestamp).IsZero()
	}
	switch fv.Kind() {
	case reflect.String:
		return strings.TrimSpace(fv.String()) == ""
	case reflect.Pointer, reflect.Interface:
		return fv.IsNil()
	case reflect.Slice, reflect.Map:
		return fv.Len() == 0
	}
	return fv.IsZero()
}

// walk checks the tag-driven rules of a struct and recurses into what is
// present. The content pointers are skipped: content() handles them.
func (v *validator) walk(sv reflect.Value, path string, futureOK bool) {
	st := sv.Type()
	for i := range st.NumField() {
		f := st.Field(i)
		if !f.IsExported() || f.Tag.Get("json") == "-" {
			continue
		}
		if _, _, isContent := ContentTag(f); isContent && path == "" {
			continue
		}
		fv := sv.Field(i)
		fp := join(path, JSONName(f))
		rule := f.Tag.Get("rule")
		if isEmpty(fv) {
			if rule != "" {
				v.add(fp, rule, SeverityError, "")
			}
			continue
		}
		if f.Tag.Get("const") == "true" && fv.Kind() == reflect.Pointer && fv.Elem().Kind() == reflect.Bool && !fv.Elem().Bool() {
			v.add(fp, rule, SeverityError, "it is false; the statement must be made, set it to true")
		}
		if enum := f.Tag.Get("enum"); enum != "" && fv.Kind() == reflect.String {
			allowed := strings.Split(enum, ",")
			if !slices.Contains(allowed, fv.String()) {
				v.add(fp, "enum", SeverityError, fmt.Sprintf("got %q; use one of %s", fv.String(), strings.Join(allowed, ", ")))
			}
		}
		v.value(fv, fp, futureOK || f.Tag.Get("future") == "ok" || st == reflect.TypeFor[Period]())
	}
}

func (v *validator) value(fv reflect.Value, fp string, futureOK bool) {
	if fv.Type() == timestampType {
		v.timestamp(fv.Interface().(Timestamp), fp, futureOK)
		return
	}
	switch fv.Kind() {
	case reflect.Struct:
		v.walk(fv, fp, futureOK)
	case reflect.Pointer:
		if !fv.IsNil() && fv.Elem().Kind() == reflect.Struct {
			v.walk(fv.Elem(), fp, futureOK)
		}
	case reflect.Slice:
		for j := range fv.Len() {
			ev := fv.Index(j)
			ep := fmt.Sprintf("%s[%d]", fp, j)
			if ev.Kind() == reflect.String && strings.TrimSpace(ev.String()) == "" {
				v.add(ep, "list-entry-empty", SeverityError, "")
				continue
			}
			v.value(ev, ep, futureOK)
		}
	}
}

func (v *validator) timestamp(ts Timestamp, fp string, futureOK bool) {
	if ts.IsZero() {
		return
	}
	if !ts.Valid() {
		rule := ts.bad
		if rule == "" {
			rule = "time-syntax"
		}
		v.add(fp, rule, SeverityError, fmt.Sprintf("got %q", ts.Raw))
		return
	}
	if !futureOK && ts.T.After(v.now.Add(MaxClockSkew)) {
		v.add(fp, "time-future", SeverityError, fmt.Sprintf("%s is %s after now (%s)", ts.T.Format(time.RFC3339), ts.T.Sub(v.now).Round(time.Second), v.now.Format(time.RFC3339)))
	}
}

// content checks that the request carries the content of its type and no
// other.
func (v *validator) content(r *Request, rv reflect.Value) {
	st := rv.Type()
	for i := range st.NumField() {
		f := st.Field(i)
		name, optional, ok := ContentTag(f)
		if !ok {
			continue
		}
		fv := rv.Field(i)
		fp := JSONName(f)
		switch {
		case name == r.Type && fv.IsNil():
			if !optional {
				v.add(fp, "content-missing", SeverityError, fmt.Sprintf("a %s request needs a %q object", r.Type, fp))
			}
		case name == r.Type && fv.Elem().IsZero() && !optional:
			v.add(fp, "content-missing", SeverityError, fmt.Sprintf("the %q object is empty", fp))
		case name == r.Type:
			v.walk(fv.Elem(), fp, false)
		case !fv.IsNil():
			v.add(fp, "content-mismatch", SeverityError, fmt.Sprintf("%q belongs to %s requests, this one is %q", fp, name, r.Type))
		}
	}
}

// lookup resolves a dotted JSON path from the request root. ok is false
// when a parent is missing (that parent is then reported on its own).
func lookup(rv reflect.Value, path string) (reflect.Value, bool) {
	cur := rv
	for name := range strings.SplitSeq(path, ".") {
		for cur.Kind() == reflect.Pointer {
			if cur.IsNil() {
				return reflect.Value{}, false
			}
			cur = cur.Elem()
		}
		if cur.Kind() != reflect.Struct {
			return reflect.Value{}, false
		}
		found := false
		for i := range cur.NumField() {
			if JSONName(cur.Type().Field(i)) == name {
				cur, found = cur.Field(i), true
				break
			}
		}
		if !found {
			return reflect.Value{}, false
		}
	}
	return cur, true
}

func (v *validator) extra(r *Request, rv reflect.Value) {
	for _, req := range typeRequires[r.Type] {
		fv, ok := lookup(rv, req.Path)
		if ok && isEmpty(fv) {
			v.add(req.Path, req.Rule, SeverityError, "")
		}
	}
}

// specific holds the checks that depend on values, not only on presence.
func (v *validator) specific(r *Request) {
	if r.ID != "" && !idRe.MatchString(r.ID) {
		v.add("id", "common-id", SeverityError, fmt.Sprintf("got %q", r.ID))
	}
	if r.Type != "" && !r.Type.Valid() {
		v.add("type", "common-type", SeverityError, fmt.Sprintf("got %q", r.Type))
	}
	v.authority(r.Requesting, "requesting")
	v.authority(r.Requested, "requested")
	if r.Requesting.Party != "" && r.Requesting.Party == r.Requested.Party {
		v.add("requested.party", "same-party", SeverityError, "both are "+r.Requesting.Party)
	}
	if r.Language != "" && !languageRe.MatchString(r.Language) {
		v.add("language", "language-code", SeverityError, fmt.Sprintf("got %q", r.Language))
	}
	if r.Translation != nil && r.Translation.Language != "" && !languageRe.MatchString(r.Translation.Language) {
		v.add("translation.language", "language-code", SeverityError, fmt.Sprintf("got %q", r.Translation.Language))
	}
	if r.Handling.Code == H3 && len(r.Handling.Conditions) == 0 {
		v.add("handling.conditions", "handling-h3", SeverityError, "")
	}
	for i, l := range r.Links {
		if l.ID != "" && l.ID == r.ID {
			v.add(fmt.Sprintf("links[%d].id", i), "link-self", SeverityError, "")
		}
	}
	if r.Type.Valid() && r.LegalBasis.Instrument != "" && r.LegalBasis.Instrument != InstrumentBilateral {
		if _, ok := ProvisionFor(r.LegalBasis.Instrument, r.Type); !ok {
			v.add("legal_basis.instrument", "basis-for-type", SeverityError, fmt.Sprintf("%s does not provide for %s; %s", r.LegalBasis.Instrument, r.Type, instrumentsFor(r.Type)))
		}
	}
	if (r.Type == TypeEmergencyDisclosure || r.Type == TypeEmergencyMLA) && r.Priority != "" && r.Priority != PriorityEmergency {
		v.add("priority", "priority-for-type", SeverityError, fmt.Sprintf("got %q", r.Priority))
	}
	v.contacts(r)
	v.identifiers(r)
	v.typeSpecific(r)
	v.euChecks(r)
}

func instrumentsFor(t Type) string {
	var names []string
	for _, p := range Provisions {
		if p.Type == t {
			names = append(names, string(p.Instrument))
		}
	}
	if len(names) == 0 {
		return "use a bilateral treaty"
	}
	return "use " + strings.Join(names, ", ") + " or bilateral"
}

func (v *validator) authority(a Authority, path string) {
	if a.Party != "" && !partyRe.MatchString(a.Party) {
		v.add(path+".party", "party-code", SeverityError, fmt.Sprintf("got %q", a.Party))
	}
	if a.TimeZone != "" {
		if _, err := loadZone(a.TimeZone); err != nil || a.TimeZone == "Local" {
			v.add(path+".time_zone", "time-zone-name", SeverityError, fmt.Sprintf("got %q", a.TimeZone))
		}
	}
}

// contacts checks that every contact person can be reached.
func (v *validator) contacts(r *Request) {
	check := func(c *Contact, path string) {
		if c != nil && c.Email != "" && !emailOK(c.Email) {
			v.add(path+".email", "email-syntax", SeverityError, fmt.Sprintf("got %q", c.Email))
		}
	}
	check(r.Requesting.Contact, "requesting.contact")
	check(r.Requested.Contact, "requested.contact")
	if r.Preserve != nil {
		check(r.Preserve.ConfirmationContact, "preserve.confirmation_contact")
	}
	if r.SubscriberDirect != nil {
		check(r.SubscriberDirect.ReplyContact, "subscriber_direct.reply_contact")
	}
	if r.ProductionOrder != nil {
		check(r.ProductionOrder.Supporting.ReplyContact, "production_order.supporting.reply_contact")
	}
}

// identifierLists returns every identifier list of r with its JSON path.
func identifierLists(r *Request) map[string][]Identifier {
	m := map[string][]Identifier{}
	data := func(path string, items []DataItem) {
		for i, d := range items {
			m[fmt.Sprintf("%s[%d].identifiers", path, i)] = d.Identifiers
		}
	}
	if p := r.Preserve; p != nil {
		data("preserve.data", p.Data)
	}
	if p := r.TrafficPath; p != nil {
		ids := make([]Identifier, len(p.Identifiers))
		for i, id := range p.Identifiers {
			ids[i] = id.Identifier()
		}
		m["traffic_path.identifiers"] = ids
	}
	if p := r.RealtimeTraffic; p != nil {
		m["realtime_traffic.communications"] = p.Communications
	}
	if p := r.Interception; p != nil {
		m["interception.communications"] = p.Communications
	}
	if p := r.EmergencyDisclosure; p != nil {
		data("emergency_disclosure.data", p.Data)
	}
	if p := r.EmergencyMLA; p != nil {
		data("emergency_mla.data", p.Data)
	}
	if p := r.SubscriberDirect; p != nil {
		m["subscriber_direct.identifiers"] = p.Identifiers
	}
	if p := r.ProductionOrder; p != nil {
		m["production_order.order.identifiers"] = p.Order.Identifiers
	}
	euIdentifierLists(r, m)
	return m
}

func (v *validator) identifiers(r *Request) {
	lists := identifierLists(r)
	paths := make([]string, 0, len(lists))
	for p := range lists {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, path := range paths {
		for i, id := range lists[path] {
			v.identifier(id, fmt.Sprintf("%s[%d]", path, i), r.Type)
		}
	}
}

func (v *validator) identifier(id Identifier, path string, t Type) {
	if id.Port < 0 || id.Port > 65535 {
		v.add(path+".port", "port-range", SeverityError, fmt.Sprintf("got %d", id.Port))
	}
	live := t == TypeRealtimeTraffic || t == TypeInterception
	switch id.Kind {
	case IdentIP:
		if id.Value == "" {
			return
		}
		_, reason, err := CheckPublicIP(strings.TrimSpace(id.Value))
		switch {
		case err != nil:
			v.add(path+".value", "ip-syntax", SeverityError, err.Error())
		case reason != "":
			v.add(path+".value", "ip-public", SeverityError, reason)
		}
		// A live watch names the communications to follow, not one past
		// connection, so it needs neither a time nor a port. A
		// traffic-path identifier's time is a required field of its own.
		if !live && t != TypeTrafficPath {
			if id.Time.IsZero() {
				v.add(path+".time", "ip-time", SeverityError, "")
			}
			if id.Port == 0 {
				v.add(path+".port", "ip-port", SeverityWarning, "")
			}
		}
	case IdentDomain:
		if id.Value != "" && !domainOK(id.Value) {
			v.add(path+".value", "domain-syntax", SeverityError, fmt.Sprintf("got %q", id.Value))
		}
	case IdentEmail:
		if id.Value != "" && !emailOK(id.Value) {
			v.add(path+".value", "email-syntax", SeverityError, fmt.Sprintf("got %q", id.Value))
		}
	}
	if t == TypeTrafficPath && id.Kind == IdentIP && id.Port == 0 {
		v.add(path+".port", "ip-port", SeverityWarning, "")
	}
}

func (v *validator) typeSpecific(r *Request) {
	if p := r.Preserve; p != nil && p.Status == "extension" && strings.TrimSpace(p.ExtendsRef) == "" {
		v.add("preserve.extends_ref", "tcy-extension-ref", SeverityError, "")
	}
	if p := r.TrafficPath; p != nil && p.Provider.Country != "" && !partyRe.MatchString(p.Provider.Country) {
		v.add("traffic_path.provider.country", "party-code", SeverityError, fmt.Sprintf("got %q", p.Provider.Country))
	}
	period := func(p Period, path string) {
		if p.From.Valid() && p.To.Valid() && !p.To.T.After(p.From.T) {
			v.add(path, "period-order", SeverityError, fmt.Sprintf("%s to %s", p.From, p.To))
		}
	}
	if p := r.RealtimeTraffic; p != nil {
		period(p.Period, "realtime_traffic.period")
	}
	if p := r.Interception; p != nil {
		period(p.Period, "interception.period")
	}
	if p := r.SubscriberDirect; p != nil && p.PreservationSought != nil && *p.PreservationSought && strings.TrimSpace(p.PreservationRef) == "" {
		v.add("subscriber_direct.preservation_ref", "p7-4-e-ref", SeverityError, "")
	}
	if p := r.ProductionOrder; p != nil {
		s := p.Supporting
		if s.PreservationSought != nil && *s.PreservationSought && strings.TrimSpace(s.PreservationRef) == "" {
			v.add("production_order.supporting.preservation_ref", "p8-4-preservation-ref", SeverityError, "")
		}
	}
	if p := r.DomainRegistration; p != nil && p.Domain != "" && !domainOK(p.Domain) {
		v.add("domain_registration.domain", "domain-syntax", SeverityError, fmt.Sprintf("got %q", p.Domain))
	}
}

func domainOK(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !labelRe.MatchString(l) {
			return false
		}
	}
	return true
}

func emailOK(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && !strings.ContainsAny(local, " \t<>") && domainOK(domain)
}
