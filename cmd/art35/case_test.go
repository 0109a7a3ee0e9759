package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/testnet"
)

// caseState reads a case's state through "case show --json".
func caseState(t *testing.T, data, id string) (request.State, cli.CaseView) {
	t.Helper()
	r := runCLI(t, "", nil, "case", "show", id, "--data", data, "--json")
	if r.code != 0 {
		return "", cli.CaseView{}
	}
	var v cli.CaseView
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("case show --json: %v\n%s", err, r.stdout)
	}
	return v.Lifecycle.State, v
}

func waitCase(t *testing.T, data, id string, want request.State) cli.CaseView {
	t.Helper()
	var v cli.CaseView
	testkit.Eventually(t, fmt.Sprintf("case %s in %s to be %s", id, data, want), func() bool {
		var st request.State
		st, v = caseState(t, data, id)
		return st == want
	})
	return v
}

// TestCaseCommands drives a preservation between two running nodes only
// through the CLI, which opens each node's database while the node runs:
// an incomplete request is refused with its rule named; a complete one is
// sent, arrives, is acknowledged, started and preserved in Italy, and
// every step shows in the US with its clock.
func TestCaseCommands(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(testClockTime)
	net := testnet.StartTest(t, store.SQLite, testnet.Options{Parties: []string{"US", "IT"}, Clock: clk})
	us, it := net.Config("US").DataDir, net.Config("IT").DataDir
	const id = "US-2026-000101"

	for _, tc := range []struct {
		name      string
		args      []string
		code      int
		stdout    string
		stderrHas string
	}{
		{"incomplete request", []string{"case", "send", "--data", us, "--by", "Alex Example", "testdata/requests/preserve-no-mla-statement.json"},
			apperr.ExitCode(apperr.EInvalid), "[art29-2-f]", ""},
		{"no sender named", []string{"case", "send", "--data", us, "testdata/requests/preserve.json"}, exitUsage, "", "--by NAME"},
		{"no such case", []string{"case", "show", "US-0", "--data", us}, apperr.ExitCode(apperr.ENotFound), "", "case list"},
		{"step without a name", []string{"case", "ack", id, "--data", it}, exitUsage, "", "--by NAME"},
		{"bad end date", []string{"case", "preserved", id, "--data", it, "--by", "x", "--ref", "R", "--until", "soon"}, exitUsage, "", "YYYY-MM-DD"},
		{"unknown step", []string{"case", "forget", id, "--data", it}, exitUsage, "", "unknown subcommand"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, "", nil, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stdout, tc.stdout) || !strings.Contains(r.stderr, tc.stderrHas) {
				t.Fatalf("code %d (want %d)\nstdout: %s\nstderr: %s", r.code, tc.code, r.stdout, r.stderr)
			}
		})
	}
	if r := runCLI(t, "", nil, "case", "list", "--data", us); r.code != 0 || !strings.Contains(r.stdout, "no cases") {
		t.Fatalf("a refused request was stored: %s %s", r.stdout, r.stderr)
	}
	sendAndPreserve(t, clk, us, it, id)
}

// sendAndPreserve sends the preservation from the US and takes Italy's steps through the CLI, each seen at the US.
func sendAndPreserve(t *testing.T, clk *clock.Manual, us, it, id string) {
	t.Helper()
	r := runCLI(t, "", nil, "case", "send", "--data", us, "--by", "Alex Example", "testdata/requests/preserve.json")
	if r.code != 0 || !strings.Contains(r.stdout, "sent "+id) || !strings.Contains(r.stdout, "IT-247") {
		t.Fatalf("send: code %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	waitCase(t, it, id, request.StateDelivered)
	waitCase(t, us, id, request.StateDelivered)

	r = runCLI(t, "", nil, "case", "list", "--data", it)
	if r.code != 0 || !strings.Contains(r.stdout, id) || !strings.Contains(r.stdout, "acknowledge pending in 2h 0m") {
		t.Fatalf("list in Italy:\n%s%s", r.stdout, r.stderr)
	}

	steps := []struct {
		args []string
		want request.State
	}{
		{[]string{"ack", id, "--by", "Giulia Prova (fictional)"}, request.StateAcknowledged},
		{[]string{"start", id, "--by", "Giulia Prova (fictional)"}, request.StateInProgress},
		{[]string{"preserved", id, "--by", "Giulia Prova (fictional)", "--ref", "EXH-7781", "--until", "2027-02-28"}, request.StatePreserved},
	}
	for _, s := range steps {
		clk.Advance(time.Minute)
		r := runCLI(t, "", nil, append(append([]string{"case"}, s.args...), "--data", it)...)
		if r.code != 0 {
			t.Fatalf("%v: code %d %s", s.args, r.code, r.stderr)
		}
		waitCase(t, us, id, s.want)
	}
	// A step the other side must take, or out of order, is refused.
	if r := runCLI(t, "", nil, "case", "disclosed", id, "--data", us, "--by", "Alex Example"); r.code == 0 || !strings.Contains(r.stderr, "receiver") {
		t.Fatalf("the sender disclosed: %d %s", r.code, r.stderr)
	}
	if r := runCLI(t, "", nil, "case", "preserved", id, "--data", it, "--by", "x", "--ref", "R"); r.code != apperr.ExitCode(apperr.EConflict) {
		t.Fatalf("preserved twice: %d %s", r.code, r.stderr)
	}
	checkPreservedAtSender(t, us, id)
}

// checkPreservedAtSender checks the evidences, the preservation clock and the case view at the sender once Italy preserved the data.
func checkPreservedAtSender(t *testing.T, us, id string) {
	t.Helper()
	_, v := caseState(t, us, id)
	if n := len(v.Lifecycle.Evidences); n != 5 {
		t.Fatalf("%d evidences at the sender, want 5", n)
	}
	var pres bool
	for _, d := range v.Agenda.Deadlines {
		pres = pres || (d.Clock == request.ClockPreservation && d.Due.Equal(time.Date(2027, 2, 28, 23, 59, 59, 0, time.UTC)))
	}
	if !pres {
		t.Fatalf("no preservation clock ending 2027-02-28: %+v", v.Agenda.Deadlines)
	}
	r := runCLI(t, "", nil, "case", "show", id, "--data", us)
	for _, want := range []string{"in-progress -> preserved", "provider ref EXH-7781", "preservation-end", "Notifications:"} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("case show lacks %q:\n%s", want, r.stdout)
		}
	}
}
