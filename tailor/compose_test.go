package tailor

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rmm-pal/rmm/doc"
)

const stdFront = "---\nid: STD\nkind: standard\ntitle: Standard\nowner: a@example.org\n---\n"
const procFront = "---\nid: PROC\nkind: process\ntitle: Defined\nowner: a@example.org\ntailors: STD\nunit: ops\nbase: 0123456789abcdef0123456789abcdef01234567\n---\n"

func parse(t *testing.T, path, src string) *doc.Document {
	t.Helper()
	d, diags := doc.Parse(path, []byte(src))
	if d == nil {
		t.Fatalf("parse %s: %v", path, diags)
	}
	return d
}

// outline renders the effective sections as "level id[op]: first body line".
func outline(def *Defined) []string {
	var out []string
	for _, s := range def.Sections {
		op := ""
		if s.Op != "" {
			op = "[" + s.Op + "]"
		}
		first := strings.SplitN(s.Body, "\n", 2)[0]
		out = append(out, fmt.Sprintf("%d %s%s: %s", s.Level, s.ID, op, first))
	}
	return out
}

const nestedStd = stdFront + `Intro text.

## Scope {#scope}

Scope text.

## Roles {#roles}

Roles text.

### Commander {#commander}

Commander text.

### Scribe {#scribe}

Scribe text.

## Contain {#contain .required}

Contain text.

### Evidence {#evidence}

Evidence text.

## Close {#close}

Close text.
`

