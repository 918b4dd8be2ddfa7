package baseline

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/store"
)

const recordCfg = "organization: Example\nroles:\n  manager: [dana@example.org]\napprovals:\n  policy: [manager]\n  plan: [owner, manager]\n"

// library writes files into a temporary folder and loads it.
func library(t *testing.T, files map[string]string) (string, *doc.Library) {
	t.Helper()
	dir := t.TempDir()
	files["rmm.yaml"] = recordCfg
	for name, text := range files {
		write(t, dir, name, text)
	}
	lib, err := doc.Load(os.DirFS(dir), doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return dir, lib
}

func plan(t *testing.T, lib *doc.Library, by string, ids ...string) []Pending {
	t.Helper()
	p, problems, err := Plan(lib, Request{IDs: ids, By: by, Date: when})
	if err != nil || len(problems) > 0 {
		t.Fatalf("plan: %v %v", err, problems)
	}
	return p
}

func read(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const planText = "---\nid: PLAN-A\nkind: plan\ntitle: A\nowner: olga@example.org\nstatus: review\n---\n\nBody.\n"

// TestRecordKeepsApprovalsRecordedMeanwhile: two approvers were shown the
// same document; the second records on top of the first's result and the
// status is computed from both.
func TestRecordKeepsApprovalsRecordedMeanwhile(t *testing.T) {
	dir, lib := library(t, map[string]string{"plans/a.md": planText})
	owner := plan(t, lib, "olga@example.org", "PLAN-A")
	manager := plan(t, lib, "dana@example.org", "PLAN-A")
	if owner[0].Approval.Role != "owner" || manager[0].Approval.Role != "manager" {
		t.Fatalf("roles %s %s", owner[0].Approval.Role, manager[0].Approval.Role)
	}
	r1, err := Record(dir, lib.Config, owner)
	if err != nil || !r1[0].Written || strings.Join(r1[0].Left, ",") != "manager" {
		t.Fatalf("owner: %+v %v", r1, err)
	}
	r2, err := Record(dir, lib.Config, manager)
	if err != nil || !r2[0].Written || len(r2[0].Left) != 0 {
		t.Fatalf("manager: %+v %v", r2, err)
	}
	d, _ := doc.Parse("plans/a.md", []byte(read(t, dir, "plans/a.md")))
	if len(d.Approvals) != 2 || d.Status != "approved" {
		t.Fatalf("approvals %+v, status %q", d.Approvals, d.Status)
	}
	// The same approval again, from the same old plan: nothing written.
	r3, err := Record(dir, lib.Config, manager)
	if err != nil || r3[0].Written {
		t.Fatalf("again: %+v %v", r3, err)
	}
	if d2, _ := doc.Parse("plans/a.md", []byte(read(t, dir, "plans/a.md"))); len(d2.Approvals) != 2 {
		t.Fatalf("approved twice: %d", len(d2.Approvals))
	}
}

// TestRecordRefusesChangedContent: an edit of the body between Plan and
// Record is refused with ErrChanged, and no file of the request changes.
func TestRecordRefusesChangedContent(t *testing.T) {
	pol := "---\nid: POL-A\nkind: policy\ntitle: A\nowner: olga@example.org\n---\n\nText.\n"
	dir, lib := library(t, map[string]string{"plans/a.md": planText, "policies/a.md": pol})
	p := plan(t, lib, "dana@example.org", "POL-A", "PLAN-A")
	edited := strings.Replace(planText, "Body.", "Body, edited.", 1)
	write(t, dir, "plans/a.md", edited)
	_, err := Record(dir, lib.Config, p)
	if !errors.Is(err, ErrChanged) {
		t.Fatalf("err = %v, want ErrChanged", err)
	}
	if want := "PLAN-A (plans/a.md) changed while rmm was approving it (its content, not only its approvals); look at it again and run rmm approve again"; err.Error() != want {
		t.Fatalf("message %q", err)
	}
	if read(t, dir, "policies/a.md") != pol || read(t, dir, "plans/a.md") != edited {
		t.Fatal("a file changed")
	}
	for _, n := range []string{"policies/a.md.lock", "plans/a.md.lock"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			t.Fatalf("%s left behind", n)
		}
	}
	// A change of status alone is not a change of content.
	write(t, dir, "plans/a.md", strings.Replace(planText, "status: review", "status: draft", 1))
	if _, err := Record(dir, lib.Config, p); err != nil {
		t.Fatal(err)
	}
}

// TestRecordBusy: a lock held by someone else makes Record give up with
// ErrBusy naming the lock, and change nothing.
func TestRecordBusy(t *testing.T) {
	dir, lib := library(t, map[string]string{"plans/a.md": planText})
	p := plan(t, lib, "olga@example.org", "PLAN-A")
	write(t, dir, "plans/a.md.lock", "")
	defer func(w time.Duration) { store.LockWait = w }(store.LockWait)
	store.LockWait = 20 * time.Millisecond
	_, err := Record(dir, lib.Config, p)
	if !errors.Is(err, store.ErrBusy) || !strings.Contains(err.Error(), "plans/a.md.lock") {
		t.Fatalf("err = %v", err)
	}
	if read(t, dir, "plans/a.md") != planText {
		t.Fatal("the file changed")
	}
}

// TestPlanRefusals: the messages users see, and all or none.
func TestPlanRefusals(t *testing.T) {
	_, lib := library(t, map[string]string{"plans/a.md": planText,
		"policies/odd.md": "---\nid: POL-ODD\nkind: policy\ntitle: Odd\nowner: olga@example.org\napprovals: {}\n---\n"})
	for _, tc := range []struct {
		by, role string
		ids      []string
		want     string
	}{
		{"erin@example.org", "", []string{"PLAN-A"}, "erin@example.org holds no role for PLAN-A (plans/a.md) (owner: olga@example.org; manager: dana@example.org)"},
		{"dana@example.org", "", []string{"plan-a"}, "no document has the id plan-a; did you mean PLAN-A?"},
		{"dana@example.org", "owner", []string{"PLAN-A"}, "dana@example.org does not hold the role owner for PLAN-A (plans/a.md); they hold the roles manager (owner: olga@example.org)"},
		{"dana@example.org", "", []string{"POL-ODD"}, "POL-ODD cannot be approved until its errors are fixed"},
	} {
		p, problems, err := Plan(lib, Request{IDs: tc.ids, By: tc.by, Role: tc.role, Date: when})
		if err != nil || len(problems) != 1 || !strings.Contains(problems[0], tc.want) || len(p) > 0 && tc.ids[0] != "PLAN-A" {
			t.Errorf("%v as %q: problems %q, err %v; want %q", tc.ids, tc.by, problems, err, tc.want)
		}
	}
}

// TestApproveStatusForms: status written as nothing, a comment or a block
// scalar is valid YAML and becomes approved.
func TestApproveStatusForms(t *testing.T) {
	for _, st := range []string{"status:\n", "status: # tbd\n", "status: >-\n  draft\n", "status: ~\n", "status: \"review\"\n"} {
		in := "---\nid: POL-A\nkind: policy\ntitle: A\nowner: olga@example.org\n" + st + "tags: [x]\n---\n\nText.\n"
		d := parse(t, in)
		out, err := Approve(d, testCfg, doc.Approval{By: "dana@example.org", Role: "manager", Date: when})
		if err != nil {
			t.Fatalf("%q: %v", st, err)
		}
		nd := parse(t, string(out))
		if nd.Status != "approved" || len(nd.Approvals) != 1 || nd.Fingerprint != d.Fingerprint {
			t.Fatalf("%q: status %q, %d approvals", st, nd.Status, len(nd.Approvals))
		}
		if !strings.HasSuffix(string(out), "tags: [x]\napprovals:\n  - by: dana@example.org\n    role: manager\n    date: \"2026-11-26T12:00:00Z\"\n    fingerprint: "+d.Fingerprint+"\n---\n\nText.\n") {
			t.Fatalf("%q: got\n%s", st, out)
		}
	}
}

// Plan refuses a document with a placeholder section, naming each, by
// the library's own templates when it has them; other documents of the
// request are refused with it (all or none).
func TestPlanRefusesPlaceholders(t *testing.T) {
	todo := "---\nid: PLAN-T\nkind: plan\ntitle: T\nowner: olga@example.org\n---\n\n## Resources\n\nTODO: Resources.\n\n## Training\n\n## Objectives\n\nFast.\n"
	_, lib := library(t, map[string]string{"plans/a.md": planText, "plans/t.md": todo})
	_, problems, err := Plan(lib, Request{IDs: []string{"PLAN-A", "PLAN-T"}, By: "olga@example.org", Date: when})
	want := "PLAN-T cannot be approved: it has 2 sections that are still placeholders (a placeholder is no content; write them first):\n" +
		"    plans/t.md:8: section \"Resources\" still holds the template's TODO\n    plans/t.md:12: section \"Training\" is empty"
	if err != nil || len(problems) != 1 || problems[0] != want {
		t.Errorf("problems %q, %v", problems, err)
	}
	// The repository's template says what a placeholder is.
	own := check.NewTemplates(fstest.MapFS{".rmm/templates/policy.md": {Data: []byte("# {{.Title}}\n\n## Scope\n\nSay what it covers.\n")}})
	pol := "---\nid: POL-S\nkind: policy\ntitle: S\nowner: dana@example.org\n---\n\n## Scope\n\nSay what it covers.\n"
	_, lib = library(t, map[string]string{"policies/s.md": pol})
	if _, problems, _ := Plan(lib, Request{IDs: []string{"POL-S"}, By: "dana@example.org", Date: when}); len(problems) != 0 {
		t.Errorf("rmm's templates: %q", problems)
	}
	if _, problems, _ := Plan(lib, Request{IDs: []string{"POL-S"}, By: "dana@example.org", Date: when, Templates: own}); len(problems) != 1 || !strings.Contains(problems[0], `section "Scope" is still the template's text`) {
		t.Errorf("own template: %q", problems)
	}
}
