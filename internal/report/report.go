// Package report writes a node's annual cooperation report (SPEC story
// 8): print-ready HTML with hand-written SVG charts (response times by
// country over the year, volumes by type, ping pass rate), tables and a
// short generated narrative of the year's changes, and its PDF.
//
// The figures are those of package stats: counts and durations only, no
// personal data; exercises and tests are left out.
//
// The PDF is Chromium's print of the same HTML (PDF): one layout engine
// for the screen and for paper, the SVG charts and print CSS drawn as a
// browser draws them, and no second implementation of tables and charts
// in a PDF library. It needs Chromium on the machine (Debian package
// chromium); without it the HTML is still written and can be printed
// from any browser.
package report

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/stats"
)

//go:embed annual.html
var annualHTML string

// Annual is the annual report of one node.
type Annual struct {
	Year      int
	Party     string
	Generated time.Time
	ByCountry *stats.Report // the year, by partner country
	ByType    *stats.Report // the year, by request type
	Previous  *stats.Report // the year before, by partner country
	// Monthly holds, per partner country (sent requests), the median time
	// to acknowledgement of each month in seconds (-1: no acknowledgement).
	Monthly   map[string][12]float64
	Countries []string // the countries of the response chart, most requests first
	Narrative []string
}

// MaxChartCountries bounds the lines of the response-time chart: more
// would not be readable; the tables list every country.
const MaxChartCountries = 6

