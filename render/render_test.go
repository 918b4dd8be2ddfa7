package render_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/render"
	"github.com/rmm-pal/rmm/repo"
)

const marker = "ZZRESTRICTEDMARKERZZ"

// fixture is a small library in a real git repository: several kinds, a
// restricted document, a retired one, a measure with CSV data, a standard
// and a defined process, a lesson, a note, and a document full of XSS
// payloads.
var fixture = map[string]string{
	"rmm.yaml": `organization: Example Corp
title: Test PAL
units: [ops, eng]
roles:
  manager: [dana@example.org]
approvals:
  policy: [manager]
default_sensitivity: internal
`,
	"policies/imc-pol.md": `---
id: IMC-POL
kind: policy
title: Incident management policy
owner: alice@example.org
status: draft
process_area: IMC
sensitivity: public
approvals:
  - {by: dana@example.org, role: manager, date: 2026-01-10, fingerprint: 0000}
---

# Incident management policy

We manage incidents by [[IMC-PLAN]]. Secret things are in [[SECRET-PLAN]].
See also [the plan](../plans/imc-plan.md#resources) and [the secret](../restricted/secret.md).

## Scope {#scope}

All services.
`,
	"plans/imc-plan.md": `---
id: IMC-PLAN
kind: plan
title: Incident management plan
owner: alice@example.org
process_area: IMC
unit: ops
stakeholders:
  - {who: bob@example.org, role: on-call, involvement: consult}
---

Plan text, governed by [[IMC-POL]]. ![diagram](diagram.png)

## Resources

Two people.

## Training

Yearly drill.

- [ ] run the drill (@bob@example.org, due 2026-12-31)
`,
	"plans/diagram.png": "not really a png",
	"restricted/secret.md": `---
id: SECRET-PLAN
kind: plan
title: Merger plan ` + marker + `
owner: dana@example.org
process_area: IMC
sensitivity: restricted
tags: [` + marker + `]
---

Body ` + marker + `, refers to [[IMC-POL]] and [[LL-1]].
`,
	"standards/imc-std.md": `---
id: IMC-STD
kind: standard
title: Incident response standard
owner: alice@example.org
process_area: IMC
---

The standard.

## Detect {#detect .required}

Watch.

## Contain {#contain}

Isolate.

## Report {#report}

Tell people.
`,
	"measures/mttr.md": `---
id: IMC-MTTR
kind: measure
title: Mean time to restore
owner: alice@example.org
process_area: IMC
target: 8
measure_unit: hours
direction: down
data: mttr.csv
---

Mean time to restore.
`,
	"measures/mttr.csv": "date,value\n2026-01-31,11.5\n2026-02-28,9\n2026-03-31,7.5\n",
	"measures/table.md": `---
id: IMC-TBL
kind: measure
title: Table measure
owner: alice@example.org
process_area: IMC
target: 3
---

| date | value |
|---|---|
| 2026-01 | 1 |
| 2026-02 | 4 |
`,
	"lessons/ll-1.md": `---
id: LL-1
kind: lesson
title: Holiday escalation
process_area: IMC
tags: [escalation, holidays]
affects: [IMC-PLAN]
---

## What happened

Nobody answered.

## What we learned

Rotas.

## Recommendation

Keep a rota.
`,
	"policies/old.md": `---
id: OLD-POL
kind: policy
title: Old retired policy
owner: alice@example.org
status: retired
superseded_by: IMC-POL
process_area: IMC
---

Obsolete text.
`,
	"notes/readme.md": "# Readme note\n\nUncontrolled text linking [[IMC-POL]].\n",
	"xss/xss.md": `---
id: XSS-1
kind: note
title: "<script>alert('title')</script>\"><svg onload=alert(1)>"
owner: "\"><svg onload=alert(2)>"
tags: ["<img src=x onerror=alert(3)>"]
unit: "<script>alert(4)</script>"
---

<script>alert(5)</script>

<img src=x onerror=alert(6)>

"><svg onload=alert(7)>

[click](javascript:alert(8)) [click2](JAVASCRIPT:alert(9)) [data](data:text/html,<script>alert(10)</script>)

<a href="javascript:alert(11)">raw</a>

## Heading {#h onclick=alert(12) .x}

Inline <b onmouseover=alert(13)>bold</b> and <javascript:alert(14)>.
`,
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.org",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.org",
		"GIT_AUTHOR_DATE=2026-03-01T10:00:00Z", "GIT_COMMITTER_DATE=2026-03-01T10:00:00Z",
		"GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, s := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// newLibrary makes a git repository holding files, committed once.
func newLibrary(t *testing.T, files map[string]string) (*repo.Repo, string) {
	t.Helper()
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	writeFiles(t, dir, files)
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "Add the library")
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r, dir
}

