package render

import (
	"strings"
	"testing"
)

// TestTaskListsAndTablesAccessible: a task-list checkbox is named by its
// item's text; a table of a body scrolls in a named, focusable box.
func TestTaskListsAndTablesAccessible(t *testing.T) {
	got := renderBody(t, nil, "- [x] Ship the *fix* (@alice)\n- [ ] Write it up\n\n| Date | Value |\n|---|---|\n| 2026-01 | 3 |\n")
	for _, want := range []string{
		`<input checked="" disabled="" type="checkbox" aria-label="Ship the fix (@alice)">`,
		`<input disabled="" type="checkbox" aria-label="Write it up">`,
		`<div class="table-scroll" role="region" tabindex="0" aria-label="Table: Date, Value">`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the body renders\n%s\nwithout %s", got, want)
		}
	}
}
