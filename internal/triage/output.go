package triage

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Bounds of the text table, so that it stays readable on a terminal; JSON
// and CSV carry everything.
const (
	maxOperatorsShown     = 5
	maxDisagreementsShown = 3
	maxLabel              = 60 // characters of an operator label
)

// clip shortens s to n runes with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// WriteText writes the report as a table sorted by volume, then the "no
// route" section, the unattributable addresses and what was skipped.
func WriteText(w io.Writer, r Report) error {
	bw := &errWriter{w: w}
	fmt.Fprintf(bw, "%s lines, %s unique addresses, %s lines not attributable", num(r.Lines), num(int64(r.UniqueIPs)), num(r.Unattributable))
	if r.DataAsOf != "" {
		fmt.Fprintf(bw, "; IP data as of %s", r.DataAsOf)
	}
	fmt.Fprintf(bw, ".\nNote: %s.\n\n", r.Caveat)
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "COUNTRY\tEVENTS\tUNIQUE IPS\tFIRST SEEN (UTC)\tLAST SEEN (UTC)\tROUTE")
	for _, c := range r.Countries {
		route := "-"
		if c.Route != nil {
			route = "no route"
			if c.Route.Available {
				route = c.Route.Instrument
				if c.Route.Authority != "" {
					route += ", " + c.Route.Authority
				}
			}
		}
		name := c.Country
		if c.Name != "" {
			name += " " + c.Name
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", name, num(c.Events), num(int64(c.UniqueIPs)), dash(c.FirstSeen), dash(c.LastSeen), route)
		for i, op := range c.Operators {
			if i == maxOperatorsShown {
				fmt.Fprintf(tw, "  ... %d more operators\t\t\t\t\t\n", len(c.Operators)-i)
				break
			}
			label := op.Operator
			if op.ASN != 0 {
				label = fmt.Sprintf("AS%d %s", op.ASN, op.Operator)
			}
			if op.Desk != "" {
				label += " [desk: " + op.Desk + "]"
			}
			label = clip(label, maxLabel)
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t\n", label, num(op.Events), num(int64(op.UniqueIPs)), dash(op.FirstSeen), dash(op.LastSeen))
		}
		for i, d := range c.Disagreements {
			if i == maxDisagreementsShown {
				rest := 0
				for _, x := range c.Disagreements[i:] {
					rest += x.UniqueIPs
				}
				fmt.Fprintf(tw, "  ! and %d addresses with other disagreements\t\t\t\t\t\n", rest)
				break
			}
			fmt.Fprintf(tw, "  ! %s (%d addresses)\t\t\t\t\t\n", d.Sources, d.UniqueIPs)
		}
	}
	tw.Flush()
	if r.From != "" {
		fmt.Fprintf(bw, "\nNO ROUTE from %s (%d countries cannot be asked):\n", r.From, len(r.NoRoute))
		for _, n := range r.NoRoute {
			name := n.Country
			if n.Name != "" {
				name += " " + n.Name
			}
			fmt.Fprintf(bw, "  %s: %s lines from %s addresses. %s\n", name, num(n.Events), num(int64(n.UniqueIPs)), n.Reason)
		}
		for _, n := range r.NoRoute {
			if len(n.Remains) > 0 { // the same list for every country: shown once
				fmt.Fprintf(bw, "  What remains: %s.\n", strings.Join(n.Remains, "; "))
				break
			}
		}
	} else {
		fmt.Fprintln(bw, "\n(no routes decided: give --from CC to see which countries can be asked)")
	}
	if len(r.Unattributed) > 0 {
		fmt.Fprintln(bw, "\nNOT ATTRIBUTABLE:")
		for _, u := range r.Unattributed {
			fmt.Fprintf(bw, "  %s lines, %s addresses: %s\n", num(u.Events), num(int64(u.UniqueIPs)), u.Reason)
		}
	}
	in := r.Input
	fmt.Fprintf(bw, "\nINPUT: %s blank, %s without an address, %s without a readable time, %s with a time but no zone (not used), %s over 64 KiB, %s not UTF-8\n",
		num(in.Blank), num(in.NoAddress), num(in.NoTime), num(in.ZonelessTime), num(in.LongLines), num(in.NotUTF8))
	for _, f := range in.Files {
		gz := ""
		if f.Gzip {
			gz = " (gzip)"
		}
		fmt.Fprintf(bw, "  %s%s: %s lines, %s bytes", f.Name, gz, num(f.Lines), num(f.Bytes))
		if f.Error != "" {
			fmt.Fprintf(bw, "; STOPPED EARLY: %s", f.Error)
		}
		fmt.Fprintln(bw)
	}
	fmt.Fprintln(bw, "\nAttribution and routing propose; a person confirms before any request is sent.")
	return bw.err
}

// WriteCSV writes one row per country and operator.
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"country", "name", "asn", "operator", "events", "unique_ips", "first_seen", "last_seen", "route_available", "route_instrument", "route_reason"})
	for _, c := range r.Countries {
		avail, inst, reason := "", "", ""
		if c.Route != nil {
			avail, inst, reason = strconv.FormatBool(c.Route.Available), c.Route.Instrument, c.Route.Reason
		}
		for _, op := range c.Operators {
			asn := ""
			if op.ASN != 0 {
				asn = strconv.FormatUint(uint64(op.ASN), 10)
			}
			cw.Write([]string{c.Country, c.Name, asn, op.Operator, strconv.FormatInt(op.Events, 10), strconv.Itoa(op.UniqueIPs), op.FirstSeen, op.LastSeen, avail, inst, reason})
		}
	}
	for _, u := range r.Unattributed {
		cw.Write([]string{"", "", "", "not attributable: " + u.Reason, strconv.FormatInt(u.Events, 10), strconv.Itoa(u.UniqueIPs), "", "", "", "", ""})
	}
	cw.Flush()
	return cw.Error()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// num formats n with thousands separators, for people reading counts.
func num(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// errWriter keeps the first write error so the text writer stays linear.
type errWriter struct {
	w   io.Writer
	err error
}

// Write writes p unless an earlier write failed.
func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return len(p), nil
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, nil
}