func build(t *testing.T, r *repo.Repo, out string, mod func(*render.Options)) *render.Result {
	t.Helper()
	o := render.Options{Repo: r, Out: out, Now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	if mod != nil {
		mod(&o)
	}
	res, err := render.Build(context.Background(), o)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return res
}

// siteFiles reads every file of a built site.
func siteFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func page(t *testing.T, files map[string][]byte, p string) string {
	t.Helper()
	b, ok := files[p]
	if !ok {
		t.Fatalf("the site has no %s", p)
	}
	return string(b)
}

// checkLinks follows every relative href and src of every HTML page, and
// every fragment into a page, and fails on one that does not resolve.
// It also fails on a link that leaves the site (absolute paths, http).
func checkLinks(t *testing.T, files map[string][]byte) {
	t.Helper()
	ids := map[string]map[string]bool{}
	idsOf := func(p string) map[string]bool {
		if m, ok := ids[p]; ok {
			return m
		}
		m := map[string]bool{}
		z := html.NewTokenizer(bytes.NewReader(files[p]))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			if tt == html.StartTagToken || tt == html.SelfClosingTagToken {
				tok := z.Token()
				for _, a := range tok.Attr {
					if a.Key == "id" {
						m[a.Val] = true
					}
				}
			}
		}
		ids[p] = m
		return m
	}
	var names []string
	for p := range files {
		names = append(names, p)
	}
	sort.Strings(names)
	checked := 0
	for _, p := range names {
		if !strings.HasSuffix(p, ".html") {
			continue
		}
		z := html.NewTokenizer(bytes.NewReader(files[p]))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			tok := z.Token()
			for _, a := range tok.Attr {
				if a.Key != "href" && a.Key != "src" {
					continue
				}
				u, err := url.Parse(a.Val)
				if err != nil {
					t.Errorf("%s: bad URL %q", p, a.Val)
					continue
				}
				if u.Scheme == "mailto" || ((u.Scheme == "http" || u.Scheme == "https") && u.Host != "") {
					continue // external links written by authors
				}
				if u.Scheme != "" || u.Host != "" || strings.HasPrefix(u.Path, "/") {
					t.Errorf("%s: %s=%q is not relative", p, a.Key, a.Val)
					continue
				}
				target := p
				if u.Path != "" {
					target = path.Join(path.Dir(p), u.Path)
				}
				if _, ok := files[target]; !ok {
					t.Errorf("%s: %s=%q: %s does not exist", p, a.Key, a.Val, target)
					continue
				}
				if u.Fragment != "" && strings.HasSuffix(target, ".html") && !idsOf(target)[u.Fragment] {
					t.Errorf("%s: %s=%q: no id %q in %s", p, a.Key, a.Val, u.Fragment, target)
				}
				checked++
			}
		}
	}
	if checked == 0 {
		t.Fatal("no link checked")
	}
}

