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
	"github.com/art35/art35/internal/users"
	"github.com/art35/art35/internal/web/i18n"
)

var pages = []string{"signin", "error", "inbox", "request", "confirm_step", "compose_index", "compose", "preview", "directory", "party", "sources", "pings", "search", "attribute", "profile", "audit", "supervisor", "roster"}

// partials are the templates every page is parsed with: the layout and
// the parts more than one page (or a page and its live refresh) draws.
var partials = []string{"templates/layout.html", "templates/rows.html", "templates/roster_table.html", "templates/emergency.html"}

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
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, sess *users.Session, page string, data map[string]any) {
	lang := langOf(r)
	v := view{Party: s.d.Party, Session: sess, Zone: s.viewerZone(r), Now: s.d.Clock.Now(), Data: data, Page: page, Lang: lang}
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

const stamp = "2006-01-02 15:04 MST"

// showTimes writes a time in UTC, in the viewer's zone and, when given and
// different, in the sender's zone (SPEC section 6: all three).
func showTimes(t time.Time, viewer *time.Location, sender string) template.HTML {
	if t.IsZero() {
		return "—"
	}
	parts := []string{fmt.Sprintf(`<time datetime="%s">%s</time>`, t.UTC().Format(time.RFC3339), t.UTC().Format("2006-01-02 15:04:05 UTC"))}
	if viewer != nil && viewer != time.UTC && viewer.String() != "UTC" {
		parts = append(parts, template.HTMLEscapeString(t.In(viewer).Format(stamp))+" (you)")
	}
	if loc := zoneOf(sender); loc != nil && loc.String() != "UTC" && (viewer == nil || loc.String() != viewer.String()) {
		parts = append(parts, template.HTMLEscapeString(t.In(loc).Format(stamp))+" (sender, "+template.HTMLEscapeString(loc.String())+")")
	}
	return template.HTML(`<span class="times">` + strings.Join(parts, ` <span class="sep">·</span> `) + `</span>`)
}

// countdown says how long until (or since) a deadline, to the minute.
func countdown(due, now time.Time) string {
	if due.IsZero() {
		return ""
	}
	d := due.Sub(now)
	past := d < 0
	if past {
		d = -d
	}
	var s string
	switch {
	case d >= 48*time.Hour:
		s = fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
	case d >= time.Hour:
		s = fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	default:
		s = fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	if past {
		return "OVERDUE by " + s
	}
	return "in " + s
}

// verbs label the action buttons with what the person does.
var verbs = map[string]string{
	"acknowledged": "Acknowledge", "in-progress": "Mark in progress", "preserved": "Mark preserved",
	"disclosed": "Mark disclosed", "partially-executed": "Mark partly executed", "declined": "Decline",
	"postponed": "Postpone", "needs-info": "Ask for information", "closed": "Close",
}

var funcs = template.FuncMap{
	"verb": func(state any) string {
		if v, ok := verbs[fmt.Sprint(state)]; ok {
			return v
		}
		return fmt.Sprint(state)
	},
	"times":     showTimes,
	"stateName": func(st any) string { return word(stateNames, fmt.Sprint(st)) },
	"tone":      func(st any) string { return word(stateTone, fmt.Sprint(st)) },
	"typeName":  func(t any) string { return word(typeNames, fmt.Sprint(t)) },
	"priority":  func(p any) string { return word(priorityNames, fmt.Sprint(p)) },
	"codeWords": func(c any) string { return codeWords(request.AnswerCode(fmt.Sprint(c))) },
	"basis":     legalBasisWords,
	"handling":  func(h any) string { return word(handlingNames, fmt.Sprint(h)) },
	"clockName": func(c string) string { return word(clockNames, c) },
	"clockWhy":  clockSource,
	"deadline":  func(st string) string { return word(deadlineStatus, st) },
	"noteName":  func(k string) string { return word(noteNames, k) },
	"actorName": func(a any) string { return word(actorNames, fmt.Sprint(a)) },
	"enumWord":  func(v any) string { return word(enumWords, fmt.Sprint(v)) },
	"since": func(t, now time.Time) string {
		return strings.TrimPrefix(strings.TrimPrefix(countdown(now, t), "in "), "OVERDUE by ")
	},
	"headline":    func(e request.Evidence) string { h, _ := eventHeadline(e); return h },
	"showDetails": func(e request.Evidence) bool { _, d := eventHeadline(e); return d },
	"plain":       plainError,
	"auditKind":   func(k string) string { return word(auditKinds, k) },
	"inputTime":   inputTime,
	"optWord":     optionWords,
	"add":         func(a, b int) int { return a + b },
	"hasSuffix":   strings.HasSuffix,
	"trimPrefix":  strings.TrimPrefix,
	"unix":        func(sec int64) time.Time { return time.Unix(sec, 0).UTC() },
	"orNot": func(v any) string {
		if s := strings.TrimSpace(fmt.Sprint(v)); s != "" && s != "<nil>" {
			return s
		}
		return "not stated"
	},
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"posted": func(v any, to, name string) string {
		f, ok := v.(url.Values)
		if !ok || f.Get("to") != to {
			return ""
		}
		return f.Get(name)
	},
	"countdown": countdown,
	"overdue":   func(due, now time.Time) bool { return !due.IsZero() && due.Before(now) },
	"join":      strings.Join,
	"upper":     strings.ToUpper,
	"lower":     strings.ToLower,
	"canAct": func(s *users.Session) bool {
		return s != nil && s.Account.Role.CanAct()
	},
}
