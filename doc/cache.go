package doc

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io/fs"
	"math"
	"path/filepath"
	"sync"
	"time"
	"unsafe"

	"github.com/rmm-pal/rmm/store"
)

// The parse cache keeps what Parse computed for each file, so that a
// later Load (another process: `rmm build`, `rmm check`) decodes it
// instead of parsing again. It is one file of package store's cache
// format, parse.pack, in the folder LoadOptions.Cache names (package repo
// passes store.Dir(gitdir, "parse")), replaced whole with
// store.WriteCache: it is only a shortcut, so it is not synced. An
// entry's key is the SHA-256 of store.Prefix (the cache's kind and
// version, and the identity of the running binary: the parser may change
// between builds), the file's path (Path and the note id depend on it)
// and its bytes. A cache that cannot be read, is damaged or was written
// by another rmm is ignored and rewritten; it is never an error.
//
// cacheVersion must change whenever Document, Section, Ref, Action,
// Stakeholder, Approval or Diagnostic change, or the encoding below does
// (the binary's identity changes with any change to the code already;
// the version is what a reader of the file, or a test, can name).
const (
	cacheKind    = "parse"
	cacheVersion = 6 // 2: package store's file format; 3: line endings normalised, YAML tags refused, bounded parsing; 4: period, trigger, attendees, trainer; 5: a measure's data table; 6: bodies read with the full GFM set-up
)

const (
	cacheFile = "parse.pack"
	// cacheMaxAge is how many saves an entry no load used survives (the
	// working tree and a few commits share the pack).
	cacheMaxAge = 4
)

// parseCache is the pack as read at the start of a Load plus the entries
// this load adds or uses.
type parseCache struct {
	dir    string
	file   string // the pack's name in dir
	prefix []byte // store.Prefix, hashed into every key
	old    map[[32]byte]cacheEntry

	mu    sync.Mutex
	used  map[[32]byte]bool
	added map[[32]byte]addedEntry
	bad   bool // the pack was unreadable, foreign, or an entry did not decode
}

type cacheEntry struct {
	age     uint64
	payload []byte
}

// openParseCache reads the pack in dir; a missing, broken or foreign one
// gives an empty cache.
func openParseCache(dir string) *parseCache {
	return openPack(dir, cacheKind, cacheVersion, cacheFile)
}

// The blob cache keeps the bytes of git blobs by blob id, for loads of a
// commit's tree (an fs.FS with a BlobHash method, as package repo's
// trees have): a blob id names its bytes, so a file whose tree entry
// names a blob cached before is not read from the object store (nor its
// size looked up there) again; its parse then comes from the parse
// cache, keyed by its bytes as always. It is blobs.pack beside
// parse.pack, in the same format (entries keyed by the SHA-256 of
// store.Prefix and the blob id, the payload the blob's bytes), and is
// opened only by loads of a tree, so loads of the working tree never
// read it. Only a shortcut for reading: whoever must know that an object
// in the store is whole reads it (repo.CheckBlobs, which baseline create
// and verify run on the blobs they list), and a pack that is damaged is
// ignored like the parse cache.
const (
	blobKind    = "blobs"
	blobVersion = 1
	blobFile    = "blobs.pack"
)

func openBlobCache(dir string) *parseCache {
	return openPack(dir, blobKind, blobVersion, blobFile)
}

