package check

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// gitRepo writes files into a new git repository and commits them.
func gitRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	write(t, dir, files)
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "start")
	return dir
}

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func runCheck(t *testing.T, dir, rev string) []doc.Diagnostic {
	t.Helper()
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := r.Load(rev, doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return Run(NewContext(r, snap, now), Rules())
}

func strs(ds []doc.Diagnostic) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.String())
	}
	return out
}

const config = "organization: Example Corp\nunits: [operations]\n"

const goodPlan = `---
id: IMC-PLAN
kind: plan
title: Incident plan
owner: olive@example.org
process_area: IMC
stakeholders:
  - {who: sam@example.org, role: lead, involvement: approve}
---
## Process description

Text of process description.

## Standards and requirements

Text of standards and requirements.

## Objectives

Text of objectives.

## Dependencies

Text of dependencies.

## Resources

Text of resources.

## Responsibility and authority

Text of responsibility and authority.

## Training

Text of training.

## Controlled work products

Text of controlled work products.

## Measurement

Text of measurement.

## Stakeholders

Text of stakeholders.

## Monitoring and control

Text of monitoring and control.

## Objective evaluation

Text of objective evaluation.

## Management review

Text of management review.

See [[IMC-POL]] and [the policy](../policies/pol.md#scope).
`

const goodPolicy = "---\nid: IMC-POL\nkind: policy\ntitle: Policy\nowner: dana@example.org\n---\n# Policy\n\nWe handle incidents.\n"

func TestCleanLibrary(t *testing.T) {
	dir := gitRepo(t, map[string]string{"rmm.yaml": config, "plans/plan.md": goodPlan, "policies/pol.md": goodPolicy, "notes/n.md": "just a note\n"})
	if ds := runCheck(t, dir, ""); len(ds) != 0 {
		t.Errorf("clean library: %v", strs(ds))
	}
}

func TestRules(t *testing.T) {
	dir := gitRepo(t, map[string]string{
		"rmm.yaml":        config,
		"policies/pol.md": goodPolicy,
		"a.md": `---
id: bad id
kind: polcy
title: ""
owner: not-an-email
status: done
process_area: XYZ
unit: marketing
sensitivity: secret
control: loose
review_every: often
date: 31/03/2026
superseded_by: IMC-POL
colour: blue
---
Link to [[IMC-PLN]], [[NOWHERE-AT-ALL]], [gone](gone.md) and [out](../../etc/x.md).
`,
		"plans/p.md":      "---\nid: P\nkind: plan\ntitle: P\nowner: o@example.org\nstakeholders:\n  - {who: s@example.org, role: r, involvement: shout}\n---\n## Process description\n",
		"lessons/noid.md": "---\ntitle: No id\n---\n",
		"lessons/l.md":    "---\nid: L\nkind: lesson\ntitle: L\n---\n## What happened\n",
		"evaluations/e.md": "---\nid: E\nkind: evaluation\ntitle: E\nowner: o@example.org\nevaluates: [IMC-POL, GHOST]\nevaluator: eve\n---\n" +
			"## Scope\n## Criteria\n## Findings\n## Corrective actions\n- [ ] fix it\n- [ ] late (@o@example.org, due 2026-01-01)\n",
		"measures/m.md":   "---\nid: M\nkind: measure\ntitle: M\nowner: o@example.org\ndata: m.csv\ndirection: sideways\n---\n",
		"reviews/r.md":    "---\nid: R\nkind: review\ntitle: R\nowner: o@example.org\ncovers: [P]\ndate: 2025-01-10\n---\n## Attendees\n## Status reviewed\n## Decisions\n## Actions\n",
		"proposals/x.md":  "---\nid: X\nkind: proposal\ntitle: X\nowner: o@example.org\nstatus: draft\ncites: [IMC-POL]\n---\n",
		"policies/old.md": "---\nid: OLD\nkind: policy\ntitle: Old\nowner: o@example.org\nreview_every: 90d\napprovals:\n  - {by: d@example.org, role: manager, date: 2026-01-05, fingerprint: x}\n---\n",
	})
	got := strings.Join(strs(runCheck(t, dir, "")), "\n")
	for _, want := range []string{
		`a.md:2: error: id "bad id" must be upper case words joined by '-', like IMC-PLAN [id]`,
		`a.md:3: error: kind "polcy" is not one of: policy, plan, process, standard, evaluation, review, measure, lesson, proposal, training, note (did you mean "policy"?) [value]`,
		`a.md:4: error: title is empty [required]`,
		`a.md:5: error: owner "not-an-email" is not an email address [value]`,
		`a.md:6: error: status "done" is not one of: draft, review, approved, retired`,
		`a.md:7: error: process_area "XYZ" is not one of: ADM, AM, COMM`,
		`a.md:8: error: unit "marketing" is not one of rmm.yaml units (operations) [value]`,
		`a.md:9: error: sensitivity "secret" is not one of: public, internal, restricted [value]`,
		`a.md:10: error: control "loose" is not one of: baseline, version [value]`,
		`a.md:11: error: review_every: "often" is not a period like 90d, 6mo or 1y [value]`,
		`a.md:12: error: date "31/03/2026" is not a date like 2026-03-31 [value]`,
		`a.md:13: error: superseded_by is set but the document is not retired [value]`,
		`a.md:14: warning: unknown front matter key "colour" [unknown-key]`,
		`a.md:16: error: [[IMC-PLN]] refers to no document (did you mean "IMC-POL"?) [reference]`,
		`a.md:16: error: [[NOWHERE-AT-ALL]] refers to no document [reference]`,
		`a.md:16: error: link gone.md refers to no document (gone.md) [reference]`,
		`a.md:16: error: link ../../etc/x.md leaves the repository [reference]`,
		`evaluations/e.md:6: error: evaluates names GHOST, which is no document [reference]`,
		`evaluations/e.md:7: error: evaluator "eve" is not an email address [value]`,
		`evaluations/e.md:13: warning: open action has no owner`,
		`evaluations/e.md:14: warning: action overdue since 2026-01-01 (@o@example.org): late [action-overdue]`,
		`lessons/noid.md:1: error: front matter has no id [required]`,
		`lessons/noid.md:1: error: front matter has no kind [required]`,
		`lessons/l.md:6: error: a lesson needs the section(s): What we learned, Recommendation [section]`,
		`measures/m.md:1: error: a measure needs a target [measure]`,
		`measures/m.md:6: error: data file measures/m.csv does not exist [measure]`,
		`measures/m.md:7: error: direction "sideways" is not one of: up, down [value]`,
		`plans/p.md:7: error: stakeholder s@example.org: involvement "shout" is not one of inform, consult, approve [stakeholder]`,
		`plans/p.md:9: error: a plan needs the section(s): Standards and requirements, Objectives,`,
		`proposals/x.md:6: error: status "draft" is not one of: proposed, accepted, rejected, implemented [value]`,
		`proposals/x.md:7: error: cites names IMC-POL, a policy: cites lists lessons [reference]`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q", want)
		}
	}
	if strings.Contains(got, "lessons/l.md:1: error: a lesson needs an owner") {
		t.Errorf("a lesson needs no owner")
	}
	if strings.Contains(got, "plans/p.md:1: warning") || strings.Contains(got, "review-due] plans/p.md") {
		t.Errorf("unexpected:\n%s", got)
	}
	if t.Failed() {
		t.Logf("got:\n%s", got)
	}
}

