package repo

// Object access for LoadHistory. Reading a pack by offset (mmap, zlib, own
// delta application) is several times faster than go-git's storer, which
// reopens files, hashes every inflated object and grows delta buffers.
// Loose objects are read here too, from the repository's object folder and
// its alternates.
//
// Objects are not checked against their hash (that is most of the speed),
// so nothing read from a pack or its index is trusted: every size is
// bounded by what the pack can hold and by the limits below, delta chains
// by their depth, and each failure is an error naming the pack file and
// offset (or the object) where it happened. A damaged or hostile
// repository costs an error, never a crash, a panic or memory out of
// proportion to the pack.

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Limits on the work one object may cause. git has none of the first and
// checks none of this (it hashes what it reads instead).
const (
	// hMaxObject caps the size of an object or a delta. LoadHistory reads
	// only commits, trees and tags: a tree of 256 MiB would list some
	// nine million entries in one folder, a commit message of that size
	// is no message.
	hMaxObject = 256 << 20
	// hDeflateRatio is the most a deflate stream expands: 258 bytes for
	// every two bits (RFC 1951, a length code and a distance code of one
	// bit each). An entry's declared size must fit in the bytes left in
	// the pack after its header times this.
	hDeflateRatio = 1032
	// hMaxDeltaDepth bounds a chain of deltas. git writes at most 4095
	// (pack.depth); deeper is a REF_DELTA cycle or a hostile pack.
	hMaxDeltaDepth = 10000
	// hMaxChainBytes bounds what reading one object may produce along its
	// delta chain (bases not cached, each inflated or rebuilt): git's
	// deepest chains of a megabyte tree stay well below; a hostile chain
	// of large objects each rebuilt from the last does not.
	hMaxChainBytes int64 = 8 << 30
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
	case hobjOfsDelta:
		return "ofs-delta"
	case hobjRefDelta:
		return "ref-delta"
	}
	return fmt.Sprintf("type %d", int(t))
}

// errHistObjectNotFound is returned (wrapped) for an object in no pack and not loose.
var errHistObjectNotFound = errors.New("object not found")

// hpack is one mmapped pack with its version 2 index.
type hpack struct {
	name   string
	pack   []byte
	idx    []byte
	fanout [256]uint32
	hashes []byte // n*20, sorted
	off32  []byte // n*4
	off64  []byte // 8 bytes each
	n      int
	unmap  []func() error
}

func hOpenPack(idxPath string) (_ *hpack, err error) {
	packPath := strings.TrimSuffix(idxPath, ".idx") + ".pack"
	p := &hpack{name: filepath.Base(packPath)}
	defer func() {
		if err != nil {
			p.close()
		}
	}()
	idx, unmapIdx, err := hMmap(idxPath)
	if err != nil {
		return nil, err
	}
	p.unmap = append(p.unmap, unmapIdx)
	p.idx = idx
	if err := p.parseIndex(idx); err != nil {
		return nil, fmt.Errorf("%s: %w", idxPath, err)
	}
	pack, unmapPack, err := hMmap(packPath)
	if err != nil {
		return nil, err
	}
	p.unmap = append(p.unmap, unmapPack)
	if err := p.setPack(pack, idx); err != nil {
		return nil, fmt.Errorf("%s: %w", packPath, err)
	}
	return p, nil
}

// parseIndex reads a version 2 pack index into p.
func (p *hpack) parseIndex(idx []byte) error {
	if len(idx) < 8+256*4 || !bytes.Equal(idx[:4], []byte{0xff, 't', 'O', 'c'}) || binary.BigEndian.Uint32(idx[4:8]) != 2 {
		return errors.New("not a version 2 pack index")
	}
	for i := range p.fanout {
		p.fanout[i] = binary.BigEndian.Uint32(idx[8+4*i:])
		if i > 0 && p.fanout[i] < p.fanout[i-1] {
			return errors.New("corrupt fan-out table")
		}
	}
	n := int64(p.fanout[255])
	pos := int64(8 + 256*4)
	if int64(len(idx)) < pos+n*(20+4+4)+40 {
		return errors.New("truncated")
	}
	p.n = int(n)
	p.hashes = idx[pos : pos+n*20]
	pos += n * 20
	pos += n * 4 // CRCs
	p.off32 = idx[pos : pos+n*4]
	pos += n * 4
	p.off64 = idx[pos : len(idx)-40]
	return nil
}

