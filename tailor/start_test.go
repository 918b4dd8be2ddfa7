package tailor

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Start writes a unit's defined process once: a second one for the same
// unit and standard is refused, as is a document that is no standard, and
// the file written checks clean as a defined process of that standard.
func TestStartOncePerUnit(t *testing.T) {
	g := newGitRepo(t, map[string]string{
		"rmm.yaml":         "organization: T\nunits: [ops, dev]\n",
		"standards/std.md": matrixStd,
		"notes/guide.md":   "---\nid: GUIDE\nkind: guide\ntitle: G\nowner: a@example.org\n---\nText.\n",
	})
	head := g.commit("start")
	ctx := g.context()
	st, err := Start(ctx.Repo, ctx.Snap, StartRequest{Standard: "STD", Unit: "ops", Owner: "o@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(g.dir, filepath.FromSlash(st.Path)))
	if err != nil {
		t.Fatal(err)
	}
	if s := string(data); !strings.Contains(s, "tailors: STD") || !strings.Contains(s, "base: "+head) || st.Uncommitted {
		t.Errorf("%s (uncommitted %v):\n%s", st.Path, st.Uncommitted, s)
	}

	ctx = g.context()
	p, err := Find(ctx.Lib, st.ID)
	if err != nil || p.Unit != "ops" {
		t.Fatalf("Find %s: %v", st.ID, err)
	}
	eff, err := Show(ctx, p)
	if err != nil || eff.State != Current || eff.Standard.ID != "STD" {
		t.Fatalf("Show: %+v, %v", eff, err)
	}
	for _, tc := range []struct {
		req  StartRequest
		want string
	}{
		{StartRequest{Standard: "STD", Unit: "ops", ID: "OTHER-OPS", Owner: "o@example.org"}, "unit ops already tailors STD"},
		{StartRequest{Standard: "GUIDE", Unit: "dev", Owner: "o@example.org"}, "not a standard process"},
		{StartRequest{Standard: "STD", Unit: "nope", Owner: "o@example.org"}, `unknown unit "nope"`},
		{StartRequest{Standard: "STD", Unit: "dev", Owner: "not an email"}, "--owner"},
	} {
		_, err := Start(ctx.Repo, ctx.Snap, tc.req)
		var rf *Refusal
		if !errors.As(err, &rf) || !strings.Contains(rf.Msg, tc.want) {
			t.Errorf("%+v: want a refusal %q, got %v", tc.req, tc.want, err)
		}
	}
	if _, err := Find(ctx.Lib, "GUIDE"); err == nil {
		t.Error("Find took a guide for a defined process")
	}
}
