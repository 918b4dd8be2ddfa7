package check

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// mapContext loads a library from files in memory.
func mapContext(t *testing.T, files map[string]string) *Context {
	t.Helper()
	fsys := fstest.MapFS{"rmm.yaml": {Data: []byte(config)}}
	for name, text := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	lib, err := doc.Load(fsys, doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return NewContext(nil, &repo.Snapshot{Lib: lib, FS: fsys}, now)
}

func measureDoc(id, extra, table string) string {
	return "---\nid: " + id + "\nkind: measure\ntitle: " + id + "\nowner: o@example.org\nprocess_area: IMC\ntarget: 8\n" + extra + "---\n\n## Data\n\n| date | value |\n|---|---|\n" + table
}

func describe(vs []Deviation) string {
	var out []string
	for _, v := range vs {
		s := v.Measure + " " + v.Kind + " since " + v.Since
		for _, r := range v.Corrective {
			s += " +" + r.Kind + ":" + r.Document
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}

// now is 2026-11-26.
func TestDeviations(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"fresh and on target (up)", map[string]string{"m.md": measureDoc("M", "", "| 2026-10-31 | 9 |\n")}, ""},
		{"fresh and on target (down)", map[string]string{"m.md": measureDoc("M", "direction: down\n", "| 2026-10-31 | 8 |\n")}, ""},
		{"off target since the run of misses began", map[string]string{"m.md": measureDoc("M", "direction: down\n",
			"| 2026-07-31 | 9.5 |\n| 2026-08-31 | 7 |\n| 2026-09-30 | 9 |\n| 2026-10-31 | 8.5 |\n")}, "M off-target since 2026-09-30"},
		{"rows in any order", map[string]string{"m.md": measureDoc("M", "", "| 2026-10-31 | 2 |\n| 2026-01-31 | 9 |\n")}, "M off-target since 2026-10-31"},
		{"stale with the default period of 3 months", map[string]string{"m.md": measureDoc("M", "", "| 2026-05-31 | 9 |\n")}, "M stale since 2026-08-31"},
		{"a longer period", map[string]string{"m.md": measureDoc("M", "period: 6mo\n", "| 2026-05-31 | 9 |\n")}, ""},
		{"a shorter period", map[string]string{"m.md": measureDoc("M", "period: 1mo\n", "| 2026-10-15 | 9 |\n")}, "M stale since 2026-11-15"},
		{"stale and off target", map[string]string{"m.md": measureDoc("M", "", "| 2026-01-31 | 3 |\n")}, "M stale since 2026-05-01; M off-target since 2026-01-31"},
		{"no data", map[string]string{"m.md": "---\nid: M\nkind: measure\ntitle: M\nowner: o@example.org\ntarget: 1\n---\nNo table.\n"}, "M no-data since "},
		{"CSV data", map[string]string{"m.md": "---\nid: M\nkind: measure\ntitle: M\nowner: o@example.org\ntarget: 8\ndata: m.csv\n---\n", "m.csv": "date,value\n2026-10-31,2\n"}, "M off-target since 2026-10-31"},
		{"a retired measure has none", map[string]string{"m.md": measureDoc("M", "status: retired\n", "| 2026-01-31 | 3 |\n")}, ""},
		{"an open action naming it", map[string]string{"m.md": measureDoc("M", "", "| 2026-10-31 | 3 |\n"),
			"r.md": "---\nid: R\nkind: review\ntitle: R\nowner: o@example.org\n---\n## Actions\n\n- [ ] Find why [[M]] dropped (@o@example.org, due 2026-12-31)\n"}, "M off-target since 2026-10-31 +action:R"},
		{"a closed action naming it", map[string]string{"m.md": measureDoc("M", "", "| 2026-10-31 | 3 |\n"),
			"r.md": "---\nid: R\nkind: review\ntitle: R\nowner: o@example.org\n---\n## Actions\n\n- [x] Find why [[M]] dropped (@o@example.org)\n"}, "M off-target since 2026-10-31 +action:R"},
		{"a lesson that affects it", map[string]string{"m.md": measureDoc("M", "", "| 2026-10-31 | 3 |\n"),
			"l.md": "---\nid: L\nkind: lesson\ntitle: L\naffects: [M]\n---\nText.\n"}, "M off-target since 2026-10-31 +lesson:L"},
		{"naming it elsewhere is no corrective action", map[string]string{"m.md": measureDoc("M", "", "| 2026-10-31 | 3 |\n"),
			"r.md": "---\nid: R\nkind: review\ntitle: R\nowner: o@example.org\n---\nSee [[M]].\n\n- [ ] Look at M again (@o@example.org)\n",
			"x.md": "---\nid: X\nkind: review\ntitle: X\nowner: o@example.org\nstatus: retired\n---\n- [ ] Fix [[M]] (@o@example.org)\n"}, "M off-target since 2026-10-31"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mapContext(t, tc.files)
			if got := describe(c.Deviations()); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			// check warns of each deviation without a corrective action.
			var warned []string
			for _, d := range deviations(c) {
				warned = append(warned, d.String())
			}
			uncovered := 0
			for _, v := range c.Deviations() {
				if len(v.Corrective) == 0 {
					uncovered++
				}
			}
			if len(warned) != uncovered {
				t.Errorf("%d warnings for %d uncovered deviations: %v", len(warned), uncovered, warned)
			}
		})
	}
}

func TestDeviationMessage(t *testing.T) {
	c := mapContext(t, map[string]string{"measures/m.md": measureDoc("IMC-MTTR", "direction: down\n", "| 2026-10-31 | 9.3 |\n")})
	ds := deviations(c)
	want := "measures/m.md:7: warning: IMC-MTTR is off target: the latest value, 9.3 on 2026-10-31, misses the target 8 (down is better), and no corrective action refers to it: add an action naming [[IMC-MTTR]] (- [ ] what (@owner, due DATE)), or a lesson that affects it (GG2.GP8) [deviation]"
	if len(ds) != 1 || ds[0].String() != want {
		t.Errorf("got %v\nwant %s", ds, want)
	}
}
