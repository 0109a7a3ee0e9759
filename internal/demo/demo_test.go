package demo_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/demo"
)

// TestScenariosOnly plays every story on a network of eight real nodes on
// loopback, headless, and checks the report names each step and each
// story's verdict.
// The clock is fixed, as in the command's tests, so the routes and
// clocks the stories meet do not depend on the day the test runs.
func TestScenariosOnly(t *testing.T) {
	t.Parallel()
	var out, errs bytes.Buffer
	err := demo.Run(context.Background(), demo.Options{Dir: t.TempDir(), ScenariosOnly: true,
		Clock: clock.NewManual(time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)), Getenv: func(string) string { return "" }, Stdout: &out, Stderr: &errs})
	if err != nil {
		t.Fatalf("demo.Run: %v\nstdout: %s\nstderr: %s", err, out.String(), errs.String())
	}
	for _, want := range []string{
		"8 nodes (FR, US, IT, GB, ES, NO, EE, CN)",
		"US sent preserve",
		"IT: acknowledged by Giulia Esempio; US sees it",
		"IT: preserved by Giulia Esempio; US sees it",
		"linked to",
		"IT answered", "with traffic path",
		"IT authorised it: both transfer pages show it",
		"GB acknowledged it",
		"chain on US: ", "chain on IT: ",
		"story 1 (intrusion trace): ok",
		"GB accepted it",
		"relayed to [NO-247 ES-247]",
		"ES's operator answered",
		"story 2 (the Oslo bank robber: a watch relayed): ok",
		"EE triaged a 20000-line flood log",
		"CN: ",
		"story 3 (Estonia 2007: a DDoS log triaged): ok",
		"route US->IT emergency-mla today: Budapest Convention (Art. 25(3), 27(9))",
		"within its 15-minute clock (met)",
		"escalate -> backup",
		"story 4 (life and limb: an emergency request): ok",
		"FR (secretariat) pinged 7 points of contact: 7 machine receipts",
		"story 5 (a ping test of the network): ok",
		"GB refused forged: a valid format, signed by a key not in the directory: unknown_sender",
		"GB refused signed with the US key revoked after a mailbox compromise: key_revoked",
		"GB refused replayed: the genuine envelope's id with another body: replayed",
		"GB refused from another authority's key: FR's node sends a US request: not_sender_party",
		"GB may not disclose yet",
		"GB executed the genuine request",
		"story 7 (a forged emergency request): ok",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}
