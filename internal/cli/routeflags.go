package cli

import (
	"flag"
	"time"

	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
)

// RouteFlags are the flags of "route".
type RouteFlags struct {
	Date, Recipient string
	JSON            bool
	Dir             DirSource
}

// Bind defines the flags of "route" on fs.
func (f *RouteFlags) Bind(fs *flag.FlagSet) {
	fs.StringVar(&f.Date, "date", "", "date of the request, YYYY-MM-DD (default: today, UTC)")
	fs.BoolVar(&f.JSON, "json", false, "print the decision as JSON")
	fs.StringVar(&f.Recipient, "recipient", "", "who receives the request: authority, provider or registrar (default: any)")
	f.Dir.Bind(fs)
}

// Question is what "route FROM TO TYPE" asks, on --date (default now) of
// --recipient; a bad flag is a usage error.
func (f *RouteFlags) Question(from, to, typ string, now time.Time) (route.Question, error) {
	q := route.Question{From: from, To: to, Type: request.Type(typ), At: now}
	if f.Date != "" {
		var err error
		if q.At, err = time.Parse("2006-01-02", f.Date); err != nil {
			return q, Usagef("--date %q is not a date; write YYYY-MM-DD, e.g. 2026-11-25", f.Date)
		}
	}
	addr, err := route.ParseAddressee(f.Recipient)
	if err != nil {
		return q, Usagef("--recipient: %v", err)
	}
	q.Addressee = addr
	return q, nil
}
