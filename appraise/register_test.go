package appraise_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/rmm-pal/rmm/appraise"
)

// TestRegisterCSV: a cell a spreadsheet would run as a formula stays text;
// other cells, commas and quotes included, read back as written.
func TestRegisterCSV(t *testing.T) {
	in := []appraise.RegisterEntry{
		{ID: "A-1", Title: "=HYPERLINK(\"http://x\")", Owner: "@bob", Area: "+1", Unit: "-2", Status: "approved", ApprovedBy: []string{"a@x (owner)", "b@x (manager)"}},
		{ID: "B-2", Title: "Plan, \"quoted\"", Kind: "plan"},
	}
	var b bytes.Buffer
	if err := appraise.WriteRegisterCSV(&b, in); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || len(rows[0]) != len(appraise.RegisterColumns) {
		t.Fatalf("rows: %q", rows)
	}
	a := rows[1]
	if a[1] != "'=HYPERLINK(\"http://x\")" || a[3] != "'+1" || a[4] != "'-2" || a[5] != "'@bob" || a[10] != "a@x (owner), b@x (manager)" {
		t.Errorf("row A-1: %q", a)
	}
	if rows[2][1] != "Plan, \"quoted\"" || rows[2][2] != "plan" {
		t.Errorf("row B-2: %q", rows[2])
	}
	for _, c := range []struct{ in, want string }{{"", ""}, {"x=1", "x=1"}, {"\tx", "'\tx"}, {"\rx", "'\rx"}} {
		if got := appraise.CSVSafe(c.in); got != c.want {
			t.Errorf("CSVSafe(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
