package cases

import (
	"time"

	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
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
