package browser

import (
	"context"
	_ "embed"
	"encoding/json"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/render"
)

// searchState is what a reader of the search box sees and what a screen
// reader is told.
type searchState struct {
	Role, Controls, ListRole, Expanded, Active, Status, Live string
	Open, More                                               bool
	Opts                                                     []struct {
		ID, Href, Text, Selected string
		Marks                    []string
	}
}

const searchStateJS = `(function () {
  var input = document.getElementById("rmm-search"), st = document.getElementById("rmm-search-status");
  var list = document.getElementById(input.getAttribute("aria-controls") || "");
  return {
    Role: input.getAttribute("role") || "", Controls: input.getAttribute("aria-controls") || "",
    ListRole: list ? list.getAttribute("role") || "" : "",
    Expanded: input.getAttribute("aria-expanded") || "", Active: input.getAttribute("aria-activedescendant") || "",
    Status: st ? st.textContent : "", Live: st ? st.getAttribute("aria-live") || "" : "",
    Open: !document.getElementById("rmm-results-panel").hidden,
    More: !document.getElementById("rmm-more").hidden,
    Opts: Array.from(document.querySelectorAll("#rmm-results [role=option]")).map(function (a) {
      return { ID: a.id, Href: a.getAttribute("href"), Text: a.textContent, Selected: a.getAttribute("aria-selected") || "",
        Marks: Array.from(a.querySelectorAll(".r-snip mark")).map(function (m) { return m.textContent; }) };
    })
  };
})()`

