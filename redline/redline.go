// Package redline compares two versions of a document for the people who
// approve and audit it: the front matter key by key, the body word by
// word. `rmm diff`, the summary `rmm approve` prints and the redlines of
// the site (changes since the last approval, changes between baselines)
// are all made by Compare; start there.
//
// Words, not characters or lines. The body is cut into tokens: runs of
// letters and digits, single ideographs, and single other characters
// (punctuation, symbols), each with the white space that follows it.
// Tokens are compared without their white space, as `git diff
// --word-diff` does, so re-wrapping a paragraph is no change of its words
// (Redline.WhiteSpace says that only white space changed). The spans of
// a redline carry the new text's white space for what is kept or
// inserted, and the old text's for what is deleted.
//
// The comparison is github.com/sergi/go-diff's diff-match-patch (Myers'
// algorithm with its speedups, and a semantic cleanup that folds small
// accidental equalities into the edits around them, so a rewritten
// sentence reads as one deletion and one insertion): each distinct token
// is mapped to one rune, the rune sequences are diffed with DiffMainRunes
// and cleaned with DiffCleanupSemantic, and the runs are mapped back to
// tokens. The library's time limit (DiffTimeout) is switched off: a
// redline must be the same on every build (the site is deterministic), so
// the work is bounded by size instead, see MaxTokens.
package redline

import (
	"encoding/json"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/rmm-pal/rmm/doc"
)

// Op is what a span of a redline does.
type Op string

// The ops of a span.
const (
	Equal  Op = "equal"
	Insert Op = "insert"
	Delete Op = "delete"
)

// Span is a run of the body with one op. The text of the equal and
// inserted spans, in order, is the new body (line endings as LF, no
// trailing white space on a line); that of the equal and deleted spans
// is the old body's words.
type Span struct {
	Op   Op     `json:"op"`
	Text string `json:"text"`
	// sec is the title of the section the span starts in (of the new
	// version, or of the old one for a deletion).
	sec string
}

// Field is a front matter key whose value differs. Old and New are the
// values as the fingerprint sees them (a string as it is, anything else
// as compact JSON); nil when the key is absent.
type Field struct {
	Key string  `json:"key"`
	Old *string `json:"old"`
	New *string `json:"new"`
	// Fingerprint is true for keys the fingerprint covers (all but
	// status): a change of one needs new approvals.
	Fingerprint bool `json:"fingerprint"`
}

// ApprovalChange is an approval one version has and the other has not.
type ApprovalChange struct {
	Op Op `json:"op"` // insert or delete
	doc.Approval
}

// Redline is what changed from one version of a document to another.
type Redline struct {
	// Fields are the changed front matter keys but approvals: the keys
	// the fingerprint covers first, in the new version's order (removed
	// keys where the old version had them), then status.
	Fields []Field `json:"fields"`
	// Approvals are the approvals added and removed, in file order.
	Approvals []ApprovalChange `json:"approvals"`
	// Body is the whole body as spans.
	Body []Span `json:"body"`
	// Inserted and Deleted count the words (tokens with a letter or a
	// digit) inserted and deleted.
	Inserted int `json:"words_inserted"`
	Deleted  int `json:"words_deleted"`
	// Sections are the titles of the sections whose words changed, in
	// the order the changes come; text before the first heading is
	// Preamble.
	Sections []string `json:"sections"`
	// WhiteSpace: the bodies differ in white space only (line breaks,
	// spacing), which the spans do not show.
	WhiteSpace bool `json:"whitespace_only"`
	// Coarse: the bodies were too large to compare word by word in full
	// (MaxTokens); some changed parts are shown as one deletion of the old
	// lines and one insertion of the new.
	Coarse bool `json:"coarse"`

	bodyLine int // the new version's first body line in its file
}

// Preamble names the text before a document's first heading, as rmm
// baseline diff does.
const Preamble = "(preamble)"

