package repo

// The tree diff of LoadHistory works on raw tree bytes. Neighbouring trees
// in history share nearly all their bytes, so the diff first skips the
// common prefix and suffix with memory comparisons and only parses the
// entries in between. Finding where the entry holding the first differing
// byte starts needs the offsets of a tree's entries; they are computed once
// and then derived from the neighbour's, which costs a copy, not a parse.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"sort"
)

// hIdxMin is the tree size from which the diff skips the common prefix
// through the entry index; smaller trees are walked from their start. A
// variable so that tests can send small trees down the indexed path.
var hIdxMin = 2048

var errHistBadTree = errors.New("corrupt tree object")

// hMaxTreeDepth is how many trees a path may pass through, the root
// included: git's core.maxTreeDepth. Trees are read by hash without
// checking the hash, so an index can name a tree's parent as its subtree;
// such a cycle is found on the path (enter), a chain of distinct trees this
// deep is refused.
const hMaxTreeDepth = 4096

// hMaxPaths bounds the distinct paths one diff worker records: some
// thousand times a large library's, some hundreds of megabytes. A tree
// that lists one subtree many times, each level multiplying the paths
// below it (a "git bomb", valid to git), stops here. A variable so that
// tests need not build millions of paths.
var hMaxPaths = 1 << 23

// hMaxVisits bounds the trees entered and entries walked in one commit's
// diff, a few times the files of the largest repositories known. Listing
// one subtree many times multiplies the work even when the leaves are
// empty trees and no path is recorded. A variable for the tests.
var hMaxVisits = 1 << 24

// hframe is a tree on the path being diffed on one side.
type hframe struct {
	hash hoid
	plen int // len(prefix) below the tree: its path is prefix[:plen-1]
}

// hdiffer computes, for one goroutine, the paths that differ between trees.
type hdiffer struct {
	r      *hreader
	prefix []byte
	ids    map[string]int32
	paths  []string
	out    []int32     // path ids found by the current diff
	mids   [][]int32   // scratch per recursion depth: entry offsets walked
	depth  int         // of diff calls, indexing mids
	anc    [2][]hframe // the trees on the current path, of each side
	visits int         // trees entered and entries walked by all, this diff
}

func newHDiffer(r *hreader) *hdiffer {
	return &hdiffer{r: r, ids: make(map[string]int32)}
}

// hShowPath shortens a path for an error message.
func hShowPath(p []byte) string {
	if len(p) == 0 {
		return "the root"
	}
	if len(p) > 200 {
		return fmt.Sprintf("%s…%s (%d folders deep)", p[:80], p[len(p)-80:], bytes.Count(p, []byte{'/'})+1)
	}
	return string(p)
}

// enter reads the tree h at prefix (the path of the tree followed by '/',
// or empty for the root) as the next one down on side's path, refusing a
// tree that is its own ancestor or too deep. leave undoes it.
func (d *hdiffer) enter(side int, h []byte) (*hobj, error) {
	var id hoid
	copy(id[:], h)
	anc := d.anc[side]
	plen := len(d.prefix)
	fail := func(err error) error {
		return fmt.Errorf("tree %s at %s: %w", id, hShowPath(d.prefix[:max(plen-1, 0)]), err)
	}
	for _, f := range anc {
		if f.hash == id {
			return nil, fail(fmt.Errorf("contains itself: it is also the tree at %s (a cycle)", hShowPath(d.prefix[:max(f.plen-1, 0)])))
		}
	}
	if len(anc) >= hMaxTreeDepth {
		return nil, fail(fmt.Errorf("depth over %d (a cycle?)", hMaxTreeDepth))
	}
	if d.visits++; d.visits > hMaxVisits {
		return nil, fail(fmt.Errorf("more than %d trees and entries in one commit (a tree listing a subtree many times?)", hMaxVisits))
	}
	o, err := d.r.read(id, true)
	if err != nil {
		return nil, fail(err)
	}
	if o.typ != hobjTree {
		return nil, fail(fmt.Errorf("object is a %s, not a tree", o.typ))
	}
	d.anc[side] = append(anc, hframe{id, plen})
	return o, nil
}

func (d *hdiffer) leave(side int) { d.anc[side] = d.anc[side][:len(d.anc[side])-1] }

// bad reports a corrupt entry at pos of the tree being read on side.
func (d *hdiffer) bad(side, pos int) error {
	f := d.anc[side][len(d.anc[side])-1]
	return fmt.Errorf("tree %s at %s: %w: bad entry at byte %d", f.hash, hShowPath(d.prefix[:max(f.plen-1, 0)]), errHistBadTree, pos)
}

