package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/art35/art35/internal/watch"
)

// PrintPushed prints where one login event of a watch was relayed.
func PrintPushed(w io.Writer, out *watch.Outcome) {
	where := out.Event.Country
	if where == "" {
		where = "unknown country"
	}
	fmt.Fprintf(w, "event %s (%s port %d at %s, %s %s) %s to %s\n", out.Event.ID, out.Event.Address, out.Event.Port,
		out.Event.Time.Format(time.RFC3339), where, out.Event.Operator, out.Status, strings.Join(out.SentTo, ", "))
	if out.Note != "" {
		fmt.Fprintf(w, "note: %s\n", out.Note)
	}
}

// PrintWatchEvents prints the events of the watch id, each with the hops
// it took and the time each took.
func PrintWatchEvents(w io.Writer, id string, evs []watch.Stored) {
	if len(evs) == 0 {
		fmt.Fprintf(w, "no watch events for request %s on this node\n", id)
		return
	}
	for _, ev := range evs {
		fmt.Fprintf(w, "%s  %s port %d  %s %s  [%s, %s from %s]  end to end %s\n", ev.Time.Format("2006-01-02 15:04:05Z"),
			ev.Address, ev.Port, Dash(ev.Country), ev.Operator, ev.Role, ev.Status, ev.Peer, millis(ev.EndToEnd))
		if ev.Note != "" {
			fmt.Fprintf(w, "    note: %s\n", ev.Note)
		}
		if ev.Location != "" {
			fmt.Fprintf(w, "    LOCATION: %s (answered by %s)\n", ev.Location, ev.LocatedBy)
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for i, h := range ev.Hops {
			step := "start"
			if i > 0 {
				step = "+" + millis(h.At.Sub(ev.Hops[i-1].At))
			}
			fmt.Fprintf(tw, "    %s\t%s\t%s\n", h.At.Format("15:04:05.000000"), step, h.Where)
		}
		tw.Flush()
	}
}

// millis prints a duration in milliseconds with three decimals: the unit
// the story-2 chain is judged in.
func millis(d time.Duration) string {
	return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond))
}
