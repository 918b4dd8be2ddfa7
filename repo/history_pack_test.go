package repo

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
)

// hpackBuilder writes a pack and its version 2 index byte by byte, so that
// tests can damage them in ways git never would: sizes that lie, deltas
// against the wrong base, an index that maps a hash to another object.
type hpackBuilder struct {
	t       testing.TB
	body    bytes.Buffer // the entries, after the 12-byte header
	entries []hpackEntry
}

type hpackEntry struct {
	hash hoid
	off  int64
	crc  uint32
}

func newHPackBuilder(t testing.TB) *hpackBuilder { return &hpackBuilder{t: t} }

// hObjHash is git's name for an object.
func hObjHash(t hobjType, data []byte) hoid {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", t, len(data))
	h.Write(data)
	var id hoid
	copy(id[:], h.Sum(nil))
	return id
}

// hZlibW keeps zlib writers: making one costs half a megabyte.
var hZlibW = sync.Pool{New: func() any { return zlib.NewWriter(nil) }}

func hZlib(data []byte) []byte {
	var b bytes.Buffer
	w := hZlibW.Get().(*zlib.Writer)
	w.Reset(&b)
	w.Write(data)
	w.Close()
	hZlibW.Put(w)
	return b.Bytes()
}

// hEntryHeader encodes a pack entry's type and inflated size.
func hEntryHeader(t hobjType, size uint64) []byte {
	c := byte(t)<<4 | byte(size&15)
	size >>= 4
	var out []byte
	for size != 0 {
		out = append(out, c|0x80)
		c = byte(size & 0x7f)
		size >>= 7
	}
	return append(out, c)
}

// hOfsEncode encodes the distance back to an OFS_DELTA's base.
func hOfsEncode(rel int64) []byte {
	out := []byte{byte(rel & 0x7f)}
	for rel >>= 7; rel != 0; rel >>= 7 {
		rel--
		out = append([]byte{byte(0x80 | rel&0x7f)}, out...)
	}
	return out
}

// next is the offset the next entry will have.
func (b *hpackBuilder) next() int64 { return int64(12 + b.body.Len()) }

// raw appends an entry indexed under hash: its header declares t and size,
// extra follows (a base offset or hash) and then stream, as given.
func (b *hpackBuilder) raw(hash hoid, t hobjType, size uint64, extra, stream []byte) int64 {
	off := b.next()
	var e bytes.Buffer
	e.Write(hEntryHeader(t, size))
	e.Write(extra)
	e.Write(stream)
	b.body.Write(e.Bytes())
	b.entries = append(b.entries, hpackEntry{hash: hash, off: off, crc: crc32.ChecksumIEEE(e.Bytes())})
	return off
}

// object appends a whole object and returns its hash and offset.
func (b *hpackBuilder) object(t hobjType, data []byte) (hoid, int64) {
	h := hObjHash(t, data)
	return h, b.raw(h, t, uint64(len(data)), nil, hZlib(data))
}

// ofsDelta appends a delta against the entry at base, indexed under hash.
func (b *hpackBuilder) ofsDelta(hash hoid, base int64, delta []byte) int64 {
	return b.raw(hash, hobjOfsDelta, uint64(len(delta)), hOfsEncode(b.next()-base), hZlib(delta))
}

// refDelta appends a delta against the object base, indexed under hash.
func (b *hpackBuilder) refDelta(hash, base hoid, delta []byte) int64 {
	return b.raw(hash, hobjRefDelta, uint64(len(delta)), base[:], hZlib(delta))
}

