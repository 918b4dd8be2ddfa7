package check

import (
	"sync"

	"github.com/rmm-pal/rmm/doc"
)

// DocFindings keeps what each per-document rule (required, values,
// sections) found in each document, for the contexts that share it: the
// builds of one rmm serve, where a document unchanged in the working tree
// is the same *doc.Document from one load to the next. A finding is kept
// under the rule, the document and everything else the rule read for it
// (its salt: rmm.yaml's units, the kind's required sections), so a change
// to any of those is a new key, never a stale finding. At 10,000
// documents the three rules are 21 ms of each serve rebuild; an edit
// re-checks one document. Next forgets what the last build did not use.
type DocFindings struct {
	mu        sync.Mutex
	cur, prev map[string]map[*doc.Document]docFinding // by rule, then document
}

type docFinding struct {
	salt string
	ds   []doc.Diagnostic
}

// NewDocFindings returns an empty memo.
func NewDocFindings() *DocFindings {
	return &DocFindings{cur: map[string]map[*doc.Document]docFinding{}}
}

// Next starts a build: the findings the last one used are kept for it,
// the others dropped.
func (f *DocFindings) Next() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.prev, f.cur = f.cur, map[string]map[*doc.Document]docFinding{}
}

// UseDocFindings makes the per-document rules of c keep and reuse their
// findings in f. Only a caller whose unchanged documents are the same
// *doc.Document from one context to the next gains from it (a load with
// doc.LoadOptions.Previous); any other finds nothing to reuse.
func (c *Context) UseDocFindings(f *DocFindings) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.findings = f
}

// eachDoc applies fn to each of docs, with the findings kept for the
// same rule, document and salt where c has DocFindings, and returns what
// they found, in the order of docs. A rule's findings are looked up by
// the document alone (a pointer) and their salt compared: hashing the
// salt with every key cost more than the rules it spared.
func (c *Context) eachDoc(rule string, docs []*doc.Document, salt func(*doc.Document) string, fn func(*doc.Document) []doc.Diagnostic) []doc.Diagnostic {
	c.mu.Lock()
	f := c.findings
	c.mu.Unlock()
	var ds []doc.Diagnostic
	if f == nil {
		for _, d := range docs {
			ds = append(ds, fn(d)...)
		}
		return ds
	}
	f.mu.Lock()
	prev, cur := f.prev[rule], f.cur[rule]
	f.mu.Unlock()
	next := make(map[*doc.Document]docFinding, len(docs))
	for _, d := range docs {
		s := ""
		if salt != nil {
			s = salt(d)
		}
		e, ok := cur[d]
		if !ok || e.salt != s {
			e, ok = prev[d]
		}
		if !ok || e.salt != s {
			e = docFinding{salt: s, ds: fn(d)}
		}
		next[d] = e
		ds = append(ds, e.ds...)
	}
	// A map once published is never written again (another context may
	// be reading it): what this build had already is merged into next.
	f.mu.Lock()
	for d, e := range f.cur[rule] {
		if _, ok := next[d]; !ok {
			next[d] = e
		}
	}
	f.cur[rule] = next
	f.mu.Unlock()
	return ds
}
