package render_test

import (
	"bytes"
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
	"github.com/rmm-pal/rmm/tailor"
)

// checkDiags runs every rule of rmm check on the working tree, as the
// command line does before a build.
func checkDiags(t *testing.T, r *repo.Repo) []doc.Diagnostic {
	t.Helper()
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rules := append(append(check.Rules(), tailor.Rules()...), baseline.Rules()...)
	return check.Run(check.NewContext(r, snap, time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)), rules)
}

// leaks lists the site's files that hold any of markers, ignoring case
// (search data is lower case).
func leaks(t *testing.T, dir string, markers ...string) []string {
	t.Helper()
	var out []string
	for p, data := range siteFiles(t, dir) {
		low := bytes.ToLower(append([]byte(p+"\x00"), data...))
		for _, m := range markers {
			if bytes.Contains(low, []byte(strings.ToLower(m))) {
				out = append(out, p+": "+m)
			}
		}
	}
	return out
}

// sealedFixture reproduces the audience leaks of issue 9, each with a
// marker of its own.
var sealedFixture = map[string]string{
	"rmm.yaml": "organization: Example Corp\nunits: [ops]\ndefault_sensitivity: internal\n",
	"secret/x.md": `---
id: IMC-SECRET
kind: plan
title: Merger plan QQTITLEMARK
owner: dana@example.org
sensitivity: restricted
---

QQBODYMARK. ![chart](qqimagemark.png) and [the data](data.csv).
`,
	"secret/qqimagemark.png": "QQIMAGEBYTES",
	"secret/data.csv":        "date,value\n2026-01-01,424242.5\n2026-02-01,434343.5\n",
	"secret/std.md": `---
id: STD-SECRET
kind: standard
title: Secret standard
owner: dana@example.org
sensitivity: restricted
---

## Detect qqsecthead {#qqsectid .required}

Watch.

## Contain {#qqcontainid}

Isolate.
`,
	"notes/pub.md": `---
id: IMC-NOTE
kind: note
title: Internal note
---

The image ![img](../secret/qqimagemark.png), the data [csv](../secret/data.csv),
the alias [alias](../alias.txt), a near miss [[IMC-SECRE]].
`,
	"measures/m.md": `---
id: IMC-M
kind: measure
title: Internal measure
owner: dana@example.org
target: 3
data: ../secret/data.csv
---

Charts restricted data?
`,
	"processes/p.md": `---
id: IMC-PROC
kind: process
title: Ops process
owner: dana@example.org
tailors: STD-SECRET
unit: ops
base: 0000000
---

## Detect {#qqsectid .suppress}

Rationale: we do not detect.

## Missing {#nosuch .extend}

Rationale: none.

## Contain {#qqcontainix .replace}

Rationale: a near miss.
`,
}

