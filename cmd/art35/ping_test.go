package main

import (
	"encoding/csv"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/ping"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/testnet"
)

// TestPingCLI drives a ping campaign through the commands: the US starts
// it, the Italian officer lists and answers the challenge, and the US
// results show it passed, in text, JSON and CSV.
func TestPingCLI(t *testing.T) {
	t.Parallel()
	net := testnet.StartTest(t, store.SQLite, testnet.Options{Parties: []string{"US", "IT"}, Clock: clock.NewManual(testClockTime),
		Setup: func(_ string, n *node.Node) error { app.RegisterPing(n); return nil }})
	us, it := net.Config("US").DataDir, net.Config("IT").DataDir

	r := runCLI(t, "", nil, "ping", "campaign", "--data", us)
	if r.code != exitUsage || !strings.Contains(r.stderr, "--by NAME is required") {
		t.Fatalf("campaign without --by: code %d, stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, "", nil, "ping", "results", "--data", us)
	if r.code != exitUsage || !strings.Contains(r.stderr, "no ping campaign") {
		t.Fatalf("results before any campaign: code %d, stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, "", nil, "ping", "campaign", "--data", us, "--to", "IT,FR", "--by", "Sam Sample")
	if r.code != 0 || !strings.Contains(r.stdout, "1 challenges queued") || !strings.Contains(r.stdout, "not pinged: FR") {
		t.Fatalf("campaign: code %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	var challenge string
	re := regexp.MustCompile(`(?m)^([0-9a-f]{32})\s+US-247`)
	testkit.Eventually(t, "the challenge at IT", func() bool {
		r = runCLI(t, "", nil, "ping", "pending", "--data", it)
		if m := re.FindStringSubmatch(r.stdout); m != nil {
			challenge = m[1]
			return true
		}
		return false
	})
	if !strings.Contains(r.stdout, "30m0s left") {
		t.Errorf("pending does not show the time left:\n%s", r.stdout)
	}
	r = runCLI(t, "", nil, "ping", "answer", challenge, "--data", it)
	if r.code != exitUsage {
		t.Errorf("answer without --by: code %d", r.code)
	}
	r = runCLI(t, "", nil, "ping", "answer", challenge, "--by", "Paola Esempio", "--data", it)
	if r.code != 0 || !strings.Contains(r.stdout, "answered challenge "+challenge) {
		t.Fatalf("answer: code %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", nil, "ping", "answer", challenge, "--by", "Paola Esempio", "--data", it)
	if r.code == 0 || !strings.Contains(r.stderr, "already answered") {
		t.Errorf("second answer: code %d, stderr %q", r.code, r.stderr)
	}
	checkPingResultsCLI(t, us)
}

// checkPingResultsCLI waits for the answer at the US and checks the results and the table in each format.
func checkPingResultsCLI(t *testing.T, us string) {
	t.Helper()
	var rs []ping.Result
	testkit.Eventually(t, "the answer at the US", func() bool {
		r := runCLI(t, "", nil, "ping", "results", "--data", us, "--json")
		rs = nil
		if err := json.Unmarshal([]byte(r.stdout), &rs); err != nil {
			t.Fatalf("results --json: %v\n%s", err, r.stdout)
		}
		return len(rs) == 1 && rs[0].State == ping.StatePassed
	})
	if !rs[0].Reachable || rs[0].AnsweredBy != "Paola Esempio" || rs[0].Party != "IT" {
		t.Errorf("result = %+v", rs[0])
	}
	r := runCLI(t, "", nil, "ping", "results", "--data", us)
	if !strings.Contains(r.stdout, "passed") || !strings.Contains(r.stdout, "Paola Esempio") {
		t.Errorf("results text:\n%s", r.stdout)
	}
	r = runCLI(t, "", nil, "ping", "table", "--data", us, "--csv")
	recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(recs) != 2 || recs[1][0] != "IT" || recs[1][3] != "1" || recs[1][7] != "1.000" {
		t.Errorf("table --csv = %v, %v", recs, err)
	}
	r = runCLI(t, "", nil, "ping", "table", "--data", us)
	if r.code != 0 || !strings.Contains(r.stdout, "100%") {
		t.Errorf("table text: %d\n%s", r.code, r.stdout)
	}
	r = runCLI(t, "", nil, "ping", "table", "--data", us, "--json", "--csv")
	if r.code != exitUsage {
		t.Errorf("--json with --csv: code %d", r.code)
	}
}
