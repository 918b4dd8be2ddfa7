package browser

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/render"
)

// TestReloadShowsBuildErrors opens a document's page served live, as rmm
// serve builds it (each load with the previous one, a document that stops
// loading kept at its last good version, check on every build), breaks
// the document's front matter and sees the overlay name the file and
// line over the page, which reloads as its last good version with a
// banner; the fix takes the overlay and the banner away and reloads.
func TestReloadShowsBuildErrors(t *testing.T) {
	ctx := browser(t)
	r := exampleRepo(t)
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
		return render.Build(ctx, render.Options{Repo: r, Out: out, Now: now, Snapshot: s, Stale: stale,
			Diags: runChecks(r, s), LiveReload: render.ReloadScript, InPlace: true})
	})
	builds := make(chan render.BuildEvent, 100)
	srv := render.NewServer(render.ServeOptions{
		Dir: out, Builder: b, Root: r.Root, GitDir: r.GitDir,
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
	select {
	case ev := <-builds:
		if ev.Err != nil || ev.ErrorReport() != "" {
			t.Fatalf("first build: %v %s", ev.Err, ev.ErrorReport())
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("no build within two minutes")
	}
	base := "http://" + ln.Addr().String() + "/"
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := snap.Lib.ByID["IMC-POL"]
	if d == nil {
		t.Fatal("the example has no IMC-POL")
	}
	do(t, ctx, "open IMC-POL",
		chromedp.Navigate(base+"doc/IMC-POL.html"),
		onDocPage,
		chromedp.WaitReady(chromedp.CSS(`html[data-rmm-live]`)),
		chromedp.Evaluate[chromedp.Void](`window.rmmBeforeBreak = true`),
	)
	title := get(t, ctx, chromedp.Evaluate[string](`document.querySelector("h1").textContent`))

	// Break the front matter: the title opens a list on line 3.
	file := filepath.Join(r.Root, filepath.FromSlash(d.Path))
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	first, rest, _ := strings.Cut(string(src), "\n")
	second, rest, _ := strings.Cut(rest, "\n")
	broken := first + "\n" + second + "\ntitle: [broken\n" + rest
	if err := os.WriteFile(file, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	loc := d.Path + ":3"
	waitFor(t, ctx, "the error overlay naming "+loc+" over the last good page",
		`(function () {
		  var o = document.getElementById("rmm-build-errors"), s = document.getElementById("rmm-stale");
		  return o !== null && s !== null && o.textContent.includes(`+jsString(loc+": invalid YAML front matter")+`) &&
		    o.textContent.includes("1 document that does not load shows its last good version") &&
		    s.textContent.includes(`+jsString("This page is from the last good version: "+loc+": invalid YAML")+`);
		})()`)
	if get(t, ctx, chromedp.Evaluate[bool](`window.rmmBeforeBreak === true`)) {
		t.Error("the page did not reload to its last good version")
	}
	if h := get(t, ctx, chromedp.Evaluate[string](`document.querySelector("h1").textContent`)); h != title {
		t.Errorf("the last good page's title is %q, want %q", h, title)
	}
	if pos := get(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.getElementById("rmm-build-errors")).position`)); pos != "fixed" {
		t.Errorf("the overlay is not over the page (position %q)", pos)
	}
	if n := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#rmm-build-errors .rmm-error-loc").length`)); n != 1 {
		t.Errorf("the overlay lists %d errors, want 1", n)
	}
	// RMM_SCREENSHOTS=DIR keeps a picture of it, to look at.
	if dir := os.Getenv("RMM_SCREENSHOTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "reload-overlay.png"), get(t, ctx, chromedp.CaptureScreenshot()), 0o644); err != nil {
			t.Error(err)
		}
	}
	// Another page of the site learns of the error when it opens.
	do(t, ctx, "open the home page",
		chromedp.Navigate(base),
		chromedp.WaitVisible(chromedp.CSS(`#rmm-build-errors`)),
		chromedp.Navigate(base+"doc/IMC-POL.html"),
		chromedp.WaitVisible(chromedp.CSS(`#rmm-stale`)),
		chromedp.WaitReady(chromedp.CSS(`html[data-rmm-live]`)),
		chromedp.Evaluate[chromedp.Void](`window.rmmBeforeFix = true`),
	)

	// Fixed: the overlay goes, the page reloads without its banner.
	if err := os.WriteFile(file, src, 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the overlay and banner to go",
		`document.body !== null && window.rmmBeforeFix !== true && document.getElementById("rmm-build-errors") === null &&
		 document.getElementById("rmm-stale") === null && document.querySelector("#rmm-backlinks") !== null`)
}
