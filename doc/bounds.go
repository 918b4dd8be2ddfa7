package doc

import (
	"reflect"
	"sort"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Bounded work. goldmark's parser does work that grows faster than its
// input on some inputs, and a document of 10 MiB (the most rmm reads)
// must not stall `rmm check` in a pre-commit hook, `rmm serve` or CI. rmm
// parses with goldmark's own parsers, wrapped where a profile showed them
// super-linear, so that each line, delimiter and bracket costs a bounded
// amount of work; where that needs a limit, the limits below are far
// beyond what a document written by hand reaches, and what lies beyond
// them is text, as if escaped. Every goldmark set-up rmm parses with
// (NewMarkdown, which parseBody reads with, and the site's) uses these
// parsers, so what the site shows and what rmm reads are parsed alike.
const (
	// MaxNesting is how deep block quotes and list items nest: a `>` or
	// list marker that would open a container deeper is text of the
	// paragraph it is in. goldmark measures each container's column from
	// the start of its line, so the work for a line grew with the square
	// of the containers opened on it (a 400 KB line of `> - ` took most
	// of a minute).
	MaxNesting = 32
	// MaxDelimiters is how many runs of `*` or `_` (and, separately, of
	// `~`) one paragraph, heading or table cell may open or close
	// emphasis (strikethrough) with; later runs are text. goldmark looks
	// for each closer's opener through every earlier run, so n runs cost
	// n² (200 KB of `*a_ ` took 28 s).
	MaxDelimiters = 128
	// MaxReferenceLines is how many lines at the start of a paragraph
	// may hold link reference definitions (`[label]: /url`); the lines
	// after them are text. goldmark's reading of each definition costs
	// the length of the rest of the paragraph.
	MaxReferenceLines = 256
	// MaxOpenBrackets is how many `[` may be open (not yet closed by `]`)
	// at once in a paragraph; a deeper `[` is text. Each `]` looks
	// through all that its `[` holds.
	MaxOpenBrackets = 32
	// MaxLinkLength is how many bytes may lie between a link's `(` and
	// its `)` (destination and title), and MaxLinkParens how deeply
	// parentheses nest in a destination written without `<>`; a longer or
	// deeper link is text. goldmark reads a destination to the end of its
	// line, and a title to the end of its paragraph, for every `](`, so
	// a line of n `[a](b` cost n².
	MaxLinkLength = 4096
	MaxLinkParens = 32
)

// limits are the bounds a parser is built with: the constants above, or
// (in tests) bounds no input reaches, to check that the wrapped parsers
// parse as goldmark's own do.
type limits struct {
	nesting, delimiters, referenceLines, openBrackets, linkLength, linkParens int
}

var defaultLimits = limits{MaxNesting, MaxDelimiters, MaxReferenceLines, MaxOpenBrackets, MaxLinkLength, MaxLinkParens}

// newParser is goldmark's default parser with its container parsers
// bounded by MaxNesting, emphasis by MaxDelimiters, link reference
// definitions by MaxReferenceLines, links by MaxOpenBrackets,
// MaxLinkLength and MaxLinkParens, and its link and code span parsers
// given the lookups they lack (see valueReader and codeSpanLimit).
func newParser() goldmark.Option { return goldmark.WithParser(boundedParser(defaultLimits)) }

func boundedParser(l limits) parser.Parser {
	containers := map[reflect.Type]bool{
		reflect.TypeOf(parser.NewListParser()):       true,
		reflect.TypeOf(parser.NewListItemParser()):   true,
		reflect.TypeOf(parser.NewBlockquoteParser()): true,
	}
	blocks := parser.DefaultBlockParsers()
	for i, v := range blocks {
		if containers[reflect.TypeOf(v.Value)] {
			blocks[i].Value = nestingLimit{v.Value.(parser.BlockParser), l.nesting}
		}
	}
	inlines := parser.DefaultInlineParsers()
	for i, v := range inlines {
		switch reflect.TypeOf(v.Value) {
		case reflect.TypeOf(parser.NewLinkParser()):
			inlines[i].Value = linkLimit{v.Value.(parser.InlineParser), l}
		case reflect.TypeOf(parser.NewEmphasisParser()):
			inlines[i].Value = delimiterLimit{v.Value.(parser.InlineParser), emphasisCount, l.delimiters}
		case reflect.TypeOf(parser.NewCodeSpanParser()):
			inlines[i].Value = codeSpanLimit{v.Value.(parser.InlineParser)}
		}
	}
	paragraphs := parser.DefaultParagraphTransformers()
	for i, v := range paragraphs {
		if v.Value == parser.LinkReferenceParagraphTransformer {
			paragraphs[i].Value = referenceLimit{v.Value.(parser.ParagraphTransformer), l.referenceLines}
		}
	}
	return parser.NewParser(
		parser.WithBlockParsers(blocks...),
		parser.WithInlineParsers(inlines...),
		parser.WithParagraphTransformers(paragraphs...),
	)
}

// gfm is extension.GFM with strikethrough bounded by MaxDelimiters.
var gfm goldmark.Extender = gfmExt{}

type gfmExt struct{}

func (gfmExt) Extend(m goldmark.Markdown) {
	extension.Linkify.Extend(m)
	extension.Table.Extend(m)
	m.Parser().AddOptions(parser.WithInlineParsers(
		util.Prioritized(delimiterLimit{extension.NewStrikethroughParser(), strikethroughCount, MaxDelimiters}, 500)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(
		util.Prioritized(extension.NewStrikethroughHTMLRenderer(), 500)))
	extension.TaskList.Extend(m)
}

// nestingLimit is a container parser that opens nothing deeper than
// max.
type nestingLimit struct {
	parser.BlockParser
	max int
}

func (p nestingLimit) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	if containerDepth(parent) >= p.max {
		return nil, parser.NoChildren
	}
	return p.BlockParser.Open(parent, reader, pc)
}

// containerDepth counts the block quotes and list items n is in (n
// included).
func containerDepth(n ast.Node) int {
	d := 0
	for ; n != nil; n = n.Parent() {
		switch n.Kind() {
		case ast.KindBlockquote, ast.KindListItem:
			d++
		}
	}
	return d
}

var (
	emphasisCount      = parser.NewContextKey()
	strikethroughCount = parser.NewContextKey()
	codeSpanRuns       = parser.NewContextKey()
	linkStates         = parser.NewContextKey()
)

// blockCount is a count kept for one block (paragraph, heading, cell)
// being parsed for inlines; parent is that block.
type blockCount struct {
	block ast.Node
	n     int
}

// delimiterLimit is an emphasis or strikethrough parser that opens at
// most max delimiter runs per block: a later `*` is text without being
// looked at, so a long run costs no more than its length.
type delimiterLimit struct {
	parser.InlineParser
	key parser.ContextKey
	max int
}

func (p delimiterLimit) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	c, _ := pc.Get(p.key).(*blockCount)
	if c == nil || c.block != parent {
		c = &blockCount{block: parent}
		pc.Set(p.key, c)
	}
	if c.n >= p.max {
		return nil
	}
	n := p.InlineParser.Parse(parent, block, pc)
	if n != nil {
		c.n++
	}
	return n
}