// MaxTokens bounds the word comparison. Myers' algorithm costs up to the
// square of the tokens that differ, and diff-match-patch only bounds it
// by time, which would make the output depend on the machine. After the
// common beginning and end are cut (linear), a middle of at most
// MaxTokens tokens (both versions together) is compared word by word;
// a larger one is compared line by line (at most MaxTokens lines), and
// then word by word within changed blocks of lines while a budget of
// MaxTokens tokens lasts; the rest is shown whole (Coarse). The worst
// case is therefore about two comparisons of MaxTokens, a fraction of a
// second, whatever the size of the document (bodies are at most 10 MiB).
const MaxTokens = 12000

// Compare returns the redline from old to new. Either may be nil (a
// document added or removed): it counts as empty.
func Compare(old, new *doc.Document) *Redline {
	if old == nil {
		old = &doc.Document{}
	}
	if new == nil {
		new = &doc.Document{}
	}
	r := &Redline{Fields: fields(old, new), Approvals: approvals(old, new), Sections: []string{}, bodyLine: new.BodyLine}
	if r.bodyLine == 0 {
		r.bodyLine = 1
	}
	r.Body, r.Coarse = words(string(old.Body), string(new.Body), sectionsOf(old), sectionsOf(new))
	// Empty lists, not null, in JSON.
	if r.Fields == nil {
		r.Fields = []Field{}
	}
	if r.Approvals == nil {
		r.Approvals = []ApprovalChange{}
	}
	if r.Body == nil {
		r.Body = []Span{}
	}
	seen := map[string]bool{}
	for _, sp := range r.Body {
		if sp.Op == Equal {
			continue
		}
		n := countWords(sp.Text)
		if sp.Op == Insert {
			r.Inserted += n
		} else {
			r.Deleted += n
		}
		if !seen[sp.sec] {
			seen[sp.sec] = true
			r.Sections = append(r.Sections, sp.sec)
		}
	}
	r.WhiteSpace = !r.BodyChanged() && doc.NormaliseBody(old.Body) != doc.NormaliseBody(new.Body)
	return r
}

// Words is the word diff of two texts, without sections: what Compare
// does with bodies.
func Words(old, new string) []Span {
	spans, _ := words(old, new, nil, nil)
	for i := range spans {
		spans[i].sec = ""
	}
	return spans
}

// BodyChanged reports whether a word of the body changed.
func (r *Redline) BodyChanged() bool {
	for _, sp := range r.Body {
		if sp.Op != Equal {
			return true
		}
	}
	return false
}

// Changed reports whether the redline shows any change.
func (r *Redline) Changed() bool {
	return len(r.Fields) > 0 || len(r.Approvals) > 0 || r.BodyChanged()
}

// ContentChanged reports whether something the fingerprint covers
// changed: a covered key or a word of the body.
func (r *Redline) ContentChanged() bool {
	for _, f := range r.Fields {
		if f.Fingerprint {
			return true
		}
	}
	return r.BodyChanged()
}

// token is a word of a text and the white space after it.
type token struct {
	word string
	ws   string
	off  int // byte offset of word in the text
}

// tokenize cuts s into its leading white space and tokens.
func tokenize(s string) (lead string, toks []token) {
	i := skipSpace(s, 0)
	lead = s[:i]
	for i < len(s) {
		start := i
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if wordRune(r) && !solo(r) {
			for i < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[i:])
				if connector(r2) && i+n2 < len(s) {
					// IMC-RPT-POL, on-call, 60,000, don't, and/or,
					// dana@example.org: one word each.
					if r3, _ := utf8.DecodeRuneInString(s[i+n2:]); wordRune(r3) && !solo(r3) {
						i += n2
						continue
					}
				}
				if solo(r2) || !wordRune(r2) && !unicode.Is(unicode.M, r2) {
					break
				}
				i += n2
			}
		}
		i = skipJoiners(s, i)
		w := i
		i = skipSpace(s, i)
		toks = append(toks, token{word: s[start:w], ws: s[w:i], off: start})
	}
	return lead, toks
}

func skipSpace(s string, i int) int {
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += n
	}
	return i
}

// skipJoiners keeps combining marks, variation selectors and a zero
// width joiner with the character before them (a joiner takes the
// character after it too: an emoji sequence is one token).
func skipJoiners(s string, i int) int {
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\u200d':
			i += n
			if i < len(s) {
				_, n2 := utf8.DecodeRuneInString(s[i:])
				i += n2
			}
		case unicode.Is(unicode.M, r):
			i += n
		default:
			return i
		}
	}
	return i
}

