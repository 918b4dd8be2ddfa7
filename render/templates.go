package render

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/rmm-pal/rmm/templates"
)

// OverrideDir is where a repository overrides the site's layouts and
// assets, file by file.
const OverrideDir = ".rmm/templates/site"

// layouts are the page layouts; each is executed with base.html.
var layouts = []string{"home", "doc", "list", "lessons", "tailoring", "coverage", "stakeholders", "checks", "baselines", "baseline", "print", "attention", "register", "404"}

// partials are templates every layout may call.
var partials = []string{"appraisal.html", "attention_list.html"}

type templateSet struct {
	byName map[string]*template.Template
	chrome *template.Template // chrome.html: "topbar" and "sidebar"

	mu      sync.Mutex
	chromes map[[2]string]chromeParts
	frames  map[frameKey]*docFrame // executeDoc
	// The rows of lists (rowsHTML) and of the register (registerRowsHTML).
	listRows rowCache[listRowData]
	regRows  rowCache[registerRowKey]
	files    fs.FS    // embedded site files with the repository's overrides
	hash     [32]byte // of every layout's source, for the rebuild cache
	// docBase, when doc.html is the embedded one, is base.html with a
	// content that prints pageData.Content, which writeDocContent fills
	// (docpage.go); nil when the repository overrides doc.html.
	docBase *template.Template
	// listGo and registerGo: list.html's and register.html's rows are
	// written in Go (rows.go), the layouts being the embedded ones.
	listGo, registerGo bool
	// embeddedBase: base.html is the embedded one, whose only uses of a
	// page's title and content are the two marks a frame splits at; a
	// repository's own base.html is executed whole for every page.
	embeddedBase bool
}

// rowCache keeps rows executed through a layout's row template, by
// everything the row shows (so a row kept is always the row the template
// would make): those of this build, and those the last build of this
// process made with the same layouts (KeyCache), read only: a rebuild
// executes the rows that changed, not all 10,000.
type rowCache[K comparable] struct {
	rows generations[K, template.HTML]
}

// again makes the rows of the build that ended the ones to reuse.
func (c *rowCache[K]) again() { c.rows.next() }

// html executes n rows through the template name of layout t, row i with
// the data row(i) gives and kept under its key, unless made before.
func (c *rowCache[K]) html(t *template.Template, name string, n int, row func(int) (K, any)) (template.HTML, error) {
	var out strings.Builder
	var buf bytes.Buffer
	for i := 0; i < n; i++ {
		k, data := row(i)
		h, ok := c.rows.get(k)
		if !ok {
			buf.Reset()
			if err := t.ExecuteTemplate(&buf, name, data); err != nil {
				return "", err
			}
			h = template.HTML(buf.String())
		}
		c.rows.put(k, h)
		out.WriteString(string(h))
	}
	return template.HTML(out.String()), nil
}

// overlay reads a file from the repository's overrides, else from the
// embedded defaults.
type overlay struct {
	repo fs.FS // may be nil
}

func (o overlay) Open(name string) (fs.File, error) {
	if o.repo != nil && fs.ValidPath(name) {
		if f, err := o.repo.Open(path.Join(OverrideDir, name)); err == nil {
			return f, nil
		}
	}
	return templates.Site.Open(name)
}

var funcs = template.FuncMap{
	"join": strings.Join,
	"add":  func(a, b int) int { return a + b },
	"dict": func(root string, e any) map[string]any { return map[string]any{"Root": root, "E": e} },
	"csp":  sitePolicy, // the meta tag of base.html
	// keepIDs keeps the ids in a text on one line each (people.go).
	"keepIDs": keepIDs,
	// statusClass makes a CSS class of a status ("changed after approval"
	// becomes status-changed-after-approval).
	"statusClass": statusClass,
}

