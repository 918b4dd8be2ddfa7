package repo

// Checking that blobs are in the object store and whole, many at once:
// what baseline create does for every document it tags.

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

// CheckBlobs is CheckBlob for many blobs: it returns, by hash, an error
// for each one that is missing (wrapping ErrMissingObject), cannot be read
// or is corrupt; nil when all are whole. Packed objects are read through
// the pack reader LoadHistory uses and loose ones directly, by several
// goroutines, several times faster than go-git's storer, which reads one
// object at a time. A packed blob an earlier run found whole is not read
// again while its pack's bytes are the same (blobs_verified.go).
func (r *Repo) CheckBlobs(hashes []string) map[string]error {
	bad, _ := r.checkBlobs(hashes)
	return bad
}

// checkBlobs is CheckBlobs; read is how many blobs it read and hashed.
func (r *Repo) checkBlobs(hashes []string) (bad map[string]error, read int) {
	var mu sync.Mutex
	fail := func(hash string, err error) {
		mu.Lock()
		defer mu.Unlock()
		if bad == nil {
			bad = map[string]error{}
		}
		bad[hash] = err
	}
	db, err := hOpenODB(r.commonDir())
	if err != nil {
		for _, h := range hashes {
			if err := r.CheckBlob(h); err != nil {
				fail(h, err)
			}
		}
		return bad, len(hashes)
	}
	defer db.close()
	// In pack order, each goroutine a contiguous run: neighbouring
	// entries share delta bases (git writes a base before its deltas, and
	// deltifies similar documents against each other: chains 25 deep are
	// common after git gc), which the reader's cache then decodes once.
	type located struct {
		hash string
		pack int
		off  int64
	}
	order := make([]located, len(hashes))
	wanted := make([]int, len(db.packs))
	for i, h := range hashes {
		order[i] = located{hash: h, pack: -1}
		var id hoid
		if n, err := hex.Decode(id[:], []byte(h)); err == nil && n == len(id) && len(h) == 2*len(id) {
			if pi, off, ok := db.locate(id); ok {
				order[i].pack, order[i].off = pi, off
				wanted[pi]++
			}
		}
	}
	sort.Slice(order, func(i, j int) bool {
		if order[i].pack != order[j].pack {
			return order[i].pack < order[j].pack
		}
		return order[i].off < order[j].off
	})
	// Drop the blobs found whole before in a pack whose bytes are the same.
	recPath := verifiedPath(r.commonDir())
	old := readVerified(recPath)
	digests := make([]*[32]byte, len(db.packs))
	trusted := make([][]verifiedEntry, len(db.packs))
	for pi, p := range db.packs {
		if wanted[pi] == 0 || !p.worthHashing(wanted[pi]) {
			continue
		}
		d := p.digest()
		digests[pi] = &d
		if rec, ok := old.packs[p.name]; ok && rec.digest == d {
			trusted[pi] = rec.entries
		}
	}
	todo := order[:0:0]
	for _, l := range order {
		if l.pack >= 0 && trusted[l.pack] != nil {
			var id hoid
			hex.Decode(id[:], []byte(l.hash))
			if verifiedHas(trusted[l.pack], l.off, id) {
				continue
			}
		}
		todo = append(todo, l)
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), len(todo)))
	var wg sync.WaitGroup
	checkers := make([]*blobChecker, workers)
	for w := 0; w < workers; w++ {
		part := todo[w*len(todo)/workers : (w+1)*len(todo)/workers]
		c := &blobChecker{db: db, rd: hNewReader(db, blobBaseCache), objects: filepath.Join(r.commonDir(), "objects"),
			trusted: old.loose, found: map[hoid][32]byte{}}
		checkers[w] = c
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, l := range part {
				if err := c.check(l.hash); err != nil {
					fail(l.hash, err)
				}
			}
		}()
	}
	wg.Wait()
	read = len(todo)
	loose := map[hoid][32]byte{}
	for _, c := range checkers {
		read -= c.skipped
		for id, d := range c.found {
			loose[id] = d
		}
	}
	looked := make(map[hoid]bool, len(todo))
	for _, l := range todo {
		var id hoid
		if _, err := hex.Decode(id[:], []byte(l.hash)); err == nil {
			looked[id] = true
		}
	}
	looseChanged := false
	for id, d := range old.loose {
		if n, ok := loose[id]; !ok || n != d {
			looseChanged = true
		}
		if !looked[id] && len(loose) < verifiedMax/2 {
			loose[id] = d // not looked at this run
		}
	}
	looseChanged = looseChanged || len(loose) != len(old.loose)
	// Record what is now known whole, for the next run.
	found := make([][]verifiedEntry, len(db.packs))
	for _, l := range todo {
		// Only a blob whose bytes and delta bases all lie in its own pack
		// is known whole by that pack's digest.
		if l.pack >= 0 && digests[l.pack] != nil && bad[l.hash] == nil && db.chainWithin(l.pack, l.off) {
			var id hoid
			hex.Decode(id[:], []byte(l.hash))
			found[l.pack] = append(found[l.pack], verifiedEntry{off: l.off, id: id})
		}
	}
	next := verifiedPacks{}
	changed := false
	present := map[string]bool{}
	for pi, p := range db.packs {
		present[p.name] = true
		switch rec, ok := old.packs[p.name]; {
		case digests[pi] != nil:
			entries := mergeVerified(trusted[pi], found[pi])
			next[p.name] = packRecord{digest: *digests[pi], entries: entries}
			changed = changed || !ok || rec.digest != *digests[pi] || len(entries) != len(rec.entries)
		case ok:
			next[p.name] = rec // not looked at this run
		}
	}
	for name := range old.packs {
		changed = changed || !present[name]
	}
	if changed || looseChanged {
		writeVerified(recPath, verifiedRecord{packs: next, loose: loose})
	}
	return bad, read
}