func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

// connector joins the word characters on either side of it into one word.
func connector(r rune) bool {
	switch r {
	case '-', '.', ',', '\'', '’', '/', ':', '@', '‐', '‑':
		return true
	}
	return false
}

// solo: scripts written without spaces between words; each character is
// a token of its own.
func solo(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar)
}

func countWords(s string) int {
	_, toks := tokenize(s)
	n := 0
	for _, t := range toks {
		if strings.IndexFunc(t.word, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			n++
		}
	}
	return n
}

// normSpace turns CRLF and CR into LF and drops white space at the end
// of lines, as the fingerprint does.
func normSpace(ws string) string {
	if !strings.ContainsAny(ws, "\r\n") {
		return ws
	}
	ws = strings.ReplaceAll(ws, "\r\n", "\n")
	ws = strings.ReplaceAll(ws, "\r", "\n")
	// Each line loses the white space the fingerprint cuts at its end
	// (doc.NormaliseBody: space, tab, form feed, vertical tab), so only
	// the indentation after the last line break survives of those; other
	// Unicode spaces (U+0085, U+00A0) are text to the fingerprint, and stay.
	lines := strings.Split(ws, "\n")
	for k := range lines[:len(lines)-1] {
		lines[k] = strings.TrimRight(lines[k], fingerprintSpace)
	}
	return strings.Join(lines, "\n")
}

// fingerprintSpace is the white space doc.NormaliseBody cuts at the end of
// a line; with line breaks, what it cuts at the end of the body.
const fingerprintSpace = " \t\f\v"

// edit is a run of n tokens with one op.
type edit struct {
	op Op
	n  int
}

// words diffs two texts into spans; secA and secB find the section of a
// byte offset of each.
func words(a, b string, secA, secB func(int) string) ([]Span, bool) {
	_, ta := tokenize(a)
	leadB, tb := tokenize(b)
	edits, coarse := diffTokens(ta, tb)
	var out []Span
	add := func(op Op, text, sec string) {
		if text == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += text
			return
		}
		out = append(out, Span{Op: op, Text: text, sec: sec})
	}
	secOf := func(f func(int) string, off int) string {
		if f == nil {
			return ""
		}
		return f(off)
	}
	add(Equal, normLead(leadB), "")
	i, j := 0, 0
	for _, e := range edits {
		var sb strings.Builder
		var sec string
		switch e.op {
		case Equal:
			for k := 0; k < e.n; k++ {
				sb.WriteString(tb[j+k].word)
				sb.WriteString(normSpace(tb[j+k].ws))
			}
			i += e.n
			j += e.n
		case Insert:
			sec = secOf(secB, tb[j].off)
			for k := 0; k < e.n; k++ {
				sb.WriteString(tb[j+k].word)
				sb.WriteString(normSpace(tb[j+k].ws))
			}
			j += e.n
		case Delete:
			sec = secOf(secA, ta[i].off)
			// The white space that separated the deleted words from the
			// word before them, when the new text has none there: the
			// deletion of " and by role" from "need and by role." keeps
			// its space.
			if i > 0 && len(out) > 0 && !endsWithSpace(out[len(out)-1].Text) {
				sb.WriteString(normSpace(ta[i-1].ws))
			}
			for k := 0; k < e.n; k++ {
				sb.WriteString(ta[i+k].word)
				sb.WriteString(normSpace(ta[i+k].ws))
			}
			i += e.n
		}
		add(e.op, sb.String(), sec)
	}
	// The body's end has no trailing white space (the fingerprint's
	// rule), so spans concatenate to the normalised body.
	trimEnd(out)
	return out, coarse
}

func endsWithSpace(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return s != "" && unicode.IsSpace(r)
}

func startsWithSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return s != "" && unicode.IsSpace(r)
}

// normLead is the body's leading white space, as the fingerprint keeps
// it (so line numbers count from the body's first line).
func normLead(s string) string { return normSpace(s) }

