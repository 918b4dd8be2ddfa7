package redline

import (
	"bytes"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rmm-pal/rmm/doc"
)

// show renders spans with git's word-diff marks, for compact assertions.
func show(spans []Span) string {
	var b strings.Builder
	for _, m := range Mark(spans) {
		b.WriteString(m.Before)
		switch m.Op {
		case Delete:
			b.WriteString("[-" + m.Text + "-]")
		case Insert:
			b.WriteString("{+" + m.Text + "+}")
		default:
			b.WriteString(m.Text)
		}
		b.WriteString(m.After)
	}
	return b.String()
}

// texts rebuilds the new text (equal and inserted spans) and the old
// words (equal and deleted spans) from spans.
func texts(spans []Span) (newText, oldText string) {
	var n, o strings.Builder
	for _, sp := range spans {
		if sp.Op != Delete {
			n.WriteString(sp.Text)
		}
		if sp.Op != Insert {
			o.WriteString(sp.Text)
		}
	}
	return n.String(), o.String()
}

func wordList(s string) []string {
	_, toks := tokenize(s)
	return wordsOf(toks)
}

// checkSpans verifies what every redline must satisfy: the new text is
// the equal and inserted spans, the old words are the equal and deleted
// ones, and no two neighbours share an op.
func checkSpans(t *testing.T, old, new string, spans []Span) {
	t.Helper()
	n, _ := texts(spans)
	if want := doc.NormaliseBody([]byte(new)); n != want {
		t.Errorf("equal+insert spans = %q, want the new text %q", n, want)
	}
	// Equal spans carry the new text's white space, so the old words are
	// those of each equal or deleted span in turn.
	var got []string
	for _, sp := range spans {
		if sp.Op != Insert {
			got = append(got, wordList(sp.Text)...)
		}
	}
	if want := wordList(old); !reflect.DeepEqual(got, want) && len(got)+len(want) > 0 {
		t.Errorf("equal+delete spans have words %q, want the old words %q", got, want)
	}
	for i := 1; i < len(spans); i++ {
		if spans[i].Op == spans[i-1].Op {
			t.Errorf("spans %d and %d share op %s: %q", i-1, i, spans[i].Op, spans)
		}
	}
}

func TestWords(t *testing.T) {
	for _, c := range []struct{ name, old, new, want string }{
		{"insert", "The plan is reviewed.", "The plan is reviewed yearly.", "The plan is reviewed {+yearly+}."},
		{"delete", "Access is granted by need and by role.", "Access is granted by need.", "Access is granted by need [-and by role-]."},
		{"replace", "a rota of eight commanders", "a rota of ten commanders", "a rota of [-eight-]{+ten+} commanders"},
		{"number", "Funding: EUR 60,000 for 2026", "Funding: EUR 69,000 for 2026", "Funding: EUR [-60,000-]{+69,000+} for 2026"},
		{"id", "as required by [[IMC-RPT-POL]];", "as required by [[IMC-POL]];", "as required by [[[-IMC-RPT-POL-]{+IMC-POL+}]];"},
		{"rewritten sentence", "The owner checks it every week on Monday.", "Nobody checks it in the holidays at all.",
			// One equal word or two between edits fold into them (the
			// semantic cleanup): a rewritten sentence reads as one.
			"[-The owner checks it every week on Monday-]{+Nobody checks it in the holidays at all+}."},
		{"added line", "- one\n- three", "- one\n- two\n- three", "- one\n{+- two+}\n- three"},
		{"deleted line", "- one\n- two\n- three", "- one\n- three", "- one\n[-- two-]\n- three"},
		{"from nothing", "", "New text.", "{+New text.+}"},
		{"to nothing", "Old text.", "", "[-Old text.-]"},
		{"unicode", "Die Prüfung erfolgt jährlich durch die Revision.", "Die Prüfung erfolgt halbjährlich durch die Revision.",
			"Die Prüfung erfolgt [-jährlich-]{+halbjährlich+} durch die Revision."},
		{"ideographs", "事故は毎月報告する。", "事故は毎週報告する。", "事故は毎[-月-]{+週+}報告する。"},
		{"combining marks", "cafe\u0301 ouvert", "cafe\u0301 ferme\u0301", "cafe\u0301 [-ouvert-]{+ferme\u0301+}"},
		{"emoji", "status 👩‍💻 ok", "status 👨‍💻 ok", "status [-👩‍💻-]{+👨‍💻+} ok"},
		{"crlf", "one\r\ntwo\r\n", "one\r\ntwo three\r\n", "one\ntwo {+three+}"},
	} {
		t.Run(c.name, func(t *testing.T) {
			spans := Words(c.old, c.new)
			if got := show(spans); got != c.want {
				t.Errorf("Words(%q, %q)\n got %s\nwant %s", c.old, c.new, got, c.want)
			}
			checkSpans(t, c.old, c.new, spans)
		})
	}
}

