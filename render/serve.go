package render

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The live preview of `rmm serve`: build, serve the output folder with
// net/http, watch the repository, build again on every batch of changes,
// and tell open pages to reload through server-sent events. The site itself
// knows only that every page includes ReloadScript (Options.LiveReload).

// URL paths the server answers besides the site.
const (
	ReloadScript = "/_rmm/reload.js" // pass as Options.LiveReload
	EventsPath   = "/_rmm/events"    // server-sent events: reload, error, diags
)

// Builder builds the site into the folder the server serves. Build is
// called again on every change; it must leave the previous site whole when
// it fails. The server serves only the files the site's marker
// (MarkerFile) lists, as Build writes it.
type Builder interface {
	Build(ctx context.Context) (*Result, error)
}

// BuilderFunc adapts a function to Builder.
type BuilderFunc func(ctx context.Context) (*Result, error)

func (f BuilderFunc) Build(ctx context.Context) (*Result, error) { return f(ctx) }

// BuildEvent tells ServeOptions.OnBuild how a build went.
type BuildEvent struct {
	Gen      int      // 1 for the first build, then one more per build
	Changes  []string // the paths that caused it (nil for the first build)
	Result   *Result  // nil when Err is not nil
	Err      error
	Duration time.Duration
	// Reloaded are the pages open in a browser that were told to reload
	// before the build ended, as soon as their page was written (see
	// Early), sorted; ReloadedAfter is when the first of them was.
	Reloaded      []string
	ReloadedAfter time.Duration
}

// ServeOptions say what to serve and what to watch.
type ServeOptions struct {
	// Dir is the site folder: where Builder writes, what is served.
	Dir     string
	Builder Builder
	// Root is the folder watched recursively; GitDir, when not "", is the
	// git folder whose HEAD and refs are watched (see Watch). Root "" turns
	// watching off.
	Root, GitDir string
	// SkipDir leaves folders out of the watch (see WatchOptions).
	SkipDir func(path string) bool
	// Interval batches file events (default 20 ms).
	Interval time.Duration
	// OnBuild, when not nil, is called after every build, from the
	// goroutine that builds.
	OnBuild func(BuildEvent)
	// OnWatchError, when not nil, is told of the watcher's errors (a
	// folder that cannot be watched); serving goes on.
	OnWatchError func(error)
	// Addr is the address the listener was asked for (--addr): its host,
	// when it is a name, is answered besides loopback names (see hostRule).
	Addr string
}

// Server is a live preview. Its zero value is not usable: see NewServer.
type Server struct {
	o ServeOptions

	mu      sync.Mutex
	gen     int    // builds done
	good    bool   // a build has succeeded: Dir holds a whole site
	lastErr string // the error of the latest build, "" when it succeeded
	// diags is the "diags" message of the latest good build that had
	// errors: what check found, as JSON (diagsJSON); "" when it had none.
	diags string
	// subs are the open event streams, each with the site path of the
	// page that opened it ("" when it did not say: EventsPath?page=).
	subs map[chan sseMsg]string
	quit chan struct{}
	// early is the build in progress when its builder is an EarlyBuilder
	// (nil between builds): the files already settled, which requests
	// are answered from at once, and the pages reloaded early.
	early *earlyBuild
	// earlyReqs is held (read) by each answer made during a build from
	// its settled files; the build takes it before it replaces files.
	earlyReqs sync.RWMutex
	// hosts is the Host check, set by Run before it serves (a server
	// used as a handler without Run answers loopback names only).
	hosts *hostRule
	// files is the site of the latest good build; site guards it.
	files *siteFiles
	// site is held by a build from start to end (OnBuild included) and
	// by every request for a file of the site once one build succeeded:
	// a request made during a rebuild waits for it, so it never sees a
	// site half updated (an in-place build, Options.InPlace, updates the
	// served folder file by file), and the build is reported before its
	// pages are served.
	site sync.RWMutex
}

type sseMsg struct{ event, data string }

