package web

import (
	"net/http"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/users"
)

// The audit log of one case: every record this node's tamper-evident log
// holds for it (received, sent, steps, who read it and why), and the proof
// bundle a court or a peer can check offline ("art35 audit check").

// auditRow is one record of the case's audit log.
type auditRow struct {
	Index                  int64
	Kind, Actor, MessageID string
	At                     time.Time
	Digest                 string
}

// auditKinds say what a record is, in words.
var auditKinds = map[string]string{
	"envelope-sent": "Message sent", "envelope-received": "Message received", "receipt-sent": "Receipt given",
	"receipt-received": "Receipt received", "evidence": "Step recorded", "data-read": "Read by a person",
	"data-export": "Exported", "data-forward": "Passed on", "condition-accepted": "Use conditions accepted",
	"notification": "Person notified", "purge": "Personal data purged", "incident": "Security incident",
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	ctx := r.Context()
	c, err := s.d.Cases.Get(ctx, r.PathValue("id"))
	if err != nil {
		s.caseFail(w, r, sess, err)
		return
	}
	// Newest first from the log (with the records staged and not yet
	// sequenced, marked by index -1); the page reads oldest first.
	recs, err := auditlog.List(ctx, s.d.Cases.DB, auditlog.Query{
		OfCase: &auditlog.CaseKeys{MessageID: c.MessageID, Refs: []string{c.Request.ID, c.Request.SenderRef}},
		Limit:  1000,
	})
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	list := make([]auditRow, len(recs))
	for i, rec := range recs {
		list[len(recs)-1-i] = auditRow{Index: rec.Index, Kind: string(rec.Kind), Actor: rec.Actor, MessageID: rec.MessageID, At: rec.Time, Digest: rec.Digest}
	}
	s.render(w, r, sess, "audit", map[string]any{"Title": "Audit log of " + c.Request.ID, "Case": c, "Rows": list})
}

// proofBundle downloads the inclusion proofs of the records of the
// case's request message, for "art35 audit check".
func (s *Server) proofBundle(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	c, err := s.d.Cases.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.caseFail(w, r, sess, err)
		return
	}
	b, err := auditlog.Prove(r.Context(), s.d.Cases.DB, c.MessageID)
	if apperr.Is(err, apperr.ENotFound) {
		s.fail(w, r, sess, apperr.Errorf(apperr.ENotFound, "no proof yet: the node signs a checkpoint of its log at regular intervals; the records of %s will be provable after the next one", c.Request.ID))
		return
	}
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	data, err := b.Encode()
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="art35-proof-`+c.Request.ID+`.json"`)
	_, _ = w.Write(data)
}
