package check

// Placeholders are not content (issue 10, SPEC 9). A section of a
// document is a placeholder when its own text (up to the next heading of
// any level) is
//
//   - empty, and the section has no subsections;
//   - made only of TODO lines: lines that start, after a list marker or
//     a task box, with the word TODO (the default templates write
//     "TODO: Resources." and "- [ ] TODO: describe the action");
//   - the text of the same section (by title) in the kind's template,
//     white space aside, each template action ({{.Owner}}) standing for
//     any text.
//
// The template is the repository's .rmm/templates/KIND.md when it has one,
// else rmm's own (package templates). Notes and defined processes (whose
// body is a list of tailoring operations) have none.

import (
	"bytes"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/templates"
)

// Placeholder is a section of a document that is still a placeholder.
type Placeholder struct {
	Section string `json:"section"` // its title
	Line    int    `json:"line"`
	// Why is "empty", "todo" or "template".
	Why string `json:"why"`
}

// Describe says what is wrong with the section, for people.
func (p Placeholder) Describe() string {
	switch p.Why {
	case "empty":
		return "is empty"
	case "todo":
		return "still holds the template's TODO"
	}
	return "is still the template's text"
}

// Templates are the kind templates a library is compared with: required
// sections and placeholder texts. Make one per library with NewTemplates
// (Context.Templates keeps one); it is safe for concurrent use.
type Templates struct {
	fsys  fs.FS
	mu    sync.Mutex
	kinds map[string]*kindTemplate
	// memo keeps each document's placeholders: documents never change
	// once loaded, and check, approve and appraise all ask.
	memo map[*doc.Document][]Placeholder
	// prev are the templates of the previous build of the same tree in
	// this process (Context.InheritTemplates): a document loaded then and
	// unchanged since is the same *doc.Document, so its placeholders are
	// prev's when its kind's template reads the same.
	prev *Templates
}

type kindTemplate struct {
	// own: the repository has .rmm/templates/KIND.md.
	own      bool
	src      []byte                  // the template's bytes
	headings []string                // its level-2 headings
	texts    map[string]*sectionText // lower-case title -> the section's text
}

// sectionText is a template section's text, white space collapsed: its
// literal part up to the first template action, and a pattern when it
// has actions (nil: the literal is the whole text).
type sectionText struct {
	prefix string
	re     *regexp.Regexp
}

// matches reports whether raw, white space aside, is the template's text.
// It compares without copying raw until the literal prefix has matched.
func (t *sectionText) matches(raw []byte) bool {
	starts, equal := normalizedPrefix(raw, t.prefix)
	if t.re == nil || !starts {
		return equal
	}
	return t.re.MatchString(normalize(string(raw)))
}

