package repo

// Everything else rmm reads from git (revisions, trees and blobs at a
// revision, tags) goes through go-git's storage, over the same packs as the
// history pass. go-git bounds an object by the bytes it actually inflates,
// but it follows a delta chain with no limit (a REF_DELTA cycle is
// "fatal error: stack overflow"), reads a loose object's stream to its end
// whatever its header declares, and, like the history pass, never checks
// that an object has the hash it was asked for (an index mapping a subtree
// to its parent makes a tree walk loop forever).
//
// hGuardStorage wraps go-git's storage so that an object is read only
// after its delta chain has been walked entry header by entry header in the
// packs (depth, cycles, sizes against the pack, as the history pass bounds
// them), a loose object is read by readLoose with its bounds, and whatever
// comes back has the hash asked for.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
)

// hguard is go-git's filesystem storage with guarded object reads. Every
// other method is the storage's own.
type hguard struct {
	*filesystem.Storage
	gitDir string

	mu      sync.Mutex
	db      *hodb
	r       *hreader // for loose objects
	stamp   string   // of the pack folders, when db was opened
	indexed string   // of the pack folders, when go-git last listed the packs here

	// gitMu is held by every read through go-git's storage and while it is
	// told to list the packs again (Reindex): go-git's object storage is
	// not safe for concurrent readers (its pack index is filled on first
	// use, and again after Reindex, by whichever reader comes first).
	gitMu sync.Mutex
}

// hGuardStorage wraps s, the storage of the repository at gitDir. Any
// storage other than go-git's filesystem one is returned as it is.
func hGuardStorage(s storage.Storer, gitDir string) storage.Storer {
	fs, ok := s.(*filesystem.Storage)
	if !ok || gitDir == "" {
		return s
	}
	return &hguard{Storage: fs, gitDir: gitDir}
}

// EncodedObject reads h as go-git does, with the guards. An object that
// is not found is looked for again after the packs are read anew: a git
// gc running meanwhile (git commit starts one in the background) may have
// packed it and deleted its loose file, or replaced the pack it was in.
func (g *hguard) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	o, err := g.encodedObject(t, h)
	if hVanished(err) && g.refresh() {
		o, err = g.encodedObject(t, h)
	}
	return o, err
}

func (g *hguard) encodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	o, err := g.guard(t, h)
	if err != nil || o != nil {
		return o, err
	}
	g.gitMu.Lock()
	o, err = g.Storage.EncodedObject(t, h)
	g.gitMu.Unlock()
	if err != nil {
		return nil, err
	}
	// A large object read lazily has no hash yet: nothing to compare.
	if got := o.Hash(); got != h && !got.IsZero() {
		return nil, fmt.Errorf("object %s: the repository holds %s under that name (a damaged index?)", h, got)
	}
	return o, nil
}

// EncodedObjectSize reads the size of h as go-git does, after the chain
// check, and like EncodedObject again after a gc.
func (g *hguard) EncodedObjectSize(h plumbing.Hash) (int64, error) {
	n, err := g.encodedObjectSize(h)
	if hVanished(err) && g.refresh() {
		n, err = g.encodedObjectSize(h)
	}
	return n, err
}

func (g *hguard) encodedObjectSize(h plumbing.Hash) (int64, error) {
	g.mu.Lock()
	err := g.checkLocked(hoid(h))
	if err == nil && !g.inPack(hoid(h)) {
		// go-git opens a loose object with a plain open, which waits
		// forever on a named pipe put in its place (EncodedObject reads
		// loose objects with rmm's own reader, which refuses one).
		err = g.db.looseRegular(hoid(h))
	}
	g.mu.Unlock()
	if err != nil {
		return 0, fmt.Errorf("object %s: %w", h, err)
	}
	g.gitMu.Lock()
	defer g.gitMu.Unlock()
	return g.Storage.EncodedObjectSize(h)
}

// HasEncodedObject is go-git's, and like EncodedObject again after a gc.
func (g *hguard) HasEncodedObject(h plumbing.Hash) error {
	g.gitMu.Lock()
	err := g.Storage.HasEncodedObject(h)
	g.gitMu.Unlock()
	if hVanished(err) && g.refresh() {
		g.gitMu.Lock()
		err = g.Storage.HasEncodedObject(h)
		g.gitMu.Unlock()
	}
	return err
}

// hVanished reports an error of an object not found, or of a pack gone:
// what a read racing with a git gc meets.
func hVanished(err error) bool {
	return errors.Is(err, plumbing.ErrObjectNotFound) || errors.Is(err, dotgit.ErrPackfileNotFound) || errors.Is(err, os.ErrNotExist)
}

