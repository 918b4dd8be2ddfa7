package baseline

import (
	"encoding/json"
	"sort"

	"github.com/rmm-pal/rmm/doc"
)

// Diff is what changed between two sets of controlled documents,
// matched by id (a moved file is a change of path, not a removal and an
// addition). Its JSON form is what `rmm baseline diff --json` prints.
type Diff struct {
	From    string   `json:"from"` // e.g. baseline/Q1
	To      string   `json:"to"`   // e.g. baseline/Q2, or "working tree"
	Added   []DocRef `json:"added"`
	Removed []DocRef `json:"removed"`
	// LeftControl are documents of From that To still holds, by id, but no
	// longer under baseline control (their kind or control changed): not
	// removed, and not in To's manifest.
	LeftControl []LeftRef `json:"left_control"`
	Changed     []Changed `json:"changed"`
	Unchanged   int       `json:"unchanged"`
}

// DocRef names a document.
type DocRef struct {
	ID   string `json:"id"`
	Path string `json:"path"`
}

// LeftRef is a document that left baseline control.
type LeftRef struct {
	ID   string `json:"id"`
	Path string `json:"path"` // path in To
	// Changes say how: "kind policy -> note", "control: version".
	Changes []string `json:"changes"`
}

// Changed is one document that differs.
type Changed struct {
	ID      string `json:"id"`
	Path    string `json:"path"`               // path in To
	OldPath string `json:"old_path,omitempty"` // path in From, when it moved
	// Keys are the front matter keys whose value differs (added, removed or
	// changed), sorted.
	Keys []string `json:"keys"`
	// Sections are the sections whose own text differs, by id, in To's
	// order then removed ones.
	Sections []SectionChange `json:"sections"`
	// Fingerprint tells whether the fingerprint changed (a change that
	// needs new approvals), as opposed to status or approvals only.
	Fingerprint bool `json:"fingerprint_changed"`
}

// SectionChange is one section of a changed document.
type SectionChange struct {
	ID     string `json:"id"`
	Change string `json:"change"` // added, removed or changed
}

// Compare diffs the controlled documents of two libraries.
func Compare(from, to *doc.Library) *Diff {
	a, b := controlled(from), controlled(to)
	df := &Diff{Added: []DocRef{}, Removed: []DocRef{}, LeftControl: []LeftRef{}, Changed: []Changed{}}
	for _, id := range sortedIDs(b) {
		nd := b[id]
		od, ok := a[id]
		if !ok {
			df.Added = append(df.Added, DocRef{ID: id, Path: nd.Path})
			continue
		}
		c := Changed{ID: id, Path: nd.Path, Keys: changedKeys(od, nd), Sections: changedSections(od, nd),
			Fingerprint: od.Fingerprint != nd.Fingerprint}
		if od.Path != nd.Path {
			c.OldPath = od.Path
		}
		if c.OldPath == "" && len(c.Keys) == 0 && len(c.Sections) == 0 && !c.Fingerprint {
			df.Unchanged++
			continue
		}
		df.Changed = append(df.Changed, c)
	}
	for _, id := range sortedIDs(a) {
		if _, ok := b[id]; ok {
			continue
		}
		od := a[id]
		if nd := to.ByID[id]; nd != nil && nd.HasFrontMatter {
			var ch []string
			if nd.Kind != od.Kind {
				ch = append(ch, "kind "+od.Kind+" -> "+nd.Kind)
			}
			if nd.Control != od.Control {
				ctl := nd.Control
				if ctl == "" {
					ctl = "(default)"
				}
				ch = append(ch, "control: "+ctl)
			}
			df.LeftControl = append(df.LeftControl, LeftRef{ID: id, Path: nd.Path, Changes: ch})
			continue
		}
		df.Removed = append(df.Removed, DocRef{ID: id, Path: od.Path})
	}
	return df
}

func controlled(lib *doc.Library) map[string]*doc.Document {
	m := map[string]*doc.Document{}
	for _, d := range lib.Docs {
		if d.HasFrontMatter && d.ID != "" && d.Controlled() && lib.ByID[d.ID] == d {
			m[d.ID] = d
		}
	}
	return m
}

func sortedIDs(m map[string]*doc.Document) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func changedKeys(a, b *doc.Document) []string {
	keys := []string{}
	seen := map[string]bool{}
	for k, v := range a.Front {
		seen[k] = true
		w, ok := b.Front[k]
		if !ok || !sameValue(v, w) {
			keys = append(keys, k)
		}
	}
	for k := range b.Front {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func sameValue(a, b any) bool {
	x, err1 := json.Marshal(normaliseJSON(a))
	y, err2 := json.Marshal(normaliseJSON(b))
	return err1 == nil && err2 == nil && string(x) == string(y)
}

// normaliseJSON makes YAML values marshal (maps with non-string keys).
func normaliseJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = normaliseJSON(e)
		}
		return m
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			kb, _ := json.Marshal(k)
			m[string(kb)] = normaliseJSON(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = normaliseJSON(e)
		}
		return l
	}
	return v
}

// PreambleSection names the text before a document's first heading.
const PreambleSection = "(preamble)"

func sectionTexts(d *doc.Document) (ids []string, text map[string]string) {
	text = map[string]string{}
	first := len(d.Body)
	for _, s := range d.Sections {
		if s.Start < first {
			first = s.Start
		}
	}
	if pre := doc.NormaliseBody(d.Body[:first]); pre != "" {
		ids = append(ids, PreambleSection)
		text[PreambleSection] = pre
	}
	for _, s := range d.Sections {
		if s.Start < 0 || s.OwnEnd > len(d.Body) || s.Start > s.OwnEnd {
			continue
		}
		if _, dup := text[s.ID]; dup {
			text[s.ID] += "\n" + doc.NormaliseBody(d.Body[s.Start:s.OwnEnd])
			continue
		}
		ids = append(ids, s.ID)
		text[s.ID] = doc.NormaliseBody(d.Body[s.Start:s.OwnEnd])
	}
	return ids, text
}

func changedSections(a, b *doc.Document) []SectionChange {
	out := []SectionChange{}
	aIDs, aText := sectionTexts(a)
	bIDs, bText := sectionTexts(b)
	for _, id := range bIDs {
		old, ok := aText[id]
		switch {
		case !ok:
			out = append(out, SectionChange{ID: id, Change: "added"})
		case old != bText[id]:
			out = append(out, SectionChange{ID: id, Change: "changed"})
		}
	}
	for _, id := range aIDs {
		if _, ok := bText[id]; !ok {
			out = append(out, SectionChange{ID: id, Change: "removed"})
		}
	}
	return out
}