// linkLimit is goldmark's link parser bounded by MaxOpenBrackets,
// MaxLinkLength and MaxLinkParens, reading the block through
// valueReader: on every `]` it reads the label's text, and goldmark's
// block reader finds the label's line by walking back from the block's
// last line (a paragraph of n lines of `[a]` cost n²).
type linkLimit struct {
	parser.InlineParser
	l limits
}

// linkState is what linkLimit keeps for the block being parsed.
type linkState struct {
	block ast.Node
	open  int // `[` goldmark holds open
	// The last `<destination>` read: it started at angleFrom and ends at
	// angleEnd (its `>`, or the end of its line when angleEOL). A `<`
	// between the two ends at the same place (no `>` between is
	// unescaped, and escapes cannot pair differently: a `<` is not a
	// backslash), and what follows is the same: restOK and restFits,
	// once restRead, are what reading it gave.
	angleFrom, angleEnd        int
	angleEOL                   bool
	restRead, restOK, restFits bool
	restCost                   int
}

func (p linkLimit) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	st, _ := pc.Get(linkStates).(*linkState)
	if st == nil || st.block != parent {
		st = &linkState{block: parent}
		pc.Set(linkStates, st)
	}
	r := valueReader{Reader: block, lines: parent.Lines(), cut: -1}
	line, seg := block.PeekLine()
	switch {
	case len(line) == 0:
	case line[0] == '[' || line[0] == '!' && len(line) > 1 && line[1] == '[':
		if st.open >= p.l.openBrackets {
			return nil
		}
		n := p.InlineParser.Parse(parent, r, pc)
		if n != nil {
			st.open++
		}
		return n
	case line[0] == ']':
		if st.open > 0 {
			st.open-- // goldmark closes the last `[`, whatever it makes of it
		}
		if len(line) > 1 && line[1] == '(' && !p.linkFits(st, block.Source(), parent.Lines(), seg.Start+2) {
			// goldmark's link parser sees the block end after the
			// `(`: it fails at once, and turns the brackets into text
			// as for any link it cannot read.
			r.cut = seg.Start + 2
		}
	}
	return p.InlineParser.Parse(parent, r, pc)
}

