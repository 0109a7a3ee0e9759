package report

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/art35/art35/internal/apperr"
)

// DefaultChromium is where Debian installs Chromium.
const DefaultChromium = "/usr/bin/chromium"

// FindChromium returns path if it exists, else chromium on PATH.
func FindChromium(path string) (string, error) {
	if path == "" {
		path = DefaultChromium
	}
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p, nil
	}
	return "", apperr.Errorf(apperr.ENotFound, "Chromium not found at %s or on PATH: install it (apt-get install -y --no-install-recommends chromium) or give --chromium PATH; the HTML report can be printed from any browser", path)
}

// PrintTimeout bounds one PDF print.
var PrintTimeout = 60 * time.Second

// PDF prints an HTML file to PDF (A4, backgrounds) with headless
// Chromium at chromium, in a fresh profile that is removed afterwards.
// The page is loaded from the file: it needs nothing from the network.
func PDF(ctx context.Context, chromium, htmlFile string) ([]byte, error) {
	abs, err := filepath.Abs(htmlFile)
	if err != nil {
		return nil, err
	}
	profile, err := os.MkdirTemp("", "art35-report-chromium-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(profile)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(profile),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
	)
	ctx, cancel := context.WithTimeout(ctx, PrintTimeout)
	defer cancel()
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Do(bctx, chromedp.Navigate("file://"+abs)); err != nil {
		return nil, fmt.Errorf("report: Chromium could not open the HTML: %w", err)
	}
	pdf, err := chromedp.Run(bctx, chromedp.PrintToPDF(
		chromedp.PDFPaper(chromedp.PaperA4),
		chromedp.PDFPrintBackground(),
		// The header would show the date it was printed (the real day,
		// not the report's): a plain header instead.
		chromedp.PDFHeaderTemplate(`<div></div>`),
		chromedp.PDFFooterTemplate(`<div style="font-size:8px;width:100%;text-align:center"><span class="pageNumber"></span> / <span class="totalPages"></span></div>`),
	))
	if err != nil {
		return nil, fmt.Errorf("report: Chromium could not print the PDF: %w", err)
	}
	return pdf, nil
}
