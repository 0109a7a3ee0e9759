package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestRequestValidatePreserveArt29_2_f(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
		{"no route is a warning", []string{"--json", "../../internal/request/testdata/minimal/emergency-disclosure.json"}, "", 0, true, []string{"route-none"}},
		{"route to CN", []string{"--json", "-"}, strings.Replace(string(doc), `"party": "IT"`, `"party": "CN"`, 1), 1, false, []string{"art29-2-f", "route-none"}},
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
	r := runCLI(t, "", nil, "request", "letter", "testdata/requests/preserve.json")
	if r.code != 0 {
		t.Fatalf("code %d %s", r.code, r.stderr)
	}
	for _, want := range []string{"<!DOCTYPE html>", "Article 29", "New request", "America/New_York", "Contact for confirmation", "121.16.109.40, source port 51234, at 2026-11-20 14:02:07 UTC", "Europe/Rome"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("letter lacks %q", want)
		}
	}
}

func TestRoute(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"route", "US", "IT", "preserve"}, 0, []string{"Budapest Convention: APPLIES", "US is a party, in force for it since 2007-01-01", "G7 24/7 network: APPLIES"}},
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

// TestRequestStory1Chain follows SPEC story 1: a preserve to JP, a
// traffic-path answer naming a provider in IT, the linked preserve to IT
// generated in one step, and the chain walked from its last member.
func TestRequestStory1Chain(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", nil, "request", "next-preserve", "--id", "US-2026-000101",
		"testdata/requests/story1-preserve.json", "testdata/requests/story1-traffic-path.json")
	if r.code != 0 {
		t.Fatalf("next-preserve: %d %s", r.code, r.stderr)
	}
	var next map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &next); err != nil {
		t.Fatal(err)
	}
	if next["requested"].(map[string]any)["party"] != "IT" {
		t.Fatalf("new preserve goes to %v, want IT", next["requested"])
	}
	if v := runCLI(t, r.stdout, nil, "request", "validate", "-"); v.code != 0 {
		t.Fatalf("generated preserve invalid:\n%s", v.stdout)
	}
	file := t.TempDir() + "/next.json"
	if err := os.WriteFile(file, []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	ch := runCLI(t, "", nil, "request", "chain", "US-2026-000101", "testdata/requests/story1-preserve.json", "testdata/requests/story1-traffic-path.json", file)
	want := "US-2026-000100 preserve US -> JP\n  JP-2026-000900 traffic-path JP -> US (answers)\n    US-2026-000101 preserve US -> IT (traffic-path)\n"
	if ch.code != 0 || ch.stdout != want {
		t.Fatalf("chain: %d\n%s%s\nwant\n%s", ch.code, ch.stdout, ch.stderr, want)
	}
	ext := runCLI(t, "", nil, "request", "extend", "--id", "US-2026-000300", "testdata/requests/story1-preserve.json")
	if ext.code != 0 || !strings.Contains(ext.stdout, `"status": "extension"`) || !strings.Contains(ext.stdout, `"rel": "extends"`) {
		t.Fatalf("extend: %d %s %s", ext.code, ext.stdout, ext.stderr)
	}
	bad := runCLI(t, "", nil, "request", "next-preserve", "--id", "X", "testdata/requests/preserve-no-mla-statement.json", "testdata/requests/story1-traffic-path.json")
	if bad.code != 1 || !strings.Contains(bad.stderr, "art29-2-f") {
		t.Fatalf("invalid original: %d %s", bad.code, bad.stderr)
	}
}

func TestRequestDueAndShow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		now  string
		want []string
	}{
		{"2026-11-26T00:00:00Z", []string{"preserved", "acknowledge          met", "preservation-end     pending   2027-01-24T01:00:00Z (Sun 24 Jan 10:00 JST)", "Actions due now:\n  none"}},
		{"2027-01-11T00:00:00Z", []string{"remind", "ends in 14 days"}},
		{"2027-01-25T00:00:00Z", []string{"missed", "lapsed", "may now be deleted"}},
	}
	for _, tc := range tests {
		r := runCLI(t, "", nil, "request", "due", "--now", tc.now, "testdata/requests/story1-preserve.json", "testdata/requests/story1-evidences.json")
		if r.code != 0 {
			t.Fatalf("due at %s: %d %s", tc.now, r.code, r.stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("due at %s lacks %q:\n%s", tc.now, w, r.stdout)
			}
		}
	}
	bad := runCLI(t, `[{"kind":"transition","to":"preserved","at":"2026-11-24T15:00:00Z","by":"x","as":"receiver"}]`, nil,
		"request", "due", "testdata/requests/story1-preserve.json", "-")
	if bad.code != 1 || !strings.Contains(bad.stderr, `from "draft" to "preserved" is not allowed`) {
		t.Errorf("illegal history: %d %s", bad.code, bad.stderr)
	}
	show := runCLI(t, "", nil, "request", "show", "testdata/requests/story1-preserve.json")
	if show.code != 0 || !strings.Contains(show.stdout, "route: US may send preserve to JP under Budapest Convention") {
		t.Errorf("show: %d %s %s", show.code, show.stdout, show.stderr)
	}
}