// bytes returns the pack and its index.
func (b *hpackBuilder) bytes() (pack, idx []byte) {
	var p bytes.Buffer
	p.WriteString("PACK")
	binary.Write(&p, binary.BigEndian, uint32(2))
	binary.Write(&p, binary.BigEndian, uint32(len(b.entries)))
	p.Write(b.body.Bytes())
	sum := sha1.Sum(p.Bytes())
	p.Write(sum[:])

	es := append([]hpackEntry(nil), b.entries...)
	sort.SliceStable(es, func(i, j int) bool { return bytes.Compare(es[i].hash[:], es[j].hash[:]) < 0 })
	var x bytes.Buffer
	x.Write([]byte{0xff, 't', 'O', 'c', 0, 0, 0, 2})
	var fan [256]uint32
	for _, e := range es {
		for k := int(e.hash[0]); k < 256; k++ {
			fan[k]++
		}
	}
	binary.Write(&x, binary.BigEndian, fan[:])
	for _, e := range es {
		x.Write(e.hash[:])
	}
	for _, e := range es {
		binary.Write(&x, binary.BigEndian, e.crc)
	}
	var large []uint64
	for _, e := range es {
		if e.off < 1<<31 {
			binary.Write(&x, binary.BigEndian, uint32(e.off))
		} else {
			binary.Write(&x, binary.BigEndian, uint32(1)<<31|uint32(len(large)))
			large = append(large, uint64(e.off))
		}
	}
	binary.Write(&x, binary.BigEndian, large)
	x.Write(sum[:])
	isum := sha1.Sum(x.Bytes())
	x.Write(isum[:])
	return p.Bytes(), x.Bytes()
}

// write puts the pack into the repository at gitDir and returns the path
// of the pack file.
func (b *hpackBuilder) write(gitDir string) string {
	pack, idx := b.bytes()
	dir := filepath.Join(gitDir, "objects", "pack")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	// Named by the pack's checksum, as git does and go-git requires.
	name := filepath.Join(dir, fmt.Sprintf("pack-%x", pack[len(pack)-20:]))
	if err := os.WriteFile(name+".pack", pack, 0o644); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(name+".idx", idx, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return name + ".pack"
}

// hVarint is the size encoding of delta headers.
func hVarint(v uint64) []byte {
	var out []byte
	for v >= 0x80 {
		out = append(out, byte(v)|0x80)
		v >>= 7
	}
	return append(out, byte(v))
}

// hDeltaCopy encodes a copy of size bytes from off in the base.
func hDeltaCopy(off, size uint32) []byte {
	op := []byte{0x80}
	for i := uint(0); i < 4; i++ {
		if v := byte(off >> (8 * i)); v != 0 {
			op[0] |= 1 << i
			op = append(op, v)
		}
	}
	if size != 0x10000 {
		for i := uint(0); i < 3; i++ {
			if v := byte(size >> (8 * i)); v != 0 {
				op[0] |= 0x10 << i
				op = append(op, v)
			}
		}
	}
	return op
}

// hDeltaInsert encodes the insertion of data.
func hDeltaInsert(data []byte) []byte {
	var out []byte
	for len(data) > 0 {
		n := min(len(data), 127)
		out = append(out, byte(n))
		out = append(out, data[:n]...)
		data = data[n:]
	}
	return out
}

// hDelta makes a delta from base to target: the common prefix and suffix
// copied, the middle inserted.
func hDelta(base, target []byte) []byte {
	d := append(hVarint(uint64(len(base))), hVarint(uint64(len(target)))...)
	p := hCommonPrefix(base, target)
	s := hCommonSuffix(base[p:], target[p:])
	for off := 0; off < p; off += 0x10000 {
		d = append(d, hDeltaCopy(uint32(off), uint32(min(p-off, 0x10000)))...)
	}
	d = append(d, hDeltaInsert(target[p:len(target)-s])...)
	for off := len(base) - s; off < len(base); off += 0x10000 {
		d = append(d, hDeltaCopy(uint32(off), uint32(min(len(base)-off, 0x10000)))...)
	}
	return d
}

// htreeEntry is one entry of a tree built by a test.
type htreeEntry struct {
	mode string
	name string
	hash hoid
}

// hTreeBytes encodes a tree, entries in git's order.
func hTreeBytes(es ...htreeEntry) []byte {
	sort.Slice(es, func(i, j int) bool {
		return hNameCmp([]byte(es[i].name), es[i].mode == "40000", []byte(es[j].name), es[j].mode == "40000") < 0
	})
	var b bytes.Buffer
	for _, e := range es {
		fmt.Fprintf(&b, "%s %s\x00", e.mode, e.name)
		b.Write(e.hash[:])
	}
	return b.Bytes()
}

// hCommitBytes encodes a commit of tree with parents, dated n minutes
// into the test's epoch.
func hCommitBytes(tree hoid, n int, msg string, parents ...hoid) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "tree %s\n", tree)
	for _, p := range parents {
		fmt.Fprintf(&b, "parent %s\n", p)
	}
	when := 1700000000 + 60*n
	fmt.Fprintf(&b, "author Ada Lovelace <ada@example.org> %d +0000\ncommitter Ada Lovelace <ada@example.org> %d +0000\n\n%s\n", when, when, msg)
	return []byte(b.String())
}

