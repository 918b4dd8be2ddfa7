// Package browser holds the browser tests of the published site: headless
// Chromium driven through chromedp opens the example library's site from
// file:// and through rmm serve's live preview, and does what a reader
// does. It holds tests only, so the rest of the test suite does not need a
// browser; these tests skip when Chromium is not installed (CI installs
// Debian's chromium).
package browser

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/example"
	"github.com/rmm-pal/rmm/render"
	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/tailor"
)

// now is the clock of the builds (overdue reviews only).
var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// chromiumPath finds Debian's Chromium, or skips the test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("RMM_CHROMIUM"); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			t.Skipf("browser tests: RMM_CHROMIUM=%s: %v", p, err)
		}
		return path
	}
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	const need = "browser tests need Chromium: apt-get install chromium (or set RMM_CHROMIUM to its path)"
	if os.Getenv("CI") != "" {
		// .ci/run installs it: in CI a missing browser is a failure, not a skip.
		t.Fatal(need)
	}
	t.Skip(need)
	return ""
}

// browser starts a headless Chromium with a fresh profile and returns a
// tab's context; every console error and uncaught exception of any page
// opened in it is recorded and fails the test at the end.
func browser(t *testing.T) context.Context {
	t.Helper()
	exe := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		// A desktop window: below 50rem the search box sits behind the menu button.
		chromedp.WindowSize(1366, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	var mu sync.Mutex
	var problems []string
	listen := func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var args []string
				for _, a := range ev.Args {
					args = append(args, strings.TrimSpace(string(a.Value)+" "+a.Description))
				}
				mu.Lock()
				problems = append(problems, "console error: "+strings.Join(args, " "))
				mu.Unlock()
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			mu.Lock()
			problems = append(problems, fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber, msg))
			mu.Unlock()
		}
	}
	ctx, cancelTab := chromedp.NewContext(alloc, chromedp.WithListener(listen))
	// The first run starts the browser; it must have no timeout of its own.
	if err := chromedp.Do(ctx); err != nil {
		cancelTab()
		cancelAlloc()
		t.Fatalf("start %s: %v", exe, err)
	}
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for Chromium to exit, before its profile is removed
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			t.Error(p)
		}
	})
	return ctx
}