func TestCompose(t *testing.T) {
	tests := []struct {
		name  string
		std   string
		ops   string
		want  []string
		diags []string // "line rule" of each diagnostic
		supp  []string
	}{
		{
			name: "no operation is the standard",
			std:  nestedStd,
			want: []string{"2 scope: Scope text.", "2 roles: Roles text.", "3 commander: Commander text.", "3 scribe: Scribe text.", "2 contain: Contain text.", "3 evidence: Evidence text.", "2 close: Close text."},
		},
		{
			name: "suppress a parent suppresses its subsections",
			std:  nestedStd,
			ops:  "## Roles {#roles .suppress}\n\nRationale: one person does it all.\n",
			want: []string{"2 scope: Scope text.", "2 contain: Contain text.", "3 evidence: Evidence text.", "2 close: Close text."},
			supp: []string{"roles", "commander", "scribe"},
		},
		{
			name: "replace a section with children keeps the heading and drops the children",
			std:  nestedStd,
			ops:  "## Roles {#roles .replace}\n\nRationale: we have a NOC.\n\nThe NOC analyst.\n\n### Analyst\n\nAnalyst text.\n",
			want: []string{"2 scope: Scope text.", "2 roles[replace]: The NOC analyst.", "2 contain: Contain text.", "3 evidence: Evidence text.", "2 close: Close text."},
		},
		{
			name: "extend appends to the section's own text, before its subsections",
			std:  nestedStd,
			ops:  "## Roles {#roles .extend}\n\nRationale: we add a deputy.\n\nDeputy too.\n",
			want: []string{"2 scope: Scope text.", "2 roles[extend]: Roles text.", "3 commander: Commander text.", "3 scribe: Scribe text.", "2 contain: Contain text.", "3 evidence: Evidence text.", "2 close: Close text."},
		},
		{
			name: "extend a required section is allowed",
			std:  nestedStd,
			ops:  "## Contain {#contain .extend}\n\nRationale: runbooks.\n\nUse runbooks.\n",
			want: []string{"2 scope: Scope text.", "2 roles: Roles text.", "3 commander: Commander text.", "3 scribe: Scribe text.", "2 contain[extend]: Contain text.", "3 evidence: Evidence text.", "2 close: Close text."},
		},
		{
			name: "add goes after the whole subtree, at the anchor's level",
			std:  nestedStd,
			ops:  "## Notify {#notify .add after=roles}\n\nRationale: regulators.\n\nNotify text.\n",
			want: []string{"2 scope: Scope text.", "2 roles: Roles text.", "3 commander: Commander text.", "3 scribe: Scribe text.", "2 notify[add]: Notify text.", "2 contain: Contain text.", "3 evidence: Evidence text.", "2 close: Close text."},
		},
		{
			name: "add after a subsection takes its level",
			std:  nestedStd,
			ops:  "## Deputy {#deputy .add after=commander}\n\nRationale: nights.\n\nDeputy text.\n",
			want: []string{"2 scope: Scope text.", "2 roles: Roles text.", "3 commander: Commander text.", "3 deputy[add]: Deputy text.", "3 scribe: Scribe text.", "2 contain: Contain text.", "3 evidence: Evidence text.", "2 close: Close text."},
		},
		{
			name: "add after an added section",
			std:  nestedStd,
			ops:  "## A {#a .add after=scope}\n\nRationale: a.\n\nA text.\n\n## B {#b .add after=a}\n\nRationale: b.\n\nB text.\n",
			want: []string{"2 scope: Scope text.", "2 a[add]: A text.", "2 b[add]: B text.", "2 roles: Roles text.", "3 commander: Commander text.", "3 scribe: Scribe text.", "2 contain: Contain text.", "3 evidence: Evidence text.", "2 close: Close text."},
		},
		{
			name: "operations apply in document order: two adds after one section stack in reverse",
			std:  nestedStd,
			ops:  "## A {#a .add after=scope}\n\nRationale: a.\n\nA text.\n\n## B {#b .add after=scope}\n\nRationale: b.\n\nB text.\n",
			want: []string{"2 scope: Scope text.", "2 b[add]: B text.", "2 a[add]: A text.", "2 roles: Roles text.", "3 commander: Commander text.", "3 scribe: Scribe text.", "2 contain: Contain text.", "3 evidence: Evidence text.", "2 close: Close text."},
		},
		{
			name: "add after a suppressed section keeps its place",
			std:  nestedStd,
			ops:  "## Scope {#scope .suppress}\n\nRationale: obvious.\n\n## Mine {#mine .add after=scope}\n\nRationale: ours.\n\nMine text.\n",
			want: []string{"2 mine[add]: Mine text.", "2 roles: Roles text.", "3 commander: Commander text.", "3 scribe: Scribe text.", "2 contain: Contain text.", "3 evidence: Evidence text.", "2 close: Close text."},
			supp: []string{"scope"},
		},
		{
			name:  "suppress a required section",
			std:   nestedStd,
			ops:   "## Contain {#contain .suppress}\n\nRationale: we never contain.\n",
			want:  []string{"2 scope: Scope text.", "2 roles: Roles text.", "3 commander: Commander text.", "3 scribe: Scribe text.", "2 close: Close text."},
			diags: []string{"10 tailor-required"},
			supp:  []string{"contain", "evidence"},
		},
		{
			name:  "replace a required section",
			std:   nestedStd,
			ops:   "## Contain {#contain .replace}\n\nRationale: ours is better.\n\nOurs.\n",
			want:  []string{"2 scope: Scope text.", "2 roles: Roles text.", "3 commander: Commander text.", "3 scribe: Scribe text.", "2 contain[replace]: Ours.", "2 close: Close text."},
			diags: []string{"10 tailor-required"},
		},
		{
			name:  "suppress a section that holds a required one",
			std:   stdFront + "## Response {#response}\n\nR.\n\n### Contain {#contain .required}\n\nC.\n",
			ops:   "## Response {#response .suppress}\n\nRationale: no.\n",
			diags: []string{"10 tailor-required"},
			supp:  []string{"response", "contain"},
		},
		{
			name:  "two operations on one section: the first wins",
			std:   nestedStd,
			ops:   "## Close {#close .extend}\n\nRationale: one.\n\nMore.\n\n## Close {#close .suppress}\n\nRationale: two.\n",
			want:  []string{"2 scope: Scope text.", "2 roles: Roles text.", "3 commander: Commander text.", "3 scribe: Scribe text.", "2 contain: Contain text.", "3 evidence: Evidence text.", "2 close[extend]: Close text."},
			diags: []string{"16 tailor-conflict"},
		},
		{
			name:  "an operation inside a suppressed section has no effect",
			std:   nestedStd,
			ops:   "## Roles {#roles .suppress}\n\nRationale: no roles.\n\n## Scribe {#scribe .extend}\n\nRationale: scribe.\n\nMore.\n",
			want:  []string{"2 scope: Scope text.", "2 contain: Contain text.", "3 evidence: Evidence text.", "2 close: Close text."},
			diags: []string{"14 tailor-conflict"},
			supp:  []string{"roles", "commander", "scribe"},
		},
		{
			name:  "missing target and missing after",
			std:   nestedStd,
			ops:   "## Clsoe {#clsoe .extend}\n\nRationale: typo.\n\nX.\n\n## New {#new .add after=nowhere}\n\nRationale: n.\n\nN.\n",
			want:  []string{"2 scope: Scope text.", "2 roles: Roles text.", "3 commander: Commander text.", "3 scribe: Scribe text.", "2 contain: Contain text.", "3 evidence: Evidence text.", "2 close: Close text.", "2 new[add]: N."},
			diags: []string{"10 tailor-target", "16 tailor-target"},
		},
		{
			name:  "add with an id the standard has",
			std:   nestedStd,
			ops:   "## Close {#close .add after=scope}\n\nRationale: n.\n\nN.\n",
			want:  []string{"2 scope: Scope text.", "2 roles: Roles text.", "3 commander: Commander text.", "3 scribe: Scribe text.", "2 contain: Contain text.", "3 evidence: Evidence text.", "2 close: Close text."},
			diags: []string{"10 tailor-target"},
		},
		{
			name:  "no rationale, unknown class, heading with no class",
			std:   nestedStd,
			ops:   "## Scope {#scope .extend}\n\nWe just add this.\n\n## Roles {#roles .remove}\n\nRationale: x.\n\n## Close\n\nText.\n",
			want:  []string{"2 scope[extend]: Scope text.", "2 roles: Roles text.", "3 commander: Commander text.", "3 scribe: Scribe text.", "2 contain: Contain text.", "3 evidence: Evidence text.", "2 close: Close text."},
			diags: []string{"10 tailor-rationale", "14 tailor-operation", "18 tailor-operation"},
		},
		{
			name: "unicode headings address sections by their slug",
			std:  stdFront + "## Überprüfung der Lage\n\nPrüfen.\n\n## 事後レビュー\n\nレビュー。\n\n## Ende\n\nE.\n",
			ops:  "## Überprüfung der Lage {.replace}\n\nRationale: anders.\n\nNeu.\n\n## 事後レビュー {.suppress}\n\nRationale: 不要。\n\n## Ça marche {.add after=\"überprüfung-der-lage\"}\n\nRationale: oui.\n\nOui.\n",
			want: []string{"2 überprüfung-der-lage[replace]: Neu.", "2 ça-marche[add]: Oui.", "2 ende: E."},
			supp: []string{"事後レビュー"},
		},
		{
			name: "duplicate headings get -1, -2 and can be targeted",
			std:  stdFront + "## Step\n\nOne.\n\n## Step\n\nTwo.\n\n## Step\n\nThree.\n",
			ops:  "## Step {#step-1 .replace}\n\nRationale: two differs.\n\nTwo bis.\n\n## Step {#step-2 .suppress}\n\nRationale: no third.\n",
			want: []string{"2 step: One.", "2 step-1[replace]: Two bis."},
			supp: []string{"step-2"},
		},
		{
			name: "a leading title is not an operation",
			std:  nestedStd,
			ops:  "# Defined\n\n## Close {#close .suppress}\n\nRationale: never closed.\n",
			want: []string{"2 scope: Scope text.", "2 roles: Roles text.", "3 commander: Commander text.", "3 scribe: Scribe text.", "2 contain: Contain text.", "3 evidence: Evidence text."},
			supp: []string{"close"},
		},
		{
			name: "a standard under one title: add at the anchor's level",
			std:  stdFront + "# Title\n\n## A {#a}\n\nA.\n\n### A1 {#a1}\n\nA1.\n\n## B {#b}\n\nB.\n",
			ops:  "## New {#new .add after=a1}\n\nRationale: n.\n\nN.\n\n### Detail\n\nD.\n",
			want: []string{"1 title: ", "2 a: A.", "3 a1: A1.", "3 new[add]: N.", "2 b: B."},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			std := parse(t, "standards/std.md", tc.std)
			proc := parse(t, "processes/ops/proc.md", procFront+tc.ops)
			def, diags := Compose(std, proc)
			if tc.want != nil {
				if got := outline(def); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
					t.Errorf("sections:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
				}
			}
			var got []string
			for _, d := range diags {
				got = append(got, fmt.Sprintf("%d %s", d.Line, d.Rule))
				if d.Path != proc.Path || d.Severity != doc.Error {
					t.Errorf("diagnostic %v: want an error in %s", d, proc.Path)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.diags, ",") {
				t.Errorf("diagnostics %v, want %v (%v)", got, tc.diags, diags)
			}
			if strings.Join(def.Suppressed, ",") != strings.Join(tc.supp, ",") {
				t.Errorf("suppressed %v, want %v", def.Suppressed, tc.supp)
			}
		})
	}
}

