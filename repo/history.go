package repo

// Per-document revision history, for every path at once.
//
// LoadHistory walks the commits reachable from a revision in the order
// `git log` prints them, then diffs each non-merge commit against its parent
// on raw tree bytes (history_diff.go), reading objects straight from the
// packs (history_pack.go), with a few workers over contiguous ranges of the
// commit list. A cache keyed by commit hash (history_cache.go) makes a later
// call diff only the commits it has not seen.

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// CommitInfo describes one commit in a document's history.
type CommitInfo struct {
	Hash    string    // full 40-hex
	Author  string    // author name
	Email   string    // author email
	Date    time.Time // author date
	Subject string    // first line of message
}

// History holds, for every path ever present in the history of a revision,
// the commits that changed it.
type History struct {
	head       string
	incomplete bool
	infos      []CommitInfo // non-merge commits that changed a path, newest first
	paths      []string     // sorted
	lists      [][]int32    // per path: indexes into infos, ascending
	stats      historyStats

	touchedOnce sync.Once
	touched     map[string]bool // the hashes of Of(""), for Touched
}

// historyStats tells tests how much work a call did.
type historyStats struct {
	commits int // commits walked
	read    int // commits read from objects rather than the cache
	diffed  int // commits diffed
}

// Head is the commit the history was computed from.
func (h *History) Head() string { return h.head }

// Incomplete reports a shallow clone: history stops at a grafted commit, so
// lists may be cut short.
func (h *History) Incomplete() bool { return h.incomplete }

// Paths returns every path with at least one commit, sorted.
func (h *History) Paths() []string { return append([]string(nil), h.paths...) }

// Of returns the commits that changed path (slash-separated, relative to the
// repository root), newest first: the list and order of
// `git log --no-merges --full-history --format=%H -- PATH`. A folder's list
// holds the commits that changed anything below it; "" or "." is the whole
// tree.
func (h *History) Of(path string) []CommitInfo {
	path = strings.TrimPrefix(path, "./")
	path = strings.TrimRight(path, "/")
	if path == "." {
		path = ""
	}
	var lo, hi int
	if path == "" {
		lo, hi = 0, len(h.paths)
	} else {
		lo = sort.SearchStrings(h.paths, path)
		hi = lo
		if hi < len(h.paths) && h.paths[hi] == path {
			hi++
		}
		// Paths below path/ sort after path and path + a byte below '/'.
		dir := path + "/"
		d := sort.SearchStrings(h.paths, dir)
		if d < len(h.paths) && strings.HasPrefix(h.paths[d], dir) {
			if hi == lo {
				lo = d
			}
			e := d + sort.Search(len(h.paths)-d, func(i int) bool { return !strings.HasPrefix(h.paths[d+i], dir) })
			if hi != lo && hi != d {
				// path itself and path/... are not adjacent: merge both ranges.
				return h.collect(append(h.rangeIdx(lo, hi), h.rangeIdx(d, e)...))
			}
			hi = e
		}
	}
	switch hi - lo {
	case 0:
		return nil
	case 1:
		l := h.lists[lo]
		out := make([]CommitInfo, len(l))
		for i, c := range l {
			out[i] = h.infos[c]
		}
		return out
	}
	return h.collect(h.rangeIdx(lo, hi))
}

// Touched reports whether commit is in Of(""): a commit of the history
// that changed a path. The set is made on the first call (rmm serve keeps
// a History while HEAD stays, and asks on every rebuild).
func (h *History) Touched(commit string) bool {
	h.touchedOnce.Do(func() {
		all := h.Of("")
		h.touched = make(map[string]bool, len(all))
		for _, c := range all {
			h.touched[c.Hash] = true
		}
	})
	return h.touched[commit]
}

func (h *History) rangeIdx(lo, hi int) []int32 {
	var all []int32
	for i := lo; i < hi; i++ {
		all = append(all, h.lists[i]...)
	}
	return all
}

func (h *History) collect(idx []int32) []CommitInfo {
	sort.Slice(idx, func(i, j int) bool { return idx[i] < idx[j] })
	var out []CommitInfo
	for i, c := range idx {
		if i > 0 && idx[i-1] == c {
			continue
		}
		out = append(out, h.infos[c])
	}
	return out
}

// hcommit is a commit met in the walk.
type hcommit struct {
	hash    hoid
	tree    hoid
	parents []hoid
	pidx    []int32 // indexes of parents in the walk
	date    int64   // committer time: git log's order
	author  string
	email   string
	adate   int64
	tz      int32 // author time zone, seconds east of UTC
	subject string
	grafted bool
	cached  bool     // changes came from the cache
	changes []string // paths changed against the first parent (non-merges only)
}

