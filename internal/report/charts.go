package report

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/art35/art35/internal/stats"
)

// Chart colours. Each chart has its own colour in its top band, so that a
// test can tell from the printed pages that each chart was drawn.
const (
	ResponseColour = "#c0392b"
	VolumeColour   = "#1e8449"
	PingColour     = "#7d3c98"
)

// lineColours tell the countries apart in the response-time chart.
var lineColours = []string{"#0b4f8a", "#d35400", "#117a65", "#b7950b", "#2e4053", "#a04000"}

const (
	chartW, chartH           = 720, 300
	left, right, top, bottom = 70, 130, 30, 40
)

var months = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

func esc(s string) string { return template.HTMLEscapeString(s) }

// frame opens an SVG chart with its title band.
func frame(b *strings.Builder, id, title, colour string) {
	fmt.Fprintf(b, `<svg id="%s" class="chart" role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="11">`,
		id, esc(title), chartW, chartH, chartW, chartH)
	fmt.Fprintf(b, `<rect x="0" y="0" width="%d" height="8" fill="%s"/>`, chartW, colour)
	fmt.Fprintf(b, `<text x="%d" y="24" font-size="13" font-weight="bold">%s</text>`, left, esc(title))
}

// axis draws the y grid from 0 to ymax with labels made by label.
func axis(b *strings.Builder, ymax float64, label func(float64) string) {
	plotH := float64(chartH - top - bottom - 10)
	for i := 0; i <= 4; i++ {
		v := ymax * float64(i) / 4
		y := float64(chartH-bottom) - plotH*float64(i)/4
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#d5dae0"/>`, left, y, chartW-right, y)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`, left-6, y+4, esc(label(v)))
	}
}

// niceMax rounds v up so that the four grid steps are whole multiples of
// unit (minutes, hours, requests).
func niceMax(v, unit float64) float64 {
	step := math.Ceil(v / 4 / unit)
	return max(1, step) * unit * 4
}

func yOf(v, ymax float64) float64 {
	plotH := float64(chartH - top - bottom - 10)
	return float64(chartH-bottom) - plotH*v/ymax
}

// responseChart: the median time to acknowledgement of our requests, per
// partner country and month.
func responseChart(a *Annual) template.HTML {
	var b strings.Builder
	frame(&b, "chart-response", fmt.Sprintf("Response times by country, %d (median time to acknowledgement of our requests)", a.Year), ResponseColour)
	ymax := 60.0
	for _, c := range a.Countries {
		for _, v := range a.Monthly[c] {
			ymax = max(ymax, v)
		}
	}
	ymax = niceMax(ymax*1.05, 60)
	if ymax > 4*3600 {
		ymax = niceMax(ymax, 3600)
	}
	axis(&b, ymax, stats.FormatSeconds)
	step := float64(chartW-left-right) / 11
	for i, m := range months {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, float64(left)+step*float64(i), chartH-bottom+16, m)
	}
	for ci, c := range a.Countries {
		colour := lineColours[ci%len(lineColours)]
		var pts []string
		flush := func() {
			if len(pts) > 1 {
				fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, colour, strings.Join(pts, " "))
			}
			pts = nil
		}
		for i, v := range a.Monthly[c] {
			if v < 0 {
				flush()
				continue
			}
			x, y := float64(left)+step*float64(i), yOf(v, ymax)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s %s: %s</title></circle>`, x, y, colour, esc(c), months[i], stats.FormatSeconds(v))
		}
		flush()
		ly := top + 20 + ci*18
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d">%s</text>`, chartW-right+14, ly, colour, chartW-right+32, ly+10, esc(c))
	}
	if len(a.Countries) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#5b6570">No request sent this year.</text>`, left+10, chartH/2)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// volumeChart: requests sent and received per type.
func volumeChart(r *stats.Report) template.HTML {
	var b strings.Builder
	frame(&b, "chart-volume", "Requests by type (sent and received)", VolumeColour)
	type vol struct{ sent, received int }
	byType := map[string]*vol{}
	var types []string
	for _, row := range r.Rows {
		v := byType[row.Key]
		if v == nil {
			v = &vol{}
			byType[row.Key] = v
			types = append(types, row.Key)
		}
		if row.Direction == stats.Sent {
			v.sent = row.Requests
		} else {
			v.received = row.Requests
		}
	}
	ymax := 1.0
	for _, v := range byType {
		ymax = max(ymax, float64(v.sent), float64(v.received))
	}
	ymax = niceMax(ymax*1.05, 1)
	axis(&b, ymax, func(v float64) string { return fmt.Sprintf("%.0f", v) })
	n := max(1, len(types))
	slot := float64(chartW-left-right) / float64(n)
	bw := min(28, slot/3)
	for i, t := range types {
		x := float64(left) + slot*float64(i) + slot/2
		v := byType[t]
		for j, c := range []struct {
			n      int
			colour string
		}{{v.sent, VolumeColour}, {v.received, "#82e0aa"}} {
			y := yOf(float64(c.n), ymax)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %d</title></rect>`,
				x-bw+float64(j)*bw, y, bw, float64(chartH-bottom)-y, c.colour, esc(t), c.n)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, x, chartH-bottom+16, esc(t))
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d">sent</text>`, chartW-right+14, top+20, VolumeColour, chartW-right+32, top+30)
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="#82e0aa"/><text x="%d" y="%d">received</text>`, chartW-right+14, top+38, chartW-right+32, top+48)
	if len(types) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#5b6570">No request this year.</text>`, left+10, chartH/2)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// pingChart: the share of our pings a person answered in time, per party.
func pingChart(r *stats.Report) template.HTML {
	var b strings.Builder
	frame(&b, "chart-ping", "Ping tests: share answered by a person in time, per party", PingColour)
	axis(&b, 1, func(v float64) string { return stats.Percent(v) })
	var rows []stats.PingRow
	for _, p := range r.Pings {
		if p.Direction == stats.Sent {
			rows = append(rows, p)
		}
	}
	slot := float64(chartW-left-right) / float64(max(1, len(rows)))
	bw := min(40, slot*0.6)
	for i, p := range rows {
		share := float64(p.InTime) / float64(max(1, p.Pings))
		x := float64(left) + slot*float64(i) + slot/2
		y := yOf(share, 1)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %d of %d</title></rect>`,
			x-bw/2, y, bw, float64(chartH-bottom)-y, PingColour, esc(p.Key), p.InTime, p.Pings)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, x, chartH-bottom+16, esc(p.Key))
	}
	if len(rows) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#5b6570">No ping test this year.</text>`, left+10, chartH/2)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
