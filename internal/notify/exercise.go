package notify

import (
	"context"

	"github.com/art35/art35/internal/directory"
)

// ExerciseContacts tells, for a case, whether it is an exercise (its
// envelope carried the exercise flag) and, if so, whom this node tells
// about it: the exercise contacts the secretariat named for this node
// when it opened the exercise. package exercise answers it.
type ExerciseContacts interface {
	ExerciseContacts(ctx context.Context, requestID string) (contacts []directory.Person, exercise bool, err error)
}

// ExerciseRolePrefix marks the role of an exercise contact ("exercise
// primary"): Queue reaches such a person by e-mail only, never through
// the paging webhooks notify.toml routes by role.
const ExerciseRolePrefix directory.PersonRole = "exercise "

// IsExerciseRole reports whether a role is an exercise contact's.
func IsExerciseRole(r directory.PersonRole) bool {
	return len(r) >= len(ExerciseRolePrefix) && r[:len(ExerciseRolePrefix)] == ExerciseRolePrefix
}

// ForExercise filters the people a notification about requestID goes to.
// Real work goes to people unchanged (the roster). An exercise case goes
// to its exercise contacts instead, in the roles of the people they
// replace (prefixed "exercise ": e-mail only, no paging webhook), so that clocks and escalations run as for real but never page
// the real duty officer; an exercise without contacts for this node gets
// one placeholder with no channel, which Queue records as undeliverable
// (the gap shows, nobody real is told). A nil src changes nothing.
func ForExercise(ctx context.Context, src ExerciseContacts, requestID string, people []directory.Person) ([]directory.Person, error) {
	if src == nil {
		return people, nil
	}
	contacts, exercise, err := src.ExerciseContacts(ctx, requestID)
	if err != nil || !exercise {
		return people, err
	}
	role := ExerciseRolePrefix
	if len(people) > 0 {
		role += people[0].Role
	}
	if len(contacts) == 0 {
		return []directory.Person{{Name: "(exercise: no exercise contact named for this node)", Role: role}}, nil
	}
	out := make([]directory.Person, len(contacts))
	for i, c := range contacts {
		out[i] = directory.Person{Name: c.Name, Email: c.Email, Phone: c.Phone, Role: role}
	}
	return out, nil
}
