package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const triageLog = `121.16.109.40 - - [20/Nov/2026:14:02:07 +0100] "GET / HTTP/1.1" 200 512 "-" "x"
121.16.109.40 - - [20/Nov/2026:14:05:00 +0100] "GET /a HTTP/1.1" 200 512 "-" "x"
151.1.1.1 - - [20/Nov/2026:14:02:08 +0100] "GET / HTTP/1.1" 404 0 "-" "x"
10.0.0.1 - - [20/Nov/2026:14:02:09 +0100] "GET / HTTP/1.1" 200 1 "-" "x"
[2001:4860:4860::8888]:443 - - [20/Nov/2026:14:02:10 +0100] "GET /"
garbage line without an address
`

func TestTriageCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(triageLog))
	zw.Close()
	logGz := filepath.Join(dir, "access.log.gz")
	if err := os.WriteFile(logGz, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	drafts := filepath.Join(dir, "drafts")
	r := runCLI(t, "", nil, "triage", "--from", "US", "--json", "--draft-requests", drafts, logGz)
	if r.code != 0 {
		t.Fatalf("code %d: %s", r.code, r.stderr)
	}
	var rep struct {
		Lines          int64 `json:"lines"`
		Unattributable int64 `json:"unattributable"`
		Countries      []struct {
			Country   string `json:"country"`
			Events    int64  `json:"events"`
			UniqueIPs int    `json:"unique_ips"`
			FirstSeen string `json:"first_seen"`
			LastSeen  string `json:"last_seen"`
			Operators []struct {
				ASN uint32 `json:"asn"`
			} `json:"operators"`
			Route struct {
				Available bool `json:"available"`
			} `json:"route"`
		} `json:"countries"`
		NoRoute []struct {
			Country string `json:"country"`
			Reason  string `json:"reason"`
		} `json:"no_route"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if rep.Lines != 6 || rep.Unattributable != 1 || len(rep.Countries) != 3 {
		t.Fatalf("report %+v", rep)
	}
	cn := rep.Countries[0]
	if cn.Country != "CN" || cn.Events != 2 || cn.UniqueIPs != 1 || cn.FirstSeen != "2026-11-20T13:02:07Z" || cn.LastSeen != "2026-11-20T13:05:00Z" || cn.Route.Available || cn.Operators[0].ASN != 4837 {
		t.Errorf("CN row %+v", cn)
	}
	if len(rep.NoRoute) != 2 || rep.NoRoute[0].Country != "CN" || !strings.Contains(rep.NoRoute[0].Reason, "UN 2024") {
		t.Errorf("no route %+v", rep.NoRoute)
	}
	files, _ := filepath.Glob(filepath.Join(drafts, "*.json"))
	if len(files) != 1 || filepath.Base(files[0]) != "IT-preserve-draft.json" {
		t.Errorf("drafts %v", files)
	}
	if !strings.Contains(r.stderr, "wrote 1 draft") {
		t.Errorf("stderr %q", r.stderr)
	}
	checkTriageFormats(t, dir)
}

// checkTriageFormats reads logs from stdin and files in CSV, text, by field, by separator and by regular expression.
func checkTriageFormats(t *testing.T, dir string) {
	t.Helper()
	r := runCLI(t, triageLog, nil, "triage", "--csv", "-")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "country,name,asn,operator") || !strings.Contains(r.stdout, "CN,China,4837") {
		t.Errorf("csv from stdin: %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, triageLog, nil, "triage", "-")
	if r.code != 0 || !strings.Contains(r.stdout, "give --from CC") || !strings.Contains(r.stdout, "1 without an address") {
		t.Errorf("text: %s", r.stdout)
	}
	csvLog := filepath.Join(dir, "events.csv")
	os.WriteFile(csvLog, []byte("time,client,action\n2026-11-20T13:00:00Z,151.1.1.1,login\n2026-11-20T13:00:01Z,\"151.1.1.2\",login\n"), 0o644)
	r = runCLI(t, "", nil, "triage", "--field", "2", "--json", csvLog)
	if r.code != 0 || !strings.Contains(r.stdout, `"country": "IT"`) || !strings.Contains(r.stdout, `"unique_ips": 2`) {
		t.Errorf("--field 2 on csv: %s %s", r.stdout, r.stderr)
	}
	r = runCLI(t, "a\tb\t151.1.1.1\n", nil, "triage", "--field", "3", "--sep", "tab", "--json", "-")
	if r.code != 0 || !strings.Contains(r.stdout, `"country": "IT"`) {
		t.Errorf("--sep tab: %s %s", r.stdout, r.stderr)
	}
	r = runCLI(t, "", nil, "triage", "--regex", `ip=(\S+)`, "--json", "-")
	if r.code != 0 {
		t.Errorf("regex on stdin: %d %s", r.code, r.stderr)
	}
}

func TestTriageCLIErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no file", []string{"triage"}, exitUsage, "at least one FILE"},
		{"missing file", []string{"triage", filepath.Join(dir, "nope.log")}, 1, "nope.log"},
		{"folder", []string{"triage", dir}, 1, "is a folder"},
		{"field and regex", []string{"triage", "--field", "2", "--regex", "x", "-"}, exitUsage, "exclude"},
		{"json and csv", []string{"triage", "--json", "--csv", "-"}, exitUsage, "exclude"},
		{"bad regex", []string{"triage", "--regex", "(", "-"}, exitUsage, "--regex"},
		{"unknown party", []string{"triage", "--from", "XX", "-"}, exitUsage, "--from"},
		{"drafts without from", []string{"triage", "--draft-requests", dir, "-"}, exitUsage, "--from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", nil, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.msg) {
				t.Errorf("code %d stderr %q, want %d and %q", r.code, r.stderr, tt.code, tt.msg)
			}
		})
	}
}