func TestTemplateOverride(t *testing.T) {
	tmpl := "---\nid: {{.ID}}\ntitle: {{printf \"%q\" .Title}}\n---\n# {{.Title}}\n\n## Context\n\n## Lesson {#lesson .x}\n"
	lesson := "---\nid: L\nkind: lesson\ntitle: L\n---\n## Context\n\nThe outage.\n"
	dir := gitRepo(t, map[string]string{"rmm.yaml": config, ".rmm/templates/lesson.md": tmpl, "l.md": lesson})
	ds := runCheck(t, dir, "")
	if len(ds) != 1 || ds[0].String() != "l.md:6: error: a lesson needs the section(s): Lesson [section]" {
		t.Errorf("override: %v", strs(ds))
	}
}

func TestShallowCloneWarns(t *testing.T) {
	src := gitRepo(t, map[string]string{"rmm.yaml": config, "p.md": goodPolicy})
	write(t, src, map[string]string{"q.md": "a note\n"})
	git(t, src, "add", "-A")
	git(t, src, "commit", "-q", "-m", "second")
	clone := filepath.Join(t.TempDir(), "clone")
	git(t, src, "clone", "-q", "--depth", "1", "file://"+src, clone)
	ds := runCheck(t, clone, "")
	if len(ds) != 1 || ds[0].String() != "rmm.yaml: warning: the repository is a shallow clone: history is incomplete (run git fetch --unshallow) [shallow]" {
		t.Errorf("shallow clone: %v", strs(ds))
	}
	if ds := runCheck(t, src, ""); len(ds) != 0 {
		t.Errorf("full clone: %v", strs(ds))
	}
}

