package render

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/store"
)

// siteWriter writes a new site into a temporary folder beside out, file
// by file as pages are rendered (so the site is never held in memory
// whole), and then swaps it in. A file whose bytes equal the previous
// site's is hard-linked from it (copied when links are not possible)
// instead of written; Written counts the files whose bytes changed (new
// ones included). The previous site stays whole until the swap, which is
// one rename(2) exchange where the system has it, else two renames; a
// build killed before leaves only a stray temporary folder (it carries
// the marker from its start), removed by a later build.
//
// The spare: linking every unchanged file into a new folder and removing
// the old site afterwards is two system calls per file of the site (at
// 10,000 pages about 1 s of a 2.2 s rebuild after one commit). So where
// the system exchanges two folders in one step (Linux), the site a build
// replaces is not removed but kept in rmm's store below the git folder
// (<gitdir>/rmm/spare/, one folder per output folder and audience, taken
// under an flock so that two builds never share one). Its files are the
// same inodes as the output folder's, but for the pages the last build
// changed, so it costs next to no disk. The next build updates the spare
// in place, as rmm serve updates its preview: a file the output folder
// holds unchanged and the spare holds as the very same inode is left
// alone, one the spare holds otherwise is hard-linked over it, a changed
// one is written beside and renamed over it, and the files the site no
// longer has go. Then the spare and the output folder are exchanged. The
// output folder is never written during a build, so an interrupted build
// still leaves the previous site whole (SPEC 6); the spare it leaves
// half updated is put right by the next build, which trusts nothing in
// it but a file's identity with the output folder's. A spare that is not
// as rmm leaves it (files its marker does not list) is removed, as rmm
// serve's preview is: it is rmm's own folder in the git folder.
//
// Before anything is written the output guard (guard.go) must let out
// through: out is new, holds no file, or is a site rmm wrote and holds
// nothing else. Every site gets the marker listing its files (MarkerFile),
// which is how a later build knows what it may replace or remove.
//
// In place (Options.InPlace, rmm serve) the writer writes into out
// itself: tmp is out, a file whose bytes did not change is left alone
// (not even its modification time moves), a changed one is written to a
// temporary file beside it and renamed over it, and commit removes the
// files of the previous site this build did not produce: only files the
// previous marker lists, and rmm's own temporary files. A new name is
// added to the marker before its file is written, so a build killed
// half-way leaves a folder whose marker lists every file in it. A reader
// sees every file whole, old or new, but during a build the site may mix
// old and new pages; a build that fails half-way leaves such a mix (each
// file whole), which the next good build repairs. That is enough for a
// preview; rmm build keeps the swap (SPEC 6: an interrupted build leaves
// the previous site whole).
type siteWriter struct {
	repo     *repo.Repo
	out, tmp string
	hasOld   bool // out holds a previous site
	inPlace  bool
	// intoSpare: tmp is the spare folder, updated in place; update is
	// inPlace || intoSpare (tmp is a folder that holds a site already).
	intoSpare, update bool
	// spare, when not "", is where the site this build replaces is kept
	// (its lock, spareLock, is held); kept tells whether commit kept it.
	spare     string
	spareLock *os.File
	kept      bool
	linkSeq   atomic.Int64
	// listed are the files the marker of the site in tmp lists (in
	// place, the previous site's; into the spare, the spare's): all that
	// such a build may remove (nil for a new or empty folder); old is
	// what the guard saw in that folder.
	listed  map[string]bool
	old     *ownedDir
	removed atomic.Int64 // files and folders removed by an in-place commit
	written atomic.Int64
	files   atomic.Int64
	pages   atomic.Int64

	mu     sync.Mutex
	dirs   map[string]bool
	seen   map[string]bool
	marker *os.File // in place: the marker, open to add new names

	// settled, when not nil (in place only: Options.Early), is told of
	// each file once the folder holds what this build has for it, and
	// whether its bytes changed; from the writing goroutine.
	settled func(p string, changed bool)
}

