package appraise

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

const config = "organization: X\nunits: []\nroles:\n  manager: [dana@example.org]\n  auditor: [erin@example.org]\napprovals:\n  policy: [manager]\n  plan: [owner, manager]\n"

var cfg, _ = doc.ParseConfig([]byte(config))

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// sign records approvals with rmm's approve logic, on day.
func sign(t *testing.T, text, day string, by ...string) string {
	t.Helper()
	for _, b := range by {
		who, role, _ := strings.Cut(b, " as ")
		d, diags := doc.Parse("x.md", []byte(text))
		if d == nil {
			t.Fatal(diags)
		}
		out, err := baseline.Approve(d, cfg, doc.Approval{By: who, Role: role, Date: day + "T10:00:00Z"})
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		text = string(out)
	}
	return text
}

func context(t *testing.T, files map[string]string) *check.Context {
	t.Helper()
	m := fstest.MapFS{"rmm.yaml": {Data: []byte(config)}}
	for p, s := range files {
		m[p] = &fstest.MapFile{Data: []byte(s)}
	}
	lib, err := doc.Load(m, doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range lib.Diags {
		if d.Severity == doc.Error {
			t.Fatalf("load: %s", d)
		}
	}
	return check.NewContext(nil, &repo.Snapshot{Lib: lib, FS: m}, now)
}

func appraiseFiles(t *testing.T, files map[string]string, held ...string) *Result {
	t.Helper()
	return Appraise(context(t, files), Options{InBaseline: func(id string) bool { return doc.Contains(held, id) }})
}

func practice(a *Area, id string) Evidence {
	for _, e := range a.Practices {
		if e.Practice == id {
			return e
		}
	}
	return Evidence{}
}

// planText is a plan of IMC with every section written; sections maps
// titles to replacement text.
func planText(sections map[string]string, front string) string {
	var b strings.Builder
	b.WriteString("---\nid: IMC-PLAN\nkind: plan\ntitle: Plan\nowner: alice@example.org\nprocess_area: IMC\nreview_every: 1y\n" + front + "---\n")
	for _, s := range doc.RequiredSections["plan"] {
		text := "What we do about " + strings.ToLower(s) + "."
		if r, ok := sections[s]; ok {
			text = r
		}
		b.WriteString("\n## " + s + "\n\n" + text + "\n")
	}
	return b.String()
}

const stakeholders = "stakeholders:\n  - {who: sam@example.org, role: CISO, involvement: approve}\n  - {who: bob@example.org, role: ops, involvement: consult}\n"

const policy = "---\nid: IMC-POL\nkind: policy\ntitle: Policy\nowner: dana@example.org\nprocess_area: IMC\nreview_every: 1y\n---\n\n## Statements\n\nWe handle incidents.\n"

func TestPlanRules(t *testing.T) {
	good := sign(t, planText(nil, stakeholders), "2026-10-01", "alice@example.org as owner", "dana@example.org as manager", "sam@example.org as stakeholder")
	todo := sign(t, planText(map[string]string{"Resources": "TODO: Resources.", "Training": "TODO: Training."}, ""), "2026-10-01")
	for _, tc := range []struct {
		name string
		plan string
		want map[string]bool
		why  string // in GG2.GP2's why
	}{
		{"approved by all", good, map[string]bool{"GG1.GP1": true, "GG2.GP2": true, "GG2.GP3": true, "GG2.GP4": true, "GG2.GP7": true}, ""},
		{"a TODO plan is no evidence", todo, map[string]bool{"GG1.GP1": false, "GG2.GP2": false, "GG2.GP3": false, "GG2.GP5": false}, "IMC-PLAN has placeholder sections (Resources, Training)"},
		{"the approving stakeholder has not approved", sign(t, planText(nil, stakeholders), "2026-10-01", "alice@example.org as owner", "dana@example.org as manager"),
			map[string]bool{"GG1.GP1": true, "GG2.GP2": false, "GG2.GP4": false}, "IMC-PLAN is not approved (draft)"},
		{"status approved by hand without the stakeholder", strings.Replace(sign(t, planText(nil, stakeholders), "2026-10-01", "alice@example.org as owner", "dana@example.org as manager"), "owner: alice@example.org\n", "owner: alice@example.org\nstatus: approved\n", 1),
			map[string]bool{"GG2.GP2": false}, "IMC-PLAN is not approved (approval missing)"},
		{"edited after approval", strings.Replace(good, "What we do about objectives.", "Faster.", 1), map[string]bool{"GG2.GP2": false, "GG2.GP4": false, "GG2.GP3": true}, "IMC-PLAN is not approved (changed after approval)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := appraiseFiles(t, map[string]string{"plan.md": tc.plan})
			a := res.Area("IMC")
			if a == nil {
				t.Fatal("no IMC")
			}
			for id, want := range tc.want {
				if got := practice(a, id); got.Met != want {
					t.Errorf("%s met = %v, want %v (%v)", id, got.Met, want, got.Why)
				}
			}
			if why := strings.Join(practice(a, "GG2.GP2").Why, "; "); !strings.Contains(why, tc.why) {
				t.Errorf("GG2.GP2 why %q, want %q", why, tc.why)
			}
		})
	}
}