// earlyBuild is what Server knows of the build in progress (see Early).
type earlyBuild struct {
	start    time.Time
	settled  map[string]bool // site paths final for this build
	reloaded map[string]bool // pages told to reload because theirs changed
	after    time.Duration   // when the first was
}

// maxFirst bounds the open pages a build renders first.
const maxFirst = 64

// NewServer returns a server for o; nothing runs until Run.
func NewServer(o ServeOptions) *Server {
	return &Server{
		o:     o,
		subs:  map[chan sseMsg]string{},
		quit:  make(chan struct{}),
		hosts: newHostRule(nil, addrName(o.Addr)),
	}
}

// Listen opens addr for Run, with an error that says what to do when the
// port is taken.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if isAddrInUse(err) {
			return nil, fmt.Errorf("cannot listen on %s: the port is already in use (is another rmm serve running?)", addr)
		}
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	return ln, nil
}

func isAddrInUse(err error) bool {
	return err != nil && strings.Contains(err.Error(), "address already in use")
}

// IsLoopback reports whether addr (host:port) listens on loopback only.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Run builds the site, serves it on ln, watches for changes and rebuilds,
// until ctx is done; then it closes ln, ends open event streams and
// returns nil. A failed build is reported through OnBuild and to open pages;
// the last good site keeps being served.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	s.hosts = newHostRule(ln.Addr(), addrName(s.o.Addr))
	defer func() {
		s.site.Lock()
		s.files.close()
		s.files = nil
		s.site.Unlock()
	}()
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	var w *Watcher
	if s.o.Root != "" {
		var err error
		w, err = Watch(s.o.Root, s.o.GitDir, WatchOptions{Interval: s.o.Interval, SkipDir: s.o.SkipDir})
		if err != nil {
			s.shutdown(srv)
			return fmt.Errorf("watch %s: %w", s.o.Root, err)
		}
		defer w.Close()
	}
	// The watch starts before the first build, so an edit made while it runs
	// is not lost.
	s.build(ctx, nil)

	var changes <-chan []string
	var errs <-chan error
	if w != nil {
		changes, errs = w.Changes, w.Errors
	}
	for {
		select {
		case <-ctx.Done():
			s.shutdown(srv)
			return nil
		case err := <-served:
			close(s.quit)
			return fmt.Errorf("serve: %w", err)
		case err := <-errs:
			if s.o.OnWatchError != nil {
				s.o.OnWatchError(err)
			}
		case batch, ok := <-changes:
			if !ok {
				changes = nil
				continue
			}
			s.build(ctx, batch)
		}
	}
}

func (s *Server) shutdown(srv *http.Server) {
	s.mu.Lock()
	select {
	case <-s.quit:
	default:
		close(s.quit) // ends event streams, so Shutdown need not wait for them
	}
	s.mu.Unlock()
	c, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := srv.Shutdown(c); err != nil {
		srv.Close()
	}
}

// scriptGeneration is the generation a page loading the reload script
// now was built by: the latest build's, or, during a build that answers
// its settled files (Early), that build's, since every page answered
// meanwhile is one it made.
func (s *Server) scriptGeneration() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.early != nil {
		return s.gen + 1
	}
	return s.gen
}

