package render_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/render"
	"github.com/rmm-pal/rmm/repo"
)

const previewPolicy = `---
id: IMC-POL
kind: policy
title: Incident policy
owner: dana@example.org
process_area: IMC
---

Keys are rotated yearly.
`

// The front matter's title opens a list it never closes: line 4.
const brokenPolicy = `---
id: IMC-POL
kind: policy
title: [Incident policy
owner: dana@example.org
---

Keys are rotated weekly.
`

// previewServer runs a real render.Server over a real library, built as
// rmm serve builds it: each load with the previous one, patched by
// LastGood, the load's diagnostics as the build's.
type previewServer struct {
	url, dir string
	builds   chan render.BuildEvent
}

func startPreview(t *testing.T) *previewServer {
	t.Helper()
	r, dir := newLibrary(t, map[string]string{
		"rmm.yaml":        "organization: Acme\ntitle: Acme PAL\n",
		"policies/pol.md": previewPolicy,
		"plans/plan.md":   "---\nid: IMC-PLAN\nkind: plan\ntitle: Incident plan\nowner: dana@example.org\nprocess_area: IMC\n---\n\nUnder [[IMC-POL]].\n",
	})
	out := filepath.Join(t.TempDir(), "site")
	good := render.NewLastGood()
	var prev *doc.Library
	b := render.BuilderFunc(func(ctx context.Context) (*render.Result, error) {
		s, err := r.Load("", doc.LoadOptions{Previous: prev})
		if err != nil {
			return nil, err
		}
		prev = s.Lib
		s, stale := good.Patch(s)
		return render.Build(ctx, render.Options{Repo: r, Out: out, Snapshot: s, Stale: stale, Diags: s.Lib.Diags,
			LiveReload: render.ReloadScript, InPlace: true, Now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)})
	})
	ln, err := render.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ps := &previewServer{url: "http://" + ln.Addr().String(), dir: dir, builds: make(chan render.BuildEvent, 100)}
	srv := render.NewServer(render.ServeOptions{Dir: out, Builder: b, Root: dir, GitDir: r.GitDir,
		SkipDir: render.SkipOutput(dir, out, doc.DefaultOutput), Interval: 10 * time.Millisecond,
		OnBuild: func(ev render.BuildEvent) { ps.builds <- ev }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return ps
}

func (ps *previewServer) build(t *testing.T) render.BuildEvent {
	t.Helper()
	select {
	case ev := <-ps.builds:
		if ev.Err != nil {
			t.Fatalf("build %d: %v", ev.Gen, ev.Err)
		}
		return ev
	case <-time.After(30 * time.Second):
		t.Fatal("no build within 30 s")
	}
	return render.BuildEvent{}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

type sse struct{ name, data string }

func events(t *testing.T, url string) <-chan sse {
	t.Helper()
	resp, err := http.Get(url + render.EventsPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	ch := make(chan sse, 100)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(resp.Body)
		var ev sse
		for sc.Scan() {
			switch l := sc.Text(); {
			case l == "":
				ch <- ev
				ev = sse{}
			case strings.HasPrefix(l, "event: "):
				ev.name = l[7:]
			case strings.HasPrefix(l, "data: "):
				ev.data += l[6:]
			}
		}
	}()
	return ch
}

// waitEvent returns the next event named name, skipping others.
func waitEvent(t *testing.T, ch <-chan sse, name string) sse {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatal("the event stream ended")
			}
			if ev.name == name {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %s event within 30 s", name)
		}
	}
}

type diagsMsg struct {
	Count  int `json:"count"`
	Stale  int `json:"stale"`
	Errors []struct {
		Path    string `json:"path"`
		Line    int    `json:"line"`
		Message string `json:"message"`
	} `json:"errors"`
}