func TestComposeBodies(t *testing.T) {
	std := parse(t, "standards/std.md", nestedStd)
	proc := parse(t, "p.md", procFront+`## Roles {#roles .extend}

Rationale: nights
need a deputy.

Deputy text.

## Commander {#commander .replace}

Rationale: the NOC leads.

NOC leads.

## Sub {#sub .add after=commander}

Rationale: detail.

Sub text.

### Deeper

Deeper text.
`)
	def, diags := Compose(std, proc)
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	var roles, commander, sub Section
	for _, s := range def.Sections {
		switch s.ID {
		case "roles":
			roles = s
		case "commander":
			commander = s
		case "sub":
			sub = s
		}
	}
	if roles.Body != "Roles text.\n\nDeputy text." || roles.Rationale != "nights need a deputy." {
		t.Errorf("extended roles: %q / %q", roles.Body, roles.Rationale)
	}
	if commander.Body != "NOC leads." || commander.Level != 3 {
		t.Errorf("replaced commander: %q level %d", commander.Body, commander.Level)
	}
	// The op's heading is level 2 and lands at level 3: its subsection
	// moves down one level too.
	if sub.Level != 3 || sub.Body != "Sub text.\n\n#### Deeper\n\nDeeper text." {
		t.Errorf("added sub: level %d body %q", sub.Level, sub.Body)
	}
}

