package request

import (
	"reflect"
	"testing"
)

// TestContentTagAndJSONName checks the two tag readers every walk over
// Request uses, on a made-up struct and on Request itself.
func TestContentTagAndJSONName(t *testing.T) {
	type sample struct {
		Plain    string `json:"plain,omitempty"`
		NoTag    string
		Required *Preserve `json:"preserve,omitempty" content:"preserve"`
		Optional *Preserve `json:"maybe" content:"mla-followup,optional"`
	}
	st := reflect.TypeFor[sample]()
	for _, tc := range []struct {
		field, json string
		typ         Type
		optional    bool
		content     bool
	}{
		{"Plain", "plain", "", false, false},
		{"NoTag", "NoTag", "", false, false},
		{"Required", "preserve", "preserve", false, true},
		{"Optional", "maybe", "mla-followup", true, true},
	} {
		f, _ := st.FieldByName(tc.field)
		if got := JSONName(f); got != tc.json {
			t.Errorf("JSONName(%s) = %q, want %q", tc.field, got, tc.json)
		}
		typ, optional, ok := ContentTag(f)
		if typ != tc.typ || optional != tc.optional || ok != tc.content {
			t.Errorf("ContentTag(%s) = %q, %v, %v; want %q, %v, %v", tc.field, typ, optional, ok, tc.typ, tc.optional, tc.content)
		}
	}

	// Every request type has exactly one content field in Request.
	seen := map[Type]int{}
	rt := reflect.TypeFor[Request]()
	for i := range rt.NumField() {
		if typ, _, ok := ContentTag(rt.Field(i)); ok {
			seen[typ]++
		}
	}
	for typ, n := range seen {
		if n != 1 {
			t.Errorf("%d content fields for type %s, want 1", n, typ)
		}
	}
	if seen[TypePreserve] != 1 {
		t.Errorf("no content field for %s", TypePreserve)
	}
}
