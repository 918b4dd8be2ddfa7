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
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fixtureBuilder is a tiny site generator for the server's tests: one page
// holding the text of root/page.md, written beside with its marker and
// swapped in like Build does. A page whose text holds BROKEN fails the
// build. extra, when not nil, adds to the new site before the swap and
// returns the names to list in the marker besides index.html.
type fixtureBuilder struct {
	root, out string
	extra     func(t *testing.T, dir string) []string
	t         *testing.T
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
	listed := map[string]bool{"index.html": true}
	if b.extra != nil {
		for _, p := range b.extra(b.t, tmp) {
			listed[p] = true
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, MarkerFile), markerBytes(listed), 0o644); err != nil {
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
	out    string // the site folder
	builds chan BuildEvent
	cancel context.CancelFunc
	done   chan error
}

func startServer(t *testing.T, text string) *testServer {
	t.Helper()
	return startServerWith(t, text, nil)
}

// startServerWith starts a server whose site has what extra adds (see
// fixtureBuilder).
func startServerWith(t *testing.T, text string, extra func(t *testing.T, dir string) []string) *testServer {
	t.Helper()
	root := t.TempDir()
	write(t, filepath.Join(root, "page.md"), text)
	out := filepath.Join(root, "_site")
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{url: "http://" + ln.Addr().String(), root: root, out: out, builds: make(chan BuildEvent, 100), done: make(chan error, 1)}
	s := NewServer(ServeOptions{
		Dir: out, Builder: &fixtureBuilder{root: root, out: out, extra: extra, t: t},
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
	return subscribeTo(t, url+EventsPath)
}

// subscribeTo opens the event stream at u (EventsPath, maybe with a query).
func subscribeTo(t *testing.T, u string) <-chan event {
	t.Helper()
	resp, err := http.Get(u)
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

func TestHostRuleOnLoopback(t *testing.T) {
	h := newHostRule(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}, nil)
	for _, host := range []string{
		"localhost", "localhost:4000", "LocalHost:4000", "localhost.:4000", "localhost:1",
		"app.localhost", "a.b.localhost:4000", "my-app_1.localhost:65535",
		"127.0.0.1", "127.0.0.1:4000", "127.1.2.3:80",
		"[::1]", "[::1]:4000", "[0:0:0:0:0:0:0:1]:4000", "[::ffff:127.0.0.1]:4000",
	} {
		if !h.allows(host) {
			t.Errorf("Host %q refused on loopback", host)
		}
	}
	for _, host := range []string{
		"", ":4000", "evil.example", "evil.example:4000", "localhost.evil.example:4000",
		"evillocalhost:4000", "localhost.example", "127.0.0.1.nip.io:4000", ".localhost", "a..localhost",
		"192.168.1.2:4000", "0.0.0.0:4000", "[::]:4000", "10.0.0.1",
		"::1", "::1:4000", "[::1", "[::1]4000", "[::1]:", "[::1]:x", "[::1]:4000:1", "[[::1]]:4000",
		"[127.0.0.1]:4000", "[localhost]:4000", "[fe80::1%25lo]:4000", "[::1%25lo]:4000",
		"localhost:", "localhost:abc", "localhost:99999", "localhost:123456", "localhost:-1", "localhost:4000:4000",
		"localhost:+80", "user@localhost:4000", "local host", "localhost/x", "xn--l.localhost:4000\x00",
	} {
		if h.allows(host) {
			t.Errorf("Host %q answered on loopback", host)
		}
	}
	msg := h.refusal("evil.example:4000")
	if !strings.Contains(msg, `"evil.example:4000"`) || !strings.Contains(msg, "open http://127.0.0.1:4000/") {
		t.Errorf("refusal = %q", msg)
	}
	// A name given with --addr is answered even on loopback (a name
	// /etc/hosts points at 127.0.0.1).
	if h := newHostRule(&net.TCPAddr{IP: net.IPv6loopback, Port: 4000}, addrName("MyAlias.:4000")); !h.allows("myalias:4000") || h.allows("other:4000") {
		t.Error("the names of --addr are not answered on loopback")
	}
	// A handler used without Run answers loopback only.
	if h := newHostRule(nil, nil); !h.allows("localhost") || h.allows("10.0.0.1") {
		t.Error("the rule without an address is not loopback only")
	}
}

func TestHostRuleBeyondLoopback(t *testing.T) {
	h := newHostRule(&net.TCPAddr{IP: net.IPv4zero, Port: 4000}, addrName("pal.example.lan:4000"))
	good := []string{
		"localhost:4000", "127.0.0.1:4000", "[::1]:4000", "192.168.1.2:4000", "10.0.0.1", "[2001:db8::2]:4000",
		"pal.example.lan:4000", "PAL.example.LAN.",
	}
	if hn, err := os.Hostname(); err == nil && validName(normName(hn)) {
		short, _, _ := strings.Cut(normName(hn), ".")
		good = append(good, hn, hn+":4000", short+":4000", short+".local:4000")
	}
	for _, host := range good {
		if !h.allows(host) {
			t.Errorf("Host %q refused on 0.0.0.0", host)
		}
	}
	for _, host := range []string{"", "evil.example:4000", "pal.example.lan.evil.example:4000", "example.lan:4000", "[::1", "localhost:x"} {
		if h.allows(host) {
			t.Errorf("Host %q answered on 0.0.0.0", host)
		}
	}
	if msg := h.refusal("evil.example"); !strings.Contains(msg, "open http://localhost:4000/") {
		t.Errorf("refusal = %q", msg)
	}
	for addr, want := range map[string]string{"pal.lan:4000": "pal.lan", "127.0.0.1:4000": "", "[::1]:4000": "", ":4000": "", "nonsense": ""} {
		if got := strings.Join(addrName(addr), ","); got != want {
			t.Errorf("addrName(%q) = %q, want %q", addr, got, want)
		}
	}
}

// request makes a request to the test server with a Host header of its own
// and further headers (name, value pairs); the body is read whole.
func request(t *testing.T, method, url, host string, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// checkSecurityHeaders fails unless h carries the headers of every answer.
func checkSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	for name, want := range map[string]string{
		"Content-Security-Policy": ServePolicy, "X-Content-Type-Options": "nosniff",
		"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cross-Origin-Resource-Policy": "same-origin",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: %s = %q, want %q", what, name, got, want)
		}
	}
}

func TestServeRefusesAForeignHost(t *testing.T) {
	ts := startServer(t, "secret text")
	ts.nextBuild(t)
	port := ts.url[strings.LastIndexByte(ts.url, ':')+1:]
	for _, p := range []string{"/", "/index.html", ReloadScript, EventsPath, "/nothing.html"} {
		for _, host := range []string{"evil.example:" + port, "evil.example", "127.0.0.1.evil.example:" + port, "192.168.1.2:" + port} {
			resp, body := request(t, "GET", ts.url+p, host)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("GET %s with Host %s = %d, want 403", p, host, resp.StatusCode)
			}
			if strings.Contains(body, "secret text") || !strings.Contains(body, "rmm serve answers only requests addressed to this machine") {
				t.Errorf("GET %s with Host %s answered %q", p, host, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("the refusal's Content-Type = %q", ct)
			}
			checkSecurityHeaders(t, "a refused Host", resp.Header)
		}
	}
	for _, host := range []string{"localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port, "app.localhost:" + port, "LOCALHOST"} {
		if resp, body := request(t, "GET", ts.url+"/", host); resp.StatusCode != 200 || !strings.Contains(body, "secret text") {
			t.Errorf("GET / with Host %s = %d %q", host, resp.StatusCode, body)
		}
	}
}

func TestServeSendsTheSecurityHeadersOnEveryAnswer(t *testing.T) {
	ts := startServerWith(t, "text", func(t *testing.T, dir string) []string {
		write(t, filepath.Join(dir, "assets", "style.css"), "body{}")
		write(t, filepath.Join(dir, "assets", "search.js"), "var x;")
		write(t, filepath.Join(dir, "files", "notes.html"), "<script src=x.js></script>")
		write(t, filepath.Join(dir, "files", "README"), "<html><script>alert(1)</script>")
		write(t, filepath.Join(dir, "files", "guide.pdf"), "%PDF-1.4")
		write(t, filepath.Join(dir, "files", "chart.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>")
		return []string{"assets/style.css", "assets/search.js", "files/notes.html", "files/README", "files/guide.pdf", "files/chart.svg"}
	})
	ts.nextBuild(t)
	for p, want := range map[string]struct {
		code  int
		ctype string
	}{
		"/":                 {200, "text/html; charset=utf-8"},
		"/index.html":       {200, "text/html; charset=utf-8"},
		"/assets/style.css": {200, "text/css; charset=utf-8"},
		"/assets/search.js": {200, "text/javascript; charset=utf-8"},
		ReloadScript:        {200, "text/javascript; charset=utf-8"},
		"/missing.html":     {404, "text/html; charset=utf-8"},
		"/assets/":          {404, "text/html; charset=utf-8"},
		"/files/guide.pdf":  {200, "application/pdf"},
	} {
		resp, _ := request(t, "GET", ts.url+p, "")
		if resp.StatusCode != want.code || resp.Header.Get("Content-Type") != want.ctype {
			t.Errorf("GET %s = %d %q, want %d %q", p, resp.StatusCode, resp.Header.Get("Content-Type"), want.code, want.ctype)
		}
		checkSecurityHeaders(t, "GET "+p, resp.Header)
	}
	// A repository file that a browser would show as a page of its own
	// runs sandboxed; a PDF does not (Chromium would not show it).
	for _, p := range []string{"/files/notes.html", "/files/README", "/files/chart.svg"} {
		resp, _ := request(t, "GET", ts.url+p, "")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Security-Policy") != ServePolicy+"; sandbox" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s = %d with %q", p, resp.StatusCode, resp.Header)
		}
	}
	// HEAD, as the reload script asks before it reloads.
	if resp, body := request(t, "HEAD", ts.url+"/", ""); resp.StatusCode != 200 || body != "" {
		t.Errorf("HEAD / = %d %q", resp.StatusCode, body)
	} else {
		checkSecurityHeaders(t, "HEAD /", resp.Header)
	}
	// Nothing but GET and HEAD.
	for _, m := range []string{"POST", "PUT", "DELETE", "OPTIONS"} {
		resp, _ := request(t, m, ts.url+"/", "")
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s / = %d, Allow %q", m, resp.StatusCode, resp.Header.Get("Allow"))
		}
		checkSecurityHeaders(t, m+" /", resp.Header)
	}
	// The event stream.
	resp, err := http.Get(ts.url + EventsPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Errorf("GET %s = %d %q", EventsPath, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	checkSecurityHeaders(t, "GET "+EventsPath, resp.Header)
}

func TestServeSendsTheSecurityHeadersBeforeTheFirstGoodBuild(t *testing.T) {
	ts := startServer(t, "BROKEN")
	ts.nextBuild(t)
	resp, _ := request(t, "GET", ts.url+"/", "")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("GET / = %d, want 503", resp.StatusCode)
	}
	checkSecurityHeaders(t, "the build error page", resp.Header)
}

func TestServeRefusesAnotherSitesPageLoadingItsFiles(t *testing.T) {
	ts := startServer(t, "secret text")
	ts.nextBuild(t)
	for _, h := range [][]string{
		{"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Dest", "script"},
		{"Sec-Fetch-Site", "same-site", "Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Dest", "image"},
		{"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty"},
		{"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "iframe"},
	} {
		resp, body := request(t, "GET", ts.url+"/", "", h...)
		if resp.StatusCode != http.StatusForbidden || strings.Contains(body, "secret text") {
			t.Errorf("GET / with %q = %d %q, want 403", h, resp.StatusCode, body)
		}
	}
	for _, h := range [][]string{
		nil,
		{"Sec-Fetch-Site", "none", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document"},
		{"Sec-Fetch-Site", "same-origin", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty"},
		{"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document"}, // a link from elsewhere
	} {
		if resp, body := request(t, "GET", ts.url+"/", "", h...); resp.StatusCode != 200 || !strings.Contains(body, "secret text") {
			t.Errorf("GET / with %q = %d", h, resp.StatusCode)
		}
	}
}

func TestServeOnlyServesRegularFilesItWrote(t *testing.T) {
	outside := t.TempDir()
	write(t, filepath.Join(outside, "x.html"), "OUTSIDE THE SITE")
	special := false
	ts := startServerWith(t, "home", func(t *testing.T, dir string) []string {
		write(t, filepath.Join(dir, "assets", "style.css"), "body{}")
		write(t, filepath.Join(dir, "doc", "index.html"), "doc index")
		for link, target := range map[string]string{
			"passwd":       "/etc/passwd",                    // out of the site
			"alias.html":   "index.html",                     // a file of the site
			"outside":      outside,                          // a folder out of the site
			"inner":        "assets",                         // a folder of the site
			"doc/up.html":  "../index.html",                  // a file of the site, relative
			"unlisted.txt": filepath.Join(outside, "x.html"), // not in the marker either
		} {
			if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(link))); err != nil {
				t.Skipf("symbolic links: %v", err)
			}
		}
		listed := []string{"assets/style.css", "doc/index.html", "passwd", "alias.html", "outside/x.html", "inner/style.css", "doc/up.html"}
		if err := mkfifo(filepath.Join(dir, "pipe")); err == nil {
			special = true
			listed = append(listed, "pipe")
		}
		os.Mkdir(filepath.Join(dir, "folder"), 0o755)
		listed = append(listed, "folder")
		return listed
	})
	ts.nextBuild(t)
	if code, body := get(t, ts.url+"/assets/style.css"); code != 200 || body != "body{}" {
		t.Fatalf("a listed file: %d %q", code, body)
	}
	// A folder with an index, named without its slash, is redirected.
	resp, err := http.DefaultTransport.RoundTrip(mustRequest(t, ts.url+"/doc"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/doc/" {
		t.Errorf("GET /doc = %d to %q, want a redirect to /doc/", resp.StatusCode, resp.Header.Get("Location"))
	}
	if code, body := get(t, ts.url+"/doc/"); code != 200 || body != "doc index" {
		t.Errorf("GET /doc/ = %d %q", code, body)
	}

	// A link placed in the folder after the build, as in the report.
	if err := os.Symlink("/etc/passwd", filepath.Join(ts.out, "passwd2")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(ts.out, "stray.html"), "put there by hand")
	paths := []string{
		"/passwd", "/passwd2", "/alias.html", "/outside/x.html", "/inner/style.css", "/doc/up.html", "/unlisted.txt",
		"/stray.html", "/folder", "/folder/", "/assets", "/assets/", "/" + MarkerFile,
		"/../../etc/passwd", "/assets/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
	}
	if special {
		paths = append(paths, "/pipe")
	}
	for _, p := range paths {
		code, body := get(t, ts.url+p)
		if code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, code)
		}
		if strings.Contains(body, "root:") || strings.Contains(body, "OUTSIDE") || strings.Contains(body, "rmm-site 1") || strings.Contains(body, "by hand") {
			t.Errorf("GET %s answered %q", p, body)
		}
	}
}

func mustRequest(t *testing.T, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestServeBuildWithoutAMarkerIsAnError(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "index.html"), "no marker")
	s := NewServer(ServeOptions{Dir: dir, Builder: BuilderFunc(func(ctx context.Context) (*Result, error) { return &Result{}, nil })})
	var ev BuildEvent
	s.o.OnBuild = func(e BuildEvent) { ev = e }
	s.build(context.Background(), nil)
	if ev.Err == nil || ev.Result != nil || !strings.Contains(ev.Err.Error(), "no readable "+MarkerFile+" marker") {
		t.Errorf("a build that left no marker: %+v", ev)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "http://localhost/", nil))
	if rec.Code != http.StatusServiceUnavailable || strings.Contains(rec.Body.String(), "no marker<") {
		t.Errorf("GET / = %d %q, want 503", rec.Code, rec.Body)
	}
}
