package tailor

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/rmm-pal/rmm/doc"
)

// genOps writes tailoring operations from prog, three bytes each, aimed at
// std's sections so that random input meets real targets: the first byte
// chooses the operation (low two bits) and its variations, the second the
// target (a section of std, a new id, or one std lacks), the third the
// after= anchor of an add.
func genOps(std *doc.Document, prog []byte) string {
	ids := make([]string, 0, len(std.Sections))
	for _, s := range std.Sections {
		ids = append(ids, s.ID)
	}
	pick := func(b byte, extra ...string) string {
		all := append(append([]string(nil), ids...), extra...)
		return all[int(b)%len(all)]
	}
	var b strings.Builder
	for i := 0; i+2 < len(prog) && i < 3*64; i += 3 {
		op, tb, ab := prog[i], prog[i+1], prog[i+2]
		kind := OpKinds[op&3]
		level := 2 + int(op>>2&1)
		target := pick(tb, fmt.Sprintf("new-%d", i), "no-such-section")
		if kind == Add && op&0x40 != 0 {
			target = fmt.Sprintf("new-%d", i) // mostly a fresh id
		}
		heading := strings.Repeat("#", level) + " Section " + target + " {#" + target + " ." + kind
		if kind == Add && op&0x80 == 0 {
			heading += " after=" + pick(ab, "new-0", "nowhere")
		}
		b.WriteString(heading + "}\n\n")
		if op&0x10 == 0 {
			fmt.Fprintf(&b, "Rationale: reason %d.\n\n", i)
		}
		fmt.Fprintf(&b, "Body of operation %d.\n\n", i)
		if op&0x20 != 0 {
			fmt.Fprintf(&b, "%s Inner %d\n\nInner text.\n\n", strings.Repeat("#", level+1+int(ab&1)), i)
		}
		if op&0x08 != 0 {
			b.WriteString("```\n# not a heading\n```\n\n")
		}
	}
	return b.String()
}

// checkCompose asserts what Compose promises for any standard and any
// operations: no panic, a pure result, well-formed sections, and no
// .required section removed or replaced when it reports no error.
func checkCompose(t *testing.T, stdBody, opsBody string, prog []byte) {
	std, _ := doc.Parse("standards/std.md", []byte(stdFront+stdBody))
	if std == nil {
		return
	}
	procSrc := procFront + opsBody
	if len(prog) > 0 {
		procSrc += "\n\n" + genOps(std, prog)
	}
	proc, _ := doc.Parse("processes/ops/proc.md", []byte(procSrc))
	if proc == nil {
		return
	}
	def, diags := Compose(std, proc)
	again, diags2 := Compose(std, proc)
	if !reflect.DeepEqual(def.Sections, again.Sections) || !reflect.DeepEqual(diags, diags2) || !reflect.DeepEqual(def.Suppressed, again.Suppressed) {
		t.Fatal("Compose is not a pure function of its arguments")
	}
	_ = def.Markdown()

	stdIDs := map[string]int{}
	required := 0
	for _, s := range std.Sections {
		stdIDs[s.ID]++
		if s.HasClass("required") {
			required++
		}
	}
	unique := true
	for _, n := range stdIDs {
		unique = unique && n == 1
	}
	suppressed := map[string]bool{}
	for _, id := range def.Suppressed {
		if stdIDs[id] == 0 {
			t.Fatalf("suppressed %q is no section of the standard", id)
		}
		suppressed[id] = true
	}
	seen := map[string]bool{}
	kept := 0
	for _, s := range def.Sections {
		if s.Level < 1 || s.Level > 6 {
			t.Fatalf("section %q has level %d", s.ID, s.Level)
		}
		if strings.TrimRight(s.Body, " \t\r\n") != s.Body {
			t.Fatalf("section %q's body ends in white space: %q", s.ID, s.Body)
		}
		switch s.Op {
		case "", Extend, Replace:
			if stdIDs[s.ID] == 0 {
				t.Fatalf("section %q (%q) is not the standard's", s.ID, s.Op)
			}
			if s.Op != "" && s.Rationale == "" && !hasRule(diags, RuleRationale) {
				t.Fatalf("section %q: operation %s without rationale and no diagnostic", s.ID, s.Op)
			}
		case Add:
			if stdIDs[s.ID] != 0 {
				t.Fatalf("added section %q has an id of the standard", s.ID)
			}
			if s.Required {
				t.Fatalf("added section %q is required", s.ID)
			}
		default:
			t.Fatalf("section %q: operation %q", s.ID, s.Op)
		}
		if unique {
			if seen[s.ID] {
				t.Fatalf("section %q appears twice", s.ID)
			}
			if suppressed[s.ID] {
				t.Fatalf("section %q is both suppressed and kept", s.ID)
			}
		}
		seen[s.ID] = true
		if s.Required && s.Op != Replace {
			kept++
		}
	}
	if !doc.HasErrors(diags) && kept != required {
		t.Fatalf("no error, but %d of %d required sections kept:\nstandard:\n%s\nprocess:\n%s", kept, required, stdBody, procSrc)
	}
}

func hasRule(ds []doc.Diagnostic, rule string) bool {
	for _, d := range ds {
		if d.Rule == rule {
			return true
		}
	}
	return false
}

func FuzzCompose(f *testing.F) {
	f.Add(strings.TrimPrefix(nestedStd, stdFront), "## Roles {#roles .replace}\n\nRationale: we have a NOC.\n\nThe NOC analyst.\n\n### Analyst\n\nAnalyst text.\n", []byte{})
	f.Add(strings.TrimPrefix(nestedStd, stdFront), "", []byte{0, 1, 2, 1, 3, 4, 3, 0, 2, 2, 5, 0, 0x23, 6, 1})
	f.Add(strings.TrimPrefix(nestedStd, stdFront), "# Defined\n\n## Contain {#contain .extend}\n\nRationale: runbooks.\n\nUse runbooks.\n", []byte{0x61, 2, 3, 0x13, 1, 1})
	f.Add("# Title\n\n## A {#a}\n\nA.\n\n### A1 {#a1 .required}\n\nA1.\n\n## B {#b}\n\nB.\n", "## New {#new .add after=a1}\n\nRationale: n.\n\nN.\n\n### Detail\n\nD.\n", []byte{1, 0, 0, 0x80, 3, 1})
	f.Add("## Step\n\nOne.\n\n## Step\n\nTwo.\n\n## Step\n\nThree.\n", "## Step {#step-1 .replace}\n\nRationale: two differs.\n\nTwo bis.\n", []byte{2, 2, 0})
	f.Add("Intro.\n\n## Überprüfung der Lage\n\nPrüfen.\n\n## 事後レビュー {.required}\n\nレビュー。\n", "## Ça marche {.add after=\"überprüfung-der-lage\"}\n\nRationale: oui.\n\nOui.\n", []byte{0x3c, 1, 0})
	f.Fuzz(func(t *testing.T, stdBody, opsBody string, prog []byte) {
		if len(stdBody)+len(opsBody) > 1<<14 {
			return // parsing time, not composition, would dominate
		}
		checkCompose(t, stdBody, opsBody, prog)
	})
}