// guarded, when not nil, is what guard found in out at the start of the
// build (an in-place build of serve's private preview, whose pipeline has
// just looked: at 10,000 files a walk is 9 ms of every rebuild). spare,
// when not "", is the spare folder to use (not in place).
func newSiteWriter(r *repo.Repo, out string, inPlace bool, guarded *ownedDir, spare string) (*siteWriter, error) {
	out = filepath.Clean(out)
	own := guarded
	if own == nil || !inPlace || !own.private {
		var err error
		if own, err = guard(r, out); err != nil {
			return nil, err
		}
	}
	parent, base := filepath.Dir(out), filepath.Base(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	if own.reset {
		// A preview in rmm's own store, not as rmm leaves it (written by
		// an older rmm): it is rmm's to empty.
		if err := os.RemoveAll(out); err != nil {
			return nil, err
		}
		own = &ownedDir{}
	}
	cleanStale(parent, base)
	w := &siteWriter{repo: r, out: out, hasOld: own.exists, listed: own.listed, old: own, dirs: map[string]bool{".": true}, seen: map[string]bool{}}
	if inPlace {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return nil, err
		}
		w.tmp, w.inPlace, w.update = out, true, true
		if w.listed == nil {
			// The marker first: from now on the folder is rmm's.
			if err := os.WriteFile(filepath.Join(out, MarkerFile), markerBytes(nil), 0o644); err != nil {
				return nil, err
			}
			w.listed = map[string]bool{}
		}
		return w, nil
	}
	if spare != "" && w.takeSpare(spare) {
		return w, nil
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".rmm-new-")
	if err != nil {
		return nil, err
	}
	w.tmp = tmp
	if err := os.Chmod(tmp, 0o755); err == nil {
		// The marker first, so that a later build knows the folder for
		// its own when this one is killed (cleanStale).
		err = os.WriteFile(filepath.Join(tmp, MarkerFile), markerBytes(nil), 0o644)
	}
	if err != nil {
		os.RemoveAll(tmp)
		w.releaseSpare()
		return nil, err
	}
	return w, nil
}

// takeSpare locks the spare folder at spare and, when out holds a site
// and the spare is as rmm leaves it, makes it the folder this build
// writes (true). Else the build writes a new folder and, holding the
// lock, keeps the old site there after the swap. A spare that cannot be
// used is removed: only the site out held before may be the spare.
func (w *siteWriter) takeSpare(spare string) bool {
	if err := os.MkdirAll(filepath.Dir(spare), 0o755); err != nil {
		return false
	}
	lock := lockSpare(spare + ".lock")
	if lock == nil {
		return false
	}
	w.spare, w.spareLock = spare, lock
	// The lock names the output folder, so that a later build can tell
	// a spare whose folder is gone (sweepSpares).
	if lock.Truncate(0) == nil {
		_, _ = lock.WriteAt([]byte(w.out), 0)
	}
	sweepSpares(filepath.Dir(spare), spare)
	own, err := guard(w.repo, spare)
	if err != nil || !own.exists {
		return false
	}
	if !w.hasOld || own.reset || own.listed == nil || !own.private {
		if own.private {
			os.RemoveAll(spare)
		}
		return false
	}
	w.tmp, w.intoSpare, w.update = spare, true, true
	w.listed, w.old = own.listed, own
	return true
}

// sweepSpares removes the spares in root, but keep, whose output folder
// no longer holds a site rmm wrote (removed, or replaced by the user):
// such a spare would never be used again. One another build holds is
// left alone.
func sweepSpares(root, keep string) {
	ents, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".lock")
		dir := filepath.Join(root, name)
		if !ok || dir == keep || e.IsDir() {
			continue
		}
		lock := lockSpare(dir + ".lock")
		if lock == nil {
			continue
		}
		b := make([]byte, 4096)
		n, _ := lock.ReadAt(b, 0)
		out := string(b[:n])
		if fi, err := os.Lstat(filepath.Join(out, MarkerFile)); n == 0 || !filepath.IsAbs(out) || err != nil || !fi.Mode().IsRegular() {
			os.RemoveAll(dir)
			os.Remove(dir + ".lock")
		}
		lock.Close()
	}
}

