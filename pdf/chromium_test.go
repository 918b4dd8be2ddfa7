package pdf

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chromium finds the browser, or skips the test; in CI, which installs
// Chromium (.ci/run), a missing browser fails it.
func chromium(t *testing.T) string {
	t.Helper()
	exe, err := Find()
	if err == nil {
		return exe
	}
	const need = "PDF tests need Chromium: apt-get install chromium (or set RMM_CHROMIUM to its path)"
	if os.Getenv("CI") != "" {
		t.Fatalf("%s: %v", need, err)
	}
	t.Skip(need)
	return ""
}

// TestPrintNeedsHeaders: Print refuses a page that would print without its
// controlled-copy header: one with no block, and one whose print.js did
// not run (a repository that overrides the site's templates, say).
func TestPrintNeedsHeaders(t *testing.T) {
	exe := chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b, err := Start(ctx, exe)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	dir := t.TempDir()
	pages := map[string]string{
		"plain.html":    `<!DOCTYPE html><title>x</title><p>No block.</p>`,
		"noscript.html": `<!DOCTYPE html><title>x</title><article><section data-rmm-header="X · draft · fingerprint 0123456789ab" hidden></section><p>A block, no print.js.</p></article>`,
	}
	want := map[string]string{"plain.html": "has no controlled-copy header", "noscript.html": "set up 0 of 1 controlled-copy headers"}
	for name, html := range pages {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(html), 0o644); err != nil {
			t.Fatal(err)
		}
		u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
		if _, err := b.Print(ctx, u, "2026-11-26 12:00 +00:00"); err == nil || !strings.Contains(err.Error(), want[name]) {
			t.Errorf("Print(%s) = %v, want an error saying it %s", name, err, want[name])
		}
	}
}