func TestSiteLinksResolve(t *testing.T) {
	r, _ := newLibrary(t, fixture)
	out := filepath.Join(t.TempDir(), "site")
	res := build(t, r, out, nil)
	files := siteFiles(t, out)
	checkLinks(t, files)
	delete(files, render.MarkerFile) // not counted
	if res.Pages < 10 || res.Written != len(files) || res.Files != len(files) {
		t.Errorf("result %+v for %d files", res, len(files))
	}
	for _, p := range []string{"index.html", "doc/IMC-POL.html", "doc/IMC-PLAN.html", "doc/NOTES-README.html",
		"kind/policy.html", "area/IMC.html", "unit/ops.html", "status/retired.html", "lessons.html",
		"tailoring.html", "coverage.html", "checks.html", "baselines.html", "assets/style.css",
		"assets/search.js", "assets/search-index.js", "files/plans/diagram.png"} {
		page(t, files, p)
	}
}

func TestDocumentPage(t *testing.T) {
	r, dir := newLibrary(t, fixture)
	git(t, dir, "commit", "-q", "--allow-empty", "-m", "Empty commit")
	writeFiles(t, dir, map[string]string{"plans/imc-plan.md": strings.Replace(fixture["plans/imc-plan.md"], "Two people.", "Three people.", 1)})
	git(t, dir, "commit", "-q", "-am", "Plan: one more person")
	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, func(o *render.Options) {
		o.Diags = []doc.Diagnostic{doc.Errorf("plans/imc-plan.md", 3, "demo", "a check finding")}
	})
	files := siteFiles(t, out)
	pol := page(t, files, "doc/IMC-POL.html")
	for _, want := range []string{
		`<a class="xref" href="../doc/IMC-PLAN.html" title="IMC-PLAN">Incident management plan</a>`,
		`href="../doc/IMC-PLAN.html#resources"`,                                                         // relative .md link, fragment kept
		`<span class="xref-none">SECRET-PLAN</span>`,                                                    // restricted: plain text, no title
		`<h2 id="scope">Scope <a class="anchor" href="#scope" aria-label="Permalink: Scope">#</a></h2>`, // heading ids kept, with a permalink
		`<span class="fresh stale"`,                                                                     // approval with another fingerprint
		// History: the first commit also added the restricted plan, so
		// its subject is withheld from this audience (issue 9).
		"(subject not shown: this commit also changed a document not published here)",
		`href="../doc/NOTES-README.html"`, // backlink from the note
		`href="../doc/OLD-POL.html"`,      // backlink from the retired policy (superseded_by)
	} {
		if !strings.Contains(pol, want) {
			t.Errorf("IMC-POL page lacks %q", want)
		}
	}
	if strings.Contains(pol, "the secret</a>") {
		t.Error("a link to a restricted document is still a link")
	}
	plan := page(t, files, "doc/IMC-PLAN.html")
	for _, want := range []string{"Plan: one more person", "(subject not shown", "Three people.", `src="../files/plans/diagram.png"`,
		"run the drill", "a check finding", `href="../unit/ops.html"`} {
		if !strings.Contains(plan, want) {
			t.Errorf("IMC-PLAN page lacks %q", want)
		}
	}
	if strings.Contains(plan, "Empty commit") {
		t.Error("the history lists a commit that did not change the plan")
	}
	if strings.Contains(plan, "Add the library") || strings.Contains(page(t, files, "index.html"), "Add the library") {
		t.Error("the subject of the commit that also added the restricted plan is shown")
	}
	old := page(t, files, "doc/OLD-POL.html")
	if !strings.Contains(old, `class="banner obsolete"`) || !strings.Contains(old, `href="../doc/IMC-POL.html"`) {
		t.Error("the retired policy has no obsolete banner pointing at its successor")
	}
	if strings.Contains(page(t, files, "kind/policy.html"), "OLD-POL") {
		t.Error("the retired policy is in the current index of policies")
	}
	if !strings.Contains(page(t, files, "status/retired.html"), "OLD-POL") {
		t.Error("the retired policy is not in the retired index")
	}
	m := page(t, files, "doc/IMC-MTTR.html")
	if !strings.Contains(m, `<svg class="chart"`) || !strings.Contains(m, `class="target"`) || strings.Count(m, "<circle") != 3 {
		t.Error("the measure has no chart of its 3 points against its target")
	}
	if tb := page(t, files, "doc/IMC-TBL.html"); strings.Count(tb, "<circle") != 2 {
		t.Error("the measure with a table has no chart of its 2 points")
	}
	if l := page(t, files, "lessons.html"); !strings.Contains(l, `id="tag-escalation"`) || !strings.Contains(l, "Holiday escalation") {
		t.Error("the lessons library lacks the lesson or its tag")
	}
	cov := page(t, files, "coverage.html")
	if !strings.Contains(cov, `title="Incident management plan">IMC-PLAN</a>`) {
		t.Error("coverage does not show the plan as evidence")
	}
}