func (p linkLimit) CloseBlock(parent ast.Node, block text.Reader, pc parser.Context) {
	if cb, ok := p.InlineParser.(parser.CloseBlocker); ok {
		cb.CloseBlock(parent, valueReader{Reader: block, lines: parent.Lines(), cut: -1}, pc)
	}
}

// linkFits reads the inline link whose `(` ends just before off the way
// goldmark's link parser does (parseLink in parser/link.go), and reports
// false when that takes more than MaxLinkLength bytes, nests deeper than
// MaxLinkParens or is known to fail: goldmark need not read it.
// Otherwise goldmark's own reading costs no more than this one did.
func (p linkLimit) linkFits(st *linkState, src []byte, lines *text.Segments, off int) bool {
	c := newCursor(src, lines, off, p.l.linkLength)
	if c == nil {
		return true
	}
	if !c.skipSpaces() {
		return false
	}
	b, more := c.peek()
	if !more || b == ')' {
		return true
	}
	// The destination: within one line.
	lineStop := lines.At(c.line).Stop
	start := c.off
	i := start
	if b == '<' {
		if start <= st.angleFrom || start >= st.angleEnd {
			st.angleFrom, st.restRead = start, false
			for i++; i < lineStop && src[i] != '>'; i++ {
				if src[i] == '\\' && i+1 < lineStop && util.IsPunct(src[i+1]) {
					i++
				}
			}
			st.angleEnd, st.angleEOL = min(i, lineStop), i >= lineStop
		}
		if st.angleEOL {
			return false // no '>': goldmark fails, after reading the line
		}
		lead := p.l.linkLength - c.budget
		if !st.restRead {
			c.off, c.budget = st.angleEnd, p.l.linkLength
			if c.next() { // past the '>'
				st.restOK, st.restFits = c.rest()
			}
			st.restCost, st.restRead = p.l.linkLength-c.budget, true
		}
		// A link that fails fails alike when goldmark is stopped at the
		// '(' (it tries the brackets as a reference either way).
		return st.restOK && st.restFits && lead+st.angleEnd-start+st.restCost <= p.l.linkLength
	}
	depth := 0
	stop := min(lineStop, start+c.budget+1)
raw:
	for ; i < stop; i++ {
		switch b := src[i]; {
		case b == '\\' && i+1 < lineStop && util.IsPunct(src[i+1]):
			i++
		case b == '(':
			if depth++; depth > p.l.linkParens {
				return false
			}
		case b == ')':
			if depth--; depth < 0 {
				break raw
			}
		case util.IsSpace(b):
			break raw
		}
	}
	if i >= stop && stop < lineStop {
		return false // longer than the budget
	}
	if i == start {
		return true // an empty destination: goldmark gives up at once
	}
	c.budget -= i - 1 - start
	c.off = i - 1
	if !c.next() {
		return false
	}
	_, fits := c.rest()
	return fits
}

