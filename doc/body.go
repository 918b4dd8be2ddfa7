package doc

import (
	"bytes"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Section is a heading of the body and the text it heads.
type Section struct {
	ID      string
	Title   string
	Level   int
	Line    int // line in the file
	Classes []string
	Attrs   map[string]string // attributes other than id and class
	// Byte offsets into Document.Body: the heading line starts at Start, its
	// content at ContentStart; OwnEnd is where the next heading of any level
	// starts and End where the next heading of this level or higher starts
	// (so Body[Start:End] includes subsections).
	Start, ContentStart, OwnEnd, End int
	Parent                           *Section
}

// HasClass reports whether the heading carries class c.
func (s *Section) HasClass(c string) bool { return Contains(s.Classes, c) }

// Ref is a reference from a document to another: `[[ID]]` or a relative
// link to a .md file.
type Ref struct {
	ID   string // for [[ID]]
	Path string // for links: the target path, slash-separated from the root
	Text string // as written
	Line int
}

// Action is a task-list item: `- [ ] text (@owner@example.org, due 2026-12-31)`.
type Action struct {
	Text  string
	Owner string
	Due   string // YYYY-MM-DD, or ""
	Done  bool
	Line  int
}

// NewMarkdown returns the goldmark set-up every part of rmm shares: GFM,
// heading attributes, rmm's section ids and `[[ID]]` links. Raw HTML is
// never rendered (html.WithUnsafe is left off).
func NewMarkdown(extra ...goldmark.Extender) goldmark.Markdown {
	exts := append([]goldmark.Extender{gfm, WikiLinks}, extra...)
	return goldmark.New(
		newParser(),
		goldmark.WithExtensions(exts...),
		goldmark.WithParserOptions(parser.WithAttribute(), parser.WithAutoHeadingID(),
			parser.WithASTTransformers(util.Prioritized(emptyIDs{}, 100))),
	)
}

// emptyIDs gives a heading written with an empty id (`## Title {#}`) the
// id of its text, as if it had none: goldmark keeps the empty one, which
// is no anchor and no section id.
type emptyIDs struct{}

func (emptyIDs) Transform(root *ast.Document, reader text.Reader, pc parser.Context) {
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		h, ok := n.(*ast.Heading)
		if !ok {
			continue
		}
		if id, ok := h.AttributeString("id"); ok && attrString(id) == "" {
			h.SetAttributeString("id", pc.IDs().Generate([]byte(plainText(h, reader.Source())), ast.KindHeading))
		}
	}
}

var markdown = NewMarkdown()

// NewParseContext returns a parser context whose heading ids follow rmm's
// slugs (see Slug); pass it to goldmark's Parse.
func NewParseContext() parser.Context {
	return parser.NewContext(parser.WithIDs(&slugIDs{seen: map[string]bool{}}))
}

// ParseMarkdown parses a body with rmm's set-up.
func ParseMarkdown(body []byte) ast.Node {
	return markdown.Parser().Parse(text.NewReader(body), parser.WithContext(NewParseContext()))
}

// Slug turns heading text into a section id: lower case, letters and
// digits of any script kept, runs of spaces, '-' and '_' become one '-',
// everything else dropped.
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case unicode.IsSpace(r) || r == '-' || r == '_':
			dash = true
		}
	}
	if b.Len() == 0 {
		return "section"
	}
	return b.String()
}

// slugIDs gives each heading without an id of its own the slug of its
// text, and a repeated slug the first free suffix -1, -2, ... An id once
// given (or Put, for `{#id}`) stays taken, so the first free suffix of a
// slug never goes down: next remembers where to start looking, and each
// taken id is stepped over at most once per slug it could be a suffix of
// (one: the suffix is all digits). n identical headings cost O(n), not
// O(n²).
type slugIDs struct {
	seen map[string]bool
	next map[string]int
}

func (s *slugIDs) Generate(value []byte, kind ast.NodeKind) []byte {
	base := Slug(string(value))
	id := base
	if s.seen[id] {
		if s.next == nil {
			s.next = map[string]int{}
		}
		i := max(s.next[base], 1)
		for id = base + "-" + itoa(i); s.seen[id]; id = base + "-" + itoa(i) {
			i++
		}
		s.next[base] = i + 1
	}
	s.seen[id] = true
	return []byte(id)
}