// build runs the builder once and tells open pages.
func (s *Server) build(ctx context.Context, changes []string) {
	s.site.Lock()
	defer s.site.Unlock()
	start := time.Now()
	var res *Result
	var err error
	var eb *earlyBuild
	if b, ok := s.o.Builder.(EarlyBuilder); ok && s.files != nil {
		// The pages open in a browser first, each reloaded as soon as it
		// is written, while the rest is built (requests for files not yet
		// settled wait, as during any build).
		s.mu.Lock()
		eb = &earlyBuild{start: start, settled: map[string]bool{}, reloaded: map[string]bool{}}
		s.early = eb
		first := s.openPages()
		s.mu.Unlock()
		res, err = b.BuildEarly(ctx, &Early{First: first, Settled: s.settle})
		s.mu.Lock()
		s.early = nil
		s.mu.Unlock()
		s.earlyReqs.Lock() // the answers made from settled files end first
		s.earlyReqs.Unlock()
	} else {
		res, err = s.o.Builder.Build(ctx)
	}
	if err != nil && ctx.Err() != nil {
		return // stopping: the build was interrupted, not failed
	}
	if err == nil {
		// The folder again (a build may have swapped it) and its marker:
		// what is served until the next good build.
		var sf *siteFiles
		if sf, err = openSite(s.o.Dir); err == nil {
			s.files.close()
			s.files = sf
		} else {
			res = nil
		}
	}
	s.mu.Lock()
	s.gen++
	ev := BuildEvent{Gen: s.gen, Changes: changes, Result: res, Err: err, Duration: time.Since(start)}
	if eb != nil && len(eb.reloaded) > 0 {
		ev.Reloaded, ev.ReloadedAfter = sortedKeys(eb.reloaded), eb.after
	}
	first := !s.good
	var msg sseMsg
	if err != nil {
		s.lastErr = err.Error()
		msg = sseMsg{"error", s.lastErr}
	} else {
		s.good = true
		s.lastErr = ""
		// The errors first, when they changed (a build without errors
		// after one with errors sends count 0: the overlay goes); a page
		// that reloads is sent them again when it reconnects.
		diags := ""
		if res != nil && len(res.Shown) > 0 {
			diags = diagsJSON(res)
		}
		if diags != s.diags {
			s.diags = diags
			if diags == "" {
				diags = diagsJSON(nil)
			}
			for ch := range s.subs {
				select {
				case ch <- sseMsg{"diags", diags}:
				default:
				}
			}
		}
		if first || res == nil || res.Written > 0 || res.Removed > 0 {
			msg = sseMsg{"reload", strconv.Itoa(s.gen)}
		} else {
			msg = sseMsg{"ok", strconv.Itoa(s.gen)} // nothing changed: clears an error banner
		}
	}
	for ch, page := range s.subs {
		m := msg
		if eb != nil && eb.reloaded[page] && m.event == "reload" {
			// Reloaded already, to this build's page: only the generation.
			m.event = "ok"
		}
		select {
		case ch <- m:
		default: // a slow reader misses one message, not the server
		}
	}
	s.mu.Unlock()
	if s.o.OnBuild != nil {
		s.o.OnBuild(ev)
	}
}

// openPages are the site paths of the pages with an event stream open,
// sorted, at most maxFirst; s.mu is held.
func (s *Server) openPages() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range s.subs {
		if p != "" && !seen[p] && len(out) < maxFirst {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// settle is Early.Settled: p is final for the build in progress; a page
// open in a browser whose bytes changed is told to reload now, with the
// generation the build will have.
func (s *Server) settle(p string, changed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	eb := s.early
	if eb == nil {
		return
	}
	eb.settled[p] = true
	if !changed {
		return
	}
	for ch, page := range s.subs {
		if page != p {
			continue
		}
		if len(eb.reloaded) == 0 {
			eb.after = time.Since(eb.start)
		}
		eb.reloaded[p] = true
		select {
		case ch <- sseMsg{"reload", strconv.Itoa(s.gen + 1)}:
		default:
		}
	}
}

// serveSettled answers r at once when a build is in progress and the file
// it names is already final for it (see Early); it reports whether it did.
func (s *Server) serveSettled(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	eb := s.early
	if eb == nil {
		s.mu.Unlock()
		return false
	}
	// The build replaces s.files only after it has set s.early to nil
	// (under s.mu) and taken earlyReqs: while eb is set, s.files stays.
	sf := s.files
	if sf == nil {
		s.mu.Unlock()
		return false
	}
	name, dir, ok := sf.resolve(r.URL.Path)
	if !ok || dir || !eb.settled[name] {
		s.mu.Unlock()
		return false
	}
	s.earlyReqs.RLock() // before s.mu goes: the build cannot replace s.files meanwhile
	s.mu.Unlock()
	defer s.earlyReqs.RUnlock()
	s.serveFile(w, r)
	return true
}

// ServeHTTP answers the reload script, the event stream, and the site,
// after the checks of serve_policy.go; every answer carries its headers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	if !s.hosts.allows(r.Host) {
		http.Error(w, s.hosts.refusal(r.Host), http.StatusForbidden)
		return
	}
	if crossSite(r) {
		http.Error(w, "rmm serve answers another site's page only when it opens a page of the preview in a window, not when it loads a file into itself\n", http.StatusForbidden)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "rmm serve answers GET and HEAD only\n", http.StatusMethodNotAllowed)
		return
	}
	switch r.URL.Path {
	case ReloadScript:
		s.serveScript(w)
		return
	case EventsPath:
		s.serveEvents(w, r)
		return
	}
	s.mu.Lock()
	good, lastErr := s.good, s.lastErr
	s.mu.Unlock()
	if !good {
		// No whole site yet: whatever the folder holds may be stale.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		title, body := "Building the site…", "This page reloads when the first build is done."
		if lastErr != "" {
			title, body = "The site could not be built", lastErr
		}
		fmt.Fprintf(w, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title></head>\n<body><h1>%s</h1>\n<pre>%s</pre>\n<script src=\"%s\"></script></body></html>\n",
			html.EscapeString(title), html.EscapeString(title), html.EscapeString(body), ReloadScript)
		return
	}
	if s.serveSettled(w, r) {
		return
	}
	s.site.RLock()
	defer s.site.RUnlock()
	s.serveFile(w, r)
}