func (c *hcommit) merge() bool { return len(c.parents) > 1 }

// LoadHistory walks every commit reachable from rev in the repository at
// gitDir (the .git folder or a bare repository) in one pass. rev is a commit
// hash; other revisions are resolved through go-git. cacheDir, when not "",
// holds a cache keyed by commit hash so that a later call diffs only the
// commits not yet seen; a cache that cannot be read is ignored and
// rewritten.
//
// A damaged or hostile repository gives an error naming the object and,
// for a tree, the path being read; see the limits in history_pack.go and
// history_diff.go.
func LoadHistory(gitDir string, rev string, cacheDir string) (h *History, err error) {
	// The packs are mapped: a pack cut short under us faults, which this
	// turns into a panic, and the panic into an error.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			h, err = nil, fmt.Errorf("corrupt object data: %v", p)
		}
	}()
	db, err := hOpenODB(gitDir)
	if err != nil {
		return nil, err
	}
	defer db.close()
	r := hNewReader(db, 8<<20)

	head, err := hResolve(gitDir, r, rev)
	if err != nil {
		return nil, err
	}
	shallow, err := hShallow(hCommonDir(gitDir))
	if err != nil {
		return nil, err
	}
	hc := hLoadCache(cacheDir)

	w := &hwalk{r: r, shallow: shallow, cache: hc, seen: make(map[hoid]int32)}
	if err := w.run(head); err != nil {
		return nil, err
	}

	var jobs []int32
	for _, ci := range w.order {
		c := &w.commits[ci]
		if !c.merge() && !c.cached {
			jobs = append(jobs, ci)
		}
	}
	if err := hDiffAll(db, w.commits, jobs); err != nil {
		return nil, err
	}

	h = hBuild(head, w)
	h.stats = historyStats{commits: len(w.order), read: w.read, diffed: len(jobs)}
	if cacheDir != "" && (w.read > 0 || hc == nil) {
		hc.save(cacheDir, w.commits)
	}
	return h, nil
}

// hResolve turns rev into the hash of a commit, peeling tags.
func hResolve(gitDir string, r *hreader, rev string) (hoid, error) {
	var h hoid
	if len(rev) == 40 {
		if _, err := hex.Decode(h[:], []byte(rev)); err != nil {
			h = hoid{}
		}
	}
	if h.isZero() {
		st := filesystem.NewStorage(osfs.New(gitDir), cache.NewObjectLRUDefault())
		defer st.Close()
		repo, err := git.Open(hGuardStorage(st, gitDir), nil)
		if err != nil {
			return h, fmt.Errorf("opening %s: %w", gitDir, err)
		}
		ph, err := repo.ResolveRevision(plumbing.Revision(rev))
		if err != nil {
			return h, fmt.Errorf("resolving %q: %w", rev, err)
		}
		h = hoid(*ph)
	}
	for range 16 {
		o, err := r.read(h, false)
		if err != nil {
			return h, fmt.Errorf("resolving %q: object %s: %w", rev, h, err)
		}
		switch o.typ {
		case hobjCommit:
			return h, nil
		case hobjTag:
			if !bytes.HasPrefix(o.data, []byte("object ")) || len(o.data) < 47 {
				return h, fmt.Errorf("tag %s: malformed", h)
			}
			if _, err := hex.Decode(h[:], o.data[7:47]); err != nil {
				return h, fmt.Errorf("tag %s: malformed", h)
			}
		default:
			return h, fmt.Errorf("%q is a %s, not a commit", rev, o.typ)
		}
	}
	return h, fmt.Errorf("resolving %q: too many nested tags", rev)
}

