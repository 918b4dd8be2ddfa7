package repo

// Fuzz targets for what LoadHistory reads from a repository it does not
// trust: delta application, pack entries (header, inflation, deltas against
// a base), the pack index and raw trees through the diff. The inflater's
// own target is FuzzHistoryInflate. Seed corpora live in
// testdata/fuzz/FuzzHistory*; `go test ./repo -run '^$' -fuzz '^FuzzX$'`
// runs one.

import (
	"bytes"
	"errors"
	"slices"
	"sort"
	"testing"
)

// hRefDelta applies a delta as git's patch_delta does, as plainly as
// possible: the reference for hApplyDelta. It refuses a target over limit
// and never allocates more than the instructions make.
func hRefDelta(base, delta []byte, limit uint64) ([]byte, bool) {
	varint := func() (uint64, bool) {
		var v uint64
		for shift := uint(0); len(delta) > 0 && shift < 64; shift += 7 {
			c := delta[0]
			delta = delta[1:]
			v |= uint64(c&0x7f) << shift
			if c&0x80 == 0 {
				return v, true
			}
		}
		return 0, false
	}
	src, ok1 := varint()
	dst, ok2 := varint()
	if !ok1 || !ok2 || src != uint64(len(base)) || dst > limit {
		return nil, false
	}
	var out []byte
	for len(delta) > 0 {
		c := delta[0]
		delta = delta[1:]
		switch {
		case c&0x80 != 0:
			var off, size uint64
			for b := 0; b < 7; b++ {
				if c&(1<<b) == 0 {
					continue
				}
				if len(delta) == 0 {
					return nil, false
				}
				if b < 4 {
					off |= uint64(delta[0]) << (8 * b)
				} else {
					size |= uint64(delta[0]) << (8 * (b - 4))
				}
				delta = delta[1:]
			}
			if size == 0 {
				size = 0x10000
			}
			if off+size > uint64(len(base)) || size > dst-uint64(len(out)) {
				return nil, false
			}
			out = append(out, base[off:off+size]...)
		case c != 0:
			if int(c) > len(delta) || uint64(c) > dst-uint64(len(out)) {
				return nil, false
			}
			out = append(out, delta[:c]...)
			delta = delta[c:]
		default:
			return nil, false
		}
	}
	if uint64(len(out)) != dst {
		return nil, false
	}
	return out, true
}

func FuzzHistoryDelta(f *testing.F) {
	base := hCommitBytes(hoid{1}, 0, "A commit message long enough to copy from")
	tree := hTreeBytes(hFile("a.md", hoid{2}), hFile("b.md", hoid{3}), hDir("docs", hoid{4}))
	big := bytes.Repeat([]byte("0123456789abcdef"), 0x1100)
	f.Add(base, hDelta(base, hCommitBytes(hoid{1}, 1, "Another message, long enough to copy from")))
	f.Add(tree, hDelta(tree, hTreeBytes(hFile("a.md", hoid{5}), hFile("b.md", hoid{3}), hDir("docs", hoid{4}))))
	f.Add(big, hDelta(big, append(big[:0x10000:0x10000], "end"...)))
	f.Add(big, append(append(hVarint(uint64(len(big))), hVarint(0x10000)...), 0x80))
	f.Add(base, append(append(hVarint(uint64(len(base))), hVarint(1<<36)...), hDeltaInsert([]byte("lies"))...))
	f.Add(base, append(append(hVarint(uint64(len(base))+1), hVarint(4)...), hDeltaInsert([]byte("base"))...))
	f.Add(base, append(append(hVarint(uint64(len(base))), hVarint(4)...), hDeltaCopy(uint32(len(base)-2), 4)...))
	f.Add([]byte{}, []byte{0, 0})
	f.Add([]byte{}, []byte{0, 1, 0})
	f.Fuzz(func(t *testing.T, base, delta []byte) {
		const limit = 1 << 20
		want, ok := hRefDelta(base, delta, limit)
		allocs := 0
		out, pre, suf, err := hApplyDelta(base, delta, limit, func(n int) []byte {
			allocs++
			if n != len(want) || !ok {
				t.Fatalf("allocates %d bytes; the delta makes %d (ok %v)", n, len(want), ok)
			}
			return make([]byte, n)
		})
		if !ok {
			if err == nil {
				t.Fatalf("applies a delta git refuses: %d bytes", len(out))
			}
			if allocs != 0 {
				t.Fatal("allocated for a bad delta")
			}
			return
		}
		if err != nil {
			t.Fatalf("refuses a delta git applies (%d bytes): %v", len(want), err)
		}
		if !bytes.Equal(out, want) {
			t.Fatal("output differs from git's")
		}
		if pre < 0 || suf < 0 || pre > len(out) || suf > len(out) || pre > len(base) || suf > len(base) ||
			!bytes.Equal(out[:pre], base[:pre]) || !bytes.Equal(out[len(out)-suf:], base[len(base)-suf:]) {
			t.Fatalf("pre %d, suf %d wrong for %d bytes from %d", pre, suf, len(out), len(base))
		}
	})
}

