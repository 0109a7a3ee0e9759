package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestRequestValidatePreserveArt29_2_f(t *testing.T) {
	// The same request without and with the Art. 29(2)(f) statement.
	r := runCLI(t, "", nil, "request", "validate", "testdata/requests/preserve-no-mla-statement.json")
	if r.code != 1 || !strings.Contains(r.stdout, "[art29-2-f]") || !strings.Contains(r.stdout, "Art. 29(2)(f): a statement that a mutual legal assistance request will follow is required") {
		t.Fatalf("missing statement: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", nil, "request", "validate", "testdata/requests/preserve.json")
	if r.code != 0 || !strings.Contains(r.stdout, "valid") {
		t.Fatalf("with statement: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestRequestValidateJSON(t *testing.T) {
	doc, err := os.ReadFile("testdata/requests/preserve-no-mla-statement.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		args      []string
		stdin     string
		code      int
		valid     bool
		wantRules []string
	}{
		{"file invalid", []string{"testdata/requests/preserve-no-mla-statement.json", "--json"}, "", 1, false, []string{"art29-2-f"}},
		{"stdin invalid", []string{"--json", "-"}, string(doc), 1, false, []string{"art29-2-f"}},
		{"valid", []string{"--json", "testdata/requests/preserve.json"}, "", 0, true, nil},
		{"not json", []string{"--json", "-"}, "{", 1, false, []string{"json-syntax"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.stdin, nil, append([]string{"request", "validate"}, tc.args...)...)
			if r.code != tc.code {
				t.Fatalf("code %d, want %d\n%s%s", r.code, tc.code, r.stdout, r.stderr)
			}
			var res struct {
				Valid    bool `json:"valid"`
				Problems []struct {
					Field, Rule, Message, Severity string
				} `json:"problems"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, r.stdout)
			}
			if res.Valid != tc.valid || res.Problems == nil {
				t.Fatalf("valid %v problems %v", res.Valid, res.Problems)
			}
			var rules []string
			for _, p := range res.Problems {
				rules = append(rules, p.Rule)
				if p.Message == "" || p.Severity == "" {
					t.Errorf("incomplete problem %+v", p)
				}
			}
			if strings.Join(rules, ",") != strings.Join(tc.wantRules, ",") {
				t.Errorf("rules %v, want %v", rules, tc.wantRules)
			}
		})
	}
}

func TestRequestCommandErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"request", "validate"}, 2, "one FILE"},
		{[]string{"request", "validate", "testdata/requests/nope.json"}, 3, "does not exist"},
		{[]string{"request", "schema", "freeze"}, 1, "unknown request type"},
		{[]string{"request", "new"}, 2, "one TYPE"},
		{[]string{"request", "frobnicate"}, 2, "unknown subcommand"},
		{[]string{"request", "letter", "testdata/requests/preserve-no-mla-statement.json"}, 1, "not a valid request"},
	}
	for _, tc := range tests {
		r := runCLI(t, "", nil, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr+r.stdout, tc.msg) {
			t.Errorf("%v: code %d (want %d), output %q", tc.args, r.code, tc.code, r.stderr+r.stdout)
		}
	}
}

func TestRequestSchemaAndNew(t *testing.T) {
	for _, typ := range []string{"preserve", "ping", "production-order"} {
		r := runCLI(t, "", nil, "request", "schema", typ)
		var s map[string]any
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &s) != nil || s["$schema"] == nil {
			t.Fatalf("schema %s: code %d %s", typ, r.code, r.stderr)
		}
		// A fresh template validates with errors on what is left to fill.
		r = runCLI(t, "", nil, "request", "new", typ)
		if r.code != 0 {
			t.Fatalf("new %s: %d %s", typ, r.code, r.stderr)
		}
		v := runCLI(t, r.stdout, nil, "request", "validate", "-")
		if v.code != 1 || !strings.Contains(v.stdout, "common-id") {
			t.Fatalf("unfilled template %s should be invalid with the id missing: %d\n%s", typ, v.code, v.stdout)
		}
	}
}

func TestRequestLetter(t *testing.T) {
	r := runCLI(t, "", nil, "request", "letter", "testdata/requests/preserve.json")
	if r.code != 0 {
		t.Fatalf("code %d %s", r.code, r.stderr)
	}
	for _, want := range []string{"<!DOCTYPE html>", "Article 29", "New request", "America/New_York", "Contact for confirmation", "121.16.109.40"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("letter lacks %q", want)
		}
	}
}

func TestRoute(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"route", "US", "IT", "preserve"}, 0, []string{"Budapest Convention: APPLIES", "date of entry into force not known"}},
		{[]string{"route", "US", "CN", "preserve"}, 1, []string{"No route", "CN signed 2025-10-25, but the Convention is not in force (needs 40 ratifications)", "INTERPOL"}},
		{[]string{"route", "US", "JP", "emergency-disclosure", "--date", "2026-11-25"}, 1, []string{"Protocol is not in force"}},
		{[]string{"route", "US", "IT", "preserve", "--json"}, 0, []string{`"allowed": true`}},
		{[]string{"route", "US", "IT"}, 2, []string{"FROM TO TYPE"}},
		{[]string{"route", "US", "IT", "preserve", "--date", "yesterday"}, 2, []string{"YYYY-MM-DD"}},
		{[]string{"route", "US", "ZZ", "preserve"}, 3, []string{"not in the directory"}},
	}
	for _, tc := range tests {
		r := runCLI(t, "", nil, tc.args...)
		if r.code != tc.code {
			t.Errorf("%v: code %d, want %d\n%s%s", tc.args, r.code, tc.code, r.stdout, r.stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stdout+r.stderr, w) {
				t.Errorf("%v: output lacks %q:\n%s%s", tc.args, w, r.stdout, r.stderr)
			}
		}
	}
}
