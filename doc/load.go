package doc

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yuin/goldmark/ast"
)

// MaxFileSize is the largest document rmm reads.
const MaxFileSize = 10 << 20

// DefaultOutput is the site's output folder, never read as documents.
const DefaultOutput = "_site"

// Library is every document of a repository at one revision.
type Library struct {
	Config *Config
	Docs   []*Document // sorted by path
	ByID   map[string]*Document
	ByPath map[string]*Document
	// Files holds every regular file path seen (documents or not), so rules
	// can check that a measure's data file exists.
	Files map[string]bool
	// Symlinks holds the paths of Files that are symbolic links (nil for
	// a Library that Load did not make).
	Symlinks map[string]bool
	// Diags are the problems met while loading: bad files, duplicate ids.
	Diags []Diagnostic

	// started is when this load began, before any file was looked at;
	// stamps is what a stat said of each document read (LoadOptions.Previous
	// uses both to skip reading files that cannot have changed).
	started time.Time
	stamps  map[string]stamp
}

// stamp is what a stat says of a file: a file whose stamp is unchanged,
// and was already old when the previous load began, is not read again.
type stamp struct {
	size         int64
	mtime, ctime int64 // nanoseconds; ctime 0 where the system has none
	ino          uint64
}

// racyWindow is how much older than the previous load's start a file's
// times must be for its stamp to be trusted (git's "racily clean" rule):
// a file written in the same tick of the file system's clock as the
// previous load read it may have changed without its times showing it.
// It is generous, for coarse file systems and a kernel clock that lags
// time.Now; a file edited within it is only read once more.
var racyWindow = 2 * time.Second

// LoadOptions tune Load.
type LoadOptions struct {
	// Output is a folder to leave out besides DefaultOutput (e.g. `-o DIR`
	// inside the repository), slash-separated from the root.
	Output string
	// Previous is an earlier load of the same tree (rmm serve passes the
	// last one): a file whose bytes are unchanged reuses its Document
	// instead of being parsed again. Documents are never modified after
	// loading, so sharing them is safe. A file whose size, modification
	// and change times and inode are what the previous load saw, and were
	// already older than that load's start (racyWindow), is not even read.
	// Previous must come from the same fs.FS (the working tree).
	Previous *Library
	// Skip, when set, leaves out paths (and, for folders, all below them);
	// package repo passes git's ignore rules for the working tree, so a
	// file git does not track is not a document.
	Skip func(p string, dir bool) bool
	// Submodule, when set, says whether the folder p is a git submodule
	// or a nested repository, and which: it returns "" for an ordinary
	// folder, else what the folder is ("a git submodule"). Such a
	// folder's files belong to another repository, so they are not part of
	// the library: Load skips it and warns once, naming it (rule
	// submodule), unless rmm.yaml ignore lists it. Package repo passes one for the working tree and for
	// commits alike, so both give the same warning.
	Submodule func(p string) string
	// Cache, when set, is a folder holding a persistent cache of parsed
	// documents (see cache.go): a file whose bytes were parsed before, by
	// the same rmm binary, is decoded from it instead of parsed again.
	// Package repo passes <gitdir>/rmm/parse.
	Cache string
	// BlobID, when set, is the git blob id of a file's bytes: a working
	// tree file read anew is hashed with it and the id kept in the stamp
	// cache with its bytes, so that a later run knows it unread
	// (Document.KnownBlob). Package repo passes its BlobHash.
	BlobID func(data []byte) string
	// OnBody, when set, is given every document parsed in this load (not
	// those taken from a cache or Previous) with its body's goldmark tree,
	// parsed with NewMarkdown's set-up, before Load returns; it is called
	// from several goroutines at once and must not keep the tree (package
	// render renders the body from it, so that a build parses each file
	// once).
	OnBody func(d *Document, body ast.Node)
}

// ErrNoConfig is returned when the tree has no rmm.yaml.
var ErrNoConfig = errors.New("no rmm.yaml at the root")

