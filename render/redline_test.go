package render_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/render"
	"github.com/rmm-pal/rmm/repo"
)

var redlineLib = map[string]string{
	"rmm.yaml": "organization: Example Corp\nroles:\n  manager: [dana@example.org]\napprovals:\n  policy: [manager]\n",
	"policies/imc.md": `---
id: IMC-POL
kind: policy
title: Incident policy
owner: olga@example.org
---

## Reporting

Incidents are reported within one hour.

## Roles

The incident commander leads.
`,
	"policies/access.md": `---
id: AM-POL
kind: policy
title: Access policy
owner: olga@example.org
---

Access is granted by need.
`,
	"policies/secret.md": `---
id: SEC-POL
kind: policy
title: Secret policy
owner: olga@example.org
sensitivity: restricted
---

` + marker + `
`,
	"policies/draft.md": `---
id: DRAFT-POL
kind: policy
title: Draft policy
owner: olga@example.org
---

Not approved yet.
`,
}

// approveIn records dana's approval of the document at path with
// baseline.Approve, as rmm approve does.
func approveIn(t *testing.T, dir, path, date string) {
	t.Helper()
	p := filepath.Join(dir, path)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := doc.Parse(path, data)
	cfgData, _ := os.ReadFile(filepath.Join(dir, "rmm.yaml"))
	cfg, _ := doc.ParseConfig(cfgData)
	out, err := baseline.Approve(d, cfg, doc.Approval{By: "dana@example.org", Role: "manager", Date: date})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func replaceIn(t *testing.T, dir, path, from, to string) {
	t.Helper()
	p := filepath.Join(dir, path)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), from) {
		t.Fatalf("%s has no %q", path, from)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(data), from, to, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// cut creates baseline/NAME on HEAD, as rmm baseline create does.
func cut(t *testing.T, r *repo.Repo, name string, when time.Time) {
	t.Helper()
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := check.NewContext(r, snap, when)
	if _, err := baseline.Create(r, ctx, append(check.Rules(), baseline.Rules()...), name, "", repo.Signature{Name: "Dana", Email: "dana@example.org", When: when}); err != nil {
		t.Fatalf("baseline %s: %v", name, err)
	}
}

// section returns the part of a page from the element with id to the end
// of its section.
func section(t *testing.T, html, id string) string {
	t.Helper()
	i := strings.Index(html, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no element with id %s", id)
	}
	j := len(html) - i
	for _, end := range []string{"</section>\n<section id=\"rmm-", "<h2>Manifest</h2>"} {
		if k := strings.Index(html[i:], end); k >= 0 && k < j {
			j = k
		}
	}
	return html[i : i+j]
}

// On a document's page, "Changes since the last approval": the redline
// from the approved text to the published one, escaped, with the links
// the audience may not follow masked; "No change" when nothing changed;
// nothing for a document never approved.
func TestRedlineSinceApproval(t *testing.T) {
	r, dir := newLibrary(t, redlineLib)
	approveIn(t, dir, "policies/imc.md", "2026-03-02T10:00:00Z")
	approveIn(t, dir, "policies/access.md", "2026-03-02T10:00:00Z")
	git(t, dir, "commit", "-q", "-am", "approve")
	replaceIn(t, dir, "policies/imc.md", "within one hour.",
		"within 30 minutes <script>alert(1)</script> & see [the secret](secret.md).")
	replaceIn(t, dir, "policies/imc.md", "title: Incident policy", "title: Incident management policy")
	git(t, dir, "commit", "-q", "-am", "faster reporting")

	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, nil)
	files := siteFiles(t, out)
	imc := section(t, page(t, files, "doc/IMC-POL.html"), "rmm-since-approval")
	for _, want := range []string{
		"<h2>Changes since the last approval <a class=\"anchor\"",
		"From the text approved by dana@example.org as manager on 2026-03-02 (commit <code>",
		"Incidents are reported within <del>one hour</del><ins>30 minutes &lt;script&gt;alert(1)&lt;/script&gt; &amp; see [the secret](…)</ins>.",
		"<code>title</code></td><td><del>Incident policy</del></td><td><ins>Incident management policy</ins>",
		"<figcaption>Line ",
		`class="redline-legend"`,
	} {
		if !strings.Contains(imc, want) {
			t.Errorf("IMC-POL's changes since approval lack %q:\n%s", want, imc)
		}
	}
	if strings.Contains(imc, "secret.md") || strings.Contains(imc, "<script>") {
		t.Errorf("the redline shows a link to a restricted document, or raw HTML:\n%s", imc)
	}
	access := section(t, page(t, files, "doc/AM-POL.html"), "rmm-since-approval")
	if !strings.Contains(access, "No change since the last approval (by dana@example.org as manager, 2026-03-02).") || strings.Contains(access, "<ins>") {
		t.Errorf("AM-POL, unchanged since its approval:\n%s", access)
	}
	if strings.Contains(page(t, files, "doc/DRAFT-POL.html"), "rmm-since-approval") {
		t.Errorf("a document never approved has changes since its last approval")
	}

	// With the restricted audience the link is the audience's to follow.
	rout := filepath.Join(t.TempDir(), "restricted")
	build(t, r, rout, func(o *render.Options) { o.Audience = "restricted" })
	if s := section(t, page(t, siteFiles(t, rout), "doc/IMC-POL.html"), "rmm-since-approval"); !strings.Contains(s, "[the secret](secret.md)") {
		t.Errorf("restricted audience: the link is masked:\n%s", s)
	}

	// Same input, same bytes; a rebuild into the same folder reuses the
	// page until what it shows changes.
	out2 := filepath.Join(t.TempDir(), "again")
	build(t, r, out2, nil)
	if a, b := page(t, files, "doc/IMC-POL.html"), page(t, siteFiles(t, out2), "doc/IMC-POL.html"); a != b {
		t.Errorf("two builds differ")
	}
	approveIn(t, dir, "policies/imc.md", "2026-03-03T10:00:00Z")
	build(t, r, out, nil)
	if s := section(t, page(t, siteFiles(t, out), "doc/IMC-POL.html"), "rmm-since-approval"); !strings.Contains(s, "No change since the last approval (by dana@example.org as manager, 2026-03-03).") {
		t.Errorf("after approving again:\n%s", s)
	}
}

