package repo

// What CheckBlobs found whole in a pack, kept for the next run.
//
// Inflating every blob a baseline lists, and hashing it, is most of what
// baseline create and verify cost (0.34 s of CPU for 5,520 documents in
// bench/baseline.sh). Hashing the bytes of the pack they are in, and of
// its index, costs a few milliseconds for the same pack (21 MB). So
// CheckBlobs records, for each pack, a digest of those bytes and the
// offsets of the blobs it read there and found whole; a later run that
// finds the same digest knows those entries hold the same bytes (the
// index maps each id to the same offset, the pack holds the same entry
// and the same delta bases there) and so the same blobs, whole. A pack
// changed in any byte, damaged or edited, gets another digest, and every
// blob in it is read and hashed again, as without the record.
//
// The record is a file of package store's cache format below
// <gitdir>/rmm/blobcheck: sealed with the binary's identity, ignored when
// damaged or foreign, replaced whole. Like the rest of the git folder, it
// is no defence against someone who can write there: whoever can edit the
// object store can as well move a tag.

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/rmm-pal/rmm/store"
)

const (
	verifiedKind    = "blobcheck"
	verifiedVersion = 3 // 2: the blob id beside each offset; 3: loose objects
	verifiedFile    = "verified.bin"
	// verifiedMax bounds the offsets read back from the record.
	verifiedMax = 1 << 22
	// digestChunk is the size of the pieces of a pack hashed on
	// separate cores.
	digestChunk = 8 << 20
)

// packRecord is what a run found whole in one pack.
type packRecord struct {
	digest  [32]byte
	entries []verifiedEntry // by offset, each offset once
}

// verifiedEntry is a blob found whole at an offset of the pack. Both are
// kept: an index could name two ids at one offset, and only the one whose
// bytes are there was found whole.
type verifiedEntry struct {
	off int64
	id  hoid
}

// verifiedHas reports the blob id recorded whole at off.
func verifiedHas(es []verifiedEntry, off int64, id hoid) bool {
	i, ok := slices.BinarySearchFunc(es, off, func(e verifiedEntry, off int64) int { return cmp.Compare(e.off, off) })
	return ok && es[i].id == id
}

// chainWithin reports whether the entry at off in pack pi, and every
// delta base it is built from, are entries of that same pack, as the
// reader resolves them (a REF_DELTA's base from the first pack that holds
// it, as readRef does): only then does the pack's digest cover every byte
// the blob is made of.
func (db *hodb) chainWithin(pi int, off int64) bool {
	p := db.packs[pi]
	for depth := 0; depth <= hMaxDeltaDepth; depth++ {
		e, err := p.entry(off)
		if err != nil {
			return false
		}
		switch e.typ {
		case hobjOfsDelta:
			off = e.base
		case hobjRefDelta:
			bpi, boff, ok := db.locate(e.baseHash)
			if !ok || bpi != pi {
				return false
			}
			off = boff
		default:
			return true
		}
	}
	return false
}

// verifiedPacks is the record of the packs, by pack file name.
type verifiedPacks map[string]packRecord

// verifiedRecord is the whole record: the packs, and the loose objects
// found whole, each with a SHA-256 digest of its file's bytes. A loose
// object's file is named by the object's id, so a file of the same bytes
// holds the same object, whole; reading and hashing the compressed bytes
// is a fraction of inflating them and hashing the blob (0.27 s of CPU for
// the 6,000 loose objects of bench/baseline.sh's corpus, whose approvals
// are commits not yet packed). A file changed in any byte is checked as
// on the first run.
type verifiedRecord struct {
	packs verifiedPacks
	loose map[hoid][32]byte
}

func verifiedPath(commonDir string) string {
	return filepath.Join(store.Dir(commonDir, verifiedKind), verifiedFile)
}

// readVerified reads the record; a missing, damaged or foreign one is
// empty.
func readVerified(path string) verifiedRecord {
	empty := verifiedRecord{packs: verifiedPacks{}, loose: map[hoid][32]byte{}}
	body, err := store.ReadCache(path, verifiedKind, verifiedVersion)
	if err != nil {
		return empty
	}
	v, err := decodeVerified(body)
	if err != nil {
		return empty
	}
	return v
}

var errVerifiedDamaged = errors.New("damaged record")