// TestLoadFromGitMatchesWorkTree loads the same library from the working
// tree and from the commit that holds it: the documents, their
// fingerprints, sections, references and diagnostics must be the same.
func TestLoadFromGitMatchesWorkTree(t *testing.T) {
	files := map[string]string{
		"rmm.yaml":        config + "ignore: [\"drafts/**\"]\n",
		"plans/plan.md":   goodPlan,
		"policies/pol.md": goodPolicy,
		"notes/crlf.md":   "# Windows\r\n\r\ntext  \r\n",
		"drafts/x.md":     "---\nbroken: [\n---\n",
		"bad.md":          "---\nid: [\n---\n",
		"deep/a/b/c.md":   "---\nid: DEEP\nkind: note\ntitle: Deep\n---\n[up](../../../plans/plan.md)\n",
	}
	dir := gitRepo(t, files)
	if err := os.Symlink("../policies/pol.md", filepath.Join(dir, "notes", "alias.md")); err != nil {
		t.Skip(err)
	}
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "alias")
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	at, err := r.Load("HEAD", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	head := git(t, dir, "rev-parse", "HEAD")
	if at.Commit != head || wt.Commit != "" {
		t.Errorf("commits %q %q, want %q and \"\"", at.Commit, wt.Commit, head)
	}
	if len(wt.Lib.Docs) != 5 || len(at.Lib.Docs) != len(wt.Lib.Docs) {
		t.Fatalf("%d documents in the tree, %d at HEAD", len(wt.Lib.Docs), len(at.Lib.Docs))
	}
	for i, a := range wt.Lib.Docs {
		b := at.Lib.Docs[i]
		if a.Path != b.Path || a.ID != b.ID || a.Fingerprint != b.Fingerprint || len(a.Sections) != len(b.Sections) || len(a.Refs) != len(b.Refs) || string(a.Raw) != string(b.Raw) {
			t.Errorf("%s differs: %s %s / %s %s", a.Path, a.ID, a.Fingerprint[:8], b.ID, b.Fingerprint[:8])
		}
		if h, ok := at.Tree.BlobHash(a.Path); !ok || (a.Path != "notes/alias.md" && h != repo.BlobHash(a.Raw)) {
			t.Errorf("blob hash of %s: %s, %v", a.Path, h, ok)
		}
	}
	if strings.Join(strs(wt.Lib.Diags), "\n") != strings.Join(strs(at.Lib.Diags), "\n") {
		t.Errorf("diagnostics differ:\n%v\n%v", strs(wt.Lib.Diags), strs(at.Lib.Diags))
	}

	// An older revision is read from git objects, not from the tree.
	write(t, dir, map[string]string{"policies/pol.md": strings.Replace(goodPolicy, "# Policy", "# Policy v2", 1)})
	git(t, dir, "commit", "-q", "-am", "v2")
	old, err := r.Load("HEAD~1", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	now, _ := r.Load("", doc.LoadOptions{})
	if old.Lib.ByID["IMC-POL"].Fingerprint == now.Lib.ByID["IMC-POL"].Fingerprint ||
		old.Lib.ByID["IMC-POL"].Fingerprint != wt.Lib.ByID["IMC-POL"].Fingerprint {
		t.Errorf("HEAD~1 did not read the old policy")
	}
	if _, err := r.Load("no-such-rev", doc.LoadOptions{}); err == nil || !strings.Contains(err.Error(), `unknown revision "no-such-rev"`) {
		t.Errorf("unknown revision: %v", err)
	}
}

// Contexts sharing a SnapshotCache (one build's, and the next build's in
// rmm serve) read a commit once; a name that moves (HEAD after a commit)
// is resolved again, and the library at the new commit is read.
func TestSnapshotCacheFollowsMovingNames(t *testing.T) {
	dir := gitRepo(t, map[string]string{"rmm.yaml": "title: T\n", "a.md": "---\nid: A\nkind: note\ntitle: First\n---\n"})
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sc := NewSnapshotCache()
	at := func() *repo.Snapshot {
		t.Helper()
		c := NewContext(r, wt, now)
		c.UseSnapshots(sc)
		s, err := c.At("HEAD")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	first := at()
	if again := at(); again != first {
		t.Error("a second context read HEAD's library again")
	}
	if got := first.Lib.ByID["A"].Title; got != "First" {
		t.Fatalf("title at HEAD: %q", got)
	}
	write(t, dir, map[string]string{"a.md": "---\nid: A\nkind: note\ntitle: Second\n---\n"})
	git(t, dir, "commit", "-q", "-am", "retitle")
	sc.Next()
	moved := at()
	if moved == first || moved.Lib.ByID["A"].Title != "Second" {
		t.Errorf("after a commit, HEAD's library is still the old one: %q", moved.Lib.ByID["A"].Title)
	}
	// The old commit, asked by its id, is the library it holds.
	old := first.Commit
	c := NewContext(r, wt, now)
	c.UseSnapshots(sc)
	if s, err := c.At(old); err != nil || s.Commit != old || s.Lib.ByID["A"].Title != "First" {
		t.Errorf("At(%s): %v, %v", old, s, err)
	}
}

// Of two suggestions as close, "did you mean" names the same one whatever
// the order it is offered them in (the ids come from a map).
func TestHintIsTheSameEveryTime(t *testing.T) {
	want := hint("AM-PO", []string{"AM-POA", "AM-POB", "AM-POC"})
	if want != ` (did you mean "AM-POA"?)` {
		t.Fatalf("hint = %q", want)
	}
	for _, order := range [][]string{{"AM-POC", "AM-POB", "AM-POA"}, {"AM-POB", "AM-POA", "AM-POC"}} {
		if got := hint("AM-PO", order); got != want {
			t.Errorf("offered %v: %q, want %q", order, got, want)
		}
	}
}