// hpackRepo is a repository whose only objects are in packs a test built.
type hpackRepo struct {
	*hrepo
	b *hpackBuilder
}

func newHPackRepo(t *testing.T) *hpackRepo {
	return &hpackRepo{hrepo: newHRepo(t), b: newHPackBuilder(t)}
}

// blob, tree and commit append whole objects.
func (r *hpackRepo) blob(s string) hoid { h, _ := r.b.object(hobjBlob, []byte(s)); return h }

func (r *hpackRepo) tree(es ...htreeEntry) (hoid, int64) {
	return r.b.object(hobjTree, hTreeBytes(es...))
}

func (r *hpackRepo) commit(tree hoid, n int, msg string, parents ...hoid) (hoid, int64) {
	return r.b.object(hobjCommit, hCommitBytes(tree, n, msg, parents...))
}

// load writes the pack and reads the history of head.
func (r *hpackRepo) load(head hoid) (*History, error) {
	r.b.write(r.gitDir())
	return LoadHistory(r.gitDir(), head.String(), "")
}

func hFile(name string, h hoid) htreeEntry { return htreeEntry{"100644", name, h} }
func hDir(name string, h hoid) htreeEntry  { return htreeEntry{"40000", name, h} }

// TestHistoryPackBuilder checks the test's pack writer against git: a
// history of whole objects and both kinds of delta that git verifies and
// whose history LoadHistory reads as git log does.
func TestHistoryPackBuilder(t *testing.T) {
	r := newHPackRepo(t)
	a1, a2 := r.blob("a1\n"), r.blob("a2\n")
	sub1, _ := r.tree(hFile("a.md", a1))
	root1, root1Off := r.tree(hDir("docs", sub1), hFile("top.md", a1))
	c1, c1Off := r.commit(root1, 0, "First")

	// The second version of each as a delta against the first.
	sub2Data := hTreeBytes(hFile("a.md", a2), hFile("b.md", a1))
	sub2 := hObjHash(hobjTree, sub2Data)
	r.b.refDelta(sub2, sub1, hDelta(hTreeBytes(hFile("a.md", a1)), sub2Data))
	root2Data := hTreeBytes(hDir("docs", sub2), hFile("top.md", a1))
	root2 := hObjHash(hobjTree, root2Data)
	r.b.ofsDelta(root2, root1Off, hDelta(hTreeBytes(hDir("docs", sub1), hFile("top.md", a1)), root2Data))
	c2Data := hCommitBytes(root2, 1, "Second", c1)
	c2 := hObjHash(hobjCommit, c2Data)
	r.b.ofsDelta(c2, c1Off, hDelta(hCommitBytes(root1, 0, "First"), c2Data))

	pack := r.b.write(r.gitDir())
	r.git("verify-pack", strings.TrimSuffix(pack, ".pack")+".idx")
	r.git("update-ref", "refs/heads/main", c2.String())
	r.git("fsck", "--strict", "--no-dangling")
	h, err := LoadHistory(r.gitDir(), c2.String(), "")
	if err != nil {
		t.Fatal(err)
	}
	hCheck(t, r.hrepo, c2.String(), h)
	if len(h.Of("docs/b.md")) != 1 || len(h.Of("top.md")) != 1 {
		t.Errorf("paths %q", h.Paths())
	}
}