func TestSealedAudience(t *testing.T) {
	r, dir := newLibrary(t, sealedFixture)
	if err := os.Symlink("secret/x.md", filepath.Join(dir, "alias.txt")); err != nil {
		t.Fatal(err)
	}
	// A commit that touched the restricted and the internal document.
	writeFiles(t, dir, map[string]string{
		"secret/x.md":  sealedFixture["secret/x.md"] + "\nMore.\n",
		"notes/pub.md": sealedFixture["notes/pub.md"] + "\nMore.\n",
	})
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "Reword QQSUBJECTMARK in both")
	diags := checkDiags(t, r)
	var sawHint, sawSect bool
	for _, d := range diags {
		sawHint = sawHint || strings.Contains(d.Message, `did you mean "IMC-SECRET"`)
		sawSect = sawSect || strings.Contains(d.Message, "qqcontainid") && d.Path == "processes/p.md"
	}
	if !sawHint || !sawSect {
		t.Fatalf("the fixture no longer makes check suggest the restricted id or name its sections: %v", diags)
	}

	markers := []string{"QQTITLEMARK", "QQBODYMARK", "qqimagemark", "QQIMAGEBYTES", "424242", "434343",
		"qqsecthead", "qqcontainid", "IMC-SECRET", "STD-SECRET\"", "QQSUBJECTMARK", "secret/x.md", "secret/std.md"}
	out := filepath.Join(t.TempDir(), "internal")
	res := build(t, r, out, func(o *render.Options) { o.Diags = diags })
	for _, l := range leaks(t, out, markers...) {
		t.Errorf("the internal build leaks %s", l)
	}
	files := siteFiles(t, out)
	for p := range files {
		if strings.HasPrefix(p, "files/") {
			t.Errorf("the internal build copied %s", p)
		}
	}
	note := page(t, files, "doc/IMC-NOTE.html")
	if !strings.Contains(note, "(subject not shown: this commit also changed a document not published here)") {
		t.Error("the internal note's history does not withhold the subject of the commit that also changed the restricted plan")
	}
	if !strings.Contains(note, "[[IMC-SECRE]] refers to no document") {
		t.Error("the internal note does not show its check error without the suggestion")
	}
	if !strings.Contains(page(t, files, "index.html"), "(subject not shown") {
		t.Error("the home page's recent changes do not withhold the subject")
	}
	m := page(t, files, "doc/IMC-M.html")
	if strings.Contains(m, `<svg class="chart"`) || !strings.Contains(m, "is not published for this audience") {
		t.Error("the internal measure charts restricted data")
	}
	proc := page(t, files, "doc/IMC-PROC.html")
	if !strings.Contains(proc, "The standard process STD-SECRET is not published here") {
		t.Error("the process page does not say its standard is not published here")
	}
	if !strings.Contains(proc, "a finding that involves a document not published for this audience") {
		t.Error("the process page does not withhold its tailoring diagnostics")
	}
	t.Logf("warnings: %v", res.Warnings)

	// The restricted build has it all.
	full := filepath.Join(t.TempDir(), "restricted")
	build(t, r, full, func(o *render.Options) { o.Diags = diags; o.Audience = "restricted" })
	files = siteFiles(t, full)
	for _, p := range []string{"files/secret/qqimagemark.png", "files/secret/data.csv"} {
		if _, ok := files[p]; !ok {
			t.Errorf("the restricted build lacks %s", p)
		}
	}
	note = page(t, files, "doc/IMC-NOTE.html")
	if !strings.Contains(note, `href="../doc/IMC-SECRET.html">alias</a>`) {
		t.Error("in the restricted build, the symlink to the plan does not lead to its page")
	}
	if !strings.Contains(note, "QQSUBJECTMARK") || !strings.Contains(note, `did you mean &#34;IMC-SECRET&#34;`) {
		t.Error("the restricted build withholds what it may show")
	}
	if !strings.Contains(page(t, files, "doc/IMC-M.html"), `<svg class="chart"`) {
		t.Error("the restricted build does not chart the measure")
	}
}

// A rebuild that reuses pages withholds what a clean build withholds,
// also when only what a hidden document links changed (the navigation,
// the published set and the visible documents all stay the same), and
// under serve's in-place writer and key cache.
func TestSealedAudienceRebuild(t *testing.T) {
	files := map[string]string{
		"rmm.yaml":         "organization: Example Corp\n",
		"notes/a.md":       "---\nid: NOTE-A\nkind: note\ntitle: A\n---\n\n![shared](shared.png)\n",
		"notes/shared.png": "QQSHAREDBYTES",
		"notes/b.md":       "---\nid: NOTE-B\nkind: note\ntitle: B\nsensitivity: restricted\n---\n\nNothing linked yet.\n",
	}
	r, dir := newLibrary(t, files)
	keys := render.NewKeyCache()
	defer keys.Wait()
	out := filepath.Join(t.TempDir(), "site")
	serveLike := func(o *render.Options) { o.InPlace, o.Keys = true, keys }
	build(t, r, out, serveLike)
	if _, ok := siteFiles(t, out)["files/notes/shared.png"]; !ok {
		t.Fatal("the image only internal documents link is not published")
	}
	// The restricted note now links the image too: it is the restricted
	// note's as well, so it leaves the internal site.
	writeFiles(t, dir, map[string]string{"notes/b.md": strings.Replace(files["notes/b.md"], "Nothing linked yet.", "![mine](shared.png)", 1)})
	for _, mod := range []func(*render.Options){serveLike, nil} {
		build(t, r, out, mod)
		site := siteFiles(t, out)
		if _, ok := site["files/notes/shared.png"]; ok {
			t.Error("a rebuild still publishes the image the restricted note now links")
		}
		if strings.Contains(page(t, site, "doc/NOTE-A.html"), "shared.png") {
			t.Error("a rebuild reused the internal note's page that linked the image")
		}
	}
}