// TestSearch opens the example's site from file:// and searches as a
// reader does, with the mouse and with the keyboard.
func TestSearch(t *testing.T) {
	ctx := browser(t)
	watchCSP(t, ctx)
	r := exampleRepo(t)
	out := filepath.Join(t.TempDir(), "site")
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := render.Build(context.Background(), render.Options{Repo: r, Out: out, Now: now, Diags: runChecks(r, snap), Snapshot: snap}); err != nil {
		t.Fatal(err)
	}
	base := (&url.URL{Scheme: "file", Path: filepath.ToSlash(out) + "/"}).String()
	var evals []string
	for _, d := range snap.Lib.Docs {
		if d.Kind == "evaluation" && d.Evaluator == "erin@example.org" {
			evals = append(evals, d.ID)
		}
	}
	if len(evals) != 3 {
		t.Fatalf("the example has erin evaluate %v, want 3 evaluations", evals)
	}

	state := func() searchState { return get(t, ctx, chromedp.Evaluate[searchState](searchStateJS)) }
	query := func(q string) searchState {
		t.Helper()
		qs, _ := json.Marshal(q)
		do(t, ctx, "search for "+q,
			chromedp.Evaluate[chromedp.Void](`document.getElementById("rmm-search").value = ""; document.getElementById("rmm-search-status").textContent = ""`),
			chromedp.SendKeys(chromedp.CSS(`#rmm-search`), q),
			chromedp.Poll[chromedp.Void](`document.getElementById("rmm-search").value === `+string(qs)+
				` && document.getElementById("rmm-results").getAttribute("data-query") === `+string(qs), chromedp.WithPollingTimeout(30*time.Second)),
		)
		return state()
	}
	home := func() {
		t.Helper()
		do(t, ctx, "open the home page", chromedp.Navigate(base+"index.html"), chromedp.WaitVisible(chromedp.CSS(`#rmm-search`)))
	}
	count := regexp.MustCompile(`^(\d+) documents? match`)

	home()
	s := state()
	if s.Role != "combobox" || s.Controls != "rmm-results" || s.ListRole != "listbox" || s.Expanded != "false" || s.Live != "polite" || s.Open {
		t.Errorf("before a search the box is %+v, want a collapsed combobox controlling a listbox, and a polite live region", s)
	}

	// People: erin finds the three evaluations she made, her name marked.
	s = query("erin")
	if !s.Open || s.Expanded != "true" {
		t.Errorf("after typing, the list is open %v, aria-expanded %q", s.Open, s.Expanded)
	}
	for _, id := range evals {
		found := false
		for _, o := range s.Opts {
			if strings.HasPrefix(o.Href, "doc/"+id+".html") {
				found = true
				if len(o.Marks) == 0 || !strings.EqualFold(o.Marks[0], "erin") || !strings.Contains(o.Text, "Evaluator") {
					t.Errorf("erin's result %s marks %q in %q", id, o.Marks, o.Text)
				}
			}
		}
		if !found {
			t.Errorf("erin does not find %s, which she evaluated; results: %v", id, hrefs(s))
		}
	}
	m := count.FindStringSubmatch(s.Status)
	if m == nil || !s.More && m[1] != itoa(len(s.Opts)) {
		t.Errorf("the live region says %q for %d results", s.Status, len(s.Opts))
	}
	erinStatus := s.Status

	// A typo still finds incident documents, the word marked as written.
	s = query("incidnet")
	if !anyMark(s, func(w string) bool { return strings.EqualFold(w, "incident") }) {
		t.Errorf("incidnet: no result marks incident: %+v", s.Opts)
	}
	if s.Status == erinStatus {
		t.Errorf("the live region still says %q", s.Status)
	}

	// A prefix matches; a result opens the section the match is in.
	s = query("escal")
	if !anyMark(s, func(w string) bool { return strings.HasPrefix(strings.ToLower(w), "escal") }) {
		t.Fatalf("escal: no result marks a word starting with escal: %+v", s.Opts)
	}
	pick := -1
	for i, o := range s.Opts {
		if strings.Contains(o.Href, "#") && len(o.Marks) > 0 {
			pick = i
			break
		}
	}
	if pick < 0 {
		t.Fatalf("escal: no result opens a section: %v", hrefs(s))
	}
	want := base + s.Opts[pick].Href
	do(t, ctx, "click "+s.Opts[pick].Href, chromedp.Click(chromedp.CSS(`#`+s.Opts[pick].ID), chromedp.NodeVisible))
	arrive(t, ctx, want)
	sec := get(t, ctx, chromedp.Evaluate[string](`(function () {
  var el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (!el) { return ""; }
  var text = el.textContent;
  for (var n = el.nextElementSibling; n && !/^H[1-6]$/.test(n.tagName); n = n.nextElementSibling) { text += " " + n.textContent; }
  return text;
})()`))
	if !strings.Contains(strings.ToLower(sec), "escal") {
		t.Errorf("the result opened %s, whose section reads %.200q: not the match", want, sec)
	}

	// The keyboard: arrows move the active option, Enter opens it, Escape
	// closes the list.
	home()
	s = query("incident")
	if len(s.Opts) < 3 {
		t.Fatalf("incident: %d results", len(s.Opts))
	}
	do(t, ctx, "arrow down twice", chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown))
	s = state()
	if s.Active != s.Opts[1].ID || s.Opts[1].Selected != "true" || s.Opts[0].Selected != "false" {
		t.Errorf("after two arrow downs the active option is %q (selected: %q, %q), want %q", s.Active, s.Opts[0].Selected, s.Opts[1].Selected, s.Opts[1].ID)
	}
	do(t, ctx, "arrow up", chromedp.KeyEvent(kb.ArrowUp))
	if s2 := state(); s2.Active != s.Opts[0].ID {
		t.Errorf("after arrow up the active option is %q, want %q", s2.Active, s.Opts[0].ID)
	}
	do(t, ctx, "escape", chromedp.KeyEvent(kb.Escape))
	if s2 := state(); s2.Open || s2.Expanded != "false" || s2.Active != "" {
		t.Errorf("after Escape the list is open %v, aria-expanded %q, active %q", s2.Open, s2.Expanded, s2.Active)
	}
	do(t, ctx, "arrow down, twice, Enter",
		chromedp.KeyEvent(kb.ArrowDown), // opens the list again
		chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown),
		chromedp.KeyEvent(kb.Enter))
	arrive(t, ctx, base+s.Opts[1].Href)

	// A common word: the first 20, then more.
	home()
	s = query("the")
	m = count.FindStringSubmatch(s.Status)
	if len(s.Opts) != 20 || !s.More || m == nil || !strings.Contains(s.Status, "Showing 20") {
		t.Fatalf("the: %d results shown, More results shown %v, live region %q; want 20 and the button", len(s.Opts), s.More, s.Status)
	}
	before := s.Status
	do(t, ctx, "more results",
		chromedp.Click(chromedp.CSS(`#rmm-more`), chromedp.NodeVisible),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll("#rmm-results [role=option]").length > 20`, chromedp.WithPollingTimeout(10*time.Second)),
	)
	s = state()
	if n := len(s.Opts); n <= 20 || s.Status == before || s.Active != s.Opts[20].ID {
		t.Errorf("after More results: %d results, live region %q (was %q), active %q", n, s.Status, before, s.Active)
	}
	if total := m[1]; itoa(len(s.Opts)) != total && !s.More {
		t.Errorf("%d results shown of %s, and no More results button", len(s.Opts), total)
	}

	// axe-core finds nothing serious in the open search, an option active.
	do(t, ctx, "arrow down", chromedp.KeyEvent(kb.ArrowDown))
	if get(t, ctx, chromedp.Evaluate[bool](`typeof axe === "undefined"`)) {
		do(t, ctx, "inject axe-core", chromedp.Evaluate[chromedp.Void](searchAxe))
	}
	raw := get(t, ctx, chromedp.Evaluate[string](`axe.run({include: [".search"]}, {resultTypes: ["violations"]}).then(function (r) {
  return JSON.stringify(r.violations.filter(function (v) { return v.impact === "serious" || v.impact === "critical"; }).map(function (v) {
    return v.id + " (" + v.impact + "): " + v.help + ": " + v.nodes.map(function (n) { return n.target.join(" "); }).slice(0, 3).join(", ");
  }));
})`, chromedp.EvalAwaitPromise))
	var vs []string
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("axe's answer %q: %v", raw, err)
	}
	for _, v := range vs {
		t.Errorf("axe-core on the open search: %s", v)
	}
}

// searchAxe is axe-core 4.14.1 (npm axe-core, MPL-2.0: see
// testdata/axe-core-LICENSE).
//
//go:embed testdata/axe.min.js
var searchAxe string

// arrive waits until the browser has loaded want (a navigation the page
// started).
func arrive(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	var at string
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		v, err := chromedp.Run(c, chromedp.Evaluate[string](`document.readyState === "complete" ? location.href : ""`))
		cancel()
		if err == nil {
			if at = v; at == want {
				return
			}
		}
	}
	t.Fatalf("the browser is at %q, want %s", at, want)
}

func hrefs(s searchState) []string {
	var out []string
	for _, o := range s.Opts {
		out = append(out, o.Href)
	}
	return out
}

func anyMark(s searchState, f func(string) bool) bool {
	for _, o := range s.Opts {
		for _, m := range o.Marks {
			if f(m) {
				return true
			}
		}
	}
	return false
}

func jsq(s string) string { b, _ := json.Marshal(s); return string(b) }

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
