package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/testnet"
)

// TestCaseServedAndRenew: on the requested side, 'case served' records
// that a Protocol Art. 8 order was served and starts the data clock;
// 'case renew' moves an Art. 34 interception's authorised period; each
// refuses the other type.
func TestCaseServedAndRenew(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(testClockTime)
	net := testnet.StartTest(t, store.SQLite, testnet.Options{Parties: []string{"US", "IT"}, Clock: clk})
	it := net.Config("IT").DataDir
	send := func(typ, id string) {
		t.Helper()
		b, err := os.ReadFile("../../internal/request/testdata/minimal/" + typ + ".json")
		if err != nil {
			t.Fatal(err)
		}
		doc := strings.NewReplacer(`"party": "JP"`, `"party": "IT"`, "US-2026-000101", id).Replace(string(b))
		if _, ps, err := net.Node("US").Cases.Submit(context.Background(), []byte(doc), "Alex Example"); err != nil {
			t.Fatal(err, ps)
		}
		waitCase(t, it, id, request.StateDelivered)
		for _, step := range []string{"ack", "start"} {
			if r := runCLI(t, "", nil, "case", step, id, "--data", it, "--by", "Giulia Prova"); r.code != 0 {
				t.Fatalf("%s %s: %d %s", step, id, r.code, r.stderr)
			}
		}
	}
	send("production-order", "US-2026-000201")
	send("interception", "US-2026-000202")

	if r := runCLI(t, "", nil, "case", "served", "US-2026-000202", "--data", it, "--by", "Giulia Prova"); r.code != exitUsage {
		t.Errorf("served on an interception: %d %s", r.code, r.stderr)
	}
	r := runCLI(t, "", nil, "case", "served", "US-2026-000201", "--data", it, "--by", "Giulia Prova")
	if r.code != 0 || !strings.Contains(r.stdout, "data due by") {
		t.Fatalf("served: %d %s %s", r.code, r.stdout, r.stderr)
	}
	_, v := caseState(t, it, "US-2026-000201")
	found := false
	for _, d := range v.Agenda.Deadlines {
		if d.Clock == request.ClockArt8Data && d.Status == request.DeadlinePending && !d.Due.IsZero() {
			found = true
		}
	}
	if !found {
		t.Errorf("no Art. 8 data clock after served: %+v", v.Agenda.Deadlines)
	}
	checkRenew(t, it)
}

// checkRenew renews an interception, refusing a production order, and checks the renewed clock.
func checkRenew(t *testing.T, it string) {
	t.Helper()
	if r := runCLI(t, "", nil, "case", "renew", "US-2026-000201", "--data", it, "--by", "Giulia Prova", "--until", "2027-01-25"); r.code != exitUsage {
		t.Errorf("renew on a production order: %d %s", r.code, r.stderr)
	}
	if r := runCLI(t, "", nil, "case", "renew", "US-2026-000202", "--data", it, "--by", "Giulia Prova", "--until", "2027-01-25"); r.code != 0 {
		t.Fatalf("renew: %d %s", r.code, r.stderr)
	}
	_, v := caseState(t, it, "US-2026-000202")
	for _, d := range v.Agenda.Deadlines {
		if d.Clock == request.ClockInterception {
			if d.Due.Format("2006-01-02") != "2027-01-25" || !strings.Contains(d.Source, "renewed") {
				t.Errorf("interception period after renewal: %+v", d)
			}
			return
		}
	}
	t.Errorf("no interception clock: %+v", v.Agenda.Deadlines)
}
