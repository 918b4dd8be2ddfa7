package render_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rmm-pal/rmm/render"
)

// TestServeSearchIndexMatchesBuild: rmm serve's rebuilds reuse the
// search entries of the pages they did not render again (entryCodes);
// after an edit, the index they write is byte for byte the one a fresh
// rmm build writes, and it holds the edit.
func TestServeSearchIndexMatchesBuild(t *testing.T) {
	r := exampleLibrary(t)
	serveOut := filepath.Join(t.TempDir(), "serve")
	sp, err := render.NewPipeline(render.PipelineOptions{Repo: r, Out: serveOut, Audience: "internal",
		InPlace: true, LiveReload: render.ReloadScript, KeepLastGood: true, StateOnClose: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	if _, err := sp.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(r.Root, "lessons", "2026-005-runbook-after-migration.md")
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f, append(b, "\nZanzibarquux drills are held twice a year.\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := sp.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("rebuild: %d pages, %d written, %d reused", res.Pages, res.Written, res.Reused)
	if res.Reused == 0 {
		t.Fatalf("the rebuild reused no page: nothing of the search cache was exercised")
	}
	buildOut := filepath.Join(t.TempDir(), "build")
	bp, err := render.NewPipeline(render.PipelineOptions{Repo: r, Out: buildOut, Audience: "internal",
		LiveReload: render.ReloadScript})
	if err != nil {
		t.Fatal(err)
	}
	defer bp.Close()
	if _, err := bp.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(serveOut, "assets", "search-index.js"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(buildOut, "assets", "search-index.js"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(got, []byte(`"zanzibarquux"`)) {
		t.Errorf("the rebuilt index has no term for the edit")
	}
	if !bytes.Equal(got, want) {
		t.Errorf("serve's rebuilt index (%d bytes) differs from a fresh build's (%d bytes)", len(got), len(want))
	}
}
