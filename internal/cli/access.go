package cli

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/art35/art35/internal/transborder"
)

// PrintAccesses prints the trans-border accesses recorded (Art. 32).
func PrintAccesses(w io.Writer, list []transborder.Access) error {
	if len(list) == 0 {
		fmt.Fprintln(w, "no trans-border access recorded on this node")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tACCESSED (UTC)\tGROUND\tPARTY\tBY\tWHAT\tNOTICE")
	for _, a := range list {
		party, notice := a.Party, a.Notice
		if party == "" {
			party = "not known"
		}
		if notice == "" {
			notice = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s (%s)\t%s\t%s\t%s\t%s\n", a.ID, a.AccessedAt.Format("2006-01-02 15:04"), a.Ground, a.Ground.Article(), party, a.RecordedBy, a.What, notice)
	}
	return tw.Flush()
}
