package stats

import "github.com/art35/art35/internal/apperr"

// The exercise filters. A request, evidence or ping of an exercise
// carries the envelope's exercise flag, and package exercise names its
// exercise in exercise_messages (by message id). A report of real work
// leaves out every flagged request and every ping of an exercise; a
// report of exercises (ScopeExercise) counts them alone, and with
// Query.Exercise only those of that exercise.

// exerciseJoin names, as x, the exercise of a request (x.exercise_id is
// NULL when none is named).
const exerciseJoin = ` LEFT JOIN exercise_messages x ON x.message_id = r.message_id`

// pingFilter returns the SQL condition (on alias p, a ping table with a
// message_id) that keeps the pings of q's scope, and its argument.
func pingFilter(q Query, next int) (string, []any) {
	switch {
	case q.Scope == ScopeReal:
		return ` AND NOT EXISTS (SELECT 1 FROM exercise_messages x WHERE x.message_id = p.message_id)`, nil
	case q.Exercise != "":
		return ` AND EXISTS (SELECT 1 FROM exercise_messages x WHERE x.message_id = p.message_id AND x.exercise_id = $` + itoa(next) + `)`, []any{q.Exercise}
	}
	return ` AND EXISTS (SELECT 1 FROM exercise_messages x WHERE x.message_id = p.message_id)`, nil
}

// keepCase says whether a case counts in q's scope; the second result
// names what it counts as when left out.
func keepCase(q Query, c *caseFacts) (bool, string) {
	switch {
	case c.exercise && q.Scope == ScopeReal:
		return false, "exercise"
	case !c.exercise && q.Scope == ScopeExercise:
		return false, "real"
	case q.Exercise != "" && c.exerciseID != q.Exercise:
		return false, "exercise"
	}
	return true, ""
}

// checkExercise fills the scope an exercise id implies.
func checkExercise(q *Query) error {
	if q.Exercise == "" {
		return nil
	}
	if q.Scope == ScopeReal {
		return apperr.Errorf(apperr.EInvalid, "exercise: an exercise's figures are never real work; leave the scope out or set it to exercise")
	}
	q.Scope = ScopeExercise
	return nil
}
