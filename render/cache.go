package render

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/store"
)

// Rebuilds skip the pages whose inputs did not change. After a build, the
// state of every document page is kept below the git folder
// (<gitdir>/rmm/site/, one file per output folder and audience): a key
// that hashes everything the page is made from, the size and modification
// time of the file written, its search entry and the files it copied. The
// next build into the same folder computes each page's key first (cheap:
// hashes, no Markdown); when it matches and the previous site still holds
// that very file, the file is hard-linked into the new site instead of
// rendered. Anything doubtful renders: a missing, damaged or unreadable
// state, changed layouts, a file edited by hand, and a different rmm: the
// state is one of package store's cache files, whose header names the
// binary that wrote it, and every page's key starts with store.Prefix, so
// a fix to rmm's rendering reaches every page after an upgrade.
//
// The state is written with store.WriteCache (a unique temporary name and
// a rename, no sync): two builds saving at once never mix their bytes,
// and a state lost in a crash only costs the next build its shortcut.
//
// A document page's key is derived from what the page shows, not from a
// list of its inputs: the hash of its view data (docView, everything the
// page shows but the body, encoded whole), of the body's inputs (the
// document's bytes and the pages its links resolve to: bodyKey), and of
// what every page shares (globalKey: the binary and stateVersion, the
// layouts, the site's navigation, the audience, default sensitivity and
// remote_images, and the repository's files). Other pages are keyed by
// their data the same way (dataKey). Defined processes that tailor a
// standard always render: their effective text is rendered with the page.

// stateKind and stateVersion name the page state in package store.
// 2: a page's key hashes the hashes of the document's bytes and history.
// 3: package store's file format; keys start with store.Prefix.
// 4: search entries hold sections and people.
// 5: a document page's key hashes its view data.
// 6: statecodec.go's format instead of gob.
const (
	stateKind    = "site"
	stateVersion = 6
)

type buildState struct {
	Pages map[string]pageState // by output path
}

type pageState struct {
	Key     [32]byte
	Size    int64
	ModTime int64 // nanoseconds
	Search  *searchEntry
	Assets  []string
}

// stateFile names the state of builds into out for an audience.
func (s *site) stateFile() string {
	h := sha256.Sum256([]byte(s.o.Out + "\x00" + s.o.Audience))
	return filepath.Join(store.Dir(s.o.Repo.GitDir, stateKind), binaryHex(h[:8])+".state")
}

// spareDir names the spare folder of builds into out for an audience
// (write.go), under the name of their page state.
func (s *site) spareDir() string {
	h := sha256.Sum256([]byte(s.o.Out + "\x00" + s.o.Audience))
	return filepath.Join(store.Dir(s.o.Repo.GitDir, "spare"), binaryHex(h[:8]))
}

