package repo

// Object access for LoadHistory. Reading a pack by offset (mmap, zlib, own
// delta application) is several times faster than go-git's storer, which
// reopens files, hashes every inflated object and grows delta buffers.
// Anything not found in a pack (loose objects, alternates) is read through
// go-git's storer, so nothing is lost but speed.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// hoid is a raw SHA-1 object id.
type hoid [20]byte

func (h hoid) String() string { return fmt.Sprintf("%x", h[:]) }

func (h hoid) isZero() bool { return h == hoid{} }

// hobjType is a git object type as numbered in packs.
type hobjType int8

const (
	hobjCommit   hobjType = 1
	hobjTree     hobjType = 2
	hobjBlob     hobjType = 3
	hobjTag      hobjType = 4
	hobjOfsDelta hobjType = 6
	hobjRefDelta hobjType = 7
)

func (t hobjType) String() string {
	switch t {
	case hobjCommit:
		return "commit"
	case hobjTree:
		return "tree"
	case hobjBlob:
		return "blob"
	case hobjTag:
		return "tag"
	}
	return fmt.Sprintf("type %d", int(t))
}

// errHistObjectNotFound is returned (wrapped) for an object in no pack and not loose.
var errHistObjectNotFound = errors.New("object not found")

// hMaxDeltaDepth guards against REF_DELTA cycles in a corrupt pack.
const hMaxDeltaDepth = 10000

// hpack is one mmapped pack with its version 2 index.
type hpack struct {
	name   string
	pack   []byte
	fanout [256]uint32
	hashes []byte // n*20, sorted
	off32  []byte // n*4
	off64  []byte // 8 bytes each
	n      int
	unmap  []func() error
}

func hOpenPack(idxPath string) (p *hpack, err error) {
	packPath := strings.TrimSuffix(idxPath, ".idx") + ".pack"
	p = &hpack{name: filepath.Base(packPath)}
	defer func() {
		if err != nil {
			p.close()
			p = nil
		}
	}()
	idx, unmapIdx, err := hMmap(idxPath)
	if err != nil {
		return nil, err
	}
	p.unmap = append(p.unmap, unmapIdx)
	if len(idx) < 8+256*4 || !bytes.Equal(idx[:4], []byte{0xff, 't', 'O', 'c'}) || binary.BigEndian.Uint32(idx[4:8]) != 2 {
		return nil, fmt.Errorf("%s: not a version 2 pack index", idxPath)
	}
	for i := range p.fanout {
		p.fanout[i] = binary.BigEndian.Uint32(idx[8+4*i:])
		if i > 0 && p.fanout[i] < p.fanout[i-1] {
			return nil, fmt.Errorf("%s: corrupt fan-out table", idxPath)
		}
	}
	n := int(p.fanout[255])
	pos := 8 + 256*4
	need := pos + n*(20+4+4) + 40
	if n < 0 || len(idx) < need {
		return nil, fmt.Errorf("%s: truncated", idxPath)
	}
	p.n = n
	p.hashes = idx[pos : pos+n*20]
	pos += n * 20
	pos += n * 4 // CRCs
	p.off32 = idx[pos : pos+n*4]
	pos += n * 4
	p.off64 = idx[pos : len(idx)-40]

	pack, unmapPack, err := hMmap(packPath)
	if err != nil {
		return nil, err
	}
	p.unmap = append(p.unmap, unmapPack)
	if len(pack) < 12+20 || string(pack[:4]) != "PACK" {
		return nil, fmt.Errorf("%s: not a pack", packPath)
	}
	if v := binary.BigEndian.Uint32(pack[4:8]); v != 2 && v != 3 {
		return nil, fmt.Errorf("%s: unsupported pack version %d", packPath, v)
	}
	p.pack = pack
	return p, nil
}

func (p *hpack) close() {
	for _, f := range p.unmap {
		_ = f()
	}
	p.unmap = nil
	p.pack = nil
	p.hashes = nil
}

