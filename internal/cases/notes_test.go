package cases_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/testkit"
)

// TestNotes: a note fits only the states the lifecycle allows it in; a
// sent negative acknowledgement reaches the requester as a note; a note
// that the protocol cannot carry is refused before anything is stored;
// and a failing change rolls the note back.
func TestNotes(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(t0)
	net := start(t, store.SQLite, clk)
	us, it := net.Node("US").Cases, net.Node("IT").Cases
	ctx := context.Background()
	id := sendDelivered(t, us, it, preserveDoc(t))
	// Both sides: Italy stores the case before it answers the POST, and the
	// US records "delivered" only when that answer arrives, so Italy being
	// delivered says nothing yet of the US's state checked below.
	waitState(t, us, id, request.StateDelivered)
	clk.Advance(time.Minute)

	for _, tc := range []struct {
		name string
		spec cases.NoteSpec
		want string
	}{
		{"reminder before preserved", cases.NoteSpec{Kind: request.NoteReminder, By: "IT-247", Details: "14 days"}, apperr.EConflict},
		{"unknown kind", cases.NoteSpec{Kind: "gossip", By: "IT-247"}, apperr.EInvalid},
		{"nobody", cases.NoteSpec{Kind: request.NoteEscalated}, apperr.EInvalid},
		{"escalation cannot be sent", cases.NoteSpec{Kind: request.NoteEscalated, By: "IT-247", Details: "backup", Send: true}, apperr.EInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := it.Note(ctx, id, tc.spec, nil); !apperr.Is(err, tc.want) {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
	boom := errors.New("boom")
	if _, err := it.Note(ctx, id, cases.NoteSpec{Kind: request.NoteEscalated, By: "IT-247", Details: "backup"}, func(*sql.Tx) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("failing change: %v", err)
	}
	if got, _ := it.Get(ctx, id); len(got.Lifecycle.All(request.NoteEscalated)) != 0 {
		t.Fatal("a note whose change failed was kept")
	}
	if _, err := it.Note(ctx, id, cases.NoteSpec{Kind: request.NoteEscalated, By: "IT-247", Details: "backup"}, nil); err != nil {
		t.Fatal(err)
	}
	ev, err := it.Note(ctx, id, cases.NoteSpec{Kind: request.NoteNegativeAck, By: "IT-247", Details: "requester", Send: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got *cases.Case
	testkit.Eventually(t, "the negative evidence to reach the requester", func() bool {
		got, err = us.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return len(got.Lifecycle.All(request.NoteNegativeAck)) == 1
	})
	if n := got.Lifecycle.All(request.NoteNegativeAck); n[0].By != "IT-247" || !n[0].At.Equal(ev.At) || got.Lifecycle.State != request.StateDelivered {
		t.Fatalf("negative-ack at the requester: %+v, state %s", n[0], got.Lifecycle.State)
	}
	if len(got.Lifecycle.All(request.NoteEscalated)) != 0 {
		t.Fatal("a local escalation note reached the requester")
	}
	open, err := it.Open(ctx)
	if err != nil || len(open) != 1 || open[0] != id {
		t.Fatalf("open = %v, %v", open, err)
	}
}
