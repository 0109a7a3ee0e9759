package web

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/art35/art35/internal/users"
	"github.com/art35/art35/internal/web/i18n"
)

// The portal speaks English and French (package i18n holds the words). A
// signed-in person's language is the one chosen on their profile page;
// without a choice, and on the sign-in page, it is the browser's
// (Accept-Language). The auth wrapper works it out once per request and
// keeps it in the request's context.

type langKey struct{}

// withLang returns r carrying the language of the person signed in.
func (s *Server) withLang(r *http.Request, sess *users.Session) *http.Request {
	lang := ""
	if sess != nil {
		if p, err := loadProfile(r.Context(), s.d.Users.DB, sess.Account.Username); err == nil && p.Language != "" {
			lang = i18n.Supported(p.Language)
		}
	}
	if lang == "" {
		lang = i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"))
	}
	return r.WithContext(context.WithValue(r.Context(), langKey{}, lang))
}

// langOf is the language to answer r in.
func langOf(r *http.Request) string {
	if l, ok := r.Context().Value(langKey{}).(string); ok {
		return l
	}
	return i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"))
}

// T is a message of the catalogue in the language of r (Go-made strings:
// titles, flash messages, errors of the portal's own).
func T(r *http.Request, key string, args ...any) string {
	return i18n.T(langOf(r), key, args...)
}

// langFuncs are the template functions that speak, bound to one language.
func langFuncs(lang string) template.FuncMap {
	fm := speaking(lang)
	own := template.FuncMap{
		// t is a message: {{t "inbox.title"}}, {{t "signin.intro" .Party}}.
		"t": func(key string, args ...any) string { return i18n.T(lang, key, args...) },
		// tn is a plural message: {{tn "layout.pings-waiting" .Pings}}.
		"tn": func(key string, n any, args ...any) string { return i18n.N(lang, key, count(n), args...) },
		// jsWords are the js.* messages for portal.js, as JSON in a
		// <script type="application/json"> (data, never run).
		"jsWords": func() template.JS { return jsWords(lang) },
	}
	for k, v := range own {
		fm[k] = v
	}
	return fm
}

// jsWords is every js.* message of lang, keyed without the prefix.
func jsWords(lang string) template.JS {
	m := map[string]string{}
	for _, k := range i18n.Std().Keys(i18n.Default) {
		if rest, ok := strings.CutPrefix(k, "js."); ok {
			m[rest] = i18n.T(lang, k)
		}
	}
	b, _ := json.Marshal(m) // a map of strings always marshals
	return template.JS(b)
}

var (
	weekdays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	months   = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
)

// formatDate formats t with the Go layout the catalogue gives for
// layoutKey in lang ("date.day" is "Mon 2 Jan 2006" in English,
// "Mon 2 Jan 2006" with French names in French). Day and month names come
// from the catalogue (date.weekday.*, date.month.*), so a translator
// changes them without code.
func formatDate(lang, layoutKey string, t time.Time) string {
	layout := i18n.T(lang, layoutKey)
	if lang != "en" {
		layout = strings.ReplaceAll(layout, "Mon", "\x00W")
		layout = strings.ReplaceAll(layout, "Jan", "\x00M")
		s := t.Format(layout)
		s = strings.ReplaceAll(s, "\x00W", i18n.T(lang, "date.weekday."+weekdays[t.Weekday()]))
		return strings.ReplaceAll(s, "\x00M", i18n.T(lang, "date.month."+months[t.Month()-1]))
	}
	return t.Format(layout)
}

// refID finds the reference httperr.Public gives for a fault of ours.
var refID = regexp.MustCompile(`reference ([0-9a-f]{16})`)

// publicText is the message of httperr.Public in the person's language.
// The portal's own messages and the common ones of the packages below it
// (sign-in refused, too many attempts, a fault of ours) have catalogue
// texts; any other message of a package below is shown as it was written,
// in English.
func publicText(lang string, status int, msg string) string {
	switch {
	case status >= 500:
		if m := refID.FindStringSubmatch(msg); m != nil {
			return i18n.T(lang, "error.internal", m[1])
		}
	case msg == users.ErrSignIn:
		return i18n.T(lang, "signin.refused")
	case strings.HasPrefix(msg, "too many sign-in attempts"):
		return i18n.T(lang, "signin.too-many")
	case strings.HasPrefix(msg, "the node is busy checking other sign-ins"):
		return i18n.T(lang, "signin.busy")
	}
	return msg
}

// count is a template's number as an int (tn accepts any integer type).
func count(n any) int {
	v := reflect.ValueOf(n)
	switch {
	case v.CanInt():
		return int(v.Int())
	case v.CanUint():
		return int(v.Uint())
	}
	return 0
}