func (s *slugIDs) Put(value []byte) { s.seen[string(value)] = true }

func itoa(i int) string {
	var b [20]byte
	n := len(b)
	for {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			break
		}
	}
	return string(b[n:])
}

// atxHeading matches the start of an ATX heading line ("## Title", "#");
// "#hashtag" followed by a "---" line is a setext heading.
var atxHeading = regexp.MustCompile(`^ {0,3}#{1,6}(?:[ \t\r\n]|$)`)

var checkBoxRe = regexp.MustCompile(`^\[[ xX]\]\s*`)

var actionTail = regexp.MustCompile(`\(\s*@([^\s,()]+)\s*(?:,\s*due\s+(\d{4}-\d{2}-\d{2}))?\s*\)\s*$`)

// parseBody finds sections, references and actions through goldmark's AST,
// parsed with the set-up the site renders with (NewMarkdown), so that what
// rmm checks is what the site shows. When onBody is set it is given the
// tree afterwards (LoadOptions.OnBody): a caller that renders the body
// needs no second parse.
func parseBody(d *Document, onBody func(*Document, ast.Node)) {
	src := d.Body
	root := markdown.Parser().Parse(text.NewReader(src), parser.WithContext(NewParseContext()))
	lines := newLineIndex(src)
	lineAt := func(off int) int { return d.BodyLine - 1 + lines.line(off) }
	dir := path.Dir(d.Path)

	var stack []*Section
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		h, ok := n.(*ast.Heading)
		if !ok {
			continue
		}
		s := &Section{Level: h.Level, Attrs: map[string]string{}}
		if h.Lines().Len() > 0 {
			seg := h.Lines().At(0)
			s.Start = bytes.LastIndexByte(src[:seg.Start], '\n') + 1
			last := h.Lines().At(h.Lines().Len() - 1)
			end := last.Stop
			if i := bytes.IndexByte(src[end:], '\n'); i >= 0 {
				end += i + 1
			} else {
				end = len(src)
			}
			if !atxHeading.Match(src[s.Start:end]) {
				// Setext heading: skip the underline too.
				if i := bytes.IndexByte(src[end:], '\n'); i >= 0 {
					end += i + 1
				} else {
					end = len(src)
				}
			}
			s.ContentStart = end
		} else {
			// An empty ATX heading (`##`) has no text segment: it is the
			// first line starting with '#' after the previous block (and
			// after the previous heading, as a block without lines, such
			// as a thematic break, gives no end).
			from := blockEnd(h.PreviousSibling())
			if len(d.Sections) > 0 {
				from = max(from, d.Sections[len(d.Sections)-1].ContentStart)
			}
			s.Start, s.ContentStart = emptyHeading(src, from)
		}
		s.Line = lineAt(s.Start)
		s.Title = plainText(h, src)
		for _, a := range h.Attributes() {
			name := string(a.Name)
			val := attrString(a.Value)
			switch name {
			case "id":
				s.ID = val
			case "class":
				s.Classes = strings.Fields(val)
			default:
				s.Attrs[name] = val
			}
		}
		// The sections still open are on the stack, each deeper than the
		// one below it: s ends those of its level or deeper, and the one
		// left on top is its parent.
		s.OwnEnd, s.End = len(src), len(src)
		if n := len(d.Sections); n > 0 {
			d.Sections[n-1].OwnEnd = s.Start
		}
		for len(stack) > 0 && stack[len(stack)-1].Level >= s.Level {
			stack[len(stack)-1].End = s.Start
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 {
			s.Parent = stack[len(stack)-1]
		}
		stack = append(stack, s)
		d.Sections = append(d.Sections, s)
	}

	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch x := n.(type) {
		case *WikiLink:
			d.Refs = append(d.Refs, Ref{ID: x.Target, Text: "[[" + x.Target + "]]", Line: lineAt(x.Offset)})
		case *ast.Link:
			dest := string(x.Destination)
			if target, ok := RelativeDocLink(dir, dest); ok {
				d.Refs = append(d.Refs, Ref{Path: target, Text: dest, Line: lineAt(firstOffset(x))})
			}
		case *ast.ListItem:
			if a, ok := taskAction(x, src); ok {
				a.Line = lineAt(firstOffset(x))
				d.Actions = append(d.Actions, a)
			}
		}
		return ast.WalkContinue, nil
	})
	if onBody != nil {
		onBody(d, root)
	}
}

