package doc

import (
	"strings"
	"testing"
)

const fullDoc = `---
id: IMC-PLAN
kind: plan
title: "Incident management plan"
owner: olive@example.org
status: draft
process_area: IMC
unit: operations
sensitivity: internal
control: baseline
review_every: 1y
stakeholders:
  - {who: sam@example.org, role: operations lead, involvement: approve}
  - who: tia@example.org
    role: auditor
    involvement: inform
approvals: []
superseded_by: IMC-PLAN-2
tags: [incident, plan]
tailors: IMC-STD
base: abc123
evaluates: [A, B]
evaluator: eve@example.org
date: 2026-03-31
covers: IMC-POL
target: 4.5
measure_unit: hours
direction: down
data: mttr.csv
affects: [X]
source: outage
cites: [L-1]
implemented_in: baseline/q1
period: 1mo
trigger: LL-1
attendees: [ann@example.org, ben@example.org]
trainer: tom@example.org
---
# Body
`

func TestParseEveryKeyWithItsLine(t *testing.T) {
	d, diags := Parse("plans/imc.md", []byte(fullDoc))
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	lines := strings.Split(fullDoc, "\n")
	for _, k := range KnownKeys {
		want := 0
		for i, l := range lines {
			if strings.HasPrefix(l, k+":") {
				want = i + 1
				break
			}
		}
		if want == 0 {
			t.Fatalf("test document lacks key %s", k)
		}
		if got := d.Line(k); got != want {
			t.Errorf("line of %s = %d, want %d", k, got, want)
		}
	}
	if d.ID != "IMC-PLAN" || d.Kind != "plan" || d.Title != "Incident management plan" || d.Owner != "olive@example.org" ||
		d.ProcessArea != "IMC" || d.Unit != "operations" || d.ReviewEvery != "1y" || d.SupersededBy != "IMC-PLAN-2" {
		t.Errorf("scalars: %+v", d)
	}
	if len(d.Stakeholders) != 2 || d.Stakeholders[0].Who != "sam@example.org" || d.Stakeholders[0].Line != 13 ||
		d.Stakeholders[1].Involvement != "inform" || d.Stakeholders[1].Line != 14 {
		t.Errorf("stakeholders: %+v", d.Stakeholders)
	}
	if strings.Join(d.Tags, ",") != "incident,plan" || strings.Join(d.Evaluates, ",") != "A,B" || strings.Join(d.Covers, ",") != "IMC-POL" {
		t.Errorf("lists: tags %v evaluates %v covers %v", d.Tags, d.Evaluates, d.Covers)
	}
	if d.Target == nil || *d.Target != 4.5 || d.Date != "2026-03-31" || d.Direction != "down" || d.ImplementedIn != "baseline/q1" {
		t.Errorf("typed: target %v date %q", d.Target, d.Date)
	}
	if d.Period != "1mo" || d.Trigger != "LL-1" || strings.Join(d.Attendees, ",") != "ann@example.org,ben@example.org" || d.Trainer != "tom@example.org" {
		t.Errorf("second-release keys: period %q trigger %q attendees %v trainer %q", d.Period, d.Trigger, d.Attendees, d.Trainer)
	}
	closing := strings.Index(fullDoc, "---\n# Body")
	if wantEnd := strings.Count(fullDoc[:closing], "\n") + 1; d.FrontEnd != wantEnd || d.BodyLine != wantEnd+1 || string(d.Body) != "# Body\n" {
		t.Errorf("FrontEnd %d BodyLine %d Body %q", d.FrontEnd, d.BodyLine, d.Body)
	}
	if !d.Controlled() || d.EffectiveStatus() != "draft" {
		t.Errorf("Controlled %v status %q", d.Controlled(), d.EffectiveStatus())
	}
}

func TestParseBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		line      int
		msg       string
	}{
		{"broken yaml", "---\nid: A\ntitle: x: y\n---\n", 3, "invalid YAML"},
		{"unclosed flow", "---\nid: A\nkind: note\ntitle: [a\n---\n", 4, "invalid YAML"},
		{"unclosed quote", "---\nid: A\ntitle: \"abc\nkind: note\n---\n", 3, "invalid YAML"},
		{"key twice", "---\nid: A\nkind: note\nid: B\n---\n", 4, `"id" already defined at line 2`},
		{"list", "---\n- a\n- b\n---\n", 2, "not a list"},
		{"scalar", "---\njust text\n---\n", 2, `not the scalar "just text"`},
		{"empty", "---\n---\nbody\n", 2, "not empty"},
		{"unclosed", "---\nid: A\n", 1, "no closing ---"},
		{"utf8", "---\nid: A\n---\nok\nbad \xff\n", 5, "invalid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, diags := Parse("x.md", []byte(tc.src))
			if d != nil {
				t.Errorf("got a document")
			}
			if len(diags) != 1 || diags[0].Line != tc.line || !strings.Contains(diags[0].Message, tc.msg) || diags[0].Severity != Error {
				t.Fatalf("diags = %v, want line %d with %q", diags, tc.line, tc.msg)
			}
		})
	}
}

func TestParseWrongTypeAtItsLine(t *testing.T) {
	_, diags := Parse("x.md", []byte("---\nid: A\nkind: plan\ntitle: T\ntags: {a: b}\ntarget: lots\nstakeholders: alice\n---\n"))
	want := map[int]string{5: "tags must be a list", 6: "target must be a number", 7: "stakeholders must be a list"}
	if len(diags) != len(want) {
		t.Fatalf("diags %v", diags)
	}
	for _, d := range diags {
		if !strings.Contains(d.Message, want[d.Line]) {
			t.Errorf("line %d: %q, want %q", d.Line, d.Message, want[d.Line])
		}
	}
}

func TestNoteWithoutFrontMatter(t *testing.T) {
	d, diags := Parse("notes/how-to_change.md", []byte("Some text\n\n# How to change\n"))
	if len(diags) != 0 || d == nil {
		t.Fatalf("diags %v", diags)
	}
	if d.Kind != "note" || d.ID != "NOTES-HOW-TO-CHANGE" || d.Title != "How to change" || d.HasFrontMatter {
		t.Errorf("note: kind %q id %q title %q", d.Kind, d.ID, d.Title)
	}
	if got := IDFromPath("2026/01-x.md"); got != "N-2026-01-X" {
		t.Errorf("IDFromPath = %q", got)
	}
}

func TestFrontMatterCRLFAndBOM(t *testing.T) {
	d, diags := Parse("x.md", []byte("\xef\xbb\xbf---\r\nid: A-1\r\nkind: note\r\ntitle: T\r\n---\r\n# H\r\n"))
	if len(diags) != 0 || d.ID != "A-1" || d.Line("title") != 4 || d.BodyLine != 6 {
		t.Fatalf("diags %v id %q title line %d body line %d", diags, d.ID, d.Line("title"), d.BodyLine)
	}
	if len(d.Sections) != 1 || d.Sections[0].Line != 6 {
		t.Errorf("sections %+v", d.Sections)
	}
}

func TestDiagnosticString(t *testing.T) {
	if s := Errorf("a.md", 3, "yaml", "bad %s", "x").String(); s != "a.md:3: error: bad x [yaml]" {
		t.Errorf("%q", s)
	}
	if s := Warnf("rmm.yaml", 0, "shallow", "m").String(); s != "rmm.yaml: warning: m [shallow]" {
		t.Errorf("%q", s)
	}
	ds := []Diagnostic{Errorf("b.md", 1, "r", "m"), Errorf("a.md", 9, "r", "m"), Errorf("a.md", 2, "r", "m")}
	SortDiagnostics(ds)
	if ds[0].Path != "a.md" || ds[0].Line != 2 || ds[2].Path != "b.md" {
		t.Errorf("sorted %v", ds)
	}
}
