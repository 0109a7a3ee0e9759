package web

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/web/i18n"
)

// Field is one input of a compose form. Forms are generated from the
// request struct and its tags (json name, rule, enum, doc, label), the same
// tags the validator and the JSON Schema read, so the form, the checklist
// and its messages cannot drift apart.
type Field struct {
	Path     string   // JSON path, as in request.Problem.Field: preserve.data[0].identifiers[0].value
	Label    string   // what the person reads
	Doc      string   // the field's doc tag: what to enter
	Kind     string   // text, textarea, select, checkbox, number, hidden, legend
	Options  []string // select choices
	Required bool     // has a rule: the checklist requires it
	Value    string
	Problems []request.Problem
}

// ID is the HTML id of the field's input.
func (f Field) ID() string {
	return "f-" + strings.NewReplacer(".", "-", "[", "-", "]", "").Replace(f.Path)
}

// hidden paths are filled in by the portal, not typed: the id and type are
// fixed when the form opens, the requesting authority is this node's.
var hiddenPaths = map[string]bool{
	"id": true, "type": true, "created_at": true,
	"requesting.party": true, "requesting.name": true,
}

// skipped paths are optional details left to the directory or to the API:
// the requested authority's details come from the directory.
var skippedPaths = map[string]bool{
	"requesting.kind": true, "requesting.address": true,
	"requested.name": true, "requested.kind": true, "requested.address": true, "requested.office_hours": true,
	"requested.time_zone": true, "requested.contact": true, "translation": true, "links": true,
}

// longText fields get a text area.
var longText = []string{"facts", "relation", "necessity", "description", "details", "summary", "emergency_facts", "special_instructions", "conditions", "path"}

// FormFields returns the inputs of a compose form for request type t.
func FormFields(t request.Type) ([]Field, error) {
	if !t.Valid() {
		return nil, apperr.Errorf(apperr.EInvalid, "request type %q: unknown; choose one of the types on the compose page", t)
	}
	var out []Field
	walkStruct(reflect.TypeFor[request.Request](), "", t, &out, 0)
	// One link, filled in when the form is opened from another request
	// (answer with a traffic path, extend, MLA follow-up).
	out = append(out, Field{Path: "links[0].rel", Kind: "hidden"}, Field{Path: "links[0].id", Kind: "hidden"})
	return out, nil
}

