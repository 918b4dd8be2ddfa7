package browser

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// marks is what a page's redline shows a reader: each <ins> and <del>
// of the element matched, with its text, whether it is rendered, and
// what marks it besides colour.
type marks struct {
	Ins, Del []mark
	Legend   string
}

type mark struct {
	Text       string
	Visible    bool
	Decoration string // computed text-decoration-line
	Before     string // computed content of ::before, for screen readers
	Background string
}

const marksJS = `(function (scope) {
  var root = document.querySelector(scope);
  if (!root) { return null; }
  function of(sel) {
    return Array.prototype.map.call(root.querySelectorAll(sel), function (e) {
      var s = getComputedStyle(e);
      var r = e.getBoundingClientRect();
      return {Text: e.textContent, Visible: r.width > 0 && r.height > 0 && s.visibility !== "hidden",
        Decoration: s.textDecorationLine, Before: getComputedStyle(e, "::before").content, Background: s.backgroundColor};
    });
  }
  var legend = document.querySelector(".redline-legend");
  return {Ins: of("pre ins"), Del: of("pre del"), Legend: legend ? legend.textContent : ""};
})(%s)`

// TestRedlines opens the example's site: the baseline 2026-q2 shows the
// redline of IMC-PLAN against 2026-q1, the lesson revised after its
// approval and a policy edited after its approval show their changes
// since the last approval. Insertions and
// deletions are <ins> and <del>, rendered, underlined and struck through
// (not marked by colour alone), announced by text before them, and a
// legend says what the marks mean.
func TestRedlines(t *testing.T) {
	ctx := browser(t)
	r := exampleRepo(t)
	// An approved policy edited after its approval, not re-approved.
	pol := filepath.Join(r.Root, "policies", "risk-management-policy.md")
	data, err := os.ReadFile(pol)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pol, append(data, "\nRisks are reported to the board every month.\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	out := builtExample(t, r)
	base := (&url.URL{Scheme: "file", Path: filepath.ToSlash(out) + "/"}).String()

	read := func(page, scope string) marks {
		do(t, ctx, "open "+page, chromedp.Navigate(base+page), chromedp.WaitReady(chromedp.CSS(`footer`)))
		m := get(t, ctx, chromedp.Evaluate[*marks](strings.Replace(marksJS, "%s", jsString(scope), 1)))
		if m == nil {
			t.Fatalf("%s has no %s", page, scope)
		}
		return *m
	}
	check := func(where string, ms []mark, decoration, announce string) {
		t.Helper()
		if len(ms) == 0 {
			t.Errorf("%s: none", where)
		}
		for _, m := range ms {
			if !m.Visible {
				t.Errorf("%s %q is not rendered", where, m.Text)
			}
			if !strings.Contains(m.Decoration, decoration) {
				t.Errorf("%s %q: text-decoration-line %q, want %s (a mark that is not colour)", where, m.Text, m.Decoration, decoration)
			}
			if !strings.Contains(m.Before, announce) {
				t.Errorf("%s %q: ::before is %s, want the words %q for screen readers", where, m.Text, m.Before, announce)
			}
		}
	}
	has := func(where string, ms []mark, text string) {
		t.Helper()
		for _, m := range ms {
			if strings.Contains(m.Text, text) {
				return
			}
		}
		t.Errorf("%s: no mark holds %q", where, text)
	}

	plan := read("baseline/2026-q2.html", "#redline-IMC-PLAN")
	check("IMC-PLAN <ins>", plan.Ins, "underline", "insertion")
	check("IMC-PLAN <del>", plan.Del, "line-through", "deletion")
	has("IMC-PLAN <ins>", plan.Ins, "backup incident commander")
	has("IMC-PLAN <ins>", plan.Ins, "69,000")
	has("IMC-PLAN <del>", plan.Del, "60,000")
	has("IMC-PLAN <del>", plan.Del, "IMC-RPT-POL")
	if !strings.Contains(plan.Legend, "underlined") || !strings.Contains(plan.Legend, "struck through") {
		t.Errorf("the baseline page's legend reads %q", plan.Legend)
	}
	if h := get(t, ctx, chromedp.Text(chromedp.CSS(`#rmm-redlines h2`))); h != "Redlines against 2026-q1" {
		t.Errorf("the redlines' heading reads %q", h)
	}

	risk := read("doc/RISK-POL.html", "#rmm-since-approval")
	// The heading's text, then its permalink ("#", labelled for screen readers).
	if h := get(t, ctx, chromedp.Text(chromedp.CSS(`#rmm-since-approval h2`))); strings.TrimSuffix(h, " #") != "Changes since the last approval" {
		t.Errorf("RISK-POL's heading reads %q", h)
	}
	check("RISK-POL <ins>", risk.Ins, "underline", "insertion")
	has("RISK-POL <ins>", risk.Ins, "Risks are reported to the board every month.")
	if len(risk.Del) != 0 {
		t.Errorf("RISK-POL: deletions %+v, want none", risk.Del)
	}
	if !strings.Contains(risk.Legend, "underlined") {
		t.Errorf("the document page's legend reads %q", risk.Legend)
	}

	// The example itself has a document changed since its approval: the
	// lesson revised with the facilitator pilot's results.
	lesson := read("doc/LL-2026-006.html", "#rmm-since-approval")
	check("LL-2026-006 <ins>", lesson.Ins, "underline", "insertion")
	check("LL-2026-006 <del>", lesson.Del, "line-through", "deletion")
	has("LL-2026-006 <ins>", lesson.Ins, "independent facilitators ran the reviews as a pilot")

	same := read("doc/IMC-PLAN.html", "#rmm-since-approval")
	if len(same.Ins)+len(same.Del) != 0 {
		t.Errorf("IMC-PLAN, unchanged since its approval, shows marks: %+v", same)
	}
	if s := get(t, ctx, chromedp.Text(chromedp.CSS(`#rmm-since-approval p`))); !strings.HasPrefix(s, "No change since the last approval") {
		t.Errorf("IMC-PLAN's changes since approval read %q", s)
	}
}
