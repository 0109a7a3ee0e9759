package request

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
)

//go:embed templates/letter.html
var letterFS embed.FS

var letterTmpl = template.Must(template.New("letter.html").ParseFS(letterFS, "templates/letter.html"))

// Titles of the formal letters, after the Council of Europe T-CY templates
// (2018) where one exists.
var letterTitles = map[Type]string{
	TypePreserve:            "Request for the expedited preservation of stored computer data (Article 29, Budapest Convention)",
	TypeTrafficPath:         "Expedited disclosure of preserved traffic data (Article 30, Budapest Convention)",
	TypeMLAFollowup:         "Notice of a request for mutual assistance following a preservation (Articles 29(2)(f) and 31, Budapest Convention)",
	TypeRealtimeTraffic:     "Request for real-time collection of traffic data (Article 33, Budapest Convention)",
	TypeInterception:        "Request for interception of content data (Article 34, Budapest Convention)",
	TypeEmergencyDisclosure: "Emergency request for the expedited disclosure of stored computer data (Article 9, Second Additional Protocol)",
	TypeEmergencyMLA:        "Emergency mutual assistance request (Article 10, Second Additional Protocol)",
	TypeSubscriberDirect:    "Order for the disclosure of subscriber information (Article 7, Second Additional Protocol)",
	TypeProductionOrder:     "Request to give effect to an order for subscriber information or traffic data (Article 8, Second Additional Protocol)",
	TypeDomainRegistration:  "Request for domain name registration information (Article 6, Second Additional Protocol)",
	TypeSpontaneousInfo:     "Spontaneous information (Article 26, Budapest Convention)",
	TypeAssistance:          "Request for assistance (Article 35(1), Budapest Convention)",
	TypePing:                "Contact point test (24/7 network practice)",
}

// LetterOptions controls the letter.
type LetterOptions struct {
	// Now is the date printed when the request has no creation date.
	Now time.Time
	// ForProvider prints the letter as the provider may see it: for a
	// production order, the supporting information is left out unless the
	// issuer consented (Protocol Art. 8(3)(b)).
	ForProvider bool
}

// Row is a label and a value of the letter, possibly with sub-rows.
type letterRow struct {
	Index    bool // a list position: printed narrow
	Label    string
	Value    string
	Children []letterRow
}

type letterData struct {
	Title      string
	Request    *Request
	Date       string
	Status     string
	Requesting []letterRow
	Requested  []letterRow
	Confirm    []letterRow
	Header     []letterRow
	Content    []letterRow
	Links      []Link
	Withheld   string
}

// RenderLetter writes r as a print-ready HTML letter laid out like the
// Council of Europe 2018 templates: date, reference, new or extension, the
// requesting and requested authorities with office hours and time zone, a
// contact for confirmation, then the content of the request. Times are
// shown in UTC and in the requesting authority's zone.
func RenderLetter(w io.Writer, r *Request, o LetterOptions) error {
	if r == nil || !r.Type.Valid() {
		return apperr.Errorf(apperr.EInvalid, "cannot print a letter for a request without a valid type")
	}
	zone := zoneOf(r.Requesting.TimeZone)
	d := letterData{Title: letterTitles[r.Type], Request: r, Status: "New request"}
	created := r.CreatedAt.T
	if !r.CreatedAt.Valid() {
		created = o.Now
	}
	d.Date = showTime(created, zone)
	if p := r.Preserve; p != nil && p.Status == "extension" {
		d.Status = "Extension of request " + p.ExtendsRef
	}
	d.Requesting = authorityRows(r.Requesting)
	d.Requested = authorityRows(r.Requested)
	if p := r.Preserve; p != nil && p.ConfirmationContact != nil {
		d.Confirm = contactRows(*p.ConfirmationContact)
	} else if r.Requesting.Contact != nil {
		d.Confirm = contactRows(*r.Requesting.Contact)
	}
	basis := string(r.LegalBasis.Instrument)
	if r.LegalBasis.Article != "" {
		basis += ", " + r.LegalBasis.Article
	} else if p, ok := ProvisionFor(r.LegalBasis.Instrument, r.Type); ok {
		basis += ", " + p.Article
	}
	if r.LegalBasis.Text != "" {
		basis += " (" + r.LegalBasis.Text + ")"
	}
	d.Header = []letterRow{
		{Label: "Priority", Value: string(r.Priority)},
		{Label: "Legal basis", Value: basis},
		{Label: "Handling code", Value: handlingText(r.Handling)},
		{Label: "Language", Value: r.Language},
	}
	if r.Translation != nil {
		d.Header = append(d.Header, letterRow{Label: "Translation attached", Value: r.Translation.Language + ": " + r.Translation.Filename})
	}
	if c := r.Content(); c != nil {
		v := reflect.ValueOf(c).Elem()
		if r.Type == TypeProductionOrder && o.ForProvider && r.ProductionOrder.Consent == nil {
			d.Content = structRows(v.FieldByName("Order"), zone)
			d.Withheld = "The supporting information of this order is not shown to the provider: the issuing authority has not consented (Protocol Art. 8(3)(b))."
		} else {
			d.Content = structRows(v, zone)
		}
	}
	d.Links = r.Links
	return letterTmpl.Execute(w, d)
}