func labelOf(f reflect.StructField, name string) string {
	if l, ok := i18n.Lookup(i18n.Default, "field."+name); ok {
		return l
	}
	if l := f.Tag.Get("label"); l != "" {
		return l
	}
	s := strings.ReplaceAll(name, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

var timestampType = reflect.TypeFor[request.Timestamp]()

func walkStruct(st reflect.Type, prefix string, t request.Type, out *[]Field, depth int) {
	for i := range st.NumField() {
		f := st.Field(i)
		if !f.IsExported() || f.Tag.Get("json") == "-" {
			continue
		}
		name := request.JSONName(f)
		if ct, _, ok := request.ContentTag(f); ok && ct != t {
			continue
		}
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		if skippedPaths[path] {
			continue
		}
		field := Field{Path: path, Label: labelOf(f, name), Doc: f.Tag.Get("doc"), Required: f.Tag.Get("rule") != ""}
		if l, ok := i18n.Lookup(i18n.Default, "path."+path); ok {
			field.Label = l
		}
		if h, ok := i18n.Lookup(i18n.Default, "hint."+name); ok {
			field.Doc = h
		}
		if h, ok := i18n.Lookup(i18n.Default, "hint."+path); ok {
			field.Doc = h
		}
		if hiddenPaths[path] {
			field.Kind = "hidden"
			*out = append(*out, field)
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Bool {
			field.Kind = "checkbox"
			*out = append(*out, field)
			continue
		}
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft == timestampType:
			// Entered as a date and time in the officer's zone (shown
			// beside it); the portal turns it into UTC.
			field.Kind = "datetime"
		case ft.Kind() == reflect.Struct:
			if depth < 4 {
				*out = append(*out, Field{Path: path, Label: field.Label, Doc: field.Doc, Kind: "legend", Required: field.Required})
				walkStruct(ft, path, t, out, depth+1)
			}
			continue
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			// One element in the form; a request with more goes through
			// the API or the command line.
			*out = append(*out, Field{Path: path, Label: field.Label, Doc: field.Doc, Kind: "legend", Required: field.Required})
			walkStruct(ft.Elem(), path+"[0]", t, out, depth+1)
			continue
		case ft.Kind() == reflect.Slice:
			field.Kind = "textarea"
			field.Doc = strings.TrimSpace(field.Doc + " (one per line)")
		case ft.Kind() == reflect.Bool:
			field.Kind = "checkbox"
		case ft.Kind() >= reflect.Int && ft.Kind() <= reflect.Uint64:
			field.Kind = "number"
		default:
			field.Kind = "text"
			for _, l := range longText {
				if name == l {
					field.Kind = "textarea"
				}
			}
		}
		if enum := f.Tag.Get("enum"); enum != "" {
			field.Kind = "select"
			field.Options = strings.Split(enum, ",")
		}
		*out = append(*out, field)
	}
}

// Fill sets the fields' values from a submitted form.
func Fill(fields []Field, form url.Values) {
	for i := range fields {
		fields[i].Value = strings.TrimSpace(form.Get(fields[i].Path))
	}
}

// Document builds the request JSON from the fields' values. Empty fields
// are left out, so a missing required value is reported by the checklist
// exactly as it would be for a JSON file.
func Document(fields []Field) ([]byte, error) {
	root := map[string]any{}
	for _, f := range fields {
		if f.Value == "" || f.Kind == "legend" {
			continue
		}
		var v any = f.Value
		switch f.Kind {
		case "checkbox":
			v = f.Value == "true" || f.Value == "on"
		case "number":
			n, err := strconv.Atoi(f.Value)
			if err != nil {
				return nil, apperr.Errorf(apperr.EInvalid, "%s: %q is not a whole number; type digits only", f.Path, f.Value)
			}
			v = n
		case "textarea":
			if strings.HasSuffix(f.Doc, "(one per line)") {
				var list []any
				for _, l := range strings.Split(f.Value, "\n") {
					if l = strings.TrimSpace(l); l != "" {
						list = append(list, l)
					}
				}
				v = list
			}
		}
		if err := setPath(root, f.Path, v); err != nil {
			return nil, err
		}
	}
	return json.MarshalIndent(root, "", "  ")
}

// setPath stores v at a path of names and [n] indexes, making the maps and
// lists on the way.
func setPath(root map[string]any, path string, v any) error {
	type step struct {
		name  string
		index int // -1: none
	}
	var steps []step
	for _, part := range strings.Split(path, ".") {
		name, idx, hasIdx := strings.Cut(part, "[")
		s := step{name: name, index: -1}
		if hasIdx {
			n, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			if err != nil || n < 0 || n > 100 {
				return fmt.Errorf("form field %q: bad index", path)
			}
			s.index = n
		}
		steps = append(steps, s)
	}
	cur := root
	for i, s := range steps {
		last := i == len(steps)-1
		if s.index < 0 {
			if last {
				cur[s.name] = v
				return nil
			}
			next, _ := cur[s.name].(map[string]any)
			if next == nil {
				next = map[string]any{}
				cur[s.name] = next
			}
			cur = next
			continue
		}
		list, _ := cur[s.name].([]any)
		for len(list) <= s.index {
			list = append(list, map[string]any{})
		}
		cur[s.name] = list
		if last {
			list[s.index] = v
			return nil
		}
		next, _ := list[s.index].(map[string]any)
		if next == nil {
			next = map[string]any{}
			list[s.index] = next
		}
		cur = next
	}
	return nil
}

// Attach puts each problem beside the field it names (or the first input
// under it, when it names a group such as preserve.data) and returns the
// problems that fit no field, to show above the form.
func Attach(fields []Field, problems []request.Problem) []request.Problem {
	var rest []request.Problem
	for _, p := range problems {
		i := findField(fields, p.Field)
		if i < 0 {
			rest = append(rest, p)
			continue
		}
		fields[i].Problems = append(fields[i].Problems, p)
	}
	return rest
}

func findField(fields []Field, path string) int {
	for i, f := range fields {
		if f.Path == path && f.Kind != "legend" && f.Kind != "hidden" {
			return i
		}
	}
	for i, f := range fields {
		if f.Kind != "legend" && f.Kind != "hidden" && (strings.HasPrefix(f.Path, path+".") || strings.HasPrefix(f.Path, path+"[")) {
			return i
		}
	}
	return -1
}