// trimEnd drops the white space at the end of the last equal or inserted
// span, and at the end of the last deleted one.
func trimEnd(out []Span) {
	lastNew, lastOld := -1, -1
	for k := range out {
		if out[k].Op != Delete {
			lastNew = k
		}
		if out[k].Op != Insert {
			lastOld = k
		}
	}
	if lastNew >= 0 {
		// What the fingerprint cuts at the body's end, no more: the
		// new text's spans are its normalised body.
		t := strings.TrimRight(out[lastNew].Text, fingerprintSpace+"\r\n")
		cut := out[lastNew].Text[len(t):]
		out[lastNew].Text = t
		// A deletion after the new text's end keeps the line break
		// before it.
		if k := lastNew + 1; k < len(out) && out[k].Op == Delete && !startsWithSpace(out[k].Text) {
			out[k].Text = cut + out[k].Text
		}
	}
	if lastOld >= 0 && out[lastOld].Op == Delete {
		out[lastOld].Text = strings.TrimRightFunc(out[lastOld].Text, unicode.IsSpace)
	}
}

// diffTokens compares two token sequences by their words; see MaxTokens
// for the bound.
func diffTokens(a, b []token) ([]edit, bool) {
	p := 0
	for p < len(a) && p < len(b) && a[p].word == b[p].word {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s].word == b[len(b)-1-s].word {
		s++
	}
	ma, mb := a[p:len(a)-s], b[p:len(b)-s]
	var mid []edit
	coarse := false
	if len(ma)+len(mb) <= MaxTokens {
		mid = runs(wordsOf(ma), wordsOf(mb))
	} else {
		mid, coarse = byLines(ma, mb)
	}
	var out []edit
	push := func(op Op, n int) {
		if n == 0 {
			return
		}
		if k := len(out); k > 0 && out[k-1].op == op {
			out[k-1].n += n
			return
		}
		out = append(out, edit{op, n})
	}
	push(Equal, p)
	for _, e := range mid {
		push(e.op, e.n)
	}
	push(Equal, s)
	return align(out, a, b), coarse
}

// align slides each insertion or deletion that lies between two equal
// runs, when the words allow (the same words before and after it), to
// where its ends fall on the best boundaries: a blank line, a line
// break, the end of a sentence, a space. diff-match-patch does the same
// (DiffCleanupSemanticLossless) but on the runes it was given, which
// here stand for tokens and say nothing of boundaries. So a list item
// inserted before another reads as a whole inserted line, not as the
// text of the item, a line break and a "- ".
func align(edits []edit, a, b []token) []edit {
	ia, ib := 0, 0
	for k := range edits {
		e := edits[k]
		if e.op != Equal && k > 0 && k+1 < len(edits) && edits[k-1].op == Equal && edits[k+1].op == Equal {
			xs, s := b, ib
			if e.op == Delete {
				xs, s = a, ia
			}
			p, q, n := edits[k-1].n, edits[k+1].n, e.n
			// As far left as the words allow, then each position right.
			left := 0
			for left < p && xs[s-left-1].word == xs[s+n-left-1].word {
				left++
			}
			best, bestScore := -left, -1
			for d := -left; d <= q; d++ {
				if d > -left && xs[s+d-1+n].word != xs[s+d-1].word {
					break
				}
				if sc := boundary(xs, s+d-1) + boundary(xs, s+d+n-1); sc > bestScore {
					best, bestScore = d, sc
				}
			}
			// The equal run before the edit, counted already, grows by
			// best in both texts; the one after shrinks by as much.
			edits[k-1].n += best
			edits[k+1].n -= best
			ia += best
			ib += best
			if e.op == Delete {
				ia += n
			} else {
				ib += n
			}
			continue
		}
		switch e.op {
		case Equal:
			ia += e.n
			ib += e.n
		case Delete:
			ia += e.n
		case Insert:
			ib += e.n
		}
	}
	var out []edit
	for _, e := range edits {
		if e.n == 0 {
			continue
		}
		if k := len(out); k > 0 && out[k-1].op == e.op {
			out[k-1].n += e.n
			continue
		}
		out = append(out, e)
	}
	return out
}