// lineIndex maps byte offsets of a text to 1-based lines in O(log lines).
type lineIndex []int // offsets just past each '\n'

func newLineIndex(src []byte) lineIndex {
	var l lineIndex
	for off := 0; ; {
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			return l
		}
		off += i + 1
		l = append(l, off)
	}
}

// line is the line of offset off: one more than the number of newlines
// before it.
func (l lineIndex) line(off int) int {
	n, _ := slices.BinarySearch(l, off+1)
	return n + 1
}

// blockEnd is the offset just past the last source line of n and its
// descendants (0 for nil or a node without lines).
func blockEnd(n ast.Node) int {
	end := 0
	if n == nil {
		return 0
	}
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && c.Type() == ast.TypeBlock {
			if l := c.Lines(); l.Len() > 0 {
				end = max(end, l.At(l.Len()-1).Stop)
			}
		}
		return ast.WalkContinue, nil
	})
	return end
}

// emptyHeading finds the line of an empty ATX heading at or after from.
// When from is inside a line (the end of a heading's text), that line
// belongs to the previous block: the search starts on the next one.
func emptyHeading(src []byte, from int) (start, contentStart int) {
	off := min(from, len(src))
	if off > 0 && src[off-1] != '\n' {
		if i := bytes.IndexByte(src[off:], '\n'); i >= 0 {
			off += i + 1
		} else {
			off = len(src)
		}
	}
	for off < len(src) {
		line, rest, _ := cutLine(src[off:])
		next := len(src) - len(rest)
		if bytes.HasPrefix(bytes.TrimLeft(line, " "), []byte("#")) {
			return off, next
		}
		off = next
	}
	return len(src), len(src)
}

// RelativeDocLink resolves a link destination written in a document in
// folder dir. It reports ok for relative links to .md files, with the
// target's path from the root (which may start with "../" when the link
// leaves the repository).
func RelativeDocLink(dir, dest string) (string, bool) {
	if dest == "" || strings.HasPrefix(dest, "/") || strings.HasPrefix(dest, "#") || strings.HasPrefix(dest, "//") {
		return "", false
	}
	u, err := url.Parse(dest)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "", false
	}
	p := u.Path
	if !strings.HasSuffix(strings.ToLower(p), ".md") {
		return "", false
	}
	return path.Join(dir, p), true
}

func taskAction(li *ast.ListItem, src []byte) (Action, bool) {
	tb := li.FirstChild()
	if tb == nil {
		return Action{}, false
	}
	cb, ok := tb.FirstChild().(*extast.TaskCheckBox)
	if !ok {
		return Action{}, false
	}
	// The item's text is every line of its first block (an owner and due
	// date may wrap onto the next line), without the `[ ]` box.
	var parts []string
	for i := 0; i < tb.Lines().Len(); i++ {
		seg := tb.Lines().At(i)
		parts = append(parts, strings.TrimSpace(string(seg.Value(src))))
	}
	line := strings.Join(parts, " ")
	line = strings.TrimSpace(checkBoxRe.ReplaceAllString(line, ""))
	a := Action{Done: cb.IsChecked, Text: line}
	if m := actionTail.FindStringSubmatchIndex(line); m != nil {
		a.Owner = line[m[2]:m[3]]
		if m[4] >= 0 {
			a.Due = line[m[4]:m[5]]
		}
		a.Text = strings.TrimSpace(line[:m[0]])
	}
	return a, true
}

// firstOffset finds the source offset of the first text inside n.
func firstOffset(n ast.Node) int {
	off := -1
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if t, ok := c.(*ast.Text); ok {
			off = t.Segment.Start
			return ast.WalkStop, nil
		}
		if w, ok := c.(*WikiLink); ok {
			off = w.Offset
			return ast.WalkStop, nil
		}
		if c.Type() == ast.TypeBlock && c.Lines().Len() > 0 {
			off = c.Lines().At(0).Start
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	if off < 0 {
		return 0
	}
	return off
}

// plainText collects the text of an inline tree.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := c.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(src))
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(t.Value)
		case *WikiLink:
			b.WriteString(t.Target)
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

// PlainText returns the text of a goldmark node (exported for render).
func PlainText(n ast.Node, src []byte) string { return plainText(n, src) }

func attrString(v any) string {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}