func TestDeterministicAndIncremental(t *testing.T) {
	r, dir := newLibrary(t, fixture)
	a := filepath.Join(t.TempDir(), "a")
	b := filepath.Join(t.TempDir(), "b")
	build(t, r, a, nil)
	build(t, r, b, nil)
	fa, fb := siteFiles(t, a), siteFiles(t, b)
	if len(fa) != len(fb) {
		t.Fatalf("%d files, then %d", len(fa), len(fb))
	}
	for p, data := range fa {
		if !bytes.Equal(data, fb[p]) {
			t.Errorf("%s differs between two builds", p)
		}
	}
	// Rebuilding into a: nothing changed, nothing written.
	if res := build(t, r, a, nil); res.Written != 0 {
		t.Errorf("a rebuild of the same input wrote %d files", res.Written)
	}
	// One document changes: its page, and the pages that show its title
	// or history, are written; the site stays whole.
	writeFiles(t, dir, map[string]string{"lessons/ll-1.md": strings.Replace(fixture["lessons/ll-1.md"], "Keep a rota.", "Keep a rota, always.", 1)})
	git(t, dir, "commit", "-q", "-am", "Lesson: always")
	res := build(t, r, a, nil)
	if res.Written == 0 || res.Written > 6 {
		t.Errorf("after one edit, %d files written", res.Written)
	}
	if !strings.Contains(page(t, siteFiles(t, a), "doc/LL-1.html"), "Keep a rota, always.") {
		t.Error("the edit is not in the rebuilt page")
	}
	ents, _ := os.ReadDir(filepath.Dir(a))
	if len(ents) != 1 {
		t.Errorf("the output's folder holds %d entries, want the site alone", len(ents))
	}
}

func TestAtOlderCommit(t *testing.T) {
	r, dir := newLibrary(t, fixture)
	first := git(t, dir, "rev-parse", "HEAD")
	writeFiles(t, dir, map[string]string{
		"policies/imc-pol.md": strings.Replace(fixture["policies/imc-pol.md"], "title: Incident management policy", "title: Incident policy v2", 1),
		"policies/new.md":     "---\nid: NEW-POL\nkind: policy\ntitle: Brand new policy\nowner: a@example.org\n---\n\nNew.\n",
	})
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "Second version")
	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, func(o *render.Options) { o.Rev = first })
	files := siteFiles(t, out)
	pol := page(t, files, "doc/IMC-POL.html")
	if !strings.Contains(pol, "<h1 id=\"incident-management-policy\">Incident management policy <a class=\"anchor\"") || strings.Contains(pol, "v2") {
		t.Error("--at the first commit does not show the policy as it was")
	}
	if strings.Contains(pol, "Second version") {
		t.Error("--at the first commit shows a later commit in the history")
	}
	if _, ok := files["doc/NEW-POL.html"]; ok {
		t.Error("--at the first commit shows a document added later")
	}
	build(t, r, out, nil)
	files = siteFiles(t, out)
	if !strings.Contains(page(t, files, "doc/IMC-POL.html"), "Second version") || files["doc/NEW-POL.html"] == nil {
		t.Error("the working tree build does not show the second commit")
	}
}