// hLoadDamaged reads the history of head and returns the error, failing
// the test if there is none, if it came from a recovered panic rather than
// a check, if it lacks any of want, or if reading allocated more than a
// few megabytes.
func hLoadDamaged(t *testing.T, gitDir string, head hoid, want ...string) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := LoadHistory(gitDir, head.String(), "")
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if strings.Contains(msg, "corrupt object data") {
		t.Errorf("a panic, recovered: %v", err)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q\n  lacks %q", msg, w)
		}
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 16<<20 {
		t.Errorf("allocated %d bytes", n)
	}
	t.Logf("%v", err)
}

// TestHistoryDamagedPacks reads packs that lie about sizes, deltas whose
// base does not fit, chains and trees that loop, and objects that are not
// there: each is an error naming the object, with little memory used.
func TestHistoryDamagedPacks(t *testing.T) {
	off := func(o int64) string { return fmt.Sprintf(".pack offset %d: ", o) }

	t.Run("entry header declares 2^38 bytes", func(t *testing.T) {
		r := newHPackRepo(t)
		root, _ := r.tree(hFile("a.md", r.blob("a\n")))
		data := hCommitBytes(root, 0, "Lies about its size")
		head := hObjHash(hobjCommit, data)
		o := r.b.raw(head, hobjCommit, 1<<38, nil, hZlib(data))
		r.b.write(r.gitDir())
		hLoadDamaged(t, r.gitDir(), head, head.String(), off(o), "commit declares 274877906944 bytes, more than the ", " bytes left in the pack can inflate to")
	})

	t.Run("entry header over the limit", func(t *testing.T) {
		// Enough pack after it to inflate to the size it declares.
		r := newHPackRepo(t)
		root, _ := r.tree(hFile("a.md", r.blob("a\n")))
		data := hCommitBytes(root, 0, "Too large")
		head := hObjHash(hobjCommit, data)
		o := r.b.raw(head, hobjCommit, hMaxObject+1, nil, hZlib(data))
		noise := make([]byte, hMaxObject/hDeflateRatio+1000)
		for i := range noise {
			noise[i] = byte(i * 7919 >> 3)
		}
		r.b.raw(hoid{1}, hobjBlob, uint64(len(noise)), nil, noise)
		r.b.write(r.gitDir())
		hLoadDamaged(t, r.gitDir(), head, off(o), fmt.Sprintf("commit declares %d bytes, over the limit of %d", hMaxObject+1, hMaxObject))
	})

	t.Run("OFS_DELTA declares 2^36 bytes", func(t *testing.T) {
		r := newHPackRepo(t)
		root, _ := r.tree(hFile("a.md", r.blob("a\n")))
		baseData := hCommitBytes(root, 0, "Base")
		_, baseOff := r.b.object(hobjCommit, baseData)
		data := hCommitBytes(root, 1, "Head")
		head := hObjHash(hobjCommit, data)
		d := append(hVarint(uint64(len(baseData))), hVarint(1<<36)...)
		o := r.b.ofsDelta(head, baseOff, append(d, hDeltaInsert(data)...))
		r.b.write(r.gitDir())
		hLoadDamaged(t, r.gitDir(), head, head.String(), off(o), "delta declares 68719476736 bytes, over the limit of 268435456")
	})

	t.Run("delta makes less than it declares", func(t *testing.T) {
		r := newHPackRepo(t)
		root, _ := r.tree(hFile("a.md", r.blob("a\n")))
		baseData := hCommitBytes(root, 0, "Base")
		_, baseOff := r.b.object(hobjCommit, baseData)
		data := hCommitBytes(root, 1, "Head")
		head := hObjHash(hobjCommit, data)
		d := append(hVarint(uint64(len(baseData))), hVarint(100000)...)
		o := r.b.ofsDelta(head, baseOff, append(d, hDeltaInsert(data)...))
		r.b.write(r.gitDir())
		hLoadDamaged(t, r.gitDir(), head, off(o), fmt.Sprintf("delta declares 100000 bytes, its instructions make %d", len(data)))
	})

	t.Run("delta for another base", func(t *testing.T) {
		r := newHPackRepo(t)
		root, _ := r.tree(hFile("a.md", r.blob("a\n")))
		baseData := hCommitBytes(root, 0, "Base")
		_, baseOff := r.b.object(hobjCommit, baseData)
		data := hCommitBytes(root, 1, "Head")
		head := hObjHash(hobjCommit, data)
		d := hDelta(append(baseData, "longer"...), data)
		o := r.b.ofsDelta(head, baseOff, d)
		r.b.write(r.gitDir())
		hLoadDamaged(t, r.gitDir(), head, off(o), fmt.Sprintf("delta for a base of %d bytes, its base has %d", len(baseData)+6, len(baseData)))
	})

	t.Run("delta copies past its base", func(t *testing.T) {
		r := newHPackRepo(t)
		root, _ := r.tree(hFile("a.md", r.blob("a\n")))
		baseData := hCommitBytes(root, 0, "Base")
		_, baseOff := r.b.object(hobjCommit, baseData)
		head := hoid{2}
		d := append(hVarint(uint64(len(baseData))), hVarint(uint64(len(baseData)))...)
		o := r.b.ofsDelta(head, baseOff, append(d, hDeltaCopy(10, uint32(len(baseData)))...))
		r.b.write(r.gitDir())
		hLoadDamaged(t, r.gitDir(), head, off(o), fmt.Sprintf("delta copies %d bytes from 10, out of its base of %d", len(baseData), len(baseData)))
	})

	t.Run("REF_DELTA cycle", func(t *testing.T) {
		r := newHPackRepo(t)
		a, b := hoid{0xaa}, hoid{0xbb}
		d := append(hVarint(10), hVarint(10)...)
		d = append(d, hDeltaCopy(0, 10)...)
		r.b.refDelta(a, b, d)
		r.b.refDelta(b, a, d)
		r.b.write(r.gitDir())
		hLoadDamaged(t, r.gitDir(), a, a.String(), "delta chain longer than 10000 (a cycle?)")
	})

	t.Run("delta chain too deep", func(t *testing.T) {
		for _, n := range []int{hMaxDeltaDepth, hMaxDeltaDepth + 1} {
			r := newHPackRepo(t)
			root, _ := r.tree(hFile("a.md", r.blob("a\n")))
			data := hCommitBytes(root, 0, "The same commit, again and again")
			head, o := r.b.object(hobjCommit, data)
			same := hDelta(data, data)
			for i := 0; i < n; i++ {
				o = r.b.ofsDelta(hoid{3, byte(i >> 8), byte(i)}, o, same)
			}
			// The index names the last delta with the commit's hash.
			r.b.entries[len(r.b.entries)-1].hash = head
			r.b.entries = append(r.b.entries[:2], r.b.entries[3:]...)
			r.b.write(r.gitDir())
			if n == hMaxDeltaDepth {
				h, err := LoadHistory(r.gitDir(), head.String(), "")
				if err != nil || len(h.Of("a.md")) != 1 {
					t.Fatalf("a chain of %d: %v", n, err)
				}
				continue
			}
			hLoadDamaged(t, r.gitDir(), head, head.String(), "delta chain longer than 10000")
		}
	})

	t.Run("tree contains itself", func(t *testing.T) {
		// The index maps the subtree docs to its parent's entry.
		r := newHPackRepo(t)
		a := r.blob("a\n")
		docs := hObjHash(hobjTree, hTreeBytes(hFile("a.md", a)))
		root, rootOff := r.tree(hDir("docs", docs), hFile("top.md", a))
		r.b.entries = append(r.b.entries, hpackEntry{hash: docs, off: rootOff})
		head, _ := r.commit(root, 0, "Cycle")
		r.b.write(r.gitDir())
		hLoadDamaged(t, r.gitDir(), head, "commit "+head.String(), "tree "+docs.String()+" at docs/docs: contains itself: it is also the tree at docs (a cycle)")
	})

	t.Run("trees contain themselves, diffed", func(t *testing.T) {
		r := newHPackRepo(t)
		var heads []hoid
		for i, s := range []string{"a1\n", "a2\n"} {
			a := r.blob(s)
			docs := hObjHash(hobjTree, hTreeBytes(hFile("a.md", a)))
			root, rootOff := r.tree(hDir("docs", docs), hFile("top.md", a))
			r.b.entries = append(r.b.entries, hpackEntry{hash: docs, off: rootOff})
			h, _ := r.commit(root, i, "Cycle", heads...)
			heads = append(heads, h)
		}
		r.b.write(r.gitDir())
		hLoadDamaged(t, r.gitDir(), heads[1], "at docs/docs: contains itself: it is also the tree at docs (a cycle)")
	})

	t.Run("trees nested too deep", func(t *testing.T) {
		for _, depth := range []int{hMaxTreeDepth, hMaxTreeDepth + 1} {
			// depth trees: the root and depth-1 folders d/d/…/d.
			r := newHPackRepo(t)
			sub, _ := r.tree(hFile("f.md", r.blob("deep\n")))
			for i := 2; i < depth; i++ {
				sub, _ = r.tree(hDir("d", sub))
			}
			root, _ := r.tree(hDir("d", sub))
			head, _ := r.commit(root, 0, "Deep")
			r.b.write(r.gitDir())
			if depth == hMaxTreeDepth {
				h, err := LoadHistory(r.gitDir(), head.String(), "")
				if err != nil {
					t.Fatal(err)
				}
				if p := h.Paths(); len(p) != 1 || strings.Count(p[0], "/") != depth-1 {
					t.Fatalf("paths %.100q", p)
				}
				continue
			}
			hLoadDamaged(t, r.gitDir(), head, "depth over 4096 (a cycle?)", "d/d/d/d", "(4096 folders deep)")
		}
	})

	t.Run("a tree listing one subtree many times", func(t *testing.T) {
		defer func(v int) { hMaxPaths = v }(hMaxPaths)
		hMaxPaths = 1000
		r := newHPackRepo(t)
		sub, _ := r.tree(hFile("f.md", r.blob("f\n")), hFile("g.md", r.blob("g\n")))
		for i := 0; i < 12; i++ {
			sub, _ = r.tree(hDir("a", sub), hDir("b", sub))
		}
		head, _ := r.commit(sub, 0, "4096 paths in 13 trees")
		r.b.write(r.gitDir())
		hLoadDamaged(t, r.gitDir(), head, "more than 1000 paths")
	})

	t.Run("a tree listing one empty subtree many times", func(t *testing.T) {
		// No path at all, yet 2^20 trees to walk.
		defer func(v int) { hMaxVisits = v }(hMaxVisits)
		hMaxVisits = 10000
		r := newHPackRepo(t)
		sub, _ := r.tree()
		for i := 0; i < 20; i++ {
			sub, _ = r.tree(hDir("a", sub), hDir("b", sub))
		}
		head, _ := r.commit(sub, 0, "2^20 empty trees")
		r.b.write(r.gitDir())
		hLoadDamaged(t, r.gitDir(), head, "more than 10000 trees and entries in one commit")
	})

	t.Run("corrupt tree entry", func(t *testing.T) {
		r := newHPackRepo(t)
		bad, _ := r.b.object(hobjTree, []byte("100644 no-hash.md\x00short"))
		root, _ := r.tree(hDir("docs", bad))
		head, _ := r.commit(root, 0, "Bad tree")
		r.b.write(r.gitDir())
		hLoadDamaged(t, r.gitDir(), head, "tree "+bad.String()+" at docs: corrupt tree object: bad entry at byte 0")
	})

	t.Run("stream cut short", func(t *testing.T) {
		r := newHPackRepo(t)
		root, _ := r.tree(hFile("a.md", r.blob("a\n")))
		data := hCommitBytes(root, 0, strings.Repeat("A long message. ", 100))
		head := hObjHash(hobjCommit, data)
		z := hZlib(data)
		o := r.b.raw(head, hobjCommit, uint64(len(data)), nil, z[:len(z)/2])
		r.b.write(r.gitDir())
		hLoadDamaged(t, r.gitDir(), head, off(o), fmt.Sprintf("inflating %d bytes: corrupt deflate stream", len(data)))
	})

	t.Run("offset past the end", func(t *testing.T) {
		r := newHPackRepo(t)
		r.blob("a\n")
		r.b.entries = append(r.b.entries, hpackEntry{hash: hoid{4}, off: 1 << 40})
		r.b.write(r.gitDir())
		hLoadDamaged(t, r.gitDir(), hoid{4}, off(1<<40), "offset out of range")
	})

	t.Run("missing objects", func(t *testing.T) {
		r := newHPackRepo(t)
		gone := hoid{5}
		head, _ := r.commit(gone, 1, "Its tree is gone")
		r.b.write(r.gitDir())
		hLoadDamaged(t, r.gitDir(), head, "commit "+head.String()+": tree "+gone.String()+" at the root: object not found")

		r = newHPackRepo(t)
		root, _ := r.tree(hFile("a.md", r.blob("a\n")))
		head, _ = r.commit(root, 1, "Its parent is gone", gone)
		r.b.write(r.gitDir())
		hLoadDamaged(t, r.gitDir(), head, "parent of "+head.String()+": commit "+gone.String()+": object not found")

		r = newHPackRepo(t)
		o := r.b.refDelta(hoid{6}, gone, hDelta(nil, []byte("x")))
		r.b.write(r.gitDir())
		hLoadDamaged(t, r.gitDir(), hoid{6}, off(o), "delta base "+gone.String()+": object not found")
	})
}