// refresh makes both readers list the packs again, when the pack folders
// changed since they last did; it reports whether they had.
func (g *hguard) refresh() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.db != nil && g.stamp == hPackStamp(g.db.dirs) && g.indexed == g.stamp {
		return false
	}
	g.gitMu.Lock()
	g.Storage.Reindex()
	g.gitMu.Unlock()
	if g.db != nil {
		g.db.close()
		g.db = nil
	}
	db, err := hOpenODB(g.gitDir)
	if err != nil {
		return true
	}
	g.db, g.r, g.stamp = db, hNewReader(db, 0), hPackStamp(db.dirs)
	g.indexed = g.stamp
	return true
}

// guard checks h's delta chain if it is in a pack, or reads it if it is a
// loose object; o is nil when go-git is to read it.
func (g *hguard) guard(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.checkLocked(hoid(h)); err != nil {
		return nil, fmt.Errorf("object %s: %w", h, err)
	}
	if g.inPack(hoid(h)) {
		return nil, nil
	}
	// Blobs may be larger than anything the history pass reads: the
	// declared size is bounded by the file alone.
	typ, data, err := g.r.readLoose(hoid(h), 1<<62)
	if errors.Is(err, errHistObjectNotFound) {
		return nil, nil // go-git says so, in its own words
	}
	if err != nil {
		return nil, fmt.Errorf("object %s: %w", h, err)
	}
	o := &plumbing.MemoryObject{}
	switch typ {
	case hobjCommit:
		o.SetType(plumbing.CommitObject)
	case hobjTree:
		o.SetType(plumbing.TreeObject)
	case hobjBlob:
		o.SetType(plumbing.BlobObject)
	case hobjTag:
		o.SetType(plumbing.TagObject)
	}
	if t != plumbing.AnyObject && o.Type() != t {
		return nil, plumbing.ErrObjectNotFound
	}
	o.Write(data)
	if got := o.Hash(); got != h {
		return nil, fmt.Errorf("object %s: its loose file holds %s", h, got)
	}
	return o, nil
}

// inPack reports h in one of the packs g knows.
func (g *hguard) inPack(h hoid) bool {
	_, _, ok := g.db.locate(h)
	return ok
}

// checkLocked opens the packs on first use, and again when an object is in
// none of them and the pack folders changed (a gc or fetch since), then
// walks h's chain.
func (g *hguard) checkLocked(h hoid) error {
	if g.db == nil || !g.inPack(h) && g.stamp != hPackStamp(g.db.dirs) {
		if g.db != nil {
			g.db.close()
		}
		db, err := hOpenODB(g.gitDir)
		if err != nil {
			return err
		}
		g.db, g.r, g.stamp = db, hNewReader(db, 0), hPackStamp(db.dirs)
	}
	return g.db.checkChain(h)
}

// looseRegular refuses a loose object file of h that is not a regular
// file; nil when it is one, or when there is none.
func (db *hodb) looseRegular(h hoid) error {
	hx := h.String()
	for _, d := range db.dirs {
		p := filepath.Join(d, hx[:2], hx[2:])
		if fi, err := os.Lstat(p); err == nil {
			if !fi.Mode().IsRegular() {
				return &os.PathError{Op: "open", Path: p, Err: errNotRegular}
			}
			return nil
		}
	}
	return nil
}

// hPackStamp tells whether the pack folders changed.
func hPackStamp(dirs []string) string {
	var s string
	for _, d := range dirs {
		if fi, err := os.Stat(filepath.Join(d, "pack")); err == nil {
			s += fmt.Sprintf("%d.%d;", fi.ModTime().UnixNano(), fi.Size())
		}
	}
	return s
}

// checkChain walks the delta chain of h, if it is in a pack, by entry
// headers alone: each entry must parse, declare no more than the pack can
// inflate to, and the chain end within hMaxDeltaDepth at a whole object
// (or at a base outside the packs, which go-git reads loose). The error
// names the entry at fault.
func (db *hodb) checkChain(h hoid) error {
	pi, off, ok := db.locate(h)
	if !ok {
		return nil
	}
	for depth := 0; ; depth++ {
		p := db.packs[pi]
		if depth > hMaxDeltaDepth {
			return p.errorf(off, "delta chain longer than %d (a cycle?)", hMaxDeltaDepth)
		}
		e, err := p.entry(off)
		if err != nil {
			return err
		}
		if left := len(p.pack) - 20 - e.pos; e.size > uint64(left)*hDeflateRatio {
			return p.errorf(off, "%s declares %d bytes, more than the %d bytes left in the pack can inflate to", e.typ, e.size, left)
		}
		switch e.typ {
		case hobjOfsDelta:
			off = e.base
		case hobjRefDelta:
			if pi, off, ok = db.locate(e.baseHash); !ok {
				return nil
			}
		default:
			return nil
		}
	}
}