// Build computes the annual report of year from src.
func Build(ctx context.Context, src *stats.Source, party string, year int) (*Annual, error) {
	if year < 2000 || year > 2200 {
		return nil, apperr.Errorf(apperr.EInvalid, "year %d: give a calendar year, e.g. 2026", year)
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(1, 0, 0)
	a := &Annual{Year: year, Party: party, Generated: src.Clock.Now().UTC(), Monthly: map[string][12]float64{}}
	var err error
	if a.ByCountry, err = src.Compute(ctx, stats.Query{From: from, To: to, By: stats.ByCountry}); err != nil {
		return nil, err
	}
	if a.ByType, err = src.Compute(ctx, stats.Query{From: from, To: to, By: stats.ByType}); err != nil {
		return nil, err
	}
	if a.Previous, err = src.Compute(ctx, stats.Query{From: from.AddDate(-1, 0, 0), To: from, By: stats.ByCountry}); err != nil {
		return nil, err
	}
	sent := map[string]int{}
	for _, r := range a.ByCountry.Rows {
		if r.Direction == stats.Sent {
			sent[r.Key] = r.Requests
			a.Countries = append(a.Countries, r.Key)
		}
	}
	sort.SliceStable(a.Countries, func(i, j int) bool { return sent[a.Countries[i]] > sent[a.Countries[j]] })
	if len(a.Countries) > MaxChartCountries {
		a.Countries = a.Countries[:MaxChartCountries]
	}
	for _, c := range a.Countries {
		var m [12]float64
		for i := range m {
			m[i] = -1
		}
		a.Monthly[c] = m
	}
	for month := range 12 {
		start := from.AddDate(0, month, 0)
		r, err := src.Compute(ctx, stats.Query{From: start, To: start.AddDate(0, 1, 0), By: stats.ByCountry})
		if err != nil {
			return nil, err
		}
		for _, row := range r.Rows {
			if m, ok := a.Monthly[row.Key]; ok && row.Direction == stats.Sent && row.ToAcknowledgement.Count > 0 {
				m[month] = row.ToAcknowledgement.MedianSeconds
				a.Monthly[row.Key] = m
			}
		}
	}
	a.Narrative = narrative(a)
	return a, nil
}

// narrative writes the year's story in a few sentences, comparing it with
// the year before.
func narrative(a *Annual) []string {
	cur, prev := a.ByCountry, a.Previous
	change := func(now, before int) string {
		switch {
		case before == 0 && now == 0:
			return ""
		case before == 0:
			return fmt.Sprintf(" (none in %d)", a.Year-1)
		}
		pct := (float64(now) - float64(before)) / float64(before) * 100
		return fmt.Sprintf(" (%+.0f%% on %d's %d)", pct, a.Year-1, before)
	}
	var out []string
	out = append(out, fmt.Sprintf("In %d the %s point of contact sent %d requests%s and received %d%s.", a.Year, a.Party,
		cur.Sent.Requests, change(cur.Sent.Requests, prev.Sent.Requests), cur.Received.Requests, change(cur.Received.Requests, prev.Received.Requests)))
	if d := cur.Sent.ToAcknowledgement; d.Count > 0 {
		s := fmt.Sprintf("Partners acknowledged our requests in a median of %s (90%% within %s)", stats.FormatSeconds(d.MedianSeconds), stats.FormatSeconds(d.P90Seconds))
		if p := prev.Sent.ToAcknowledgement; p.Count > 0 {
			verb := "faster than"
			if d.MedianSeconds > p.MedianSeconds {
				verb = "slower than"
			} else if d.MedianSeconds == p.MedianSeconds {
				verb = "as fast as"
			}
			s += fmt.Sprintf(", %s in %d (%s)", verb, a.Year-1, stats.FormatSeconds(p.MedianSeconds))
		}
		out = append(out, s+fmt.Sprintf("; %s of the clocks decided were kept.", stats.Percent(cur.Sent.AckInTimeShare)))
	}
	if d := cur.Received.ToAcknowledgement; d.Count > 0 {
		out = append(out, fmt.Sprintf("We acknowledged the requests we received in a median of %s; %s within the clock.",
			stats.FormatSeconds(d.MedianSeconds), stats.Percent(cur.Received.AckInTimeShare)))
	}
	if n := cur.Sent.Preserved + cur.Received.Preserved; n > 0 {
		out = append(out, fmt.Sprintf("%d preservation(s) were carried out; %d were followed by an MLA request.", n, cur.Sent.FollowedByMLA+cur.Received.FollowedByMLA))
	}
	declines := map[string]int{}
	for _, f := range []stats.Figures{cur.Sent, cur.Received} {
		for k, v := range f.DeclinesByCode {
			declines[k] += v
		}
	}
	if len(declines) > 0 {
		codes := make([]string, 0, len(declines))
		for k := range declines {
			codes = append(codes, k)
		}
		slices.SortFunc(codes, func(x, y string) int {
			if declines[x] != declines[y] {
				return declines[y] - declines[x]
			}
			return strings.Compare(x, y)
		})
		out = append(out, fmt.Sprintf("%d request(s) were declined, most often for %s.", cur.Sent.Declined+cur.Received.Declined, codes[0]))
	}
	var pings, inTime int
	for _, p := range cur.Pings {
		if p.Direction == stats.Sent {
			pings += p.Pings
			inTime += p.InTime
		}
	}
	if pings > 0 {
		out = append(out, fmt.Sprintf("Of %d ping tests we sent, a person answered %d in time (%s).", pings, inTime, stats.Percent(float64(inTime)/float64(pings))))
	}
	if n := cur.Excluded.Exercises; n > 0 {
		out = append(out, fmt.Sprintf("%d exercise request(s) are reported apart and not counted here.", n))
	}
	return out
}

// HTML renders the report as one self-contained, print-ready page.
func (a *Annual) HTML() ([]byte, error) {
	t, err := template.New("annual").Funcs(template.FuncMap{
		"percent":  stats.Percent,
		"brief":    func(d stats.Durations) string { return d.Brief() },
		"codes":    stats.Codes,
		"duration": stats.FormatSeconds,
	}).Parse(annualHTML)
	if err != nil {
		return nil, fmt.Errorf("report template: %w", err)
	}
	var b bytes.Buffer
	data := map[string]any{"A": a, "ResponseChart": responseChart(a), "VolumeChart": volumeChart(a.ByType), "PingChart": pingChart(a.ByCountry)}
	if err := t.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return b.Bytes(), nil
}
