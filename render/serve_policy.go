package render

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
)

// What rmm serve refuses (SPEC 9). The preview shows every document of its
// audience, restricted ones included, to whoever can make a browser ask
// for it, so it answers only the reader at this machine:
//
//   - The Host check (hostRule): a page of another site cannot read the
//     preview by pointing its own name at 127.0.0.1 (DNS rebinding).
//   - Fetch metadata (crossSite): a page of another site may link to a
//     page of the preview, but not load its files into itself, e.g.
//     assets/search-index.js, which would hand it every title and word.
//   - Headers on every answer (securityHeaders): nosniff, the CSP, no
//     framing, no referrer.
//   - Files (siteFiles): only the regular files the site's marker lists,
//     reached without a symbolic link, inside the output folder.

// SitePolicy is the Content-Security-Policy of the built site, carried by
// every page as a meta tag (templates/site/base.html) so that it holds
// from file:// too: the site's own scripts, styles and images, data:
// images (Markdown may embed them), connections to itself (the live
// reload's event stream) and nothing else: no inline script or style, no
// remote file, no plugin, no <base>, no form.
const SitePolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'"

// remoteImagesPolicy is SitePolicy for a library whose rmm.yaml sets
// remote_images: true: images from https: addresses load too (never
// plain http:, which anyone on the way could swap).
const remoteImagesPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; base-uri 'none'; form-action 'none'"

// sitePolicy is the meta tag's policy for a library.
func sitePolicy(remoteImages bool) string {
	if remoteImages {
		return remoteImagesPolicy
	}
	return SitePolicy
}

// ServePolicy is the Content-Security-Policy rmm serve sends with every
// answer: the site's policy as remote_images: true makes it, and
// frame-ancestors, which a meta tag cannot carry. A browser applies both
// the header and the page's meta tag, so whether remote images load is
// the meta tag's (rmm.yaml's) decision, even when remote_images changes
// while serve runs.
const ServePolicy = remoteImagesPolicy + "; frame-ancestors 'none'"

// attachmentPolicy is sent with a repository file copied into files/ that
// a browser would show as a page of its own (an HTML file linked from a
// document): it runs sandboxed, in an origin of its own, so a script it
// brings along cannot read the preview. PDFs are left out: Chromium does
// not show a sandboxed PDF, and its viewer runs apart from the page anyway.
const attachmentPolicy = ServePolicy + "; sandbox"

// securityHeaders sets the headers every answer of rmm serve carries.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ServePolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	// A browser without fetch metadata still refuses another site's
	// <script> or <img> of these files.
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// hostRule is which Host headers rmm serve answers.
//
// Listening on loopback (the default) it answers only loopback names:
// localhost and any name under .localhost, and loopback addresses
// (127.0.0.0/8, ::1, written [::1]), with any port or none. Listening on
// another address (--addr, with a warning) it answers those, any IP
// address (a page's origin is then the address itself, which no other
// site can point at this machine), this machine's host name (as
// os.Hostname reports it, its first label, and that label under .local),
// and the names given (the host of --addr when it is a name). A name is
// compared without case and without one trailing dot; a port must be
// digits up to 65535; anything else, an empty Host included, is refused.
type hostRule struct {
	loopback bool            // listening on loopback only
	names    map[string]bool // further names answered, lower case
	url      string          // where to point a refused reader ("" when unknown)
}

// newHostRule returns the rule of a server listening on addr (nil: on
// loopback), answering names too (ServeOptions.Addr's).
func newHostRule(addr net.Addr, names []string) *hostRule {
	h := &hostRule{loopback: true, names: map[string]bool{}}
	if ta, ok := addr.(*net.TCPAddr); ok {
		h.loopback = ta.IP.IsLoopback()
		host := ta.IP.String()
		if ta.IP.IsUnspecified() {
			host = "localhost"
		}
		h.url = "http://" + net.JoinHostPort(host, strconv.Itoa(ta.Port)) + "/"
	}
	add := func(n string) {
		if n = normName(n); n != "" {
			h.names[n] = true
		}
	}
	for _, n := range names {
		add(n)
	}
	if !h.loopback {
		if hn, err := os.Hostname(); err == nil {
			hn = normName(hn)
			add(hn)
			if short, _, _ := strings.Cut(hn, "."); short != "" {
				add(short)
				add(short + ".local")
			}
		}
	}
	return h
}

