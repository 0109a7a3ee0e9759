package request

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
)

//go:embed templates/letter.html
var letterFS embed.FS

var letterTmpl = template.Must(template.New("letter.html").ParseFS(letterFS, "templates/letter.html"))

// LetterOptions controls the letter.
type LetterOptions struct {
	// Now is the date printed when the request has no creation date.
	Now time.Time
	// ForProvider prints the letter as the provider may see it: for a
	// production order, the supporting information is left out unless the
	// issuer consented (Protocol Art. 8(3)(b)).
	ForProvider bool
	// Language prints the letter in this language (a catalogue in
	// letters/) instead of the request's own language; English when no
	// catalogue exists for either.
	Language string
	// Exercise, when set, is the id of the exercise the request belongs
	// to (or any mark of a drill of no named exercise): the letter carries
	// an EXERCISE banner at its top and bottom, printed too.
	Exercise string
}

// LetterTitle is the title of the formal letter for type t in language
// lang, after the Council of Europe T-CY templates (2018) where one exists.
func LetterTitle(t Type, lang string) string { return letterLanguage(lang).T("title." + string(t)) }

// Row is a label and a value of the letter, possibly with sub-rows.
type letterRow struct {
	Index    bool // a list position: printed narrow
	Label    string
	Value    string
	Children []letterRow
}

type letterData struct {
	L          *Catalogue // the letter's language
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
	Exercise   string // the banner's text, "" for real work
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
	lang := o.Language
	if lang == "" {
		lang = r.Language
	}
	c := letterLanguage(lang)
	d := letterData{L: c, Title: c.T("title." + string(r.Type)), Request: r, Status: c.T("letter.status.new")}
	created := r.CreatedAt.T
	if !r.CreatedAt.Valid() {
		created = o.Now
	}
	d.Date = showTime(created, zone)
	if p := r.Preserve; p != nil && p.Status == "extension" {
		d.Status = c.T("letter.status.extension", "ref", p.ExtendsRef)
	}
	d.Requesting = authorityRows(c, r.Requesting)
	d.Requested = authorityRows(c, r.Requested)
	if p := r.Preserve; p != nil && p.ConfirmationContact != nil {
		d.Confirm = contactRows(c, *p.ConfirmationContact)
	} else if r.Requesting.Contact != nil {
		d.Confirm = contactRows(c, *r.Requesting.Contact)
	}
	d.Header = []letterRow{
		{Label: c.T("header.priority"), Value: c.T("priority." + string(r.Priority))},
		{Label: c.T("header.legal_basis"), Value: c.LegalBasisWords(r)},
		{Label: c.T("header.handling"), Value: handlingText(c, r.Handling)},
		{Label: c.T("header.language"), Value: r.Language},
	}
	if r.Translation != nil {
		d.Header = append(d.Header, letterRow{Label: c.T("header.translation"), Value: r.Translation.Language + ": " + r.Translation.Filename})
	}
	if content := r.Content(); content != nil {
		v := reflect.ValueOf(content).Elem()
		if r.Type == TypeProductionOrder && o.ForProvider && r.ProductionOrder.Consent == nil {
			d.Content = structRows(c, v.FieldByName("Order"), zone)
			d.Withheld = c.T("letter.withheld")
		} else {
			d.Content = structRows(c, v, zone)
		}
	}
	d.Links = r.Links
	if o.Exercise != "" {
		d.Exercise = c.T("letter.exercise", "id", o.Exercise)
	}
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

func handlingText(c *Catalogue, h Handling) string {
	s := string(h.Code) + ": " + c.T("handling."+string(h.Code))
	if len(h.Conditions) > 0 {
		s += ". " + c.T("handling.conditions") + ": " + strings.Join(h.Conditions, "; ")
	}
	return s
}

func authorityRows(c *Catalogue, a Authority) []letterRow {
	rows := []letterRow{{Label: c.T("authority.party"), Value: a.Party}, {Label: c.T("authority.name"), Value: a.Name}}
	add := func(l, v string) {
		if v != "" {
			rows = append(rows, letterRow{Label: l, Value: v})
		}
	}
	add(c.T("authority.kind"), a.Kind)
	add(c.T("authority.address"), a.Address)
	add(c.T("authority.office_hours"), a.OfficeHours)
	add(c.T("authority.time_zone"), a.TimeZone)
	if a.Contact != nil {
		rows = append(rows, letterRow{Label: c.T("authority.contact"), Children: contactRows(c, *a.Contact)})
	}
	return rows
}

func contactRows(c *Catalogue, ct Contact) []letterRow {
	rows := []letterRow{{Label: c.T("contact.name"), Value: ct.Name}, {Label: c.T("contact.phone"), Value: ct.Phone}}
	if ct.Email != "" {
		rows = append(rows, letterRow{Label: c.T("contact.email"), Value: ct.Email})
	}
	return rows
}

// structRows turns a content struct into labelled rows, using the `doc`
// tags as labels, so every type prints without a template of its own.
func structRows(c *Catalogue, v reflect.Value, zone *time.Location) []letterRow {
	var rows []letterRow
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		fv := v.Field(i)
		if !f.IsExported() || isEmpty(fv) {
			continue
		}
		rows = append(rows, valueRow(c, letterLabel(c, f), fv, zone))
	}
	return rows
}