// releaseSpare lets the spare's lock go.
func (w *siteWriter) releaseSpare() {
	if w.spareLock != nil {
		w.spareLock.Close()
		w.spareLock = nil
	}
}

// testHookPut, when set by a test, is called after each file is written.
var testHookPut func(p string)

// put writes one file of the site and returns its size and modification
// time; it is safe for concurrent use.
func (w *siteWriter) put(p string, data []byte) (size, mod int64, err error) {
	if err := w.prepare(p); err != nil {
		return 0, 0, err
	}
	if testHookPut != nil {
		defer testHookPut(p)
	}
	rel := filepath.FromSlash(p)
	dst := filepath.Join(w.tmp, rel)
	if w.inPlace {
		size, mod, changed, err := w.putInPlace(dst, data)
		if err == nil && changed {
			w.written.Add(1)
		}
		if err == nil && w.settled != nil {
			w.settled(p, changed)
		}
		return size, mod, err
	}
	if w.intoSpare {
		old := filepath.Join(w.out, rel)
		unchanged := w.hasOld && same(old, data)
		if unchanged && w.linkOver(old, dst, nil) == nil {
			return statOf(dst)
		}
		if !unchanged {
			w.written.Add(1)
		}
		size, mod, _, err := w.putInPlace(dst, data)
		return size, mod, err
	}
	if w.hasOld {
		old := filepath.Join(w.out, rel)
		if same(old, data) && os.Link(old, dst) == nil {
			return statOf(dst)
		}
	}
	w.written.Add(1)
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, 0, err
	}
	_, err = f.Write(data)
	var fi os.FileInfo
	if err == nil {
		fi, err = f.Stat()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, 0, err
	}
	return fi.Size(), fi.ModTime().UnixNano(), nil
}

// putInPlace leaves dst alone when it holds data already, else writes
// data to a temporary file beside it and renames it over dst (changed).
func (w *siteWriter) putInPlace(dst string, data []byte) (size, mod int64, changed bool, err error) {
	if same(dst, data) {
		size, mod, err = statOf(dst)
		return size, mod, false, err
	}
	f, err := os.CreateTemp(filepath.Dir(dst), inPlaceTemp+"*")
	if err != nil {
		return 0, 0, false, err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if err = os.Rename(tmp, dst); err != nil {
			// A folder where the file goes (the previous site had pages
			// below that name): replace it.
			if fi, e := os.Lstat(dst); e == nil && fi.IsDir() && w.removeOwn(dst) == nil {
				err = os.Rename(tmp, dst)
			}
		}
	}
	if err != nil {
		os.Remove(tmp)
		return 0, 0, false, err
	}
	size, mod, err = statOf(dst)
	return size, mod, true, err
}