// lookup returns the offset of h in the pack.
func (p *hpack) lookup(h hoid) (int64, bool) {
	lo := 0
	if h[0] > 0 {
		lo = int(p.fanout[h[0]-1])
	}
	hi := int(p.fanout[h[0]])
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		c := bytes.Compare(p.hashes[m*20:m*20+20], h[:])
		if c == 0 {
			v := binary.BigEndian.Uint32(p.off32[m*4:])
			if v&0x80000000 == 0 {
				return int64(v), true
			}
			j := int(v & 0x7fffffff)
			if (j+1)*8 > len(p.off64) {
				return 0, false
			}
			return int64(binary.BigEndian.Uint64(p.off64[j*8:])), true
		}
		if c < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return 0, false
}

// hodb is the shared, read-only view of a repository's objects. Each
// goroutine reads through its own hreader.
type hodb struct {
	gitDir string
	packs  []*hpack

	mu sync.Mutex // guards fb
	fb *filesystem.Storage
}

func hOpenODB(gitDir string) (*hodb, error) {
	db := &hodb{gitDir: gitDir}
	dirs := []string{filepath.Join(gitDir, "objects")}
	dirs = append(dirs, hAlternates(dirs[0])...)
	for _, d := range dirs {
		idxs, _ := filepath.Glob(filepath.Join(d, "pack", "pack-*.idx"))
		// Newest packs first, as git does: recent objects are likelier there.
		sort.SliceStable(idxs, func(i, j int) bool { return hModTime(idxs[i]) > hModTime(idxs[j]) })
		for _, idx := range idxs {
			p, err := hOpenPack(idx)
			if err != nil {
				// An index we cannot read ourselves (version 1, a pack being
				// written): go-git's storer gets the chance.
				continue
			}
			db.packs = append(db.packs, p)
		}
	}
	return db, nil
}

func hModTime(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.ModTime().UnixNano()
}

// hAlternates lists the object folders named in objects/info/alternates.
func hAlternates(objects string) []string {
	data, err := os.ReadFile(filepath.Join(objects, "info", "alternates"))
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if !filepath.IsAbs(line) {
			line = filepath.Join(objects, line)
		}
		out = append(out, line)
	}
	return out
}

func (db *hodb) close() {
	for _, p := range db.packs {
		p.close()
	}
	db.packs = nil
	db.mu.Lock()
	if db.fb != nil {
		_ = db.fb.Close()
		db.fb = nil
	}
	db.mu.Unlock()
}

// locate returns the pack and offset of h.
func (db *hodb) locate(h hoid) (int, int64, bool) {
	for pi, p := range db.packs {
		if off, ok := p.lookup(h); ok {
			return pi, off, true
		}
	}
	return 0, 0, false
}

// readFallback reads an object through go-git's storer: loose objects and
// whatever the pack reader could not open.
func (db *hodb) readFallback(h hoid) (hobjType, []byte, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.fb == nil {
		db.fb = filesystem.NewStorageWithOptions(osfs.New(db.gitDir), cache.NewObjectLRU(4<<20),
			filesystem.Options{KeepDescriptors: true})
	}
	o, err := db.fb.EncodedObject(plumbing.AnyObject, plumbing.Hash(h))
	if err != nil {
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			return 0, nil, fmt.Errorf("%w: %s", errHistObjectNotFound, h)
		}
		return 0, nil, fmt.Errorf("reading object %s: %w", h, err)
	}
	var t hobjType
	switch o.Type() {
	case plumbing.CommitObject:
		t = hobjCommit
	case plumbing.TreeObject:
		t = hobjTree
	case plumbing.BlobObject:
		t = hobjBlob
	case plumbing.TagObject:
		t = hobjTag
	default:
		return 0, nil, fmt.Errorf("object %s: unexpected type %s", h, o.Type())
	}
	r, err := o.Reader()
	if err != nil {
		return 0, nil, fmt.Errorf("reading object %s: %w", h, err)
	}
	defer r.Close()
	data := make([]byte, 0, o.Size())
	buf := bytes.NewBuffer(data)
	if _, err := io.Copy(buf, r); err != nil {
		return 0, nil, fmt.Errorf("reading object %s: %w", h, err)
	}
	return t, buf.Bytes(), nil
}

// hobj is a decoded object, as held by an hreader's cache.
type hobj struct {
	typ  hobjType
	data []byte
	// idx holds the offsets of a tree's entries followed by len(data), once
	// known (see history_diff.go).
	idx []int32

	key  uint64 // cache key; 0 when not cached
	hash hoid   // for objects read through the fallback
	used uint64 // the reader's epoch when last handed out
	acct int    // bytes counted against the cache budget
	// For an object built from a delta: its base's cache key, and how many
	// leading and trailing bytes the delta copied unchanged from the base.
	// The diff of a tree against its base starts from these.
	baseKey    uint64
	pre, suf   int
	prev, next *hobj
}

