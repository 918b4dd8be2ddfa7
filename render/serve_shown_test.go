package render_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/render"
)

// TestPreviewErrorsOnlyOfShownDocuments: the errors rmm serve shows on
// open pages are those about documents the audience may see. A restricted
// document with an error is in the build's errors (the terminal lists
// it) but not in what a preview for internal readers is sent: an error
// names its file and quotes it.
func TestPreviewErrorsOnlyOfShownDocuments(t *testing.T) {
	r := exampleLibrary(t)
	secret := "---\nid: MEA-SECRET\nkind: measure\ntitle: Breaches under embargo\nowner: bob@example.org\nstatus: draft\nsensitivity: restricted\n---\n\nHow many.\n"
	if err := os.WriteFile(filepath.Join(r.Root, "measures", "embargo.md"), []byte(secret), 0o644); err != nil {
		t.Fatal(err)
	}
	open := "---\nid: MEA-OPEN\nkind: measure\ntitle: Open measure\nowner: bob@example.org\nstatus: draft\n---\n\nHow many.\n"
	if err := os.WriteFile(filepath.Join(r.Root, "measures", "open.md"), []byte(open), 0o644); err != nil {
		t.Fatal(err)
	}
	var diags []doc.Diagnostic
	p, err := render.NewPipeline(render.PipelineOptions{Repo: r, Out: filepath.Join(t.TempDir(), "site"), Audience: "internal",
		LiveReload: render.ReloadScript, InPlace: true, OnCheck: func(ds []doc.Diagnostic) { diags = ds }})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	res, err := p.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	in := func(ds []doc.Diagnostic, path string) bool {
		for _, d := range ds {
			if strings.HasSuffix(d.Path, path) {
				return true
			}
		}
		return false
	}
	if !in(diags, "measures/embargo.md") || !in(res.Errors, "measures/embargo.md") {
		t.Fatalf("the restricted measure without a target has no error: %v", res.Errors)
	}
	if in(res.Shown, "measures/embargo.md") {
		t.Errorf("a preview for internal readers is sent the restricted document's error: %v", res.Shown)
	}
	if !in(res.Shown, "measures/open.md") {
		t.Errorf("the internal measure's error is not shown: %v", res.Shown)
	}
}
