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

// TestKeepIDs: an id in running text stays on one line; the rest is
// escaped as text.
func TestKeepIDs(t *testing.T) {
	got := string(keepIDs(`Approve EVAL-2026-01, IMC-PLAN & <b>x</b> (not-an-id, ABC)`))
	want := `Approve <span class="nowrap">EVAL-2026-01</span>, <span class="nowrap">IMC-PLAN</span> &amp; &lt;b&gt;x&lt;/b&gt; (not-an-id, ABC)`
	if got != want {
		t.Errorf("keepIDs renders\n%s\nwant\n%s", got, want)
	}
}

// TestTimeOf: approvals' RFC 3339 times read as the site's times, in UTC;
// a date alone, or text that is neither, is left as written.
func TestTimeOf(t *testing.T) {
	for in, want := range map[string]string{
		"2026-03-30T16:10:00Z":      "2026-03-30 16:10 UTC",
		"2026-03-30T18:10:00+02:00": "2026-03-30 16:10 UTC",
		"2026-03-30":                "2026-03-30",
		"last Tuesday afternoon":    "last Tuesday afternoon",
	} {
		if got := timeOf(in); got != want {
			t.Errorf("timeOf(%q) = %q, want %q", in, got, want)
		}
	}
}
