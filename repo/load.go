package repo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/store"
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
		if opts.Submodule == nil {
			opts.Submodule = r.workTreeSubmodules()
		}
		if opts.BlobID == nil {
			opts.BlobID = BlobHash
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
		if opts.Submodule == nil {
			opts.Submodule = func(p string) string {
				if t.IsSubmodule(p) {
					return submoduleWhat
				}
				return ""
			}
		}
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

// What the warning of a skipped folder calls it (see doc.LoadOptions.Submodule).
const (
	submoduleWhat = "a git submodule"
	nestedWhat    = "a nested git repository (it has a .git of its own)"
)

// workTreeSubmodules returns the working tree's doc.LoadOptions.Submodule:
// a folder is a submodule when the index holds it as a gitlink (mode
// 160000: registered in .gitmodules or not, checked out or not; what a
// commit of it holds, so that the working tree and --at say the same), and
// a nested repository when it holds a .git of its own (a submodule's .git
// file, or a repository nobody added). rmm neither reads nor writes inside
// either.
func (r *Repo) workTreeSubmodules() func(string) string {
	var once sync.Once
	var links map[string]bool
	return func(p string) string {
		once.Do(func() { links = r.indexGitlinks() })
		if links[p] {
			return submoduleWhat
		}
		if _, err := os.Lstat(filepath.Join(r.Root, filepath.FromSlash(p), ".git")); err == nil {
			return nestedWhat
		}
		return ""
	}
}

// InSubmodule returns the folder (slash-separated, from the library's
// root) of the git submodule or nested repository that p, a path from the
// root, is in or is; "" when it is in neither. Its files are another
// repository's: a command about to write a new file asks first. It judges
// as Load does for the working tree (the index's gitlinks, a .git of the
// folder's own).
func (r *Repo) InSubmodule(p string) string {
	test := r.workTreeSubmodules()
	parts := strings.Split(path.Clean(p), "/")
	for i := 1; i <= len(parts); i++ {
		if dir := strings.Join(parts[:i], "/"); dir != "." && dir != ".." && test(dir) != "" {
			return dir
		}
	}
	return ""
}

// indexGitlinks lists the gitlinks of the index below the library's root,
// by path from the root. An index that cannot be read has none (a folder
// checked out as a submodule still has its .git file).
func (r *Repo) indexGitlinks() map[string]bool { return r.indexPaths().links }

// indexInfo is what loads of the working tree read of the index, by path
// from the library's root: its gitlinks, the files it tracks and the
// folders that hold them.
type indexInfo struct {
	links, tracked, dirs map[string]bool
}

// indexPaths reads the index (see indexInfo). What it read is kept while
// the index file's size, modification time and inode stay the same and
// its time is older than a load can race with (git replaces the index by
// renaming a new file over it): decoding an index of 10,000 entries with
// go-git is 9 ms of every load of rmm serve.
func (r *Repo) indexPaths() indexInfo {
	c := r.index
	var st indexStamp
	if c != nil {
		if fi, err := os.Stat(filepath.Join(r.GitDir, "index")); err == nil {
			st = indexStampOf(fi)
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if st != (indexStamp{}) && st == c.stamp {
			return c.info
		}
	}
	idx, err := r.Git.Storer.Index()
	if err != nil {
		return indexInfo{}
	}
	info := indexInfo{tracked: map[string]bool{}, dirs: map[string]bool{}}
	for _, e := range idx.Entries {
		p, ok := r.trimPrefix(e.Name)
		if !ok {
			continue
		}
		if e.Mode == filemode.Submodule {
			if info.links == nil {
				info.links = map[string]bool{}
			}
			info.links[p] = true
			continue
		}
		info.tracked[p] = true
		for d := path.Dir(p); d != "." && !info.dirs[d]; d = path.Dir(d) {
			info.dirs[d] = true
		}
	}
	if c != nil {
		c.stamp, c.info = indexStamp{}, indexInfo{}
		if st.mtime < time.Now().Add(-indexRacyWindow).UnixNano() {
			c.stamp, c.info = st, info
		}
	}
	return info
}

// indexRacyWindow: an index modified this recently may be replaced again
// within its time stamp's granularity, so what it holds is not kept.
const indexRacyWindow = 2 * time.Second

type indexCache struct {
	mu    sync.Mutex
	stamp indexStamp
	info  indexInfo
}

type indexStamp struct {
	size, mtime int64
	ino         uint64
}

// ParseCacheDir is where Load keeps parsed documents: <gitdir>/rmm/parse.
func (r *Repo) ParseCacheDir() string { return store.Dir(r.GitDir, "parse") }

// HistoryCacheDir is where LoadHistory keeps the history of commits it
// walked, for the next run.
func (r *Repo) HistoryCacheDir() string { return store.Dir(r.GitDir, "history") }
