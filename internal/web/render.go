package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
	"github.com/art35/art35/internal/users"
	"github.com/art35/art35/internal/web/i18n"
)

var pages = []string{"signin", "error", "inbox", "request", "confirm_step", "compose_index", "compose", "preview", "directory", "party", "sources", "pings", "search", "attribute", "profile", "audit", "supervisor", "roster", "watches", "watch", "transfers"}

// partials are the templates every page is parsed with: the layout and
// the parts more than one page (or a page and its live refresh) draws.
var partials = []string{"templates/layout.html", "templates/exercise_banner.html", "templates/rows.html", "templates/roster_table.html", "templates/emergency.html"}

// parseTemplates parses every page once per language: the functions that
// speak (t, tn, stateName, times, ...) are bound to that language, so a
// template says {{t "inbox.title"}} without passing the language around.
func (s *Server) parseTemplates() error {
	if err := i18n.Check(); err != nil {
		return fmt.Errorf("web: message catalogue: %w", err)
	}
	s.tmpl = map[string]map[string]*template.Template{}
	for _, lang := range i18n.Languages {
		s.tmpl[lang] = map[string]*template.Template{}
		fm := langFuncs(lang)
		for _, p := range pages {
			files := append(slices.Clone(partials), "templates/"+p+".html")
			t, err := template.New("layout.html").Funcs(funcs).Funcs(fm).ParseFS(templateFS, files...)
			if err != nil {
				return fmt.Errorf("web: template %s: %w", p, err)
			}
			s.tmpl[lang][p] = t
		}
	}
	return nil
}

