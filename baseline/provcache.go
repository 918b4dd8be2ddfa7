package baseline

import (
	"encoding/json"
	"path/filepath"
	"sync"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/store"
)

// The provenance cache keeps, for a file at a commit, the approvals its
// front matter holds there (what Provenance reads of each older version
// of an approved document), so that baseline create and verify do not
// read every older version from the object store again. A commit id and
// a path name the file's bytes for good, so an entry never goes stale;
// what is cached feeds only Provenance's warnings. It is one file of
// package store's cache format (provenance.json under <gitdir>/rmm/
// provenance), ignored when damaged or written by another rmm binary, and
// replaced whole when a run adds entries.
const (
	provKind    = "provenance"
	provVersion = 1
	provFile    = "provenance.json"
	// provMax bounds the entries kept: beyond it, those this run did not
	// use are dropped.
	provMax = 200000
)

type provApproval struct {
	By, Role, Date, Fingerprint string
}

type provCache struct {
	path string
	old  map[string][]provApproval

	mu    sync.Mutex
	used  map[string]bool
	added map[string][]provApproval
}

func openProvCache(r *repo.Repo) *provCache {
	c := &provCache{path: filepath.Join(store.Dir(r.GitDir, provKind), provFile),
		old: map[string][]provApproval{}, used: map[string]bool{}, added: map[string][]provApproval{}}
	body, err := store.ReadCache(c.path, provKind, provVersion)
	if err != nil || json.Unmarshal(body, &c.old) != nil {
		c.old = map[string][]provApproval{}
	}
	return c
}

func provKey(commit, path string) string { return commit + "\x00" + path }

// get returns the approvals cached for path at commit.
func (c *provCache) get(commit, path string) ([]doc.Approval, bool) {
	k := provKey(commit, path)
	ps, ok := c.old[k]
	if !ok {
		return nil, false
	}
	c.mu.Lock()
	c.used[k] = true
	c.mu.Unlock()
	as := make([]doc.Approval, len(ps))
	for i, p := range ps {
		as[i] = doc.Approval{By: p.By, Role: p.Role, Date: p.Date, Fingerprint: p.Fingerprint}
	}
	return as, true
}

// put records the approvals read of path at commit.
func (c *provCache) put(commit, path string, as []doc.Approval) {
	ps := make([]provApproval, len(as))
	for i, a := range as {
		ps[i] = provApproval{By: a.By, Role: a.Role, Date: a.Date, Fingerprint: a.Fingerprint}
	}
	c.mu.Lock()
	c.added[provKey(commit, path)] = ps
	c.mu.Unlock()
}

// save writes the cache when entries were added; errors are ignored (it
// is only a shortcut).
func (c *provCache) save() {
	if len(c.added) == 0 {
		return
	}
	all := make(map[string][]provApproval, len(c.old)+len(c.added))
	for k, v := range c.old {
		if len(c.old)+len(c.added) <= provMax || c.used[k] {
			all[k] = v
		}
	}
	for k, v := range c.added {
		all[k] = v
	}
	body, err := json.Marshal(all)
	if err != nil {
		return
	}
	_ = store.WriteCache(c.path, store.Seal(append(store.Prefix(provKind, provVersion), body...)))
}
