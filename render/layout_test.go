package render_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/example"
	"github.com/rmm-pal/rmm/render"
	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/tailor"
)

// exampleSite builds the example library's site with every check's
// findings, as rmm build does.
func exampleSite(t *testing.T) map[string][]byte {
	t.Helper()
	r, err := repo.Init(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := example.Write(r); err != nil {
		t.Fatal(err)
	}
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var rules []check.Rule
	rules = append(rules, check.Rules()...)
	rules = append(rules, baseline.Rules()...)
	rules = append(rules, tailor.Rules()...)
	diags := check.Run(check.NewContext(r, snap, time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)), rules)
	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, func(o *render.Options) { o.Diags = diags; o.Snapshot = snap })
	return siteFiles(t, out)
}

var idAttr = regexp.MustCompile(`\sid="([^"]*)"`)

// TestPagesHaveUniqueIDs: no page repeats an id (a defined process shows
// the effective process and its operations, whose headings share names;
// the operations' ids are prefixed op-).
func TestPagesHaveUniqueIDs(t *testing.T) {
	files := exampleSite(t)
	n := 0
	for p, b := range files {
		if !strings.HasSuffix(p, ".html") || strings.HasPrefix(p, "files/") {
			continue
		}
		n++
		seen := map[string]bool{}
		for _, m := range idAttr.FindAllStringSubmatch(string(b), -1) {
			if seen[m[1]] {
				t.Errorf("%s: id %q twice", p, m[1])
			}
			seen[m[1]] = true
		}
	}
	eng := page(t, files, "doc/IMC-ENG.html")
	for _, want := range []string{`id="contain"`, `id="op-contain"`, `href="#contain"`} {
		if !strings.Contains(eng, want) {
			t.Errorf("the defined process IMC-ENG lacks %s", want)
		}
	}
	if n < 30 {
		t.Errorf("only %d pages", n)
	}
}

// TestDocumentPageNavigation: breadcrumbs by area and kind, a contents
// box with the body's sections, Approvals and History (on a defined
// process too, with the effective process's sections), permalinks after
// headings.
func TestDocumentPageNavigation(t *testing.T) {
	files := exampleSite(t)
	plan := page(t, files, "doc/IMC-PLAN.html")
	for _, want := range []string{
		`<nav class="crumbs" aria-label="Breadcrumb"><ol><li><a href="../index.html">Home</a></li><li><a href="../area/IMC.html" title="IMC `,
		`<li><a href="../kind/plan.html">Plans</a></li><li aria-current="page"><code class="id">IMC-PLAN</code></li></ol></nav>`,
		`<li class="toc-2"><a href="#rmm-approvals">Approvals</a></li>`,
		`<li class="toc-2"><a href="#rmm-history">Revision history</a></li>`,
		`<h2>Approvals <a class="anchor" href="#rmm-approvals" aria-label="Permalink: Approvals">#</a></h2>`,
		`<a class="skip" href="#main">Skip to content</a>`,
		`<main class="content" id="main" tabindex="-1">`,
	} {
		if !strings.Contains(plan, want) {
			t.Errorf("IMC-PLAN's page lacks %s", want)
		}
	}
	// The content comes before the navigation: h1 before the sidebar.
	if h1, side := strings.Index(plan, "<h1"), strings.Index(plan, `<aside class="sidebar"`); h1 < 0 || side < h1 {
		t.Errorf("the sidebar (at %d) comes before the title (at %d)", side, h1)
	}
	eng := page(t, files, "doc/IMC-ENG.html")
	for _, want := range []string{`<a href="#rmm-effective">Effective defined process</a>`, `<li class="toc-3"><a href="#contain">`, `<a href="#rmm-approvals">`} {
		if !strings.Contains(eng, want) {
			t.Errorf("the defined process's contents box lacks %s", want)
		}
	}
}

// TestPresentation: one format for times, names beside emails, the
// suspect warning once on a defined process, one "Actions" heading on a
// review.
func TestPresentation(t *testing.T) {
	files := exampleSite(t)
	plan := page(t, files, "doc/IMC-PLAN.html")
	if !regexp.MustCompile(`<td>Alice Ng <span class="email">alice@example.org</span></td><td>owner</td><td class="nowrap">2026-\d\d-\d\d \d\d:\d\d UTC</td>`).MatchString(plan) {
		t.Error("IMC-PLAN's approvals do not show Alice's name beside her email with the time in UTC")
	}
	if strings.Contains(plan, "T16:10:00Z") {
		t.Error("IMC-PLAN shows an RFC 3339 time")
	}
	if !regexp.MustCompile(`<td class="nowrap">20\d\d-\d\d-\d\d \d\d:\d\d UTC</td><td>[A-Z][a-z]+ [A-Z]`).MatchString(plan) {
		t.Error("the revision history's dates are not in the site's format")
	}
	eng := page(t, files, "doc/IMC-ENG.html")
	if n := strings.Count(eng, "rmm tailor confirm") + strings.Count(eng, "<strong>Suspect:</strong>"); n != 1 {
		t.Errorf("IMC-ENG warns of the suspect tailoring %d times, want once", n)
	}
	for p, b := range files {
		if strings.HasPrefix(p, "doc/") {
			if n := strings.Count(string(b), ">Actions <a class=\"anchor\"") + strings.Count(string(b), ">Actions</h2>"); n > 1 {
				t.Errorf("%s has %d headings Actions", p, n)
			}
		}
	}
	if q1 := page(t, files, "doc/MR-2026-Q1.html"); !strings.Contains(q1, `<h2>Action status <a class="anchor" href="#rmm-actions"`) {
		t.Error("the review MR-2026-Q1 has no table of its actions' status")
	}
}
