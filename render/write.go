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
)

// siteWriter writes a new site into a temporary folder beside out, file
// by file as pages are rendered (so the site is never held in memory
// whole), and then swaps it in. A file whose bytes equal the previous
// site's is hard-linked from it (copied when links are not possible)
// instead of written; Written counts the files whose bytes changed (new
// ones included). The previous site stays whole until the swap, which is
// one rename(2) exchange where the system has it, else two renames; a
// build killed before leaves only a stray temporary folder, removed by a
// later build.
//
// In place (Options.InPlace, rmm serve) the writer writes into out
// itself: tmp is out, a file whose bytes did not change is left alone
// (not even its modification time moves), a changed one is written to a
// temporary file beside it and renamed over it, and commit removes the
// files this build did not produce. A reader sees every file whole, old
// or new, but during a build the site may mix old and new pages; a build
// that fails half-way leaves such a mix (each file whole), which the next
// good build repairs. That is enough for a preview; rmm build keeps the
// swap (SPEC 6: an interrupted build leaves the previous site whole).
type siteWriter struct {
	out, tmp string
	hasOld   bool // out holds a previous site
	inPlace  bool
	removed  atomic.Int64 // files removed by an in-place commit
	written  atomic.Int64
	files    atomic.Int64
	pages    atomic.Int64

	mu   sync.Mutex
	dirs map[string]bool
	seen map[string]bool
}

func newSiteWriter(out string, inPlace bool) (*siteWriter, error) {
	out = filepath.Clean(out)
	parent, base := filepath.Dir(out), filepath.Base(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	hasOld := false
	if fi, err := os.Lstat(out); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("%s exists and is not a folder", out)
	} else if err == nil {
		hasOld = true
	}
	cleanStale(parent, base)
	if inPlace {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return nil, err
		}
		return &siteWriter{out: out, tmp: out, hasOld: hasOld, inPlace: true, dirs: map[string]bool{".": true}, seen: map[string]bool{}}, nil
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".rmm-new-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	return &siteWriter{out: out, tmp: tmp, hasOld: hasOld, dirs: map[string]bool{".": true}, seen: map[string]bool{}}, nil
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
		return w.putInPlace(dst, data)
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
// data to a temporary file beside it and renames it over dst.
func (w *siteWriter) putInPlace(dst string, data []byte) (size, mod int64, err error) {
	if same(dst, data) {
		return statOf(dst)
	}
	w.written.Add(1)
	f, err := os.CreateTemp(filepath.Dir(dst), inPlaceTemp+"*")
	if err != nil {
		return 0, 0, err
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
			if fi, e := os.Lstat(dst); e == nil && fi.IsDir() && os.RemoveAll(dst) == nil {
				err = os.Rename(tmp, dst)
			}
		}
	}
	if err != nil {
		os.Remove(tmp)
		return 0, 0, err
	}
	return statOf(dst)
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
// still has the size and modification time this build's state recorded.
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
		return true // the file is there already
	}
	if os.Link(old, filepath.Join(w.tmp, rel)) != nil {
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
	var mk []string
	for d := path.Dir(p); !w.dirs[d]; d = path.Dir(d) {
		mk = append(mk, d)
		w.dirs[d] = true
	}
	var err error
	for i := len(mk) - 1; i >= 0 && err == nil; i-- {
		dir := filepath.Join(w.tmp, filepath.FromSlash(mk[i]))
		e := os.Mkdir(dir, 0o755)
		if e != nil && os.IsExist(e) && w.inPlace {
			// In place, the folder may be there already; a file of the
			// previous site by that name gives way.
			if fi, ferr := os.Lstat(dir); ferr == nil && !fi.IsDir() {
				if e = os.Remove(dir); e == nil {
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

// abort removes the temporary folder; the previous site is untouched.
// In place there is no such folder: the files written so far stay (each
// whole), the rest are the previous site's.
func (w *siteWriter) abort() {
	if w.inPlace {
		return
	}
	os.RemoveAll(w.tmp)
}

// commit swaps the new site in; in place, it removes the files and
// folders this build did not produce.
func (w *siteWriter) commit() error {
	if w.inPlace {
		return w.prune()
	}
	if err := swap(w.tmp, w.out); err != nil {
		w.abort()
		return err
	}
	return nil
}

// prune removes from the output folder every file and folder the build
// did not produce (pages of removed documents, temporary files of a killed
// build, anything else).
func (w *siteWriter) prune() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return filepath.WalkDir(w.out, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		rel, rerr := filepath.Rel(w.out, p)
		if rerr != nil {
			return rerr
		}
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if e.IsDir() {
			if !w.dirs[rel] {
				w.removed.Add(1)
				if err := os.RemoveAll(p); err != nil {
					return err
				}
				return fs.SkipDir
			}
			return nil
		}
		if !w.seen[rel] {
			w.removed.Add(1)
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
		return nil
	})
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

// swap puts the folder tmp in place of out and removes the old site,
// in the background when later is set.
func swap(tmp, out string) error {
	if _, err := os.Lstat(out); errors.Is(err, os.ErrNotExist) {
		return os.Rename(tmp, out)
	}
	remove := os.RemoveAll
	// Atomic exchange where the system has it: at every instant out is a
	// whole site.
	if exchange(tmp, out) == nil {
		return remove(tmp) // tmp now holds the old site
	}
	old := tmp + "-old"
	if err := os.Rename(out, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		_ = os.Rename(old, out)
		return err
	}
	return remove(old)
}

// cleanStale removes temporary folders of earlier builds of out that were
// interrupted.
func cleanStale(parent, base string) {
	ents, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "."+base+".rmm-new-") || !e.IsDir() {
			continue
		}
		// A folder younger than a minute may belong to a build running now.
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > time.Minute {
			os.RemoveAll(filepath.Join(parent, e.Name()))
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
