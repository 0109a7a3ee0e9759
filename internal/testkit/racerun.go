package testkit

import (
	"os"
	"testing"
)

// RaceRunEnv names the variable .ci/run sets in its -race run, which runs
// beside the README's run (no -race, SQLite) on the same 2 cores.
const RaceRunEnv = "ART35_RACE_RUN"

// SkipInRaceRun skips t in CI's -race run (RaceRunEnv=1), saying why: for
// the few tests whose work there would repeat the README run's and gain
// nothing from the race detector, because what they exercise runs outside
// this process (Chromium, node processes built without -race) or on
// SQLite alone. CI still runs them, once, in the README's run.
func SkipInRaceRun(t testing.TB, why string) {
	t.Helper()
	if os.Getenv(RaceRunEnv) == "1" {
		t.Skipf("skipped in CI's -race run (%s=1): %s; the README's run beside it runs it", RaceRunEnv, why)
	}
}
