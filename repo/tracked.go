package repo

import (
	"fmt"
	"path/filepath"
	"strings"
)

// WorkTreeTop returns the top of the git work tree that holds the library
// ("" for a bare repository).
func (r *Repo) WorkTreeTop() string {
	wt, err := r.Git.Worktree()
	if err != nil {
		return ""
	}
	return wt.Filesystem.Root()
}

// TrackedUnder reports whether git tracks a file (an entry of the index)
// at or below the folder dir, an absolute path, and returns the first such
// path, slash-separated and relative to dir. A folder outside the work
// tree holds nothing git tracks. It only reads the index.
func (r *Repo) TrackedUnder(dir string) (string, bool, error) {
	top := r.WorkTreeTop()
	if top == "" {
		return "", false, nil
	}
	if t, err := filepath.EvalSymlinks(top); err == nil {
		top = t
	}
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		dir = d
	}
	rel, err := filepath.Rel(top, dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false, nil
	}
	rel = filepath.ToSlash(rel)
	idx, err := r.Git.Storer.Index()
	if err != nil {
		return "", false, fmt.Errorf("read the git index: %w", err)
	}
	prefix := rel + "/"
	if rel == "." {
		prefix = ""
	}
	for _, e := range idx.Entries {
		if e.Name == rel {
			return ".", true, nil
		}
		if p, ok := strings.CutPrefix(e.Name, prefix); ok {
			return p, true, nil
		}
	}
	return "", false, nil
}