// Load reads rmm.yaml and every document of fsys. fsys is rooted at the
// library's root; it may implement fs.ReadLinkFS so that symlinks can be
// checked (os.DirFS and package repo's git trees do). Problems with user
// files become diagnostics; the error is for a missing rmm.yaml or a failure
// to read the tree at all.
func Load(fsys fs.FS, opts LoadOptions) (*Library, error) {
	lib := &Library{ByID: map[string]*Document{}, ByPath: map[string]*Document{}, Files: map[string]bool{}, Symlinks: map[string]bool{}, started: time.Now()}
	data, err := fs.ReadFile(fsys, ConfigFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoConfig
	}
	if err != nil {
		return nil, fmt.Errorf("read rmm.yaml: %w", err)
	}
	cfg, diags := ParseConfig(data)
	lib.Diags = append(lib.Diags, diags...)
	if cfg == nil {
		cfg = &Config{Lines: map[string]int{}}
	}
	lib.Config = cfg

	// The caches are read (and the binary identified, for their keys)
	// while the folders are walked.
	var pc, bc, sc *parseCache
	var caches sync.WaitGroup
	if opts.Cache != "" {
		caches.Go(func() { pc = openParseCache(opts.Cache) })
		if _, tree := fsys.(blobHasher); tree {
			caches.Go(func() { bc = openBlobCache(opts.Cache) })
		} else if opts.Previous == nil {
			caches.Go(func() { sc = openStampCache(opts.Cache) }) // the working tree, read afresh
		}
	}
	var paths []string
	var entries []fs.DirEntry // by paths' index: a regular file's entry, else nil
	var blobs []string        // by paths' index: the git blob id, when fsys is a tree
	bh, _ := fsys.(blobHasher)
	if opts.Cache == "" {
		bh = nil
	}
	err = fs.WalkDir(fsys, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			lib.Diags = append(lib.Diags, Errorf(p, 0, "read", "cannot read: %v", err))
			if e != nil && e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p == "." {
			return nil
		}
		name := e.Name()
		if e.IsDir() {
			if strings.HasPrefix(name, ".") || p == DefaultOutput || (opts.Output != "" && p == opts.Output) || name == "node_modules" || cfg.Ignored(p) {
				return fs.SkipDir
			}
			// After the folders that are never read, so that a submodule
			// is reported where, and only where, its files would
			// otherwise have been documents.
			if opts.Submodule != nil {
				if what := opts.Submodule(p); what != "" {
					lib.Diags = append(lib.Diags, Warnf(p, 0, "submodule", "%s is %s: its files are not part of the library (list it in rmm.yaml ignore to silence this)", p, what))
					return fs.SkipDir
				}
			}
			if opts.Skip != nil && opts.Skip(p, true) {
				return fs.SkipDir
			}
			return nil
		}
		if opts.Skip != nil && opts.Skip(p, false) {
			return nil
		}
		if e.Type()&fs.ModeSymlink != 0 {
			msg := checkSymlink(fsys, p)
			if msg == "" && opts.Submodule != nil {
				msg = symlinkIntoSubmodule(fsys, p, opts.Submodule)
			}
			if msg != "" {
				lib.Diags = append(lib.Diags, Errorf(p, 1, "symlink", "%s", msg))
				return nil
			}
		} else if !e.Type().IsRegular() {
			return nil
		}
		lib.Files[p] = true
		if e.Type()&fs.ModeSymlink != 0 {
			lib.Symlinks[p] = true
		}
		if strings.HasSuffix(name, ".md") && !cfg.Ignored(p) {
			paths = append(paths, p)
			// A regular file's stat is taken from its entry by the
			// goroutine that reads it (entryInfo): 10,000 lstat calls
			// on every core rather than in the walk.
			if e.Type().IsRegular() {
				entries = append(entries, e)
			} else {
				entries = append(entries, nil)
			}
			id := ""
			if bh != nil && e.Type().IsRegular() {
				id, _ = bh.BlobHash(p)
			}
			blobs = append(blobs, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Sort(byPath{paths, entries, blobs})

	caches.Wait()
	docs := make([]*Document, len(paths))
	perDoc := make([][]Diagnostic, len(paths))
	stamps := make([]stamp, len(paths))
	// Each goroutine takes the next 16 files: handing out one at a time
	// through a channel cost as much as decoding a cached file.
	var wg sync.WaitGroup
	var next atomic.Int64
	const batch = 16
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for {
				end := int(next.Add(batch))
				if end-batch >= len(paths) {
					return
				}
				for i := end - batch; i < min(end, len(paths)); i++ {
					docs[i], perDoc[i], stamps[i] = readDoc(fsys, paths[i], entryInfo(entries[i]), blobs[i], opts, pc, bc, sc, lib.started)
				}
			}
		})
	}
	wg.Wait()
	if pc != nil {
		pc.save()
	}
	if bc != nil {
		bc.save()
	}
	if sc != nil {
		sc.saveStamps()
	}

	lib.stamps = make(map[string]stamp, len(paths))
	for i, d := range docs {
		lib.Diags = append(lib.Diags, perDoc[i]...)
		if d == nil {
			continue
		}
		if stamps[i] != (stamp{}) {
			lib.stamps[d.Path] = stamps[i]
		}
		lib.Docs = append(lib.Docs, d)
		lib.ByPath[d.Path] = d
		if d.ID == "" || !d.HasFrontMatter {
			continue
		}
		if prev, dup := lib.ByID[d.ID]; dup {
			lib.Diags = append(lib.Diags, Errorf(d.Path, d.Line("id"), "duplicate-id",
				"duplicate id %s: also used by %s:%d", d.ID, prev.Path, prev.Line("id")))
			continue
		}
		lib.ByID[d.ID] = d
	}
	// Uncontrolled notes take the id made from their path; when a
	// controlled document (or another note) holds it already, a hash of
	// the path is appended. A note is never an error (SPEC 2) and is
	// always published.
	for _, d := range lib.Docs {
		if d.HasFrontMatter {
			continue
		}
		d.ID = IDFromPath(d.Path) // a reused note may carry last load's suffix
		if lib.ByID[d.ID] != nil {
			d.ID = fmt.Sprintf("%s-%08X", d.ID, crc32.ChecksumIEEE([]byte(d.Path)))
		}
		if lib.ByID[d.ID] == nil {
			lib.ByID[d.ID] = d
		}
	}
	SortDiagnostics(lib.Diags)
	return lib, nil
}