// setPack checks that pack is the one p's index idx describes and keeps it.
func (p *hpack) setPack(pack, idx []byte) error {
	if len(pack) < 12+20 || string(pack[:4]) != "PACK" {
		return errors.New("not a pack")
	}
	if v := binary.BigEndian.Uint32(pack[4:8]); v != 2 && v != 3 {
		return fmt.Errorf("unsupported pack version %d", v)
	}
	// The index ends with the pack's checksum, the pack with its own: a
	// pack cut short or replaced no longer matches.
	if !bytes.Equal(idx[len(idx)-40:len(idx)-20], pack[len(pack)-20:]) {
		return errors.New("does not match its index (truncated or replaced?)")
	}
	p.pack = pack
	return nil
}

// errorf reports a problem with the entry at off.
func (p *hpack) errorf(off int64, format string, args ...any) error {
	return fmt.Errorf("%s offset %d: %s", p.name, off, fmt.Sprintf(format, args...))
}

func (p *hpack) close() {
	for _, f := range p.unmap {
		_ = f()
	}
	p.unmap = nil
	p.pack = nil
	p.idx = nil
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
	dirs    []string // object folders: the repository's, then its alternates
	packs   []*hpack
	skipped []string // packs that could not be opened, and why
}

func hOpenODB(gitDir string) (*hodb, error) {
	db := &hodb{dirs: hObjectDirs(filepath.Join(hCommonDir(gitDir), "objects"))}
	for _, d := range db.dirs {
		idxs, _ := filepath.Glob(filepath.Join(d, "pack", "pack-*.idx"))
		// Newest packs first, as git does: recent objects are likelier there.
		sort.SliceStable(idxs, func(i, j int) bool { return hModTime(idxs[i]) > hModTime(idxs[j]) })
		for _, idx := range idxs {
			p, err := hOpenPack(idx)
			if err != nil {
				// A pack being written, an index of version 1 (which go-git
				// cannot read either) or a damaged one: its objects are
				// missing, and an error about one says why.
				db.skipped = append(db.skipped, err.Error())
				continue
			}
			db.packs = append(db.packs, p)
		}
	}
	return db, nil
}

// hCommonDir is where the objects of the repository at gitDir are: the
// folder its commondir file names for a linked worktree (git worktree add),
// gitDir itself otherwise.
func hCommonDir(gitDir string) string {
	b, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if err != nil {
		return gitDir
	}
	d := strings.TrimSpace(string(b))
	if d == "" {
		return gitDir
	}
	if !filepath.IsAbs(d) {
		d = filepath.Join(gitDir, d)
	}
	return d
}

func hModTime(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.ModTime().UnixNano()
}

// hObjectDirs lists objects and the object folders its
// objects/info/alternates names, recursively as git does (five levels),
// each once.
func hObjectDirs(objects string) []string {
	dirs := []string{filepath.Clean(objects)}
	seen := map[string]bool{dirs[0]: true}
	for level, from := 0, 0; level < 5 && from < len(dirs); level++ {
		to := len(dirs)
		for _, d := range dirs[from:to] {
			for _, a := range hAlternates(d) {
				if a = filepath.Clean(a); !seen[a] {
					seen[a] = true
					dirs = append(dirs, a)
				}
			}
		}
		from = to
	}
	return dirs
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

// notFound is the error for an object in no pack and not loose.
func (db *hodb) notFound() error {
	if len(db.skipped) == 0 {
		return errHistObjectNotFound
	}
	return fmt.Errorf("%w (packs skipped: %s)", errHistObjectNotFound, strings.Join(db.skipped, "; "))
}

// readLoose reads the loose object h: a zlib stream of "TYPE SIZE\0"
// and the data. The declared size is bounded as in a pack and by limit,
// and the stream must hold exactly that much.
func (r *hreader) readLoose(h hoid, limit uint64) (hobjType, []byte, error) {
	hx := h.String()
	for _, d := range r.db.dirs {
		f, fi, err := openRegular(filepath.Join(d, hx[:2], hx[2:]))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, nil, fmt.Errorf("loose object: %w", err)
		}
		t, data, err := r.readLooseFile(f, fi, limit)
		f.Close()
		if err != nil {
			return 0, nil, fmt.Errorf("loose object %s: %w", f.Name(), err)
		}
		return t, data, nil
	}
	return 0, nil, r.db.notFound()
}

