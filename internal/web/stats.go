package web

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/stats"
	"github.com/art35/art35/internal/users"
)

// The statistics page registers its template and functions here rather
// than in render.go, so that it stays one file (and one route line in
// server.go).
func init() {
	pages = append(pages, "stats")
	funcs["percent"] = stats.Percent
	funcs["codes"] = stats.Codes
	funcs["list"] = func(s ...string) []string { return s }
	// statsJSON is the link to the page's figures as JSON. It is built
	// here from the parsed form (dates and a known grouping only), so it
	// is safe to give the template as a URL.
	funcs["statsJSON"] = func(f statsForm) template.URL {
		v := url.Values{"from": {f.From}, "to": {f.To}, "by": {f.By}, "format": {"json"}}
		if f.Exercise {
			v.Set("scope", string(stats.ScopeExercise))
		}
		if f.ExerciseID != "" {
			v.Set("exercise", f.ExerciseID)
		}
		return template.URL("/stats?" + v.Encode())
	}
}

// statsPage shows the node's statistics (package stats) for a period,
// grouped by country, type or priority, of real work or of exercises.
// With ?format=json (or Accept: application/json) it answers the same
// report as JSON, the figures "art35 stats --json" prints. Every signed-in
// person may see it: the figures hold no personal data.
func (s *Server) statsPage(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	q, form, err := statsQuery(r, s.d.Clock.Now())
	asJSON := r.URL.Query().Get("format") == "json" || strings.Contains(r.Header.Get("Accept"), "application/json")
	var rep *stats.Report
	if err == nil {
		rep, err = stats.New(s.d.Cases.DB, s.d.Clock).Compute(r.Context(), q)
	}
	if asJSON {
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(apperr.HTTPStatus(apperr.Code(err)))
			_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error(), "code": string(apperr.Code(err))})
			return
		}
		_ = json.NewEncoder(w).Encode(rep)
		return
	}
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	s.render(w, r, sess, "stats", map[string]any{"Title": T(r, "stats.title"), "Report": rep, "Form": form,
		"Dimensions": []stats.Dimension{stats.ByCountry, stats.ByType, stats.ByPriority, stats.ByOffence}})
}

// statsForm is what the page's filter form shows.
type statsForm struct {
	From, To, By string
	Exercise     bool
	// ExerciseID reports that exercise alone (exercise.go).
	ExerciseID string
}

// statsQuery reads the period (dates, UTC; the "to" day is included),
// grouping and scope from the URL. Without dates the page shows the
// current calendar year up to now.
func statsQuery(r *http.Request, now time.Time) (stats.Query, statsForm, error) {
	v := r.URL.Query()
	f := statsForm{From: v.Get("from"), To: v.Get("to"), By: v.Get("by"), Exercise: v.Get("scope") == string(stats.ScopeExercise)}
	var q stats.Query
	var err error
	if q.By, err = stats.ParseDimension(f.By); err != nil {
		return q, f, err
	}
	f.By = string(q.By)
	if f.From == "" && f.To == "" {
		f.From = time.Date(now.Year(), 1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	if f.From != "" {
		if q.From, err = time.Parse(time.DateOnly, f.From); err != nil {
			return q, f, apperr.Errorf(apperr.EInvalid, "%s", T(r, "stats.bad-from", f.From))
		}
	}
	if f.To != "" {
		t, err := time.Parse(time.DateOnly, f.To)
		if err != nil {
			return q, f, apperr.Errorf(apperr.EInvalid, "%s", T(r, "stats.bad-to", f.To))
		}
		q.To = t.AddDate(0, 0, 1)
	}
	q.Scope = stats.ScopeReal
	if f.Exercise {
		q.Scope = stats.ScopeExercise
	}
	if err := exerciseStats(v.Get("exercise"), &q, &f); err != nil { // exercise.go
		return q, f, err
	}
	return q, f, nil
}
