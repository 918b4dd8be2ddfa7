package repo

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"

	"github.com/rmm-pal/rmm/doc"
)

// Snapshot is the library as it stands in the working tree (Commit == "")
// or at a commit, with the fs.FS it was read from.
type Snapshot struct {
	Lib    *doc.Library
	FS     fs.FS
	Commit string  // "" for the working tree
	Tree   *TreeFS // nil for the working tree
}

// Load reads the library at rev: "" for the working tree, else any
// revision Resolve accepts. Working tree and commits go through the same
// doc.Load. Unless opts names a Cache or passes a Previous load (which
// already spares the parsing), parsed documents are kept in and read from
// the parse cache under the git folder (ParseCacheDir).
func (r *Repo) Load(rev string, opts doc.LoadOptions) (*Snapshot, error) {
	if opts.Cache == "" && opts.Previous == nil {
		opts.Cache = r.ParseCacheDir()
	}
	var fsys fs.FS
	s := &Snapshot{}
	if rev == "" {
		wt, err := r.WorkTree()
		if err != nil {
			return nil, err
		}
		fsys = wt
		if opts.Skip == nil {
			opts.Skip = r.gitIgnored()
		}
	} else {
		commit, err := r.Resolve(rev)
		if err != nil {
			return nil, err
		}
		t, err := r.Tree(commit)
		if err != nil {
			return nil, err
		}
		s.Commit, s.Tree, fsys = commit, t, t
	}
	lib, err := doc.Load(fsys, opts)
	if errors.Is(err, doc.ErrNoConfig) && rev != "" {
		return nil, fmt.Errorf("revision %s has no rmm.yaml: it predates the library", rev)
	}
	if err != nil {
		return nil, err
	}
	s.Lib, s.FS = lib, fsys
	return s, nil
}

// ParseCacheDir is where Load keeps parsed documents: <gitdir>/rmm/parse.
func (r *Repo) ParseCacheDir() string { return filepath.Join(r.GitDir, "rmm", "parse") }

// gitIgnored returns a matcher of git's ignore rules (.gitignore files and
// .git/info/exclude) for paths relative to the library root, or nil when
// there are none. Files git ignores are not under version control, so they
// are not documents of the working tree either.
func (r *Repo) gitIgnored() func(string, bool) bool {
	wt, err := r.Git.Worktree()
	if err != nil {
		return nil
	}
	ps, _ := gitignore.ReadPatterns(wt.Filesystem, nil)
	if len(ps) == 0 {
		return nil
	}
	m := gitignore.NewMatcher(ps)
	return func(p string, dir bool) bool {
		if r.Prefix != "" {
			p = r.Prefix + "/" + p
		}
		return m.Match(strings.Split(p, "/"), dir)
	}
}
