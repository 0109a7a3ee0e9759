package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAttributeCheckValue is the acceptance check of issue 5.
func TestAttributeCheckValue(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", nil, "attribute", "121.16.109.40", "--from", "US", "--json")
	if r.code != 0 {
		t.Fatalf("code %d, stderr %s", r.code, r.stderr)
	}
	var got struct {
		IP       string `json:"ip"`
		Country  string `json:"country"`
		ASN      uint32 `json:"asn"`
		Operator string `json:"operator"`
		Prefix   string `json:"prefix"`
		AsOf     string `json:"as_of"`
		Caveat   string `json:"caveat"`
		Sources  []struct {
			Name string `json:"name"`
		} `json:"sources"`
		Route struct {
			Available bool     `json:"available"`
			Reason    string   `json:"reason"`
			Remains   []string `json:"remains"`
		} `json:"route"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v in %s", err, r.stdout)
	}
	if got.IP != "121.16.109.40" || got.Country != "CN" || got.ASN != 4837 || got.Operator != "CHINA UNICOM China169 Backbone" || got.Prefix != "121.16.0.0/13" || got.AsOf != "2026-06-17" || len(got.Sources) != 3 || !strings.Contains(got.Caveat, "not where the machine stands") {
		t.Errorf("attribution: %+v", got)
	}
	if got.Route.Available || !strings.Contains(got.Route.Reason, "Budapest Convention: CN is not a party") ||
		!strings.Contains(got.Route.Reason, "UN 2024 Convention: CN signed") || !strings.Contains(got.Route.Reason, "not in force") || len(got.Route.Remains) < 3 {
		t.Errorf("route: %+v", got.Route)
	}
}

func TestAttributeCLI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{name: "route to a Budapest party", args: []string{"attribute", "151.1.1.1", "--from", "US", "--port", "4444", "--time", "2026-11-20T14:02:07+01:00"},
			stdout: []string{"IT Italy", "AS3242", "Budapest Convention", "IT-247", "Europe/Rome", "connection  port 4444 at 2026-11-20T13:02:07Z"}},
		{name: "text without route", args: []string{"attribute", "121.16.109.40"}, stdout: []string{"CN China", "121.16.0.0/13", "give --port and --time"}},
		{name: "carrier-grade NAT", args: []string{"attribute", "100.64.1.1", "--json"}, stdout: []string{`"attributable": false`, "carrier-grade NAT"}},
		{name: "documentation IPv6", args: []string{"attribute", "2001:db8::1"}, stdout: []string{"not attributable", "documentation"}},
		{name: "bracketed IPv6", args: []string{"attribute", "[2001:4860:4860::8888]"}, stdout: []string{"US United States", "AS15169"}},
		{name: "sources", args: []string{"attribute", "--sources"}, stdout: []string{"IP Geolocation by DB-IP", "https://db-ip.com", "CC BY-SA 4.0", "RouteViews", "NRO"}},
		{name: "not an address", args: []string{"attribute", "example.org"}, code: exitUsage, stderr: "not an IP address"},
		{name: "time without zone", args: []string{"attribute", "1.2.3.4", "--time", "2026-11-20T14:02:07"}, code: exitUsage, stderr: "no time zone"},
		{name: "bad port", args: []string{"attribute", "1.2.3.4", "--port", "70000"}, code: exitUsage, stderr: "--port"},
		{name: "signed directory that is not there", args: []string{"attribute", "151.1.1.1", "--snapshot", "/nonexistent/directory.signed.json", "--pubkey", "ed25519:AAAA"}, code: 1, stderr: "--pubkey"},
		{name: "stale data warning", args: []string{"attribute", "151.1.1.1", "--port", "1", "--time", "2024-01-01T00:00:00Z"}, stdout: []string{"may have changed hands"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", nil, tt.args...)
			if r.code != tt.code {
				t.Fatalf("code %d, want %d; stdout %s stderr %s", r.code, tt.code, r.stdout, r.stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
				}
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr %q lacks %q", r.stderr, tt.stderr)
			}
		})
	}
}
