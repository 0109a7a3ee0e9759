package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/stats"
)

// ExerciseInfo is what the EXERCISE banner shows (package exercise
// answers it through Deps.Exercise).
type ExerciseInfo struct {
	ID, Name string
	// Case says the banner is shown because the page's case is an
	// exercise case; otherwise the node takes part in an open exercise.
	Case bool
	// Closed: the case's exercise is closed; Archived: the case was
	// archived when it closed.
	Closed, Archived bool
}

// ExerciseFunc answers, for a page (caseID is the case of a /requests/
// page, "" elsewhere), whether to show the EXERCISE banner and what it
// says.
type ExerciseFunc func(ctx context.Context, caseID string) (ExerciseInfo, bool, error)

// exerciseBanner is the banner of the page r asks for, nil for none. A
// failed look-up is logged and shows the banner without details: a drill
// must never look like real work for want of a query.
func (s *Server) exerciseBanner(r *http.Request) *ExerciseInfo {
	if s.d.Exercise == nil {
		return nil
	}
	caseID := ""
	if strings.HasPrefix(r.URL.Path, "/requests/") {
		caseID = r.PathValue("id")
	}
	info, ok, err := s.d.Exercise(r.Context(), caseID)
	if err != nil {
		s.d.Log.Error("portal: exercise banner", "case", caseID, "err", err)
		return &ExerciseInfo{Name: T(r, "exercise.no-details")}
	}
	if !ok {
		return nil
	}
	return &info
}

var exerciseIDPattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{2,39}$`)

// exerciseStats reads ?exercise=ID of the statistics page: that
// exercise's own figures.
func exerciseStats(id string, q *stats.Query, f *statsForm) error {
	if id == "" {
		return nil
	}
	f.ExerciseID = id
	if !exerciseIDPattern.MatchString(id) {
		return apperr.Errorf(apperr.EInvalid, "exercise: %q is not an exercise id (3-40 characters of A-Z, 0-9 and -, e.g. EX-2026-BLUE)", id)
	}
	f.Exercise = true
	q.Scope, q.Exercise = stats.ScopeExercise, id
	return nil
}

// letterExercise is the exercise mark of a case's letter: its exercise
// id, "DRILL" for an exercise case of no known exercise, "" for real
// work (only the case's own exercise counts, not the node's).
func (s *Server) letterExercise(r *http.Request) string {
	b := s.exerciseBanner(r)
	if b == nil || !b.Case {
		return ""
	}
	if b.ID == "" {
		return "DRILL"
	}
	return b.ID
}