// blobHasher is a git tree's fs.FS (package repo's TreeFS): it knows the
// blob id of each regular file without reading it.
type blobHasher interface {
	BlobHash(name string) (string, bool)
}

// entryInfo is the stat of a regular file's folder entry on disk, nil
// when it has none to give: symlinks, and files of other file systems (a
// git tree's entries may not know their size), are stat'ed when read.
func entryInfo(e fs.DirEntry) fs.FileInfo {
	if e == nil {
		return nil
	}
	info, _ := e.Info()
	if info == nil {
		return nil
	}
	if _, _, ok := sysStamp(info); !ok {
		return nil
	}
	return info
}

// byPath sorts paths and their entries and blob ids together.
type byPath struct {
	paths   []string
	entries []fs.DirEntry
	blobs   []string
}

func (b byPath) Len() int           { return len(b.paths) }
func (b byPath) Less(i, j int) bool { return b.paths[i] < b.paths[j] }
func (b byPath) Swap(i, j int) {
	b.paths[i], b.paths[j] = b.paths[j], b.paths[i]
	b.entries[i], b.entries[j] = b.entries[j], b.entries[i]
	b.blobs[i], b.blobs[j] = b.blobs[j], b.blobs[i]
}

// readDoc reads and parses the document at p, or reuses prev's; info is
// the file's stat when the walk knew it, else nil; blob is its git blob
// id when fsys is a tree, else "". st is the file's stamp (zero when
// there is none to trust). With a blob cache bc, a blob read before is
// taken from it instead of fsys; with a stamp cache sc (the working
// tree), a file whose stamp says it is unchanged since an earlier load
// began (started is this one's start) is taken from sc.
func readDoc(fsys fs.FS, p string, info fs.FileInfo, blob string, opts LoadOptions, pc, bc, sc *parseCache, started time.Time) (d *Document, diags []Diagnostic, st stamp) {
	prev := opts.Previous
	var data []byte
	var bkey, key [32]byte
	haveKey := false
	known := "" // the git blob id of data, when the stamp cache knows it
	if bc != nil && blob != "" {
		bkey = bc.blobKey(blob)
		if b, ok := bc.getRaw(bkey); ok && len(b) <= MaxFileSize {
			data = b
		}
	}
	if sc != nil && info != nil && info.Size() <= MaxFileSize && readableByUs(info) {
		st = stampOf(info)
		data, key, known, haveKey = sc.trusted(p, st)
	}
	if data == nil {
		var err error
		if data, st, diags, err = readFile(fsys, p, info, prev); err != nil {
			return nil, diags, st
		}
		if data == nil { // unchanged since prev
			old := prev.ByPath[p]
			return old, old.parseDiags, st
		}
		if bc != nil && blob != "" {
			bc.putRaw(bkey, data)
		}
	}
	if prev != nil {
		if old := prev.ByPath[p]; old != nil && bytes.Equal(old.Raw, data) {
			return old, old.parseDiags, st
		}
	}
	if pc != nil && !haveKey {
		key = pc.key(p, data)
		if sc != nil && info != nil && info.Mode().Perm()&0o004 != 0 {
			// Only a file anyone may read: the cache is a file of its own,
			// and must not hold what the file's mode keeps from others.
			if opts.BlobID != nil {
				known = opts.BlobID(data)
			}
			sc.record(p, stampEntry{st: st, started: started.UnixNano(), key: key, blob: known, raw: data})
		}
	}
	if pc != nil {
		if d, diags, ok := pc.get(key, p, data); ok {
			if d != nil {
				d.blob = known
			}
			return d, diags, st
		}
	}
	d, diags = parse(p, data, opts.OnBody)
	if d != nil {
		d.parseDiags = diags
		d.blob = known
	}
	if pc != nil {
		pc.put(key, d, diags)
	}
	return d, diags, st
}