// serveFile answers a file of the site (s.site is held): only a regular
// file the marker lists, reached without a symbolic link (siteFiles).
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	sf := s.files
	if sf == nil {
		s.notFound(w, r)
		return
	}
	name, dir, ok := sf.resolve(r.URL.Path)
	if !ok {
		s.notFound(w, r)
		return
	}
	f, fi, err := sf.open(name)
	if err != nil {
		s.notFound(w, r)
		return
	}
	defer f.Close()
	if dir {
		// A folder named without its slash: its relative links need one.
		http.Redirect(w, r, path.Base(r.URL.Path)+"/", http.StatusMovedPermanently)
		return
	}
	ctype := contentType(name, f)
	w.Header().Set("Content-Type", ctype)
	attachmentHeaders(w.Header(), name, ctype)
	http.ServeContent(w, r, name, fi.ModTime(), f)
}

// notFound answers 404 with the site's 404.html (feeds.go; it carries
// the reload script, so it reloads when the page appears: a document
// being renamed, or saved by an editor that moves the old file away
// first), or, when the site has none, with our own page that does the same.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if sf := s.files; sf != nil {
		if f, _, err := sf.open(NotFoundPath); err == nil {
			defer f.Close()
			w.WriteHeader(http.StatusNotFound)
			if r.Method != http.MethodHead {
				io.Copy(w, io.LimitReader(f, 1<<20))
			}
			return
		}
	}
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprintf(w, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not in the site</title></head>\n<body><h1>Not in the site</h1>\n<p><code>%s</code> is not in the site (yet). This page reloads when it appears. <a href=\"/\">Home</a></p>\n<script src=\"%s\"></script></body></html>\n",
		html.EscapeString(r.URL.Path), ReloadScript)
}

func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	ch := make(chan sseMsg, 8)
	s.mu.Lock()
	select {
	case <-s.quit:
		s.mu.Unlock()
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	default:
	}
	s.subs[ch] = pageOf(r.URL.Query().Get("page"))
	gen, lastErr, diags := s.gen, s.lastErr, s.diags
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.subs, ch)
		s.mu.Unlock()
	}()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	// hello carries the generation, so a page whose script is older than
	// the latest build reloads at once; an error shows its banner.
	writeSSE(w, sseMsg{"hello", strconv.Itoa(gen)})
	if diags != "" {
		writeSSE(w, sseMsg{"diags", diags})
	}
	if lastErr != "" {
		writeSSE(w, sseMsg{"error", lastErr})
	}
	fl.Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.quit:
			return
		case m := <-ch:
			writeSSE(w, m)
			fl.Flush()
		}
	}
}