// rest reads what follows a link's destination: spaces, an optional title,
// spaces and `)`. ok is whether that makes a link; fits false when the
// budget ran out first.
func (c *cursor) rest() (ok, fits bool) {
	if !c.skipSpaces() {
		return false, false
	}
	b, more := c.peek()
	if !more {
		return false, true
	}
	if b == ')' {
		return true, true
	}
	closer := b
	switch b {
	case '"', '\'':
	case '(':
		closer = ')'
	default:
		return false, true
	}
	opener := b
	if !c.next() {
		return false, false
	}
	for {
		b, more := c.peek()
		if !more {
			return false, true
		}
		stop := c.lines.At(c.line).Stop
		switch {
		case b == '\\' && c.off+1 < stop && util.IsPunct(c.src[c.off+1]):
			if !c.next() {
				return false, false
			}
		case b == closer:
			if !c.next() || !c.skipSpaces() {
				return false, false
			}
			b, _ := c.peek()
			return b == ')', true
		case b == opener:
			return false, true
		}
		if !c.next() {
			return false, false
		}
	}
}

// cursor walks the bytes of a block's lines from an offset, with a
// budget of bytes.
type cursor struct {
	src    []byte
	lines  *text.Segments
	line   int // index into lines; lines.Len() at the end
	off    int
	budget int
}

func newCursor(src []byte, lines *text.Segments, off, budget int) *cursor {
	n := lines.Len()
	line := sort.Search(n, func(i int) bool { return lines.At(i).Stop > off })
	if line >= n || lines.At(line).Start > off {
		return nil
	}
	return &cursor{src: src, lines: lines, line: line, off: off, budget: budget}
}

// peek is the byte at the cursor; more is false at the end of the block.
func (c *cursor) peek() (b byte, more bool) {
	if c.line >= c.lines.Len() {
		return 0, false
	}
	return c.src[c.off], true
}

// next moves one byte on; false when that overspends the budget.
func (c *cursor) next() bool {
	if c.line >= c.lines.Len() {
		return true
	}
	c.budget--
	if c.budget < 0 {
		return false
	}
	c.off++
	for c.line < c.lines.Len() && c.off >= c.lines.At(c.line).Stop {
		c.line++
		if c.line < c.lines.Len() {
			c.off = c.lines.At(c.line).Start
		}
	}
	return true
}

// advanceTo moves to offset off on the cursor's line.
func (c *cursor) advanceTo(off int) bool {
	for c.off < off && c.line < c.lines.Len() {
		if !c.next() {
			return false
		}
	}
	return true
}

// skipSpaces moves past white space, across lines, as goldmark's
// SkipSpaces does.
func (c *cursor) skipSpaces() bool {
	for {
		b, more := c.peek()
		if !more || !util.IsSpace(b) {
			return true
		}
		if !c.next() {
			return false
		}
	}
}

// valueReader is a block reader over lines whose Value finds the first
// line of a segment by binary search, and that ends at offset cut when
// cut is not -1; otherwise it is the reader it wraps.
type valueReader struct {
	text.Reader
	lines *text.Segments
	cut   int
}

func (r valueReader) atCut() bool {
	if r.cut < 0 {
		return false
	}
	_, pos := r.Reader.Position()
	return pos.Start >= r.cut
}

func (r valueReader) PeekLine() ([]byte, text.Segment) {
	if r.atCut() {
		_, pos := r.Reader.Position()
		return nil, pos
	}
	return r.Reader.PeekLine()
}

func (r valueReader) Peek() byte {
	if r.atCut() {
		return text.EOF
	}
	return r.Reader.Peek()
}