// blobBaseCache bounds the delta bases each checking goroutine keeps
// decoded (git's core.deltaBaseCacheLimit is 96 MiB).
const blobBaseCache = 32 << 20

// blobChecker checks blobs for one goroutine.
type blobChecker struct {
	db      *hodb
	rd      *hreader
	objects string
	zr      io.ReadCloser // reused zlib reader of loose objects
	buf     []byte        // reused buffer of loose objects' files
	// trusted holds the digests of loose objects' files found whole by
	// an earlier run (read only, shared); found, those this checker
	// found whole now, trusted or checked; skipped counts the trusted.
	trusted map[hoid][32]byte
	found   map[hoid][32]byte
	skipped int
}

func (c *blobChecker) check(hash string) (err error) {
	var h hoid
	if n, err := hex.Decode(h[:], []byte(hash)); err != nil || n != len(h) || len(hash) != 2*len(h) {
		return fmt.Errorf("%q is not a blob id", hash)
	}
	defer func() {
		if p := recover(); p != nil { // the pack reader on corrupt data
			err = fmt.Errorf("blob %s cannot be read: corrupt object data: %v", hash, p)
		}
	}()
	if _, _, ok := c.db.locate(h); !ok {
		switch err := c.loose(hash, h); {
		case err == nil:
			return nil
		case !errors.Is(err, os.ErrNotExist):
			return err
		}
		// Not loose here either: alternates, or a pack go-git can read
		// and the pack reader cannot.
	}
	c.rd.nextEpoch()
	var o *hobj
	if pi, off, ok := c.db.locate(h); ok {
		// The copy at the place CheckBlobs records (a blob in two packs
		// is read where locate finds it, not where the reader last was).
		c.rd.chain = 0
		o, err = c.rd.readAt(pi, off, false, 0)
	} else {
		o, err = c.rd.read(h, false)
	}
	if errors.Is(err, errHistObjectNotFound) {
		return fmt.Errorf("blob %s is %w", hash, ErrMissingObject)
	}
	if err != nil {
		return fmt.Errorf("blob %s cannot be read: %w", hash, err)
	}
	if o.typ != hobjBlob {
		return fmt.Errorf("blob %s cannot be read: it is a %s", hash, o.typ)
	}
	if got := plumbing.ComputeHash(plumbing.BlobObject, o.data); hoid(got) != h {
		return fmt.Errorf("blob %s is corrupt: its %d bytes hash to %s", hash, len(o.data), got)
	}
	return nil
}