// White space is not a change of words: a re-wrapped paragraph has no
// marks, and Compare says only white space changed.
func TestWhiteSpaceOnly(t *testing.T) {
	old := "Incidents are reported through the service desk, as required by the policy.\n"
	new := "Incidents are reported\nthrough the service   desk,\nas required by the policy.   \n\n"
	spans := Words(old, new)
	if len(spans) != 1 || spans[0].Op != Equal {
		t.Fatalf("re-wrapped text: %q, want one equal span", spans)
	}
	checkSpans(t, old, new, spans)
	a, b := parse(t, "---\nid: A\n---\n"+old), parse(t, "---\nid: A\n---\n"+new)
	r := Compare(a, b)
	if !r.WhiteSpace || r.BodyChanged() || r.Changed() || len(r.Hunks(2)) != 0 {
		t.Errorf("white space only: WhiteSpace=%v BodyChanged=%v Changed=%v hunks=%d", r.WhiteSpace, r.BodyChanged(), r.Changed(), len(r.Hunks(2)))
	}
	if got := r.Summary(); got != "white space only in the body" {
		t.Errorf("Summary = %q", got)
	}
	// Identical bodies are not a white space change either.
	if r := Compare(a, a); r.WhiteSpace || r.Changed() || r.Summary() != "" {
		t.Errorf("same document: %+v", r)
	}
}

func parse(t *testing.T, src string) *doc.Document {
	t.Helper()
	d, _ := doc.Parse("d.md", []byte(src))
	if d == nil {
		t.Fatalf("parse %q failed", src)
	}
	return d
}

const planV1 = `---
id: IMC-PLAN
kind: plan
title: Incident management plan
owner: alice@example.org
status: approved
tags: [incident]
approvals:
  - {by: dana@example.org, role: manager, date: "2026-03-31T10:00:00Z", fingerprint: aaa}
---

Intro text.

## Resources

- People: a rota of eight commanders.

## Training

Every commander is trained.
`

const planV2 = `---
id: IMC-PLAN
kind: plan
title: Incident management plan (revised)
owner: alice@example.org
status: review
tags: [incident, on-call]
review_every: 1y
approvals:
  - {by: dana@example.org, role: manager, date: "2026-03-31T10:00:00Z", fingerprint: aaa}
  - {by: alice@example.org, role: owner, date: "2026-06-29T10:00:00Z", fingerprint: bbb}
---

Intro text.

## Resources

- People: a rota of ten commanders, with a backup.

## Training

Every commander is trained.
`

func TestCompareDocuments(t *testing.T) {
	r := Compare(parse(t, planV1), parse(t, planV2))
	var keys []string
	for _, f := range r.Fields {
		keys = append(keys, fmt.Sprintf("%s:%v", f.Key, f.Fingerprint))
	}
	// Keys the fingerprint covers first, in the new file's order; status
	// last; approvals apart.
	if want := []string{"title:true", "tags:true", "review_every:true", "status:false"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("fields = %v, want %v", keys, want)
	}
	f := r.Fields[0]
	if *f.Old != "Incident management plan" || *f.New != "Incident management plan (revised)" {
		t.Errorf("title: %q -> %q", *f.Old, *f.New)
	}
	if f := r.Fields[1]; *f.Old != `["incident"]` || *f.New != `["incident","on-call"]` {
		t.Errorf("tags: %q -> %q", *f.Old, *f.New)
	}
	if f := r.Fields[2]; f.Old != nil || *f.New != "1y" {
		t.Errorf("review_every: %v -> %q, want absent -> 1y", f.Old, *f.New)
	}
	if len(r.Approvals) != 1 || r.Approvals[0].Op != Insert || r.Approvals[0].By != "alice@example.org" {
		t.Errorf("approvals = %+v, want alice's added", r.Approvals)
	}
	if r.Inserted != 5 || r.Deleted != 2 {
		t.Errorf("words inserted %d, deleted %d; want 5 and 2", r.Inserted, r.Deleted)
	}
	if !reflect.DeepEqual(r.Sections, []string{"Resources"}) {
		t.Errorf("sections = %q", r.Sections)
	}
	if !r.ContentChanged() || r.WhiteSpace || r.Coarse {
		t.Errorf("ContentChanged=%v WhiteSpace=%v Coarse=%v", r.ContentChanged(), r.WhiteSpace, r.Coarse)
	}
	if got, want := r.Summary(), "5 words inserted, 2 deleted in Resources; front matter: title, tags, review_every, status, approvals"; got != want {
		t.Errorf("Summary\n got %s\nwant %s", got, want)
	}

	// The body changes print as git's word diff, one hunk with a line of
	// context each side, numbered by the line of the new file.
	var buf bytes.Buffer
	if err := WriteHunks(&buf, r.Hunks(1), false); err != nil {
		t.Fatal(err)
	}
	want := "@@ line 17: Resources @@\n\n- People: a rota of [-eight commanders-]{+ten commanders, with a backup+}.\n\n"
	if buf.String() != want {
		t.Errorf("WriteHunks\n got %q\nwant %q", buf.String(), want)
	}
	buf.Reset()
	WriteHunks(&buf, r.Hunks(0), true)
	if want := "\x1b[36m@@ line 18: Resources @@\x1b[m\n- People: a rota of \x1b[31m[-eight commanders-]\x1b[m\x1b[32m{+ten commanders, with a backup+}\x1b[m.\n"; buf.String() != want {
		t.Errorf("coloured\n got %q\nwant %q", buf.String(), want)
	}
}

