package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/exercise"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/stats"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/testnet"
)

// TestExerciseCLI runs an exercise through the commands: FR's node holds
// the secretariat key, opens the exercise for IT, plays a one-inject
// script without waiting, and closes it; IT lists it, counts the inject
// in the exercise's own statistics only, and shows the case archived.
func TestExerciseCLI(t *testing.T) {
	net := testnet.StartTest(t, store.SQLite, testnet.Options{Parties: []string{"FR", "IT"}, Clock: clock.NewManual(testClockTime),
		Setup: func(_ string, n *node.Node) error { app.RegisterPing(n); app.RegisterExercise(n, nil); return nil }})
	fr, it := net.Config("FR").DataDir, net.Config("IT").DataDir
	key, plan, script := exerciseFiles(t, net)

	if r := runCLI(t, "", nil, "exercise", "open", plan, "--data", fr, "--by", "Sabine"); r.code != exitUsage {
		t.Fatalf("open without --key: code %d %s", r.code, r.stderr)
	}
	if r := runCLI(t, "", nil, "exercise", "open", plan, "--data", it, "--key", filepath.Join(it, "keys", "signing.key"), "--by", "Ivo"); r.code == 0 || !strings.Contains(r.stderr, "secretariat") {
		t.Fatalf("IT opened an exercise with its own key: code %d %s", r.code, r.stderr)
	}
	r := runCLI(t, "", nil, "exercise", "open", plan, "--data", fr, "--key", key, "--by", "Sabine Secretariat (fictional)")
	if r.code != 0 || !strings.Contains(r.stdout, "EX-2026-BLUE") || !strings.Contains(r.stdout, "control") {
		t.Fatalf("open: code %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	testkit.Eventually(t, "IT to list the exercise", func() bool {
		r := runCLI(t, "", nil, "exercise", "list", "--data", it, "--json")
		var l []exercise.Exercise
		return r.code == 0 && json.Unmarshal([]byte(r.stdout), &l) == nil && len(l) == 1 && l[0].State == "open"
	})
	r = runCLI(t, "", nil, "exercise", "play", script, "--data", fr, "--key", key, "--by", "Exercise Control (fictional)", "--no-wait")
	if r.code != 0 || !strings.Contains(r.stdout, "minute 0: preserve to IT-247 sent (EX-2026-BLUE-FR-001)") {
		t.Fatalf("play: code %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	testkit.Eventually(t, "the inject at IT", func() bool {
		r := runCLI(t, "", nil, "stats", "--data", it, "--exercise", "EX-2026-BLUE", "--to", "2026-11-25", "--json")
		var rep stats.Report
		return r.code == 0 && json.Unmarshal([]byte(r.stdout), &rep) == nil && rep.Received.Requests == 1
	})
	r = runCLI(t, "", nil, "stats", "--data", it, "--to", "2026-11-25", "--json")
	var real stats.Report
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &real) != nil || real.Received.Requests != 0 || real.Excluded.Exercises != 1 {
		t.Fatalf("real statistics count the exercise: %s %s", r.stdout, r.stderr)
	}
	if r := runCLI(t, "", nil, "exercise", "close", "EX-2026-BLUE", "--data", fr, "--key", key, "--by", "Sabine Secretariat (fictional)"); r.code != 0 || !strings.Contains(r.stdout, "closed") {
		t.Fatalf("close: code %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	testkit.Eventually(t, "IT to archive the exercise's case", func() bool {
		r := runCLI(t, "", nil, "exercise", "show", "EX-2026-BLUE", "--data", it)
		return r.code == 0 && strings.Contains(r.stdout, "EX-2026-BLUE-FR-001") && strings.Contains(r.stdout, "archived")
	})
	if r := runCLI(t, "", nil, "exercise", "show", "EX-2026-NONE", "--data", it); r.code == 0 {
		t.Fatalf("show of an unknown exercise: code 0")
	}
}

// exerciseFiles writes the secretariat's key, a plan opening EX-2026-BLUE
// for IT and a one-inject script, and returns their paths.
func exerciseFiles(t *testing.T, net *testnet.Net) (key, plan, script string) {
	t.Helper()
	dir := t.TempDir()
	key = filepath.Join(dir, "secretariat.key")
	if err := keys.WritePrivate(key, net.SecretariatKey); err != nil {
		t.Fatal(err)
	}
	plan = filepath.Join(dir, "blue.json")
	script = filepath.Join(dir, "blue.script")
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(plan, `{"id": "EX-2026-BLUE", "name": "Blue Lagoon", "starts": "2026-11-25T03:00:00Z", "ends": "2026-11-25T11:00:00Z",
		"participants": [{"authority": "IT-247", "contacts": [{"name": "Ivo Esercizio (fictional)", "email": "ivo@example.org"}]}]}`)
	write(script, exercise.ScriptHeader+"\nexercise EX-2026-BLUE\nat 0 preserve IT-247\n")
	return key, plan, script
}
