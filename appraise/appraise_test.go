package appraise

import (
	"testing"
	"testing/fstest"

	"github.com/rmm-pal/rmm/doc"
)

const plan = `---
id: IMC-PLAN
kind: plan
title: Plan
owner: alice@example.org
status: approved
process_area: IMC
stakeholders: [{who: bob@example.org, role: ops, involvement: inform}]
approvals:
  - {by: alice@example.org, role: owner, date: "2026-01-01T00:00:00Z", fingerprint: FP}
---
## Resources

Two engineers.

## Training

` // Training is empty: GG2.GP5 is not met.

func load(t *testing.T, files map[string]string) *doc.Library {
	t.Helper()
	m := fstest.MapFS{"rmm.yaml": {Data: []byte("organization: X\n")}}
	for p, s := range files {
		m[p] = &fstest.MapFile{Data: []byte(s)}
	}
	lib, err := doc.Load(m, doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

func practice(a Area, id string) Evidence {
	for _, e := range a.Practices {
		if e.Practice == id {
			return e
		}
	}
	return Evidence{}
}

func TestLevels(t *testing.T) {
	files := map[string]string{
		"std.md":  "---\nid: IMC-STD\nkind: standard\ntitle: S\nowner: a@x.org\nprocess_area: IMC\n---\n",
		"plan.md": plan,
		"risk.md": "---\nid: RISK-POL\nkind: policy\ntitle: P\nowner: a@x.org\nprocess_area: RISK\nstatus: approved\n---\n",
	}
	lib := load(t, files)
	// The owner's approval must carry the current fingerprint to count.
	p := lib.ByID["IMC-PLAN"]
	p.Approvals[0].Fingerprint = p.Fingerprint
	areas := Appraise(lib, nil)
	if len(areas) != 2 || areas[0].Code != "IMC" || areas[1].Code != "RISK" {
		t.Fatalf("areas = %+v", areas)
	}
	imc := areas[0]
	if imc.Level != 1 {
		t.Errorf("IMC level = %d, want 1 (performed: no policy, no training)", imc.Level)
	}
	for id, want := range map[string]bool{"GG1.GP1": true, "GG2.GP1": false, "GG2.GP2": true, "GG2.GP3": true, "GG2.GP4": true, "GG2.GP5": false, "GG2.GP7": true, "GG2.GP6": false} {
		if got := practice(imc, id).Met; got != want {
			t.Errorf("IMC %s met = %v, want %v", id, got, want)
		}
	}
	if areas[1].Level != 0 {
		t.Errorf("RISK has only a policy, no process description or work product: level %d, want 0", areas[1].Level)
	}
	// A baseline that holds the plan evidences GG2.GP6.
	areas = Appraise(lib, func(id string) bool { return id == "IMC-PLAN" })
	if e := practice(areas[0], "GG2.GP6"); !e.Met || len(e.Docs) != 1 || e.Docs[0] != "IMC-PLAN" {
		t.Errorf("GG2.GP6 = %+v", e)
	}
}