// A save that breaks a document's front matter: open pages are told the
// error with its file and line, the terminal's report counts it, the
// document's page stays with a banner, and the page that links it still
// does. The fix takes all of it away.
func TestPreviewKeepsTheLastGoodPageOfABrokenDocument(t *testing.T) {
	ps := startPreview(t)
	if ev := ps.build(t); ev.ErrorReport() != "" {
		t.Fatalf("the first build reports errors: %s", ev.ErrorReport())
	}
	es := events(t, ps.url)
	waitEvent(t, es, "hello")

	if err := os.WriteFile(filepath.Join(ps.dir, "policies/pol.md"), []byte(brokenPolicy), 0o644); err != nil {
		t.Fatal(err)
	}
	ev := ps.build(t)
	rep := ev.ErrorReport()
	if !strings.HasPrefix(rep, "rebuilt with 1 error:\n  policies/pol.md:4: error: invalid YAML front matter") {
		t.Errorf("the terminal's report:\n%s", rep)
	}
	var m diagsMsg
	if err := json.Unmarshal([]byte(waitEvent(t, es, "diags").data), &m); err != nil {
		t.Fatal(err)
	}
	if m.Count != 1 || m.Stale != 1 || len(m.Errors) != 1 || m.Errors[0].Path != "policies/pol.md" || m.Errors[0].Line != 4 || !strings.Contains(m.Errors[0].Message, "invalid YAML") {
		t.Errorf("diags event %+v", m)
	}
	if e := waitEvent(t, es, "reload"); e.data == "" {
		t.Error("no reload after the page changed")
	}
	code, body := httpGet(t, ps.url+"/doc/IMC-POL.html")
	if code != 200 || !strings.Contains(body, "This page is from the last good version:</strong> <code>policies/pol.md:4: invalid YAML front matter") ||
		!strings.Contains(body, "Keys are rotated yearly.") {
		t.Errorf("the broken document's page = %d:\n%s", code, body)
	}
	if _, plan := httpGet(t, ps.url+"/doc/IMC-PLAN.html"); !strings.Contains(plan, `href="../doc/IMC-POL.html"`) {
		t.Error("the plan no longer links the policy")
	}
	// A page opened now is told at once.
	late := events(t, ps.url)
	waitEvent(t, late, "hello")
	if e := waitEvent(t, late, "diags"); !strings.Contains(e.data, `"line":4`) {
		t.Errorf("a page opened later got %+v", e)
	}

	// Another edit, still broken: still the last good version.
	if err := os.WriteFile(filepath.Join(ps.dir, "policies/pol.md"), []byte(brokenPolicy+"\nMore.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ps.build(t)
	if code, body := httpGet(t, ps.url+"/doc/IMC-POL.html"); code != 200 || !strings.Contains(body, "Keys are rotated yearly.") {
		t.Errorf("after a second broken save the page = %d", code)
	}

	// Fixed: the overlay goes (count 0), the page reloads without banner.
	fixed := strings.Replace(previewPolicy, "yearly", "daily", 1)
	if err := os.WriteFile(filepath.Join(ps.dir, "policies/pol.md"), []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	if ev := ps.build(t); ev.ErrorReport() != "" {
		t.Errorf("the fixed build reports %s", ev.ErrorReport())
	}
	m = diagsMsg{}
	if err := json.Unmarshal([]byte(waitEvent(t, es, "diags").data), &m); err != nil || m.Count != 0 || len(m.Errors) != 0 {
		t.Errorf("diags after the fix: %+v, %v", m, err)
	}
	waitEvent(t, es, "reload")
	if _, body := httpGet(t, ps.url+"/doc/IMC-POL.html"); strings.Contains(body, "last good version") || !strings.Contains(body, "Keys are rotated daily.") {
		t.Errorf("the fixed page:\n%s", body)
	}

	// Deleted: the page goes; a missing path is the site's 404.html.
	if err := os.Remove(filepath.Join(ps.dir, "policies/pol.md")); err != nil {
		t.Fatal(err)
	}
	ps.build(t)
	code, body = httpGet(t, ps.url+"/doc/IMC-POL.html")
	if code != http.StatusNotFound || !strings.Contains(body, "<h1>Page not found</h1>") || !strings.Contains(body, `href="/index.html"`) || !strings.Contains(body, render.ReloadScript) {
		t.Errorf("a deleted document's page = %d:\n%s", code, body)
	}
}

// Patch leaves the snapshot it is given alone (the next load compares
// against it), and forgets a document whose file is gone.
func TestLastGoodPatch(t *testing.T) {
	r, dir := newLibrary(t, map[string]string{
		"rmm.yaml":        "organization: Acme\n",
		"policies/pol.md": previewPolicy,
	})
	load := func() *repo.Snapshot {
		s, err := r.Load("", doc.LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	g := render.NewLastGood()
	if s, stale := g.Patch(load()); stale != nil || s.Lib.ByID["IMC-POL"] == nil {
		t.Fatalf("a good load patched: %v", stale)
	}
	writeFiles(t, dir, map[string]string{"policies/pol.md": brokenPolicy})
	broken := load()
	s, stale := g.Patch(broken)
	if broken.Lib.ByID["IMC-POL"] != nil || len(broken.Lib.Docs) != 0 {
		t.Error("Patch changed the library it was given")
	}
	if d := s.Lib.ByID["IMC-POL"]; d == nil || s.Lib.ByPath["policies/pol.md"] != d || len(s.Lib.Docs) != 1 || stale["policies/pol.md"].Line != 4 {
		t.Errorf("patched: %+v, stale %v", s.Lib.Docs, stale)
	}
	os.Remove(filepath.Join(dir, "policies/pol.md"))
	if s, stale := g.Patch(load()); stale != nil || len(s.Lib.Docs) != 0 {
		t.Errorf("a deleted document is kept: %v", stale)
	}
	writeFiles(t, dir, map[string]string{"policies/pol.md": brokenPolicy})
	if _, stale := g.Patch(load()); stale != nil {
		t.Error("a document deleted, then written back broken, came back from before")
	}
}
