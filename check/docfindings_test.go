package check

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// A serve build that reuses the per-document rules' findings of the last
// build reports what a fresh check reports, whatever changed in between:
// a document (edited, or unchanged and so the same *doc.Document),
// rmm.yaml's units, a kind template's required sections, or the
// documents a reference names.
func TestDocFindingsFollowWhatTheRulesRead(t *testing.T) {
	const policy = "---\nid: %s\nkind: policy\ntitle: T\nowner: o@example.org\nprocess_area: AM\nunit: %s\n---\n\n# T\n\n## Purpose\n\nx\n\n## Scope\n\nx\n\n## Policy\n\nx\n"
	pol := func(id, unit string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte(strings.Replace(strings.Replace(policy, "%s", id, 1), "%s", unit, 1))}
	}
	fsys := fstest.MapFS{
		"rmm.yaml":     {Data: []byte("organization: Example\nunits: [ops]\n")},
		"p/a.md":       pol("AM-A", "ops"),
		"p/b.md":       pol("AM-B", "field"), // not a unit of rmm.yaml
		"p/c.md":       pol("AM-C", "ops"),
		"p/noowner.md": {Data: []byte("---\nid: AM-D\nkind: plan\ntitle: T\n---\n\n# T\n")},
		"p/refs.md":    {Data: []byte("---\nid: AM-R\nkind: note\ntitle: R\ncites: [AM-L]\n---\n\n# R\n\nSee [[AM-NEW]] and [the plan](noowner.md).\n")},
		"p/lesson.md":  {Data: []byte("---\nid: AM-L\nkind: lesson\ntitle: L\n---\n\n# L\n")},
	}
	memo := NewDocFindings()
	var prev *doc.Library
	step := func(what string) {
		t.Helper()
		lib, err := doc.Load(fsys, doc.LoadOptions{Previous: prev})
		if err != nil {
			t.Fatal(err)
		}
		if prev != nil && fsys["p/a.md"] != nil && lib.ByPath["p/a.md"] != prev.ByPath["p/a.md"] {
			t.Fatalf("%s: the unchanged document was read anew: nothing is reused", what)
		}
		prev = lib
		snap := &repo.Snapshot{Lib: lib, FS: fsys}
		fresh := strs(Run(NewContext(nil, snap, now), Rules()))
		memo.Next()
		c := NewContext(nil, snap, now)
		c.UseDocFindings(memo)
		if got := strs(Run(c, Rules())); !slices.Equal(got, fresh) {
			t.Errorf("%s: with the last build's findings\n%s\na fresh check\n%s", what, strings.Join(got, "\n"), strings.Join(fresh, "\n"))
		}
	}
	step("first build")
	step("nothing changed")
	fsys["p/c.md"] = &fstest.MapFile{Data: []byte(strings.Replace(string(fsys["p/c.md"].Data), "owner: o@example.org", "owner: nobody", 1))}
	step("a document edited")
	fsys["rmm.yaml"] = &fstest.MapFile{Data: []byte("organization: Example\nunits: [ops, field]\n")}
	step("a unit added to rmm.yaml")
	fsys[".rmm/templates/policy.md"] = &fstest.MapFile{Data: []byte("---\nkind: policy\n---\n\n# Title\n\n## Purpose\n\n## Scope\n\n## Exceptions\n")}
	step("a section required by the kind's template")
	fsys[".rmm/templates/policy.md"] = &fstest.MapFile{Data: []byte("---\nkind: policy\n---\n\n# Title\n\n## Purpose\n\n## Policy\n")}
	step("the kind's template requires sections the documents have")
	delete(fsys, "p/noowner.md")
	step("a document removed (a link's target)")
	fsys["p/new.md"] = &fstest.MapFile{Data: []byte("---\nid: AM-NEW\nkind: note\ntitle: N\n---\n\n# N\n")}
	step("the document a reference names added")
	fsys["p/lesson.md"] = &fstest.MapFile{Data: []byte("---\nid: AM-L\nkind: note\ntitle: L\n---\n\n# L\n")}
	step("a cited lesson's kind changed")
}
