package render_test

import (
	"bytes"
	"encoding/csv"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rmm-pal/rmm/render"
)

// secretMark is in everything of the restricted document of attFixture.
const secretMark = "ZEBRA-7"

var attFixture = map[string]string{
	"rmm.yaml": `organization: Example Corp
roles:
  manager: [dana@example.org]
approvals:
  policy: [manager]
default_sensitivity: internal
`,
	// Approved, then edited: its approval is stale. Reviewed yearly, last
	// on 2025-12-01: due within 30 days of 2026-11-26.
	"policies/pol.md": `---
id: POL-A
kind: policy
title: Access policy
owner: dana@example.org
status: approved
sensitivity: public
review_every: 1y
approvals:
  - {by: dana@example.org, role: manager, date: 2025-12-01, fingerprint: "0000"}
---

## Scope

All services.
`,
	// In review, with an overdue action in its Training section; its title
	// would be a formula in a spreadsheet.
	"plans/plan.md": `---
id: PLAN-B
kind: plan
title: "=1+2 Continuity plan"
owner: alice@example.org
status: review
---

## Resources

Two people.

## Training

Yearly drill.

- [ ] run the drill (@bob@example.org, due 2026-01-31)
- [ ] write the runbook
`,
	// Restricted: changed after approval, review overdue, an overdue
	// action. None of it may reach a build for another audience.
	"restricted/secret.md": `---
id: SECRET-` + secretMark + `
kind: policy
title: Merger policy ` + secretMark + `
owner: carol@example.org
status: approved
sensitivity: restricted
review_every: 1mo
approvals:
  - {by: dana@example.org, role: manager, date: 2025-01-01, fingerprint: "0000"}
---

## Plan

- [ ] tell nobody ` + secretMark + ` (@carol@example.org, due 2026-02-01)
`,
}

// group is the HTML of one group of the attention list.
func group(t *testing.T, html, id string) string {
	t.Helper()
	i := strings.Index(html, `<h3 id="`+id+`">`)
	if i < 0 {
		t.Fatalf("no group %s in\n%s", id, html)
	}
	rest := html[i:]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// TestAttention: every group of what needs attention, on attention.html
// and the home page, each item linking to its document; empty groups say
// nothing; a hidden document is neither named nor counted.
func TestAttention(t *testing.T) {
	r, _ := newLibrary(t, attFixture)
	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, nil)
	files := siteFiles(t, out)
	checkLinks(t, files)
	home := page(t, files, "index.html")
	for _, p := range []string{"attention.html", "index.html"} {
		html := page(t, files, p)
		if g := group(t, html, "att-changed"); !strings.Contains(g, `href="doc/POL-A.html"`) || !strings.Contains(g, "approve again as manager") {
			t.Errorf("%s: changed after approval lacks POL-A and its role:\n%s", p, g)
		}
		if g := group(t, html, "att-pending"); !strings.Contains(g, `href="doc/PLAN-B.html"`) || !strings.Contains(g, "in review") {
			t.Errorf("%s: approvals pending lacks PLAN-B:\n%s", p, g)
		}
		if g := group(t, html, "att-reviews-due"); !strings.Contains(g, `href="doc/POL-A.html"`) || !strings.Contains(g, "<time>2026-12-01</time>") {
			t.Errorf("%s: reviews due lacks POL-A due 2026-12-01:\n%s", p, g)
		}
		g := group(t, html, "att-actions")
		if !strings.Contains(g, `Open actions <span class="count">2</span>, overdue <span class="count att-late">1</span>`) {
			t.Errorf("%s: action counts are not 2 open, 1 overdue:\n%s", p, g)
		}
		if !regexp.MustCompile(`<h4>@bob@example.org <small>\(1 overdue\)</small></h4>\s*<ul class="att-items">\s*<li class="att-late"><a href="doc/PLAN-B.html#training"><code>PLAN-B</code> line 17</a>: run the drill \(due <time>2026-01-31</time>, <strong>overdue</strong>\)</li>`).MatchString(g) {
			t.Errorf("%s: the overdue action is not listed under its owner, linking its section:\n%s", p, g)
		}
		if !strings.Contains(g, "<h4>No owner</h4>") || !strings.Contains(g, "write the runbook (no due date)") {
			t.Errorf("%s: the action without owner is missing:\n%s", p, g)
		}
		for _, id := range []string{"att-reviews-overdue", "att-suspect", "att-measures", "att-gaps"} {
			if g := group(t, html, id); !strings.Contains(g, `<p class="att-none">nothing</p>`) {
				t.Errorf("%s: the empty group %s does not say nothing:\n%s", p, id, g)
			}
		}
		if g := group(t, html, "att-since"); !strings.Contains(g, "nothing: no baseline yet") {
			t.Errorf("%s: without a baseline, changes since it should say so:\n%s", p, g)
		}
	}
	if !strings.Contains(home, `href="attention.html"`) || !strings.Contains(home, `href="register.html"`) {
		t.Error("the home page does not link the attention page and the register")
	}

	// No trace of the restricted document in the internal site.
	for p, data := range files {
		if bytes.Contains(data, []byte(secretMark)) {
			t.Errorf("the internal build's %s names the restricted document", p)
		}
	}

	// The restricted build has it, in every group it belongs to.
	rout := filepath.Join(t.TempDir(), "restricted")
	build(t, r, rout, func(o *render.Options) { o.Audience = "restricted" })
	rf := siteFiles(t, rout)
	ratt := page(t, rf, "attention.html")
	for _, id := range []string{"att-changed", "att-reviews-overdue", "att-actions"} {
		if g := group(t, ratt, id); !strings.Contains(g, "SECRET-"+secretMark) {
			t.Errorf("restricted: %s lacks the restricted document:\n%s", id, g)
		}
	}
	if g := group(t, ratt, "att-actions"); !strings.Contains(g, `Open actions <span class="count">3</span>, overdue <span class="count att-late">2</span>`) {
		t.Errorf("restricted: action counts are not 3 open, 2 overdue:\n%s", g)
	}
	if !strings.Contains(page(t, rf, "register.csv"), "SECRET-"+secretMark) {
		t.Error("restricted: the register lacks the restricted document")
	}
}