// loadTemplates reads and parses the layouts, the repository's overrides
// first. prev, when not nil, is the set the last build of this process
// used (KeyCache): when every source reads the same, it is used again,
// parsed templates and all (parsing and cloning the layouts was 4 ms of
// each 40 ms serve rebuild of the example library), with the rows it
// executed kept as the ones to reuse and its per-build state reset.
func loadTemplates(repoFS fs.FS, prev *templateSet) (*templateSet, error) {
	files := overlay{repo: repoFS}
	type source struct{ name, src string }
	var srcs []source
	th := sha256.New()
	for _, name := range append(append([]string{"base.html"}, partials...), "chrome.html") {
		b, err := fs.ReadFile(files, name)
		if err != nil {
			return nil, fmt.Errorf("layout %s: %w", name, err)
		}
		srcs = append(srcs, source{name, string(b)})
	}
	for _, name := range layouts {
		b, err := fs.ReadFile(files, name+".html")
		if err != nil {
			return nil, fmt.Errorf("layout %s.html: %w", name, err)
		}
		srcs = append(srcs, source{name, string(b)})
	}
	for i, s := range srcs {
		if i > 0 {
			th.Write([]byte{0})
		}
		th.Write([]byte(s.src))
	}
	var hash [32]byte
	th.Sum(hash[:0])
	if prev != nil && prev.hash == hash {
		prev.again(files)
		return prev, nil
	}

	ts := &templateSet{byName: map[string]*template.Template{}, files: files, hash: hash}
	ts.embeddedBase = srcs[0].src == embeddedSource("base.html")
	root, err := template.New("base.html").Funcs(funcs).Funcs(template.FuncMap{"rows": ts.rowsHTML, "registerRows": ts.registerRowsHTML}).Parse(srcs[0].src)
	if err != nil {
		return nil, fmt.Errorf("layout base.html: %w", err)
	}
	// Partials every layout may use (the appraisal of an area).
	for _, s := range srcs[1 : 1+len(partials)] {
		if _, err := root.New(s.name).Parse(s.src); err != nil {
			return nil, fmt.Errorf("layout %s: %w", s.name, err)
		}
	}
	if ts.chrome, err = template.New("chrome.html").Funcs(funcs).Parse(srcs[1+len(partials)].src); err != nil {
		return nil, fmt.Errorf("layout chrome.html: %w", err)
	}
	ts.chromes = map[[2]string]chromeParts{}
	for _, s := range srcs[2+len(partials):] {
		t, err := template.Must(root.Clone()).Parse(s.src)
		if err != nil {
			return nil, fmt.Errorf("layout %s.html: %w", s.name, err)
		}
		ts.byName[s.name] = t
		if s.src != embeddedSource(s.name+".html") {
			continue // the repository's own layout: executed as written
		}
		switch s.name {
		case "doc":
			ts.docBase = template.Must(template.Must(root.Clone()).Parse(`{{define "content"}}{{.Content}}{{end}}`))
		case "list":
			ts.listGo = true
		case "register":
			ts.registerGo = true
		}
	}
	return ts, nil
}

// again readies a set the last build used for the next: the rows it made
// become the ones to reuse, the chrome (which shows the site's title and
// navigation) is made again, and assets are read from files.
func (ts *templateSet) again(files fs.FS) {
	ts.mu.Lock()
	ts.chromes = map[[2]string]chromeParts{}
	ts.frames = nil
	ts.mu.Unlock()
	ts.listRows.again()
	ts.regRows.again()
	ts.files = files
}

var docBufs = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

// The marks a page's frame holds where its title and content go: bytes
// no escaper changes and no text of rmm's holds.
const (
	titleMark   = "\x01rmm-title\x01"
	contentMark = "\x01rmm-content\x01"
)

// docFrame is base.html executed around a document page's title and
// content for one depth and nav entry: every document page at that depth
// is frame[0] + its title escaped + frame[1] + its content + frame[2].
type docFrame struct {
	top, side template.HTML // what the frame was made with
	parts     [3]string
	ok        bool // the marks were found once each, in that order
}

// executeDoc writes a document's page with the embedded doc layout: its
// content written in Go (docpage.go) into base.html's frame for its
// depth. A page whose title is the site's (base.html prints it another
// way) or whose frame did not split goes through the template whole.
func (ts *templateSet) executeDoc(w io.Writer, data *pageData) error {
	b := docBufs.Get().(*[]byte)
	defer docBufs.Put(b)
	f := &docFrame{} // a repository's own base.html: no frame
	if ts.embeddedBase {
		var err error
		if f, err = ts.docFrameFor(data); err != nil {
			return err
		}
	}
	if !f.ok || data.Title == data.Site.Title || data.Topbar != f.top || data.Sidebar != f.side {
		*b = writeDocContent((*b)[:0], data)
		data.Content = template.HTML(*b)
		err := ts.docBase.ExecuteTemplate(w, "base.html", data)
		data.Content = ""
		return err
	}
	out := append((*b)[:0], f.parts[0]...)
	dw := &docWriter{b: out}
	dw.text(data.Title)
	dw.lit(f.parts[1])
	out = writeDocContent(dw.b, data)
	out = append(out, f.parts[2]...)
	*b = out
	_, err := w.Write(out)
	return err
}

// frameKey names the frame of a page: its site's information, depth and
// nav entry.
type frameKey struct {
	site      *siteInfo
	root, nav string
}

// docFrameFor is the frame of data's site, depth and nav entry, made once
// per build (again resets it with the chrome).
func (ts *templateSet) docFrameFor(data *pageData) (*docFrame, error) {
	key := frameKey{data.Site, data.Root, data.Nav}
	ts.mu.Lock()
	f := ts.frames[key]
	ts.mu.Unlock()
	if f != nil {
		return f, nil
	}
	d := *data
	d.Title, d.Content = titleMark, contentMark
	var buf bytes.Buffer
	if err := ts.docBase.ExecuteTemplate(&buf, "base.html", &d); err != nil {
		return nil, err
	}
	f = &docFrame{top: data.Topbar, side: data.Sidebar}
	page := buf.String()
	if t, rest, ok := strings.Cut(page, titleMark); ok && !strings.Contains(rest, titleMark) {
		if mid, end, ok := strings.Cut(rest, contentMark); ok && !strings.Contains(end, contentMark) && !strings.Contains(t, contentMark) {
			f.parts, f.ok = [3]string{t, mid, end}, true
		}
	}
	ts.mu.Lock()
	if ts.frames == nil {
		ts.frames = map[frameKey]*docFrame{}
	}
	ts.frames[key] = f
	ts.mu.Unlock()
	return f, nil
}

