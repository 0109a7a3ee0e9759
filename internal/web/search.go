package web

import (
	"net/http"
	"strings"

	"github.com/art35/art35/internal/users"
)

// The search page finds a case by what an officer has in hand at 3 a.m.:
// a reference (ours or the sender's), an IP address, an account, a
// domain, or a party code.

// searchHit is one case found, and why.
type searchHit struct {
	row
	Why string // "IP address 121.16.109.40", "sender's reference"
}

func (s *Server) searchPage(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	var hits []searchHit
	if q != "" {
		list, _, err := s.rows(r.Context(), inboxFilter{})
		if err != nil {
			s.fail(w, r, sess, err)
			return
		}
		needle := strings.ToLower(q)
		for _, row := range list {
			why := ""
			switch {
			case strings.Contains(strings.ToLower(row.ID), needle):
				why = T(r, "search.why-reference")
			case row.SenderRef != "" && strings.Contains(strings.ToLower(row.SenderRef), needle):
				why = T(r, "search.why-sender-ref")
			case strings.EqualFold(row.Party, q):
				why = T(r, "search.why-party")
			default:
				// Identifiers are in the request itself.
				c, err := s.d.Cases.Get(r.Context(), row.ID)
				if err != nil {
					continue
				}
				for _, id := range askedOf(langOf(r), c.Request).Identifiers {
					if strings.Contains(strings.ToLower(id.Value), needle) {
						why = id.Kind + " " + id.Value
						break
					}
				}
			}
			if why != "" {
				hits = append(hits, searchHit{row: row, Why: why})
			}
		}
	}
	s.render(w, r, sess, "search", map[string]any{"Title": T(r, "search.title"), "Q": q, "Hits": hits})
}
