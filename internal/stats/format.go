package stats

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// AllKey is the key of a direction's totals in CSV and text output.
const AllKey = "ALL"

// FormatSeconds writes a duration for people: "0s", "45s", "7m", "1h05m",
// "2d03h".
func FormatSeconds(s float64) string {
	d := time.Duration(s * float64(time.Second)).Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		if d%time.Minute == 0 {
			return fmt.Sprintf("%dm", int(d.Minutes()))
		}
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
}

// Brief writes durations as "median / p90 / max", or "—" when none.
func (d Durations) Brief() string {
	if d.Count == 0 {
		return "—"
	}
	return FormatSeconds(d.MedianSeconds) + " / " + FormatSeconds(d.P90Seconds) + " / " + FormatSeconds(d.MaxSeconds)
}

// Percent writes a share as a whole percentage, or "—" when undefined
// (negative).
func Percent(share float64) string {
	if share < 0 {
		return "—"
	}
	return strconv.FormatFloat(share*100, 'f', 0, 64) + "%"
}

// Codes writes declines by code as "code n, code n" in code order.
func Codes(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// Lines returns the totals of each direction (key AllKey) followed by the
// rows, the order CSV and text output use.
func (r *Report) Lines() []Row {
	out := []Row{{Key: AllKey, Direction: Sent, Figures: r.Sent}, {Key: AllKey, Direction: Received, Figures: r.Received}}
	return append(out, r.Rows...)
}

var csvHeader = []string{"direction", "by", "key", "requests", "open",
	"receipt_count", "receipt_median_s", "receipt_p90_s", "receipt_max_s",
	"ack_count", "ack_median_s", "ack_p90_s", "ack_max_s",
	"preservation_count", "preservation_median_s", "preservation_p90_s", "preservation_max_s",
	"disclosure_count", "disclosure_median_s", "disclosure_p90_s", "disclosure_max_s",
	"ack_decided", "ack_in_time", "ack_in_time_share", "preserved", "followed_by_mla", "mla_share",
	"declined", "declines_by_code"}

// WriteCSV writes the report's request figures, one line per direction
// and key (totals first, key ALL), with a header line. Durations are in
// seconds; an undefined share is empty.
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(csvHeader)
	for _, l := range r.Lines() {
		f := l.Figures
		rec := []string{l.Direction, string(r.By), l.Key, itoa(f.Requests), itoa(f.Open)}
		for _, d := range []Durations{f.ToReceipt, f.ToAcknowledgement, f.ToPreservation, f.ToDisclosure} {
			rec = append(rec, itoa(d.Count), num(d.MedianSeconds, d.Count > 0), num(d.P90Seconds, d.Count > 0), num(d.MaxSeconds, d.Count > 0))
		}
		var codes []string
		for _, k := range slices.Sorted(maps.Keys(f.DeclinesByCode)) {
			codes = append(codes, fmt.Sprintf("%s=%d", k, f.DeclinesByCode[k]))
		}
		rec = append(rec, itoa(f.AckDecided), itoa(f.AckInTime), num(f.AckInTimeShare, f.AckInTimeShare >= 0),
			itoa(f.Preserved), itoa(f.FollowedByMLA), num(f.MLAShare, f.MLAShare >= 0), itoa(f.Declined), strings.Join(codes, ";"))
		_ = cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// WritePingsCSV writes the report's ping rows with a header line.
func WritePingsCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"direction", "key", "pings", "reachable", "answered", "in_time", "failed", "waiting",
		"answer_count", "answer_median_s", "answer_p90_s", "answer_max_s"})
	for _, p := range r.Pings {
		d := p.Answer
		_ = cw.Write([]string{p.Direction, p.Key, itoa(p.Pings), itoa(p.Reachable), itoa(p.Answered), itoa(p.InTime), itoa(p.Failed), itoa(p.Waiting),
			itoa(d.Count), num(d.MedianSeconds, d.Count > 0), num(d.P90Seconds, d.Count > 0), num(d.MaxSeconds, d.Count > 0)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteText writes the report as tables for a terminal.
func WriteText(w io.Writer, r *Report) error {
	fmt.Fprintf(w, "statistics of %s work from %s to %s, by %s (durations: median / p90 / max from sending)\n",
		r.Scope, periodEnd(r.From), periodEnd(r.To), r.By)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nDIRECTION\tKEY\tREQUESTS\tOPEN\tTO RECEIPT\tTO ACK\tACK IN TIME\tTO PRESERVATION\tTO DISCLOSURE\tMLA AFTER PRESERVATION\tDECLINES")
	for _, l := range r.Lines() {
		f := l.Figures
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s (%d/%d)\t%s\t%s\t%s (%d/%d)\t%d %s\n", l.Direction, l.Key, f.Requests, f.Open,
			f.ToReceipt.Brief(), f.ToAcknowledgement.Brief(), Percent(f.AckInTimeShare), f.AckInTime, f.AckDecided,
			f.ToPreservation.Brief(), f.ToDisclosure.Brief(), Percent(f.MLAShare), f.FollowedByMLA, f.Preserved, f.Declined, Codes(f.DeclinesByCode))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Pings) > 0 {
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "\nPINGS\tWITH\tPINGS\tREACHABLE\tANSWERED BY A PERSON\tIN TIME\tFAILED\tWAITING\tANSWER TIME")
		for _, p := range r.Pings {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", p.Direction, p.Key, p.Pings, p.Reachable, p.Answered, p.InTime, p.Failed, p.Waiting, p.Answer.Brief())
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nleft out: %d exercise(s), %d test(s) (ping requests)", r.Excluded.Exercises, r.Excluded.Tests)
	if r.Scope == ScopeExercise {
		fmt.Fprintf(w, ", %d request(s) of real work", r.Excluded.RealWork)
	}
	_, err := fmt.Fprintln(w)
	return err
}

func periodEnd(t time.Time) string {
	if t.IsZero() {
		return "the beginning"
	}
	return t.UTC().Format(time.RFC3339)
}

func itoa(n int) string { return strconv.Itoa(n) }

func num(f float64, ok bool) string {
	if !ok {
		return ""
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
