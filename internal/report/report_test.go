package report_test

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/art35/art35/internal/report"
	"github.com/art35/art35/internal/stats"
	"github.com/art35/art35/internal/stats/statstest"
	"github.com/art35/art35/internal/store"
)

// requireTool skips the test when a Debian tool is missing (fails under
// ART35_REQUIRE_ALL=1).
func requireTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("ART35_REQUIRE_ALL") == "1" {
			t.Fatalf("%s is not installed and ART35_REQUIRE_ALL=1: apt-get install -y %s", name, pkg)
		}
		t.Skipf("%s not installed (apt-get install -y %s)", name, pkg)
	}
	return p
}

func parseHex(s string) color.RGBA {
	v, _ := strconv.ParseUint(strings.TrimPrefix(s, "#"), 16, 32)
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
}

// hasColour reports whether img holds at least n pixels within a small
// distance of c (anti-aliasing blurs edges, not the inside of a band).
func hasColour(img image.Image, c color.RGBA, n int) bool {
	found := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			d := abs(int(r>>8)-int(c.R)) + abs(int(g>>8)-int(c.G)) + abs(int(bl>>8)-int(c.B))
			if d <= 24 {
				if found++; found >= n {
					return true
				}
			}
		}
	}
	return false
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// TestAnnualReportPDF builds the 2026 report of the US node after the
// statistics history, prints it to PDF with Chromium, turns the pages
// into PNG with pdftoppm and checks the page count, that each chart was
// drawn (its colour band is on a page) and that each table and the
// narrative are in the text.
func TestAnnualReportPDF(t *testing.T) {
	h := statstest.Start(t, store.SQLite, statstest.Options{})
	h.Play(t)
	ctx := context.Background()
	src := stats.New(h.Net.Node("US").DB, h.Clock)
	a, err := report.Build(ctx, src, "US", 2026)
	if err != nil {
		t.Fatal(err)
	}
	if a.Monthly["IT"][10] != statstest.AckC.Seconds() {
		t.Errorf("November's median ack for IT = %v, want %v", a.Monthly["IT"][10], statstest.AckC.Seconds())
	}
	if len(a.Narrative) < 4 || !strings.Contains(a.Narrative[0], "sent 4 requests (none in 2025)") {
		t.Errorf("narrative = %q", a.Narrative)
	}
	html, err := a.HTML()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"chart-response", "chart-volume", "chart-ping", "table-country", "table-type", "table-declines", "table-pings", "narrative"} {
		if !strings.Contains(string(html), `id="`+id+`"`) {
			t.Errorf("the HTML has no %s", id)
		}
	}
	for _, s := range append(append([]string{}, statstest.Officers...), statstest.SenderRefs...) {
		if strings.Contains(string(html), s) {
			t.Errorf("the report shows %q", s)
		}
	}
	if _, err := report.Build(ctx, src, "US", 26); err == nil {
		t.Error("year 26 accepted")
	}

	chromium, err := report.FindChromium("")
	if err != nil {
		if os.Getenv("ART35_REQUIRE_ALL") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	pdftoppm := requireTool(t, "pdftoppm", "poppler-utils")
	pdftotext := requireTool(t, "pdftotext", "poppler-utils")
	dir := t.TempDir()
	if d := os.Getenv("ART35_ARTIFACTS"); d != "" {
		dir = d // CI keeps the PDF and its pages
	}
	htmlFile := filepath.Join(dir, "annual-2026-US.html")
	if err := os.WriteFile(htmlFile, html, 0o644); err != nil {
		t.Fatal(err)
	}
	pdf, err := report.PDF(ctx, chromium, htmlFile)
	if err != nil {
		t.Fatal(err)
	}
	pdfFile := filepath.Join(dir, "annual-2026-US.pdf")
	if err := os.WriteFile(pdfFile, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(pdftoppm, "-png", "-r", "60", pdfFile, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	if len(pages) < 2 || len(pages) > 6 {
		t.Fatalf("the PDF has %d pages, want 2 to 6", len(pages))
	}
	colours := map[string]color.RGBA{"response chart": parseHex(report.ResponseColour), "volume chart": parseHex(report.VolumeColour), "ping chart": parseHex(report.PingColour)}
	seen := map[string]bool{}
	for _, p := range pages {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for name, c := range colours {
			if hasColour(img, c, 100) {
				seen[name] = true
			}
		}
	}
	for name := range colours {
		if !seen[name] {
			t.Errorf("no page shows the %s (its colour band is missing from every PNG)", name)
		}
	}
	text, err := exec.Command(pdftotext, "-layout", pdfFile, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	flat := regexp.MustCompile(`\s+`).ReplaceAllString(string(text), " ")
	for _, want := range []string{"Annual cooperation report 2026", "The year in brief", "Requests by country", "Volumes by type",
		"Declines by reason", "Ping tests", "Response times by country", "essential-interests", "To acknowledgement"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the PDF's text has no %q", want)
		}
	}
}