func (o *hobj) size() int { return cap(o.data) + 4*cap(o.idx) + 128 }

// setIdx gives a tree its entry index, counting it against the budget.
func (r *hreader) setIdx(o *hobj, idx []int32) {
	o.idx = idx
	if o.prev != nil {
		n := o.size()
		r.bytes += n - o.acct
		o.acct = n
	}
}

// hreader reads objects for one goroutine, with an LRU cache of decoded
// objects (trees and delta bases) bounded in bytes. The buffers of evicted
// objects are reused for new ones: neighbouring versions of a tree have
// nearly the same size, and fresh memory costs zeroing, page faults and
// garbage collection. An object handed out during the current epoch (see
// nextEpoch) may still be in use, so its buffers are left to the collector.
type hreader struct {
	db    *hodb
	zr    hinflater
	delta []byte

	byKey  map[uint64]*hobj
	byHash map[hoid]*hobj
	head   hobj // sentinel of the LRU list: head.next is the most recent
	bytes  int
	budget int
	lastP  int // index of the pack of the last hit

	epoch   uint64
	free    [][]byte
	freeIdx [][]int32
}

// hFreeMax bounds the number of spare buffers of each kind a reader keeps.
const hFreeMax = 48

// nextEpoch declares that no object handed out so far is in use any more.
func (r *hreader) nextEpoch() { r.epoch++ }

// buf returns a buffer of n bytes, reused when possible; its contents are
// garbage.
func (r *hreader) buf(n int) []byte {
	for i, b := range r.free {
		if cap(b) >= n && cap(b) <= n+n/4+8192 {
			last := len(r.free) - 1
			r.free[i] = r.free[last]
			r.free[last] = nil
			r.free = r.free[:last]
			return b[:n]
		}
	}
	// Room for a few more entries: the next version of a tree fits.
	return make([]byte, n, n+n/32+64)
}

// idxBuf returns an empty slice with room for n offsets.
func (r *hreader) idxBuf(n int) []int32 {
	for i, b := range r.freeIdx {
		if cap(b) >= n && cap(b) <= n+n/4+1024 {
			last := len(r.freeIdx) - 1
			r.freeIdx[i] = r.freeIdx[last]
			r.freeIdx[last] = nil
			r.freeIdx = r.freeIdx[:last]
			return b[:0]
		}
	}
	return make([]int32, 0, n+n/32+16)
}

func (r *hreader) recycle(o *hobj) {
	if o.used == r.epoch {
		return
	}
	if o.data != nil && cap(o.data) >= 512 {
		if len(r.free) == hFreeMax {
			r.free[len(r.free)-1] = o.data
		} else {
			r.free = append(r.free, o.data)
		}
	}
	if o.idx != nil {
		if len(r.freeIdx) == hFreeMax {
			r.freeIdx[len(r.freeIdx)-1] = o.idx
		} else {
			r.freeIdx = append(r.freeIdx, o.idx)
		}
	}
	o.data, o.idx = nil, nil
}

func hNewReader(db *hodb, budget int) *hreader {
	r := &hreader{db: db, byKey: make(map[uint64]*hobj), byHash: make(map[hoid]*hobj), budget: budget}
	r.head.next, r.head.prev = &r.head, &r.head
	return r
}

func (r *hreader) touch(o *hobj) {
	o.prev.next, o.next.prev = o.next, o.prev
	o.next, o.prev = r.head.next, &r.head
	r.head.next.prev = o
	r.head.next = o
}

func (r *hreader) add(o *hobj) {
	o.next, o.prev = r.head.next, &r.head
	r.head.next.prev = o
	r.head.next = o
	o.acct = o.size()
	r.bytes += o.acct
	for r.bytes > r.budget && r.head.prev != o {
		old := r.head.prev
		old.prev.next, old.next.prev = old.next, old.prev
		old.prev, old.next = nil, nil
		r.bytes -= old.acct
		if old.key != 0 {
			delete(r.byKey, old.key)
		} else {
			delete(r.byHash, old.hash)
		}
		r.recycle(old)
	}
}