func TestAudience(t *testing.T) {
	r, _ := newLibrary(t, fixture)
	internal := filepath.Join(t.TempDir(), "internal")
	build(t, r, internal, nil)
	for p, data := range siteFiles(t, internal) {
		if bytes.Contains(data, []byte(marker)) {
			t.Errorf("the internal build's %s holds the restricted marker", p)
		}
		if bytes.Contains(data, []byte("restricted/secret.md")) {
			t.Errorf("the internal build's %s names the restricted document's path", p)
		}
	}
	restricted := filepath.Join(t.TempDir(), "restricted")
	build(t, r, restricted, func(o *render.Options) { o.Audience = "restricted" })
	files := siteFiles(t, restricted)
	if !strings.Contains(page(t, files, "doc/SECRET-PLAN.html"), marker) {
		t.Error("the restricted build lacks the restricted document")
	}
	if !strings.Contains(page(t, files, "doc/IMC-POL.html"), `href="../doc/SECRET-PLAN.html"`) {
		t.Error("the restricted build does not link to the restricted document")
	}
	public := filepath.Join(t.TempDir(), "public")
	build(t, r, public, func(o *render.Options) { o.Audience = "public" })
	files = siteFiles(t, public)
	var docs []string
	for p := range files {
		if strings.HasPrefix(p, "doc/") {
			docs = append(docs, p)
		}
	}
	if len(docs) != 1 || docs[0] != "doc/IMC-POL.html" {
		t.Errorf("the public build has pages %v, want the public policy alone", docs)
	}
	idx := string(files["assets/search-index.js"])
	if strings.Contains(idx, `"i":"IMC-PLAN"`) || strings.Contains(idx, "Incident management plan") {
		t.Error("the public search index holds an internal document")
	}
	checkLinks(t, files)
}

// TestXSSInert fails on any executable HTML in the output: a script
// element other than the site's own, an event handler attribute, a
// javascript: or data: URL, or an svg other than the charts.
func TestXSSInert(t *testing.T) {
	r, _ := newLibrary(t, fixture)
	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, nil)
	files := siteFiles(t, out)
	if !strings.Contains(page(t, files, "doc/XSS-1.html"), "alert(") {
		t.Fatal("the XSS document's text is not on its page at all")
	}
	for p, data := range files {
		if !strings.HasSuffix(p, ".html") {
			continue
		}
		z := html.NewTokenizer(bytes.NewReader(data))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			tok := z.Token()
			attrs := map[string]string{}
			for _, a := range tok.Attr {
				attrs[a.Key] = a.Val
				if strings.HasPrefix(a.Key, "on") {
					t.Errorf("%s: <%s %s=%q>", p, tok.Data, a.Key, a.Val)
				}
				v := strings.ToLower(strings.TrimSpace(a.Val))
				if (a.Key == "href" || a.Key == "src") && (strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:") || strings.HasPrefix(v, "vbscript:")) {
					t.Errorf("%s: <%s %s=%q>", p, tok.Data, a.Key, a.Val)
				}
			}
			switch tok.Data {
			case "script":
				if src := attrs["src"]; !siteScript.MatchString(src) {
					t.Errorf("%s: a script that is not the site's: %v", p, tok)
				}
			case "svg":
				if attrs["class"] != "chart" {
					t.Errorf("%s: an svg that is not a chart: %v", p, tok)
				}
			case "iframe", "object", "embed", "base", "form", "meta":
				if tok.Data != "meta" || attrs["http-equiv"] != "" && !(attrs["http-equiv"] == "Content-Security-Policy" && attrs["content"] == render.SitePolicy) {
					t.Errorf("%s: <%s>", p, tok.Data)
				}
			}
		}
	}
	idx := string(files["assets/search-index.js"])
	if strings.Contains(idx, "</script") || strings.Contains(idx, "<svg") {
		t.Error("the search data holds raw markup")
	}
}

