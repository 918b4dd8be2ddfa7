package browser

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// registerState is the register's table as a reader sees it.
type registerState struct {
	Titles  []string // of the rows shown, top to bottom
	Kinds   []string
	Texts   []string // every cell's text, lower case
	Hidden  int
	Count   string // the count the page announces
	Sort    []string
	Visible bool // the filter controls are shown
}

const registerJS = `(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll("#register tbody tr"));
  var shown = rows.filter(function (r) { return r.getBoundingClientRect().height > 0; });
  var f = document.getElementById("register-filter");
  return {
    Titles: shown.map(function (r) { return r.cells[1].textContent.trim(); }),
    Kinds: shown.map(function (r) { return r.cells[2].textContent.trim(); }),
    Texts: shown.map(function (r) { return r.textContent.toLowerCase(); }),
    Hidden: rows.length - shown.length,
    Count: document.getElementById("register-count").textContent,
    Sort: Array.prototype.map.call(document.querySelectorAll("#register thead th"), function (th) { return th.getAttribute("aria-sort") || ""; }),
    Visible: f.getBoundingClientRect().height > 0
  };
})()`

// registerSortAndFilter opens the register: clicking a column's header
// sorts the rows by it (again: the other way), aria-sort says so; typing
// in the filter hides the rows without the text and the count follows;
// the kind select keeps one kind.
func registerSortAndFilter(t *testing.T, ctx context.Context, base string) {
	do(t, ctx, "open the register", chromedp.Navigate(base+"register.html"), chromedp.WaitVisible(chromedp.CSS(`#register-q`)))
	state := func() registerState { return get(t, ctx, chromedp.Evaluate[registerState](registerJS)) }
	st := state()
	total := len(st.Titles)
	if total < 30 || st.Hidden != 0 || !st.Visible {
		t.Fatalf("the register shows %d rows, hides %d, filter shown %v", total, st.Hidden, st.Visible)
	}
	if sort.StringsAreSorted(st.Titles) {
		t.Fatal("the rows are sorted by title before any click: the test could not see a sort")
	}
	want := strings.Join([]string{strconv.Itoa(total), "of", strconv.Itoa(total), "documents"}, " ")
	if st.Count != want {
		t.Errorf("count %q, want %q", st.Count, want)
	}

	// Sort by title, then the other way.
	do(t, ctx, "sort by title", chromedp.Click(chromedp.CSS(`#register thead th:nth-child(2) button`), chromedp.NodeVisible))
	st = state()
	lower := func(s []string) []string {
		out := make([]string, len(s))
		for i, x := range s {
			out[i] = strings.ToLower(x)
		}
		return out
	}
	if !sort.StringsAreSorted(lower(st.Titles)) || len(st.Titles) != total {
		t.Errorf("after a click on title the rows are not sorted by title: %q", st.Titles)
	}
	if st.Sort[1] != "ascending" || st.Sort[0] != "none" {
		t.Errorf("aria-sort after one click: %q", st.Sort)
	}
	first := st.Titles[0]
	do(t, ctx, "sort by title again", chromedp.Click(chromedp.CSS(`#register thead th:nth-child(2) button`), chromedp.NodeVisible))
	st = state()
	if st.Sort[1] != "descending" || st.Titles[len(st.Titles)-1] != first {
		t.Errorf("after a second click: aria-sort %q, last row %q, want descending and %q", st.Sort[1], st.Titles[len(st.Titles)-1], first)
	}

	// Filter by text: only the rows holding it stay, and the count says so.
	do(t, ctx, "type a filter", chromedp.SendKeys(chromedp.CSS(`#register-q`), "continuity"))
	st = state()
	if len(st.Titles) == 0 || len(st.Titles) >= total || st.Hidden != total-len(st.Titles) {
		t.Fatalf("filter continuity: %d rows shown, %d hidden, of %d", len(st.Titles), st.Hidden, total)
	}
	if want := strconv.Itoa(len(st.Titles)) + " of " + strconv.Itoa(total) + " documents"; st.Count != want {
		t.Errorf("filter continuity: count %q, want %q", st.Count, want)
	}
	for i, text := range st.Texts {
		if !strings.Contains(text, "continuity") {
			t.Errorf("filter continuity shows %q", st.Titles[i])
		}
	}

	// Clear the text, keep one kind.
	do(t, ctx, "clear the filter", chromedp.Focus(chromedp.CSS(`#register-q`)), chromedp.KeyEvent(kb.End))
	for range "continuity" {
		do(t, ctx, "backspace", chromedp.KeyEvent(kb.Backspace))
	}
	if st = state(); len(st.Titles) != total {
		t.Errorf("an empty filter shows %d rows of %d", len(st.Titles), total)
	}
	do(t, ctx, "choose the kind policy", chromedp.SetValue(chromedp.CSS(`#register-kind`), "policy"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("register-kind").dispatchEvent(new Event("change"))`))
	st = state()
	if len(st.Kinds) == 0 || len(st.Kinds) >= total {
		t.Errorf("kind policy: %d rows of %d", len(st.Kinds), total)
	}
	for _, k := range st.Kinds {
		if k != "policy" {
			t.Errorf("kind policy shows a %s", k)
		}
	}
}