// hCacheKey packs a pack number and an offset; offsets fit in 48 bits.
func hCacheKey(pack int, off int64) uint64 { return uint64(pack+1)<<48 | uint64(off) }

// read returns the object h. keep caches it for later reads.
func (r *hreader) read(h hoid, keep bool) (*hobj, error) {
	if o := r.byHash[h]; o != nil {
		r.touch(o)
		o.used = r.epoch
		return o, nil
	}
	if np := len(r.db.packs); np > 0 {
		for i := 0; i < np; i++ {
			pi := (r.lastP + i) % np
			if off, ok := r.db.packs[pi].lookup(h); ok {
				r.lastP = pi
				o, err := r.readAt(pi, off, keep, 0)
				if err != nil {
					return nil, fmt.Errorf("object %s: %w", h, err)
				}
				return o, nil
			}
		}
	}
	t, data, err := r.db.readFallback(h)
	if err != nil {
		return nil, err
	}
	o := &hobj{typ: t, data: data, hash: h, used: r.epoch}
	if keep {
		r.byHash[h] = o
		r.add(o)
	}
	return o, nil
}

// readAt decodes the object at off in pack pi, resolving deltas.
func (r *hreader) readAt(pi int, off int64, keep bool, depth int) (*hobj, error) {
	key := hCacheKey(pi, off)
	if o := r.byKey[key]; o != nil {
		r.touch(o)
		o.used = r.epoch
		return o, nil
	}
	if depth > hMaxDeltaDepth {
		return nil, errors.New("delta chain too deep")
	}
	p := r.db.packs[pi]
	data := p.pack
	if off < 12 || off >= int64(len(data)) {
		return nil, fmt.Errorf("%s: offset %d out of range", p.name, off)
	}
	pos := int(off)
	c := data[pos]
	pos++
	t := hobjType(c >> 4 & 7)
	size := uint64(c & 15)
	shift := uint(4)
	for c&0x80 != 0 {
		if pos >= len(data) || shift > 63 {
			return nil, fmt.Errorf("%s: bad object header at %d", p.name, off)
		}
		c = data[pos]
		pos++
		size |= uint64(c&0x7f) << shift
		shift += 7
	}
	if size > 1<<40 {
		return nil, fmt.Errorf("%s: object at %d too large", p.name, off)
	}
	var o *hobj
	switch t {
	case hobjCommit, hobjTree, hobjBlob, hobjTag:
		buf, err := r.inflate(p, pos, int(size), r.buf(int(size)))
		if err != nil {
			return nil, err
		}
		o = &hobj{typ: t, data: buf, used: r.epoch}
	case hobjOfsDelta, hobjRefDelta:
		var base *hobj
		var err error
		if t == hobjOfsDelta {
			if pos >= len(data) {
				return nil, fmt.Errorf("%s: bad delta at %d", p.name, off)
			}
			c := data[pos]
			pos++
			rel := int64(c & 0x7f)
			for c&0x80 != 0 {
				if pos >= len(data) || rel > 1<<48 {
					return nil, fmt.Errorf("%s: bad delta offset at %d", p.name, off)
				}
				c = data[pos]
				pos++
				rel = (rel+1)<<7 | int64(c&0x7f)
			}
			if rel <= 0 || rel > off {
				return nil, fmt.Errorf("%s: bad delta offset at %d", p.name, off)
			}
			base, err = r.readAt(pi, off-rel, true, depth+1)
		} else {
			if pos+20 > len(data) {
				return nil, fmt.Errorf("%s: bad delta at %d", p.name, off)
			}
			var bh hoid
			copy(bh[:], data[pos:pos+20])
			pos += 20
			if depth >= hMaxDeltaDepth {
				return nil, errors.New("delta chain too deep")
			}
			base, err = r.readRef(bh, depth+1)
		}
		if err != nil {
			return nil, err
		}
		r.delta, err = r.inflate(p, pos, int(size), r.delta)
		if err != nil {
			return nil, err
		}
		out, pre, suf, err := hApplyDelta(base.data, r.delta, r.buf)
		if err != nil {
			return nil, fmt.Errorf("%s: object at %d: %w", p.name, off, err)
		}
		o = &hobj{typ: base.typ, data: out, used: r.epoch, baseKey: base.key, pre: pre, suf: suf}
	default:
		return nil, fmt.Errorf("%s: bad object type %d at %d", p.name, t, off)
	}
	if keep {
		o.key = key
		r.byKey[key] = o
		r.add(o)
	}
	return o, nil
}