// boundary scores the boundary after xs[i] (i = -1: the start; the last
// token: the end), as DiffCleanupSemanticLossless scores characters.
func boundary(xs []token, i int) int {
	if i < 0 || i >= len(xs)-1 {
		return 6
	}
	ws := xs[i].ws
	switch n := strings.Count(ws, "\n") + strings.Count(strings.ReplaceAll(ws, "\r\n", "\n"), "\r"); {
	case n >= 2:
		return 5
	case n == 1:
		return 4
	}
	last, _ := utf8.DecodeLastRuneInString(xs[i].word)
	switch {
	case ws != "" && strings.ContainsRune(".!?;:", last):
		return 3
	case ws != "":
		return 2
	case !wordRune(last):
		return 1
	}
	first, _ := utf8.DecodeRuneInString(xs[i+1].word)
	if !wordRune(first) {
		return 1
	}
	return 0
}

func wordsOf(ts []token) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.word
	}
	return out
}

// byLines compares token sequences too large to compare word by word:
// line by line, then word by word within blocks of changed lines while
// the budget lasts.
func byLines(a, b []token) ([]edit, bool) {
	la, lb := lines(a), lines(b)
	if len(la)+len(lb) > MaxTokens {
		return []edit{{Delete, len(a)}, {Insert, len(b)}}, true
	}
	keys := func(ls [][]token) []string {
		out := make([]string, len(ls))
		for i, l := range ls {
			out[i] = strings.Join(wordsOf(l), " ")
		}
		return out
	}
	le := runs(keys(la), keys(lb))
	var out []edit
	coarse := false
	budget := MaxTokens
	i, j := 0, 0 // lines of a and b
	count := func(ls [][]token) int {
		n := 0
		for _, l := range ls {
			n += len(l)
		}
		return n
	}
	for k := 0; k < len(le); k++ {
		e := le[k]
		if e.op == Equal {
			out = append(out, edit{Equal, count(la[i : i+e.n])})
			i += e.n
			j += e.n
			continue
		}
		// A block of changed lines: the deletions and insertions up to
		// the next equal run.
		da, db := 0, 0
		for ; k < len(le) && le[k].op != Equal; k++ {
			if le[k].op == Delete {
				da += le[k].n
			} else {
				db += le[k].n
			}
		}
		k--
		ta, tb := flatten(la[i:i+da]), flatten(lb[j:j+db])
		i += da
		j += db
		if n := len(ta) + len(tb); n <= budget && len(ta) > 0 && len(tb) > 0 {
			budget -= n
			out = append(out, runs(wordsOf(ta), wordsOf(tb))...)
			continue
		}
		if len(ta) > 0 && len(tb) > 0 {
			coarse = true
		}
		if len(ta) > 0 {
			out = append(out, edit{Delete, len(ta)})
		}
		if len(tb) > 0 {
			out = append(out, edit{Insert, len(tb)})
		}
	}
	return out, coarse
}

// lines groups tokens by the line they start on.
func lines(ts []token) [][]token {
	var out [][]token
	start := 0
	for i, t := range ts {
		if strings.ContainsAny(t.ws, "\n\r") {
			out = append(out, ts[start:i+1])
			start = i + 1
		}
	}
	if start < len(ts) {
		out = append(out, ts[start:])
	}
	return out
}

func flatten(ls [][]token) []token {
	var out []token
	for _, l := range ls {
		out = append(out, l...)
	}
	return out
}

// runs diffs two sequences of keys with diff-match-patch: each distinct
// key becomes one rune (never a surrogate, so the texts the library
// builds from runes decode to the same runes), the rune sequences are
// diffed and cleaned up semantically, and each diff's length in runes is
// its length in keys.
func runs(a, b []string) []edit {
	ids := make(map[string]rune, len(a)+len(b))
	enc := func(keys []string) []rune {
		out := make([]rune, len(keys))
		for i, k := range keys {
			r, ok := ids[k]
			if !ok {
				r = keyRune(len(ids))
				ids[k] = r
			}
			out[i] = r
		}
		return out
	}
	ra, rb := enc(a), enc(b)
	if testRuns != nil {
		testRuns(len(ra) + len(rb))
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // deterministic: bounded by MaxTokens instead
	diffs := dmp.DiffCleanupSemantic(dmp.DiffMainRunes(ra, rb, false))
	out := make([]edit, 0, len(diffs))
	for _, d := range diffs {
		n := utf8.RuneCountInString(d.Text)
		if n == 0 {
			continue
		}
		op := Equal
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = Insert
		case diffmatchpatch.DiffDelete:
			op = Delete
		}
		out = append(out, edit{op, n})
	}
	return out
}

