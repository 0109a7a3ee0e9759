package web

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/ipdb"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/triage"
	"github.com/art35/art35/internal/users"
)

// Compose from what the officer holds: IP addresses with their times,
// pasted from a log or an e-mail. They are attributed (package ipdb,
// through triage, the same code as "art35 triage"), grouped by country
// and operator, the legal route to each country is shown, and each
// country with a route gets one prefilled preservation request to review.

// maxPaste bounds what one paste may hold; bigger logs go through
// "art35 triage".
const maxPaste = 1 << 20

// Wording a preservation from attributed addresses usually needs; the
// officer reads and may change both before sending.
const (
	draftRelation  = "the addresses were used for the offence at the times given; the operator's records show which subscriber used each address at that time"
	draftNecessity = "operators keep connection records for a short time only; without preservation they are erased before a mutual legal assistance request can arrive"
)

// attributedCountry is one country of the attribution page.
type attributedCountry struct {
	Code, Name string
	UniqueIPs  int
	Route      *triage.Route
	IPs        []triage.IPRow
	Draft      string // the draft request (JSON) when a route exists
}

func (s *Server) attributePage(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	s.render(w, r, sess, "attribute", map[string]any{"Title": T(r, "attribute.title")})
}

func (s *Server) attribute(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	r.Body = http.MaxBytesReader(w, r.Body, 2*maxPaste+64<<10)
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(maxPaste)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		s.fail(w, r, sess, apperr.Errorf(apperr.EInvalid, "%s", T(r, "attribute.too-big")))
		return
	}
	text := r.PostForm.Get("addresses")
	// A log file dropped on the page (or chosen) is read as if pasted.
	if f, _, err := r.FormFile("log"); err == nil {
		b, err := io.ReadAll(io.LimitReader(f, maxPaste+1))
		f.Close()
		if err != nil || len(b) > maxPaste {
			s.fail(w, r, sess, apperr.Errorf(apperr.EInvalid, "%s", T(r, "attribute.log-too-big")))
			return
		}
		text = strings.TrimSpace(text + "\n" + string(b))
	}
	data := map[string]any{"Title": T(r, "attribute.title"), "Addresses": text}
	if strings.TrimSpace(text) == "" {
		data["Error"] = T(r, "attribute.none")
		w.WriteHeader(http.StatusUnprocessableEntity)
		s.render(w, r, sess, "attribute", data)
		return
	}
	ctx := r.Context()
	now := s.d.Clock.Now()
	res, err := (&triage.Scanner{Workers: 1}).Scan(ctx, []triage.Input{{Name: "pasted", R: strings.NewReader(text), Size: int64(len(text))}})
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	db, err := s.ips.open(s.d.IPData, now)
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	snap, err := s.d.Directory(ctx)
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	rep := triage.Summarize(res, db, triage.Options{From: s.d.Party, Type: request.TypePreserve, Now: now, Directory: snap, Addresses: true})
	requesting := triage.Requesting(snap, s.d.Party)
	var countries []attributedCountry
	for _, c := range rep.Countries {
		ac := attributedCountry{Code: c.Country, Name: c.Name, UniqueIPs: c.UniqueIPs, Route: c.Route, IPs: c.IPs()}
		if d, ok := triage.Draft(rep, c, requesting, now); ok {
			d.Preserve.Relation, d.Preserve.Necessity = draftRelation, draftNecessity
			if doc, err := json.Marshal(d); err == nil {
				ac.Draft = string(doc)
			}
		}
		countries = append(countries, ac)
	}
	data["Report"], data["Countries"] = rep, countries
	s.render(w, r, sess, "attribute", data)
}

// composeDraft opens the compose form filled from a draft request (from
// the attribution page): every identifier, the country, the legal basis;
// the officer's defaults fill the rest.
func (s *Server) composeDraft(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	r.Body = http.MaxBytesReader(w, r.Body, maxPaste)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, sess, apperr.Errorf(apperr.EInvalid, "%s", T(r, "attribute.draft-too-big")))
		return
	}
	vals, err := flatten([]byte(r.PostForm.Get("draft")))
	if err != nil {
		s.fail(w, r, sess, apperr.Errorf(apperr.EInvalid, "%s", T(r, "attribute.draft-bad", err)))
		return
	}
	t := request.TypePreserve
	fields, _ := FormFields(t)
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	fields = expandFields(fields, keys)
	s.defaults(r.Context(), fields, t, sess, s.viewerZone(r))
	for i := range fields {
		if v, ok := vals[fields[i].Path]; ok && v != "" && !fixedPaths[fields[i].Path] && !strings.HasPrefix(fields[i].Path, "requesting.") {
			fields[i].Value = v
		}
	}
	s.renderCompose(w, r, sess, t, fields, nil, http.StatusOK)
}

// ipCache keeps the opened IP data: opening decodes megabytes, too slow
// for every paste. It is reopened after ipReopen so that data imported
// with "art35 ipdb import" is used without a restart.
type ipCache struct {
	mu sync.Mutex
	db *ipdb.DB
	at time.Time
}

const ipReopen = 10 * time.Minute

func (c *ipCache) open(dir string, now time.Time) (*ipdb.DB, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.db != nil && now.Sub(c.at) < ipReopen && !now.Before(c.at) {
		return c.db, nil
	}
	db, err := ipdb.Open(dir)
	if err != nil {
		return nil, err
	}
	c.db, c.at = db, now
	return db, nil
}