// decodeVerified parses the record: a count of packs, and for each its
// name (length first), digest, count of offsets and the offsets as
// increasing deltas, all uvarints; then a count of loose objects, and for
// each its id and digest.
func decodeVerified(b []byte) (verifiedRecord, error) {
	var none verifiedRecord
	next := func() (uint64, error) {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, errVerifiedDamaged
		}
		b = b[n:]
		return v, nil
	}
	packs, err := next()
	if err != nil || packs > uint64(len(b)) {
		return none, errVerifiedDamaged
	}
	v := make(verifiedPacks, packs)
	total := 0
	for range packs {
		n, err := next()
		if err != nil || n > uint64(len(b)) || n > 4096 {
			return none, errVerifiedDamaged
		}
		name := string(b[:n])
		b = b[n:]
		var rec packRecord
		if len(b) < len(rec.digest) {
			return none, errVerifiedDamaged
		}
		copy(rec.digest[:], b)
		b = b[len(rec.digest):]
		count, err := next()
		if err != nil || count > uint64(len(b))/21 || total+int(count) > verifiedMax {
			return none, errVerifiedDamaged
		}
		total += int(count)
		rec.entries = make([]verifiedEntry, count)
		var off uint64
		for i := range rec.entries {
			d, err := next()
			if err != nil || (i > 0 && d == 0) || off+d < off || off+d > 1<<62 || len(b) < 20 {
				return none, errVerifiedDamaged
			}
			off += d
			rec.entries[i].off = int64(off)
			copy(rec.entries[i].id[:], b)
			b = b[20:]
		}
		v[name] = rec
	}
	loose, err := next()
	if err != nil || loose > uint64(len(b))/52 || total+int(loose) > verifiedMax {
		return none, errVerifiedDamaged
	}
	rec := verifiedRecord{packs: v, loose: make(map[hoid][32]byte, loose)}
	for range loose {
		var id hoid
		var d [32]byte
		copy(id[:], b)
		copy(d[:], b[20:52])
		b = b[52:]
		rec.loose[id] = d
	}
	if len(b) != 0 {
		return none, errVerifiedDamaged
	}
	return rec, nil
}

func (r verifiedRecord) encode() []byte {
	b := r.packs.encodePacks()
	ids := make([]hoid, 0, len(r.loose))
	for id := range r.loose {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b hoid) int { return bytes.Compare(a[:], b[:]) })
	b = binary.AppendUvarint(b, uint64(len(ids)))
	for _, id := range ids {
		d := r.loose[id]
		b = append(b, id[:]...)
		b = append(b, d[:]...)
	}
	return b
}

func (v verifiedPacks) encodePacks() []byte {
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	slices.Sort(names)
	b := binary.AppendUvarint(nil, uint64(len(names)))
	for _, name := range names {
		rec := v[name]
		b = binary.AppendUvarint(b, uint64(len(name)))
		b = append(b, name...)
		b = append(b, rec.digest[:]...)
		b = binary.AppendUvarint(b, uint64(len(rec.entries)))
		var prev int64
		for _, e := range rec.entries {
			b = binary.AppendUvarint(b, uint64(e.off-prev))
			b = append(b, e.id[:]...)
			prev = e.off
		}
	}
	return b
}

func writeVerified(path string, v verifiedRecord) {
	body := append(store.Prefix(verifiedKind, verifiedVersion), v.encode()...)
	_ = store.WriteCache(path, store.Seal(body)) // only a shortcut
}

// digest hashes the pack's index and pack bytes, in pieces on every core.
func (p *hpack) digest() [32]byte {
	n := (len(p.pack) + digestChunk - 1) / digestChunk
	leaves := make([][32]byte, n)
	var wg sync.WaitGroup
	work := make(chan int, n)
	for i := range n {
		work <- i
	}
	close(work)
	for range max(1, min(runtime.GOMAXPROCS(0), n)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				leaves[i] = sha256.Sum256(p.pack[i*digestChunk : min(len(p.pack), (i+1)*digestChunk)])
			}
		}()
	}
	h := sha256.New()
	h.Write([]byte("rmm pack digest 1\x00"))
	h.Write(binary.AppendUvarint(nil, uint64(len(p.idx))))
	h.Write(p.idx)
	h.Write(binary.AppendUvarint(nil, uint64(len(p.pack))))
	wg.Wait()
	for _, l := range leaves {
		h.Write(l[:])
	}
	var d [32]byte
	h.Sum(d[:0])
	return d
}

// worthHashing tells whether hashing the whole pack costs less than
// reading the wanted blobs of it: always for a pack up to 32 MiB, and
// for a larger one (of images, say) up to 64 KiB a wanted blob.
func (p *hpack) worthHashing(wanted int) bool {
	return len(p.pack) <= max(32<<20, wanted<<16)
}

// mergeVerified is the union of a and b, each sorted by offset, by
// offset; at an offset in both, b's (found this run) stands.
func mergeVerified(a, b []verifiedEntry) []verifiedEntry {
	out := make([]verifiedEntry, 0, len(a)+len(b))
	for len(a) > 0 || len(b) > 0 {
		switch {
		case len(b) == 0 || len(a) > 0 && a[0].off < b[0].off:
			out, a = append(out, a[0]), a[1:]
		case len(a) == 0 || b[0].off < a[0].off:
			out, b = append(out, b[0]), b[1:]
		default:
			out, a, b = append(out, b[0]), a[1:], b[1:]
		}
		if n := len(out); n > 1 && out[n-1].off == out[n-2].off {
			out = out[:n-1] // b held one offset twice (two ids: never both whole)
		}
	}
	return out
}