// readRef reads a REF_DELTA base, which may live in any pack.
func (r *hreader) readRef(h hoid, depth int) (*hobj, error) {
	for pi, p := range r.db.packs {
		if off, ok := p.lookup(h); ok {
			return r.readAt(pi, off, true, depth)
		}
	}
	return r.read(h, true)
}

// inflate decompresses the zlib stream at pos into a buffer of exactly size
// bytes, reusing buf when it is big enough.
func (r *hreader) inflate(p *hpack, pos, size int, buf []byte) ([]byte, error) {
	data := p.pack
	if pos+2 > len(data) {
		return nil, fmt.Errorf("%s: truncated object at %d", p.name, pos)
	}
	cmf, flg := data[pos], data[pos+1]
	if cmf&0x0f != 8 || (uint16(cmf)<<8|uint16(flg))%31 != 0 || flg&0x20 != 0 {
		return nil, fmt.Errorf("%s: bad zlib header at %d", p.name, pos)
	}
	if cap(buf) >= size {
		buf = buf[:size]
	} else {
		buf = make([]byte, size)
	}
	if err := r.zr.inflate(data[pos+2:], buf); err != nil {
		return nil, fmt.Errorf("%s: inflating object at %d: %w", p.name, pos, err)
	}
	return buf, nil
}

// hApplyDelta applies a git delta to base into a buffer of the exact target
// size from alloc. pre and suf are the lengths of the target's leading and
// trailing runs copied from the same place in the base (counted from its
// start, and from its end).
func hApplyDelta(base, delta []byte, alloc func(int) []byte) (out []byte, pre, suf int, err error) {
	i := 0
	varint := func() (uint64, bool) {
		var v uint64
		shift := uint(0)
		for i < len(delta) && shift < 64 {
			c := delta[i]
			i++
			v |= uint64(c&0x7f) << shift
			shift += 7
			if c&0x80 == 0 {
				return v, true
			}
		}
		return 0, false
	}
	src, ok1 := varint()
	dst, ok2 := varint()
	if !ok1 || !ok2 || src != uint64(len(base)) || dst > 1<<40 {
		return nil, 0, 0, errors.New("bad delta header")
	}
	out = alloc(int(dst))
	n := 0
	inPre := true
	sufStart := 0 // where the run of copies aligned on the end starts
	endShift := len(base) - len(out)
	for i < len(delta) {
		c := delta[i]
		i++
		if c&0x80 != 0 {
			var off, sz uint32
			for b := uint(0); b < 4; b++ {
				if c&(1<<b) != 0 {
					if i >= len(delta) {
						return nil, 0, 0, errors.New("truncated delta")
					}
					off |= uint32(delta[i]) << (8 * b)
					i++
				}
			}
			for b := uint(0); b < 3; b++ {
				if c&(0x10<<b) != 0 {
					if i >= len(delta) {
						return nil, 0, 0, errors.New("truncated delta")
					}
					sz |= uint32(delta[i]) << (8 * b)
					i++
				}
			}
			if sz == 0 {
				sz = 0x10000
			}
			if uint64(off)+uint64(sz) > uint64(len(base)) || n+int(sz) > len(out) {
				return nil, 0, 0, errors.New("delta copies out of range")
			}
			if inPre {
				if int(off) == n {
					pre = n + int(sz)
				} else {
					inPre = false
				}
			}
			if int(off) != n+endShift {
				sufStart = n + int(sz)
			}
			n += copy(out[n:], base[off:off+sz])
		} else if c != 0 {
			if i+int(c) > len(delta) || n+int(c) > len(out) {
				return nil, 0, 0, errors.New("delta inserts out of range")
			}
			n += copy(out[n:], delta[i:i+int(c)])
			i += int(c)
			inPre = false
			sufStart = n
		} else {
			return nil, 0, 0, errors.New("bad delta opcode")
		}
	}
	if n != len(out) {
		return nil, 0, 0, errors.New("delta result has the wrong size")
	}
	return out, pre, len(out) - sufStart, nil
}
