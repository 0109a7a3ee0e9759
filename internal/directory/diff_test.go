package directory

import (
	"strings"
	"testing"
)

func TestDiffSnapshots(t *testing.T) {
	t.Parallel()
	old := exampleSnapshot(t)
	new := exampleSnapshot(t)
	if d := DiffSnapshots(old, new); !d.Empty() {
		t.Fatalf("identical snapshots differ: %+v", d)
	}
	new.Serial = 2
	it, _ := new.Party("IT")
	it.Protocol2.Status, it.Protocol2.Deposited = StatusParty, NewDate(2026, 3, 1)
	it.Authorities[0].Phone = "+00 39 555 0199"
	it.Authorities[0].People[1].Phone = "+00 39 555 0103"
	it.Authorities = append(it.Authorities, Authority{ID: "IT-EXT", Role: RoleExtradition})
	// Remove BJ's only authority and China, add France.
	bj, _ := new.Party("BJ")
	bj.Authorities = nil
	new.Parties = append(new.Parties[:1], Party{Code: "FR", Name: "France", Budapest: InstrumentStatus{Status: StatusParty}, Confidence: "confirmed"})
	new.Parties = append(new.Parties, *bj)
	new.AsOf = NewDate(2026, 12, 1)

	d := DiffSnapshots(old, new)
	if d.OldSerial != 0 || d.NewSerial != 2 {
		t.Errorf("serials %d %d", d.OldSerial, d.NewSerial)
	}
	want := func(what string, got, want []string) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: got %v, want %v", what, got, want)
			return
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: got %v, want %v", what, got, want)
			}
		}
	}
	want("parties added", d.PartiesAdded, []string{"FR"})
	want("parties removed", d.PartiesRemoved, []string{"CN"})
	want("authorities added", d.AuthoritiesAdded, []string{"IT/IT-EXT"})
	want("authorities removed", d.AuthoritiesRemoved, []string{"BJ/BJ-247"})
	if len(d.Snapshot) != 1 || d.Snapshot[0] != (Change{Path: "as_of", Old: "2026-11-01", New: "2026-12-01"}) {
		t.Errorf("snapshot changes %+v", d.Snapshot)
	}
	if len(d.PartiesChanged) != 1 || d.PartiesChanged[0].Key != "IT" {
		t.Fatalf("parties changed %+v", d.PartiesChanged)
	}
	wantChanges := []Change{
		{Path: "protocol2.deposited", Old: "", New: "2026-03-01"},
		{Path: "protocol2.status", Old: "signatory", New: "party"},
	}
	if got := d.PartiesChanged[0].Changes; len(got) != 2 || got[0] != wantChanges[0] || got[1] != wantChanges[1] {
		t.Errorf("IT changes %+v", got)
	}
	if len(d.AuthoritiesChanged) != 1 || d.AuthoritiesChanged[0].Key != "IT/IT-247" {
		t.Fatalf("authorities changed %+v", d.AuthoritiesChanged)
	}
	got := d.AuthoritiesChanged[0].Changes
	if len(got) != 2 || got[0] != (Change{Path: "people[Marco Prova].phone", Old: "+00 39 555 0102", New: "+00 39 555 0103"}) ||
		got[1] != (Change{Path: "phone", Old: "+00 39 555 0100", New: "+00 39 555 0199"}) {
		t.Errorf("IT-247 changes %+v", got)
	}
}

// TestDiffTreaties: a bilateral treaty entered by the secretariat opens a
// route, so the diff reports treaties added, removed and changed field by
// field, and the text form shows them.
func TestDiffTreaties(t *testing.T) {
	t.Parallel()
	old, new := exampleSnapshot(t), exampleSnapshot(t)
	keep := Treaty{ID: "IT-CN-MLAT", Title: "Treaty on Mutual Legal Assistance (test entry)", Parties: []string{"IT", "CN"},
		InForce: NewDate(2026, 1, 1), Types: []string{"preserve"}, Article: "Art. 1"}
	gone := Treaty{ID: "BJ-IT-MLAT", Title: "Old treaty (test entry)", Parties: []string{"BJ", "IT"}, InForce: NewDate(2020, 1, 1), Types: []string{"mla-followup"}}
	old.Treaties = []Treaty{keep, gone}
	changed := keep
	changed.Types = []string{"preserve", "emergency-mla"}
	changed.InForce = NewDate(2026, 2, 1)
	added := Treaty{ID: "CN-BJ-MLAT", Title: "New treaty (test entry)", Parties: []string{"CN", "BJ"}, InForce: NewDate(2026, 6, 1), Types: []string{"preserve"}}
	new.Treaties = []Treaty{changed, added}

	d := DiffSnapshots(old, new)
	if d.Empty() {
		t.Fatal("a diff with treaty changes says it is empty")
	}
	if len(d.TreatiesAdded) != 1 || d.TreatiesAdded[0] != "CN-BJ-MLAT" {
		t.Errorf("treaties added %v", d.TreatiesAdded)
	}
	if len(d.TreatiesRemoved) != 1 || d.TreatiesRemoved[0] != "BJ-IT-MLAT" {
		t.Errorf("treaties removed %v", d.TreatiesRemoved)
	}
	if len(d.TreatiesChanged) != 1 || d.TreatiesChanged[0].Key != "IT-CN-MLAT" {
		t.Fatalf("treaties changed %+v", d.TreatiesChanged)
	}
	wantChanges := []Change{
		{Path: "in_force", Old: "2026-01-01", New: "2026-02-01"},
		{Path: "types", Old: "preserve", New: "preserve, emergency-mla"},
	}
	got := d.TreatiesChanged[0].Changes
	if len(got) != len(wantChanges) || got[0] != wantChanges[0] || got[1] != wantChanges[1] {
		t.Errorf("IT-CN-MLAT changes %+v", got)
	}
	var b strings.Builder
	if err := d.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"+ treaty CN-BJ-MLAT", "- treaty BJ-IT-MLAT", "~ treaty IT-CN-MLAT", `    types: "preserve" -> "preserve, emergency-mla"`} {
		if !strings.Contains(b.String(), line+"\n") {
			t.Errorf("text lacks %q:\n%s", line, b.String())
		}
	}
	// Only the treaties changed: nothing else is reported.
	if len(d.PartiesChanged)+len(d.AuthoritiesChanged)+len(d.Snapshot) != 0 {
		t.Errorf("unrelated changes reported: %+v", d)
	}
}