// emit records prefix+name as changed.
func (d *hdiffer) emit(name []byte) error {
	n := len(d.prefix)
	d.prefix = append(d.prefix, name...)
	id, ok := d.ids[string(d.prefix)]
	if !ok {
		if len(d.paths) >= hMaxPaths {
			err := fmt.Errorf("at %s: more than %d paths (a tree listing a subtree many times?)", hShowPath(d.prefix), hMaxPaths)
			d.prefix = d.prefix[:n]
			return err
		}
		s := string(d.prefix)
		id = int32(len(d.paths))
		d.ids[s] = id
		d.paths = append(d.paths, s)
	}
	d.out = append(d.out, id)
	d.prefix = d.prefix[:n]
	return nil
}

// hEntry parses the tree entry at pos. The mode must be octal digits, as
// git requires: then an entry ends 21 bytes after the first NUL from its
// start, which is how hIndex finds entries without parsing them.
func hEntry(data []byte, pos int) (mode, name, hash []byte, next int, err error) {
	sp := 0
	for ; pos+sp < len(data); sp++ {
		if c := data[pos+sp]; c < '0' || c > '7' {
			break
		}
	}
	if sp == 0 || pos+sp >= len(data) || data[pos+sp] != ' ' {
		return nil, nil, nil, 0, errHistBadTree
	}
	mode = data[pos : pos+sp]
	pos += sp + 1
	nul := bytes.IndexByte(data[pos:], 0)
	if nul <= 0 || pos+nul+21 > len(data) {
		return nil, nil, nil, 0, errHistBadTree
	}
	name = data[pos : pos+nul]
	pos += nul + 1
	return mode, name, data[pos : pos+20], pos + 20, nil
}

// hIsTree reports a folder's mode, 40000 (or 040000, as some old tools
// wrote it); files are 100644, 100755, 120000 and 160000.
func hIsTree(mode []byte) bool {
	if mode[0] == '0' && len(mode) > 1 {
		mode = mode[1:]
	}
	return mode[0] == '4'
}

// hNameCmp orders tree entries as git does: a tree's name compares as if
// it ended in '/'.
func hNameCmp(a []byte, aTree bool, b []byte, bTree bool) int {
	n := min(len(a), len(b))
	if c := bytes.Compare(a[:n], b[:n]); c != 0 {
		return c
	}
	var ca, cb byte
	if len(a) > n {
		ca = a[n]
	} else if aTree {
		ca = '/'
	}
	if len(b) > n {
		cb = b[n]
	} else if bTree {
		cb = '/'
	}
	switch {
	case ca < cb:
		return -1
	case ca > cb:
		return 1
	}
	return 0
}

// hIndex lists the offsets of the entries of a tree, then len(data).
func hIndex(data []byte) ([]int32, error) {
	idx := make([]int32, 0, len(data)/36+1)
	for pos := 0; pos < len(data); {
		idx = append(idx, int32(pos))
		sp := bytes.IndexByte(data[pos:], 0)
		if sp < 0 || pos+sp+21 > len(data) {
			return nil, errHistBadTree
		}
		pos += sp + 21
	}
	return append(idx, int32(len(data))), nil
}