// blobKey is the blob cache's key of the blob id.
func (c *parseCache) blobKey(id string) [32]byte {
	h := sha256.New()
	h.Write(c.prefix)
	h.Write([]byte(id))
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// getRaw returns the cached bytes of key k.
func (c *parseCache) getRaw(k [32]byte) ([]byte, bool) {
	e, ok := c.old[k]
	if !ok {
		return nil, false
	}
	c.mu.Lock()
	c.used[k] = true
	c.mu.Unlock()
	return e.payload, true
}

// putRaw records the bytes of key k.
func (c *parseCache) putRaw(k [32]byte, data []byte) { c.putParts(k, addedEntry{head: data}) }

// addedEntry is the payload of an entry added by this load: head then
// tail (a stamp's header, then the file's bytes, which the document
// holds anyway: the entry is not a second copy of them).
type addedEntry struct{ head, tail []byte }

func (c *parseCache) putParts(k [32]byte, p addedEntry) {
	c.mu.Lock()
	c.added[k] = p
	c.mu.Unlock()
}

func openPack(dir, kind string, version int, file string) *parseCache {
	c := &parseCache{dir: dir, file: file, prefix: store.Prefix(kind, version),
		old: map[[32]byte]cacheEntry{}, used: map[[32]byte]bool{}, added: map[[32]byte]addedEntry{}}
	body, err := store.ReadCache(filepath.Join(dir, file), kind, version)
	if err != nil {
		c.bad = !errors.Is(err, fs.ErrNotExist)
		return c
	}
	if !c.readPack(body) {
		c.bad = true
		c.old = map[[32]byte]cacheEntry{}
	}
	return c
}

// readPack parses the pack's body: entries (key, age, payload length,
// payload).
func (c *parseCache) readPack(body []byte) bool {
	r := &reader{b: body}
	for len(r.b) > 0 && r.err == nil {
		var k [32]byte
		copy(k[:], r.bytes(32))
		age := r.uvarint()
		n := r.uvarint()
		p := r.bytes(int(n))
		if r.err != nil {
			return false
		}
		c.old[k] = cacheEntry{age, p}
	}
	return r.err == nil
}

// key is the cache key of the file at p with bytes data.
func (c *parseCache) key(p string, data []byte) [32]byte {
	h := sha256.New()
	h.Write(c.prefix)
	var n [binary.MaxVarintLen64]byte
	h.Write(n[:binary.PutUvarint(n[:], uint64(len(p)))])
	h.Write([]byte(p))
	h.Write(data)
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// get returns the cached parse of the file at p, whose bytes are data.
func (c *parseCache) get(k [32]byte, p string, data []byte) (*Document, []Diagnostic, bool) {
	e, ok := c.old[k]
	if !ok {
		return nil, nil, false
	}
	d, diags, err := decodeParse(e.payload, p, data)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.bad = true
		return nil, nil, false
	}
	c.used[k] = true
	return d, diags, true
}

// put records a fresh parse; a document the encoding cannot hold (an
// unexpected YAML value type) is simply not cached.
func (c *parseCache) put(k [32]byte, d *Document, diags []Diagnostic) {
	var w writer
	if err := w.parse(d, diags); err != nil {
		return
	}
	c.putParts(k, addedEntry{head: w.b})
}

// save writes the pack when this load added entries or found it broken:
// the entries added and used, and older ones not yet too old. Errors are
// ignored: the cache is only ever a shortcut.
func (c *parseCache) save() {
	if len(c.added) == 0 && !c.bad {
		return
	}
	// The pack is written part by part (store.WriteCacheSealed): the
	// stamp cache holds every document's bytes, and one buffer of the
	// whole was the peak of a cold build's memory.
	parts := [][]byte{c.prefix}
	var heads writer // the entries' keys and lengths, one after the other
	type cut struct {
		from, to   int
		head, tail []byte
	}
	var cuts []cut
	entry := func(k [32]byte, age uint64, head, tail []byte) {
		from := len(heads.b)
		heads.b = append(heads.b, k[:]...)
		heads.uvarint(age)
		heads.uvarint(uint64(len(head) + len(tail)))
		cuts = append(cuts, cut{from, len(heads.b), head, tail})
	}
	for k, p := range c.added {
		entry(k, 0, p.head, p.tail)
	}
	for k, e := range c.old {
		if _, dup := c.added[k]; dup {
			continue
		}
		switch {
		case c.used[k]:
			entry(k, 0, e.payload, nil)
		case e.age+1 < cacheMaxAge:
			entry(k, e.age+1, e.payload, nil)
		}
	}
	for _, x := range cuts {
		parts = append(parts, heads.b[x.from:x.to], x.head)
		if len(x.tail) > 0 {
			parts = append(parts, x.tail)
		}
	}
	_ = store.WriteCacheSealed(filepath.Join(c.dir, c.file), parts)
}

// writer appends the encoding.
type writer struct{ b []byte }

var errUncacheable = errors.New("value the parse cache cannot hold")

func (w *writer) uvarint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *writer) int(v int)        { w.b = binary.AppendVarint(w.b, int64(v)) }
func (w *writer) str(s string)     { w.uvarint(uint64(len(s))); w.b = append(w.b, s...) }
func (w *writer) bool(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

// strs writes a string slice, keeping nil apart from empty.
func (w *writer) strs(s []string) {
	if s == nil {
		w.uvarint(0)
		return
	}
	w.uvarint(uint64(len(s)) + 1)
	for _, x := range s {
		w.str(x)
	}
}

// count writes a slice length, keeping nil apart from empty.
func (w *writer) count(n int, isNil bool) {
	if isNil {
		w.uvarint(0)
	} else {
		w.uvarint(uint64(n) + 1)
	}
}

func (w *writer) diags(ds []Diagnostic) {
	w.count(len(ds), ds == nil)
	for _, d := range ds {
		w.str(d.Path)
		w.int(d.Line)
		w.str(string(d.Severity))
		w.str(d.Rule)
		w.str(d.Message)
	}
}

// Value tags of the front matter.
const (
	tNil byte = iota
	tFalse
	tTrue
	tInt
	tInt64
	tUint64
	tFloat
	tString
	tList
	tMap
	tAnyMap
	tNilList
	tNilMap
)

func (w *writer) value(v any) error {
	switch x := v.(type) {
	case nil:
		w.b = append(w.b, tNil)
	case bool:
		if x {
			w.b = append(w.b, tTrue)
		} else {
			w.b = append(w.b, tFalse)
		}
	case int:
		w.b = append(w.b, tInt)
		w.int(x)
	case int64:
		w.b = append(w.b, tInt64)
		w.b = binary.AppendVarint(w.b, x)
	case uint64:
		w.b = append(w.b, tUint64)
		w.uvarint(x)
	case float64:
		w.b = append(w.b, tFloat)
		w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(x))
	case string:
		w.b = append(w.b, tString)
		w.str(x)
	case []any:
		if x == nil {
			w.b = append(w.b, tNilList)
			return nil
		}
		w.b = append(w.b, tList)
		w.uvarint(uint64(len(x)))
		for _, e := range x {
			if err := w.value(e); err != nil {
				return err
			}
		}
	case map[string]any:
		if x == nil {
			w.b = append(w.b, tNilMap)
			return nil
		}
		w.b = append(w.b, tMap)
		w.uvarint(uint64(len(x)))
		for k, e := range x {
			w.str(k)
			if err := w.value(e); err != nil {
				return err
			}
		}
	case map[any]any:
		if x == nil {
			return errUncacheable
		}
		w.b = append(w.b, tAnyMap)
		w.uvarint(uint64(len(x)))
		for k, e := range x {
			if err := w.value(k); err != nil {
				return err
			}
			if err := w.value(e); err != nil {
				return err
			}
		}
	default:
		return errUncacheable
	}
	return nil
}