// TestRegister: register.html and register.csv list the published
// documents with the status the badge shows; the CSV keeps formulas text.
func TestRegister(t *testing.T) {
	r, _ := newLibrary(t, attFixture)
	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, nil)
	files := siteFiles(t, out)
	rows, err := csv.NewReader(bytes.NewReader(files["register.csv"])).ReadAll()
	if err != nil {
		t.Fatalf("register.csv: %v", err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != "id,title,kind,area,unit,owner,status,revision,baseline,approved on,approved by,next review,sensitivity" {
		t.Fatalf("register.csv: %q", rows)
	}
	pol, plan := rows[2], rows[1]
	if plan[0] != "PLAN-B" || plan[1] != "'=1+2 Continuity plan" || plan[6] != "review" {
		t.Errorf("register.csv PLAN-B row: %q", plan)
	}
	if pol[0] != "POL-A" || pol[6] != "changed after approval" || len(pol[7]) != 12 || pol[9] != "" || pol[11] != "2026-12-01" || pol[12] != "public" {
		t.Errorf("register.csv POL-A row: %q", pol)
	}
	html := page(t, files, "register.html")
	if !strings.Contains(html, `<span class="status status-changed-after-approval">changed after approval</span>`) ||
		!strings.Contains(html, `<a href="doc/POL-A.html">Access policy</a>`) || !strings.Contains(html, `<script src="assets/register.js" defer></script>`) {
		t.Errorf("register.html:\n%s", html)
	}
	if strings.Contains(html, "'=1+2") || !strings.Contains(html, "=1&#43;2 Continuity plan") {
		t.Error("register.html shows the CSV's guard, or not the title")
	}
	// The public audience: one row.
	pub := filepath.Join(t.TempDir(), "public")
	build(t, r, pub, func(o *render.Options) { o.Audience = "public" })
	rows, _ = csv.NewReader(bytes.NewReader(siteFiles(t, pub)["register.csv"])).ReadAll()
	if len(rows) != 2 || rows[1][0] != "POL-A" {
		t.Errorf("public register.csv: %q", rows)
	}
}
