package request

import (
	"sync"
	"time"
)

// zones caches time.LoadLocation: with the embedded tzdata every load
// unpacks the zone from a zip, and the validator and the clocks ask for
// the same few zones again and again.
// Only valid zones are kept (a few hundred at most), so names from
// outside data cannot grow the cache.
var zones sync.Map // name -> *time.Location

func loadZone(name string) (*time.Location, error) {
	if v, ok := zones.Load(name); ok {
		return v.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}
