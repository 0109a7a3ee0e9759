package web

import (
	"net/http"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/store"
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
	mine := func(rec auditlog.Record) bool {
		return (c.MessageID != "" && rec.MessageID == c.MessageID) || (rec.Case != "" && (rec.Case == c.Request.ID || rec.Case == c.Request.SenderRef))
	}
	// Records staged by the transactions and not yet sequenced into the
	// log (the sequencer adds them in batches) are shown too, marked. They
	// are read first: one the sequencer moves between the two reads is
	// then seen twice (and shown once, as sequenced), never missed.
	type stagedRow struct {
		leaf string
		row  auditRow
	}
	var staged []stagedRow
	srows, err := s.d.Cases.DB.QueryContext(ctx, `SELECT leaf FROM audit_staged ORDER BY id LIMIT 5000`)
	if err != nil {
		s.fail(w, r, sess, store.MapError(err))
		return
	}
	for srows.Next() {
		var leaf []byte
		if err := srows.Scan(&leaf); err != nil {
			srows.Close()
			s.fail(w, r, sess, store.MapError(err))
			return
		}
		if rec, err := auditlog.Decode(leaf); err == nil && mine(rec) {
			staged = append(staged, stagedRow{string(leaf), auditRow{Index: -1, Kind: string(rec.Kind), Actor: rec.Actor, MessageID: rec.MessageID, At: rec.Time, Digest: rec.Digest}})
		}
	}
	srows.Close()
	rows, err := s.d.Cases.DB.QueryContext(ctx, `SELECT idx, kind, at, actor, message_id, digest, leaf FROM audit_records
		WHERE message_id = $1 OR (case_ref <> '' AND case_ref IN ($2, $3)) ORDER BY idx LIMIT 1000`, c.MessageID, c.Request.ID, c.Request.SenderRef)
	if err != nil {
		s.fail(w, r, sess, store.MapError(err))
		return
	}
	defer rows.Close()
	var list []auditRow
	sequenced := map[string]int{} // leaves now in the log, each may also have been read as staged
	for rows.Next() {
		var a auditRow
		var at string
		var leaf []byte
		if err := rows.Scan(&a.Index, &a.Kind, &at, &a.Actor, &a.MessageID, &a.Digest, &leaf); err != nil {
			s.fail(w, r, sess, err)
			return
		}
		a.At, _ = store.ParseTime(at)
		sequenced[string(leaf)]++
		list = append(list, a)
	}
	if err := rows.Err(); err != nil {
		s.fail(w, r, sess, err)
		return
	}
	for _, st := range staged {
		if sequenced[st.leaf] > 0 {
			sequenced[st.leaf]--
			continue
		}
		list = append(list, st.row)
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