func TestRefusals(t *testing.T) {
	r, _ := newLibrary(t, fixture)
	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, nil)
	before := siteFiles(t, out)
	_, err := render.Build(context.Background(), render.Options{Repo: r, Out: out, Strict: true,
		Diags: []doc.Diagnostic{doc.Errorf("x.md", 1, "r", "bad")}})
	if !errors.Is(err, render.ErrStrict) {
		t.Fatalf("strict build with an error: %v", err)
	}
	if after := siteFiles(t, out); len(after) != len(before) {
		t.Error("a refused strict build changed the site")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := render.Build(ctx, render.Options{Repo: r, Out: out}); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled build: %v", err)
	}
	after := siteFiles(t, out)
	for p, data := range before {
		if !bytes.Equal(after[p], data) {
			t.Errorf("a cancelled build changed %s", p)
		}
	}
	if _, err := render.Build(context.Background(), render.Options{Repo: r, Out: out, Audience: "everyone"}); err == nil {
		t.Error("an unknown audience was accepted")
	}
}

// A file that is not a folder where a page must go.
func TestPhaseErrors(t *testing.T) {
	r, _ := newLibrary(t, fixture)
	dir := t.TempDir()
	out := filepath.Join(dir, "site")
	if err := os.WriteFile(out, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := render.Build(context.Background(), render.Options{Repo: r, Out: out})
	var pe *render.PhaseError
	if !errors.As(err, &pe) || pe.Phase != render.PhaseWrite {
		t.Fatalf("got %v, want a write phase error", err)
	}
}

// A repository overrides the site's layouts and assets file by file in
// .rmm/templates/site/; a broken layout fails the load phase by name.
func TestTemplateOverride(t *testing.T) {
	files := map[string]string{}
	for k, v := range fixture {
		files[k] = v
	}
	files[".rmm/templates/site/assets/style.css"] = "body { color: rebeccapurple; }\n"
	files[".rmm/templates/site/checks.html"] = `{{define "content"}}<p>Our own checks page</p>{{end}}`
	r, dir := newLibrary(t, files)
	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, nil)
	site := siteFiles(t, out)
	if page(t, site, "assets/style.css") != files[".rmm/templates/site/assets/style.css"] {
		t.Error("the overriding style.css is not used")
	}
	if !strings.Contains(page(t, site, "checks.html"), "Our own checks page") {
		t.Error("the overriding checks.html is not used")
	}
	writeFiles(t, dir, map[string]string{".rmm/templates/site/doc.html": `{{define "content"}}{{.Nope}`})
	_, err := render.Build(context.Background(), render.Options{Repo: r, Out: out})
	var pe *render.PhaseError
	if !errors.As(err, &pe) || pe.Phase != render.PhaseLoad || !strings.Contains(err.Error(), "doc.html") {
		t.Fatalf("a broken doc.html: %v", err)
	}
}

