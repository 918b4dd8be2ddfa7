package repo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// WorkTree returns the library's working tree as an fs.FS confined to the
// root (symlinks cannot lead out of it; see os.Root).
func (r *Repo) WorkTree() (fs.FS, error) {
	return WorkTreeFS(r.Root)
}

// WorkTreeFS is WorkTree for a folder that need not be a git repository.
func WorkTreeFS(root string) (fs.FS, error) {
	rt, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	return &workTree{fsys: rt.FS(), beneath: openBeneath(root)}, nil
}

// workTree is os.Root's fs.FS with a faster ReadFile: os.Root opens every
// folder of a path, one by one, for every file it opens (three openat
// calls and closes for docs/policy/x.md), which was a third of the CPU of
// reading a library of 10,000 files. Where the system has openat2 (Linux
// 5.6 and later), ReadFile opens the file in one call that the kernel
// confines to the root (RESOLVE_BENEATH). A file that cannot be read so
// (a symlink the kernel refuses to follow, say) is read through os.Root
// as before, so what is readable, and what it reads as, is os.Root's.
type workTree struct {
	fsys    fs.FS
	beneath func(name string) ([]byte, error) // nil where there is no openat2
}

// errNotRegular is ReadFile's error for what is not a regular file.
var errNotRegular = errors.New("not a regular file")

// ReadFile implements fs.ReadFileFS.
func (w *workTree) ReadFile(name string) ([]byte, error) {
	if w.beneath != nil && fs.ValidPath(name) && name != "." {
		b, err := w.beneath(name)
		if err == nil || errors.Is(err, errNotRegular) {
			return b, err
		}
	}
	return fs.ReadFile(w.fsys, name)
}

// Open implements fs.FS.
func (w *workTree) Open(name string) (fs.File, error) { return w.fsys.Open(name) }

// ReadDir implements fs.ReadDirFS.
func (w *workTree) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(w.fsys, name) }

// Stat implements fs.StatFS.
func (w *workTree) Stat(name string) (fs.FileInfo, error) { return fs.Stat(w.fsys, name) }

// Lstat implements fs.ReadLinkFS.
func (w *workTree) Lstat(name string) (fs.FileInfo, error) { return fs.Lstat(w.fsys, name) }

// ReadLink implements fs.ReadLinkFS.
func (w *workTree) ReadLink(name string) (string, error) { return fs.ReadLink(w.fsys, name) }

// TreeFS is the tree of one commit, read straight from git objects, as a
// read-only fs.FS rooted at the library's root. It implements fs.StatFS,
// fs.ReadFileFS, fs.ReadDirFS and fs.ReadLinkFS, and is safe for
// concurrent use.
type TreeFS struct {
	repo    *Repo
	commit  *object.Commit
	entries map[string]treeEntry // every file and folder, by path
	dirs    map[string][]string  // folder -> sorted child names
	mu      sync.Mutex           // go-git's storage is not safe for concurrent readers
}

type treeEntry struct {
	hash plumbing.Hash
	mode filemode.FileMode
}

// Commit returns the hash of the commit the tree belongs to.
func (t *TreeFS) Commit() string { return t.commit.Hash.String() }

// When is the commit's committer date.
func (t *TreeFS) When() time.Time { return t.commit.Committer.When }

// BlobHash returns the git blob id of a file in the tree.
func (t *TreeFS) BlobHash(name string) (string, bool) {
	e, ok := t.entries[name]
	if !ok || !e.file() {
		return "", false
	}
	return e.hash.String(), true
}

// IsSubmodule reports whether name is a gitlink (mode 160000): a
// submodule, or a nested repository added as one. The tree shows it as an
// empty folder, as a checkout with the submodule not initialised does: its
// commit lives in another repository, so none of its files are here.
func (t *TreeFS) IsSubmodule(name string) bool {
	return t.entries[name].mode == filemode.Submodule
}

// file reports whether the entry is a blob (a file or a symlink).
func (e treeEntry) file() bool { return e.mode != filemode.Dir && e.mode != filemode.Submodule }

// folder reports whether the entry reads as a folder: a tree, or a
// submodule (always empty).
func (e treeEntry) folder() bool { return e.mode == filemode.Dir || e.mode == filemode.Submodule }

