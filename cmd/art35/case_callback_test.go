package main

import (
	"context"
	"strings"
	"testing"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/testnet"
)

// TestCaseCallback confirms a received emergency request by calling the
// requesting authority back with "case callback": before the call it may
// not be disclosed; a call to a number other than the directory's is
// refused; after the call to the directory's number it is disclosed.
func TestCaseCallback(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := clock.NewManual(testClockTime)
	net := testnet.StartTest(t, store.SQLite, testnet.Options{Parties: []string{"US", "IT"}, Clock: clk})
	// The secretariat publishes the US unit's duty number.
	if err := net.Republish(ctx, clk.Now(), func(d *directory.Snapshot) {
		_, a, _ := d.AuthorityByID("US-247")
		a.Phone = "+00 1 555 0199"
	}); err != nil {
		t.Fatal(err)
	}
	const id = "US-2026-000201"
	if _, _, err := net.Node("US").Cases.Submit(ctx, testnet.RequestDoc("emergency-disclosure", id, "US", "IT", clk.Now()), "Alex Example"); err != nil {
		t.Fatal(err)
	}
	it := net.Config("IT").DataDir
	waitCase(t, it, id, request.StateDelivered)
	for _, st := range []string{"ack", "start"} {
		if r := runCLI(t, "", nil, "case", st, id, "--by", "Giulia Prova (fictional)", "--data", it); r.code != 0 {
			t.Fatalf("%s: %d %s", st, r.code, r.stderr)
		}
	}
	if r := runCLI(t, "", nil, "case", "callback", id, "--data", it); r.code != 0 || !strings.Contains(r.stdout, "NOT confirmed") {
		t.Fatalf("callback status: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, "", nil, "case", "disclosed", id, "--by", "Giulia Prova (fictional)", "--data", it); r.code != apperr.ExitCode(apperr.EConflict) || !strings.Contains(r.stderr, "not confirmed") {
		t.Fatalf("an unconfirmed emergency was disclosed: %d %s", r.code, r.stderr)
	}
	if r := runCLI(t, "", nil, "case", "callback", id, "--by", "Giulia Prova (fictional)", "--number", "+00 1 555 0100", "--outcome", "confirmed", "--data", it); r.code != apperr.ExitCode(apperr.EInvalid) || !strings.Contains(r.stderr, "directory holds") {
		t.Fatalf("a call-back to another number: %d %s", r.code, r.stderr)
	}
	r := runCLI(t, "", nil, "case", "callback", id, "--by", "Giulia Prova (fictional)", "--number", "+00 1 555 0199", "--outcome", "duty officer confirmed", "--data", it)
	if r.code != 0 || !strings.Contains(r.stdout, "confirmed; it may be executed") || !strings.Contains(r.stdout, "called back by Giulia Prova (fictional)") {
		t.Fatalf("call-back: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, "", nil, "case", "disclosed", id, "--by", "Giulia Prova (fictional)", "--data", it); r.code != 0 {
		t.Fatalf("disclosed after the call-back: %d %s", r.code, r.stderr)
	}
}
