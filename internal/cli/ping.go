package cli

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/art35/art35/internal/ping"
)

// PrintCampaign prints a ping campaign just started: the challenges
// queued and the points of contact not pinged, with why.
func PrintCampaign(w io.Writer, c *ping.Campaign) error {
	fmt.Fprintf(w, "campaign %s: %d challenges queued, answer window %s (until %s)\n",
		c.ID, len(c.Pings), c.Window, c.StartedAt.Add(c.Window).Format(time.RFC3339))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PARTY\tAUTHORITY\tOFFICE HOURS\tPING")
	for _, p := range c.Pings {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Party, p.Authority, p.OfficeHours, p.ID)
	}
	tw.Flush()
	for _, s := range c.Skipped {
		fmt.Fprintf(w, "not pinged: %s: %s\n", s.Party, s.Reason)
	}
	fmt.Fprintf(w, "follow it with: art35 ping results --campaign %s\n", c.ID)
	return nil
}

// PrintPingResults prints each ping of a campaign: reachable, answered,
// how fast, escalated to whom.
func PrintPingResults(w io.Writer, rs []ping.Result, campaign string) error {
	if len(rs) == 0 {
		fmt.Fprintf(w, "no pings in campaign %q\n", campaign)
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PARTY\tSENT (UTC)\tOFFICE HOURS\tRECEIPT\tSTATE\tANSWERED BY\tIN\tESCALATED TO")
	for _, r := range rs {
		receipt := "none"
		if r.Reachable {
			receipt = r.ReceiptAt.Format("15:04:05")
		}
		in := "-"
		if r.AnswerSeconds >= 0 {
			in = (time.Duration(r.AnswerSeconds) * time.Second).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Party, r.SentAt.Format("2006-01-02 15:04"), r.OfficeHours,
			receipt, r.State, Dash(r.AnsweredBy), in, Dash(r.EscalatedTo))
	}
	return tw.Flush()
}

// PrintPingTable prints responsiveness per country over days.
func PrintPingTable(w io.Writer, rows []ping.CountryRow, days int) error {
	if len(rows) == 0 {
		fmt.Fprintf(w, "no pings in the last %d days\n", days)
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "PARTY\tPINGS\tREACHABLE\tPASSED\tLATE\tFAILED\tWAITING\tPASS RATE\tMEDIAN\tP90\tNIGHT PASSED\t")
	for _, c := range rows {
		rate := "-"
		if c.PassRate >= 0 {
			rate = fmt.Sprintf("%.0f%%", 100*c.PassRate)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%d/%d\t\n", c.Party, c.Pings, c.Reachable, c.Passed, c.Late,
			c.Failed, c.Waiting, rate, secs(c.MedianSeconds), secs(c.P90Seconds), c.OutsideHoursPassed, c.OutsideHours)
	}
	return tw.Flush()
}

// PrintChallenges prints the challenges this node received and their
// state at now.
func PrintChallenges(w io.Writer, cs []ping.Challenge, now time.Time) error {
	if len(cs) == 0 {
		fmt.Fprintln(w, "no ping challenge waits for an answer")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHALLENGE\tFROM\tRECEIVED (UTC)\tANSWER BY\tRAISED TO\tSTATE")
	for _, c := range cs {
		var state string
		switch {
		case c.State == "answered":
			state = "answered by " + c.AnsweredBy
		case c.EscalatedTo != "":
			state = "WINDOW PASSED, escalated to " + c.EscalatedTo
		default:
			state = "pending, " + c.Deadline.Sub(now).Round(time.Second).String() + " left"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.From, c.ReceivedAt.Format("2006-01-02 15:04:05"),
			c.Deadline.Format("15:04:05"), c.RaisedTo, state)
	}
	tw.Flush()
	fmt.Fprintln(w, `answer with: art35 ping answer CHALLENGE --by "YOUR NAME"`)
	return nil
}

func secs(f float64) string {
	if f < 0 {
		return "-"
	}
	return (time.Duration(f) * time.Second).String()
}