// parse writes one Parse result. Raw and Path are not stored (the caller
// has them); Body is stored as its offset in Raw when it is a suffix of
// it, as Parse makes it.
func (w *writer) parse(d *Document, diags []Diagnostic) error {
	w.diags(diags)
	if d == nil {
		w.bool(false)
		return nil
	}
	w.bool(true)
	w.bool(d.HasFrontMatter)
	if d.Front == nil {
		w.b = append(w.b, tNilMap)
	} else if err := w.value(d.Front); err != nil {
		return err
	}
	w.count(len(d.Lines), d.Lines == nil)
	for k, l := range d.Lines {
		w.str(k)
		w.int(l)
	}
	w.int(d.FrontEnd)
	w.int(d.BodyLine)
	switch off := len(d.Raw) - len(d.Body); {
	case d.Body == nil:
		w.uvarint(0)
	case len(d.Body) == 0:
		w.uvarint(3) // empty, not nil
	case off >= 0 && &d.Raw[off] == &d.Body[0]:
		w.uvarint(1)
		w.uvarint(uint64(off))
	default:
		w.uvarint(2)
		w.str(string(d.Body))
	}
	for _, s := range []string{d.ID, d.Kind, d.Title, d.Owner, d.Status, d.ProcessArea, d.Unit, d.Sensitivity,
		d.Control, d.ReviewEvery, d.SupersededBy, d.Tailors, d.Base, d.Evaluator, d.Date,
		d.MeasureUnit, d.Direction, d.Data, d.Source, d.ImplementedIn, d.Fingerprint,
		d.Period, d.Trigger, d.Trainer} {
		w.str(s)
	}
	w.count(len(d.Stakeholders), d.Stakeholders == nil)
	for _, s := range d.Stakeholders {
		w.str(s.Who)
		w.str(s.Role)
		w.str(s.Involvement)
		w.int(s.Line)
	}
	w.count(len(d.Approvals), d.Approvals == nil)
	for _, a := range d.Approvals {
		w.str(a.By)
		w.str(a.Role)
		w.str(a.Date)
		w.str(a.Meaning)
		w.str(a.Fingerprint)
		w.int(a.Line)
	}
	w.strs(d.Tags)
	w.strs(d.Evaluates)
	w.strs(d.Covers)
	w.strs(d.Affects)
	w.strs(d.Cites)
	w.strs(d.Attendees)
	if d.Target == nil {
		w.bool(false)
	} else {
		w.bool(true)
		w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(*d.Target))
	}
	index := make(map[*Section]int, len(d.Sections))
	for i, s := range d.Sections {
		index[s] = i
	}
	w.count(len(d.Sections), d.Sections == nil)
	for _, s := range d.Sections {
		if s == nil {
			return errUncacheable
		}
		w.str(s.ID)
		w.str(s.Title)
		w.int(s.Level)
		w.int(s.Line)
		w.strs(s.Classes)
		w.count(len(s.Attrs), s.Attrs == nil)
		for k, v := range s.Attrs {
			w.str(k)
			w.str(v)
		}
		w.int(s.Start)
		w.int(s.ContentStart)
		w.int(s.OwnEnd)
		w.int(s.End)
		parent := -1
		if s.Parent != nil {
			i, ok := index[s.Parent]
			if !ok {
				return errUncacheable
			}
			parent = i
		}
		w.int(parent)
	}
	w.count(len(d.Refs), d.Refs == nil)
	for _, r := range d.Refs {
		w.str(r.ID)
		w.str(r.Path)
		w.str(r.Text)
		w.int(r.Line)
	}
	w.count(len(d.Actions), d.Actions == nil)
	for _, a := range d.Actions {
		w.str(a.Text)
		w.str(a.Owner)
		w.str(a.Due)
		w.bool(a.Done)
		w.int(a.Line)
	}
	w.diags(d.parseDiags)
	// A measure's data table (MeasureData), read now, on the load's
	// goroutines, so that a warm load hands it to check and the site
	// without parsing the body again (40 ms of every check of the
	// 1,000 measures of a 10,000-document library).
	table := d.Kind == "measure" && d.Data == "" && d.table != nil
	w.bool(table)
	if table {
		pts, ds := MeasureData(d, "", nil)
		w.count(len(pts), pts == nil)
		for _, pt := range pts {
			w.str(pt.Date)
			w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(pt.Value))
			w.int(pt.Line)
		}
		w.diags(ds)
	}
	return nil
}

