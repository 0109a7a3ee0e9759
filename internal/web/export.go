package web

import (
	"encoding/csv"
	"net/http"
	"strings"
	"time"

	"github.com/art35/art35/internal/users"
)

// inboxCSV exports the inbox as filtered on screen, for a report or a
// hand-over. Cells a spreadsheet would run as a formula are quoted with a
// leading apostrophe (CSV injection).
func (s *Server) inboxCSV(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	rows, _, err := s.rows(r.Context(), filterOf(r.URL.Query()))
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="art35-`+s.d.Party+`-inbox-`+s.d.Clock.Now().UTC().Format("20060102-1504")+`.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "direction", "type", "party", "priority", "state", "sender_ref", "next_clock", "next_due_utc", "updated_utc"})
	for _, row := range rows {
		clock, due := "", ""
		if row.NextDue != nil {
			clock, due = row.NextDue.Clock, row.NextDue.Due.UTC().Format(time.RFC3339)
		}
		rec := []string{row.ID, string(row.Direction), row.Type, row.Party, row.Priority, row.State, row.SenderRef, clock, due, row.Updated.UTC().Format(time.RFC3339)}
		for i := range rec {
			rec[i] = csvCell(rec[i])
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
}

func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
