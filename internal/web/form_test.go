package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/art35/art35/internal/request"
)

func TestFormFieldsFollowTheChecklist(t *testing.T) {
	t.Parallel()
	for _, typ := range request.Types {
		fields, err := FormFields(typ)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		seen := map[string]bool{}
		for _, f := range fields {
			if seen[f.Path] && f.Kind != "legend" {
				t.Errorf("%s: field %s twice", typ, f.Path)
			}
			seen[f.Path] = true
		}
		content := strings.ReplaceAll(string(typ), "-", "_")
		hasContent := false
		for p := range seen {
			hasContent = hasContent || strings.HasPrefix(p, content+".") || strings.HasPrefix(p, content)
		}
		if !hasContent && typ != request.TypePing {
			t.Errorf("%s: no field of its content (%s.*)", typ, content)
		}
	}
	fields, _ := FormFields(request.TypePreserve)
	want := map[string]string{
		"preserve.offence":                      "text",
		"preserve.facts":                        "textarea",
		"preserve.reply_channel":                "select",
		"preserve.mla_will_follow":              "checkbox",
		"preserve.data[0].identifiers[0].port":  "number",
		"preserve.data[0].identifiers[0].value": "text",
		"id":                                    "hidden",
		"requested.party":                       "text",
	}
	got := map[string]Field{}
	for _, f := range fields {
		got[f.Path] = f
	}
	for p, kind := range want {
		if got[p].Kind != kind {
			t.Errorf("%s: kind %q, want %q", p, got[p].Kind, kind)
		}
	}
	if !got["preserve.offence"].Required || got["preserve.provider.address"].Required {
		t.Error("required marks do not follow the rule tags")
	}
	if _, ok := got["traffic_path.provider.name"]; ok {
		t.Error("a preserve form shows traffic-path fields")
	}
	if _, err := FormFields("nonsense"); err == nil {
		t.Error("unknown type accepted")
	}
}

func TestDocumentAndAttach(t *testing.T) {
	t.Parallel()
	fields, _ := FormFields(request.TypePreserve)
	Fill(fields, url.Values{
		"id": {"US-2026-000001"}, "preserve.mla_will_follow": {"true"}, "preserve.data[0].identifiers[0].port": {"51234"},
		"preserve.data[0].identifiers[0].value": {"121.16.109.40"}, "handling.conditions": {"only case X\n\n  no onward  "},
	})
	doc, err := Document(fields)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	p := m["preserve"].(map[string]any)
	if p["mla_will_follow"] != true {
		t.Errorf("checkbox: %v", p["mla_will_follow"])
	}
	id := p["data"].([]any)[0].(map[string]any)["identifiers"].([]any)[0].(map[string]any)
	if id["port"] != float64(51234) || id["value"] != "121.16.109.40" {
		t.Errorf("identifier: %v", id)
	}
	if c := m["handling"].(map[string]any)["conditions"].([]any); len(c) != 2 || c[1] != "no onward" {
		t.Errorf("conditions: %v", c)
	}
	if _, ok := m["preserve"].(map[string]any)["offence"]; ok {
		t.Error("an empty field was sent as a value")
	}
	_, problems := request.Check(doc, mustTime("2026-11-26T03:00:00Z"))
	rest := Attach(fields, problems)
	placed := 0
	for _, f := range fields {
		for _, pr := range f.Problems {
			placed++
			if pr.Field != f.Path && !strings.HasPrefix(f.Path, pr.Field) {
				t.Errorf("problem %s put beside %s", pr.Field, f.Path)
			}
		}
	}
	if placed == 0 || placed+len(rest) != len(problems) {
		t.Errorf("placed %d, rest %d, of %d problems", placed, len(rest), len(problems))
	}
	fields[0].Kind, fields[0].Value = "number", "12x"
	for i := range fields {
		if fields[i].Path == "preserve.data[0].identifiers[0].port" {
			fields[i].Value = "port 80"
		}
	}
	if _, err := Document(fields); err == nil || !strings.Contains(err.Error(), "whole number") {
		t.Errorf("bad number: %v", err)
	}
}

// FuzzDocument feeds arbitrary form values (outside data) through Fill,
// Document, Check and Attach: nothing may panic.
func FuzzDocument(f *testing.F) {
	f.Add("preserve.offence", "x", "preserve.data[0].identifiers[0].port", "80")
	f.Add("id", "", "preserve.mla_will_follow", "on")
	f.Add("handling.conditions", "a\nb", "preserve.data[0].identifiers[0].time", "2026-13-40")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		fields, _ := FormFields(request.TypePreserve)
		Fill(fields, url.Values{k1: {v1}, k2: {v2}, "preserve.offence": {v1}})
		doc, err := Document(fields)
		if err != nil {
			return
		}
		_, problems := request.Check(doc, mustTime("2026-11-26T03:00:00Z"))
		Attach(fields, problems)
	})
}

func FuzzSetPath(f *testing.F) {
	for _, p := range []string{"a", "a.b[0].c", "a[1]", "a[x]", "[0]", "a..b", "a[-1]", "a[0][0]"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, path string) {
		m := map[string]any{"a": "string already"}
		_ = setPath(m, path, "v")
		if _, err := json.Marshal(m); err != nil {
			t.Fatalf("%q made an unencodable document: %v", path, err)
		}
	})
}
