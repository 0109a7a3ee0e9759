package notify_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/notify"
	"github.com/art35/art35/internal/notify/notifytest"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

type contactsFunc func(ctx context.Context, id string) ([]directory.Person, bool, error)

func (f contactsFunc) ExerciseContacts(ctx context.Context, id string) ([]directory.Person, bool, error) {
	return f(ctx, id)
}

func TestForExercise(t *testing.T) {
	ctx := context.Background()
	roster := []directory.Person{{Name: "Paola Esempio (fictional)", Role: directory.Primary, Email: "duty@example.org"}}
	drill := contactsFunc(func(_ context.Context, id string) ([]directory.Person, bool, error) {
		switch id {
		case "EX-1":
			return []directory.Person{{Name: "Ivo Esercizio (fictional)", Email: "ivo@example.org"}}, true, nil
		case "EX-NONE":
			return nil, true, nil
		case "BROKEN":
			return nil, false, errors.New("database gone")
		}
		return nil, false, nil
	})
	if got, err := notify.ForExercise(ctx, nil, "EX-1", roster); err != nil || len(got) != 1 || got[0].Name != roster[0].Name {
		t.Fatalf("without a source: %+v %v", got, err)
	}
	if got, err := notify.ForExercise(ctx, drill, "REAL-1", roster); err != nil || len(got) != 1 || got[0].Name != roster[0].Name || got[0].Role != roster[0].Role {
		t.Fatalf("real work: %+v %v", got, err)
	}
	got, err := notify.ForExercise(ctx, drill, "EX-1", roster)
	if err != nil || len(got) != 1 || got[0].Name != "Ivo Esercizio (fictional)" || got[0].Email != "ivo@example.org" ||
		got[0].Role != "exercise primary" || !notify.IsExerciseRole(got[0].Role) {
		t.Fatalf("exercise case: %+v %v", got, err)
	}
	got, err = notify.ForExercise(ctx, drill, "EX-NONE", roster)
	if err != nil || len(got) != 1 || got[0].Email != "" || got[0].Phone != "" || !notify.IsExerciseRole(got[0].Role) {
		t.Fatalf("exercise without contacts must reach nobody real: %+v %v", got, err)
	}
	if _, err := notify.ForExercise(ctx, drill, "BROKEN", roster); err == nil {
		t.Fatal("a failed look-up passed")
	}
	if notify.IsExerciseRole(directory.Primary) {
		t.Fatal("the roster's primary is an exercise role")
	}
}

// TestExerciseContactNeverPaged: a catch-all paging webhook that would
// reach any person on the roster is not called for an exercise contact;
// the contact's e-mail is the only channel recorded (both engines).
func TestExerciseContactNeverPaged(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewManual(t0)
		hook := notifytest.StartHook(t, nil, clk.Now)
		n, pub := newNotifier(t, db, clk, settings(t, "[[webhook]]\nurl = \""+hook.URL+"\"\n", nil))
		hook.Pub = pub
		ctx := context.Background()
		drill, err := notify.ForExercise(ctx, contactsFunc(func(context.Context, string) ([]directory.Person, bool, error) {
			return []directory.Person{{Name: "Ivo Esercizio (fictional)", Email: "ivo@example.org"}}, true, nil
		}), "EX-R1", []directory.Person{{Name: "Paola Esempio (fictional)", Role: directory.Primary}})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := n.Queue(ctx, tx, drill[0], notify.Message{RequestID: "EX-R1", Action: "notify", Subject: "Due: EX-R1", Text: "a drill"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		list, err := notify.List(ctx, db, "EX-R1")
		if err != nil || len(list) != 1 || list[0].Channel != notify.ChannelEmail || list[0].Address != "ivo@example.org" {
			t.Fatalf("exercise contact's notifications: %+v %v", list, err)
		}
		// The same webhook does page a person of the roster.
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := n.Queue(ctx, tx, directory.Person{Name: "Paola Esempio (fictional)", Role: directory.Primary}, notify.Message{RequestID: "R2", Action: "notify", Subject: "Due: R2", Text: "real"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if st := statuses(t, db, "R2"); len(st) != 1 || st[0] != "webhook:pending" {
			t.Fatalf("roster person's notifications: %v", st)
		}
	})
}
