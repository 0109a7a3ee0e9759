package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/retention"
)

// PrintPurge prints what a retention purge removed (or would, dry) and
// what waits for a person's decision.
func PrintPurge(w io.Writer, res retention.Result, dry bool) {
	verb := "purged"
	if dry {
		verb = "would purge"
	}
	fmt.Fprintf(w, "%s %d request(s), %d envelope(s)\n", verb, len(res.Purged), res.Envelope)
	for _, id := range res.Purged {
		fmt.Fprintf(w, "  %s\n", id)
	}
	if len(res.Review) > 0 {
		fmt.Fprintf(w, "past their retention period but still open (a person decides): %s\n", strings.Join(res.Review, ", "))
	}
}

// PrintAuthorisations prints the onward-transfer authorisations on record.
func PrintAuthorisations(w io.Writer, auths []cases.Authorisation) {
	if len(auths) == 0 {
		fmt.Fprintln(w, "no onward-transfer authorisation on record")
	}
	for _, a := range auths {
		fmt.Fprintf(w, "%s -> %s  granted %s by %s  purpose: %s\n", a.RequestID, a.To, a.GrantedAt.Format(time.RFC3339), a.GrantedBy, a.Purpose)
	}
}

// PrintIncidents prints the incident notices sent and received.
func PrintIncidents(w io.Writer, inc []cases.Incident) {
	if len(inc) == 0 {
		fmt.Fprintln(w, "no incident notices")
	}
	for _, i := range inc {
		what := "reported by " + i.Peer + " about our data"
		if i.Direction == "in" {
			what = "we reported to " + i.Peer
		}
		fmt.Fprintf(w, "%s  %s  %s (%s): %s\n", i.At.Format(time.RFC3339), i.RequestID, what, i.By, i.Details)
	}
}