func zoneOf(name string) *time.Location {
	if name == "" {
		return nil
	}
	loc, err := loadZone(name)
	if err != nil {
		return nil
	}
	return loc
}

// showTime prints an instant in UTC and, when known, in the sender's zone.
func showTime(t time.Time, zone *time.Location) string {
	s := t.UTC().Format("2 January 2006, 15:04:05 UTC")
	if zone != nil && zone != time.UTC {
		s += " (" + t.In(zone).Format("15:04:05 MST, 2 January") + " " + zone.String() + ")"
	}
	return s
}

func handlingText(h Handling) string {
	meaning := map[HandlingCode]string{
		H0: "use only for preventing and fighting crime",
		H1: "not for use in judicial proceedings without the sender's permission",
		H2: "not to be passed on without the sender's permission",
		H3: "other conditions, stated below",
	}
	s := string(h.Code) + ": " + meaning[h.Code]
	if len(h.Conditions) > 0 {
		s += ". Conditions: " + strings.Join(h.Conditions, "; ")
	}
	return s
}

func authorityRows(a Authority) []letterRow {
	rows := []letterRow{{Label: "Party", Value: a.Party}, {Label: "Authority", Value: a.Name}}
	add := func(l, v string) {
		if v != "" {
			rows = append(rows, letterRow{Label: l, Value: v})
		}
	}
	add("Kind", a.Kind)
	add("Address", a.Address)
	add("Office hours", a.OfficeHours)
	add("Time zone", a.TimeZone)
	if a.Contact != nil {
		rows = append(rows, letterRow{Label: "Contact", Children: contactRows(*a.Contact)})
	}
	return rows
}

func contactRows(c Contact) []letterRow {
	rows := []letterRow{{Label: "Name", Value: c.Name}, {Label: "Phone", Value: c.Phone}}
	if c.Email != "" {
		rows = append(rows, letterRow{Label: "E-mail", Value: c.Email})
	}
	return rows
}

// structRows turns a content struct into labelled rows, using the `doc`
// tags as labels, so every type prints without a template of its own.
func structRows(v reflect.Value, zone *time.Location) []letterRow {
	var rows []letterRow
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		fv := v.Field(i)
		if !f.IsExported() || isEmpty(fv) {
			continue
		}
		rows = append(rows, valueRow(letterLabel(f), fv, zone))
	}
	return rows
}

// letterLabel is a field's label in the letter: its `label` tag, else its
// `doc` description without the parenthetical hints meant for whoever
// fills in the form.
func letterLabel(f reflect.StructField) string {
	label := f.Tag.Get("label")
	if label == "" {
		label, _, _ = strings.Cut(f.Tag.Get("doc"), " (")
	}
	if label == "" {
		label = jsonName(f)
	}
	return strings.ToUpper(label[:1]) + label[1:]
}

// identifierLine prints an identifier on one line, as an officer would
// read it out: kind, value, port, time to the second in UTC.
func identifierLine(id Identifier) string {
	s := id.Kind + " " + id.Value
	if id.Port != 0 {
		s += fmt.Sprintf(", source port %d", id.Port)
	}
	if id.Time.Valid() {
		s += ", at " + id.Time.T.Format("2006-01-02 15:04:05 UTC")
	}
	return s
}

func valueRow(label string, fv reflect.Value, zone *time.Location) letterRow {
	switch x := fv.Interface().(type) {
	case Identifier:
		return letterRow{Label: label, Value: identifierLine(x)}
	case PathIdentifier:
		return letterRow{Label: label, Value: identifierLine(x.Identifier())}
	}
	if fv.Type() == timestampType {
		ts := fv.Interface().(Timestamp)
		return letterRow{Label: label, Value: showTime(ts.T, zone)}
	}
	switch fv.Kind() {
	case reflect.Pointer:
		if fv.Elem().Kind() == reflect.Bool {
			return letterRow{Label: label, Value: yesNo(fv.Elem().Bool())}
		}
		return valueRow(label, fv.Elem(), zone)
	case reflect.Bool:
		return letterRow{Label: label, Value: yesNo(fv.Bool())}
	case reflect.Struct:
		return letterRow{Label: label, Children: structRows(fv, zone)}
	case reflect.Slice:
		row := letterRow{Label: label}
		for j := range fv.Len() {
			item := valueRow(fmt.Sprintf("%d", j+1), fv.Index(j), zone)
			item.Index = true
			row.Children = append(row.Children, item)
		}
		return row
	case reflect.Int:
		return letterRow{Label: label, Value: fmt.Sprint(fv.Int())}
	}
	return letterRow{Label: label, Value: fv.String()}
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}