func TestEvaluationRules(t *testing.T) {
	eval := func(front string) string {
		return "---\nid: EVAL-1\nkind: evaluation\ntitle: E\nowner: erin@example.org\nprocess_area: IMC\nevaluator: erin@example.org\nevaluates: [IMC-POL]\n" + front +
			"---\n\n## Scope\n\nThe policy.\n\n## Criteria\n\nIt is followed.\n\n## Findings\n\nIt is.\n\n## Corrective actions\n\nNone.\n"
	}
	signedPolicy := sign(t, policy, "2026-01-05", "dana@example.org as manager")
	for _, tc := range []struct {
		name, policy, eval string
		met                bool
		why                string
	}{
		{"independent and current", signedPolicy, sign(t, eval("date: 2026-05-01\n"), "2026-05-02", "erin@example.org as owner"), true, ""},
		{"not approved by its evaluator", signedPolicy, eval("date: 2026-05-01\n"), false, "EVAL-1 has no current approval by its evaluator erin@example.org"},
		{"the evaluator owns what they evaluate", strings.Replace(policy, "owner: dana@example.org", "owner: erin@example.org", 1),
			sign(t, eval("date: 2026-05-01\n"), "2026-05-02", "erin@example.org as owner"), false, "EVAL-1 is not independent: its evaluator erin@example.org owns IMC-POL"},
		{"the evaluator approved what they evaluate", sign(t, policy, "2026-01-05", "erin@example.org as auditor"),
			sign(t, eval("date: 2026-05-01\n"), "2026-05-02", "erin@example.org as owner"), false, "EVAL-1 is not independent: its evaluator erin@example.org approved IMC-POL"},
		{"older than 12 months", signedPolicy, sign(t, eval("date: 2025-10-01\n"), "2025-10-02", "erin@example.org as owner"), false, "EVAL-1 is dated 2025-10-01, older than the area's review period 1y"},
		{"older than a shorter review_every", strings.Replace(signedPolicy, "review_every: 1y", "review_every: 6mo", 1),
			sign(t, eval("date: 2026-05-01\n"), "2026-05-02", "erin@example.org as owner"), false, "older than the area's review period 6mo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := appraiseFiles(t, map[string]string{"pol.md": tc.policy, "eval.md": tc.eval}).Area("IMC")
			ev := practice(a, "GG2.GP9")
			if ev.Met != tc.met || !strings.Contains(strings.Join(ev.Why, "; "), tc.why) {
				t.Errorf("GG2.GP9 = %+v, want met %v and %q", ev, tc.met, tc.why)
			}
		})
	}
}

func TestReviewRules(t *testing.T) {
	review := func(front string) string {
		return "---\nid: MR-1\nkind: review\ntitle: R\nowner: olga@example.org\nprocess_area: IMC\ncovers: [IMC-POL]\n" + front +
			"---\n\n## Attendees\n\nDana.\n\n## Status reviewed\n\nAll.\n\n## Decisions\n\nNone.\n\n## Actions\n\nNone.\n"
	}
	for _, tc := range []struct {
		name, review string
		met          bool
		why, note    string
	}{
		{"a draft review by someone who is no manager", review("date: 2026-10-01\n"), false, "MR-1 is not approved (draft)", ""},
		{"approved by its owner, no manager", sign(t, review("date: 2026-10-01\n"), "2026-10-02", "olga@example.org as owner"), false, "MR-1 is not signed by a holder of the manager role", ""},
		{"signed by a manager", sign(t, review("date: 2026-10-01\n"), "2026-10-02", "olga@example.org as owner", "dana@example.org as manager"), true, "", ""},
		{"edited after approval", strings.Replace(sign(t, review("date: 2026-10-01\n"), "2026-10-02", "dana@example.org as manager"), "Dana.", "Dana and Sam.", 1), false, "MR-1 is not approved (changed after approval)", ""},
		{"too old", sign(t, review("date: 2025-10-01\n"), "2025-10-02", "dana@example.org as manager"), false, "MR-1 is dated 2025-10-01, older than the area's review period 1y", ""},
		{"event-driven", sign(t, review("date: 2026-10-01\ntrigger: IMC-POL\n"), "2026-10-02", "dana@example.org as manager"), true, "", "MR-1 is an event-driven review (trigger IMC-POL)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := appraiseFiles(t, map[string]string{"pol.md": policy, "r.md": tc.review}).Area("IMC")
			ev := practice(a, "GG2.GP10")
			if ev.Met != tc.met || !strings.Contains(strings.Join(ev.Why, "; "), tc.why) || !strings.Contains(strings.Join(ev.Notes, "; "), tc.note) {
				t.Errorf("GG2.GP10 = %+v, want met %v, %q, %q", ev, tc.met, tc.why, tc.note)
			}
		})
	}
}