// errSkip is readFile's error for a file that is not read (too large, or
// unreadable); its diagnostics say why.
var errSkip = errors.New("not read")

// readFile reads the file at p, checking its size first; data is nil
// (and err nil) when prev holds the file and its stamp says it cannot
// have changed.
func readFile(fsys fs.FS, p string, info fs.FileInfo, prev *Library) (data []byte, st stamp, diags []Diagnostic, err error) {
	if info == nil {
		if info, err = fs.Stat(fsys, p); err != nil {
			return nil, st, []Diagnostic{Errorf(p, 0, "read", "cannot read: %v", err)}, errSkip
		}
	}
	if info.Size() > MaxFileSize {
		return nil, st, []Diagnostic{Errorf(p, 1, "size", "file is %.1f MiB, over the limit of %d MiB", float64(info.Size())/(1<<20), MaxFileSize>>20)}, errSkip
	}
	st = stampOf(info)
	if prev != nil {
		if old := prev.ByPath[p]; old != nil && st.unchangedSince(prev.stamps[p], prev.started) {
			return nil, st, nil, nil
		}
	}
	data, err = fs.ReadFile(fsys, p)
	if err != nil {
		return nil, stamp{}, []Diagnostic{Errorf(p, 0, "read", "cannot read: %v", err)}, errSkip
	}
	if data == nil {
		data = []byte{}
	}
	return data, st, nil, nil
}

// stampOf returns the stamp of a file on disk; zero (never trusted) when
// the system says nothing of its change time and inode: git trees, and
// systems other than Linux.
func stampOf(info fs.FileInfo) stamp {
	ctime, ino, ok := sysStamp(info)
	if !ok || ctime <= 0 {
		return stamp{}
	}
	return stamp{size: info.Size(), mtime: info.ModTime().UnixNano(), ctime: ctime, ino: ino}
}

// unchangedSince reports whether a file whose stamp is st now, and was
// old when a load that began at started read it, can be trusted not to
// have changed: same stamp, and times older than started by racyWindow.
func (st stamp) unchangedSince(old stamp, started time.Time) bool {
	if st == (stamp{}) || st != old || started.IsZero() {
		return false
	}
	limit := started.Add(-racyWindow).UnixNano()
	return st.mtime < limit && st.ctime < limit
}

// checkSymlink returns a message when the link at p points outside the
// tree, or cannot be read.
func checkSymlink(fsys fs.FS, p string) string {
	target, err := fs.ReadLink(fsys, p)
	if err != nil {
		if errors.Is(err, errors.ErrUnsupported) {
			return ""
		}
		return fmt.Sprintf("cannot read symlink: %v", err)
	}
	if path.IsAbs(target) || strings.HasPrefix(target, "/") {
		return fmt.Sprintf("symlink to %s leaves the repository", target)
	}
	joined := path.Join(path.Dir(p), target)
	if joined == ".." || strings.HasPrefix(joined, "../") {
		return fmt.Sprintf("symlink to %s leaves the repository", target)
	}
	return ""
}

// symlinkIntoSubmodule returns a message when the link at p (which stays
// in the tree, see checkSymlink) points into a folder that submodule says
// is another repository's: its target is no file of the library, and
// writing the link's document would write into that repository.
func symlinkIntoSubmodule(fsys fs.FS, p string, submodule func(string) string) string {
	target, err := fs.ReadLink(fsys, p)
	if err != nil {
		return ""
	}
	joined := path.Join(path.Dir(p), target)
	for i := 0; i < len(joined); i++ {
		if joined[i] != '/' {
			continue
		}
		if what := submodule(joined[:i]); what != "" {
			return fmt.Sprintf("symlink to %s leads into %s, which is %s: its files are not part of the library", target, joined[:i], what)
		}
	}
	return ""
}

// Resolve finds the document a reference points at, or nil.
func (l *Library) Resolve(r Ref) *Document {
	if r.ID != "" {
		return l.ByID[r.ID]
	}
	return l.ByPath[r.Path]
}