// linkOver makes dst (in the spare) the very file src (in out) is: left
// alone when it is already, else src is hard-linked beside dst and
// renamed over it.
// si, when not nil, is what Lstat says of src.
func (w *siteWriter) linkOver(src, dst string, si os.FileInfo) error {
	if si == nil {
		var err error
		if si, err = os.Lstat(src); err != nil {
			return err
		}
	}
	if di, err := os.Lstat(dst); err == nil && os.SameFile(si, di) {
		return nil
	}
	tmp := filepath.Join(filepath.Dir(dst), fmt.Sprintf("%s%d-%d", inPlaceTemp, os.Getpid(), w.linkSeq.Add(1)))
	if err := os.Link(src, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// inPlaceTemp starts the names of the temporary files of an in-place
// build; one left by a build that was killed is removed by the next.
const inPlaceTemp = ".rmm-tmp-"

func statOf(p string) (size, mod int64, err error) {
	fi, err := os.Lstat(p)
	if err != nil {
		return 0, 0, err
	}
	return fi.Size(), fi.ModTime().UnixNano(), nil
}

// reuse hard-links the previous site's file p into the new site when it
// still has the size and modification time this build's state recorded
// (into the spare: leaves the spare's file alone when it is that file).
func (w *siteWriter) reuse(p string, size, mod int64) bool {
	rel := filepath.FromSlash(p)
	old := filepath.Join(w.out, rel)
	fi, err := os.Lstat(old)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != size || fi.ModTime().UnixNano() != mod {
		return false
	}
	if w.prepare(p) != nil {
		return false
	}
	if w.inPlace {
		if w.settled != nil {
			w.settled(p, false)
		}
		return true // the file is there already
	}
	dst := filepath.Join(w.tmp, rel)
	if w.intoSpare {
		err = w.linkOver(old, dst, fi)
	} else {
		err = os.Link(old, dst)
	}
	if err != nil {
		w.mu.Lock()
		delete(w.seen, p)
		w.mu.Unlock()
		w.files.Add(-1)
		if strings.HasSuffix(p, ".html") {
			w.pages.Add(-1)
		}
		return false
	}
	return true
}

// prepare claims p in the new site and makes its folders.
func (w *siteWriter) prepare(p string) error {
	if err := checkRel(p); err != nil {
		return err
	}
	w.mu.Lock()
	if w.seen[p] {
		w.mu.Unlock()
		return fmt.Errorf("two files would be written to %s", p)
	}
	w.seen[p] = true
	if w.update && !w.listed[p] {
		if err := w.list(p); err != nil {
			w.mu.Unlock()
			return err
		}
	}
	var mk []string
	for d := path.Dir(p); !w.dirs[d]; d = path.Dir(d) {
		mk = append(mk, d)
		w.dirs[d] = true
	}
	var err error
	for i := len(mk) - 1; i >= 0 && err == nil; i-- {
		dir := filepath.Join(w.tmp, filepath.FromSlash(mk[i]))
		e := os.Mkdir(dir, 0o755)
		if e != nil && os.IsExist(e) && w.update {
			// In place, the folder may be there already; a file of the
			// site there by that name gives way.
			if fi, ferr := os.Lstat(dir); ferr == nil && !fi.IsDir() {
				if !w.listed[mk[i]] {
					e = fmt.Errorf("%s is in the way of the site's folder %s and rmm did not write it", dir, mk[i])
				} else if e = os.Remove(dir); e == nil {
					e = os.Mkdir(dir, 0o755)
				}
			} else {
				e = nil
			}
		}
		if e != nil && !os.IsExist(e) {
			err = e
		}
	}
	w.mu.Unlock()
	if err != nil {
		return err
	}
	w.files.Add(1)
	if strings.HasSuffix(p, ".html") {
		w.pages.Add(1)
	}
	return nil
}

// list adds p to the marker of the site in tmp (in place or into the
// spare), before its file is written; w.mu is held.
func (w *siteWriter) list(p string) error {
	if w.marker == nil {
		name := filepath.Join(w.tmp, MarkerFile)
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return err
		}
		// A marker edited by hand may lack its last line break.
		if fi, err := f.Stat(); err == nil && fi.Size() > 0 {
			last := make([]byte, 1)
			if r, err := os.Open(name); err == nil {
				if _, err := r.ReadAt(last, fi.Size()-1); err == nil && last[0] != '\n' {
					_, _ = f.WriteString("\n")
				}
				r.Close()
			}
		}
		w.marker = f
	}
	_, err := w.marker.WriteString(escapeMarker(p) + "\n")
	return err
}

func (w *siteWriter) closeMarker() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.marker == nil {
		return nil
	}
	err := w.marker.Close()
	w.marker = nil
	return err
}

