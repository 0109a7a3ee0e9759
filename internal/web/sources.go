package web

import (
	"net/http"

	"github.com/art35/art35/internal/users"
)

// sourceRow is one IP data source as the credits page shows it.
type sourceRow struct {
	Label, Kind, AsOf, Credit, URL string
}

// sourcesPage lists the IP data sources with the attribution their
// licences require (DB-IP asks for a link wherever its results are shown;
// NRO, RouteViews and IPFire for credit).
func (s *Server) sourcesPage(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	data := map[string]any{"Title": T(r, "sources.title")}
	db, err := s.ips.open(s.d.IPData, s.d.Clock.Now())
	if err != nil {
		s.d.Log.Error("portal: IP data", "err", err)
	} else {
		var rows []sourceRow
		for _, l := range db.Layers() {
			src := l.Source
			rows = append(rows, sourceRow{Label: src.Label, Kind: src.Kind, AsOf: src.AsOf.Format("2006-01-02"), Credit: src.Credit, URL: src.URL})
		}
		data["Layers"] = rows
	}
	if d, err := s.d.Directory(r.Context()); err == nil {
		data["Directory"] = d.Source
	}
	s.render(w, r, sess, "sources", data)
}
