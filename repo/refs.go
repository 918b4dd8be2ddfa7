package repo

// Ref names and commit ancestry, for the order of baselines: a baseline's
// predecessor must be an ancestor of its commit, and a tag that cannot be
// read must still be listed (by name) rather than vanish from the list.

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// TagNames lists the names (without refs/tags/) of every tag whose name
// starts with prefix, loose or packed, sorted, whether or not the object
// it names can be read (Tags skips those; ReadTag says why). It reads the
// ref store itself, skipping git's .lock files, so that a tag another
// process is writing at that moment does not make the listing fail. The
// error is for a ref folder or packed-refs file that cannot be read.
func (r *Repo) TagNames(prefix string) ([]string, error) {
	seen := map[string]bool{}
	dir := ""
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		dir = prefix[:i+1]
	}
	top := filepath.Join(r.commonDir(), "refs", "tags")
	err := filepath.WalkDir(filepath.Join(top, filepath.FromSlash(dir)), func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if e.IsDir() || strings.HasSuffix(p, ".lock") {
			return nil
		}
		rel, err := filepath.Rel(top, p)
		if err != nil {
			return err
		}
		if name := filepath.ToSlash(rel); strings.HasPrefix(name, prefix) {
			seen[name] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	f, _, err := openRegular(filepath.Join(r.commonDir(), "packed-refs"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	if err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "^") {
				continue
			}
			if _, ref, ok := strings.Cut(line, " "); ok {
				if name, ok := strings.CutPrefix(ref, "refs/tags/"); ok && strings.HasPrefix(name, prefix) {
					seen[name] = true
				}
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("list tags: read packed-refs: %w", err)
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// ErrNoAncestry is wrapped by Ancestry.Has's error when the walk met a
// commit whose parent is not in the object store (a shallow clone, or a
// damaged repository): the answer is unknown.
var ErrNoAncestry = errors.New("the commit history is incomplete")

// Ancestry is the set of commit and its ancestors, discovered as it is
// asked about: the walk back from commit goes only as far as the commits
// asked for require (the usual question, "is this older baseline behind
// this newer one", costs the commits between them), and never visits a
// commit twice, however many are asked about. Not safe for concurrent use.
type Ancestry struct {
	r       *Repo
	seen    map[plumbing.Hash]bool
	queue   []plumbing.Hash
	missing error // the first commit the walk could not read
}

// Ancestry starts the set of commit's ancestors (commit included).
func (r *Repo) Ancestry(commit string) *Ancestry {
	h := plumbing.NewHash(commit)
	return &Ancestry{r: r, seen: map[plumbing.Hash]bool{h: true}, queue: []plumbing.Hash{h}}
}

// Has reports whether hash is the commit or one of its ancestors. The
// error (wrapping ErrNoAncestry) says the walk met a commit it could not
// read before finding hash: the answer is then unknown.
func (a *Ancestry) Has(hash string) (bool, error) {
	want := plumbing.NewHash(hash)
	if a.seen[want] {
		return true, nil
	}
	for len(a.queue) > 0 {
		h := a.queue[0]
		a.queue = a.queue[1:]
		c, err := a.r.Git.CommitObject(h)
		if err != nil {
			if a.missing == nil {
				a.missing = fmt.Errorf("%w: cannot read commit %s: %v", ErrNoAncestry, tagShort(h.String()), err)
			}
			continue
		}
		found := false
		for _, p := range c.ParentHashes {
			if !a.seen[p] {
				a.seen[p] = true
				a.queue = append(a.queue, p)
			}
			found = found || p == want
		}
		if found {
			return true, nil
		}
	}
	return false, a.missing
}