// reader decodes; the first error sticks and every later read returns
// zero values.
type reader struct {
	b   []byte
	err error
}

var errCorrupt = errors.New("corrupt parse cache entry")

func (r *reader) fail() {
	if r.err == nil {
		r.err = errCorrupt
	}
	r.b = nil
}

func (r *reader) bytes(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.fail()
		return nil
	}
	p := r.b[:n:n]
	r.b = r.b[n:]
	return p
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) int() int {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return int(v)
}

func (r *reader) bool() bool { return r.byte() != 0 }

func (r *reader) str() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	p := r.bytes(int(n))
	if len(p) == 0 {
		return ""
	}
	// The pack is read once and never written to, so its strings can share
	// its bytes instead of being copied one by one.
	return unsafe.String(&p[0], len(p))
}

// count reads a slice length written by writer.count: -1 for nil.
func (r *reader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.b))+1 { // every element takes at least a byte
		r.fail()
		return -1
	}
	return int(n) - 1
}

func (r *reader) strs() []string {
	n := r.count()
	if n < 0 {
		return nil
	}
	s := make([]string, n)
	for i := range s {
		s[i] = r.str()
	}
	return s
}

func (r *reader) float() float64 {
	p := r.bytes(8)
	if p == nil {
		return 0
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(p))
}

