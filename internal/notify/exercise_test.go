package notify_test

import (
	"context"
	"errors"
	"testing"

	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/notify"
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