func TestMeasureRules(t *testing.T) {
	measure := func(front, rows string) string {
		return "---\nid: IMC-MTTR\nkind: measure\ntitle: M\nowner: alice@example.org\nprocess_area: IMC\ntarget: 8\ndirection: down\n" + front +
			"---\n\n## Definition\n\nHours to restore.\n\n## Data\n\n| date | value |\n|---|---|\n" + rows
	}
	action := "---\nid: MR-1\nkind: review\ntitle: R\nowner: olga@example.org\n---\n\n## Actions\n\n- [ ] Second on-call engineer, see [[IMC-MTTR]] (@alice@example.org, due 2026-12-31)\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		met   bool
		why   string
	}{
		{"on target, fresh", map[string]string{"m.md": measure("", "| 2026-10-31 | 7 |\n")}, true, ""},
		{"off target without corrective action", map[string]string{"m.md": measure("", "| 2026-10-31 | 9 |\n")}, false, "IMC-MTTR is off target"},
		{"off target with a corrective action", map[string]string{"m.md": measure("", "| 2026-10-31 | 9 |\n"), "r.md": action}, true, ""},
		{"stale", map[string]string{"m.md": measure("", "| 2026-05-31 | 7 |\n"), "r.md": action}, false, "no measure of IMC with a target and data within its period"},
		{"stale without corrective action", map[string]string{"m.md": measure("", "| 2026-05-31 | 7 |\n")}, false, "IMC-MTTR is stale"},
		{"a longer period", map[string]string{"m.md": measure("period: 6mo\n", "| 2026-05-31 | 7 |\n")}, true, ""},
		{"no target", map[string]string{"m.md": strings.Replace(measure("", "| 2026-10-31 | 7 |\n"), "target: 8\n", "", 1)}, false, "IMC-MTTR has no target"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := appraiseFiles(t, tc.files).Area("IMC")
			ev := practice(a, "GG2.GP8")
			if ev.Met != tc.met || !strings.Contains(strings.Join(ev.Why, "; "), tc.why) {
				t.Errorf("GG2.GP8 = %+v, want met %v and %q", ev, tc.met, tc.why)
			}
		})
	}
}

// Levels and the explanation of each.
func TestLevels(t *testing.T) {
	plan := sign(t, planText(nil, ""), "2026-10-01", "alice@example.org as owner", "dana@example.org as manager")
	files := map[string]string{
		"plan.md": plan,
		"risk.md": "---\nid: RISK-POL\nkind: policy\ntitle: P\nowner: dana@example.org\nprocess_area: RISK\n---\n\n## Statements\n\nWe manage risk.\n",
	}
	res := appraiseFiles(t, files, "IMC-PLAN")
	if len(res.Areas) != 2 || res.Areas[0].Code != "IMC" || res.Areas[1].Code != "RISK" {
		t.Fatalf("areas = %+v", res.Areas)
	}
	imc := res.Area("IMC")
	if imc.Level != 1 || imc.LevelName != "performed" ||
		imc.Explanation != "performed: GG1 is met; not managed, because GG2.GP1, GG2.GP5, GG2.GP7, GG2.GP8, GG2.GP9 and GG2.GP10 are not met" {
		t.Errorf("IMC: level %d, %q", imc.Level, imc.Explanation)
	}
	if e := practice(imc, "GG2.GP6"); !e.Met || strings.Join(e.Docs, ",") != "IMC-PLAN" {
		t.Errorf("GG2.GP6 = %+v", e)
	}
	if r := res.Area("RISK"); r.Level != 0 || r.Explanation != "incomplete: GG1.GP1 is not met (no process description or work product with content)" {
		t.Errorf("RISK: level %d %q", r.Level, r.Explanation)
	}
	// Every practice's JSON lists are [] rather than null.
	for _, a := range res.Areas {
		for _, e := range a.Practices {
			if e.Docs == nil || e.Why == nil || e.Notes == nil {
				t.Errorf("%s %s has a nil list", a.Code, e.Practice)
			}
		}
	}
}