func (r *hreader) readLooseFile(f *os.File, fi os.FileInfo, limit uint64) (hobjType, []byte, error) {
	if r.lfile == nil {
		r.lfile = bufio.NewReaderSize(f, 16<<10)
	} else {
		r.lfile.Reset(f)
	}
	var err error
	if r.lz == nil {
		r.lz, err = zlib.NewReader(r.lfile)
	} else {
		err = r.lz.(zlib.Resetter).Reset(r.lfile, nil)
	}
	if err != nil {
		return 0, nil, err
	}
	if r.lhead == nil {
		r.lhead = bufio.NewReaderSize(r.lz, 64)
	} else {
		r.lhead.Reset(r.lz)
	}
	hdr, err := r.lhead.ReadSlice(0)
	if err != nil {
		return 0, nil, errors.New("bad header")
	}
	name, num, _ := strings.Cut(string(hdr[:len(hdr)-1]), " ")
	var t hobjType
	switch name {
	case "commit":
		t = hobjCommit
	case "tree":
		t = hobjTree
	case "blob":
		t = hobjBlob
	case "tag":
		t = hobjTag
	default:
		return 0, nil, errors.New("bad header")
	}
	size, err := strconv.ParseUint(num, 10, 64)
	if err != nil {
		return 0, nil, errors.New("bad header")
	}
	if size > uint64(fi.Size())*hDeflateRatio {
		return 0, nil, fmt.Errorf("%s declares %d bytes, more than its %d bytes can inflate to", t, size, fi.Size())
	}
	if size > limit {
		return 0, nil, fmt.Errorf("%s declares %d bytes, over the limit of %d", t, size, limit)
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(r.lhead, data); err != nil {
		return 0, nil, fmt.Errorf("%s of %d bytes: %w", t, size, err)
	}
	// The stream must end here; reading on checks its checksum.
	var one [1]byte
	if _, err := io.ReadFull(r.lhead, one[:]); err == nil {
		return 0, nil, fmt.Errorf("%s longer than its declared %d bytes", t, size)
	} else if err != io.EOF {
		return 0, nil, fmt.Errorf("%s of %d bytes: %w", t, size, err)
	}
	return t, data, nil
}

// hobj is a decoded object, as held by an hreader's cache.
type hobj struct {
	typ  hobjType
	data []byte
	// idx holds the offsets of a tree's entries followed by len(data), once
	// known (see history_diff.go).
	idx []int32

	key  uint64 // cache key; 0 when not cached
	hash hoid   // for loose objects, cached by hash
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
	chain int64 // bytes produced for the current read along its delta chain

	byKey  map[uint64]*hobj
	byHash map[hoid]*hobj
	head   hobj // sentinel of the LRU list: head.next is the most recent
	bytes  int
	budget int
	lastP  int // index of the pack of the last hit

	epoch     uint64
	free      [][]byte
	freeIdx   [][]int32
	freeBytes int // capacity held by free and freeIdx, at most budget

	// For loose objects.
	lfile *bufio.Reader
	lz    io.ReadCloser
	lhead *bufio.Reader
}

// hFreeMax bounds the number of spare buffers of each kind a reader keeps.
const hFreeMax = 48

// hDeltaKeep is the largest delta buffer a reader keeps between objects.
const hDeltaKeep = 8 << 20

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
			r.freeBytes -= cap(b)
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
			r.freeBytes -= 4 * cap(b)
			return b[:0]
		}
	}
	return make([]int32, 0, n+n/32+16)
}

