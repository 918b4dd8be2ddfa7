package render_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/render"
)

// A build parses each document once (issue 13): the pipeline renders the
// bodies it prepared while reading the library, and the site is, byte for
// byte, the one a pipeline gives that parses every body again when it
// renders its pages (its library read from the parse cache).
func TestPipelineRendersBodiesParsedAtLoad(t *testing.T) {
	r := exampleLibrary(t)
	if err := os.RemoveAll(r.ParseCacheDir()); err != nil { // example.Write warmed it
		t.Fatal(err)
	}
	// A note whose attributes only the site's filter (keepAttributes)
	// removes: goldmark's own lets style and title through.
	note := "# Attributes\n\n## Part {.zz style=\"color:red\" title=x onclick=y}\n\nSee [[RISK-ASSESS]], [gone](missing.md) and <javascript:x>.\n"
	if err := os.WriteFile(filepath.Join(r.Root, "attributes.md"), []byte(note), 0o644); err != nil {
		t.Fatal(err)
	}
	pipeline := func(out string) *render.Pipeline {
		p, err := render.NewPipeline(render.PipelineOptions{Repo: r, Out: out, Now: func() time.Time { return pipelineNow }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		return p
	}
	once := filepath.Join(t.TempDir(), "once")
	p := pipeline(once)
	snap, err := p.Load()
	if err != nil {
		t.Fatal(err)
	}
	n := render.PreparedBodies(p)
	if n < len(snap.Lib.Docs)/2 {
		t.Fatalf("%d of %d bodies prepared when the library was read", n, len(snap.Lib.Docs))
	}
	if _, err := p.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	if left := render.PreparedBodies(p); left != 0 {
		t.Errorf("%d prepared bodies kept after the build", left)
	}

	twice := filepath.Join(t.TempDir(), "twice")
	q := pipeline(twice)
	if _, err := q.Load(); err != nil {
		t.Fatal(err)
	}
	// (A few documents are never cached: not world-readable, see doc.)
	if m := render.PreparedBodies(q); m > n/2 {
		t.Fatalf("a library read from the parse cache prepared %d bodies (%d the first time)", m, n)
	}
	res, err := q.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Reused != 0 {
		t.Fatalf("test bug: the second site reused %d pages", res.Reused)
	}
	a, b := siteFiles(t, once), siteFiles(t, twice)
	if len(a) != len(b) {
		t.Errorf("%d files, parsing again %d", len(a), len(b))
	}
	for p, data := range b {
		if !bytes.Equal(a[p], data) {
			t.Errorf("%s differs from the page parsed again", p)
		}
	}
}