// diagsJSON is the data of a "diags" message: how many errors the build's
// check found and the first maxReported of them.
func diagsJSON(res *Result) string {
	type diag struct {
		Path    string `json:"path"`
		Line    int    `json:"line,omitempty"`
		Message string `json:"message"`
		Rule    string `json:"rule"`
	}
	v := struct {
		Count  int    `json:"count"`
		Stale  int    `json:"stale"`
		Errors []diag `json:"errors"`
	}{Errors: []diag{}}
	if res != nil {
		v.Count = len(res.Shown) // what the audience may see; the terminal lists them all
		v.Stale = res.Stale
		for i, d := range res.Shown {
			if i == maxReported {
				break
			}
			v.Errors = append(v.Errors, diag{d.Path, d.Line, d.Message, d.Rule})
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func writeSSE(w io.Writer, m sseMsg) {
	fmt.Fprintf(w, "event: %s\n", m.event)
	for _, line := range strings.Split(m.data, "\n") {
		fmt.Fprintf(w, "data: %s\n", line)
	}
	io.WriteString(w, "\n")
}

// pageOf is the site path of the page at URL path p (location.pathname,
// as the reload script sends it), or "".
func pageOf(p string) string {
	if !strings.HasPrefix(p, "/") || len(p) > 4096 {
		return ""
	}
	u, err := url.PathUnescape(p)
	if err != nil {
		return ""
	}
	rel := strings.TrimPrefix(path.Clean(u), "/")
	if rel == "" || strings.HasSuffix(u, "/") {
		rel = path.Join(rel, "index.html")
	}
	if !fs.ValidPath(rel) {
		return ""
	}
	return rel
}

func (s *Server) serveScript(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	fmt.Fprintf(w, reloadJS, s.scriptGeneration(), EventsPath)
}

// reloadJS reloads the page on "reload", and on "hello" when a build
// finished after this script was fetched; a failed build shows a banner
// (as text: the error may quote a document) until the next good one, and
// "diags" (the errors check found in the latest good build, sent when
// they change and to every page that connects while there are some) an
// overlay listing them, as text too, which a build without errors removes. The
// scroll position survives the reload, which happens only when the page is
// still there (else the last version stays on screen). While the event stream is open the
// page's <html> element carries data-rmm-live.
const reloadJS = `// rmm serve: live reload
(function () {
  "use strict";
  var gen = %d;
  var key = "rmm-scroll:" + location.pathname;
  try {
    var y = sessionStorage.getItem(key);
    if (y !== null) {
      sessionStorage.removeItem(key);
      addEventListener("load", function () { scrollTo(0, +y); });
    }
  } catch (e) {}
  function reload() {
    // Reload only to a page that exists: a document being renamed or
    // deleted leaves the last version on screen until it is back.
    fetch(location.href, { method: "HEAD", cache: "no-store" }).then(function (r) {
      if (r.ok) {
        try { sessionStorage.setItem(key, String(scrollY)); } catch (e) {}
        location.reload();
      }
    }, function () {});
  }
  var banner = null;
  function clearBanner() {
    if (banner) { banner.remove(); banner = null; }
  }
  function showError(e) {
    if (typeof e.data !== "string") return; // the connection dropped; EventSource retries
    clearBanner();
    banner = document.createElement("pre");
    banner.id = "rmm-build-error";
    banner.setAttribute("role", "alert");
    banner.style.cssText = "position:fixed;left:0;right:0;bottom:0;margin:0;padding:1em;max-height:40vh;overflow:auto;background:#fee;color:#600;border-top:3px solid #c00;font:13px monospace;white-space:pre-wrap;z-index:2147483647";
    banner.textContent = "rmm serve: the site could not be rebuilt; showing the last good build.\n\n" + e.data;
    document.body.appendChild(banner);
  }
  // The errors check found in the latest build, over the page, as the
  // dev servers of Hugo and Vite show theirs: each file:line and message,
  // as text. A build without errors takes it away.
  var overlay = null;
  function showDiags(e) {
    var v;
    try { v = JSON.parse(e.data); } catch (x) { return; }
    if (overlay) { overlay.remove(); overlay = null; }
    if (!v || !v.count) return;
    overlay = document.createElement("div");
    overlay.id = "rmm-build-errors";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;left:1em;right:1em;top:1em;max-height:70vh;overflow:auto;padding:1em 1.25em;background:#1e1e1e;color:#f3f3f3;border:2px solid #e5534b;border-radius:6px;box-shadow:0 6px 30px rgba(0,0,0,.5);font:14px/1.45 ui-monospace,monospace;z-index:2147483647";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Dismiss";
    close.style.cssText = "float:right;font:inherit;cursor:pointer";
    close.addEventListener("click", function () { if (overlay) { overlay.remove(); overlay = null; } });
    overlay.appendChild(close);
    var h = document.createElement("strong");
    h.style.color = "#ff8a80";
    h.textContent = "rmm serve: the latest build has " + v.count + (v.count === 1 ? " error" : " errors") + "." +
      (v.stale ? " " + v.stale + (v.stale === 1 ? " document that does not load shows its" : " documents that do not load show their") + " last good version." : "");
    overlay.appendChild(h);
    var ul = document.createElement("ul");
    ul.style.cssText = "margin:.75em 0 0;padding-left:1.25em";
    v.errors.forEach(function (d) {
      var li = document.createElement("li");
      var loc = document.createElement("code");
      loc.className = "rmm-error-loc";
      loc.style.cssText = "color:#8ecbff;background:none;border:0;padding:0;font:inherit";
      loc.textContent = d.path + (d.line ? ":" + d.line : "");
      li.appendChild(loc);
      li.appendChild(document.createTextNode(": " + d.message + " [" + d.rule + "]"));
      ul.appendChild(li);
    });
    overlay.appendChild(ul);
    if (v.count > v.errors.length) {
      var more = document.createElement("p");
      more.textContent = "… and " + (v.count - v.errors.length) + " more: rmm check lists them all.";
      overlay.appendChild(more);
    }
    (document.body || document.documentElement).appendChild(overlay);
  }
  // Only a visible page holds a stream: a browser opens few connections
  // to one server, and tabs left open must not use them up. A page shown
  // again reconnects, and "hello" reloads it if a build happened meanwhile.
  var es = null;
  function connect() {
    if (es) return;
    // The page it shows goes with it: rmm serve renders the pages open
    // first and reloads each as soon as it is written.
    es = new EventSource(%q + "?page=" + encodeURIComponent(location.pathname));
    es.addEventListener("open", function () {
      document.documentElement.setAttribute("data-rmm-live", "");
    });
    es.addEventListener("hello", function (e) {
      if (+e.data > gen) reload();
    });
    es.addEventListener("reload", reload);
    es.addEventListener("ok", clearBanner);
    es.addEventListener("error", showError);
    es.addEventListener("diags", showDiags);
  }
  function disconnect() {
    if (!es) return;
    es.close();
    es = null;
    document.documentElement.removeAttribute("data-rmm-live");
  }
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) disconnect(); else connect();
  });
  if (!document.hidden) connect();
})();
`

// SkipOutput returns a SkipDir for a library at root: hidden folders
// except .rmm (which holds template overrides), node_modules, the default
// output folder, and out with the folders a build writes beside it (same
// name with a suffix), when out is inside root. It mirrors what doc.Load
// leaves out, so only changes a build can see cause one.
func SkipOutput(root, out, defaultOutput string) func(string) bool {
	root = filepath.Clean(root)
	out = filepath.Clean(out)
	def := filepath.Join(root, defaultOutput)
	return func(p string) bool {
		if p == root {
			return false
		}
		base := filepath.Base(p)
		if strings.HasPrefix(base, ".") && !(base == ".rmm" && filepath.Dir(p) == root) {
			return true
		}
		if base == "node_modules" || p == def {
			return true
		}
		if p == out || (filepath.Dir(p) == filepath.Dir(out) && strings.HasPrefix(base, filepath.Base(out))) {
			return true
		}
		return false
	}
}