// Tree returns the tree of commit (a full hash, see Resolve).
func (r *Repo) Tree(commit string) (*TreeFS, error) {
	if r.tree == nil {
		return r.readTree(commit)
	}
	r.tree.mu.Lock()
	defer r.tree.mu.Unlock()
	if t := r.tree.t; t != nil && r.tree.commit == commit {
		return t, nil
	}
	t, err := r.readTree(commit)
	if err == nil {
		r.tree.commit, r.tree.t = commit, t
	}
	return t, err
}

// treeMemo keeps the last tree Tree read: a commit names its tree, and a
// TreeFS is never changed once read, so one command that reads the same
// commit twice (baseline create reads HEAD, and check the latest
// baseline, often HEAD too: 40 ms of CPU each at 10,000 documents) walks
// it once.
type treeMemo struct {
	mu     sync.Mutex
	commit string
	t      *TreeFS
}

func (r *Repo) readTree(commit string) (*TreeFS, error) {
	c, err := r.Git.CommitObject(plumbing.NewHash(commit))
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", commit, err)
	}
	tree, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("read tree of %s: %w", commit, err)
	}
	if r.Prefix != "" {
		tree, err = tree.Tree(r.Prefix)
		if err != nil {
			return nil, fmt.Errorf("%s has no folder %s: %w", commit, r.Prefix, err)
		}
	}
	t := &TreeFS{repo: r, commit: c, entries: map[string]treeEntry{}, dirs: map[string][]string{}}
	t.entries["."] = treeEntry{hash: tree.Hash, mode: filemode.Dir}
	if err := t.walk(tree, "."); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *TreeFS) walk(tree *object.Tree, dir string) error {
	names := make([]string, 0, len(tree.Entries))
	for _, e := range tree.Entries {
		p := e.Name
		if dir != "." {
			p = dir + "/" + e.Name
		}
		names = append(names, e.Name)
		t.entries[p] = treeEntry{hash: e.Hash, mode: e.Mode}
		if e.Mode == filemode.Dir {
			sub, err := object.GetTree(t.repo.Git.Storer, e.Hash)
			if err != nil {
				return fmt.Errorf("read tree %s: %w", p, err)
			}
			if err := t.walk(sub, p); err != nil {
				return err
			}
		}
	}
	sort.Strings(names)
	t.dirs[dir] = names
	return nil
}

func (t *TreeFS) blob(name string, e treeEntry) ([]byte, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	data, err := readBlob(t.repo.Git.Storer, e.hash)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return data, nil
}