// hMemPack makes a pack in memory from a builder, its index built as
// hOpenPack would read it.
func hMemPack(t testing.TB, b *hpackBuilder) *hpack {
	pack, idx := b.bytes()
	p := &hpack{name: "fuzz.pack"}
	if err := p.parseIndex(idx); err != nil {
		t.Fatal(err)
	}
	if err := p.setPack(pack, idx); err != nil {
		t.Fatal(err)
	}
	return p
}

// hFuzzBase is the object the fuzzed pack entry may take as a delta base,
// by offset (12) or by hash.
var hFuzzBase = hCommitBytes(hoid{1}, 0, "The base of every fuzzed delta, long enough to copy from")

// FuzzHistoryPackEntry reads one pack entry, header and all, placed after a
// whole object it may use as a delta base: never a panic, never more
// output than the entry can make.
func FuzzHistoryPackEntry(f *testing.F) {
	seed := func(build func(b *hpackBuilder, base hoid, baseOff int64)) {
		b := newHPackBuilder(f)
		base, off := b.object(hobjCommit, hFuzzBase)
		build(b, base, off)
		f.Add(b.body.Bytes()[b.entries[1].off-12:])
	}
	other := hCommitBytes(hoid{1}, 1, "Another commit, with a message long enough to copy from")
	seed(func(b *hpackBuilder, _ hoid, _ int64) { b.object(hobjCommit, other) })
	seed(func(b *hpackBuilder, _ hoid, _ int64) { b.object(hobjTree, hTreeBytes(hFile("a.md", hoid{2}))) })
	seed(func(b *hpackBuilder, _ hoid, _ int64) { b.object(hobjBlob, nil) })
	seed(func(b *hpackBuilder, _ hoid, off int64) { b.ofsDelta(hoid{9}, off, hDelta(hFuzzBase, other)) })
	seed(func(b *hpackBuilder, base hoid, _ int64) { b.refDelta(hoid{9}, base, hDelta(hFuzzBase, other)) })
	seed(func(b *hpackBuilder, _ hoid, _ int64) { b.raw(hoid{9}, hobjCommit, 1<<38, nil, hZlib(other)) })
	seed(func(b *hpackBuilder, _ hoid, off int64) {
		d := append(hVarint(uint64(len(hFuzzBase))), hVarint(1<<36)...)
		b.ofsDelta(hoid{9}, off, append(d, hDeltaInsert(other)...))
	})
	seed(func(b *hpackBuilder, _ hoid, _ int64) { b.refDelta(hoid{9}, hoid{9}, hDelta(hFuzzBase, other)) })
	f.Fuzz(func(t *testing.T, entry []byte) {
		b := newHPackBuilder(t)
		base, _ := b.object(hobjCommit, hFuzzBase)
		off := b.next()
		b.body.Write(entry)
		// The entry is indexed too: a REF_DELTA may name itself.
		b.entries = append(b.entries, hpackEntry{hash: hoid{9}, off: off})
		p := hMemPack(t, b)
		db := &hodb{packs: []*hpack{p}}
		r := hNewReader(db, 1<<20)
		for _, keep := range []bool{false, true, true} {
			r.chain = 0
			o, err := r.readAt(0, off, keep, 0)
			if err != nil {
				continue
			}
			if len(o.data) > hMaxObject || o.typ < hobjCommit || o.typ > hobjTag {
				t.Fatalf("%s of %d bytes", o.typ, len(o.data))
			}
			if o.baseKey == 0 && len(o.data) > len(entry)*hDeflateRatio {
				t.Fatalf("%d bytes from an entry of %d", len(o.data), len(entry))
			}
		}
		// By hash, as the history pass reads.
		for _, h := range []hoid{base, {9}} {
			if _, err := r.read(h, true); err != nil && h == base {
				t.Fatalf("the base: %v", err)
			}
		}
	})
}