// addrName is the host of addr (host:port) when it is a name.
func addrName(addr string) []string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host == "" || net.ParseIP(host) != nil {
		return nil
	}
	return []string{host}
}

func normName(n string) string {
	return strings.TrimSuffix(strings.ToLower(n), ".")
}

// allows reports whether a request whose Host header is host is answered.
func (h *hostRule) allows(host string) bool {
	name, ip, ok := parseHost(host)
	switch {
	case !ok:
		return false
	case ip != nil:
		return ip.IsLoopback() || !h.loopback
	case name == "localhost" || strings.HasSuffix(name, ".localhost"):
		return true
	}
	return h.names[name]
}

// refusal is the plain-text answer to a Host that is not allowed.
func (h *hostRule) refusal(host string) string {
	msg := fmt.Sprintf("rmm serve answers only requests addressed to this machine (localhost, 127.0.0.1, [::1]), not to %q", host)
	if !h.loopback {
		msg = fmt.Sprintf("rmm serve answers only requests addressed to this machine by its name or address, not to %q", host)
	}
	if h.url != "" {
		msg += ": open " + h.url
	}
	return msg + "\n"
}

// parseHost splits a Host header into a name (lower case, without one
// trailing dot) or an IP address, checking its port; ok is false for
// anything else.
func parseHost(hostport string) (name string, ip net.IP, ok bool) {
	host, port := hostport, ""
	bracketed := strings.HasPrefix(hostport, "[")
	if bracketed {
		end := strings.IndexByte(hostport, ']')
		if end < 0 {
			return "", nil, false
		}
		host, port = hostport[1:end], hostport[end+1:]
		if port != "" {
			if port[0] != ':' {
				return "", nil, false
			}
			port = port[1:]
			if !validPort(port) {
				return "", nil, false
			}
		}
	} else if i := strings.LastIndexByte(hostport, ':'); i >= 0 {
		host, port = hostport[:i], hostport[i+1:]
		if !validPort(port) {
			return "", nil, false
		}
	}
	if host == "" || (!bracketed && strings.ContainsAny(host, ":[]")) {
		return "", nil, false // an IPv6 address must be bracketed
	}
	if bracketed {
		ip = net.ParseIP(host)
		if ip == nil || !strings.Contains(host, ":") {
			return "", nil, false // [name] and [1.2.3.4] are not hosts
		}
		return "", ip, true
	}
	if ip = net.ParseIP(host); ip != nil {
		return "", ip, true
	}
	name = normName(host)
	if !validName(name) {
		return "", nil, false
	}
	return name, nil, true
}