// abort removes the temporary folder; the previous site is untouched.
// In place there is no such folder: the files written so far stay (each
// whole, each listed in the marker), the rest are the previous site's.
// Into the spare, the same holds of the spare, which the next build puts
// right.
func (w *siteWriter) abort() {
	defer w.releaseSpare()
	if w.update {
		w.closeMarker()
		return
	}
	os.RemoveAll(w.tmp)
}

// commit writes the marker and swaps the new site in; in place, it
// removes the files of the previous site this build did not produce, then
// writes the marker.
func (w *siteWriter) commit() error {
	w.mu.Lock()
	marker := markerBytes(w.seen)
	w.mu.Unlock()
	var err error
	if w.update {
		if err := w.closeMarker(); err != nil {
			w.releaseSpare()
			return err
		}
		if err := w.prune(); err != nil {
			w.releaseSpare()
			return err
		}
		// Pruned first: a marker that lists too much is harmless, one that
		// lists too little makes the next build refuse the folder.
		if p := filepath.Join(w.tmp, MarkerFile); !same(p, marker) {
			err = store.WriteCache(p, marker)
		}
		if w.inPlace || err != nil {
			w.releaseSpare()
			return err
		}
	} else {
		err = os.WriteFile(filepath.Join(w.tmp, MarkerFile), marker, 0o644)
	}
	if err == nil {
		// The old site goes now: ask the guard again, in case files were
		// put into it (or the folder made) while this build ran.
		_, err = guard(w.repo, w.out)
	}
	if err == nil {
		w.kept, err = swap(w.tmp, w.out, w.spare)
	}
	if err != nil {
		w.abort()
		return err
	}
	w.releaseSpare()
	return nil
}

// prune removes from the output folder of an in-place build the files of
// the previous site (those its marker lists) that this build did not
// produce, and rmm's temporary files of a build that was killed; then the
// folders that are left empty and that the site does not have. It works
// from what the guard saw before the build (ownedDir): nothing else is
// touched, and the folder is not walked again.
func (w *siteWriter) prune() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var gone []string
	for _, p := range w.old.present {
		if !w.seen[p] && !w.dirs[p] {
			gone = append(gone, p)
		}
	}
	gone = append(gone, w.old.temps...)
	for _, p := range gone {
		full := filepath.Join(w.tmp, filepath.FromSlash(p))
		if fi, err := os.Lstat(full); err != nil || fi.IsDir() {
			continue // gone already, or a folder of this site now
		}
		if err := os.Remove(full); err == nil {
			if w.inPlace {
				w.removed.Add(1)
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	// Deepest first; a folder that still holds something stays.
	for i := len(w.old.dirs) - 1; i >= 0; i-- {
		d := w.old.dirs[i]
		if w.dirs[d] {
			continue
		}
		full := filepath.Join(w.tmp, filepath.FromSlash(d))
		if fi, err := os.Lstat(full); err == nil && fi.IsDir() && os.Remove(full) == nil && w.inPlace {
			w.removed.Add(1)
		}
	}
	return nil
}

// removeOwn removes the folder dir of an in-place site, in the way of a
// file of the new one, when it holds only files the previous marker lists
// (or rmm's temporary files); else it leaves it and fails.
func (w *siteWriter) removeOwn(dir string) error {
	var files, dirs []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			dirs = append(dirs, p)
			return nil
		}
		rel, _ := filepath.Rel(w.tmp, p)
		if !w.listed[filepath.ToSlash(rel)] && !store.IsTemp(e.Name()) {
			return fmt.Errorf("%s is in the way and rmm did not write it", p)
		}
		files = append(files, p)
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range files {
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := os.Remove(dirs[i]); err != nil {
			return err
		}
	}
	return nil
}

// same reports whether the file at p holds exactly data.
func same(p string, data []byte) bool {
	fi, err := os.Lstat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != int64(len(data)) {
		return false
	}
	b, err := os.ReadFile(p)
	return err == nil && bytes.Equal(b, data)
}

// swap puts the folder tmp in place of out. The old site is kept at
// keep when keep is not "" and the rename there succeeds (kept), else
// removed.
func swap(tmp, out, keep string) (kept bool, err error) {
	if _, err := os.Lstat(out); errors.Is(err, os.ErrNotExist) {
		return false, os.Rename(tmp, out)
	}
	old := tmp // where the old site is once out holds the new one
	// Atomic exchange where the system has it: at every instant out is a
	// whole site.
	if exchange(tmp, out) != nil {
		old = tmp + "-old"
		if err := os.Rename(out, old); err != nil {
			return false, err
		}
		if err := os.Rename(tmp, out); err != nil {
			_ = os.Rename(old, out)
			return false, err
		}
	}
	if keep != "" && (old == keep || os.Rename(old, keep) == nil) {
		return true, nil
	}
	return false, os.RemoveAll(old)
}

// cleanStale removes temporary folders of earlier builds of out that were
// interrupted: those that carry the marker (a build writes it first), never
// a folder someone else made under such a name.
func cleanStale(parent, base string) {
	ents, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "."+base+".rmm-new-") || !e.IsDir() {
			continue
		}
		dir := filepath.Join(parent, e.Name())
		if fi, err := os.Lstat(filepath.Join(dir, MarkerFile)); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		// A folder younger than a minute may belong to a build running now.
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > time.Minute {
			os.RemoveAll(dir)
		}
	}
}