func (r valueReader) SkipSpaces() (text.Segment, int, bool) {
	if r.atCut() {
		_, pos := r.Reader.Position()
		return pos, 0, false
	}
	return r.Reader.SkipSpaces()
}

// Value is goldmark's blockReader.Value (text/reader.go), with the line
// the segment starts on found in O(log lines).
func (r valueReader) Value(seg text.Segment) []byte {
	n := r.lines.Len()
	line := sort.Search(n, func(i int) bool { return r.lines.At(i).Start > seg.Start }) - 1
	if line < 0 {
		return r.Reader.Value(seg)
	}
	src := r.Source()
	ret := make([]byte, 0, seg.Stop-seg.Start+1)
	i := seg.Start
	for ; line < n; line++ {
		s := r.lines.At(line)
		if i < 0 {
			i = s.Start
		}
		ret = s.ConcatPadding(ret)
		for ; i < seg.Stop && i < s.Stop; i++ {
			ret = append(ret, src[i])
		}
		i = -1
		if s.Stop > seg.Stop {
			break
		}
	}
	return ret
}

// codeSpanLimit is goldmark's code span parser told when a backtick run
// has no closing run of its length in the rest of the block: goldmark
// then scans to the end of the block to find that out, for every such
// run (` “ ``` ...: n² for n runs). The last start of a run of each
// length is found in one pass over the block, the first time it is
// needed.
type codeSpanLimit struct{ parser.InlineParser }

type backtickRuns struct {
	block ast.Node
	last  map[int]int // run length -> source offset of the last run of that length
}

func (p codeSpanLimit) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	k := 0
	for k < len(line) && line[k] == '`' {
		k++
	}
	runs, _ := pc.Get(codeSpanRuns).(*backtickRuns)
	if runs == nil || runs.block != parent {
		runs = &backtickRuns{block: parent, last: lastBacktickRuns(block.Source(), parent.Lines())}
		pc.Set(codeSpanRuns, runs)
	}
	if last, ok := runs.last[k]; k > 0 && (!ok || last < seg.Start+k) {
		// As goldmark does for an opener that is never closed: the run
		// is text.
		block.Advance(k)
		return ast.NewTextSegment(seg.WithStop(seg.Start + k))
	}
	return p.InlineParser.Parse(parent, block, pc)
}

// lastBacktickRuns maps the length of every maximal run of backticks in
// lines to where its last occurrence starts.
func lastBacktickRuns(src []byte, lines *text.Segments) map[int]int {
	last := map[int]int{}
	for i := 0; i < lines.Len(); i++ {
		s := lines.At(i)
		for j := s.Start; j < s.Stop; {
			if src[j] != '`' {
				j++
				continue
			}
			start := j
			for j < s.Stop && src[j] == '`' {
				j++
			}
			last[j-start] = start
		}
	}
	return last
}

// referenceLimit is goldmark's link reference definition transformer
// given at most max lines of a paragraph.
type referenceLimit struct {
	parser.ParagraphTransformer
	max int
}

func (t referenceLimit) Transform(node *ast.Paragraph, reader text.Reader, pc parser.Context) {
	lines := node.Lines()
	if lines.Len() <= t.max {
		t.ParagraphTransformer.Transform(node, reader, pc)
		return
	}
	parent := node.Parent()
	head := ast.NewParagraph()
	first := text.NewSegments()
	first.AppendAll(lines.Sliced(0, t.max))
	head.SetLines(first)
	head.SetBlankPreviousLines(node.HasBlankPreviousLines())
	parent.InsertBefore(parent, node, head)
	t.ParagraphTransformer.Transform(head, reader, pc)
	rest := text.NewSegments()
	if head.Parent() != nil {
		// Lines of head that are no definitions: the paragraph goes on
		// with them.
		rest.AppendAll(head.Lines().Sliced(0, head.Lines().Len()))
		parent.RemoveChild(parent, head)
	}
	rest.AppendAll(lines.Sliced(t.max, lines.Len()))
	node.SetLines(rest)
}
