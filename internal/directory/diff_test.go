package directory

import (
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