// hShallow reads the grafted commits of a shallow clone.
func hShallow(gitDir string) (map[hoid]bool, error) {
	f, _, err := openRegular(filepath.Join(gitDir, "shallow"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	set := make(map[hoid]bool)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		var h hoid
		if len(line) != 40 {
			continue
		}
		if _, err := hex.Decode(h[:], []byte(line)); err == nil {
			set[h] = true
		}
	}
	return set, sc.Err()
}

// hwalk reproduces git log's commit order: a queue by committer date,
// newest first, where commits of equal date leave in the order they were
// queued, each commit queueing its unseen parents in order.
type hwalk struct {
	r       *hreader
	shallow map[hoid]bool
	cache   *hcache
	commits []hcommit
	seen    map[hoid]int32
	order   []int32
	queue   []int32 // binary heap
	read    int
}

func (w *hwalk) less(i, j int32) bool {
	a, b := &w.commits[i], &w.commits[j]
	if a.date != b.date {
		return a.date > b.date
	}
	return i < j // queued first, leaves first
}

func (w *hwalk) push(ci int32) {
	q := append(w.queue, ci)
	for k := len(q) - 1; k > 0; {
		p := (k - 1) / 2
		if !w.less(q[k], q[p]) {
			break
		}
		q[k], q[p] = q[p], q[k]
		k = p
	}
	w.queue = q
}

func (w *hwalk) pop() int32 {
	q := w.queue
	top := q[0]
	n := len(q) - 1
	q[0] = q[n]
	q = q[:n]
	for k := 0; ; {
		l := 2*k + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && w.less(q[r], q[l]) {
			m = r
		}
		if !w.less(q[m], q[k]) {
			break
		}
		q[k], q[m] = q[m], q[k]
		k = m
	}
	w.queue = q
	return top
}

// add loads commit h (from the cache or the objects) and queues it.
func (w *hwalk) add(h hoid) (int32, error) {
	grafted := w.shallow[h]
	c := hcommit{hash: h, grafted: grafted}
	if rec, ok := w.cache.get(h); ok && rec.grafted == grafted {
		rec.fill(&c)
	} else {
		o, err := w.r.read(h, false)
		if err != nil {
			return 0, fmt.Errorf("commit %s: %w", h, err)
		}
		if o.typ != hobjCommit {
			return 0, fmt.Errorf("object %s is a %s, not a commit", h, o.typ)
		}
		if err := hParseCommit(o.data, &c); err != nil {
			return 0, fmt.Errorf("commit %s: %w", h, err)
		}
		w.read++
	}
	if grafted {
		c.parents = nil
	}
	ci := int32(len(w.commits))
	w.commits = append(w.commits, c)
	w.seen[h] = ci
	w.push(ci)
	return ci, nil
}

func (w *hwalk) run(head hoid) error {
	if _, err := w.add(head); err != nil {
		return err
	}
	for len(w.queue) > 0 {
		ci := w.pop()
		w.order = append(w.order, ci)
		// w.commits may grow below: index, never hold a pointer.
		np := len(w.commits[ci].parents)
		pidx := make([]int32, 0, np)
		for k := 0; k < np; k++ {
			ph := w.commits[ci].parents[k]
			pi, ok := w.seen[ph]
			if !ok {
				var err error
				if pi, err = w.add(ph); err != nil {
					return fmt.Errorf("parent of %s: %w", w.commits[ci].hash, err)
				}
			}
			pidx = append(pidx, pi)
		}
		w.commits[ci].pidx = pidx
	}
	return nil
}

// hParseCommit reads the fields LoadHistory needs from a raw commit.
func hParseCommit(data []byte, c *hcommit) error {
	haveTree := false
	for len(data) > 0 {
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			nl = len(data)
		}
		line := data[:nl]
		data = data[min(nl+1, len(data)):]
		if len(line) == 0 {
			break
		}
		key, val, _ := bytes.Cut(line, []byte{' '})
		switch string(key) {
		case "tree":
			if len(val) != 40 {
				return errors.New("bad tree line")
			}
			if _, err := hex.Decode(c.tree[:], val); err != nil {
				return errors.New("bad tree line")
			}
			haveTree = true
		case "parent":
			var p hoid
			if len(val) != 40 {
				return errors.New("bad parent line")
			}
			if _, err := hex.Decode(p[:], val); err != nil {
				return errors.New("bad parent line")
			}
			c.parents = append(c.parents, p)
		case "author":
			var name, email []byte
			name, email, c.adate, c.tz = hParseIdent(val)
			c.author, c.email = string(name), string(email)
		case "committer":
			_, _, c.date, _ = hParseIdent(val)
		}
	}
	if !haveTree {
		return errors.New("no tree")
	}
	// The subject: the first line of the message, after any blank lines.
	for len(data) > 0 {
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			nl = len(data)
		}
		line := bytes.TrimRight(data[:nl], " \t\r")
		data = data[min(nl+1, len(data)):]
		if len(bytes.TrimSpace(line)) > 0 {
			c.subject = string(bytes.TrimLeft(line, " \t"))
			break
		}
	}
	return nil
}

