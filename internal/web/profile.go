package web

import (
	"context"
	"net/http"
	"net/mail"
	"strings"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/users"
	"github.com/art35/art35/internal/web/i18n"
)

// The officer's profile: the phone and e-mail a new request gives as the
// officer's own (and as the person to call back), so that composing at
// 3 a.m. does not start with typing them. Stored in officer_profiles
// (migration 0060), with the portal language the officer chose (migration
// 0110; "" follows the browser).

// profile is an officer's own contact details and portal language.
type profile struct {
	Phone, Email string
	Language     string // "en", "fr", or "" for the browser's language
}

func loadProfile(ctx context.Context, db *store.DB, username string) (profile, error) {
	var p profile
	ok, err := store.Found(db.QueryRowContext(ctx, `SELECT phone, email, language FROM officer_profiles WHERE username = $1`, username).Scan(&p.Phone, &p.Email, &p.Language))
	if err != nil || !ok {
		return profile{}, err
	}
	return p, nil
}

// checkProfile names the field, the rule and the fix of what is wrong.
func checkProfile(p profile) error { return profileProblem(i18n.Default, p) }

// profileProblem is checkProfile's message in lang.
func profileProblem(lang string, p profile) error {
	if p.Phone != "" && !e164.MatchString(p.Phone) {
		return apperr.Errorf(apperr.EInvalid, "%s", i18n.T(lang, "profile.bad-phone", p.Phone))
	}
	if p.Language != "" && i18n.Supported(p.Language) != p.Language {
		return apperr.Errorf(apperr.EInvalid, "%s", i18n.T(lang, "profile.bad-language", p.Language))
	}
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			return apperr.Errorf(apperr.EInvalid, "%s", i18n.T(lang, "profile.bad-email", p.Email))
		}
	}
	return nil
}

func saveProfile(ctx context.Context, db *store.DB, username string, p profile, now string) error {
	if err := checkProfile(p); err != nil {
		return err
	}
	_, err := db.ExecContext(ctx, `INSERT INTO officer_profiles (username, phone, email, language, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (username) DO UPDATE SET phone = excluded.phone, email = excluded.email, language = excluded.language, updated_at = excluded.updated_at`,
		username, p.Phone, p.Email, p.Language, now)
	return store.MapError(err)
}

func (s *Server) profilePage(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	p, err := loadProfile(r.Context(), s.d.Users.DB, sess.Account.Username)
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	s.render(w, r, sess, "profile", map[string]any{"Title": T(r, "profile.title"), "P": p, "Languages": i18n.Languages, "Saved": r.URL.Query().Get("saved") == "1"})
}

func (s *Server) profileSave(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, sess, apperr.Errorf(apperr.EInvalid, "%s", T(r, "error.bad-form")))
		return
	}
	p := profile{Phone: strings.TrimSpace(r.PostForm.Get("phone")), Email: strings.TrimSpace(r.PostForm.Get("email")),
		Language: strings.TrimSpace(r.PostForm.Get("language"))}
	err := profileProblem(langOf(r), p)
	if err == nil {
		err = saveProfile(r.Context(), s.d.Users.DB, sess.Account.Username, p, store.FormatTime(s.d.Clock.Now()))
	}
	if err != nil {
		if apperr.Code(err) == apperr.EInternal {
			s.fail(w, r, sess, err)
			return
		}
		w.WriteHeader(http.StatusUnprocessableEntity)
		s.render(w, r, sess, "profile", map[string]any{"Title": T(r, "profile.title"), "P": p, "Languages": i18n.Languages, "Error": err.Error()})
		return
	}
	http.Redirect(w, r, "/profile?saved=1", http.StatusSeeOther)
}
