package doc

import (
	"math"
	"strings"
	"testing"
)

func fp(t *testing.T, src string) string {
	t.Helper()
	return parseOK(t, "p.md", src).Fingerprint
}

const fpBase = `---
id: IMC-POL
kind: policy
title: Incident policy
owner: olive@example.org
status: draft
tags: [a, b]
stakeholders:
  - {who: sam@example.org, role: lead, involvement: approve}
target: 5
date: 2026-03-31
---
# Incident policy

We respond to every incident.
`

func TestFingerprintKeptByYAMLReformat(t *testing.T) {
	base := fp(t, fpBase)
	if len(base) != 64 || strings.ToLower(base) != base {
		t.Fatalf("fingerprint %q is not lowercase hex SHA-256", base)
	}
	same := map[string]string{
		"key order, quoting, flow vs block, comments": `---
# a comment
title: 'Incident policy'
date: "2026-03-31"
target: 5.0
stakeholders:
- who: sam@example.org
  involvement: approve
  role: "lead"
tags:
  - a
  - "b"
owner: "olive@example.org"
kind: policy
id: IMC-POL
---
# Incident policy

We respond to every incident.
`,
		"status and approvals do not count": strings.Replace(fpBase, "status: draft\n", "status: approved\napprovals:\n  - {by: dana@example.org, role: manager, date: 2026-04-01, fingerprint: x}\n", 1),
		"trailing spaces and blank lines":   strings.Replace(fpBase, "incident.\n", "incident.   \t\n\n\n", 1),
		"CRLF line endings":                 strings.ReplaceAll(fpBase, "\n", "\r\n"),
	}
	for name, src := range same {
		if got := fp(t, src); got != base {
			t.Errorf("%s changed the fingerprint", name)
		}
	}
}

func TestFingerprintChangedByContent(t *testing.T) {
	base := fp(t, fpBase)
	changed := map[string]string{
		"one word of the body":  strings.Replace(fpBase, "every incident", "each incident", 1),
		"a covered key":         strings.Replace(fpBase, "owner: olive@", "owner: oscar@", 1),
		"a list item":           strings.Replace(fpBase, "tags: [a, b]", "tags: [a, c]", 1),
		"a nested value":        strings.Replace(fpBase, "role: lead", "role: deputy", 1),
		"an added key":          strings.Replace(fpBase, "target: 5\n", "target: 5\nunit: ops\n", 1),
		"leading space in body": strings.Replace(fpBase, "We respond", " We respond", 1),
		"a date":                strings.Replace(fpBase, "2026-03-31", "2026-04-01", 1),
	}
	for name, src := range changed {
		if got := fp(t, src); got == base {
			t.Errorf("%s kept the fingerprint", name)
		}
	}
}

func TestFingerprintIsStable(t *testing.T) {
	// The canonical form is part of the approvals users commit: pin it.
	got := Fingerprint(map[string]any{"id": "A", "kind": "note", "status": "draft"}, []byte("Hello  \r\nworld\n\n"))
	if want := Fingerprint(map[string]any{"kind": "note", "id": "A"}, []byte("Hello\nworld")); got != want {
		t.Errorf("status or body normalisation leaks into the fingerprint")
	}
	// sha256("rmm-fingerprint-v1\n" + `{"id":"A","kind":"note"}` + "\n" + "Hello\nworld"), as
	// documented on Fingerprint.
	if want := "cfc1cac50a91c4c001eff25c47888b7bc717a925909048e8b347899eec38bb94"; got != want {
		t.Errorf("fingerprint = %s, want %s: the canonical form changed, every approval would go stale", got, want)
	}
	if f := Fingerprint(map[string]any{"x": map[string]any{"inf": math.Inf(1)}}, nil); f == Fingerprint(map[string]any{}, nil) {
		t.Errorf(".inf was dropped from the fingerprint")
	}
}

// normaliseBodyReference is the fingerprint's body rule written plainly;
// NormaliseBody is a one-pass version of it.
func normaliseBodyReference(body []byte) string {
	s := strings.ReplaceAll(string(body), "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\f\v")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

func TestNormaliseBody(t *testing.T) {
	pieces := []string{"a", "b c", " ", "\t", "\r", "\n", "\r\n", "\n\r", "\f", "é", "\v", "  x  "}
	rnd := uint32(1)
	for i := 0; i < 5000; i++ {
		var b strings.Builder
		for j := 0; j < int(rnd%12); j++ {
			rnd = rnd*1664525 + 1013904223
			b.WriteString(pieces[rnd>>16%uint32(len(pieces))])
		}
		rnd = rnd*1664525 + 1013904223
		in := []byte(b.String())
		if got, want := NormaliseBody(in), normaliseBodyReference(in); got != want {
			t.Fatalf("NormaliseBody(%q) = %q, want %q", in, got, want)
		}
	}
}