// loose checks the loose object h: an error wrapping os.ErrNotExist when
// there is none.
func (c *blobChecker) loose(hash string, h hoid) error {
	f, info, err := openRegular(filepath.Join(c.objects, hash[:2], hash[2:]))
	if errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err != nil {
		return fmt.Errorf("blob %s cannot be read: %w", hash, err)
	}
	defer f.Close()
	bad := func(err error) error { return fmt.Errorf("blob %s cannot be read: %w", hash, err) }
	// The file's bytes are read once, digested and inflated from memory,
	// so the digest recorded is of the bytes found whole; a file too
	// large to hold is streamed, and not recorded.
	var src io.Reader = f
	var digest *[32]byte
	data, err := readUpTo(f, c.buf, info.Size(), looseRecordMax+1)
	if err != nil {
		return bad(err)
	}
	c.buf = data[:0] // only this call uses data
	if len(data) <= looseRecordMax {
		d := sha256.Sum256(data)
		if t, ok := c.trusted[h]; ok && t == d {
			c.found[h] = d
			c.skipped++
			return nil
		}
		src, digest = bytes.NewReader(data), &d
	} else if _, err := f.Seek(0, io.SeekStart); err != nil {
		return bad(err)
	}
	if c.zr == nil {
		c.zr, err = zlib.NewReader(src)
	} else {
		err = c.zr.(zlib.Resetter).Reset(src, nil)
	}
	if err != nil {
		return bad(err)
	}
	var head [32]byte
	n, err := io.ReadFull(c.zr, head[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return bad(err)
	}
	nul := bytes.IndexByte(head[:n], 0)
	typ, size, ok := bytes.Cut(head[:max(nul, 0)], []byte(" "))
	want, perr := strconv.ParseInt(string(size), 10, 64)
	if nul < 0 || !ok || perr != nil || want < 0 {
		return bad(errors.New("not a git object"))
	}
	if string(typ) != "blob" {
		return fmt.Errorf("blob %s cannot be read: it is a %s", hash, typ)
	}
	sum := plumbing.NewHasher(plumbing.BlobObject, want)
	sum.Write(head[nul+1 : n])
	got, err := io.Copy(sum, c.zr)
	if err != nil {
		return bad(err)
	}
	if got += int64(n - nul - 1); got != want {
		return fmt.Errorf("blob %s is corrupt: it holds %d bytes, its header says %d", hash, got, want)
	}
	if s := sum.Sum(); hoid(s) != h {
		return fmt.Errorf("blob %s is corrupt: its %d bytes hash to %s", hash, got, s)
	}
	if digest != nil {
		c.found[h] = *digest
	}
	return nil
}

// readUpTo reads r to its end, or to limit bytes, into buf (grown when
// short), sized at first for hint bytes: a loose object's file is read in
// one read and one at its end, where io.ReadAll starts at 512 bytes and
// grows (6,000 loose objects: 118 ms of CPU a run with io.ReadAll, 67 ms
// so).
func readUpTo(r io.Reader, buf []byte, hint int64, limit int) ([]byte, error) {
	if n := int(min(max(hint+1, 512), int64(limit))); cap(buf) < n {
		buf = make([]byte, 0, n)
	}
	buf = buf[:0]
	for len(buf) < limit {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		m, err := r.Read(buf[len(buf):min(cap(buf), limit)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// looseRecordMax is the largest loose object file whose digest is
// recorded (blobs_verified.go); larger ones are checked on every run.
const looseRecordMax = 16 << 20
