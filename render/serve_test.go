package render

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fixtureBuilder is a tiny site generator for the server's tests: one page
// holding the text of root/page.md, written beside and swapped in like
// Build does. A page whose text holds BROKEN fails the build.
type fixtureBuilder struct {
	root, out string
	mu        sync.Mutex
	last      string
}

func (b *fixtureBuilder) Build(ctx context.Context) (*Result, error) {
	src, err := os.ReadFile(filepath.Join(b.root, "page.md"))
	if err != nil {
		return nil, err
	}
	if strings.Contains(string(src), "BROKEN") {
		return nil, fmt.Errorf("page.md:1: cannot parse <script>alert(1)</script>")
	}
	page := fmt.Sprintf("<!doctype html><title>t</title><p id=text>%s</p><script src=%q></script>\n", html.EscapeString(string(src)), ReloadScript)
	b.mu.Lock()
	defer b.mu.Unlock()
	if page == b.last {
		return &Result{Pages: 1, Files: 1}, nil
	}
	tmp, err := os.MkdirTemp(filepath.Dir(b.out), filepath.Base(b.out)+".tmp")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp, "index.html"), []byte(page), 0o644); err != nil {
		return nil, err
	}
	os.RemoveAll(b.out)
	if err := os.Rename(tmp, b.out); err != nil {
		return nil, err
	}
	b.last = page
	return &Result{Pages: 1, Files: 1, Written: 1}, nil
}

type testServer struct {
	url    string
	root   string
	builds chan BuildEvent
	cancel context.CancelFunc
	done   chan error
}

func startServer(t *testing.T, text string) *testServer {
	t.Helper()
	root := t.TempDir()
	write(t, filepath.Join(root, "page.md"), text)
	out := filepath.Join(root, "_site")
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{url: "http://" + ln.Addr().String(), root: root, builds: make(chan BuildEvent, 100), done: make(chan error, 1)}
	s := NewServer(ServeOptions{
		Dir: out, Builder: &fixtureBuilder{root: root, out: out},
		Root: root, SkipDir: SkipOutput(root, out, "_site"), Interval: 10 * time.Millisecond,
		OnBuild: func(ev BuildEvent) { ts.builds <- ev },
	})
	ctx, cancel := context.WithCancel(context.Background())
	ts.cancel = cancel
	go func() { ts.done <- s.Run(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-ts.done
	})
	return ts
}

func (ts *testServer) nextBuild(t *testing.T) BuildEvent {
	t.Helper()
	select {
	case ev := <-ts.builds:
		return ev
	case <-time.After(20 * time.Second):
		t.Fatal("no build within 20 s")
	}
	return BuildEvent{}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

type event struct{ name, data string }

// subscribe opens the event stream and returns its events on a channel.
func subscribe(t *testing.T, url string) <-chan event {
	t.Helper()
	resp, err := http.Get(url + EventsPath)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("events Content-Type = %q", ct)
	}
	ch := make(chan event, 100)
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var ev event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					ch <- ev
				}
				ev = event{}
			case strings.HasPrefix(line, "event: "):
				ev.name = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				if ev.data != "" {
					ev.data += "\n"
				}
				ev.data += line[len("data: "):]
			}
		}
	}()
	t.Cleanup(func() { resp.Body.Close() })
	return ch
}

func nextEvent(t *testing.T, ch <-chan event) event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("event stream ended")
		}
		return ev
	case <-time.After(20 * time.Second):
		t.Fatal("no event within 20 s")
	}
	return event{}
}

func TestServeRebuildsAndReloadsOnEdit(t *testing.T) {
	ts := startServer(t, "first text")
	if ev := ts.nextBuild(t); ev.Err != nil || ev.Gen != 1 {
		t.Fatalf("first build: %+v", ev)
	}
	code, body := get(t, ts.url+"/")
	if code != 200 || !strings.Contains(body, "first text") {
		t.Fatalf("GET / = %d %q", code, body)
	}
	code, js := get(t, ts.url+ReloadScript)
	if code != 200 || !strings.Contains(js, "EventSource") || !strings.Contains(js, "var gen = 1;") {
		t.Fatalf("GET %s = %d %q", ReloadScript, code, js)
	}
	events := subscribe(t, ts.url)
	if ev := nextEvent(t, events); ev != (event{"hello", "1"}) {
		t.Fatalf("first event = %+v, want hello 1", ev)
	}

	write(t, filepath.Join(ts.root, "page.md"), "second text")
	ev := ts.nextBuild(t)
	if ev.Err != nil || len(ev.Changes) != 1 || ev.Changes[0] != filepath.Join(ts.root, "page.md") {
		t.Fatalf("rebuild: %+v", ev)
	}
	if e := nextEvent(t, events); e != (event{"reload", "2"}) {
		t.Fatalf("event after the edit = %+v, want reload 2", e)
	}
	if _, body := get(t, ts.url+"/"); !strings.Contains(body, "second text") {
		t.Errorf("after the reload the page reads %q", body)
	}
}

