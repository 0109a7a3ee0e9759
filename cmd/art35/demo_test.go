package main

import (
	"strings"
	"testing"
)

// TestDemoScenariosOnly runs "art35 demo --scenarios-only" in-process: a
// network of eight real nodes on loopback, story 1 played end to end.
func TestDemoScenariosOnly(t *testing.T) {
	r := runCLI(t, "", nil, "demo", "--scenarios-only", "--dir", t.TempDir())
	if r.code != 0 {
		t.Fatalf("demo --scenarios-only: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"8 nodes (FR, US, IT, GB, ES, NO, EE, CN)",
		"US sent preserve",
		"IT: acknowledged by Giulia Esempio; US sees it",
		"IT: preserved by Giulia Esempio; US sees it",
		"linked to",
		"story 1 (intrusion trace): ok",
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
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
}
