package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// writeSite writes files into a new folder beside out and swaps it in.
// A file whose bytes equal the previous site's is hard-linked from it
// (copied when links are not possible) instead of written; the count of
// files whose bytes changed (new ones included) is returned. The previous
// site stays whole until the swap, which is one rename(2) exchange where
// the system has it, else two renames; a build killed before leaves only
// a stray temporary folder, removed by the next build.
func writeSite(ctx context.Context, out string, files []file) (int, error) {
	out = filepath.Clean(out)
	parent, base := filepath.Dir(out), filepath.Base(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return 0, err
	}
	if fi, err := os.Lstat(out); err == nil && !fi.IsDir() {
		return 0, fmt.Errorf("%s exists and is not a folder", out)
	}
	// Leftovers of a killed build.
	cleanStale(parent, base)
	tmp, err := os.MkdirTemp(parent, "."+base+".rmm-new-")
	if err != nil {
		return 0, err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	// Folders first, sorted, so workers never race to create one.
	dirs := map[string]bool{}
	for _, f := range files {
		if err := checkRel(f.Path); err != nil {
			return 0, err
		}
		for d := path.Dir(f.Path); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	for _, d := range sortedKeys(dirs) {
		if err := os.Mkdir(filepath.Join(tmp, filepath.FromSlash(d)), 0o755); err != nil && !os.IsExist(err) {
			return 0, err
		}
	}
	var written atomic.Int64
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < max(2, runtime.GOMAXPROCS(0)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f := files[i]
				rel := filepath.FromSlash(f.Path)
				dst := filepath.Join(tmp, rel)
				old := filepath.Join(out, rel)
				if same(old, f.Data) {
					if os.Link(old, dst) == nil {
						continue
					}
				} else {
					written.Add(1)
				}
				if err := os.WriteFile(dst, f.Data, 0o644); err != nil {
					errs[i] = err
				}
			}
		}()
	}
	for i := range files {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	for _, err := range errs {
		if err != nil {
			return 0, err
		}
	}
	if err := swap(tmp, out); err != nil {
		return 0, err
	}
	ok = true
	return int(written.Load()), nil
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

// swap puts the folder tmp in place of out and removes the old site.
func swap(tmp, out string) error {
	if _, err := os.Lstat(out); errors.Is(err, os.ErrNotExist) {
		return os.Rename(tmp, out)
	}
	// Atomic exchange: at every instant out is a whole site.
	if err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, out, unix.RENAME_EXCHANGE); err == nil {
		return os.RemoveAll(tmp) // tmp now holds the old site
	}
	old := tmp + "-old"
	if err := os.Rename(out, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		_ = os.Rename(old, out)
		return err
	}
	return os.RemoveAll(old)
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