// validName reports whether name is dot-separated labels of letters,
// digits, '-' and '_' (a browser sends an international name in its
// ASCII form).
func validName(name string) bool {
	for _, label := range strings.Split(name, ".") {
		if label == "" {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

func validPort(p string) bool {
	if p == "" || len(p) > 5 {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	n, _ := strconv.Atoi(p)
	return n <= 65535
}

// crossSite reports whether r comes from a page of another site (another
// port of this machine included) for anything but opening a page in a
// window: fetch metadata, sent by every current browser. A request
// without it (an old browser, curl) is answered; the other headers
// (Cross-Origin-Resource-Policy, frame-ancestors) still hold.
func crossSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return false
	}
	if r.Header.Get("Sec-Fetch-Mode") == "navigate" {
		switch r.Header.Get("Sec-Fetch-Dest") {
		case "document", "":
			return false
		}
	}
	return true
}

// siteFiles is the site as the server serves it between two builds: the
// output folder, opened as a root (nothing outside it is ever reached),
// and the files its marker lists.
type siteFiles struct {
	root   *os.Root
	listed map[string]bool
}

// openSite opens the folder dir that a build just wrote.
func openSite(dir string) (*siteFiles, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*siteFiles, error) {
		root.Close()
		return nil, fmt.Errorf("the site in %s has no readable %s marker: %w", dir, MarkerFile, err)
	}
	fi, err := root.Lstat(MarkerFile)
	if err != nil {
		return fail(err)
	}
	if !fi.Mode().IsRegular() {
		return fail(errors.New("not a regular file"))
	}
	b, err := root.ReadFile(MarkerFile)
	if err != nil {
		return fail(err)
	}
	listed, err := parseMarker(b)
	if err != nil {
		return fail(err)
	}
	return &siteFiles{root: root, listed: listed}, nil
}

func (sf *siteFiles) close() {
	if sf != nil {
		sf.root.Close()
	}
}

// resolve maps a URL path to the file of the site it names: a listed
// file, or the index.html of a folder for a path ending in "/" (dir is
// set when the path names such a folder without its final slash). The
// marker is not listed, so it is never served: it is rmm's bookkeeping,
// not a page.
func (sf *siteFiles) resolve(urlPath string) (name string, dir, ok bool) {
	if !strings.HasPrefix(urlPath, "/") {
		return "", false, false
	}
	p := path.Clean(urlPath)
	rel := strings.TrimPrefix(p, "/")
	if p == "/" || strings.HasSuffix(urlPath, "/") {
		rel = path.Join(rel, "index.html")
	} else if !sf.listed[rel] && sf.listed[rel+"/index.html"] {
		return rel + "/index.html", true, true
	}
	return rel, false, sf.listed[rel]
}

// open opens the listed file name when it is a regular file reached
// through folders only: a symbolic link anywhere on the way (even one to a
// file of the site), a device, a pipe or a folder is not served.
func (sf *siteFiles) open(name string) (*os.File, fs.FileInfo, error) {
	if !sf.listed[name] || !fs.ValidPath(name) {
		return nil, nil, fs.ErrNotExist
	}
	parts := strings.Split(name, "/")
	var fi fs.FileInfo
	for i := range parts {
		var err error
		if fi, err = sf.root.Lstat(strings.Join(parts[:i+1], "/")); err != nil {
			return nil, nil, err
		}
		last := i == len(parts)-1
		if (!last && !fi.IsDir()) || (last && !fi.Mode().IsRegular()) {
			return nil, nil, fs.ErrNotExist
		}
	}
	f, err := sf.root.Open(name)
	if err != nil {
		return nil, nil, err
	}
	// The file opened is the one looked at: not swapped for a link since.
	if st, err := f.Stat(); err != nil || !os.SameFile(fi, st) || !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, fs.ErrNotExist
	}
	return f, fi, nil
}

// siteTypes are the types of the files rmm writes, the same on every
// system (mime.TypeByExtension reads the system's tables first).
var siteTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".svg":  "image/svg+xml",
	".csv":  "text/csv; charset=utf-8",
	".ics":  "text/calendar; charset=utf-8",
	".xml":  "text/xml; charset=utf-8",
}

// contentType is the type of the site's file name (f its content, read
// from the start and left there): by its extension, else sniffed.
func contentType(name string, f io.ReadSeeker) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := siteTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	var buf [512]byte
	n, _ := io.ReadFull(f, buf[:])
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "application/octet-stream"
	}
	return http.DetectContentType(buf[:n])
}

// attachmentHeaders sets the policy of a repository file under files/.
func attachmentHeaders(h http.Header, name, ctype string) {
	if !strings.HasPrefix(name, "files/") {
		return
	}
	if mt, _, _ := mime.ParseMediaType(ctype); mt == "application/pdf" {
		return
	}
	h.Set("Content-Security-Policy", attachmentPolicy)
}
