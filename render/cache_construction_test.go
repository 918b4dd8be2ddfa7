package render_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/render"
	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/templates"
)

// A page's key is derived from what it shows (cache.go), so a rebuild
// renders exactly the pages that show a changed input: starting from the
// example, each kind of input is changed in turn, and the pages the
// rebuild rendered must be exactly those whose bytes changed (a page
// rendered needlessly is wasted work, a page not rendered that changed
// would be stale: it differs from a clean build's). Defined
// processes that tailor a standard always render, and are left out.
func TestPagesRenderedAreThoseThatShowTheChange(t *testing.T) {
	r := exampleLibrary(t)
	out := filepath.Join(t.TempDir(), "site")
	pipe := func(audience string) *render.Pipeline {
		p, err := render.NewPipeline(render.PipelineOptions{Repo: r, Out: out, Audience: audience, Now: func() time.Time { return pipelineNow }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		return p
	}
	p := pipe("internal")
	if _, err := p.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	lib := func() *doc.Library {
		t.Helper()
		s, err := r.Load("", doc.LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return s.Lib
	}
	l := lib()
	// X: a document without approvals that other documents link to; Y: a
	// document X links to.
	var x, y *doc.Document
	for _, d := range l.Docs {
		if x != nil || d.Tailors != "" || len(d.Approvals) > 0 || d.Status == "retired" {
			continue
		}
		for _, ref := range d.Refs {
			if t := l.Resolve(ref); t != nil && t != d && t.Tailors == "" {
				x, y = d, t
				break
			}
		}
	}
	if x == nil {
		t.Fatal("test bug: no document of the example links to another")
	}
	var tailored *doc.Document
	for _, d := range l.Docs {
		if d.Tailors != "" && tailored == nil {
			tailored = d
		}
	}
	edit := func(rel, from, to string) {
		t.Helper()
		p := filepath.Join(r.Root, filepath.FromSlash(rel))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(from)) {
			t.Fatalf("test bug: %s has no %q", rel, from)
		}
		if err := os.WriteFile(p, bytes.Replace(b, []byte(from), []byte(to), 1), 0o644); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond) // a stat that differs even on coarse clocks
	}
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=T", "-c", "user.email=t@example.org"}, args...)...)
		cmd.Dir = r.Root
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, b)
		}
	}
	var tags []string
	if b, err := exec.Command("git", "-C", r.Root, "tag", "-l", baseline.TagPrefix+"*").Output(); err == nil {
		tags = strings.Fields(string(b))
	}
	if len(tags) == 0 {
		t.Fatal("test bug: the example has no baseline")
	}

	steps := []struct {
		what   string
		change func()
		// atLeast are pages that show the change: they must be among
		// those rendered (so the step tests something).
		atLeast []string
	}{
		{"a document's body", func() { edit(x.Path, "\n---\n", "\n---\n\nA sentence added by the test.\n") }, []string{"doc/" + x.ID + ".html", "register.html"}},
		{"its title", func() { edit(x.Path, "title: "+x.Title, "title: Retitled "+x.Title) }, []string{"doc/" + x.ID + ".html", "kind/" + x.Kind + ".html"}},
		{"a linked document's title", func() { edit(y.Path, "title: "+y.Title, "title: Renamed "+y.Title) }, []string{"doc/" + x.ID + ".html", "doc/" + y.ID + ".html"}},
		{"a commit touching it (history row)", func() { git("add", "-A"); git("commit", "-q", "-m", "Edits of the test") }, []string{"doc/" + x.ID + ".html", "index.html"}},
		{"an approval", func() {
			cfg := lib().Config
			for _, d := range lib().Docs {
				for _, role := range baseline.Missing(d, cfg) {
					for _, who := range append([]string{d.Owner}, cfg.Roles[role]...) {
						snap, err := r.Load("", doc.LoadOptions{})
						if err != nil {
							t.Fatal(err)
						}
						if _, err := baseline.ApproveDocs(r, snap, baseline.ApproveRequest{IDs: []string{d.ID}, By: who, Role: role, Now: pipelineNow}); err == nil {
							t.Logf("approved %s as %s by %s", d.ID, role, who)
							return
						}
					}
				}
			}
			t.Fatal("test bug: nothing of the example can be approved")
		}, nil},
		{"a baseline tag", func() { git("tag", "-d", tags[len(tags)-1]) }, []string{"baselines.html"}},
		{"a tailoring", func() {
			if tailored == nil {
				t.Fatal("test bug: the example tailors nothing")
			}
			edit(tailored.Path, "Rationale:", "Rationale: (edited by the test)")
		}, []string{"tailoring.html"}},
		{"the config title", func() { edit("rmm.yaml", "title: ", "title: Retitled ") }, []string{"index.html", "doc/" + y.ID + ".html"}},
		{"a layout of the repository's own", func() {
			src, err := fs.ReadFile(templates.Site, "baselines.html")
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(r.Root, filepath.FromSlash(render.OverrideDir), "baselines.html")
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, bytes.Replace(src, []byte("<h1>Baselines</h1>"), []byte("<h1>Our baselines</h1>"), 1), 0o644); err != nil {
				t.Fatal(err)
			}
		}, []string{"baselines.html"}},
		{"the audience", func() { p = pipe("restricted") }, []string{"index.html", "doc/" + y.ID + ".html"}},
	}
	// Steps that change what every page is made with (the layouts are in
	// every key): every page renders.
	everything := map[string]bool{"a layout of the repository's own": true}
	always := map[string]bool{}
	for _, d := range l.Docs {
		if d.Tailors != "" {
			always["doc/"+d.ID+".html"] = true
		}
	}
	audience := "internal"
	before := htmlPages(t, out)
	for _, st := range steps {
		st.change()
		if st.what == "the audience" {
			audience = "restricted"
		}
		res, err := p.Build(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", st.what, err)
		}
		after, want := htmlPages(t, out), cleanBuild(t, r, audience)
		rendered := map[string]bool{}
		for _, pg := range res.Rendered {
			rendered[pg] = true
		}
		// A page that shows the change is one whose clean build differs
		// from the previous site's page.
		var stale, needless []string
		for pg, b := range want {
			if !bytes.Equal(after[pg], b) {
				stale = append(stale, pg)
			}
			if old, had := before[pg]; !always[pg] && had && bytes.Equal(old, b) && rendered[pg] {
				needless = append(needless, pg)
			}
		}
		if len(after) != len(want) {
			t.Errorf("%s: %d pages, a clean build %d", st.what, len(after), len(want))
		}
		sort.Strings(stale)
		sort.Strings(needless)
		if len(stale) > 0 {
			t.Errorf("%s: pages that differ from a clean build's (stale): %v", st.what, stale)
		}
		if len(needless) > 0 && !everything[st.what] {
			t.Errorf("%s: pages rendered that did not change: %v", st.what, needless)
		}
		for _, pg := range st.atLeast {
			if !rendered[pg] {
				t.Errorf("%s: %s was not rendered", st.what, pg)
			}
		}
		t.Logf("%s: %d of %d pages rendered", st.what, len(res.Rendered), len(after))
		before = after
	}
}

// cleanBuild is the HTML pages of a build of r from nothing.
func cleanBuild(t *testing.T, r *repo.Repo, audience string) map[string][]byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "clean")
	p, err := render.NewPipeline(render.PipelineOptions{Repo: r, Out: out, Audience: audience, Scratch: true, Now: func() time.Time { return pipelineNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	return htmlPages(t, out)
}

// htmlPages reads the HTML pages of the site in dir.
func htmlPages(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for p, b := range siteFiles(t, dir) {
		if strings.HasSuffix(p, ".html") {
			out[p] = b
		}
	}
	return out
}