// FuzzHistoryPackIndex parses an index and looks hashes up in it: never a
// panic, and every offset found lies in the pack or is refused on reading.
func FuzzHistoryPackIndex(f *testing.F) {
	b := newHPackBuilder(f)
	for i := 0; i < 5; i++ {
		b.object(hobjBlob, []byte{byte(i)})
	}
	_, idx := b.bytes()
	f.Add(idx)
	b.entries = append(b.entries, hpackEntry{hash: hoid{0xff}, off: 1 << 40})
	_, idx = b.bytes()
	f.Add(idx)
	f.Add(idx[:len(idx)/2])
	f.Fuzz(func(t *testing.T, idx []byte) {
		p := &hpack{name: "fuzz.pack"}
		if err := p.parseIndex(idx); err != nil {
			return
		}
		pack := make([]byte, 64)
		copy(pack, "PACK\x00\x00\x00\x02")
		copy(pack[len(pack)-20:], idx[len(idx)-40:])
		if err := p.setPack(pack, idx); err != nil {
			t.Fatal(err)
		}
		r := hNewReader(&hodb{packs: []*hpack{p}}, 1<<20)
		for k := 0; k < min(p.n, 64); k++ {
			var h hoid
			copy(h[:], p.hashes[k*20:])
			if off, ok := p.lookup(h); ok {
				r.readAt(0, off, false, 0)
			}
		}
		p.lookup(hoid{})
		p.lookup(hoid{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	})
}

// hTreeHashes name the trees of FuzzHistoryTree: entries naming them are
// subtrees, so the fuzzer can build nested trees and cycles.
var hTreeHashes = [4]hoid{{0x10}, {0x20}, {0x30}, {0x40}}

// hRefTree parses a tree strictly: well-formed entries in git's order, no
// name twice. ok is false for anything else.
func hRefTree(data []byte) (es []htreeEntry, ok bool) {
	for pos := 0; pos < len(data); {
		mode, name, hash, next, err := hEntry(data, pos)
		if err != nil {
			return nil, false
		}
		e := htreeEntry{string(mode), string(name), hoid(hash)}
		if n := len(es); n > 0 {
			p := es[n-1]
			if hNameCmp([]byte(p.name), hIsTree([]byte(p.mode)), name, hIsTree(mode)) >= 0 {
				return nil, false
			}
		}
		es = append(es, e)
		pos = next
	}
	return es, true
}

var (
	errHRef    = errors.New("reference: error")
	errHRefBig = errors.New("reference: too much work")
)

// hRefDiff is the reference diff: the paths that differ between the trees
// a and b (-1: none) of trees, by merging their entries by name, with
// cycles on a path and unknown trees as errors. It gives up after looking
// at budget trees and entries.
func hRefDiff(trees [][]htreeEntry, a, b, budget int) ([]string, error) {
	var out []string
	var walk func(prefix string, a, b int, pathA, pathB []int) error
	index := func(h hoid) int {
		for i, t := range hTreeHashes {
			if t == h && i < len(trees) {
				return i
			}
		}
		return -2
	}
	enter := func(h hoid, path []int) (int, error) {
		i := index(h)
		if i < 0 || slices.Contains(path, i) {
			return 0, errHRef
		}
		if budget--; budget < 0 {
			return 0, errHRefBig
		}
		return i, nil
	}
	walk = func(prefix string, a, b int, pathA, pathB []int) error {
		var ea, eb []htreeEntry
		if a >= 0 {
			ea = trees[a]
		}
		if b >= 0 {
			eb = trees[b]
		}
		for len(ea) > 0 || len(eb) > 0 {
			if budget--; budget < 0 {
				return errHRefBig
			}
			var c int
			switch {
			case len(ea) == 0:
				c = 1
			case len(eb) == 0:
				c = -1
			default:
				c = hNameCmp([]byte(ea[0].name), hIsTree([]byte(ea[0].mode)), []byte(eb[0].name), hIsTree([]byte(eb[0].mode)))
			}
			var x, y *htreeEntry
			if c <= 0 {
				x = &ea[0]
				ea = ea[1:]
			}
			if c >= 0 {
				y = &eb[0]
				eb = eb[1:]
			}
			e := x
			if e == nil {
				e = y
			}
			if !hIsTree([]byte(e.mode)) {
				if x == nil || y == nil || x.hash != y.hash || x.mode != y.mode {
					out = append(out, prefix+e.name)
				}
				continue
			}
			if x != nil && y != nil && x.hash == y.hash {
				continue
			}
			sa, sb := -1, -1
			var err error
			if x != nil {
				if sa, err = enter(x.hash, pathA); err != nil {
					return err
				}
			}
			if y != nil {
				if sb, err = enter(y.hash, pathB); err != nil {
					return err
				}
			}
			if err := walk(prefix+e.name+"/", sa, sb, append(pathA, sa), append(pathB, sb)); err != nil {
				return err
			}
		}
		return nil
	}
	err := walk("", a, b, []int{a}, []int{b})
	sort.Strings(out)
	return out, err
}

// FuzzHistoryTree diffs raw trees: up to four, split from the input at
// each "\xff\xff", named hTreeHashes, diffed pairwise in one differ (so
// entry indexes are derived from one diff to the next), through the entry
// index or not. Never a panic; on well-formed trees, the reference's paths.
func FuzzHistoryTree(f *testing.F) {
	join := func(trees ...[]byte) []byte { return bytes.Join(trees, []byte{0xff, 0xff}) }
	h := hTreeHashes
	a, b := hoid{1}, hoid{2}
	f.Add(join(hTreeBytes(hFile("a.md", a)), hTreeBytes(hFile("a.md", b))))
	f.Add(join(hTreeBytes(hFile("a.md", a), hDir("docs", h[2])), hTreeBytes(hFile("a.md", a), hDir("docs", h[3])),
		hTreeBytes(hFile("x.md", a)), hTreeBytes(hFile("x.md", b), hFile("y", a))))
	f.Add(join(hTreeBytes(hDir("x", h[0])), hTreeBytes(hDir("x", h[1]))))
	f.Add(join(hTreeBytes(hFile("x", a), hFile("x-y", a)), hTreeBytes(hDir("x", h[2]), hFile("x-y", a)), hTreeBytes(hFile("y", b))))
	f.Add(join(hTreeBytes(htreeEntry{"100755", "a.md", a}), hTreeBytes(hFile("a.md", a))))
	f.Add(join([]byte("100644 short\x00abc"), hTreeBytes(hFile("a.md", a))))
	f.Fuzz(func(t *testing.T, in []byte) {
		parts := bytes.Split(in, []byte{0xff, 0xff})
		if len(parts) > len(hTreeHashes) || len(in) > 1<<16 {
			return
		}
		defer func(a, b, c int) { hIdxMin, hMaxPaths, hMaxVisits = a, b, c }(hIdxMin, hMaxPaths, hMaxVisits)
		if len(in)%2 == 0 {
			hIdxMin = 0
		}
		// Bounds that keep a bomb quick; the reference gives up far below.
		hMaxPaths, hMaxVisits = 1<<16, 1<<16
		r := hNewReader(&hodb{}, 1<<30)
		wellFormed := true
		var trees [][]htreeEntry
		for i, data := range parts {
			o := &hobj{typ: hobjTree, data: data, hash: hTreeHashes[i]}
			r.byHash[o.hash] = o
			r.add(o)
			es, ok := hRefTree(data)
			wellFormed = wellFormed && ok
			trees = append(trees, es)
		}
		d := newHDiffer(r)
		pairs := [][2]int{{0, 1}, {1, 2}, {2, 3}, {1, 0}, {3, 0}, {-1, 0}, {0, -1}, {0, 0}}
		for _, p := range pairs {
			if p[0] >= len(parts) || p[1] >= len(parts) {
				continue
			}
			var x, y hoid
			if p[0] >= 0 {
				x = hTreeHashes[p[0]]
			}
			if p[1] >= 0 {
				y = hTreeHashes[p[1]]
			}
			err := d.diffRoot(x, y)
			if !wellFormed {
				continue
			}
			want, werr := hRefDiff(trees, p[0], p[1], 1000)
			if werr == errHRefBig {
				continue
			}
			if (err != nil) != (werr != nil) {
				t.Fatalf("diff %v: error %v, reference %v", p, err, werr)
			}
			if err != nil {
				continue
			}
			var got []string
			for _, id := range d.out {
				got = append(got, d.paths[id])
			}
			sort.Strings(got)
			if !slices.Equal(got, want) {
				t.Fatalf("diff %v:\n got  %q\n want %q", p, got, want)
			}
		}
	})
}