// A preamble and sections of either version are named; a deleted
// section is named from the old version.
func TestSections(t *testing.T) {
	old := parse(t, "---\nid: A\n---\nFirst words.\n\n## Scope\n\nAll systems.\n\n## Gone\n\nThis section goes.\n")
	new := parse(t, "---\nid: A\n---\nFirst new words.\n\n## Scope\n\nAll systems.\n")
	r := Compare(old, new)
	if want := []string{Preamble, "Gone"}; !reflect.DeepEqual(r.Sections, want) {
		t.Errorf("sections = %q, want %q", r.Sections, want)
	}
	hs := r.Hunks(0)
	if len(hs) != 2 || hs[0].Section != Preamble || hs[1].Section != "Gone" || len(hs[1].Lines) != 3 {
		t.Errorf("hunks: %+v", hs)
	}
	// Nil documents are empty.
	if r := Compare(nil, new); r.Deleted != 0 || r.Inserted != 6 {
		t.Errorf("from nil: %d inserted, %d deleted", r.Inserted, r.Deleted)
	}
}

// Hunks that would touch merge; far apart they stay two.
func TestHunks(t *testing.T) {
	var a, b []string
	for i := 0; i < 20; i++ {
		a = append(a, fmt.Sprintf("line %d", i))
		b = append(b, fmt.Sprintf("line %d", i))
	}
	b[3], b[5], b[15] = "changed 3", "changed 5", "changed 15"
	r := Compare(parse(t, strings.Join(a, "\n")), parse(t, strings.Join(b, "\n")))
	hs := r.Hunks(1)
	if len(hs) != 2 {
		t.Fatalf("%d hunks, want 2: %+v", len(hs), hs)
	}
	if hs[0].Line != 3 || len(hs[0].Lines) != 5 || hs[1].Line != 15 || len(hs[1].Lines) != 3 {
		t.Errorf("hunks start at %d (%d lines) and %d (%d lines); want 3 (5) and 15 (3)", hs[0].Line, len(hs[0].Lines), hs[1].Line, len(hs[1].Lines))
	}
}

// The output is the same on every run, and the same whatever the order
// of map iteration: front matter keys are sorted, runes assigned in
// order.
func TestDeterministic(t *testing.T) {
	a, b := parse(t, planV1), parse(t, planV2)
	first := Compare(a, b)
	for i := 0; i < 20; i++ {
		if r := Compare(a, b); !reflect.DeepEqual(r, first) {
			t.Fatalf("run %d differs", i)
		}
	}
}

// maxCompared records the largest input given to diff-match-patch.
func trackRuns(t *testing.T) *int {
	biggest := 0
	old := testRuns
	testRuns = func(n int) { biggest = max(biggest, n) }
	t.Cleanup(func() { testRuns = old })
	return &biggest
}

func randomWords(rng *rand.Rand, n int, vocab int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("w%d", rng.Intn(vocab))
	}
	return out
}

