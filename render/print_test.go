package render_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/example"
	"github.com/rmm-pal/rmm/render"
	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/store"
)

func exampleLibrary(t *testing.T) *repo.Repo {
	t.Helper()
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	r, err := repo.Init(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := example.Write(r); err != nil {
		t.Fatalf("example: %v", err)
	}
	return r
}

var headerAttr = regexp.MustCompile(render.HeaderAttr + `="([^"]*)"`)

// TestPrintBaseline builds a baseline's controlled copy at the baseline's
// commit: the manifest, then every controlled document of the baseline as
// it was then, each with its controlled-copy block; a document the
// audience may not see is not in it, not even in the manifest. A scratch
// build leaves no page state behind.
func TestPrintBaseline(t *testing.T) {
	r := exampleLibrary(t)
	m, err := baseline.Show(r, "2026-q2")
	if err != nil {
		t.Fatal(err)
	}
	stateDir := store.Dir(r.GitDir, "site")
	before, _ := os.ReadDir(stateDir)

	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, func(o *render.Options) {
		o.Rev, o.PrintBaseline, o.Scratch = m.Tag, m.Name, true
	})
	files := siteFiles(t, out)
	checkLinks(t, files)
	bundle := page(t, files, render.PrintPath(m.Name))
	headers := headerAttr.FindAllStringSubmatch(bundle, -1)
	if len(headers) != 1+len(m.Documents) {
		t.Fatalf("%d controlled-copy blocks in the baseline's copy, want the manifest's and %d documents'", len(headers), len(m.Documents))
	}
	if want := "Baseline 2026-q2 · manifest · root " + m.Root[:12]; headers[0][1] != want {
		t.Errorf("the copy starts with %q, want the manifest, %q", headers[0][1], want)
	}
	if i := strings.Index(bundle, "<h1>Baseline 2026-q2: manifest</h1>"); i < 0 || i > strings.Index(bundle, `<article class="doc`) {
		t.Error("the manifest is not first")
	}
	for i, e := range m.Documents {
		// The document as the baseline holds it: its fingerprint, its
		// place in the manifest's order.
		if !strings.HasPrefix(headers[i+1][1], e.ID+" · ") || !strings.HasSuffix(headers[i+1][1], " · fingerprint "+e.Fingerprint[:12]) {
			t.Errorf("block %d is %q, want %s with fingerprint %.12s", i+1, headers[i+1][1], e.ID, e.Fingerprint)
		}
		if !strings.Contains(bundle, `<code class="fp">`+e.Fingerprint+`</code>`) {
			t.Errorf("the manifest does not list %s with its fingerprint", e.ID)
		}
	}
	if strings.Contains(bundle, "another fingerprint") || strings.Contains(bundle, "not at the baseline") {
		t.Error("the copy says a document differs from the manifest")
	}
	if after, _ := os.ReadDir(stateDir); len(after) != len(before) {
		t.Errorf("a scratch build left page state: %d files in %s, %d before", len(after), stateDir, len(before))
	}

	// A public copy holds the public documents; of the others, not even
	// their lines of the manifest.
	pub := filepath.Join(t.TempDir(), "public")
	build(t, r, pub, func(o *render.Options) {
		o.Rev, o.PrintBaseline, o.Scratch, o.Audience = m.Tag, m.Name, true, "public"
	})
	bundle = page(t, siteFiles(t, pub), render.PrintPath(m.Name))
	then, err := r.Load(m.Tag, doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	shown, hidden := 0, 0
	for _, e := range m.Documents {
		d := then.Lib.ByID[e.ID]
		if d != nil && render.Visible(d, then.Lib.Config, "public") {
			shown++
			continue
		}
		hidden++
		if strings.Contains(bundle, e.ID) || strings.Contains(bundle, e.Fingerprint) {
			t.Errorf("the public copy shows %s", e.ID)
		}
	}
	if n := len(headerAttr.FindAllString(bundle, -1)); n != 1+shown || hidden == 0 {
		t.Errorf("the public copy has %d controlled-copy blocks, want the manifest's and %d public documents' (%d hidden)", n, shown, hidden)
	}
	if !strings.Contains(bundle, m.Root) {
		t.Error("the public copy has no root hash")
	}
}

// TestPrintBlock: a document's page carries its controlled-copy block,
// hidden on screen: id, title, status, fingerprint, the latest baseline
// holding it (this version or an earlier one), approvals current or stale;
// the time of printing is not in the page (it would change the bytes).
func TestPrintBlock(t *testing.T) {
	r := exampleLibrary(t)
	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, nil)
	files := siteFiles(t, out)
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	latest := baseline.Latest(r)
	sawEarlier, sawThis, sawStale := false, false, false
	for _, d := range snap.Lib.Docs {
		if d.Sensitivity == "restricted" {
			continue
		}
		s := page(t, files, "doc/"+d.ID+".html")
		block, ok := between(s, `<section class="controlled-copy"`, "</section>")
		if !ok {
			t.Errorf("doc/%s.html has no controlled-copy block", d.ID)
			continue
		}
		if !strings.Contains(block, " hidden>") {
			t.Errorf("doc/%s.html: the block is not hidden on screen", d.ID)
		}
		for _, want := range []string{"<code>" + d.ID + "</code>", "uncontrolled when printed", `<span class="cc-printed">________</span>`} {
			if !strings.Contains(block, want) {
				t.Errorf("doc/%s.html: the block lacks %q", d.ID, want)
			}
		}
		if d.Fingerprint != "" && !strings.Contains(block, d.Fingerprint) {
			t.Errorf("doc/%s.html: the block lacks the fingerprint", d.ID)
		}
		e := latest.Entry(d.ID)
		switch {
		case e == nil:
		case e.Fingerprint == d.Fingerprint:
			sawThis = sawThis || strings.Contains(block, latest.Name+" (this version)")
		default:
			sawEarlier = sawEarlier || strings.Contains(block, latest.Name+" (an earlier version")
		}
		sawStale = sawStale || strings.Contains(block, "stale: given to an earlier version")
	}
	if !sawThis || !sawEarlier || !sawStale {
		t.Errorf("the example shows no block with this version in a baseline (%t), an earlier version (%t), a stale approval (%t)", sawThis, sawEarlier, sawStale)
	}
}

func between(s, from, to string) (string, bool) {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return "", false
	}
	in, _, ok := strings.Cut(rest, to)
	return in, ok
}