func binaryHex(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// loadState reads the state of the previous build; nil when there is
// none or it cannot be used.
func (s *site) loadState() *buildState {
	if c := s.o.Keys; c != nil {
		// The state the last build of this process saved, still in memory.
		c.mu.Lock()
		st := c.state
		ok := st != nil && c.stateFile == s.stateFile()
		c.mu.Unlock()
		if ok {
			return st
		}
	}
	return readState(s.stateFile())
}

// readState reads the state in the file p; nil when there is none, or it
// is damaged or another rmm's.
func readState(p string) *buildState {
	body, err := store.ReadCache(p, stateKind, stateVersion)
	if err != nil {
		return nil
	}
	st, err := decodeState(body)
	if err != nil {
		return nil
	}
	return st
}

// saveState writes the state of this build; a failure only costs the
// next build its shortcut.
//
// With o.Keys the state stays in memory for the next build, and the file
// is written in the background (KeyCache.Wait waits for it); the state is
// never modified once saved.
func (s *site) saveState() {
	p := s.stateFile()
	st := &buildState{Pages: s.next}
	c := s.o.Keys
	if c == nil {
		writeState(p, st)
		return
	}
	c.mu.Lock()
	c.stateFile, c.state, c.written = p, st, false
	c.saveGen++
	gen := c.saveGen
	lazy := c.onClose
	c.mu.Unlock()
	if lazy {
		return // Flush writes it
	}
	c.saving.Add(1)
	go func() {
		defer c.saving.Done()
		c.saveMu.Lock()
		defer c.saveMu.Unlock()
		c.mu.Lock()
		latest := c.saveGen == gen
		if latest {
			c.written = true
		}
		c.mu.Unlock()
		if latest { // else a later build's state replaces it anyway
			writeState(p, st)
		}
	}()
}

// writeState writes st to the file p, whole or not at all; a failure
// only costs the next build its shortcut.
func writeState(p string, st *buildState) {
	_ = store.WriteCache(p, store.Seal(appendState(store.Prefix(stateKind, stateVersion), st)))
	// The state an rmm before version 6 wrote, under its old name: never
	// read again.
	os.Remove(strings.TrimSuffix(p, ".state") + ".gob")
}

// record keeps the state of a page written or reused by this build.
func (s *site) record(path string, st pageState) {
	s.nextMu.Lock()
	s.next[path] = st
	s.nextMu.Unlock()
}

// keyHasher writes length-prefixed fields into a hash, through a buffer:
// a page's key is made of hundreds of short fields, and one Write per
// field costs more than the hashing. The bytes hashed are the same as
// without the buffer.
type keyHasher struct {
	h   hash.Hash
	buf []byte
}

func newKeyHasher() *keyHasher {
	return &keyHasher{h: sha256.New(), buf: make([]byte, 0, 4096)}
}

func (k *keyHasher) str(ss ...string) {
	for _, s := range ss {
		k.buf = binary.LittleEndian.AppendUint64(k.buf, uint64(len(s)))
		if len(s) > 1024 {
			k.flush()
			io.WriteString(k.h, s)
			continue
		}
		k.buf = append(k.buf, s...)
		if len(k.buf) >= 4096 {
			k.flush()
		}
	}
}

func (k *keyHasher) bytes(b []byte) {
	k.buf = binary.LittleEndian.AppendUint64(k.buf, uint64(len(b)))
	if len(b) > 1024 {
		k.flush()
		k.h.Write(b)
		return
	}
	k.buf = append(k.buf, b...)
	if len(k.buf) >= 4096 {
		k.flush()
	}
}

func (k *keyHasher) flush() {
	k.h.Write(k.buf)
	k.buf = k.buf[:0]
}

// sum appends the hash of everything written to b.
func (k *keyHasher) sum(b []byte) []byte {
	k.flush()
	return k.h.Sum(b)
}

// globalKey hashes what every page depends on; computed once.
func (s *site) globalKey() []byte {
	s.globalOnce.Do(func() {
		k := newKeyHasher()
		k.bytes(store.Prefix(stateKind, stateVersion)) // the binary renders the page
		k.str(s.o.Audience, s.cfg.Sensitivity(), s.o.LiveReload)
		k.str(boolStr(s.cfg.RemoteImages)) // how a body's images render
		k.bytes(s.in.tmpl.hash[:])
		nav := *s.info
		nav.Commit = "" // only the home page shows it, and it always renders
		info, _ := json.Marshal(nav)
		k.bytes(info)
		var files []string
		for p := range s.lib.Files {
			if !strings.HasSuffix(p, ".md") {
				files = append(files, p)
			}
		}
		sort.Strings(files)
		k.str(files...)
		k.bytes(s.sealKey()) // files and commit subjects withheld from the audience
		k.str(boolStr(s.in.histErr != nil), boolStr(s.in.history != nil && s.in.history.Incomplete()), boolStr(s.o.Rev == ""))
		if s.in.histErr != nil {
			k.str(s.in.histErr.Error())
		}
		s.global = k.sum(nil)
	})
	return s.global
}

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// pageKey is the key of a document's page, derived from what it shows:
// the hash of v, its view data (everything the page shows but the body,
// encoded whole: a field added to the page is in its key without anyone
// listing it), and of the body's inputs (bodyKey), over globalKey.
// ok is false for pages that always render: defined processes that
// tailor a standard, whose effective text is rendered only then.
func (s *site) pageKey(p *page, v *docView) (key [32]byte, ok bool) {
	d := p.d
	if d.Kind == "process" && d.Tailors != "" {
		return key, false
	}
	b, err := viewHash(docData(v))
	if err != nil {
		return key, false
	}
	k := newKeyHasher()
	k.bytes(s.globalKey())
	k.str("doc")
	k.bytes(b[:])
	body := s.bodyKey(p)
	k.bytes(body[:])
	k.sum(key[:0])
	return key, true
}

// bodyKey hashes what the rendered body of p is made from: the
// document's bytes (body and front matter: the raw bytes are hashed once
// and remembered in o.Keys), its folder (relative links start there), and
// the pages its links resolve to, with the titles a [[ID]] link shows.
// The files a link may name, and what the audience may see of them, are
// in globalKey.
func (s *site) bodyKey(p *page) [32]byte {
	d := p.d
	k := newKeyHasher()
	k.str(d.Path)
	raw := s.rawHash(d)
	k.bytes(raw[:])
	for _, r := range d.Refs {
		k.str(r.ID, r.Path)
		if t := s.lib.Resolve(r); t != nil {
			if tp := s.byID[t.ID]; tp != nil && tp.d == t {
				k.str(tp.url, tp.d.Title)
				continue
			}
		}
		k.str("-")
	}
	var key [32]byte
	k.sum(key[:0])
	return key
}

// KeyCache remembers the hash of each document's bytes from one build to
// the next (Options.Keys). A load that finds a file unchanged hands back
// the very same *doc.Document (doc.LoadOptions.Previous), and documents
// are never modified after loading, so the pointer is the key. Each build
// keeps only the documents it saw, so the cache does not grow with edits.
// Safe for use by one build at a time.
type KeyCache struct {
	mu     sync.Mutex
	hashes generations[*doc.Document, [32]byte]
	// The approved versions found (site.approvedVersion), the same way.
	approved generations[approvedKey, approvedResult]
	// The state of the last build (see saveState), and its writing.
	stateFile string
	state     *buildState
	saveGen   int
	saveMu    sync.Mutex
	saving    sync.WaitGroup
	// onClose defers writing the state to Flush (PipelineOptions
	// StateOnClose); written tells whether the last state is on disk.
	onClose bool
	written bool
	// tmpl is the template set of the last build, with the rows it made
	// (loadTemplates uses it again while the layouts read the same).
	tmpl *templateSet
	// codes are the search entries the last build encoded (entryCodes):
	// an entry is never modified once made, and a page reused keeps it.
	codes map[*searchEntry]*entryCode
}

// lastTemplates returns the template set of the last build.
func (c *KeyCache) lastTemplates() *templateSet {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tmpl
}

// keepTemplates keeps a build's template set, and the rows it made, for
// the next build.
func (c *KeyCache) keepTemplates(ts *templateSet) {
	c.mu.Lock()
	c.tmpl = ts
	c.mu.Unlock()
}

// Wait waits until the state of the last build is written to disk; call
// it before the process ends.
func (c *KeyCache) Wait() { c.saving.Wait() }

// Flush writes the state of the last build if it is not on disk yet, and
// waits until it is; call it before the process ends.
func (c *KeyCache) Flush() {
	c.saving.Wait()
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	c.mu.Lock()
	p, st, done := c.stateFile, c.state, c.written
	c.written = true
	c.mu.Unlock()
	if st != nil && !done {
		writeState(p, st)
	}
}

// NewKeyCache returns an empty cache.
func NewKeyCache() *KeyCache { return &KeyCache{} }

// start begins a build: what the last build saw becomes what this one may
// reuse.
func (c *KeyCache) start() {
	c.hashes.next()
	c.approved.next()
}

// viewHash hashes the encoding of a page's view data for its key: every
// exported field, maps in key order. It is go-json-experiment's encoder
// (the JSON v2 proposal, already a module of the build); the bytes only
// need to be the same for the same data within one rmm version. They are
// streamed into the hash, never held whole: growing a buffer for the
// register's or a list's data was a third of the encoding's time in serve
// profiles at 10,000 documents.
func viewHash(v any) (sum [32]byte, err error) {
	h := sha256.New()
	if err := jsonv2.MarshalWrite(h, v, jsonv2.Deterministic(true), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true)); err != nil {
		return sum, err
	}
	h.Sum(sum[:0])
	return sum, nil
}

