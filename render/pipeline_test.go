package render_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/render"
	"github.com/rmm-pal/rmm/rules"
)

var pipelineNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// One pipeline builds the example in named phases, hands check's
// diagnostics to the caller before rendering and shows them on the
// Checks page as rules.Check finds them; run again (rmm serve), it reuses
// every document page of an unchanged library, and after an edit it
// publishes the edit.
func TestPipelineBuildsAndRebuilds(t *testing.T) {
	r := exampleLibrary(t)
	out := filepath.Join(t.TempDir(), "site")
	var seen []doc.Diagnostic
	calls := 0
	p, err := render.NewPipeline(render.PipelineOptions{
		Repo: r, Out: out, Now: func() time.Time { return pipelineNow }, InPlace: true,
		OnCheck: func(ds []doc.Diagnostic) { calls++; seen = ds },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	res, err := p.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ph := range res.Phases {
		names = append(names, ph.Phase)
	}
	if got, want := strings.Join(names, " "), "guard history library check load assemble render write"; got != want {
		t.Errorf("phases %q, want %q", got, want)
	}
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := rules.Check(r, snap, pipelineNow)
	if calls != 1 || len(seen) != len(want) || len(res.Diags) != len(want) {
		t.Fatalf("OnCheck called %d times with %d diagnostics (result %d); rules.Check finds %d", calls, len(seen), len(res.Diags), len(want))
	}
	checks, err := os.ReadFile(filepath.Join(out, "checks.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range want {
		if !strings.Contains(string(checks), d.Path) {
			t.Errorf("checks.html does not name %s (%s)", d.Path, d.Message)
		}
	}
	docs := docPages(t, out)
	again, err := p.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Defined processes that tailor a standard always render (cache.go).
	tailored := 0
	for _, x := range snap.Lib.Docs {
		if x.Tailors != "" {
			tailored++
		}
	}
	if again.Reused != docs-tailored || again.Written != 0 {
		t.Errorf("rebuild of an unchanged library: %d of %d document pages reused (%d tailor), %d files written", again.Reused, docs, tailored, again.Written)
	}
	// An edit reaches the site through the same pipeline.
	snap2, _ := r.Load("", doc.LoadOptions{})
	var d *doc.Document
	for _, x := range snap2.Lib.Docs {
		if x.Status == "draft" && len(x.Approvals) == 0 && x.Tailors == "" {
			d = x
		}
	}
	if d == nil {
		t.Fatal("test bug: the example has no draft document")
	}
	full := filepath.Join(r.Root, filepath.FromSlash(d.Path))
	b, _ := os.ReadFile(full)
	if err := os.WriteFile(full, append(b, []byte("\nA sentence the pipeline publishes.\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond) // a stat that differs even on coarse clocks
	third, err := p.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := os.ReadFile(filepath.Join(out, "doc", d.ID+".html"))
	if !strings.Contains(string(page), "A sentence the pipeline publishes.") {
		t.Errorf("doc/%s.html does not show the edit", d.ID)
	}
	if third.Reused == 0 || third.Reused >= again.Reused {
		t.Errorf("after editing one document, %d of %d document pages reused", third.Reused, docs)
	}
}

// Strict refuses before anything is written when check finds an error,
// and an output folder that is not rmm's is refused before anything is
// read.
func TestPipelineRefuses(t *testing.T) {
	r, dir := newLibrary(t, map[string]string{
		"rmm.yaml":   "organization: Example Corp\n",
		"notes/n.md": "---\nid: N-ONE\ntitle: One\nkind: guide\nowner: a@example.org\nstatus: draft\nversion: 0.1.0\nreferences: [NO-SUCH]\n---\nBody.\n",
	})
	out := filepath.Join(t.TempDir(), "site")
	p, err := render.NewPipeline(render.PipelineOptions{Repo: r, Out: out, Strict: true, Now: func() time.Time { return pipelineNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, err = p.Build(context.Background())
	var se *render.StrictError
	if !errors.As(err, &se) || se.Errors == 0 {
		t.Fatalf("strict build over an error: %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused strict build wrote %s", out)
	}

	p, err = render.NewPipeline(render.PipelineOptions{Repo: r, Out: filepath.Join(dir, "notes")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Build(context.Background())
	var oe *render.OutputError
	var pe *render.PhaseError
	if !errors.As(err, &oe) || !errors.As(err, &pe) || pe.Phase != render.PhaseGuard {
		t.Fatalf("build into a folder git tracks: %v", err)
	}
}
