package report

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Chromium is the browser that prints PDFs (Debian's chromium).
var Chromium = "/usr/bin/chromium"

// PDF prints the HTML report with headless Chromium. The page has no script
// and no external fetch; the browser runs with a fresh profile and no network
// use of its own.
func (r *Report) PDF(ctx context.Context, out string) error {
	dir, err := os.MkdirTemp("", "kiseki-report-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	page := filepath.Join(dir, "report.html")
	var b bytes.Buffer
	if err := r.HTML(&b); err != nil {
		return err
	}
	if err := os.WriteFile(page, b.Bytes(), 0o600); err != nil {
		return err
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, Chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--no-first-run", "--disable-dev-shm-usage", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--no-pdf-header-footer", "--print-to-pdf="+abs, "file://"+page)
	msg, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("chromium --print-to-pdf: %v: %s", err, msg)
	}
	if st, err := os.Stat(abs); err != nil || st.Size() == 0 {
		return fmt.Errorf("chromium wrote no PDF: %s", msg)
	}
	return nil
}
