package appraise

import (
	"strings"
	"testing"
)

func trainingRecord(id, date, covers, attendees string) string {
	return "---\nid: " + id + "\nkind: training\ntitle: T\nowner: tom@example.org\ndate: " + date + "\ncovers: [" + covers + "]\nattendees: [" + attendees + "]\ntrainer: tom@example.org\n---\n\n" +
		"## Skills\n\nIncident command.\n\n## Attendees\n\nThe rota.\n\n## Materials\n\nThe course slides.\n"
}

func gapList(gs []Gap) string {
	var out []string
	for _, g := range gs {
		s := g.Person + " " + g.Document + " since " + g.Since + " (" + strings.Join(g.Because, ", ") + ")"
		if g.LastTrained != "" {
			s += " last " + g.LastTrained
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}

// The plan is approved on 2026-10-01 by alice (owner) and dana (manager);
// sam and bob are stakeholders. Everyone involved must attend a training
// record covering it dated on or after that day.
func TestTrainingGaps(t *testing.T) {
	plan := sign(t, planText(nil, stakeholders), "2026-10-01", "alice@example.org as owner", "dana@example.org as manager", "sam@example.org as stakeholder")
	all := "alice@example.org, dana@example.org, sam@example.org, bob@example.org"
	for _, tc := range []struct {
		name    string
		records map[string]string
		want    string
	}{
		{"no record", nil, "alice@example.org IMC-PLAN since 2026-10-01 (owner, approver); bob@example.org IMC-PLAN since 2026-10-01 (stakeholder (consult)); " +
			"dana@example.org IMC-PLAN since 2026-10-01 (approver); sam@example.org IMC-PLAN since 2026-10-01 (approver, stakeholder (approve))"},
		{"everyone trained after the approval", map[string]string{"t.md": trainingRecord("TRN-1", "2026-10-15", "IMC-PLAN", all)}, ""},
		{"trained on the day of the approval", map[string]string{"t.md": trainingRecord("TRN-1", "2026-10-01", "IMC-PLAN", all)}, ""},
		{"trained before the latest approval", map[string]string{"t.md": trainingRecord("TRN-1", "2026-09-01", "IMC-PLAN", all),
			"u.md": trainingRecord("TRN-2", "2026-10-20", "IMC-PLAN", "alice@example.org, Dana@Example.org, sam@example.org")},
			"bob@example.org IMC-PLAN since 2026-10-01 (stakeholder (consult)) last 2026-09-01"},
		{"a record of something else", map[string]string{"t.md": trainingRecord("TRN-1", "2026-10-15", "IMC-POL", all)}, "alice@example.org IMC-PLAN"},
		{"a record that is still the template", map[string]string{"t.md": strings.Replace(trainingRecord("TRN-1", "2026-10-15", "IMC-PLAN", all), "Incident command.", "TODO: Skills.", 1)}, "alice@example.org IMC-PLAN"},
		{"a retired record", map[string]string{"t.md": strings.Replace(trainingRecord("TRN-1", "2026-10-15", "IMC-PLAN", all), "kind: training\n", "kind: training\nstatus: retired\n", 1)}, "alice@example.org IMC-PLAN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"plan.md": plan}
			for k, v := range tc.records {
				files[k] = v
			}
			got := gapList(TrainingGaps(context(t, files), nil))
			if !strings.HasPrefix(got, tc.want) || (tc.want == "") != (got == "") {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
	// A draft document needs no training yet.
	if gs := TrainingGaps(context(t, map[string]string{"plan.md": planText(nil, stakeholders)}), nil); len(gs) != 0 {
		t.Errorf("draft plan: %v", gapList(gs))
	}
}

// GG2.GP5 needs the plan's Training section, a training record for the
// area, and no gap older than 90 days; a younger gap is a note.
func TestTrainingPractice(t *testing.T) {
	all := "alice@example.org, dana@example.org"
	for _, tc := range []struct {
		name, approved string
		records        map[string]string
		met            bool
		why, note      string
	}{
		{"trained", "2026-10-01", map[string]string{"t.md": trainingRecord("TRN-1", "2026-10-15", "IMC-PLAN", all)}, true, "", ""},
		{"no training record", "2026-10-01", nil, false, "no training record covers a document of IMC", ""},
		{"a gap of 56 days", "2026-10-01", map[string]string{"t.md": trainingRecord("TRN-1", "2026-10-15", "IMC-PLAN", "alice@example.org")}, true, "",
			"dana@example.org is not trained on IMC-PLAN since 2026-10-01 (56 days)"},
		{"a gap of 148 days", "2026-07-01", map[string]string{"t.md": trainingRecord("TRN-1", "2026-07-15", "IMC-PLAN", "alice@example.org")}, false,
			"dana@example.org is not trained on IMC-PLAN since 2026-07-01 (148 days, more than 90)", ""},
		{"no Training section content", "2026-10-01", map[string]string{"t.md": trainingRecord("TRN-1", "2026-10-15", "IMC-PLAN", all)}, false, "IMC-PLAN: the Training section is missing, empty or a placeholder", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sections := map[string]string{}
			if strings.HasPrefix(tc.name, "no Training") {
				sections["Training"] = "TODO: Training."
			}
			plan := planText(sections, "")
			if len(sections) == 0 {
				plan = sign(t, plan, tc.approved, "alice@example.org as owner", "dana@example.org as manager")
			}
			files := map[string]string{"plan.md": plan}
			for k, v := range tc.records {
				files[k] = v
			}
			ev := practice(appraiseFiles(t, files).Area("IMC"), "GG2.GP5")
			if ev.Met != tc.met || !strings.Contains(strings.Join(ev.Why, "; "), tc.why) || !strings.Contains(strings.Join(ev.Notes, "; "), tc.note) {
				t.Errorf("GG2.GP5 = %+v\nwant met %v, %q, %q", ev, tc.met, tc.why, tc.note)
			}
		})
	}
}

func TestStakeholders(t *testing.T) {
	plan := sign(t, planText(nil, stakeholders), "2026-10-01", "alice@example.org as owner", "dana@example.org as manager")
	got := Stakeholders(context(t, map[string]string{"plan.md": plan, "pol.md": policy}).Lib)
	if len(got) != 2 || got[0].Who != "sam@example.org" || got[0].Involvement != "approve" || got[0].Agreed ||
		got[1].Who != "bob@example.org" || got[1].Involvement != "consult" || got[1].ProcessArea != "IMC" || got[1].Document != "IMC-PLAN" {
		t.Errorf("stakeholders %+v", got)
	}
}