// TestHistoryDamagedRepo damages a pack git wrote: cut short, it no longer
// matches its index and its objects are missing, with the reason.
func TestHistoryDamagedRepo(t *testing.T) {
	r := hBuildTricky(t)
	r.git("gc", "-q")
	head := hoid(hexBytes(t, r.head()))
	packs, _ := filepath.Glob(filepath.Join(r.gitDir(), "objects", "pack", "*.pack"))
	if len(packs) != 1 {
		t.Fatalf("packs %q", packs)
	}
	fi, err := os.Stat(packs[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(packs[0], fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	hLoadDamaged(t, r.gitDir(), head, "object not found (packs skipped: ", filepath.Base(packs[0])+": does not match its index (truncated or replaced?))")
}

// hLoose writes a loose object as zlib(header + data).
func hLoose(t *testing.T, gitDir string, h hoid, header string, data []byte) {
	hx := h.String()
	dir := filepath.Join(gitDir, "objects", hx[:2])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, hx[2:]), hZlib(append([]byte(header), data...)), 0o444); err != nil {
		t.Fatal(err)
	}
}

// TestHistoryDamagedLoose covers loose objects that lie about their size.
func TestHistoryDamagedLoose(t *testing.T) {
	r := newHRepo(t)
	root := hTreeBytes()
	rootHash := hObjHash(hobjTree, root)
	hLoose(t, r.gitDir(), rootHash, "tree 0\x00", root)
	data := hCommitBytes(rootHash, 0, "Loose")

	h := hoid{7}
	hLoose(t, r.gitDir(), h, "commit 274877906944\x00", data)
	hLoadDamaged(t, r.gitDir(), h, h.String(), "loose object ", "commit declares 274877906944 bytes, more than its ")

	h = hoid{8}
	hLoose(t, r.gitDir(), h, fmt.Sprintf("commit %d\x00", len(data)), append(data, make([]byte, 1<<20)...))
	hLoadDamaged(t, r.gitDir(), h, "loose object ", fmt.Sprintf("commit longer than its declared %d bytes", len(data)))

	h = hoid{9}
	hLoose(t, r.gitDir(), h, fmt.Sprintf("commit %d\x00", len(data)+1), data)
	hLoadDamaged(t, r.gitDir(), h, fmt.Sprintf("commit of %d bytes: unexpected EOF", len(data)+1))

	h = hoid{10}
	hLoose(t, r.gitDir(), h, "commit x\x00", data)
	hLoadDamaged(t, r.gitDir(), h, "loose object ", "bad header")

	// And a good one, for contrast.
	h = hObjHash(hobjCommit, data)
	hLoose(t, r.gitDir(), h, fmt.Sprintf("commit %d\x00", len(data)), data)
	if _, err := LoadHistory(r.gitDir(), h.String(), ""); err != nil {
		t.Fatal(err)
	}
}
