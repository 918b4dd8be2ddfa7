package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/pdf"
	"github.com/rmm-pal/rmm/repo"
)

// needPDFTools skips the test without Chromium or pdftotext, and fails it
// in CI, which installs both (.ci/run).
func needPDFTools(t *testing.T) {
	t.Helper()
	_, cerr := pdf.Find()
	_, perr := exec.LookPath("pdftotext")
	if cerr == nil && perr == nil {
		return
	}
	const need = "PDF tests need Chromium and pdftotext: apt-get install chromium poppler-utils"
	if os.Getenv("CI") != "" {
		t.Fatalf("%s (%v, %v)", need, cerr, perr)
	}
	t.Skip(need)
}

// rmmMain runs rmm with args and fails the test unless it exits 0.
func rmmMain(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := Main(args, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("rmm %s: exit %d\n%s%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// pdfPages reads a PDF back as text, a string per page: laid out as on
// paper, or (raw) in the order the text was drawn, which keeps a table
// cell's lines together.
func pdfPages(t *testing.T, path string, raw bool) []string {
	t.Helper()
	mode := "-layout"
	if raw {
		mode = "-raw"
	}
	out, err := exec.Command("pdftotext", mode, path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	pages := strings.Split(string(out), "\f")
	if len(pages) > 0 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := pdf.Pages(data); n != len(pages) {
		t.Errorf("%s: pdftotext reads %d pages, the file has %d page objects", path, len(pages), n)
	}
	return pages
}

// compact is s without white space: a long hash may be broken across lines.
func compact(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

const printedAt = "Printed 2026-11-26 12:00 +00:00"

// checkMargins checks the controlled-copy header of every page: the
// document's line (header names what it must be), "Uncontrolled when
// printed", the time of printing and "Page X of Y"; and that no page ends
// with one of the headings, stranded. It returns the header of each page.
func checkMargins(t *testing.T, name string, pages []string, header *regexp.Regexp, headings map[string]bool) []string {
	t.Helper()
	var got []string
	for i, p := range pages {
		lines := nonEmpty(p)
		if len(lines) < 3 {
			t.Errorf("%s page %d is empty: %q", name, i+1, p)
			continue
		}
		first, last := lines[0], lines[len(lines)-1]
		m := header.FindStringSubmatch(first)
		if m == nil {
			t.Errorf("%s page %d is headed %q, want %v", name, i+1, first, header)
			continue
		}
		got = append(got, m[0])
		if !strings.HasSuffix(first, "Uncontrolled when printed") {
			t.Errorf("%s page %d: the header %q does not say it is uncontrolled", name, i+1, first)
		}
		if !strings.HasPrefix(last, printedAt) || !strings.HasSuffix(last, fmt.Sprintf("Page %d of %d", i+1, len(pages))) {
			t.Errorf("%s page %d ends %q, want %q and page %d of %d", name, i+1, last, printedAt, i+1, len(pages))
		}
		if end := lines[len(lines)-2]; headings[end] && i < len(pages)-1 {
			t.Errorf("%s page %d ends with the heading %q", name, i+1, end)
		}
	}
	return got
}

func nonEmpty(p string) []string {
	var out []string
	for _, l := range strings.Split(p, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// TestPDFExample prints, through real Chromium, a plan of the example
// library and its baseline 2026-q2, and reads them back with pdftotext.
// Every page carries the controlled-copy header; the plan's first page is
// its controlled-copy block; the baseline's first page is its manifest,
// then every controlled document of the baseline follows in the
// manifest's order, as the baseline holds it, each from a new page.
func TestPDFExample(t *testing.T) {
	needPDFTools(t)
	t.Setenv("HOME", t.TempDir())
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("RMM_NOW", "2026-11-26T12:00:00Z")
	lib := filepath.Join(t.TempDir(), "pal")
	rmmMain(t, "init", "--example", lib)
	out := filepath.Join(t.TempDir(), "copies")
	if got := rmmMain(t, "-C", lib, "pdf", "IMC-PLAN", "-o", out); !regexp.MustCompile(`^wrote .*/IMC-PLAN.pdf \(\d+ pages\)\n$`).MatchString(got) {
		t.Errorf("rmm pdf IMC-PLAN printed %q", got)
	}
	if got := rmmMain(t, "-C", lib, "pdf", "--baseline", "2026-q2", "-o", out); !strings.Contains(got, "baseline-2026-q2.pdf (") {
		t.Errorf("rmm pdf --baseline printed %q", got)
	}

	r, err := repo.Open(lib)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	headings := map[string]bool{}
	for _, d := range snap.Lib.Docs {
		for _, s := range d.Sections {
			headings[s.Title] = true
		}
	}

	// The plan, as it is now.
	plan := snap.Lib.ByID["IMC-PLAN"]
	pages := pdfPages(t, filepath.Join(out, "IMC-PLAN.pdf"), false)
	if len(pages) < 2 || len(pages) > 20 {
		t.Errorf("IMC-PLAN.pdf has %d pages", len(pages))
	}
	checkMargins(t, "IMC-PLAN.pdf", pages, regexp.MustCompile(`^IMC-PLAN · [a-z ]+ · fingerprint `+plan.Fingerprint[:12]), headings)
	if len(pages) > 0 {
		first := pages[0]
		for _, want := range []string{"Controlled copy · " + printedAt + ": uncontrolled when printed", plan.Title, "Approved by", "Baseline"} {
			if !strings.Contains(first, want) {
				t.Errorf("the first page of IMC-PLAN.pdf lacks %q:\n%s", want, first)
			}
		}
		if !strings.Contains(compact(pdfPages(t, filepath.Join(out, "IMC-PLAN.pdf"), true)[0]), plan.Fingerprint) {
			t.Errorf("the first page of IMC-PLAN.pdf lacks the fingerprint %s", plan.Fingerprint)
		}
		if i, j := strings.Index(first, "Controlled copy"), strings.Index(first, plan.Title+"\n"); i < 0 || j < i {
			t.Error("IMC-PLAN.pdf does not start with its controlled-copy block")
		}
	}
	all := strings.Join(pages, "\n")
	for _, screenOnly := range []string{"On this page", "Referenced by", "Process Asset Library", "published by rmm"} {
		if strings.Contains(all, screenOnly) {
			t.Errorf("IMC-PLAN.pdf prints %q, which only a screen needs", screenOnly)
		}
	}

	// The baseline, as it was.
	m, err := baseline.Show(r, "2026-q2")
	if err != nil {
		t.Fatal(err)
	}
	alt := []string{regexp.QuoteMeta("Baseline 2026-q2 · manifest · root " + m.Root[:12])}
	for _, e := range m.Documents {
		alt = append(alt, regexp.QuoteMeta(e.ID)+` · [a-z ]+ · fingerprint `+e.Fingerprint[:12])
	}
	pages = pdfPages(t, filepath.Join(out, "baseline-2026-q2.pdf"), false)
	raw := pdfPages(t, filepath.Join(out, "baseline-2026-q2.pdf"), true)
	if len(pages) < 1+len(m.Documents) || len(pages) > 20*len(m.Documents) {
		t.Errorf("baseline-2026-q2.pdf has %d pages for %d documents", len(pages), len(m.Documents))
	}
	heads := checkMargins(t, "baseline-2026-q2.pdf", pages, regexp.MustCompile(`^(?:`+strings.Join(alt, "|")+`)`), headings)
	if len(heads) == 0 || !strings.HasPrefix(heads[0], "Baseline 2026-q2 · manifest") {
		t.Fatalf("the first page of baseline-2026-q2.pdf is not the manifest: %q", pages[0])
	}
	first := pages[0]
	for _, want := range []string{"Baseline 2026-q2: manifest", "baseline/2026-q2", m.Commit, "Controlled copy · " + printedAt + ": uncontrolled when printed"} {
		if !strings.Contains(first, want) {
			t.Errorf("the manifest's first page lacks %q:\n%s", want, first)
		}
	}
	if !strings.Contains(compact(first), m.Root) {
		t.Errorf("the manifest's first page lacks the root hash %s", m.Root)
	}
	// The manifest's pages list every document with its fingerprint; then
	// the documents follow, in the manifest's order, none left out.
	var manifest strings.Builder
	var order []string
	for i, h := range heads {
		if strings.HasPrefix(h, "Baseline ") {
			if len(order) > 0 {
				t.Errorf("page %d is the manifest again, after the documents", i+1)
			}
			manifest.WriteString(raw[i])
			continue
		}
		id, _, _ := strings.Cut(h, " · ")
		if len(order) == 0 || order[len(order)-1] != id {
			order = append(order, id)
		}
	}
	for _, e := range m.Documents {
		if !strings.Contains(manifest.String(), e.ID) {
			t.Errorf("the manifest does not list %s", e.ID)
		}
		if !strings.Contains(compact(manifest.String()), e.Fingerprint) {
			t.Errorf("the manifest does not list the fingerprint of %s", e.ID)
		}
	}
	var want []string
	for _, e := range m.Documents {
		want = append(want, e.ID)
	}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Errorf("the documents follow in the order\n%v, want the manifest's\n%v", order, want)
	}
}
