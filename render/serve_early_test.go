package render

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/example"
	"github.com/rmm-pal/rmm/repo"
)

// TestServeReloadsAnOpenPageBeforeTheRestIsBuilt edits a document whose
// page is open (its event stream names it, as the reload script does) and
// holds the rebuild after its pages are written: the open page is told to
// reload and answered with the edit, its stylesheet too, while the search
// index, made after the pages, waits for the end of the build and then
// holds the edit; the reload script served meanwhile carries the new
// generation, and the end of the build tells the page "ok", not to reload
// again. A page nobody has open is reloaded at the end only, as before.
func TestServeReloadsAnOpenPageBeforeTheRestIsBuilt(t *testing.T) {
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	r, err := repo.Init(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := example.Write(r); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "site")
	p, err := NewPipeline(PipelineOptions{Repo: r, Out: out, LiveReload: ReloadScript, InPlace: true, LenientHistory: true, KeepLastGood: true,
		Now: func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	builds := make(chan BuildEvent, 10)
	srv := NewServer(ServeOptions{Dir: out, Builder: p, Root: r.Root, GitDir: r.GitDir,
		SkipDir: SkipOutput(r.Root, out, "_site"), Interval: 10 * time.Millisecond,
		OnBuild: func(ev BuildEvent) { builds <- ev }})
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	next := func() BuildEvent {
		t.Helper()
		select {
		case ev := <-builds:
			if ev.Err != nil {
				t.Fatalf("build %d: %v", ev.Gen, ev.Err)
			}
			return ev
		case <-time.After(time.Minute):
			t.Fatal("no build within a minute")
		}
		return BuildEvent{}
	}
	next()
	base := "http://" + ln.Addr().String()

	open := subscribeTo(t, base+EventsPath+"?page="+url.QueryEscape("/doc/TRN-2026-02.html"))
	other := subscribeTo(t, base+EventsPath+"?page="+url.QueryEscape("/doc/SC-TEST.html"))
	blind := subscribe(t, base) // a stream that does not say its page
	for _, ch := range []<-chan event{open, other, blind} {
		if ev := nextEvent(t, ch); ev != (event{"hello", "1"}) {
			t.Fatalf("first event %+v, want hello 1", ev)
		}
	}

	held, release := make(chan struct{}), make(chan struct{})
	testHookPagesDone = func() {
		close(held)
		<-release
	}
	defer func() { testHookPagesDone = nil }()
	released := false
	defer func() {
		if !released {
			close(release)
		}
	}()
	// A draft's body: its page, the search index and little else change
	// (an approved document's edit changes every page's status counts).
	src := filepath.Join(r.Root, "training", "2026-07-incident-command.md")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	const marker = "Zanzibarwordforthistest"
	write(t, src, strings.TrimRight(string(b), "\n")+"\n\n"+marker+" closes the exercise record.\n")

	select {
	case <-held:
	case <-time.After(time.Minute):
		t.Fatal("the rebuild did not write its pages within a minute")
	}
	// The build is held now: nothing after the pages is made.
	ev := nextEvent(t, open)
	for ev.name == "diags" {
		ev = nextEvent(t, open)
	}
	if ev != (event{"reload", "2"}) {
		t.Fatalf("the open page got %+v before the build ended, want reload 2", ev)
	}
	if code, body := getWithin(t, base+"/doc/TRN-2026-02.html"); code != 200 || !strings.Contains(body, marker) {
		t.Fatalf("the open page, during the build: %d, edit shown: %v", code, strings.Contains(body, marker))
	}
	if code, body := getWithin(t, base+"/assets/style.css"); code != 200 || body == "" {
		t.Fatalf("its stylesheet, during the build: %d %q", code, body)
	}
	if _, js := getWithin(t, base+ReloadScript); !strings.Contains(js, "var gen = 2;") {
		t.Errorf("the reload script served during the build does not carry the build's generation 2")
	}
	index := make(chan string, 1)
	go func() {
		resp, err := http.Get(base + "/assets/search-index.js")
		if err != nil {
			index <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		index <- string(b)
	}()
	// Nothing else is answered or told while the build is held (an
	// absence, so a wait: a wrong answer would come at once).
	wait := time.After(300 * time.Millisecond)
	for waiting := true; waiting; {
		select {
		case got := <-index:
			t.Fatalf("the search index was answered before the build that makes it ended (edit in it: %v)", strings.Contains(got, marker))
		case ev := <-other:
			if ev.name != "diags" {
				t.Fatalf("a page that did not change got %+v during the build", ev)
			}
		case ev := <-blind:
			if ev.name != "diags" {
				t.Fatalf("a stream that names no page got %+v during the build", ev)
			}
		case <-wait:
			waiting = false
		}
	}
	close(release)
	released = true
	end := next()
	if got := strings.Join(end.Reloaded, " "); got != "doc/TRN-2026-02.html" || end.ReloadedAfter <= 0 || end.ReloadedAfter > end.Duration {
		t.Errorf("BuildEvent: reloaded %q after %v of %v", got, end.ReloadedAfter, end.Duration)
	}
	select {
	case got := <-index:
		if !strings.Contains(got, marker) {
			t.Error("the search index answered after the build lacks the edit")
		}
	case <-time.After(time.Minute):
		t.Fatal("the search index was not answered after the build")
	}
	ev = nextEvent(t, open)
	for ev.name == "diags" {
		ev = nextEvent(t, open)
	}
	if ev != (event{"ok", "2"}) {
		t.Errorf("the page reloaded early got %+v at the end, want ok 2", ev)
	}
	for name, ch := range map[string]<-chan event{"another open page": other, "a stream without a page": blind} {
		ev := nextEvent(t, ch)
		for ev.name == "diags" {
			ev = nextEvent(t, ch)
		}
		if ev != (event{"reload", "2"}) {
			t.Errorf("%s got %+v at the end, want reload 2", name, ev)
		}
	}
}

// getWithin is get, failing after 20 s: during a held build, an answer
// that waits for the build's end would never come.
func getWithin(t *testing.T, u string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 20 * time.Second}
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s during the build: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestPageOf(t *testing.T) {
	for in, want := range map[string]string{
		"/doc/TRN-2026-02.html": "doc/TRN-2026-02.html",
		"/":                     "index.html",
		"/area/":                "area/index.html",
		"/doc/a%20b.html":       "doc/a b.html",
		"/../etc/passwd":        "etc/passwd", // path.Clean keeps it in the site
		"doc/x.html":            "",
		"":                      "",
		"/%zz":                  "",
		"/a/../../b.html":       "b.html",
	} {
		if got := pageOf(in); got != want {
			t.Errorf("pageOf(%q) = %q, want %q", in, got, want)
		}
	}
}