// rawHash is the SHA-256 of d.Raw, remembered in o.Keys when it is set.
func (s *site) rawHash(d *doc.Document) [32]byte {
	c := s.o.Keys
	if c == nil {
		return sha256.Sum256(d.Raw)
	}
	h, ok := c.hashes.get(d)
	if !ok {
		h = sha256.Sum256(d.Raw)
	}
	c.hashes.put(d, h)
	return h
}

// dataKey keys a page other than a document's by its layout and data
// (which hold everything the layout shows). The site's information is in
// globalKey, but for the commit published, which only the home page shows:
// a commit that changes nothing else a page shows does not render it.
func (s *site) dataKey(layout string, data *pageData) (key [32]byte, ok bool) {
	d := *data
	d.Site = nil
	b, err := viewHash(&d)
	if err != nil {
		return key, false
	}
	k := newKeyHasher()
	k.bytes(s.globalKey())
	k.str("data", layout)
	if layout == "home" {
		k.str(data.Site.Commit)
	}
	k.bytes(b[:])
	k.sum(key[:0])
	return key, true
}

// reuseFile hard-links the previous site's file p when its key did not
// change.
func (s *site) reuseFile(w *siteWriter, p string, key [32]byte) bool {
	if s.prev == nil {
		return false
	}
	st, ok := s.prev.Pages[p]
	if !ok || st.Key != key || !w.reuse(p, st.Size, st.ModTime) {
		return false
	}
	s.record(p, st)
	return true
}