// testRuns, when a test sets it, is told the size of every comparison
// handed to diff-match-patch.
var testRuns func(n int)

// keyRune is the rune of the k-th distinct key: 1, 2, … skipping the
// surrogates, which a Go string cannot hold.
func keyRune(k int) rune {
	r := rune(k + 1)
	if r >= 0xD800 {
		r += 0x800
	}
	return r
}

// sectionsOf returns a function giving the title of the section of d's
// body a byte offset lies in.
func sectionsOf(d *doc.Document) func(int) string {
	secs := make([]*doc.Section, 0, len(d.Sections))
	for _, s := range d.Sections {
		if s != nil && s.Start >= 0 {
			secs = append(secs, s)
		}
	}
	sort.SliceStable(secs, func(i, j int) bool { return secs[i].Start < secs[j].Start })
	return func(off int) string {
		k := sort.Search(len(secs), func(i int) bool { return secs[i].Start > off }) - 1
		if k < 0 {
			return Preamble
		}
		if t := strings.TrimSpace(secs[k].Title); t != "" {
			return t
		}
		return secs[k].ID
	}
}

// fields lists the changed front matter keys but approvals.
func fields(a, b *doc.Document) []Field {
	var out []Field
	keys := map[string]bool{}
	for k := range a.Front {
		keys[k] = true
	}
	for k := range b.Front {
		keys[k] = true
	}
	for k := range keys {
		if k == "approvals" {
			continue
		}
		va, okA := a.Front[k]
		vb, okB := b.Front[k]
		f := Field{Key: k, Fingerprint: k != "status"}
		if okA {
			s := display(va)
			f.Old = &s
		}
		if okB {
			s := display(vb)
			f.New = &s
		}
		if okA && okB && doc.CanonicalJSON(va) == doc.CanonicalJSON(vb) {
			continue
		}
		out = append(out, f)
	}
	line := func(f Field) int {
		if l, ok := b.Lines[f.Key]; ok && f.New != nil {
			return l
		}
		return a.Lines[f.Key]
	}
	sort.Slice(out, func(i, j int) bool {
		x, y := out[i], out[j]
		if x.Fingerprint != y.Fingerprint {
			return x.Fingerprint
		}
		if lx, ly := line(x), line(y); lx != ly {
			return lx < ly
		}
		return x.Key < y.Key
	})
	return out
}

// display is a front matter value as a redline shows it: a string as it
// is, anything else as the fingerprint's JSON.
func display(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	js := doc.CanonicalJSON(v)
	if strings.HasPrefix(js, `"`) {
		// A date or another scalar the fingerprint spells as a string.
		var s string
		if err := json.Unmarshal([]byte(js), &s); err == nil {
			return s
		}
	}
	return js
}

// approvals lists the approvals of one version that the other lacks.
func approvals(a, b *doc.Document) []ApprovalChange {
	key := func(x doc.Approval) string {
		return strings.ToLower(x.By) + "\x00" + x.Role + "\x00" + x.Date + "\x00" + x.Fingerprint + "\x00" + x.Meaning
	}
	in := func(list []doc.Approval) map[string]int {
		m := map[string]int{}
		for _, x := range list {
			m[key(x)]++
		}
		return m
	}
	ka, kb := in(a.Approvals), in(b.Approvals)
	var out []ApprovalChange
	for _, x := range a.Approvals {
		if kb[key(x)] > 0 {
			kb[key(x)]--
			continue
		}
		x.Line = 0
		out = append(out, ApprovalChange{Op: Delete, Approval: x})
	}
	for _, x := range b.Approvals {
		if ka[key(x)] > 0 {
			ka[key(x)]--
			continue
		}
		x.Line = 0
		out = append(out, ApprovalChange{Op: Insert, Approval: x})
	}
	return out
}
