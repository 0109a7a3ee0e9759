package web

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/web/i18n"
)

// What a request asks, in plain words, for the request view: the
// receiving officer must see the IP address, the time, the provider, the
// offence, the facts and whom to call back without opening the formal
// letter. Identifiers come first, each with its time, ready to copy.

// askedIdent is one identifier to look up.
type askedIdent struct {
	Kind, Value string
	Port        int
	Time        time.Time
	Context     string // the data item it belongs to, in words
}

// askedItem is one field of the request: a label and its value in words.
// Time is set instead of Value for date-times (shown in three zones).
type askedItem struct {
	Label string
	Value string
	Time  time.Time
	Long  bool // free text: shown as a paragraph
}

// asked is the "what is asked" part of the request view.
type asked struct {
	Section     string // "Preservation request"
	Identifiers []askedIdent
	Items       []askedItem
}

var (
	identType     = reflect.TypeFor[request.Identifier]()
	pathIdentType = reflect.TypeFor[request.PathIdentifier]()
)

// askedOf reads the content of a request (the part its type carries).
func askedOf(lang string, r *request.Request) asked {
	a := asked{Section: word(lang, "type", string(r.Type))}
	v := reflect.ValueOf(r).Elem()
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if ct, _, ok := request.ContentTag(f); !ok || ct != r.Type || v.Field(i).IsNil() {
			continue
		}
		walkAsked(lang, &a, v.Field(i).Elem(), "", "")
	}
	return a
}

func walkAsked(lang string, a *asked, v reflect.Value, prefix, ctx string) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		fv := v.Field(i)
		name := request.JSONName(f)
		label, ok := i18n.Lookup(lang, "field."+name)
		if !ok {
			label = labelOf(f, name)
		}
		if prefix != "" {
			label = prefix + " — " + strings.ToLower(label[:1]) + label[1:]
		}
		if fv.Kind() == reflect.Pointer {
			if fv.IsNil() {
				continue
			}
			if fv.Elem().Kind() == reflect.Bool {
				a.Items = append(a.Items, askedItem{Label: label, Value: yesNo(lang, fv.Elem().Bool())})
				continue
			}
			fv = fv.Elem()
		}
		switch {
		case fv.Type() == timestampType:
			ts := fv.Interface().(request.Timestamp)
			if ts.T.IsZero() && ts.Raw == "" {
				continue
			}
			if ts.T.IsZero() {
				a.Items = append(a.Items, askedItem{Label: label, Value: ts.Raw})
			} else {
				a.Items = append(a.Items, askedItem{Label: label, Time: ts.T})
			}
		case fv.Kind() == reflect.Slice && (fv.Type().Elem() == identType || fv.Type().Elem() == pathIdentType):
			for j := range fv.Len() {
				e := fv.Index(j)
				id := askedIdent{Kind: word(lang, "enum", e.FieldByName("Kind").String()), Value: e.FieldByName("Value").String(),
					Port: int(e.FieldByName("Port").Int()), Time: e.FieldByName("Time").Interface().(request.Timestamp).T, Context: ctx}
				a.Identifiers = append(a.Identifiers, id)
			}
		case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Struct:
			for j := range fv.Len() {
				item := label
				if fv.Len() > 1 {
					item = fmt.Sprintf("%s %d", label, j+1)
				}
				walkAsked(lang, a, fv.Index(j), item, item)
			}
		case fv.Kind() == reflect.Struct:
			walkAsked(lang, a, fv, label, label)
		case fv.Kind() == reflect.Slice:
			var parts []string
			for j := range fv.Len() {
				parts = append(parts, fmt.Sprint(fv.Index(j).Interface()))
			}
			if len(parts) > 0 {
				a.Items = append(a.Items, askedItem{Label: label, Value: strings.Join(parts, "; ")})
			}
		case fv.Kind() == reflect.Bool:
			if fv.Bool() {
				a.Items = append(a.Items, askedItem{Label: label, Value: yesNo(lang, true)})
			}
		case fv.Kind() == reflect.String:
			s := fv.String()
			if s == "" {
				continue
			}
			if f.Tag.Get("enum") != "" {
				s = word(lang, "enum", s)
			}
			long := false
			for _, l := range longText {
				long = long || l == name
			}
			a.Items = append(a.Items, askedItem{Label: label, Value: s, Long: long})
		case fv.CanInt():
			if fv.Int() != 0 {
				a.Items = append(a.Items, askedItem{Label: label, Value: fmt.Sprint(fv.Int())})
			}
		}
	}
}