func (r *reader) diags() []Diagnostic {
	n := r.count()
	if n < 0 {
		return nil
	}
	ds := make([]Diagnostic, n)
	for i := range ds {
		ds[i] = Diagnostic{Path: r.str(), Line: r.int(), Severity: Severity(r.str()), Rule: r.str(), Message: r.str()}
	}
	return ds
}

func (r *reader) value(depth int) any {
	if depth > 10000 {
		r.fail()
		return nil
	}
	switch t := r.byte(); t {
	case tNil:
		return nil
	case tFalse:
		return false
	case tTrue:
		return true
	case tInt:
		return r.int()
	case tInt64:
		v, n := binary.Varint(r.b)
		if n <= 0 {
			r.fail()
			return nil
		}
		r.b = r.b[n:]
		return v
	case tUint64:
		return r.uvarint()
	case tFloat:
		return r.float()
	case tString:
		return r.str()
	case tNilList:
		return []any(nil)
	case tNilMap:
		return map[string]any(nil)
	case tList:
		n := r.uvarint()
		if n > uint64(len(r.b)) {
			r.fail()
			return nil
		}
		l := make([]any, n)
		for i := range l {
			l[i] = r.value(depth + 1)
		}
		return l
	case tMap:
		n := r.uvarint()
		if n > uint64(len(r.b)) {
			r.fail()
			return nil
		}
		m := make(map[string]any, n)
		for i := uint64(0); i < n && r.err == nil; i++ {
			k := r.str()
			m[k] = r.value(depth + 1)
		}
		return m
	case tAnyMap:
		n := r.uvarint()
		if n > uint64(len(r.b)) {
			r.fail()
			return nil
		}
		m := make(map[any]any, n)
		for i := uint64(0); i < n && r.err == nil; i++ {
			k := r.value(depth + 1)
			switch k.(type) {
			case []any, map[string]any, map[any]any:
				r.fail() // unhashable: never written
				return nil
			}
			m[k] = r.value(depth + 1)
		}
		return m
	}
	r.fail()
	return nil
}

