package repo

// The history cache: one file holding, for every commit LoadHistory has
// walked, what the walk and the lists need (tree, parents, dates, author,
// subject, changed paths). Commits are immutable, so a record keyed by hash
// stays true; only the grafts of a shallow clone change what a commit's
// parents are, so each record remembers whether it was grafted. The file is
// written whole to a temporary name and renamed; one that fails its checksum
// or does not parse is ignored.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
)

const hCacheFile = "history-v1"

var hCacheMagic = []byte("RMMHIST1")

var hCRC = crc32.MakeTable(crc32.Castagnoli)

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

// hLoadCache reads the cache in dir; nil when there is none or it is unusable.
func hLoadCache(dir string) *hcache {
	if dir == "" {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(dir, hCacheFile))
	if err != nil {
		return nil
	}
	c, err := hDecodeCache(data)
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

func hDecodeCache(data []byte) (*hcache, error) {
	if len(data) < len(hCacheMagic)+4 || !bytes.Equal(data[:len(hCacheMagic)], hCacheMagic) {
		return nil, errHistCache
	}
	body := data[:len(data)-4]
	if crc32.Checksum(body, hCRC) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return nil, errHistCache
	}
	d := &hdec{b: body[len(hCacheMagic):]}
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
	order := make([]hoid, 0, len(commits))
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
	out := make([]byte, 0, len(body)+len(strs)*24+64)
	out = append(out, hCacheMagic...)
	out = binary.AppendUvarint(out, uint64(len(strs)))
	for _, s := range strs {
		out = binary.AppendUvarint(out, uint64(len(s)))
		out = append(out, s...)
	}
	out = binary.AppendUvarint(out, uint64(len(order)))
	out = append(out, body...)
	out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(out, hCRC))

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	f, err := os.CreateTemp(dir, hCacheFile+".*.tmp")
	if err != nil {
		return
	}
	_, err = f.Write(out)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, hCacheFile))
	}
	if err != nil {
		_ = os.Remove(f.Name())
	}
}

func hSortOids(hs []hoid) {
	slices.SortFunc(hs, func(a, b hoid) int { return bytes.Compare(a[:], b[:]) })
}