// normalizedPrefix compares raw, its white space collapsed to single
// spaces and trimmed, with want: whether it starts with want, and whether
// it is want.
func normalizedPrefix(raw []byte, want string) (starts, equal bool) {
	i, j := 0, 0
	space := false
	for i < len(raw) && isSpace(raw[i]) {
		i++
	}
	for ; i < len(raw); i++ {
		c := raw[i]
		if isSpace(c) {
			space = true
			continue
		}
		if space {
			if j == len(want) {
				return true, false
			}
			if want[j] != ' ' {
				return false, false
			}
			j++
			space = false
		}
		if j == len(want) {
			return true, false
		}
		if want[j] != c {
			return false, false
		}
		j++
	}
	return j == len(want), j == len(want)
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// NewTemplates reads templates from fsys (the library's tree, for
// .rmm/templates/KIND.md), falling back to rmm's own; fsys may be nil.
func NewTemplates(fsys fs.FS) *Templates {
	return &Templates{fsys: fsys, kinds: map[string]*kindTemplate{}, memo: map[*doc.Document][]Placeholder{}}
}

// DefaultTemplates are rmm's own templates only. Shared by every caller,
// it keeps no memo of documents.
var DefaultTemplates = &Templates{kinds: map[string]*kindTemplate{}}

func (t *Templates) kind(kind string) *kindTemplate {
	if kind == "" || !doc.Contains(doc.Kinds, kind) {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if k, ok := t.kinds[kind]; ok {
		return k
	}
	k := &kindTemplate{texts: map[string]*sectionText{}}
	var data []byte
	if t.fsys != nil {
		if b, err := fs.ReadFile(t.fsys, path.Join(".rmm/templates", kind+".md")); err == nil {
			data, k.own = b, true
		}
	}
	if data == nil {
		data, _ = fs.ReadFile(templates.Kinds, kind+".md")
	}
	k.src = data
	// Only the template's body is read: its front matter holds Go
	// template actions that are not YAML.
	body := data
	if _, _, off, ok, closed := doc.SplitFrontMatter(data); ok && closed {
		body = data[off:]
	}
	if td, _ := doc.Parse(kind+".md", body); td != nil {
		for _, s := range td.Sections {
			if s.Level == 2 {
				k.headings = append(k.headings, s.Title)
			}
			key := strings.ToLower(s.Title)
			if _, seen := k.texts[key]; !seen {
				if text := normalize(string(td.Body[s.ContentStart:s.OwnEnd])); text != "" {
					k.texts[key] = templateText(text)
				}
			}
		}
	} else if k.own {
		k.own = false // a template rmm cannot read requires nothing of its own
	}
	t.kinds[kind] = k
	return k
}

// Required gives a kind's required sections: the level-2 headings of the
// repository's own template when it has one, else doc.RequiredSections.
func (t *Templates) Required(kind string) []string {
	k := t.kind(kind)
	if k == nil {
		return nil
	}
	if k.own {
		return k.headings
	}
	return doc.RequiredSections[kind]
}

// HasTemplateFor reports whether placeholders are looked for in d: a
// document with front matter, of a known kind, that is not a note or a
// defined process.
func HasTemplateFor(d *doc.Document) bool {
	return d != nil && d.HasFrontMatter && d.Kind != "note" && doc.Contains(doc.Kinds, d.Kind) &&
		!(d.Kind == "process" && d.Tailors != "")
}

// DropPrevious forgets the templates t inherited from (InheritTemplates).
func (t *Templates) DropPrevious() {
	t.mu.Lock()
	t.prev = nil
	t.mu.Unlock()
}

// inherited returns the placeholders the previous templates found in d,
// when they hold them and read d's kind template the same as t (k).
func (t *Templates) inherited(d *doc.Document, k *kindTemplate) ([]Placeholder, bool) {
	t.mu.Lock()
	p := t.prev
	t.mu.Unlock()
	if p == nil {
		return nil, false
	}
	p.mu.Lock()
	ps, ok := p.memo[d]
	pk := p.kinds[d.Kind]
	p.mu.Unlock()
	if !ok || pk == nil || pk.own != k.own || !bytes.Equal(pk.src, k.src) {
		return nil, false
	}
	return ps, true
}

// Placeholders lists d's sections that are still placeholders, in order.
func (t *Templates) Placeholders(d *doc.Document) []Placeholder {
	if !HasTemplateFor(d) {
		return nil
	}
	k := t.kind(d.Kind)
	if k == nil {
		return nil
	}
	t.mu.Lock()
	ps, ok := t.memo[d]
	t.mu.Unlock()
	if ok {
		return ps
	}
	if ps, ok := t.inherited(d, k); ok {
		t.mu.Lock()
		t.memo[d] = ps
		t.mu.Unlock()
		return ps
	}
	var out []Placeholder
	for _, s := range d.Sections {
		raw := d.Body[s.ContentStart:s.OwnEnd]
		why := ""
		switch {
		case len(bytes.TrimSpace(raw)) == 0:
			if s.End == s.OwnEnd { // no subsections
				why = "empty"
			}
		case allTODO(raw):
			why = "todo"
		default:
			// Only a section the template has can be its text.
			if tt := k.texts[strings.ToLower(s.Title)]; tt != nil && tt.matches(raw) {
				why = "template"
			}
		}
		if why != "" {
			out = append(out, Placeholder{Section: s.Title, Line: s.Line, Why: why})
		}
	}
	if t.memo != nil {
		t.mu.Lock()
		t.memo[d] = out
		t.mu.Unlock()
	}
	return out
}

// Content reports whether d has no placeholder section: only such a
// document is evidence for rmm appraise.
func (t *Templates) Content(d *doc.Document) bool { return len(t.Placeholders(d)) == 0 }

// SectionContent reports whether d has a section titled title (any case)
// whose text, subsections included, is more than placeholders.
func (t *Templates) SectionContent(d *doc.Document, title string) bool {
	ps := map[int]bool{}
	for _, p := range t.Placeholders(d) {
		ps[p.Line] = true
	}
	for i, s := range d.Sections {
		if !strings.EqualFold(s.Title, title) {
			continue
		}
		// The section itself, or one of its subsections, says something.
		for _, sub := range d.Sections[i:] {
			if sub.Start >= s.End && sub != s {
				break
			}
			// Text that is more than white space (normalize's words,
			// without joining them: the appraisal asks for every section
			// of every document).
			if !ps[sub.Line] && len(bytes.TrimSpace(d.Body[sub.ContentStart:sub.OwnEnd])) > 0 {
				return true
			}
		}
	}
	return false
}

// normalize collapses white space: a section's text as a comparison sees
// it.
func normalize(s string) string { return strings.Join(strings.Fields(s), " ") }

// isTODO reports whether a trimmed line is a TODO line: TODO as a word
// at its start, after an optional list marker (-, *, +, 1. or 1)) and an
// optional task box ([ ] or [x]).
func isTODO(l []byte) bool {
	switch {
	case len(l) > 0 && (l[0] == '-' || l[0] == '*' || l[0] == '+'):
		l = l[1:]
	case len(l) > 0 && l[0] >= '0' && l[0] <= '9':
		i := 0
		for i < len(l) && l[i] >= '0' && l[i] <= '9' {
			i++
		}
		if i < len(l) && (l[i] == '.' || l[i] == ')') {
			l = l[i+1:]
		}
	}
	l = bytes.TrimLeft(l, " \t")
	if len(l) >= 3 && l[0] == '[' && (l[1] == ' ' || l[1] == 'x' || l[1] == 'X') && l[2] == ']' {
		l = bytes.TrimLeft(l[3:], " \t")
	}
	if !bytes.HasPrefix(l, []byte("TODO")) {
		return false
	}
	if len(l) == 4 {
		return true
	}
	c := l[4]
	return !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')
}

// allTODO reports whether every line of a section's text that is not
// blank is a TODO line.
func allTODO(raw []byte) bool {
	any := false
	for len(raw) > 0 {
		l := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			l, raw = raw[:i], raw[i+1:]
		} else {
			raw = nil
		}
		l = bytes.TrimSpace(l)
		if len(l) == 0 {
			continue
		}
		if !isTODO(l) {
			return false
		}
		any = true
	}
	return any
}

// templateText turns a template section's normalized text into what
// sectionText.matches compares: literal text, each {{action}} standing
// for any text.
func templateText(text string) *sectionText {
	i := strings.Index(text, "{{")
	if i < 0 || !strings.Contains(text[i:], "}}") {
		return &sectionText{prefix: text}
	}
	t := &sectionText{prefix: text[:i]}
	var b strings.Builder
	b.WriteString(`^`)
	for {
		i := strings.Index(text, "{{")
		if i < 0 {
			break
		}
		j := strings.Index(text[i:], "}}")
		if j < 0 {
			break
		}
		b.WriteString(regexp.QuoteMeta(text[:i]))
		b.WriteString(`.*?`)
		text = text[i+j+2:]
	}
	b.WriteString(regexp.QuoteMeta(text))
	b.WriteString(`$`)
	t.re = regexp.MustCompile(b.String())
	return t
}