// exampleRepo writes the example library (rmm init --example) into a new
// repository.
func exampleRepo(t *testing.T) *repo.Repo {
	t.Helper()
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	r, err := repo.Init(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := example.Write(r); err != nil {
		t.Fatalf("write the example: %v", err)
	}
	return r
}

// runChecks runs every rule of rmm check, as the command line composes them.
func runChecks(r *repo.Repo, snap *repo.Snapshot) []doc.Diagnostic {
	var rules []check.Rule
	rules = append(rules, check.Rules()...)
	rules = append(rules, baseline.Rules()...)
	rules = append(rules, tailor.Rules()...)
	return check.Run(check.NewContext(r, snap, now), rules)
}

// tour is what a reader does on the site, chosen from the built output:
// a document linked from the home page that has backlinks, and a lesson.
type tour struct {
	doc, backlink string // page paths, e.g. doc/IMC-POL.html
	lesson        *doc.Document
}

var docHref = regexp.MustCompile(`href="(?:\.\./)?(doc/[^"#]+\.html)"`)

func planTour(t *testing.T, r *repo.Repo, out string) tour {
	t.Helper()
	var tr tour
	home, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range docHref.FindAllStringSubmatch(string(home), -1) {
		page, err := os.ReadFile(filepath.Join(out, m[1]))
		if err != nil {
			t.Fatalf("the home page links %s: %v", m[1], err)
		}
		_, back, ok := strings.Cut(string(page), `id="rmm-backlinks"`)
		if !ok {
			continue
		}
		back, _, _ = strings.Cut(back, "</section>")
		if bm := docHref.FindStringSubmatch(back); bm != nil {
			tr.doc, tr.backlink = m[1], bm[1]
			break
		}
	}
	if tr.doc == "" {
		t.Fatal("no document linked from the home page has backlinks")
	}
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range snap.Lib.Docs {
		if d.Kind == "lesson" && d.EffectiveStatus() != "retired" && d.Sensitivity != "restricted" {
			if _, err := os.Stat(filepath.Join(out, "doc", d.ID+".html")); err == nil {
				tr.lesson = d
				break
			}
		}
	}
	if tr.lesson == nil {
		t.Fatal("the example has no lesson on its site")
	}
	return tr
}

// do runs the actions of one step of a test, with a timeout that only
// guards against a hang.
func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// get runs one action that reads a value.
func get[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// onDocPage waits for a document's page: it is the one with backlinks.
var onDocPage = chromedp.WaitVisible(chromedp.CSS(`#rmm-backlinks`))

// walk does the tour from base (the URL of the site's root folder, ending
// in /) and checks that every step lands where a reader expects.
func walk(t *testing.T, ctx context.Context, base string, home string, tr tour) {
	t.Helper()
	do(t, ctx, "open the home page",
		chromedp.Navigate(base+home),
		chromedp.WaitVisible(chromedp.CSS(`#rmm-search`)),
	)
	do(t, ctx, "follow a link to "+tr.doc,
		chromedp.Click(chromedp.CSS(`a[href="`+tr.doc+`"]`), chromedp.NodeVisible),
		onDocPage,
	)
	if loc := get(t, ctx, chromedp.Location()); loc != base+tr.doc {
		t.Errorf("after the link the browser is at %s, want %s", loc, base+tr.doc)
	}
	if h1 := get(t, ctx, chromedp.Text(chromedp.CSS(`h1`))); h1 == "" {
		t.Errorf("%s has no title", tr.doc)
	}
	do(t, ctx, "follow the backlink to "+tr.backlink,
		chromedp.Click(chromedp.CSS(`#rmm-backlinks a[href$="`+tr.backlink+`"]`), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="`+tr.doc+`"]`)), // the way back
	)
	if loc := get(t, ctx, chromedp.Location()); loc != base+tr.backlink {
		t.Errorf("after the backlink the browser is at %s, want %s", loc, base+tr.backlink)
	}
	lesson := "doc/" + tr.lesson.ID + ".html"
	do(t, ctx, "search for the lesson "+tr.lesson.Title,
		chromedp.SendKeys(chromedp.CSS(`#rmm-search`), tr.lesson.Title),
		chromedp.Click(chromedp.CSS(`#rmm-results a[href$="`+lesson+`"]`), chromedp.NodeVisible),
		onDocPage,
	)
	if loc := get(t, ctx, chromedp.Location()); loc != base+lesson {
		t.Errorf("after the search the browser is at %s, want %s", loc, base+lesson)
	}
	if h1 := get(t, ctx, chromedp.Text(chromedp.CSS(`h1`))); !strings.Contains(h1, tr.lesson.Title) {
		t.Errorf("the lesson's page reads %q, want %q", h1, tr.lesson.Title)
	}
}

func TestSiteFromFile(t *testing.T) {
	ctx := browser(t)
	r := exampleRepo(t)
	out := filepath.Join(t.TempDir(), "site")
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := render.Build(context.Background(), render.Options{Repo: r, Out: out, Now: now, Diags: runChecks(r, snap), Snapshot: snap}); err != nil {
		t.Fatal(err)
	}
	tr := planTour(t, r, out)
	base := (&url.URL{Scheme: "file", Path: filepath.ToSlash(out) + "/"}).String()
	walk(t, ctx, base, "index.html", tr)
}

// servePipeline is rmm serve's pipeline for the site of r built into out.
func servePipeline(t *testing.T, r *repo.Repo, out string) *render.Pipeline {
	t.Helper()
	p, err := render.NewPipeline(render.PipelineOptions{
		Repo: r, Out: out, Now: func() time.Time { return now },
		LiveReload: render.ReloadScript, InPlace: true, LenientHistory: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func TestSiteThroughServe(t *testing.T) {
	ctx := browser(t)
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
			if ev.Err != nil {
				t.Fatalf("build %d: %v", ev.Gen, ev.Err)
			}
			return ev
		case <-time.After(2 * time.Minute):
			t.Fatal("no build within two minutes")
		}
		return render.BuildEvent{}
	}
	nextBuild()
	tr := planTour(t, r, out)
	base := "http://" + ln.Addr().String() + "/"
	walk(t, ctx, base, "", tr)

	// Edit the document on screen: the page reloads by itself with the
	// new text. A mark left in the page's JavaScript state proves it was
	// reloaded rather than patched.
	page := tr.doc
	id := strings.TrimSuffix(strings.TrimPrefix(page, "doc/"), ".html")
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := snap.Lib.ByID[id]
	if d == nil {
		t.Fatalf("no document %s", id)
	}
	do(t, ctx, "open "+page,
		chromedp.Navigate(base+page),
		onDocPage,
		chromedp.Evaluate[chromedp.Void](`window.rmmBeforeEdit = true`),
		// The page listens for reloads once its event stream is open.
		chromedp.WaitReady(chromedp.CSS(`html[data-rmm-live]`)),
	)
	marker := "Edited while serving: the page shows this without a click."
	file := filepath.Join(r.Root, filepath.FromSlash(d.Path))
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.TrimRight(string(src), "\n") + "\n\n" + marker + "\n"
	start := time.Now()
	if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	// Poll from here: the page's own polling would die with the reload.
	shows := `document.body !== null && document.body.innerText.includes(` + jsString(marker) + `)`
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(5 * time.Millisecond) {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](shows)); err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the page never showed the edit")
		}
	}
	latency := time.Since(start)
	ev := nextBuild()
	t.Logf("edit-to-reload: %s from saving %s to the new text on screen (the rebuild took %s)", latency.Round(time.Millisecond), d.Path, ev.Duration.Round(time.Millisecond))
	before := get(t, ctx, chromedp.Evaluate[bool](`window.rmmBeforeEdit === true`))
	if before {
		t.Error("the page changed without reloading")
	}
	// The page's script named the page on its event stream, so the page
	// was rendered first and reloaded as soon as it was written, before
	// the rest of the site (render's TestServeReloadsAnOpenPageBeforeTheRestIsBuilt
	// holds a build half-way to see the rest wait).
	if got := strings.Join(ev.Reloaded, " "); got != page || ev.ReloadedAfter <= 0 || ev.ReloadedAfter > ev.Duration {
		t.Errorf("reloaded before the build ended: %q after %s (want %s, within the build's %s)", got, ev.ReloadedAfter, page, ev.Duration)
	}

	// A hidden page lets go of its event stream (a browser has few
	// connections per server to share between tabs), and catches up with
	// the builds it missed when it is shown again.
	setHidden := func(hidden bool) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
			`Object.defineProperty(document, "hidden", {value: %t, configurable: true}); document.dispatchEvent(new Event("visibilitychange"))`, hidden))
	}
	do(t, ctx, "hide the page",
		chromedp.Evaluate[chromedp.Void](`window.rmmBeforeEdit = true`),
		setHidden(true),
		chromedp.WaitNotPresent(chromedp.CSS(`html[data-rmm-live]`)),
	)
	marker2 := "Edited again while the page was hidden."
	if err := os.WriteFile(file, []byte(edited+"\n"+marker2+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for ev := nextBuild(); !slices.Contains(ev.Changes, file); ev = nextBuild() {
	}
	if get(t, ctx, chromedp.Evaluate[bool](`document.body.innerText.includes(`+jsString(marker2)+`)`)) ||
		!get(t, ctx, chromedp.Evaluate[bool](`window.rmmBeforeEdit === true`)) {
		t.Error("a hidden page reloaded")
	}
	do(t, ctx, "show the page", setHidden(false))
	shows = `document.body !== null && document.body.innerText.includes(` + jsString(marker2) + `)`
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(5 * time.Millisecond) {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](shows)); err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the page shown again never caught up with the edit made while it was hidden")
		}
	}
}

func jsString(s string) string {
	return fmt.Sprintf("%q", s) // the markers are plain ASCII without escapes
}