type chromeParts struct {
	top, side template.HTML
}

// chromeFor renders the top bar and the sidebar for a page at depth root
// with top-nav entry nav, once per pair.
func (ts *templateSet) chromeFor(site *siteInfo, root, nav string) (chromeParts, error) {
	key := [2]string{root, nav}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if c, ok := ts.chromes[key]; ok {
		return c, nil
	}
	data := map[string]any{"Site": site, "Root": root, "Nav": nav}
	var top, side bytes.Buffer
	if err := ts.chrome.ExecuteTemplate(&top, "topbar", data); err != nil {
		return chromeParts{}, err
	}
	if err := ts.chrome.ExecuteTemplate(&side, "sidebar", data); err != nil {
		return chromeParts{}, err
	}
	c := chromeParts{top: template.HTML(top.String()), side: template.HTML(side.String())}
	ts.chromes[key] = c
	return c, nil
}

// embeddedSource is the source of an embedded layout.
func embeddedSource(name string) string {
	b, err := fs.ReadFile(templates.Site, name)
	if err != nil {
		return ""
	}
	return string(b)
}

func (ts *templateSet) execute(w io.Writer, layout string, data *pageData) error {
	if layout == "doc" && ts.docBase != nil {
		return ts.executeDoc(w, data)
	}
	t := ts.byName[layout]
	if t == nil {
		return fmt.Errorf("no layout %q", layout)
	}
	return t.ExecuteTemplate(w, "base.html", data)
}

// assets returns the static files of the site (assets/), overrides
// applied.
func (ts *templateSet) assets() ([]file, error) {
	var out []file
	err := fs.WalkDir(templates.Site, "assets", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := fs.ReadFile(ts.files, p)
		if err != nil {
			return err
		}
		out = append(out, file{Path: p, Data: bytes.Clone(data)})
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// listRowData is what list.html's "list-row" shows: one document's row of
// a list, on a page at depth Root.
type listRowData struct {
	Root string
	listRow
}

// rowsHTML is the template function rows: the rows of a list (kind, area,
// unit and status pages), each executed through list.html's "list-row"
// once per build and page depth however many lists show it (every
// document is on three lists or more, and the status page lists them
// all). A row is keyed by everything it shows, so a cached one is always
// the row the template would make.
func (ts *templateSet) rowsHTML(root string, rows []listRow) (template.HTML, error) {
	if ts.listGo {
		var b []byte
		for _, r := range rows {
			b = appendListRow(b, listRowData{Root: root, listRow: r})
		}
		return template.HTML(b), nil
	}
	t := ts.byName["list"]
	if t == nil {
		return "", fmt.Errorf("no layout %q", "list")
	}
	return ts.listRows.html(t, "list-row", len(rows), func(i int) (listRowData, any) {
		k := listRowData{Root: root, listRow: rows[i]}
		return k, k
	})
}

// registerRowData is what register.html's "register-row" shows.
type registerRowData struct {
	Root string
	registerRow
}

// registerRowKey is a register row as a map key: everything the row
// shows, the cells length-prefixed.
type registerRowKey struct {
	Root, Kind, State string
	Doc               link
	Cells             string
}

func (d registerRowData) key() registerRowKey {
	var b strings.Builder
	for _, c := range d.Cells {
		b.WriteString(strconv.Itoa(len(c)))
		b.WriteByte(':')
		b.WriteString(c)
	}
	return registerRowKey{Root: d.Root, Kind: d.Kind, State: d.State, Doc: d.Doc, Cells: b.String()}
}

// registerRowsHTML is the template function registerRows: the rows of
// the document register, each executed through register.html's
// "register-row" unless the last build of this process made the same row
// (the register shows every document's revision, so it changes with any
// edit; executing its 10,000 rows took 0.2 to 0.4 s of every serve
// rebuild).
func (ts *templateSet) registerRowsHTML(root string, rows []registerRow) (template.HTML, error) {
	if ts.registerGo {
		var b []byte
		for _, r := range rows {
			b = appendRegisterRow(b, registerRowData{Root: root, registerRow: r})
		}
		return template.HTML(b), nil
	}
	t := ts.byName["register"]
	if t == nil {
		return "", fmt.Errorf("no layout %q", "register")
	}
	return ts.regRows.html(t, "register-row", len(rows), func(i int) (registerRowKey, any) {
		d := registerRowData{Root: root, registerRow: rows[i]}
		return d.key(), d
	})
}