// readBlob reads a whole blob through go-git's storer.
func readBlob(s storer.EncodedObjectStorer, h plumbing.Hash) ([]byte, error) {
	b, err := object.GetBlob(s, h)
	if err != nil {
		return nil, err
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	buf := bytes.NewBuffer(make([]byte, 0, b.Size))
	if _, err := io.Copy(buf, rd); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (t *TreeFS) lookup(op, name string) (treeEntry, error) {
	if !fs.ValidPath(name) {
		return treeEntry{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	e, ok := t.entries[name]
	if !ok {
		return treeEntry{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	return e, nil
}

// follow looks name up and follows symlinks inside the tree, as the
// operating system does in a working tree, so that a commit and its
// checkout read the same bytes. A link that leaves the tree or loops is
// reported as not existing (doc.Load reports links that leave).
func (t *TreeFS) follow(op, name string) (treeEntry, error) {
	e, err := t.lookup(op, name)
	for hops := 0; err == nil && e.mode == filemode.Symlink; hops++ {
		if hops == 40 {
			return treeEntry{}, &fs.PathError{Op: op, Path: name, Err: fmt.Errorf("too many levels of symbolic links")}
		}
		target, rerr := t.blob(name, e)
		if rerr != nil {
			return treeEntry{}, rerr
		}
		next := path.Join(path.Dir(name), string(target))
		if path.IsAbs(string(target)) || !fs.ValidPath(next) {
			return treeEntry{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		name = next
		e, err = t.lookup(op, name)
	}
	return e, err
}

// Open implements fs.FS.
func (t *TreeFS) Open(name string) (fs.File, error) {
	e, err := t.follow("open", name)
	if err != nil {
		return nil, err
	}
	if e.folder() {
		return &treeDir{fs: t, name: name}, nil
	}
	data, err := t.blob(name, e)
	if err != nil {
		return nil, err
	}
	return &treeFile{Reader: bytes.NewReader(data), info: t.info(name, e, int64(len(data)))}, nil
}

// ReadFile implements fs.ReadFileFS.
func (t *TreeFS) ReadFile(name string) ([]byte, error) {
	e, err := t.follow("read", name)
	if err != nil {
		return nil, err
	}
	if e.folder() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("is a folder")}
	}
	return t.blob(name, e)
}

// Stat implements fs.StatFS.
func (t *TreeFS) Stat(name string) (fs.FileInfo, error) {
	e, err := t.follow("stat", name)
	if err != nil {
		return nil, err
	}
	return t.stat(name, e)
}

func (t *TreeFS) stat(name string, e treeEntry) (fs.FileInfo, error) {
	var err error
	var size int64
	if e.file() {
		t.mu.Lock()
		size, err = t.repo.Git.Storer.EncodedObjectSize(e.hash)
		t.mu.Unlock()
		if err != nil {
			return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
		}
	}
	return t.info(name, e, size), nil
}

// Lstat implements fs.ReadLinkFS: it does not follow a symlink.
func (t *TreeFS) Lstat(name string) (fs.FileInfo, error) {
	e, err := t.lookup("lstat", name)
	if err != nil {
		return nil, err
	}
	return t.stat(name, e)
}

// ReadLink implements fs.ReadLinkFS.
func (t *TreeFS) ReadLink(name string) (string, error) {
	e, err := t.lookup("readlink", name)
	if err != nil {
		return "", err
	}
	if e.mode != filemode.Symlink {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	b, err := t.blob(name, e)
	return string(b), err
}

// ReadDir implements fs.ReadDirFS.
func (t *TreeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	e, err := t.lookup("readdir", name)
	if err != nil {
		return nil, err
	}
	if !e.folder() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fmt.Errorf("not a folder")}
	}
	var out []fs.DirEntry
	for _, child := range t.dirs[name] {
		p := child
		if name != "." {
			p = name + "/" + child
		}
		ce := t.entries[p]
		out = append(out, fs.FileInfoToDirEntry(t.info(p, ce, 0)))
	}
	return out, nil
}

func (t *TreeFS) info(name string, e treeEntry, size int64) fs.FileInfo {
	mode := fs.FileMode(0o644)
	switch e.mode {
	case filemode.Dir, filemode.Submodule:
		mode = fs.ModeDir | 0o755
	case filemode.Symlink:
		mode = fs.ModeSymlink | 0o777
	case filemode.Executable:
		mode = 0o755
	}
	return fileInfo{name: path.Base(name), size: size, mode: mode, mod: t.commit.Committer.When}
}

type fileInfo struct {
	name string
	size int64
	mode fs.FileMode
	mod  time.Time
}

func (f fileInfo) Name() string       { return f.name }
func (f fileInfo) Size() int64        { return f.size }
func (f fileInfo) Mode() fs.FileMode  { return f.mode }
func (f fileInfo) ModTime() time.Time { return f.mod }
func (f fileInfo) IsDir() bool        { return f.mode.IsDir() }
func (f fileInfo) Sys() any           { return nil }

type treeFile struct {
	*bytes.Reader
	info fs.FileInfo
}

func (f *treeFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *treeFile) Close() error               { return nil }

type treeDir struct {
	fs   *TreeFS
	name string
	read int
}

func (d *treeDir) Stat() (fs.FileInfo, error) { return d.fs.Stat(d.name) }
func (d *treeDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: fmt.Errorf("is a folder")}
}
func (d *treeDir) Close() error { return nil }
func (d *treeDir) ReadDir(n int) ([]fs.DirEntry, error) {
	all, err := d.fs.ReadDir(d.name)
	if err != nil {
		return nil, err
	}
	all = all[d.read:]
	if n > 0 && len(all) > n {
		all = all[:n]
	}
	d.read += len(all)
	if n > 0 && len(all) == 0 {
		return nil, io.EOF
	}
	return all, nil
}

// Paths lists every file path of the tree, sorted (submodules are not
// files of the tree).
func (t *TreeFS) Paths() []string {
	var out []string
	for p, e := range t.entries {
		if e.file() && p != "." {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

var _ interface {
	fs.ReadFileFS
	fs.StatFS
	fs.ReadDirFS
	fs.ReadLinkFS
} = (*TreeFS)(nil)

// trimPrefix is used by callers that hold repository-wide paths.
func (r *Repo) trimPrefix(p string) (string, bool) {
	if r.Prefix == "" {
		return p, true
	}
	return strings.CutPrefix(p, r.Prefix+"/")
}
