package browser

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/render"
	"github.com/rmm-pal/rmm/repo"
)

// The site's Content-Security-Policy (render.SitePolicy, a meta tag of
// every page; rmm serve sends it as a header too) must cost the reader
// nothing: these tests open the example's site from file:// and through
// rmm serve, do what a reader does (links, search, live reload, the build
// error banner), and fail on any violation of the policy. Probes then
// show the policy is in force: a remote image, an inline script and an
// inline style are blocked.

// cspWatchJS runs in every document before its own scripts: a violation
// is a console error, which browser() fails the test on, unless the test
// is probing (window.rmmProbing), when it is counted in window.rmmProbes.
const cspWatchJS = `document.addEventListener("securitypolicyviolation", function (e) {
  if (window.rmmProbing) {
    (window.rmmProbes = window.rmmProbes || []).push(e.effectiveDirective);
    return;
  }
  console.error("CSP violation in " + e.documentURI + ": " + e.effectiveDirective + " blocked " + (e.blockedURI || "(inline)"));
}, true);`

// watchCSP makes every document opened in ctx report its CSP violations,
// from the page (cspWatchJS) and from the browser's own log (which names
// violations the page cannot see, such as a policy the browser could not
// parse); the log's are failures at the end of the test, probes aside.
// It returns the probe (see probeCSP).
func watchCSP(t *testing.T, ctx context.Context) func(where string, policies int) {
	t.Helper()
	var mu sync.Mutex
	var problems []string
	probing := false
	err := chromedp.Listen(ctx, func(ev any) {
		e, ok := ev.(*log.EventEntryAdded)
		if !ok || e.Entry == nil {
			return
		}
		text := e.Entry.Text
		if e.Entry.Source != log.EntrySourceSecurity && e.Entry.Source != log.EntrySourceViolation &&
			!strings.Contains(text, "Content Security Policy") {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if !probing {
			problems = append(problems, fmt.Sprintf("browser log (%s, %s): %s", e.Entry.Source, e.Entry.Level, text))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatchJS}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		seen := map[string]int{}
		var order []string
		for _, p := range problems {
			if seen[p]++; seen[p] == 1 {
				order = append(order, p)
			}
		}
		for _, p := range order {
			t.Errorf("%s (%d times)", p, seen[p])
		}
	})
	return func(where string, policies int) {
		t.Helper()
		mu.Lock()
		probing = true
		mu.Unlock()
		defer func() {
			mu.Lock()
			probing = false
			mu.Unlock()
		}()
		probeCSP(t, ctx, where, policies)
	}
}

// probeCSP tries, on the page open in ctx, what the policy forbids: a
// remote image, an inline script, an inline style attribute. Each must be
// blocked and reported as a violation of its directive by each of the
// policies in force (the meta tag's, the header's, or both).
func probeCSP(t *testing.T, ctx context.Context, where string, policies int) {
	t.Helper()
	do(t, ctx, "probe the CSP on "+where,
		chromedp.Evaluate[chromedp.Void](`window.rmmProbing = true; window.rmmProbes = [];
var img = document.createElement("img"); img.src = "http://127.0.0.1:9/rmm-csp-probe.png"; document.body.appendChild(img);
var s = document.createElement("script"); s.textContent = "window.rmmInlineRan = true"; document.body.appendChild(s);
var p = document.createElement("p"); p.id = "rmm-csp-probe"; p.setAttribute("style", "position: fixed"); document.body.appendChild(p);`),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`window.rmmProbes.length >= %d`, 3*policies), chromedp.WithPollingTimeout(20*time.Second)),
	)
	probes := get(t, ctx, chromedp.Evaluate[[]string](`window.rmmProbes`))
	sort.Strings(probes)
	var want []string
	for _, d := range []string{"img-src", "script-src-elem", "style-src-attr"} {
		for range policies {
			want = append(want, d)
		}
	}
	if !slices.Equal(probes, want) {
		t.Errorf("%s: the probes were reported as %q, want %q", where, probes, want)
	}
	if get(t, ctx, chromedp.Evaluate[bool](`window.rmmInlineRan === true`)) {
		t.Errorf("%s: an inline script ran", where)
	}
	if pos := get(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.getElementById("rmm-csp-probe")).position`)); pos == "fixed" {
		t.Errorf("%s: an inline style applied", where)
	}
	do(t, ctx, "end the probe", chromedp.Evaluate[chromedp.Void](`window.rmmProbing = false`))
}

// builtExample builds the example library's site into a new folder.
func builtExample(t *testing.T, r *repo.Repo) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "site")
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := render.Build(context.Background(), render.Options{Repo: r, Out: out, Now: now, Diags: runChecks(r, snap), Snapshot: snap}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCSPFromFile(t *testing.T) {
	ctx := browser(t)
	probe := watchCSP(t, ctx)
	r := exampleRepo(t)
	out := builtExample(t, r)
	base := (&url.URL{Scheme: "file", Path: filepath.ToSlash(out) + "/"}).String()

	// Links, backlinks and the search (whose data is a script the search
	// adds to the page) work under the policy.
	walk(t, ctx, base, "index.html", planTour(t, r, out))

	// Every page of the site opens without a violation: charts, tables,
	// the tailoring matrix, baselines.
	var pages []string
	err := filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".html") && !strings.Contains(p, string(filepath.Separator)+"files"+string(filepath.Separator)) {
			rel, _ := filepath.Rel(out, p)
			pages = append(pages, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(pages)
	for _, p := range pages {
		do(t, ctx, "open "+p, chromedp.Navigate(base+p), chromedp.WaitReady(chromedp.CSS(`footer`)))
	}
	t.Logf("%d pages opened from file:// without a CSP violation", len(pages))

	// The meta tag alone holds the policy.
	probe("a page opened from file://", 1)
}

func TestCSPThroughServe(t *testing.T) {
	ctx := browser(t)
	probe := watchCSP(t, ctx)
	r := exampleRepo(t)
	out := filepath.Join(t.TempDir(), "site")
	builds := make(chan render.BuildEvent, 100)
	srv := render.NewServer(render.ServeOptions{
		Dir:     out,
		Builder: servePipeline(t, r, out),
		Root:    r.Root, GitDir: r.GitDir,
		SkipDir: render.SkipOutput(r.Root, out, doc.DefaultOutput),
		OnBuild: func(ev render.BuildEvent) { builds <- ev },
	})
	ln, err := render.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(sctx, ln) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	nextBuild := func() render.BuildEvent {
		t.Helper()
		select {
		case ev := <-builds:
			return ev
		case <-time.After(2 * time.Minute):
			t.Fatal("no build within two minutes")
		}
		return render.BuildEvent{}
	}
	if ev := nextBuild(); ev.Err != nil {
		t.Fatal(ev.Err)
	}
	tr := planTour(t, r, out)
	base := "http://" + ln.Addr().String() + "/"
	walk(t, ctx, base, "", tr)

	// Live reload: the page's event stream opens (connect-src 'self'), an
	// edit reloads it.
	id := strings.TrimSuffix(strings.TrimPrefix(tr.doc, "doc/"), ".html")
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := snap.Lib.ByID[id]
	if d == nil {
		t.Fatalf("no document %s", id)
	}
	do(t, ctx, "open "+tr.doc,
		chromedp.Navigate(base+tr.doc),
		onDocPage,
		chromedp.WaitReady(chromedp.CSS(`html[data-rmm-live]`)),
	)
	file := filepath.Join(r.Root, filepath.FromSlash(d.Path))
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	marker := "Reloaded under the Content-Security-Policy."
	if err := os.WriteFile(file, []byte(strings.TrimRight(string(src), "\n")+"\n\n"+marker+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the page to reload with the edit", `document.body !== null && document.body.innerText.includes(`+jsString(marker)+`)`)
	for ev := nextBuild(); !slices.Contains(ev.Changes, file); ev = nextBuild() {
	}

	// A failed build shows its banner, styled by the reload script through
	// the CSSOM, which the policy allows (an inline style would not be).
	override := filepath.Join(r.Root, filepath.FromSlash(render.OverrideDir), "doc.html")
	if err := os.MkdirAll(filepath.Dir(override), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(override, []byte(`{{define "content"}}{{.Nope`), 0o644); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "wait for the build error banner",
		chromedp.WaitVisible(chromedp.CSS(`#rmm-build-error`)),
	)
	if pos := get(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.getElementById("rmm-build-error")).position`)); pos != "fixed" {
		t.Errorf("the build error banner is not styled (position %q)", pos)
	}
	if err := os.Remove(override); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the banner to go", `document.getElementById("rmm-build-error") === null && document.documentElement.hasAttribute("data-rmm-live")`)

	// Through serve a page is under two policies, the header's and its
	// meta tag's; so is the site's 404.html, which serve answers for a
	// missing page.
	probe("a page through serve", 2)
	do(t, ctx, "open a missing page",
		chromedp.Navigate(base+"doc/NO-SUCH-DOC.html"),
		chromedp.WaitVisible(chromedp.CSS(`h1`)),
	)
	probe("serve's 404 page", 2)
}

// waitFor evaluates cond on the page until it is true, from here: a poll
// inside the page would die with a reload.
func waitFor(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond)); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited two minutes for %s", what)
		}
	}
}