// A rebuild takes unchanged pages from the previous site without
// rendering them, and its output is byte for byte a clean build's: after
// an edit of a body, of a title (which changes the pages that link to
// it), and of a file of the site by hand.
func TestRebuildReusesPages(t *testing.T) {
	r, dir := newLibrary(t, fixture)
	out := filepath.Join(t.TempDir(), "site")
	first := build(t, r, out, nil)
	if first.Reused != 0 {
		t.Errorf("a first build reused %d pages", first.Reused)
	}
	same := func(what string) {
		t.Helper()
		clean := filepath.Join(t.TempDir(), "clean")
		build(t, r, clean, nil)
		a, b := siteFiles(t, out), siteFiles(t, clean)
		if len(a) != len(b) {
			t.Errorf("%s: %d files, a clean build %d", what, len(a), len(b))
		}
		for p, data := range b {
			if !bytes.Equal(a[p], data) {
				t.Errorf("%s: %s differs from a clean build's", what, p)
			}
		}
	}
	docs := 0
	for p := range siteFiles(t, out) {
		if strings.HasPrefix(p, "doc/") {
			docs++
		}
	}
	res := build(t, r, out, nil)
	if res.Reused != docs || res.Written != 0 {
		t.Errorf("a rebuild of the same input reused %d of %d document pages, wrote %d files", res.Reused, docs, res.Written)
	}
	writeFiles(t, dir, map[string]string{"lessons/ll-1.md": strings.Replace(fixture["lessons/ll-1.md"], "Keep a rota.", "Keep a rota, always.", 1)})
	git(t, dir, "commit", "-q", "-am", "Lesson: always")
	res = build(t, r, out, nil)
	if res.Reused != docs-1 {
		t.Errorf("after a body edit, %d of %d document pages reused", res.Reused, docs)
	}
	same("body edit")

	writeFiles(t, dir, map[string]string{"plans/imc-plan.md": strings.Replace(fixture["plans/imc-plan.md"], "title: Incident management plan", "title: Incident plan, renamed", 1)})
	git(t, dir, "commit", "-q", "-am", "Rename the plan")
	build(t, r, out, nil)
	same("title edit")
	if !strings.Contains(page(t, siteFiles(t, out), "doc/IMC-POL.html"), "Incident plan, renamed") {
		t.Error("the policy's link to the plan shows the old title")
	}

	if err := os.WriteFile(filepath.Join(out, "doc", "IMC-POL.html"), []byte("edited by hand"), 0o644); err != nil {
		t.Fatal(err)
	}
	build(t, r, out, nil)
	same("hand edit")
}

// Names that become file names (units, statuses, kinds) cannot lead out of
// the output folder or collide: they are kept when safe, else slugged
// with a hash.
func TestNamesStayInside(t *testing.T) {
	parent := t.TempDir()
	r, _ := newLibrary(t, map[string]string{
		"rmm.yaml": "organization: X\nunits: [\"../../evil\", \"a/b\", \"a-b\"]\n",
		"p.md":     "---\nid: P-1\nkind: policy\ntitle: P\nowner: a@example.org\nunit: \"../../evil\"\nstatus: \"../x\"\n---\n\nText.\n",
		"q.md":     "---\nid: Q-1\nkind: policy\ntitle: Q\nowner: a@example.org\nunit: a/b\n---\n\nText.\n",
		"s.md":     "---\nid: S-1\nkind: policy\ntitle: S\nowner: a@example.org\nunit: a-b\n---\n\nText.\n",
		// Retired, alone in its area and unit; of a kind that is no kind.
		"r.md": "---\nid: R-1\nkind: policy\ntitle: R\nowner: a@example.org\nstatus: retired\nprocess_area: ZZ\nunit: gone\n---\n\nText.\n",
		"k.md": "---\nid: K-1\nkind: \"../k\"\ntitle: K\nowner: a@example.org\n---\n\nText.\n",
	})
	out := filepath.Join(parent, "deep", "site")
	build(t, r, out, nil)
	files := siteFiles(t, out)
	checkLinks(t, files)
	var units []string
	for p := range files {
		if strings.HasPrefix(p, "unit/") || strings.HasPrefix(p, "status/") {
			units = append(units, p)
		}
	}
	sort.Strings(units)
	if len(units) != 7 {
		t.Errorf("unit and status pages %v, want 4 units and 3 statuses", units)
	}
	ents, _ := os.ReadDir(parent)
	if len(ents) != 1 {
		t.Errorf("the build wrote beside its output folder: %v", ents)
	}
	ents, _ = os.ReadDir(filepath.Join(parent, "deep"))
	if len(ents) != 1 {
		t.Errorf("the build wrote beside its output folder: %v", ents)
	}
}

// siteScript matches the src of the site's own scripts: files of assets/.
var siteScript = regexp.MustCompile(`^(\.\./)*assets/[a-z-]+\.js$`)
