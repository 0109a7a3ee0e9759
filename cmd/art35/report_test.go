package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	annual "github.com/art35/art35/internal/report"
	"github.com/art35/art35/internal/stats/statstest"
	"github.com/art35/art35/internal/store"
)

// TestReportAnnualCLI writes the US node's 2026 report after the
// statistics history: the HTML always, the PDF when Chromium is here.
func TestReportAnnualCLI(t *testing.T) {
	t.Parallel()
	h := statstest.Start(t, store.SQLite, statstest.Options{})
	h.Play(t)
	data, out := h.Net.Config("US").DataDir, t.TempDir()
	cli := func(args ...string) cliResult {
		var o, eb bytes.Buffer
		e := &env{Stdin: strings.NewReader(""), Stdout: &o, Stderr: &eb, Getenv: func(string) string { return "" }, Clock: h.Clock}
		code := run(context.Background(), e, append([]string{"report", "annual", "--data", data, "--out", out}, args...))
		return cliResult{stdout: o.String(), stderr: eb.String(), code: code}
	}
	if r := cli(); r.code != exitUsage || !strings.Contains(r.stderr, "--year is required") {
		t.Errorf("without --year: %d %s", r.code, r.stderr)
	}
	if r := cli("--year", "12"); r.code == 0 {
		t.Errorf("year 12 accepted")
	}
	args := []string{"--year", "2026"}
	_, err := annual.FindChromium("")
	if err != nil {
		args = append(args, "--no-pdf")
	}
	r := cli(args...)
	if r.code != 0 {
		t.Fatalf("report annual: %d %s", r.code, r.stderr)
	}
	html, err := os.ReadFile(filepath.Join(out, "annual-2026-US.html"))
	if err != nil || !bytes.Contains(html, []byte(`id="table-country"`)) || !bytes.Contains(html, []byte("sent 4 requests")) {
		t.Fatalf("the HTML report: %v", err)
	}
	if len(args) == 2 {
		pdf, err := os.ReadFile(filepath.Join(out, "annual-2026-US.pdf"))
		if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("the PDF report: %v", err)
		}
	}
}
