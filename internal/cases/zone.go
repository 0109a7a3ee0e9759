package cases

import (
	"encoding/json"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
)

// Zone is where the calendar days of a request's clocks are counted (a
// preservation of "60 days" ends at the same local time 60 days later):
// the requested point of contact's time zone from the directory, else the
// zone the request states for the requested authority, else UTC.
func Zone(r *request.Request, d *directory.Snapshot) *time.Location {
	name := ""
	if d != nil {
		if a, err := d.PointOfContact(r.Requested.Party); err == nil {
			name = a.TimeZone
		}
	}
	if name == "" {
		name = r.Requested.TimeZone
	}
	if name != "" {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.UTC
}

// AgendaFromEvidences replays the evidences evs (a JSON array, read from a file named
// name) over the request r and computes its clocks at now, in the zone of
// its requested party in d: what "request due" shows without a node.
func AgendaFromEvidences(r *request.Request, name string, evs []byte, d *directory.Snapshot, now time.Time) (request.State, request.Agenda, *time.Location, error) {
	var list []request.Evidence
	if err := json.Unmarshal(evs, &list); err != nil {
		return "", request.Agenda{}, nil, apperr.Wrap(apperr.EInvalid, err, "%s is not a JSON array of evidences", name)
	}
	l, err := request.Replay(r, list, route.Reservations{Snapshot: d})
	if err != nil {
		return "", request.Agenda{}, nil, apperr.Wrap(apperr.EInvalid, err, "%s", name)
	}
	zone := Zone(r, d)
	return l.State, request.Due(request.Facts{Request: r, Lifecycle: l, Zone: zone}, request.DefaultPolicy(), now), zone, nil
}