// checkRel refuses an output path that could leave the output folder.
func checkRel(p string) error {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "\\") || strings.ContainsRune(p, 0) {
		return fmt.Errorf("output path %q would escape the output folder", p)
	}
	for _, el := range strings.Split(p, "/") {
		if el == "" || el == "." || el == ".." {
			return fmt.Errorf("output path %q would escape the output folder", p)
		}
	}
	return nil
}

// siteWriters is how many files a build writes at once, apart from the
// render workers: creating a file costs a few hundred microseconds of
// waiting on a busy disk, and a dozen creations in flight hide most of it
// (a loop creating 10,000 files of 15 KB took 5.8 s with one thread and
// 2.6 s with 16 on the benchmark machine). On tmpfs they cost little
// either way.
const siteWriters = 16

// writeQueue writes rendered files with siteWriters goroutines, so that
// the render workers (one per core) never wait on the disk. At most
// 2*siteWriters files wait in it, which bounds the memory it holds.
type writeQueue struct {
	w    *siteWriter
	jobs chan writeJob
	wg   sync.WaitGroup
}

type writeJob struct {
	path string
	buf  *bytes.Buffer
	done func(size, mod int64, err error)
}

// pageBufs are the buffers pages are rendered into, handed to the
// writeQueue and back.
var pageBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func newWriteQueue(w *siteWriter) *writeQueue {
	q := &writeQueue{w: w, jobs: make(chan writeJob, 2*siteWriters)}
	for n := 0; n < siteWriters; n++ {
		q.wg.Add(1)
		go func() {
			defer q.wg.Done()
			for j := range q.jobs {
				size, mod, err := q.w.put(j.path, j.buf.Bytes())
				if j.buf.Cap() <= 1<<20 {
					pageBufs.Put(j.buf)
				}
				j.done(size, mod, err)
			}
		}()
	}
	return q
}

// put queues the file p with the bytes of buf, which the queue owns from
// now on; done is called from a writer once the file is written (or
// failed).
func (q *writeQueue) put(p string, buf *bytes.Buffer, done func(size, mod int64, err error)) {
	q.jobs <- writeJob{p, buf, done}
}

// wait returns once every queued file is written; the queue takes no
// more.
func (q *writeQueue) wait() {
	close(q.jobs)
	q.wg.Wait()
}