func TestComposeShiftsHeadings(t *testing.T) {
	std := parse(t, "standards/std.md", nestedStd)
	proc := parse(t, "p.md", procFront+"## Deputy {#deputy .add after=commander}\n\nRationale: nights.\n\nDeputy text.\n\n### Hand-over\n\nHow.\n")
	def, diags := Compose(std, proc)
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	for _, s := range def.Sections {
		if s.ID == "deputy" {
			if s.Level != 3 || s.Body != "Deputy text.\n\n#### Hand-over\n\nHow." {
				t.Errorf("deputy: level %d body %q", s.Level, s.Body)
			}
			return
		}
	}
	t.Fatal("no deputy section")
}

func TestMarkdown(t *testing.T) {
	std := parse(t, "standards/std.md", nestedStd)
	proc := parse(t, "p.md", procFront+"## Roles {#roles .suppress}\n\nRationale: one | person.\n\n## Close {#close .extend}\n\nRationale: audits.\n\nKeep records.\n")
	def, diags := Compose(std, proc)
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	md := def.Markdown()
	for _, want := range []string{
		"Intro text.\n\n## Scope {#scope}\n\nScope text.\n\n## Contain {#contain}",
		"## Close {#close}\n\n> Tailored (extend): audits.\n\nClose text.\n\nKeep records.\n\n## Tailoring record",
		"| suppress | Roles (`roles`) | one \\| person. |",
		"| extend | Close (`close`) | audits. |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "Commander") {
		t.Errorf("suppressed subsection in output:\n%s", md)
	}
	// The result is Markdown rmm parses back into the same sections.
	back := parse(t, "x.md", md)
	var ids []string
	for _, s := range back.Sections {
		ids = append(ids, s.ID)
	}
	if got := strings.Join(ids, " "); got != "scope contain evidence close tailoring-record" {
		t.Errorf("sections of the output: %s", got)
	}
}