// An approved text the audience may not see is not shown: a document
// restricted when approved, internal now.
func TestRedlineApprovedVersionHidden(t *testing.T) {
	r, dir := newLibrary(t, redlineLib)
	approveIn(t, dir, "policies/secret.md", "2026-03-02T10:00:00Z")
	git(t, dir, "commit", "-q", "-am", "approve")
	replaceIn(t, dir, "policies/secret.md", "sensitivity: restricted\n", "")
	replaceIn(t, dir, "policies/secret.md", marker, "Now for everyone.")
	git(t, dir, "commit", "-q", "-am", "publish")
	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, nil)
	files := siteFiles(t, out)
	s := section(t, page(t, files, "doc/SEC-POL.html"), "rmm-since-approval")
	if !strings.Contains(s, "The approved version is not published for this audience.") || strings.Contains(s, "<del>") {
		t.Errorf("the approved, restricted version:\n%s", s)
	}
	for p, b := range files {
		if strings.Contains(string(b), marker) {
			t.Errorf("%s shows the restricted text", p)
		}
	}
}

// On a baseline's page, a redline per changed document against the
// previous baseline, the one the manifest names.
func TestRedlineBaselinePage(t *testing.T) {
	r, dir := newLibrary(t, redlineLib)
	for _, p := range []string{"policies/imc.md", "policies/access.md", "policies/secret.md", "policies/draft.md"} {
		approveIn(t, dir, p, "2026-03-02T10:00:00Z")
	}
	git(t, dir, "commit", "-q", "-am", "approve")
	cut(t, r, "Q1", time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC))
	replaceIn(t, dir, "policies/imc.md", "The incident commander leads.", "The incident commander leads, with a backup on every shift.")
	replaceIn(t, dir, "policies/secret.md", marker, marker+" changed")
	approveIn(t, dir, "policies/imc.md", "2026-06-29T10:00:00Z")
	approveIn(t, dir, "policies/secret.md", "2026-06-29T10:00:00Z")
	git(t, dir, "commit", "-q", "-am", "backup commander")
	cut(t, r, "Q2", time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC))

	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, nil)
	files := siteFiles(t, out)
	q2 := page(t, files, "baseline/Q2.html")
	rl := section(t, q2, "rmm-redlines")
	for _, want := range []string{
		"<h2>Redlines against Q1</h2>",
		`<section class="redline-doc" id="redline-IMC-POL">`,
		"The incident commander leads<ins>, with a backup on every shift</ins>.",
		"<figcaption>Line ",
	} {
		if !strings.Contains(rl, want) {
			t.Errorf("Q2's redlines lack %q:\n%s", want, rl)
		}
	}
	if strings.Contains(rl, "AM-POL") || strings.Contains(rl, "SEC-POL") {
		t.Errorf("Q2's redlines show an unchanged or hidden document:\n%s", rl)
	}
	if strings.Contains(page(t, files, "baseline/Q1.html"), "rmm-redlines") {
		t.Errorf("the first baseline has redlines")
	}
	// The restricted audience sees the restricted document's redline.
	rout := filepath.Join(t.TempDir(), "restricted")
	build(t, r, rout, func(o *render.Options) { o.Audience = "restricted" })
	if s := page(t, siteFiles(t, rout), "baseline/Q2.html"); !strings.Contains(s, marker+"<ins> changed</ins>") && !strings.Contains(s, marker+" <ins>changed</ins>") {
		t.Errorf("restricted audience: no redline of SEC-POL:\n%s", section(t, s, "rmm-redlines"))
	}
	// Deterministic, and reused by a rebuild.
	out2 := filepath.Join(t.TempDir(), "again")
	build(t, r, out2, nil)
	if page(t, siteFiles(t, out2), "baseline/Q2.html") != q2 {
		t.Errorf("two builds of baseline/Q2.html differ")
	}
	if res := build(t, r, out, nil); res.Written != 0 {
		t.Errorf("a rebuild with nothing changed wrote %d files", res.Written)
	}

	// The previous baseline is the one the manifest names: Q1 deleted
	// and cut again after Q2 names Q2, though Q2 is not the one before it
	// by name; Q2 names a Q1 that is now later, so it has none before it.
	git(t, dir, "tag", "-d", "baseline/Q1")
	cut(t, r, "Q1", time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC))
	build(t, r, out, nil)
	files = siteFiles(t, out)
	if q1 := page(t, files, "baseline/Q1.html"); !strings.Contains(q1, `<dt>Previous</dt><dd><a href="../baseline/Q2.html">Q2</a>`) || !strings.Contains(q1, "Nothing changed since Q2.") {
		t.Errorf("Q1 cut again after Q2 does not compare with Q2")
	}
	if q2 := page(t, files, "baseline/Q2.html"); !strings.Contains(q2, "The first baseline") || strings.Contains(q2, "rmm-redlines") {
		t.Errorf("Q2, whose previous Q1 was cut again later, compares with something")
	}
}