// view is what every page template receives.
type view struct {
	Party   string
	Session *users.Session
	Zone    *time.Location // the viewer's
	Now     time.Time
	Data    map[string]any
	Title   string
	Page    string
	Lang    string // "en" or "fr": <html lang>, and what the functions speak
	// Pings waiting for an answer on this node, shown in the navigation
	// of every page so nobody misses one.
	Pings int
	// Exercise is the EXERCISE banner of the page, nil for none (exercise.go).
	Exercise *ExerciseInfo
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, sess *users.Session, page string, data map[string]any) {
	lang := langOf(r)
	v := view{Party: s.d.Party, Session: sess, Zone: s.viewerZone(r), Now: s.d.Clock.Now(), Data: data, Page: page, Lang: lang, Exercise: s.exerciseBanner(r)}
	if t, ok := data["Title"].(string); ok {
		v.Title = t
	}
	if sess != nil && s.d.Pings != nil {
		if list, err := s.d.Pings.Challenges(r.Context(), false); err == nil {
			v.Pings = len(list)
		}
	}
	var buf bytes.Buffer
	if err := s.tmpl[lang][page].ExecuteTemplate(&buf, "layout.html", v); err != nil {
		s.d.Log.Error("portal: render", "page", page, "err", err)
		http.Error(w, i18n.T(lang, "layout.render-failed"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

// renderPart executes one named template (an htmx fragment).
func (s *Server) renderPart(w http.ResponseWriter, r *http.Request, page, name string, data map[string]any) {
	s.renderPartSession(w, r, nil, page, name, data)
}

// renderPartSession is renderPart for a fragment that depends on who is
// signed in (the actions of a request).
func (s *Server) renderPartSession(w http.ResponseWriter, r *http.Request, sess *users.Session, page, name string, data map[string]any) {
	lang := langOf(r)
	v := view{Party: s.d.Party, Session: sess, Zone: s.viewerZone(r), Now: s.d.Clock.Now(), Data: data, Page: page, Lang: lang}
	var buf bytes.Buffer
	if err := s.tmpl[lang][page].ExecuteTemplate(&buf, name, v); err != nil {
		s.d.Log.Error("portal: render", "part", name, "err", err)
		http.Error(w, i18n.T(lang, "layout.render-failed"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

// viewerZone is the zone the browser reported (portal.js sets the
// cookie), or UTC when it did not or named no real zone.
func (s *Server) viewerZone(r *http.Request) *time.Location {
	if c, err := r.Cookie(ZoneCookie); err == nil && len(c.Value) < 100 {
		name, err := url.QueryUnescape(c.Value)
		if err == nil {
			if loc := zoneOf(name); loc != nil {
				return loc
			}
		}
	}
	return time.UTC
}

// zoneOf loads an IANA zone, nil when unknown.
func zoneOf(name string) *time.Location {
	if name == "" || name == "Local" || len(name) > 64 {
		return nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	return loc
}

// showTimes writes a time in UTC, in the viewer's zone and, when given and
// different, in the sender's zone (SPEC section 6: all three), in the
// language's date format.
func showTimes(lang string, t time.Time, viewer *time.Location, sender string) template.HTML {
	if t.IsZero() {
		return "—"
	}
	parts := []string{fmt.Sprintf(`<time datetime="%s">%s</time>`, t.UTC().Format(time.RFC3339), template.HTMLEscapeString(formatDate(lang, "date.utc", t.UTC())))}
	if viewer != nil && viewer != time.UTC && viewer.String() != "UTC" {
		parts = append(parts, template.HTMLEscapeString(i18n.T(lang, "words.time-you", formatDate(lang, "date.stamp", t.In(viewer)))))
	}
	if loc := zoneOf(sender); loc != nil && loc.String() != "UTC" && (viewer == nil || loc.String() != viewer.String()) {
		parts = append(parts, template.HTMLEscapeString(i18n.T(lang, "words.time-sender", formatDate(lang, "date.stamp", t.In(loc)), loc.String())))
	}
	return template.HTML(`<span class="times">` + strings.Join(parts, ` <span class="sep">·</span> `) + `</span>`)
}

// span says a length of time to the minute (or second): "2h 05m".
func span(lang string, d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return i18n.T(lang, "words.span-days", int(d.Hours())/24, int(d.Hours())%24)
	case d >= time.Hour:
		return i18n.T(lang, "words.span-hours", int(d.Hours()), fmt.Sprintf("%02d", int(d.Minutes())%60))
	default:
		return i18n.T(lang, "words.span-minutes", int(d.Minutes()), fmt.Sprintf("%02d", int(d.Seconds())%60))
	}
}

// countdown says how long until (or since) a deadline, to the minute.
func countdown(lang string, due, now time.Time) string {
	if due.IsZero() {
		return ""
	}
	d := due.Sub(now)
	if d < 0 {
		return i18n.T(lang, "words.overdue", span(lang, -d))
	}
	return i18n.T(lang, "words.in", span(lang, d))
}

var funcs = template.FuncMap{
	"tone":       func(st any) string { return tone(fmt.Sprint(st)) },
	"inputTime":  inputTime,
	"add":        func(a, b int) int { return a + b },
	"hasSuffix":  strings.HasSuffix,
	"trimPrefix": strings.TrimPrefix,
	"unix":       func(sec int64) time.Time { return time.Unix(sec, 0).UTC() },
	"iso":        func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"posted": func(v any, to, name string) string {
		f, ok := v.(url.Values)
		if !ok || f.Get("to") != to {
			return ""
		}
		return f.Get(name)
	},
	"overdue": func(due, now time.Time) bool { return !due.IsZero() && due.Before(now) },
	"join":    strings.Join,
	"upper":   strings.ToUpper,
	"lower":   strings.ToLower,
	"canAct": func(s *users.Session) bool {
		return s != nil && s.Account.Role.CanAct()
	},
}

// speaking are the template functions that turn data into words, bound to
// one language (langFuncs adds them with t and tn).
func speaking(lang string) template.FuncMap {
	w := func(kind string) func(v any) string {
		return func(v any) string { return word(lang, kind, fmt.Sprint(v)) }
	}
	return template.FuncMap{
		"verb": w("verb"),
		"times": func(t time.Time, viewer *time.Location, sender string) template.HTML {
			return showTimes(lang, t, viewer, sender)
		},
		"stateName":   w("state"),
		"typeName":    w("type"),
		"priority":    w("priority"),
		"codeWords":   func(c any) string { return codeWords(lang, request.AnswerCode(fmt.Sprint(c))) },
		"basis":       func(lb request.LegalBasis) string { return legalBasisWords(lang, lb) },
		"handling":    w("handling"),
		"clockName":   w("clock"),
		"clockWhy":    func(d request.Deadline, p request.Priority) string { return clockSource(lang, d, p) },
		"deadline":    w("deadline"),
		"noteName":    w("note"),
		"actorName":   w("actor"),
		"enumWord":    w("enum"),
		"relName":     w("rel"),
		"instStatus":  w("inststatus"),
		"reservation": w("reservation"),
		"authRole":    w("authrole"),
		"personRole":  w("words.duty"),
		"dutyRole":    w("words.duty"),
		"dutyWord":    w("duty"),
		"dimension":   w("stats.by"),
		"meaning":     func(from, to any) string { return word(lang, "meaning", fmt.Sprint(from)+"."+fmt.Sprint(to)) },
		"since": func(t, now time.Time) string {
			if now.Before(t) {
				return span(lang, t.Sub(now))
			}
			return span(lang, now.Sub(t))
		},
		"headline":     func(e request.Evidence) string { h, _ := eventHeadline(lang, e); return h },
		"showDetails":  func(e request.Evidence) bool { _, d := eventHeadline(lang, e); return d },
		"plain":        plainError,
		"problem":      func(p request.Problem) string { return problemText(lang, p) },
		"routeSummary": func(d *route.Decision) string { return routeSummary(lang, d) },
		"findingName":  func(f route.Finding) string { return findingName(lang, f) },
		"recipient":    w("recipient"),
		"article":      func(a string) string { return articleWords(lang, a) },
		"auditKind": func(k string) string {
			if s, ok := i18n.Lookup(lang, "auditkind."+k); ok {
				return s
			}
			if s, ok := auditKinds[k]; ok {
				return s
			}
			return k
		},
		"optWord": func(path, v string) string { return optionWords(lang, path, v) },
		"orNot": func(v any) string {
			if s := strings.TrimSpace(fmt.Sprint(v)); s != "" && s != "<nil>" {
				return s
			}
			return i18n.T(lang, "words.not-stated")
		},
		"countdown": func(due, now time.Time) string { return countdown(lang, due, now) },
		"dateIn":    func(t time.Time, loc *time.Location) string { return formatDate(lang, "date.day", t.In(loc)) },
		"yesNo":     func(b bool) string { return yesNo(lang, b) },
	}
}
