package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/testnet"
)

// TestCaseCountersign: a second US officer countersigns a sent emergency
// request with "case countersign" and their own key, which the directory
// lists for US-247; Italy then holds it as countersigned. Without --key
// it is a usage error; a received request cannot be countersigned here.
func TestCaseCountersign(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := clock.NewManual(testClockTime)
	net := testnet.StartTest(t, store.SQLite, testnet.Options{Parties: []string{"US", "IT"}, Clock: clk})
	pub, second, _ := keys.GenerateSigning()
	keyFile := filepath.Join(t.TempDir(), "bo.key")
	if err := keys.WritePrivate(keyFile, second); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	if err := net.Republish(ctx, clk.Now(), func(d *directory.Snapshot) {
		_, a, _ := d.AuthorityByID("US-247")
		a.Keys = append(a.Keys, directory.Key{Use: directory.UseSigning, Public: keys.FormatSigningPublic(pub),
			ID: keys.ID(keys.FormatSigningPublic(pub)), ValidFrom: clk.Now().Add(-24 * time.Hour)})
	}); err != nil {
		t.Fatal(err)
	}
	const id = "US-2026-000202"
	if _, _, err := net.Node("US").Cases.Submit(ctx, testnet.RequestDoc("emergency-disclosure", id, "US", "IT", clk.Now()), "Alex Example"); err != nil {
		t.Fatal(err)
	}
	us, it := net.Config("US").DataDir, net.Config("IT").DataDir
	waitCase(t, it, id, request.StateDelivered)
	if r := runCLI(t, "", nil, "case", "countersign", id, "--data", us, "--by", "Bo Example (fictional)"); r.code != exitUsage {
		t.Fatalf("countersign without --key: %d %s", r.code, r.stderr)
	}
	if r := runCLI(t, "", nil, "case", "countersign", id, "--data", it, "--by", "Bo Example (fictional)", "--key", keyFile); r.code == 0 {
		t.Fatal("Italy countersigned a request it received")
	}
	r := runCLI(t, "", nil, "case", "countersign", id, "--data", us, "--by", "Bo Example (fictional)", "--key", keyFile)
	if r.code != 0 || !strings.Contains(r.stdout, "countersigned by Bo Example (fictional)") {
		t.Fatalf("countersign: %d %s %s", r.code, r.stdout, r.stderr)
	}
	testkit.Eventually(t, "the countersignature at Italy", func() bool {
		c, err := net.Node("IT").Cases.Confirm(ctx, id)
		return err == nil && c.Confirmed && strings.Contains(c.Countersigned, "Bo Example (fictional)")
	})
}
