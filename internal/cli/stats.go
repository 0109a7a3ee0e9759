package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/art35/art35/internal/stats"
)

// PrintNetwork prints the network's figures combined from the shares of
// the period from-to (shares is how many were given).
func PrintNetwork(w io.Writer, net *stats.Network, from, to time.Time, shares int) error {
	fmt.Fprintf(w, "network figures from %s to %s: %d share(s) counted, %d refused\n", from.Format(time.RFC3339), to.Format(time.RFC3339), shares-len(net.Refused), len(net.Refused))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nPARTY\tSHARED\tSENT\tRECEIVED\tOWN TIME TO ACK (RECEIVED)\tPARTNERS' REQUESTS\tACK IN TIME (AS PARTNERS SAW IT)\tMEDIAN ACK BY PARTNER\tPINGS IN TIME")
	for _, r := range net.Rows {
		shared := "no share"
		if r.Shared {
			shared = "yes"
		}
		var seen []string
		for _, s := range r.SeenBy.MedianAckBySeers {
			seen = append(seen, s.Reporter+" "+stats.FormatSeconds(s.MedianSeconds))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%d\t%s (%d/%d)\t%s\t%d/%d\n", r.Party, shared, r.Sent.Requests, r.Received.Requests,
			r.Received.ToAcknowledgement.Brief(), r.SeenBy.Requests, stats.Percent(r.SeenBy.AckInTimeShare), r.SeenBy.AckInTime, r.SeenBy.AckDecided,
			strings.Join(seen, ", "), r.Pings.InTime, r.Pings.Pings)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range net.Refused {
		fmt.Fprintf(w, "refused: %s\n", r)
	}
	return nil
}