// hParseIdent splits "Name <email> 1700000000 +0100".
func hParseIdent(v []byte) (name, email []byte, when int64, tz int32) {
	lt := bytes.IndexByte(v, '<')
	gt := bytes.LastIndexByte(v, '>')
	if lt < 0 || gt < lt {
		return bytes.TrimSpace(v), nil, 0, 0
	}
	name = bytes.TrimSpace(v[:lt])
	email = v[lt+1 : gt]
	f := bytes.Fields(v[gt+1:])
	if len(f) > 0 {
		when, _ = strconv.ParseInt(string(f[0]), 10, 64)
	}
	if len(f) > 1 && len(f[1]) == 5 && (f[1][0] == '+' || f[1][0] == '-') {
		if n, err := strconv.Atoi(string(f[1][1:])); err == nil {
			tz = int32(n/100*3600 + n%100*60)
			if f[1][0] == '-' {
				tz = -tz
			}
		}
	}
	return name, email, when, tz
}

// hReaderBudget bounds the decoded objects each diff worker keeps: a
// variable so that tests can make every object fall out of the cache.
var hReaderBudget = 32 << 20

// hWorkers is how many goroutines diff; more than the cores gives nothing,
// and each holds its own object cache.
func hWorkers(jobs int) int {
	n := min(runtime.GOMAXPROCS(0), 4)
	if jobs < 64 {
		n = 1
	}
	return max(n, 1)
}

// hDiffAll diffs the commits jobs (indexes into commits, in walk order)
// against their first parent, filling in changes.
func hDiffAll(db *hodb, commits []hcommit, jobs []int32) error {
	nw := hWorkers(len(jobs))
	errs := make([]error, nw)
	var wg sync.WaitGroup
	for k := 0; k < nw; k++ {
		part := jobs[k*len(jobs)/nw : (k+1)*len(jobs)/nw]
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[k] = hDiffRange(db, commits, part)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// hDiffRange diffs part, in the order the pack stores the commits: git gc
// writes the newest objects first and deltas older versions of a tree
// against newer ones, fast-import the other way round. Going with the
// deltas means each tree version is built from the one just used, still
// in the cache; going against them rebuilds whole chains.
func hDiffRange(db *hodb, commits []hcommit, part []int32) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("corrupt object data: %v", p)
		}
	}()
	if len(part) == 0 {
		return nil
	}
	d := newHDiffer(hNewReader(db, hReaderBudget))
	newest, oldest := commits[part[0]].hash, commits[part[len(part)-1]].hash
	pn, on, okn := db.locate(newest)
	po, oo, oko := db.locate(oldest)
	oldestFirst := okn && oko && pn == po && oo < on
	for k := range part {
		i := k
		if oldestFirst {
			i = len(part) - 1 - k
		}
		c := &commits[part[i]]
		var parent hoid
		if len(c.pidx) == 1 {
			parent = commits[c.pidx[0]].tree
		}
		if err := d.diffRoot(parent, c.tree); err != nil {
			return fmt.Errorf("commit %s: %w", c.hash, err)
		}
		c.changes = make([]string, len(d.out))
		for j, id := range d.out {
			c.changes[j] = d.paths[id]
		}
	}
	return nil
}

// hBuild gathers the per-path lists.
func hBuild(head hoid, w *hwalk) *History {
	h := &History{head: head.String()}
	ids := make(map[string]int32)
	var paths []string
	var lists [][]int32
	zones := make(map[int32]*time.Location)
	for _, ci := range w.order {
		c := &w.commits[ci]
		if c.grafted {
			h.incomplete = true
		}
		if c.merge() || len(c.changes) == 0 {
			continue
		}
		loc := zones[c.tz]
		if loc == nil {
			loc = time.FixedZone("", int(c.tz))
			zones[c.tz] = loc
		}
		n := int32(len(h.infos))
		h.infos = append(h.infos, CommitInfo{
			Hash:    c.hash.String(),
			Author:  c.author,
			Email:   c.email,
			Date:    time.Unix(c.adate, 0).In(loc),
			Subject: c.subject,
		})
		for _, p := range c.changes {
			id, ok := ids[p]
			if !ok {
				id = int32(len(paths))
				ids[p] = id
				paths = append(paths, p)
				lists = append(lists, nil)
			}
			lists[id] = append(lists[id], n)
		}
	}
	perm := make([]int, len(paths))
	for i := range perm {
		perm[i] = i
	}
	sort.Slice(perm, func(i, j int) bool { return paths[perm[i]] < paths[perm[j]] })
	h.paths = make([]string, len(paths))
	h.lists = make([][]int32, len(paths))
	for i, p := range perm {
		h.paths[i] = paths[p]
		h.lists[i] = lists[p]
	}
	return h
}