func TestServeKeepsTheLastGoodSiteWhenABuildFails(t *testing.T) {
	ts := startServer(t, "good text")
	ts.nextBuild(t)
	events := subscribe(t, ts.url)
	nextEvent(t, events) // hello

	write(t, filepath.Join(ts.root, "page.md"), "BROKEN")
	if ev := ts.nextBuild(t); ev.Err == nil {
		t.Fatal("the broken page built")
	}
	e := nextEvent(t, events)
	if e.name != "error" || !strings.Contains(e.data, "page.md:1: cannot parse") {
		t.Fatalf("event = %+v, want the build error", e)
	}
	if code, body := get(t, ts.url+"/"); code != 200 || !strings.Contains(body, "good text") {
		t.Errorf("after a failed build GET / = %d %q, want the last good site", code, body)
	}
	// A page opened now learns about the error at once.
	late := subscribe(t, ts.url)
	nextEvent(t, late) // hello
	if e := nextEvent(t, late); e.name != "error" {
		t.Errorf("a new page got %+v, want the error", e)
	}

	write(t, filepath.Join(ts.root, "page.md"), "fixed text")
	if ev := ts.nextBuild(t); ev.Err != nil {
		t.Fatal(ev.Err)
	}
	if e := nextEvent(t, events); e.name != "reload" {
		t.Errorf("event after the fix = %+v, want reload", e)
	}
}

func TestServeAnswersAMissingPageWithAPageThatWaitsForIt(t *testing.T) {
	ts := startServer(t, "x")
	ts.nextBuild(t)
	code, body := get(t, ts.url+"/doc/<b>NEW</b>.html")
	if code != http.StatusNotFound {
		t.Errorf("GET a missing page = %d, want 404", code)
	}
	if !strings.Contains(body, ReloadScript) || strings.Contains(body, "<b>NEW") {
		t.Errorf("the missing page's answer: %q", body)
	}
	if code, _ := get(t, ts.url+"/../../etc/passwd"); code != http.StatusNotFound {
		t.Errorf("a path out of the site = %d, want 404", code)
	}
}

func TestServeShowsTheErrorWhenNoBuildEverSucceeded(t *testing.T) {
	ts := startServer(t, "BROKEN")
	if ev := ts.nextBuild(t); ev.Err == nil {
		t.Fatal("the broken page built")
	}
	code, body := get(t, ts.url+"/")
	if code != http.StatusServiceUnavailable {
		t.Errorf("GET / = %d, want 503", code)
	}
	if strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;alert(1)") {
		t.Errorf("the error page does not escape the error: %q", body)
	}
	if !strings.Contains(body, ReloadScript) {
		t.Error("the error page does not reload itself when the build is fixed")
	}
}

func TestServeStopsWithItsContextWhilePagesAreOpen(t *testing.T) {
	ts := startServer(t, "x")
	ts.nextBuild(t)
	events := subscribe(t, ts.url)
	nextEvent(t, events)
	ts.cancel()
	select {
	case err := <-ts.done:
		if err != nil {
			t.Errorf("Run = %v, want nil on cancel", err)
		}
		ts.done <- nil // for the cleanup
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	for range events {
	} // the stream ends
	if _, err := http.Get(ts.url + "/"); err == nil {
		t.Error("still serving after Run returned")
	}
}

func TestServeUnchangedOutputDoesNotReload(t *testing.T) {
	ts := startServer(t, "same")
	ts.nextBuild(t)
	events := subscribe(t, ts.url)
	nextEvent(t, events)
	write(t, filepath.Join(ts.root, "page.md"), "same") // same bytes
	if ev := ts.nextBuild(t); ev.Err != nil {
		t.Fatal(ev.Err)
	}
	if e := nextEvent(t, events); e.name != "ok" {
		t.Errorf("event = %+v, want ok (nothing to reload)", e)
	}
}

func TestListenRefusesABusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = Listen(ln.Addr().String())
	if err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Errorf("Listen on a busy port: %v", err)
	}
	var op *net.OpError
	if errors.As(err, &op) {
		t.Errorf("the error is the raw network error: %v", err)
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:4000": true, "localhost:4000": true, "[::1]:4000": true, "127.1.2.3:80": true,
		"0.0.0.0:4000": false, ":4000": false, "192.168.1.2:4000": false, "example.org:80": false, "nonsense": false,
	} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}
