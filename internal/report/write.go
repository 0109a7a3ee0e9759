package report

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// WriteFiles writes the report a into the folder dir as
// annual-YEAR-PARTY.html and, with chromium set (a path or name for
// FindChromium), the PDF printed from it; wrote is told each file.
func WriteFiles(ctx context.Context, a *Annual, dir, party string, year int, chromium string, wrote func(path string)) error {
	html, err := a.HTML()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	base := filepath.Join(dir, fmt.Sprintf("annual-%d-%s", year, party))
	if err := os.WriteFile(base+".html", html, 0o644); err != nil {
		return err
	}
	wrote(base + ".html")
	if chromium == "" {
		return nil
	}
	path, err := FindChromium(chromium)
	if err != nil {
		return err
	}
	pdf, err := PDF(ctx, path, base+".html")
	if err != nil {
		return err
	}
	if err := os.WriteFile(base+".pdf", pdf, 0o644); err != nil {
		return err
	}
	wrote(base + ".pdf")
	return nil
}