// reuse hard-links the previous site's file for a page whose key did not
// change; false when it must be rendered.
func (s *site) reuse(w *siteWriter, p *page, key [32]byte) bool {
	if s.prev == nil {
		return false
	}
	st, ok := s.prev.Pages[p.url]
	if !ok || st.Key != key || st.Search == nil {
		return false
	}
	if !w.reuse(p.url, st.Size, st.ModTime) {
		return false
	}
	s.mu.Lock()
	if s.search == nil {
		s.search = map[*page]*searchEntry{}
	}
	s.search[p] = st.Search
	for _, a := range st.Assets {
		s.assets[a] = "files/" + a
	}
	s.mu.Unlock()
	s.record(p.url, st)
	s.reused.Add(1)
	return true
}

// diagsOf returns what check said of the file at p, in order, as text.
func (s *site) diagsOf(p string) []string {
	s.indexDiags()
	return s.diagsByPath[p]
}

// diagnosticsOf returns what check said of the file at p, in order.
func (s *site) diagnosticsOf(p string) []doc.Diagnostic {
	s.indexDiags()
	return s.diagsAt[p]
}

// indexDiags files check's findings by path, once per build: each page
// asks for its own (a scan of every finding per page was 0.12 s of each
// rebuild at 10,000 documents and 518 findings).
func (s *site) indexDiags() {
	s.diagsOnce.Do(func() {
		s.diagsByPath = map[string][]string{}
		s.diagsAt = map[string][]doc.Diagnostic{}
		for _, dg := range s.o.Diags {
			s.diagsByPath[dg.Path] = append(s.diagsByPath[dg.Path], dg.String())
			s.diagsAt[dg.Path] = append(s.diagsAt[dg.Path], dg)
		}
	})
}

// cacheFields are the parts of site the cache needs.
type cacheFields struct {
	diagsOnce   sync.Once
	diagsByPath map[string][]string
	diagsAt     map[string][]doc.Diagnostic
	prev        *buildState
	next        map[string]pageState
	nextMu      sync.Mutex
	global      []byte
	globalOnce  sync.Once
	reused      atomic.Int64
	renderedMu  sync.Mutex
	rendered    []string // pages rendered, not reused (Result.Rendered)
}
