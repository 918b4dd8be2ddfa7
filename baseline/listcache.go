package baseline

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"time"

	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/store"
)

// The tag cache keeps, between runs, the header of each baseline tag's
// manifest (what List shows and what the baselines' order is judged by:
// commit, tagger, date, previous line, summary, number of documents), so
// that rmm check, baseline create and verify do not parse every baseline's
// manifest (360 KB for 5,520 documents, 15 ms each with go-git's read) on
// every run. An entry is keyed by the tag object's id and by the stamp
// repo.ObjectStamps gives what the store holds for it (a loose file's
// digest; for a packed object, that it reads whole now), taken before and
// after the read the header came from: an object id names its bytes, so
// while the store holds the same bytes, or the object whole, the header is
// theirs, and a tag object damaged in place is read again and its damage
// reported. Only manifests that parsed whole are kept. A manifest taken
// from the cache has no entries: the one latestIn picks is read whole (and
// checked) when it is needed. It is one file of package store's cache
// format (tags.json under <gitdir>/rmm/baselines), ignored when damaged or
// written by another rmm binary, and replaced whole.
const (
	tagCacheKind    = "baselines"
	tagCacheVersion = 2 // 2: repo.ObjectStamps
	tagCacheFile    = "tags.json"
	tagCacheMax     = 100000
)

type tagHeader struct {
	Stamp     string    `json:"stamp"`
	Commit    string    `json:"commit"` // the manifest's
	Target    string    `json:"target"` // the tag's
	Version   int       `json:"version"`
	Previous  string    `json:"previous"`
	Tagger    Person    `json:"tagger"`
	When      time.Time `json:"when"`
	Summary   string    `json:"summary"`
	Root      string    `json:"root"`
	Documents int       `json:"documents"`
}

type tagCache struct {
	path    string
	old     map[string]tagHeader // by tag object id
	next    map[string]tagHeader
	changed bool
}

func openTagCache(r *repo.Repo) *tagCache {
	c := &tagCache{path: filepath.Join(store.Dir(r.GitDir, tagCacheKind), tagCacheFile), next: map[string]tagHeader{}}
	body, err := store.ReadCache(c.path, tagCacheKind, tagCacheVersion)
	if err != nil || json.Unmarshal(body, &c.old) != nil {
		c.old = map[string]tagHeader{}
	}
	return c
}

// get returns the summary of tag name, whose object is ref, from the
// cache when stamp is the one it was read with.
func (c *tagCache) get(name, ref, stamp string) (Summary, bool) {
	h, ok := c.old[ref]
	if !ok || stamp == "" || h.Stamp != stamp {
		return Summary{}, false
	}
	c.next[ref] = h
	m := &Manifest{Tag: name, Name: strings.TrimPrefix(name, TagPrefix), Object: ref, Target: h.Target, Commit: h.Commit,
		Version: h.Version, Previous: h.Previous, Tagger: h.Tagger, Summary: h.Summary, Root: h.Root, when: h.When, partial: true}
	if !h.When.IsZero() {
		m.Date = h.When.Format(time.RFC3339)
	}
	return summaryOf(name, h.Target, h.Tagger, h.When, m, h.Documents), true
}

// put keeps the header of m, read of the object ref while the store gave
// stamp.
func (c *tagCache) put(ref, stamp string, m *Manifest) {
	if stamp == "" || len(c.next) >= tagCacheMax {
		return
	}
	c.next[ref] = tagHeader{Stamp: stamp, Commit: m.Commit, Target: m.Target, Version: m.Version, Previous: m.Previous,
		Tagger: m.Tagger, When: m.when, Summary: m.Summary, Root: m.Root, Documents: len(m.Documents)}
	c.changed = true
}

// save writes the cache when it changed, keeping the entries of current
// (every baseline tag's object) and dropping those of tags deleted since;
// errors are ignored (it is only a shortcut).
func (c *tagCache) save(current []string) {
	for _, ref := range current {
		if h, ok := c.old[ref]; ok {
			if _, seen := c.next[ref]; !seen {
				c.next[ref] = h
			}
		}
	}
	if !c.changed && len(c.next) == len(c.old) {
		return
	}
	body, err := json.Marshal(c.next)
	if err != nil {
		return
	}
	_ = store.WriteCache(c.path, store.Seal(append(store.Prefix(tagCacheKind, tagCacheVersion), body...)))
}

// summaryOf is the Summary of a baseline tag whose manifest m parsed.
func summaryOf(name, target string, tagger Person, when time.Time, m *Manifest, documents int) Summary {
	s := Summary{Name: strings.TrimPrefix(name, TagPrefix), Tag: name, Commit: target, Tagger: tagger, when: when,
		Date: m.Date, Summary: m.Summary, Documents: documents, Previous: m.Previous, manifest: m}
	if i := strings.IndexByte(s.Summary, '\n'); i >= 0 {
		s.Summary = s.Summary[:i]
	}
	return s
}

// whole returns m with its entries: m itself when it has them, else the
// manifest of its tag read whole (and remembered for the process); nil
// when that cannot be read or is no longer m's object.
func whole(r *repo.Repo, m *Manifest) *Manifest {
	if !m.partial {
		return m
	}
	if s, ok := listMemo.get(r.GitDir, m.Tag, m.Object); ok && s.manifest != nil && !s.manifest.partial {
		return s.manifest
	}
	t, err := r.ReadTag(m.Tag)
	if err != nil || t.Ref != m.Object {
		return nil
	}
	full, err := FromTag(t)
	if err != nil {
		return nil
	}
	listMemo.put(r.GitDir, m.Tag, m.Object, summaryOf(m.Tag, t.Target, full.Tagger, full.when, full, len(full.Documents)))
	return full
}