// hCommonPrefix returns the length of the common prefix of a and b.
func hCommonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i+4096 <= n && bytes.Equal(a[i:i+4096], b[i:i+4096]) {
		i += 4096
	}
	for i+128 <= n && bytes.Equal(a[i:i+128], b[i:i+128]) {
		i += 128
	}
	for i+8 <= n {
		x := binary.LittleEndian.Uint64(a[i:]) ^ binary.LittleEndian.Uint64(b[i:])
		if x != 0 {
			return i + bits.TrailingZeros64(x)/8
		}
		i += 8
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// hCommonSuffix returns the length of the common suffix of a and b.
func hCommonSuffix(a, b []byte) int {
	n := min(len(a), len(b))
	la, lb := len(a), len(b)
	i := 0
	for i+4096 <= n && bytes.Equal(a[la-i-4096:la-i], b[lb-i-4096:lb-i]) {
		i += 4096
	}
	for i+128 <= n && bytes.Equal(a[la-i-128:la-i], b[lb-i-128:lb-i]) {
		i += 128
	}
	for i+8 <= n {
		x := binary.BigEndian.Uint64(a[la-i-8:]) ^ binary.BigEndian.Uint64(b[lb-i-8:])
		if x != 0 {
			return i + bits.TrailingZeros64(x)/8
		}
		i += 8
	}
	for i < n && a[la-i-1] == b[lb-i-1] {
		i++
	}
	return i
}

// diffRoot records the paths that differ between the trees a and b (zero
// hash: the empty tree).
func (d *hdiffer) diffRoot(a, b hoid) error {
	d.out = d.out[:0]
	d.prefix = d.prefix[:0]
	d.anc[0], d.anc[1] = d.anc[0][:0], d.anc[1][:0]
	d.depth = 0
	d.visits = 0
	d.r.nextEpoch()
	var ta, tb *hobj
	var err error
	if !a.isZero() {
		if ta, err = d.enter(0, a[:]); err != nil {
			return err
		}
	}
	if !b.isZero() {
		if tb, err = d.enter(1, b[:]); err != nil {
			return err
		}
	}
	switch {
	case ta == nil && tb == nil:
		return nil
	case ta == nil:
		return d.all(1, tb)
	case tb == nil:
		return d.all(0, ta)
	}
	return d.diff(ta, tb)
}

// all records every path below t, the tree on top of side's path.
func (d *hdiffer) all(side int, t *hobj) error {
	data := t.data
	d.visits += len(data) / 28 // an entry takes at least 28 bytes
	for pos := 0; pos < len(data); {
		mode, name, hash, next, err := hEntry(data, pos)
		if err != nil {
			return d.bad(side, pos)
		}
		if err := d.one(side, mode, name, hash); err != nil {
			return err
		}
		pos = next
	}
	return nil
}

// one records an entry present on one side only.
func (d *hdiffer) one(side int, mode, name, hash []byte) error {
	if !hIsTree(mode) {
		return d.emit(name)
	}
	n := len(d.prefix)
	d.prefix = append(append(d.prefix, name...), '/')
	sub, err := d.enter(side, hash)
	if err == nil {
		err = d.all(side, sub)
		d.leave(side)
	}
	d.prefix = d.prefix[:n]
	return err
}

// diff records the paths that differ between the trees a and b.
func (d *hdiffer) diff(a, b *hobj) error {
	da, db := a.data, b.data
	// When one tree was built from the other by a delta, the delta says how
	// much of both ends it left alone.
	var pre, suf int
	switch {
	case b.baseKey != 0 && b.baseKey == a.key:
		pre, suf = b.pre, b.suf
	case a.baseKey != 0 && a.baseKey == b.key:
		pre, suf = a.pre, a.suf
	}
	pre = min(pre, len(da), len(db))
	start := 0
	indexed := len(da) >= hIdxMin && len(db) >= hIdxMin
	if indexed {
		p := pre + hCommonPrefix(da[pre:], db[pre:])
		if p == len(da) && p == len(db) {
			return nil
		}
		if a.idx == nil && b.idx == nil {
			idx, err := hIndex(da)
			if err != nil {
				return d.bad(0, 0)
			}
			d.r.setIdx(a, idx)
		}
		ref := a.idx
		if ref == nil {
			ref = b.idx
		}
		k := sort.Search(len(ref), func(i int) bool { return int(ref[i]) > p }) - 1
		if k < 0 {
			return d.bad(0, 0)
		}
		start = int(ref[k])
	}
	s := min(suf, len(da)-start, len(db)-start)
	s += hCommonSuffix(da[start:len(da)-s], db[start:len(db)-s])

	for len(d.mids) < 2*(d.depth+1) {
		d.mids = append(d.mids, nil)
	}
	midA, midB := d.mids[2*d.depth][:0], d.mids[2*d.depth+1][:0]
	d.depth++
	defer func() { d.depth-- }()

	ia, ib := start, start
	for {
		ra, rb := len(da)-ia, len(db)-ib
		if ra == rb && ra <= s {
			break
		}
		// Two changes far apart in one tree: skip the identical entries
		// between them as the common prefix was skipped.
		if indexed && ra > 512 && rb > 512 && bytes.Equal(da[ia:ia+64], db[ib:ib+64]) {
			p := hCommonPrefix(da[ia:], db[ib:])
			if a.idx != nil {
				k0 := sort.Search(len(a.idx), func(i int) bool { return int(a.idx[i]) >= ia })
				k1 := sort.Search(len(a.idx), func(i int) bool { return int(a.idx[i]) > ia+p }) - 1
				if k1 > k0 && int(a.idx[k0]) == ia {
					shift := int32(ib - ia)
					midA = append(midA, a.idx[k0:k1]...)
					for _, v := range a.idx[k0:k1] {
						midB = append(midB, v+shift)
					}
					ib += int(a.idx[k1]) - ia
					ia = int(a.idx[k1])
					continue
				}
			} else {
				k0 := sort.Search(len(b.idx), func(i int) bool { return int(b.idx[i]) >= ib })
				k1 := sort.Search(len(b.idx), func(i int) bool { return int(b.idx[i]) > ib+p }) - 1
				if k1 > k0 && int(b.idx[k0]) == ib {
					shift := int32(ia - ib)
					midB = append(midB, b.idx[k0:k1]...)
					for _, v := range b.idx[k0:k1] {
						midA = append(midA, v+shift)
					}
					ia += int(b.idx[k1]) - ib
					ib = int(b.idx[k1])
					continue
				}
			}
		}
		if ia >= len(da) {
			for ib < len(db) {
				mode, name, hash, next, err := hEntry(db, ib)
				if err != nil {
					return d.bad(1, ib)
				}
				midB = append(midB, int32(ib))
				if err := d.one(1, mode, name, hash); err != nil {
					return err
				}
				ib = next
			}
			break
		}
		if ib >= len(db) {
			for ia < len(da) {
				mode, name, hash, next, err := hEntry(da, ia)
				if err != nil {
					return d.bad(0, ia)
				}
				midA = append(midA, int32(ia))
				if err := d.one(0, mode, name, hash); err != nil {
					return err
				}
				ia = next
			}
			break
		}
		ma, na, ha, nextA, err := hEntry(da, ia)
		if err != nil {
			return d.bad(0, ia)
		}
		mb, nb, hb, nextB, err := hEntry(db, ib)
		if err != nil {
			return d.bad(1, ib)
		}
		ta, tb := hIsTree(ma), hIsTree(mb)
		switch c := hNameCmp(na, ta, nb, tb); {
		case c < 0:
			midA = append(midA, int32(ia))
			if err := d.one(0, ma, na, ha); err != nil {
				return err
			}
			ia = nextA
		case c > 0:
			midB = append(midB, int32(ib))
			if err := d.one(1, mb, nb, hb); err != nil {
				return err
			}
			ib = nextB
		default:
			midA = append(midA, int32(ia))
			midB = append(midB, int32(ib))
			if !bytes.Equal(ha, hb) {
				if ta {
					if err := d.sub(na, ha, hb); err != nil {
						return err
					}
				} else if err := d.emit(na); err != nil {
					return err
				}
			} else if !ta && !bytes.Equal(ma, mb) {
				if err := d.emit(na); err != nil {
					return err
				}
			}
			ia, ib = nextA, nextB
		}
	}
	d.mids[2*(d.depth-1)], d.mids[2*(d.depth-1)+1] = midA, midB
	if indexed {
		if b.idx == nil {
			d.r.setIdx(b, hDeriveIndex(a.idx, start, ia, ib, midB, d.r.idxBuf))
		} else if a.idx == nil {
			d.r.setIdx(a, hDeriveIndex(b.idx, start, ib, ia, midA, d.r.idxBuf))
		}
	}
	return nil
}

// sub diffs the subtrees named name.
func (d *hdiffer) sub(name, ha, hb []byte) error {
	n := len(d.prefix)
	d.prefix = append(append(d.prefix, name...), '/')
	defer func() { d.prefix = d.prefix[:n] }()
	ta, err := d.enter(0, ha)
	if err != nil {
		return err
	}
	defer d.leave(0)
	tb, err := d.enter(1, hb)
	if err != nil {
		return err
	}
	defer d.leave(1)
	return d.diff(ta, tb)
}

// hDeriveIndex builds the entry index of a tree from that of a neighbour
// (src): both agree before start, src's entries from stopSrc on are the
// tree's from stopDst on, and mid lists the tree's entries in between.
func hDeriveIndex(src []int32, start, stopSrc, stopDst int, mid []int32, alloc func(int) []int32) []int32 {
	k := sort.Search(len(src), func(i int) bool { return int(src[i]) >= start })
	j := sort.Search(len(src), func(i int) bool { return int(src[i]) >= stopSrc })
	out := alloc(k + len(mid) + len(src) - j)
	out = append(out, src[:k]...)
	out = append(out, mid...)
	shift := int32(stopDst - stopSrc)
	for _, v := range src[j:] {
		out = append(out, v+shift)
	}
	return out
}
