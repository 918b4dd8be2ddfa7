// Package check holds the rules of `rmm check`. A rule is a small function
// over a loaded library that returns diagnostics; Run applies a list of
// them. Rules of other packages (change control in baseline, tailoring in
// tailor) have the same shape and are composed by the command line, so
// that this package depends on none of them.
package check

import (
	"io/fs"
	"sync"
	"time"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// Context is what rules look at.
type Context struct {
	// Snap is the library being checked (working tree or a commit).
	Snap *repo.Snapshot
	// Lib is Snap.Lib.
	Lib *doc.Library
	// Repo is the git repository; nil when the library is not in one.
	Repo *repo.Repo
	// Now is the time overdue reviews are measured against.
	Now time.Time

	mu        sync.Mutex
	cache     map[string]*repo.Snapshot
	history   map[string]historyResult
	templates *Templates
	snaps     *SnapshotCache
	findings  *DocFindings
}

// SnapshotCache keeps the libraries read at commits (Context.At) for the
// contexts that share it: those of one build (its checks, the site's
// appraisal and tailoring matrix each ask for the latest baseline's and
// the tailored standards' commits) and of the next build of the same
// process (rmm serve). A commit names its tree, so what was read at it is
// the same every time. Next forgets what the last build did not use.
type SnapshotCache struct {
	mu        sync.Mutex
	cur, prev map[string]*repo.Snapshot // by commit id
}

// NewSnapshotCache returns an empty cache.
func NewSnapshotCache() *SnapshotCache {
	return &SnapshotCache{cur: map[string]*repo.Snapshot{}}
}

// Next starts a build: the libraries the last one used are kept for it,
// the others dropped.
func (c *SnapshotCache) Next() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.prev, c.cur = c.cur, map[string]*repo.Snapshot{}
}

func (c *SnapshotCache) get(commit string) *repo.Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.cur[commit]
	if s == nil {
		if s = c.prev[commit]; s != nil {
			c.cur[commit] = s
		}
	}
	return s
}

func (c *SnapshotCache) put(commit string, s *repo.Snapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cur[commit] = s
}

// UseSnapshots makes At read libraries at commits through sc.
func (c *Context) UseSnapshots(sc *SnapshotCache) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.snaps = sc
}

type historyResult struct {
	h   *repo.History
	err error
}

// History is the history pass from commit (see repo.LoadHistory), made once
// per context and kept in the repository's history cache, so every rule
// that needs who changed what shares one walk.
func (c *Context) History(commit string) (*repo.History, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.history[commit]; ok {
		return r.h, r.err
	}
	h, err := repo.LoadHistory(c.Repo.GitDir, commit, c.Repo.HistoryCacheDir())
	if c.history == nil {
		c.history = map[string]historyResult{}
	}
	c.history[commit] = historyResult{h, err}
	return h, err
}

// InheritTemplates makes the context's templates start from prev, those
// of an earlier context of the same tree in this process (rmm serve's
// previous build): the placeholders of a document unchanged since are not
// looked for again while its kind's template reads the same (prev may
// read another fs.FS: each kind's template bytes are compared). A caller
// that keeps templates from build to build drops their own predecessor
// (Templates.DropPrevious) so the chain stays two long.
func (c *Context) InheritTemplates(prev *Templates) {
	if prev == nil {
		return
	}
	t := c.Templates()
	t.mu.Lock()
	t.prev = prev
	t.mu.Unlock()
}

// Templates are the kind templates of the library checked (its own
// .rmm/templates, else rmm's), read once per context.
func (c *Context) Templates() *Templates {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.templates == nil {
		var fsys fs.FS
		if c.Snap != nil {
			fsys = c.Snap.FS
		}
		c.templates = NewTemplates(fsys)
	}
	return c.templates
}

// SetHistory hands the context a history pass already made from commit
// (the site's build makes one), so History does not read it again.
func (c *Context) SetHistory(commit string, h *repo.History) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.history == nil {
		c.history = map[string]historyResult{}
	}
	c.history[commit] = historyResult{h: h}
}

// NewContext makes a context for snap.
func NewContext(r *repo.Repo, snap *repo.Snapshot, now time.Time) *Context {
	return &Context{Snap: snap, Lib: snap.Lib, Repo: r, Now: now, cache: map[string]*repo.Snapshot{}}
}

// At loads (once) the library at another revision, e.g. the base a
// tailoring was made against or the latest baseline.
func (c *Context) At(rev string) (*repo.Snapshot, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.cache[rev]; ok {
		return s, nil
	}
	at := rev
	if c.snaps != nil {
		commit, err := c.Repo.Resolve(rev)
		if err != nil {
			return nil, err
		}
		if s := c.snaps.get(commit); s != nil {
			c.cache[rev] = s
			return s, nil
		}
		at = commit
	}
	s, err := c.Repo.Load(at, doc.LoadOptions{})
	if err != nil {
		return nil, err
	}
	c.cache[rev] = s
	if c.snaps != nil {
		c.snaps.put(s.Commit, s)
	}
	return s, nil
}

// Rule is one rule of `rmm check`.
type Rule struct {
	Name string
	Fn   func(*Context) []doc.Diagnostic
}

// Run applies rules and returns the load diagnostics and theirs, sorted.
func Run(c *Context, rules []Rule) []doc.Diagnostic {
	out := append([]doc.Diagnostic(nil), c.Lib.Diags...)
	for _, r := range rules {
		out = append(out, r.Fn(c)...)
	}
	doc.SortDiagnostics(out)
	return out
}