// letterLabel is a field's label in the letter: the catalogue's
// "field.<json name>" (the T-CY 2018 template's wording for Arts. 29, 30
// and 31), else its `label` tag, else its `doc` description without the
// parenthetical hints meant for whoever fills in the form; followed by the
// article paragraph the field answers, read from its `rule` tag
// ("art29-2-b-offence" -> "[Art. 29(2)(b)]").
func letterLabel(c *Catalogue, f reflect.StructField) string {
	ref := ruleRef(f.Tag.Get("rule"))
	// A section of a form (the EU certificates' Annex sections) has a key
	// of its own: the same JSON name means different sections in two forms.
	if k := f.Tag.Get("i18n"); k != "" && c.has("section."+k) {
		return c.T("section." + k)
	}
	if c.has("field." + JSONName(f)) {
		return c.T("field."+JSONName(f)) + ref
	}
	label := f.Tag.Get("label")
	if label == "" {
		label, _, _ = strings.Cut(f.Tag.Get("doc"), " (")
	}
	if label == "" {
		label = JSONName(f)
	}
	return strings.ToUpper(label[:1]) + label[1:] + ref
}

var reRuleRef = regexp.MustCompile(`^art(29|30|31)(?:-(\d+)-([a-z]))?(?:-|$)`)

// ruleRef turns a field's rule id into the paragraph of the Convention it
// answers, for the Art. 29, 30 and 31 letters (T-CY templates 2018).
func ruleRef(rule string) string {
	m := reRuleRef.FindStringSubmatch(rule)
	if m == nil {
		return ""
	}
	if m[2] != "" {
		return fmt.Sprintf(" [Art. %s(%s)(%s)]", m[1], m[2], m[3])
	}
	return " [Art. " + m[1] + "]"
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

func valueRow(c *Catalogue, label string, fv reflect.Value, zone *time.Location) letterRow {
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
			return letterRow{Label: label, Value: yesNo(c, fv.Elem().Bool())}
		}
		return valueRow(c, label, fv.Elem(), zone)
	case reflect.Bool:
		return letterRow{Label: label, Value: yesNo(c, fv.Bool())}
	case reflect.Struct:
		return letterRow{Label: label, Children: structRows(c, fv, zone)}
	case reflect.Slice:
		row := letterRow{Label: label}
		for j := range fv.Len() {
			item := valueRow(c, fmt.Sprintf("%d", j+1), fv.Index(j), zone)
			item.Index = true
			row.Children = append(row.Children, item)
		}
		return row
	case reflect.Int:
		return letterRow{Label: label, Value: fmt.Sprint(fv.Int())}
	}
	return letterRow{Label: label, Value: fv.String()}
}

func yesNo(c *Catalogue, b bool) string {
	if b {
		return c.T("yes")
	}
	return c.T("no")
}
