package request

import (
	"reflect"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
)

// Template returns a request of type t to fill in, as a JSON-ready map:
// every required field of the type is present (empty strings, null
// statements, one empty element per required list), with sensible
// defaults where one exists (priority, handling code, language, legal
// basis, date). It is built from the same tags as Schema and Validate, so
// validating an unfilled template lists exactly what is left to do.
func Template(t Type, now time.Time) (map[string]any, error) {
	if !t.Valid() {
		return nil, apperr.Errorf(apperr.EInvalid, "unknown request type %q; use one of %s", t, typeList())
	}
	m := templateStruct(reflect.TypeFor[Request](), t)
	for _, req := range typeRequires[t] {
		setPath(m, req.Path)
	}
	m["type"] = string(t)
	m["created_at"] = now.UTC().Truncate(time.Second).Format(time.RFC3339)
	m["language"] = "en"
	m["priority"] = string(PriorityRoutine)
	if t == TypeEmergencyDisclosure || t == TypeEmergencyMLA {
		m["priority"] = string(PriorityEmergency)
	}
	m["handling"].(map[string]any)["code"] = string(H0)
	for _, p := range Provisions {
		if p.Type == t {
			m["legal_basis"] = map[string]any{"instrument": string(p.Instrument)}
			break
		}
	}
	if c, ok := m[contentField(t)].(map[string]any); ok {
		if _, has := c["status"]; has && t == TypePreserve {
			c["status"] = "new"
		}
	}
	return m, nil
}

// contentField returns the JSON name of the content object of type t.
func contentField(t Type) string {
	st := reflect.TypeFor[Request]()
	for i := range st.NumField() {
		f := st.Field(i)
		if ct, _, ok := ContentTag(f); ok && ct == t {
			return JSONName(f)
		}
	}
	return ""
}

func templateStruct(st reflect.Type, t Type) map[string]any {
	m := map[string]any{}
	for i := range st.NumField() {
		f := st.Field(i)
		if !f.IsExported() {
			continue
		}
		if ct, optional, ok := ContentTag(f); ok {
			if ct == t && !optional {
				m[JSONName(f)] = templateValue(f.Type, t)
			}
			continue
		}
		if f.Tag.Get("rule") == "" {
			continue
		}
		m[JSONName(f)] = templateValue(f.Type, t)
	}
	return m
}

func templateValue(ft reflect.Type, t Type) any {
	if ft == timestampType {
		return ""
	}
	switch ft.Kind() {
	case reflect.Pointer:
		if ft.Elem().Kind() == reflect.Bool {
			return nil
		}
		return templateValue(ft.Elem(), t)
	case reflect.String:
		return ""
	case reflect.Slice:
		return []any{templateValue(ft.Elem(), t)}
	case reflect.Struct:
		return templateStruct(ft, t)
	}
	return nil
}

// setPath adds an empty string (or list) at a dotted path of a template.
func setPath(m map[string]any, path string) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			return
		}
		m = next
	}
	last := parts[len(parts)-1]
	if last == "conditions" {
		m[last] = []any{""}
		return
	}
	m[last] = ""
}