// decodeParse rebuilds a Parse result for the file at p with bytes raw.
func decodeParse(payload []byte, p string, raw []byte) (d *Document, diags []Diagnostic, err error) {
	r := &reader{b: payload}
	diags = r.diags()
	if !r.bool() {
		if r.err == nil && len(r.b) != 0 {
			r.fail()
		}
		return nil, diags, r.err
	}
	d = &Document{Path: p, Raw: raw, table: &tableData{}}
	d.HasFrontMatter = r.bool()
	if r.err != nil {
		return nil, nil, r.err
	}
	switch f := r.value(0).(type) {
	case map[string]any:
		d.Front = f
	default:
		r.fail()
	}
	if n := r.count(); n >= 0 {
		d.Lines = make(map[string]int, n)
		for i := 0; i < n && r.err == nil; i++ {
			k := r.str()
			d.Lines[k] = r.int()
		}
	}
	d.FrontEnd = r.int()
	d.BodyLine = r.int()
	switch r.uvarint() {
	case 0:
	case 1:
		off := r.uvarint()
		if off > uint64(len(raw)) {
			r.fail()
			break
		}
		d.Body = raw[off:]
	case 2:
		d.Body = []byte(r.str())
	case 3:
		d.Body = []byte{}
	default:
		r.fail()
	}
	for _, s := range []*string{&d.ID, &d.Kind, &d.Title, &d.Owner, &d.Status, &d.ProcessArea, &d.Unit, &d.Sensitivity,
		&d.Control, &d.ReviewEvery, &d.SupersededBy, &d.Tailors, &d.Base, &d.Evaluator, &d.Date,
		&d.MeasureUnit, &d.Direction, &d.Data, &d.Source, &d.ImplementedIn, &d.Fingerprint,
		&d.Period, &d.Trigger, &d.Trainer} {
		*s = r.str()
	}
	if n := r.count(); n >= 0 {
		d.Stakeholders = make([]Stakeholder, n)
		for i := range d.Stakeholders {
			d.Stakeholders[i] = Stakeholder{Who: r.str(), Role: r.str(), Involvement: r.str(), Line: r.int()}
		}
	}
	if n := r.count(); n >= 0 {
		d.Approvals = make([]Approval, n)
		for i := range d.Approvals {
			d.Approvals[i] = Approval{By: r.str(), Role: r.str(), Date: r.str(), Meaning: r.str(), Fingerprint: r.str(), Line: r.int()}
		}
	}
	d.Tags = r.strs()
	d.Evaluates = r.strs()
	d.Covers = r.strs()
	d.Affects = r.strs()
	d.Cites = r.strs()
	d.Attendees = r.strs()
	if r.bool() {
		t := r.float()
		d.Target = &t
	}
	if n := r.count(); n >= 0 {
		secs := make([]Section, n)
		d.Sections = make([]*Section, n)
		for i := range secs {
			s := &secs[i]
			s.ID, s.Title, s.Level, s.Line = r.str(), r.str(), r.int(), r.int()
			s.Classes = r.strs()
			if m := r.count(); m >= 0 {
				s.Attrs = make(map[string]string, m)
				for j := 0; j < m && r.err == nil; j++ {
					k := r.str()
					s.Attrs[k] = r.str()
				}
			}
			s.Start, s.ContentStart, s.OwnEnd, s.End = r.int(), r.int(), r.int(), r.int()
			if parent := r.int(); parent >= 0 {
				if parent >= n {
					r.fail()
					break
				}
				s.Parent = &secs[parent]
			}
			d.Sections[i] = s
		}
	}
	if n := r.count(); n >= 0 {
		d.Refs = make([]Ref, n)
		for i := range d.Refs {
			d.Refs[i] = Ref{ID: r.str(), Path: r.str(), Text: r.str(), Line: r.int()}
		}
	}
	if n := r.count(); n >= 0 {
		d.Actions = make([]Action, n)
		for i := range d.Actions {
			d.Actions[i] = Action{Text: r.str(), Owner: r.str(), Due: r.str(), Done: r.bool(), Line: r.int()}
		}
	}
	d.parseDiags = r.diags()
	if r.bool() {
		var pts []Point
		if n := r.count(); n >= 0 {
			pts = make([]Point, n)
			for i := range pts {
				pts[i] = Point{Date: r.str(), Value: r.float(), Line: r.int()}
			}
		}
		ds := r.diags()
		if r.err == nil {
			d.table.once.Do(func() { d.table.pts, d.table.diags = pts, ds })
		}
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	if r.err != nil {
		return nil, nil, r.err
	}
	return d, diags, nil
}

// The stamp cache keeps, for each document of the working tree, its
// stamp (size, modification and change times, inode), when the load that
// read it began, its parse cache key and its bytes: a later load (another
// process: `rmm check`, `rmm baseline create`) whose stat of the file
// gives the same stamp, already older than that load's start by
// racyWindow (git's "racily clean" rule, as LoadOptions.Previous applies
// within a process), takes the bytes from here instead of opening and
// reading the file, and its parse from the parse cache without hashing
// the bytes again. Any write to the file changes its change time, which
// no one but the system clock's owner can set back; a file written
// within racyWindow of a load is read again by the next. It is
// stamps.pack beside parse.pack, in the same format (entries keyed by the
// SHA-256 of store.Prefix and the path), only a shortcut like it: never
// an error, rewritten when damaged or written by another rmm. Opening
// and reading 10,000 files was 160 ms of the 520 ms of CPU of `rmm check`
// on the reference corpus (bench/baseline.sh).
const (
	stampKind    = "stamps"
	stampVersion = 2 // 2: the git blob id of the bytes
	stampFile    = "stamps.pack"
)

func openStampCache(dir string) *parseCache {
	return openPack(dir, stampKind, stampVersion, stampFile)
}

// stampEntry is what the stamp cache holds for a path.
type stampEntry struct {
	st      stamp
	started int64 // nanoseconds: the start of the load that read the file
	key     [32]byte
	blob    string // the git blob id of raw (LoadOptions.BlobID), or ""
	raw     []byte
}

// encodeStampHead encodes e but its file's bytes, which follow it in the
// pack (decodeStamp reads both).
func encodeStampHead(e stampEntry) []byte {
	w := writer{b: make([]byte, 0, 80)}
	w.uvarint(uint64(e.st.size))
	w.uvarint(uint64(e.st.mtime))
	w.uvarint(uint64(e.st.ctime))
	w.uvarint(e.st.ino)
	w.uvarint(uint64(e.started))
	w.b = append(w.b, e.key[:]...)
	w.str(e.blob)
	return w.b
}

func decodeStamp(b []byte) (stampEntry, bool) {
	r := &reader{b: b}
	var e stampEntry
	e.st.size = int64(r.uvarint())
	e.st.mtime = int64(r.uvarint())
	e.st.ctime = int64(r.uvarint())
	e.st.ino = r.uvarint()
	e.started = int64(r.uvarint())
	copy(e.key[:], r.bytes(32))
	e.blob = r.str()
	if r.err != nil {
		return stampEntry{}, false
	}
	e.raw = r.b
	return e, true
}

// trusted returns the bytes, parse key and git blob id ("" when not
// recorded) the stamp cache holds for the file at p whose stamp is now
// st, when st says the file cannot have changed since they were read.
func (c *parseCache) trusted(p string, st stamp) (raw []byte, key [32]byte, blob string, ok bool) {
	if st == (stamp{}) {
		return nil, key, "", false
	}
	b, ok := c.old[c.blobKey(p)]
	if !ok {
		return nil, key, "", false
	}
	e, ok := decodeStamp(b.payload)
	if !ok || e.st.size != int64(len(e.raw)) || !st.unchangedSince(e.st, time.Unix(0, e.started)) {
		return nil, key, "", false
	}
	c.mu.Lock()
	c.used[c.blobKey(p)] = true
	c.mu.Unlock()
	return e.raw, e.key, e.blob, true
}

// saveStamps writes the stamp cache when it is worth it: first, when
// damaged, or once a sixteenth of the entries (at least 32) were read
// anew. Rewriting the whole pack (about the size of the library's
// documents) for one edited file cost more than the edited files it
// spares reading (0.3 to 0.4 s of a rebuild at 10,000 documents on a slow
// disk); an entry left stale only means its file is read, as its stamp no
// longer matches.
func (c *parseCache) saveStamps() {
	if !c.bad && len(c.old) > 0 && len(c.added) < max(32, len(c.old)/16) {
		return
	}
	c.save()
}

// record keeps what a load read of the file at p.
func (c *parseCache) record(p string, e stampEntry) {
	if e.st == (stamp{}) {
		return
	}
	c.putParts(c.blobKey(p), addedEntry{head: encodeStampHead(e), tail: e.raw})
}
