package render

// Reload tells the truth (issue 12 part 6). In rmm serve's preview a save
// that breaks a document's front matter must not make its page vanish:
// LastGood puts the last version of the document that loaded back into
// the library that is published, and Options.Stale tells its page to say
// so in a banner, with the error. The errors of every build reach the
// terminal (BuildEvent.ErrorReport) and open pages (an overlay, see
// reloadJS), until a build has none.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// maxReported bounds the errors printed after a build and sent to open
// pages: the first ones say what to fix; rmm check lists them all.
const maxReported = 20

// LastGood remembers, from one build of rmm serve to the next, the last
// version of each document that loaded. Its zero value is not usable: see
// NewLastGood. It is used from the goroutine that builds only.
type LastGood struct {
	docs map[string]*doc.Document // by path
}

// NewLastGood returns an empty LastGood.
func NewLastGood() *LastGood { return &LastGood{docs: map[string]*doc.Document{}} }

// Patch returns snap with every document that failed to load, while its
// file is still there, replaced by its last good version, and the first
// error of each such file by path (for Options.Stale). snap itself and its
// library are not modified (rmm serve passes its library to the next load
// as doc.LoadOptions.Previous, which must see what the files hold). The
// documents that loaded are remembered for the next call; a file that is
// gone is forgotten.
func (g *LastGood) Patch(snap *repo.Snapshot) (*repo.Snapshot, map[string]doc.Diagnostic) {
	lib := snap.Lib
	firstErr := map[string]doc.Diagnostic{}
	for _, d := range lib.Diags {
		if d.Severity != doc.Error || lib.ByPath[d.Path] != nil {
			continue
		}
		if old, ok := firstErr[d.Path]; !ok || (d.Line > 0 && (old.Line == 0 || d.Line < old.Line)) {
			firstErr[d.Path] = d
		}
	}
	var stale map[string]doc.Diagnostic
	var add []*doc.Document
	for p, d := range g.docs {
		dg, failed := firstErr[p]
		switch {
		case lib.ByPath[p] != nil:
			continue // loaded this time: remembered below
		case !lib.Files[p] || !failed:
			delete(g.docs, p) // gone, or left out on purpose (ignored)
			continue
		case d.ID != "" && lib.ByID[d.ID] != nil:
			continue // another file carries its id now
		}
		if stale == nil {
			stale = map[string]doc.Diagnostic{}
		}
		stale[p] = dg
		add = append(add, d)
	}
	for p, d := range lib.ByPath {
		g.docs[p] = d
	}
	if len(add) == 0 {
		return snap, nil
	}
	nl := *lib
	nl.Docs = append(append([]*doc.Document(nil), lib.Docs...), add...)
	sort.Slice(nl.Docs, func(i, j int) bool { return nl.Docs[i].Path < nl.Docs[j].Path })
	nl.ByID = make(map[string]*doc.Document, len(lib.ByID)+len(add))
	for k, v := range lib.ByID {
		nl.ByID[k] = v
	}
	nl.ByPath = make(map[string]*doc.Document, len(lib.ByPath)+len(add))
	for k, v := range lib.ByPath {
		nl.ByPath[k] = v
	}
	for _, d := range add {
		nl.ByPath[d.Path] = d
		if d.ID != "" {
			nl.ByID[d.ID] = d
		}
	}
	ns := *snap
	ns.Lib = &nl
	return &ns, stale
}

// errorsOf are the errors among diags, in order.
func errorsOf(diags []doc.Diagnostic) []doc.Diagnostic {
	var out []doc.Diagnostic
	for _, d := range diags {
		if d.Severity == doc.Error {
			out = append(out, d)
		}
	}
	return out
}

// staleText is the banner of a page from the last good version.
func staleText(d doc.Diagnostic) string {
	loc := d.Path
	if d.Line > 0 {
		loc = fmt.Sprintf("%s:%d", d.Path, d.Line)
	}
	return fmt.Sprintf("%s: %s", loc, d.Message)
}

// ErrorReport is what the terminal says of a good build's errors: "" when
// it had none, else a line "built with N errors:" (or "rebuilt") and the
// first of them, one a line.
func (ev BuildEvent) ErrorReport() string {
	if ev.Result == nil || len(ev.Result.Errors) == 0 {
		return ""
	}
	errs := ev.Result.Errors
	what := "built"
	if ev.Changes != nil {
		what = "rebuilt"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s with %d %s:\n", what, len(errs), plural(len(errs), "error", "errors"))
	for i, d := range errs {
		if i == maxReported {
			fmt.Fprintf(&b, "  … and %d more (rmm check lists them all)\n", len(errs)-maxReported)
			break
		}
		fmt.Fprintf(&b, "  %s\n", d)
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