// lineText joins words ten to a line.
func lineText(ws []string) string {
	var b strings.Builder
	for i, w := range ws {
		b.WriteString(w)
		if i%10 == 9 {
			b.WriteByte('\n')
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// Big inputs are bounded by size, not time: diff-match-patch never gets
// more than MaxTokens tokens (or lines), whatever the inputs; what it
// cannot compare word by word is shown whole and flagged Coarse, and the
// redline stays correct.
func TestBigInputsBounded(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	biggest := trackRuns(t)

	// A long document with a few changed words: the common beginning
	// and end are cut first, so it is compared word by word in full.
	base := randomWords(rng, 50000, 5000)
	edited := append([]string(nil), base...)
	edited[20000], edited[30000] = "CHANGED", "ALSO"
	old, new := lineText(base), lineText(edited)
	spans := Words(old, new)
	checkSpans(t, old, new, spans)
	if n := strings.Count(show(spans), "{+"); n != 2 {
		t.Errorf("%d insertions, want 2", n)
	}

	// Changes far apart in a long document: the middle is too long for
	// word by word, so lines first, then words within the changed lines.
	edited = append([]string(nil), base...)
	edited[10], edited[49990] = "FIRST", "LAST"
	old, new = lineText(base), lineText(edited)
	r := Compare(parse(t, old), parse(t, new))
	checkSpans(t, old, new, r.Body)
	if r.Coarse || r.Inserted != 2 || r.Deleted != 2 {
		t.Errorf("far apart: Coarse=%v inserted %d deleted %d; want word level, 2 and 2", r.Coarse, r.Inserted, r.Deleted)
	}

	// Two unrelated long texts: too many changed lines to compare word by
	// word; shown whole.
	old, new = lineText(randomWords(rng, 100000, 1000000)), lineText(randomWords(rng, 100000, 1000000))
	r = Compare(parse(t, old), parse(t, new))
	checkSpans(t, old, new, r.Body)
	if !r.Coarse {
		t.Errorf("unrelated long texts: not Coarse")
	}
	// Unrelated texts with short lines: more lines than MaxTokens.
	short := func(n int) string { return strings.Join(randomWords(rng, n, 1000000), "\n") }
	old, new = short(20000), short(20000)
	r = Compare(parse(t, old), parse(t, new))
	checkSpans(t, old, new, r.Body)
	if !r.Coarse || len(r.Body) != 2 {
		t.Errorf("unrelated short lines: Coarse=%v, %d spans; want Coarse, one deletion and one insertion", r.Coarse, len(r.Body))
	}
	if *biggest > MaxTokens {
		t.Errorf("diff-match-patch was given %d tokens, more than MaxTokens (%d)", *biggest, MaxTokens)
	}
	if *biggest == 0 {
		t.Errorf("trackRuns saw nothing")
	}
}

// The worst case the bound allows: MaxTokens tokens that all differ.
func BenchmarkWorstCase(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	old := lineText(randomWords(rng, MaxTokens/2, 1000000))
	new := lineText(randomWords(rng, MaxTokens/2, 1000000))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Words(old, new)
	}
}

// FuzzWords checks what every redline must satisfy, on any two texts:
// the spans give back the new text and the old words, hunks and marks
// hold every change, and the result does not depend on the run.
func FuzzWords(f *testing.F) {
	f.Add("The plan is reviewed.", "The plan is reviewed yearly.")
	f.Add("- one\n- three", "- one\n- two\n- three")
	f.Add("事故は毎月報告する。", "事故は毎週報告する。")
	f.Add("a a a a b", "a b a a a")
	f.Add("x\r\ny  \n\n", "x y")
	f.Add("0", "\u0085")               // a Unicode space the fingerprint keeps, at the end
	f.Add("a b", "a \u0085 \nb\u00a0") // and before a line break
	f.Fuzz(func(t *testing.T, old, new string) {
		if !utf8.ValidString(old) || !utf8.ValidString(new) {
			return // doc.Parse refuses invalid UTF-8 before a redline is made
		}
		spans := Words(old, new)
		checkSpans(t, old, new, spans)
		if again := Words(old, new); !reflect.DeepEqual(spans, again) {
			t.Fatalf("two runs differ")
		}
		r := &Redline{Body: spans, bodyLine: 1}
		changes := 0
		for _, sp := range spans {
			if sp.Op != Equal && strings.TrimSpace(sp.Text) != "" {
				changes++
			}
		}
		marked := 0
		for _, h := range r.Hunks(0) {
			for _, l := range h.Lines {
				for _, m := range Mark(l) {
					if m.Op != Equal {
						marked++
					}
				}
			}
		}
		if (changes == 0) != (marked == 0) {
			t.Fatalf("%d changed spans, %d marks in the hunks: %q", changes, marked, spans)
		}
	})
}