// recycle keeps the buffers of the evicted object o for reuse, as long as
// the spare buffers stay within the cache's budget.
func (r *hreader) recycle(o *hobj) {
	if o.used == r.epoch {
		return
	}
	if b := o.data; b != nil && cap(b) >= 512 && r.freeBytes+cap(b) <= r.budget {
		if len(r.free) == hFreeMax {
			r.freeBytes -= cap(r.free[len(r.free)-1])
			r.free[len(r.free)-1] = b
		} else {
			r.free = append(r.free, b)
		}
		r.freeBytes += cap(b)
	}
	if b := o.idx; b != nil && r.freeBytes+4*cap(b) <= r.budget {
		if len(r.freeIdx) == hFreeMax {
			r.freeBytes -= 4 * cap(r.freeIdx[len(r.freeIdx)-1])
			r.freeIdx[len(r.freeIdx)-1] = b
		} else {
			r.freeIdx = append(r.freeIdx, b)
		}
		r.freeBytes += 4 * cap(b)
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

// read returns the object h. keep caches it for later reads. Errors do not
// name h: the caller says what it was reading.
func (r *hreader) read(h hoid, keep bool) (*hobj, error) {
	if o := r.byHash[h]; o != nil {
		r.touch(o)
		o.used = r.epoch
		return o, nil
	}
	r.chain = 0
	if np := len(r.db.packs); np > 0 {
		for i := 0; i < np; i++ {
			pi := (r.lastP + i) % np
			if off, ok := r.db.packs[pi].lookup(h); ok {
				r.lastP = pi
				return r.readAt(pi, off, keep, 0)
			}
		}
	}
	return r.readLooseObj(h, keep)
}

// readLooseObj reads h as a loose object.
func (r *hreader) readLooseObj(h hoid, keep bool) (*hobj, error) {
	t, data, err := r.readLoose(h, hMaxObject)
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

// readAt decodes the object at off in pack pi, resolving deltas. An error
// names the entry where the problem is, however deep in the chain.
func (r *hreader) readAt(pi int, off int64, keep bool, depth int) (*hobj, error) {
	key := hCacheKey(pi, off)
	if o := r.byKey[key]; o != nil {
		r.touch(o)
		o.used = r.epoch
		return o, nil
	}
	p := r.db.packs[pi]
	if depth > hMaxDeltaDepth {
		return nil, p.errorf(off, "delta chain longer than %d (a cycle?)", hMaxDeltaDepth)
	}
	e, err := p.entry(off)
	if err != nil {
		return nil, err
	}
	t, size, pos := e.typ, e.size, e.pos
	if err := r.checkSize(p, off, t, size, len(p.pack)-20-pos); err != nil {
		return nil, err
	}
	var o *hobj
	switch t {
	case hobjCommit, hobjTree, hobjBlob, hobjTag:
		buf, err := r.inflate(p, off, pos, int(size), r.buf(int(size)))
		if err != nil {
			return nil, err
		}
		o = &hobj{typ: t, data: buf, used: r.epoch}
	default: // a delta
		var base *hobj
		if t == hobjOfsDelta {
			base, err = r.readAt(pi, e.base, true, depth+1)
		} else {
			base, err = r.readRef(p, off, e.baseHash, depth+1)
		}
		if err != nil {
			return nil, err
		}
		r.delta, err = r.inflate(p, off, pos, int(size), r.delta)
		if err != nil {
			return nil, err
		}
		limit := int(min(hMaxObject, hMaxChainBytes-r.chain))
		out, pre, suf, err := hApplyDelta(base.data, r.delta, limit, r.buf)
		if cap(r.delta) > hDeltaKeep {
			r.delta = nil
		}
		if err != nil {
			return nil, p.errorf(off, "%v", err)
		}
		r.chain += int64(len(out))
		o = &hobj{typ: base.typ, data: out, used: r.epoch, baseKey: base.key, pre: pre, suf: suf}
	}
	if keep {
		o.key = key
		r.byKey[key] = o
		r.add(o)
	}
	return o, nil
}

// hentry is the header of a pack entry.
type hentry struct {
	typ      hobjType
	size     uint64 // of the object, or of the delta
	pos      int    // where the zlib stream starts
	base     int64  // an OFS_DELTA's base offset
	baseHash hoid   // a REF_DELTA's base
}

// entry parses the header of the entry at off: its type, declared size
// and, for a delta, its base.
func (p *hpack) entry(off int64) (e hentry, err error) {
	data := p.pack
	end := len(data) - 20 // the pack's checksum follows the last entry
	if off < 12 || off >= int64(end) {
		return e, p.errorf(off, "offset out of range")
	}
	pos := int(off)
	c := data[pos]
	pos++
	e.typ = hobjType(c >> 4 & 7)
	e.size = uint64(c & 15)
	for shift := uint(4); c&0x80 != 0; shift += 7 {
		if pos >= end || shift > 57 {
			return e, p.errorf(off, "bad object header")
		}
		c = data[pos]
		pos++
		e.size |= uint64(c&0x7f) << shift
	}
	switch e.typ {
	case hobjCommit, hobjTree, hobjBlob, hobjTag:
	case hobjOfsDelta:
		if pos >= end {
			return e, p.errorf(off, "bad delta")
		}
		c := data[pos]
		pos++
		rel := int64(c & 0x7f)
		for c&0x80 != 0 {
			if pos >= end || rel > 1<<48 {
				return e, p.errorf(off, "bad delta base offset")
			}
			c = data[pos]
			pos++
			rel = (rel+1)<<7 | int64(c&0x7f)
		}
		if rel <= 0 || rel > off-12 {
			return e, p.errorf(off, "bad delta base offset")
		}
		e.base = off - rel
	case hobjRefDelta:
		if pos+20 > end {
			return e, p.errorf(off, "bad delta")
		}
		copy(e.baseHash[:], data[pos:pos+20])
		pos += 20
	default:
		return e, p.errorf(off, "bad object type %d", e.typ)
	}
	e.pos = pos
	return e, nil
}

// checkSize refuses an entry whose declared size the left bytes of the
// pack after its header cannot inflate to, or over the limits.
func (r *hreader) checkSize(p *hpack, off int64, t hobjType, size uint64, left int) error {
	switch {
	case size > uint64(left)*hDeflateRatio:
		return p.errorf(off, "%s declares %d bytes, more than the %d bytes left in the pack can inflate to", t, size, left)
	case size > hMaxObject:
		return p.errorf(off, "%s declares %d bytes, over the limit of %d", t, size, hMaxObject)
	case r.chain+int64(size) > hMaxChainBytes:
		return p.errorf(off, "its delta chain makes more than %d bytes", hMaxChainBytes)
	}
	r.chain += int64(size)
	return nil
}

// readRef reads the base bh of the REF_DELTA at off, which may live in any
// pack or be a loose object.
func (r *hreader) readRef(dp *hpack, off int64, bh hoid, depth int) (*hobj, error) {
	for pi, p := range r.db.packs {
		if boff, ok := p.lookup(bh); ok {
			return r.readAt(pi, boff, true, depth)
		}
	}
	if o := r.byHash[bh]; o != nil {
		r.touch(o)
		o.used = r.epoch
		return o, nil
	}
	o, err := r.readLooseObj(bh, true)
	if err != nil {
		return nil, dp.errorf(off, "delta base %s: %v", bh, err)
	}
	return o, nil
}

// inflate decompresses the zlib stream at pos, of the entry at off, into a
// buffer of exactly size bytes, reusing buf when it is big enough.
func (r *hreader) inflate(p *hpack, off int64, pos, size int, buf []byte) ([]byte, error) {
	data := p.pack[:len(p.pack)-20]
	if pos+2 > len(data) {
		return nil, p.errorf(off, "truncated")
	}
	cmf, flg := data[pos], data[pos+1]
	if cmf&0x0f != 8 || (uint16(cmf)<<8|uint16(flg))%31 != 0 || flg&0x20 != 0 {
		return nil, p.errorf(off, "bad zlib header")
	}
	if cap(buf) >= size {
		buf = buf[:size]
	} else {
		buf = make([]byte, size)
	}
	if err := r.zr.inflate(data[pos+2:], buf); err != nil {
		return nil, p.errorf(off, "inflating %d bytes: %v", size, err)
	}
	return buf, nil
}

// hApplyDelta applies a git delta to base into a buffer of the exact target
// size from alloc. pre and suf are the lengths of the target's leading and
// trailing runs copied from the same place in the base (counted from its
// start, and from its end).
//
// The delta is read twice: once to check that its source size is the
// base's, that every copy stays in the base and every insert in the delta,
// and that the instructions make exactly the declared target size, at most
// limit; then, with nothing left to go wrong, to build the target. A
// delta that lies costs no allocation.
func hApplyDelta(base, delta []byte, limit int, alloc func(int) []byte) (out []byte, pre, suf int, err error) {
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
	if !ok1 || !ok2 {
		return nil, 0, 0, errors.New("bad delta header")
	}
	if src != uint64(len(base)) {
		return nil, 0, 0, fmt.Errorf("delta for a base of %d bytes, its base has %d", src, len(base))
	}
	if dst > uint64(max(limit, 0)) {
		return nil, 0, 0, fmt.Errorf("delta declares %d bytes, over the limit of %d", dst, limit)
	}
	ops := i
	if err := hCheckDelta(len(base), delta[ops:], int(dst)); err != nil {
		return nil, 0, 0, err
	}

	out = alloc(int(dst))
	n := 0
	inPre := true
	sufStart := 0 // where the run of copies aligned on the end starts
	endShift := len(base) - len(out)
	for i = ops; i < len(delta); {
		c := delta[i]
		i++
		if c&0x80 != 0 {
			var off, sz uint32
			for b := uint(0); b < 4; b++ {
				if c&(1<<b) != 0 {
					off |= uint32(delta[i]) << (8 * b)
					i++
				}
			}
			for b := uint(0); b < 3; b++ {
				if c&(0x10<<b) != 0 {
					sz |= uint32(delta[i]) << (8 * b)
					i++
				}
			}
			if sz == 0 {
				sz = 0x10000
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
		} else {
			n += copy(out[n:], delta[i:i+int(c)])
			i += int(c)
			inPre = false
			sufStart = n
		}
	}
	return out, pre, len(out) - sufStart, nil
}

// hCheckDelta checks the instructions ops of a delta against a base of
// baseLen bytes and a target of dst bytes.
func hCheckDelta(baseLen int, ops []byte, dst int) error {
	n := 0
	for i := 0; i < len(ops); {
		c := ops[i]
		i++
		var sz int
		switch {
		case c&0x80 != 0:
			var off uint32
			var usz uint32
			for b := uint(0); b < 4; b++ {
				if c&(1<<b) != 0 {
					if i >= len(ops) {
						return errors.New("truncated delta")
					}
					off |= uint32(ops[i]) << (8 * b)
					i++
				}
			}
			for b := uint(0); b < 3; b++ {
				if c&(0x10<<b) != 0 {
					if i >= len(ops) {
						return errors.New("truncated delta")
					}
					usz |= uint32(ops[i]) << (8 * b)
					i++
				}
			}
			if usz == 0 {
				usz = 0x10000
			}
			if uint64(off)+uint64(usz) > uint64(baseLen) {
				return fmt.Errorf("delta copies %d bytes from %d, out of its base of %d", usz, off, baseLen)
			}
			sz = int(usz)
		case c != 0:
			sz = int(c)
			if i+sz > len(ops) {
				return errors.New("truncated delta")
			}
			i += sz
		default:
			return errors.New("bad delta opcode 0")
		}
		if n += sz; n > dst {
			return fmt.Errorf("delta declares %d bytes, its instructions make more", dst)
		}
	}
	if n != dst {
		return fmt.Errorf("delta declares %d bytes, its instructions make %d", dst, n)
	}
	return nil
}
