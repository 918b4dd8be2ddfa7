package repo

// The history cache: one file holding, for every commit LoadHistory has
// walked, what the walk and the lists need (tree, parents, dates, author,
// subject, changed paths). Commits are immutable, so a record keyed by hash
// stays true; only the grafts of a shallow clone change what a commit's
// parents are, so each record remembers whether it was grafted. What a
// record holds is computed by rmm's own code (the diff, the parsing of
// commit objects), so the file is one of package store's cache files: its
// header names the kind, the format version and the binary that wrote it,
// and one written by another rmm, damaged, or not a file is ignored and
// rewritten. It is replaced whole with store.WriteCache (not synced: a
// lost cache only costs a slower walk).

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"

	"github.com/rmm-pal/rmm/store"
)

const (
	hCacheFile    = "history.pack"
	hCacheKind    = "history"
	hCacheVersion = 2 // 2: package store's file format
	// hCacheLegacy is the file of rmm before version 2, removed when the
	// cache is saved.
	hCacheLegacy = "history-v1"
)

type hcacheRec struct {
	tree    hoid
	parents []hoid
	date    int64
	author  string
	email   string
	adate   int64
	tz      int32
	subject string
	grafted bool
	changes []string
}

func (r *hcacheRec) fill(c *hcommit) {
	c.tree = r.tree
	c.parents = r.parents
	c.date = r.date
	c.author, c.email = r.author, r.email
	c.adate, c.tz = r.adate, r.tz
	c.subject = r.subject
	c.changes = r.changes
	c.cached = true
}

type hcache struct {
	recs map[hoid]*hcacheRec
}

func (c *hcache) get(h hoid) (*hcacheRec, bool) {
	if c == nil {
		return nil, false
	}
	r, ok := c.recs[h]
	return r, ok
}

// hLoadCache reads the cache in dir; nil when there is none or it is
// unusable or foreign.
func hLoadCache(dir string) *hcache {
	if dir == "" {
		return nil
	}
	body, err := store.ReadCache(filepath.Join(dir, hCacheFile), hCacheKind, hCacheVersion)
	if err != nil {
		return nil
	}
	c, err := hDecodeCache(body)
	if err != nil {
		return nil
	}
	return c
}

type hdec struct {
	b   []byte
	err error
}

var errHistCache = errors.New("corrupt history cache")

func (d *hdec) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errHistCache
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *hdec) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errHistCache
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *hdec) bytes(n uint64) []byte {
	if uint64(len(d.b)) < n {
		d.err = errHistCache
		d.b = nil
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *hdec) hash() (h hoid) {
	copy(h[:], d.bytes(20))
	return h
}

// count reads a length that must be plausible for the bytes left, each item
// taking at least min bytes.
func (d *hdec) count(min int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)/min) {
		d.err = errHistCache
		d.b = nil
		return 0
	}
	return int(n)
}

// hDecodeCache decodes the body of a cache file (store.ReadCache checked
// its header and checksum).
func hDecodeCache(body []byte) (*hcache, error) {
	d := &hdec{b: body}
	strs := make([]string, d.count(1))
	for i := range strs {
		strs[i] = string(d.bytes(d.uvarint()))
	}
	str := func() string {
		i := d.uvarint()
		if i >= uint64(len(strs)) {
			d.err = errHistCache
			return ""
		}
		return strs[i]
	}
	n := d.count(40)
	c := &hcache{recs: make(map[hoid]*hcacheRec, n)}
	for i := 0; i < n && d.err == nil; i++ {
		h := d.hash()
		r := &hcacheRec{tree: d.hash()}
		r.grafted = d.uvarint() == 1
		if np := d.count(20); np > 0 {
			r.parents = make([]hoid, np)
			for k := range r.parents {
				r.parents[k] = d.hash()
			}
		}
		r.date = d.varint()
		r.author = str()
		r.email = str()
		r.adate = d.varint()
		r.tz = int32(d.varint())
		r.subject = string(d.bytes(d.uvarint()))
		if nc := d.count(1); nc > 0 {
			r.changes = make([]string, nc)
			for k := range r.changes {
				r.changes[k] = str()
			}
		}
		c.recs[h] = r
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, errHistCache
	}
	return c, nil
}

// save writes the records of c and of commits to dir. Failing to write a
// cache is not an error: the next call just does the work again.
func (c *hcache) save(dir string, commits []hcommit) {
	recs := make(map[hoid]*hcacheRec)
	if c != nil {
		for h, r := range c.recs {
			recs[h] = r
		}
	}
	for i := range commits {
		cm := &commits[i]
		if cm.cached {
			continue
		}
		recs[cm.hash] = &hcacheRec{
			tree: cm.tree, parents: cm.parents, date: cm.date,
			author: cm.author, email: cm.email, adate: cm.adate, tz: cm.tz,
			subject: cm.subject, grafted: cm.grafted, changes: cm.changes,
		}
	}
	data := hEncodeCache(store.Prefix(hCacheKind, hCacheVersion), recs)
	if store.WriteCache(filepath.Join(dir, hCacheFile), data) == nil {
		_ = os.Remove(filepath.Join(dir, hCacheLegacy))
	}
}

// hEncodeCache returns the bytes of a cache file holding recs, after
// header (store.Prefix).
func hEncodeCache(header []byte, recs map[hoid]*hcacheRec) []byte {
	order := make([]hoid, 0, len(recs))
	for h := range recs {
		order = append(order, h)
	}
	// A stable file for a stable history.
	hSortOids(order)

	ids := make(map[string]uint64)
	var strs []string
	intern := func(s string) uint64 {
		id, ok := ids[s]
		if !ok {
			id = uint64(len(strs))
			ids[s] = id
			strs = append(strs, s)
		}
		return id
	}
	var body []byte
	for _, h := range order {
		r := recs[h]
		body = append(body, h[:]...)
		body = append(body, r.tree[:]...)
		g := uint64(0)
		if r.grafted {
			g = 1
		}
		body = binary.AppendUvarint(body, g)
		body = binary.AppendUvarint(body, uint64(len(r.parents)))
		for _, p := range r.parents {
			body = append(body, p[:]...)
		}
		body = binary.AppendVarint(body, r.date)
		body = binary.AppendUvarint(body, intern(r.author))
		body = binary.AppendUvarint(body, intern(r.email))
		body = binary.AppendVarint(body, r.adate)
		body = binary.AppendVarint(body, int64(r.tz))
		body = binary.AppendUvarint(body, uint64(len(r.subject)))
		body = append(body, r.subject...)
		body = binary.AppendUvarint(body, uint64(len(r.changes)))
		for _, p := range r.changes {
			body = binary.AppendUvarint(body, intern(p))
		}
	}
	out := make([]byte, 0, len(header)+len(body)+len(strs)*24+64)
	out = append(out, header...)
	out = binary.AppendUvarint(out, uint64(len(strs)))
	for _, s := range strs {
		out = binary.AppendUvarint(out, uint64(len(s)))
		out = append(out, s...)
	}
	out = binary.AppendUvarint(out, uint64(len(order)))
	out = append(out, body...)
	return store.Seal(out)
}

func hSortOids(hs []hoid) {
	slices.SortFunc(hs, func(a, b hoid) int { return bytes.Compare(a[:], b[:]) })
}
