package doc

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// unbounded are limits no test input reaches: a parser built with them
// must parse exactly as goldmark's own.
var unbounded = limits{1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30}

func setUp(p goldmark.Option) goldmark.Markdown {
	opts := []goldmark.Option{
		goldmark.WithExtensions(extension.GFM, WikiLinks, wikiText{}),
		goldmark.WithParserOptions(parser.WithAttribute(), parser.WithAutoHeadingID()),
	}
	if p != nil {
		opts = append([]goldmark.Option{p}, opts...)
	}
	return goldmark.New(opts...)
}

// wikiText renders [[ID]] as its id, for tests.
type wikiText struct{}

func (wikiText) Extend(m goldmark.Markdown) {
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(wikiText{}, 100)))
}

func (wikiText) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindWikiLink, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			_, _ = w.WriteString("{{" + n.(*WikiLink).Target + "}}")
		}
		return ast.WalkSkipChildren, nil
	})
}

var (
	goldmarkOwn = setUp(nil)
	wrapped     = setUp(goldmark.WithParser(boundedParser(unbounded)))
)

func renderWith(t testing.TB, md goldmark.Markdown, src []byte) string {
	var b bytes.Buffer
	root := md.Parser().Parse(text.NewReader(src), parser.WithContext(NewParseContext()))
	if err := md.Renderer().Render(&b, src, root); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// boundsSeeds are inputs that exercise every wrapped parser: links of
// every form, references, brackets, backticks, emphasis, nesting.
var boundsSeeds = []string{
	"[a](b) [a](<b>) [a](b \"t\") [a](<b> 't') [a](b (t)) [a]( b ) [a]() [a](<>)",
	"[a](b\\)c) [a](b(c)d) [a](b((c)) [a](<b\\>c>) [a](<b>c>) [a](b \"t\\\"u\")",
	"[a](<b\n[c](<d>)\n[e](<f",
	"[a](<x [b](<y> [c](<z>)",
	"[a](b \"multi\nline\ntitle\")\n[a](b 'x\n\n",
	"[ref]\n\n[ref]: /u \"t\"\n[ref2]:\n  /v\n  'w'\n[x] [ref][] [ref][ref2] [*ref*]",
	"[a][b [c]] [[a]] [[AB-1]] ![i](j) ![i][ref]\n\n[ref]: x",
	"`a` ``b`` ` ``c`` ` e` e`` e``` `a\nb` \\`x` ``` `",
	"*a* **b** _c_ __d__ *a **b* c** ~~s~~ ~t~ a_b_c *a_ _a* ***x***",
	"> a\n> > b\n> > > - c\n>   - d\n\n1. x\n   1. y\n      - z",
	"- [ ] task (@a@b.c, due 2026-01-01)\n- [x] done\n\n| a | b |\n|:-|-:|\n| [c](d) | *e* |",
	"## Heading {#id .c}\n\nText [link](a.md#x) <http://x.y> www.example.com",
	"[a](b\t\"t\"  ) [a](b\n) [a](\nb\n) [a](b\n\"t\"\n)",
	"\\[a](b) [a\\](b) [a](\\<b>) [a](b\\ c)",
	"    [a](b)\n\n```\n[a](b\n```\n<div>[a](b)</div>",
}

func TestBoundedParserAgreesWithGoldmark(t *testing.T) {
	for _, s := range boundsSeeds {
		for _, src := range []string{s, s + "\n", "> " + strings.ReplaceAll(s, "\n", "\n> "), "- " + strings.ReplaceAll(s, "\n", "\n  ")} {
			want := renderWith(t, goldmarkOwn, []byte(src))
			if got := renderWith(t, wrapped, []byte(src)); got != want {
				t.Errorf("%q:\ngoldmark %q\nwrapped  %q", src, want, got)
			}
		}
	}
}

// FuzzBoundsAgree: with limits out of reach, the wrapped parsers parse
// any input exactly as goldmark's own.
func FuzzBoundsAgree(f *testing.F) {
	for _, s := range boundsSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		want := renderWith(t, goldmarkOwn, []byte(s))
		if got := renderWith(t, wrapped, []byte(s)); got != want {
			t.Errorf("%q:\ngoldmark %q\nwrapped  %q", s, want, got)
		}
	})
}

func count(root ast.Node, kind ast.NodeKind) int {
	n := 0
	_ = ast.Walk(root, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && c.Kind() == kind {
			n++
		}
		return ast.WalkContinue, nil
	})
	return n
}

// TestLimits: what lies beyond each limit is text, and what lies within
// parses as ever.
func TestLimits(t *testing.T) {
	parse := func(s string) ast.Node { return ParseMarkdown([]byte(s)) }
	cases := []struct {
		name       string
		src        string
		kind       ast.NodeKind
		want       int
		literalHas string // text the paragraph keeps, as written
	}{
		{"quotes at the limit", strings.Repeat("> ", MaxNesting) + "x", ast.KindBlockquote, MaxNesting, ""},
		{"quotes beyond", strings.Repeat("> ", MaxNesting+8) + "x", ast.KindBlockquote, MaxNesting, strings.Repeat("> ", 7) + ">"},
		{"lists beyond", strings.Repeat("- ", MaxNesting+8) + "x", ast.KindListItem, MaxNesting, "- - -"},
		{"list lines beyond", func() string {
			var b strings.Builder
			for i := 0; i < MaxNesting+8; i++ {
				b.WriteString(strings.Repeat("  ", i) + "- x\n")
			}
			return b.String()
		}(), ast.KindListItem, MaxNesting, "- x"},
		{"emphasis at the limit", strings.Repeat("*a* ", MaxDelimiters/2), ast.KindEmphasis, MaxDelimiters / 2, ""},
		{"emphasis beyond", strings.Repeat("*a* ", MaxDelimiters), ast.KindEmphasis, MaxDelimiters / 2, "*a* *a*"},
		{"emphasis per block", strings.Repeat(strings.Repeat("*a* ", MaxDelimiters/2)+"\n\n", 3), ast.KindEmphasis, 3 * MaxDelimiters / 2, ""},
		{"open brackets beyond", strings.Repeat("[", MaxOpenBrackets+8) + "a](b)", ast.KindLink, 1, "[[[[[[[["},
		{"link at the length limit", "[a](" + strings.Repeat("x", MaxLinkLength-1) + ")", ast.KindLink, 1, ""},
		{"link beyond the length limit", "[a](" + strings.Repeat("x", MaxLinkLength+1) + ")", ast.KindLink, 0, "[a](xxx"},
		{"title beyond the length limit", "[a](x \"" + strings.Repeat("t", MaxLinkLength) + "\")", ast.KindLink, 0, "[a](x \"ttt"},
		{"angle link beyond the length limit", "[a](<" + strings.Repeat("x", MaxLinkLength) + ">)", ast.KindLink, 0, "[a]("},
		{"parens at the limit", "[a](" + strings.Repeat("(", MaxLinkParens) + "b" + strings.Repeat(")", MaxLinkParens) + ")", ast.KindLink, 1, ""},
		{"parens beyond", "[a](" + strings.Repeat("(", MaxLinkParens+1) + "b" + strings.Repeat(")", MaxLinkParens+1) + ")", ast.KindLink, 0, "[a]((("},
	}
	for _, c := range cases {
		root := parse(c.src)
		if got := count(root, c.kind); got != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, got, c.kind, c.want)
		}
		if c.literalHas != "" && !strings.Contains(PlainText(root, []byte(c.src)), c.literalHas) {
			t.Errorf("%s: the text %q is not kept: %q", c.name, c.literalHas, PlainText(root, []byte(c.src)))
		}
	}

	// Link reference definitions: those in the first MaxReferenceLines
	// lines of a paragraph count, later lines are text.
	var b strings.Builder
	for i := 0; i < MaxReferenceLines+10; i++ {
		b.WriteString("[r" + itoa(i) + "]: /u" + itoa(i) + "\n")
	}
	b.WriteString("\n[r0] [r" + itoa(MaxReferenceLines-1) + "] [r" + itoa(MaxReferenceLines) + "]\n")
	root := parse(b.String())
	if n := count(root, ast.KindLink); n != 2 {
		t.Errorf("%d links from references, want 2", n)
	}
	if !strings.Contains(PlainText(root, []byte(b.String())), "[r"+itoa(MaxReferenceLines)+"]: /u") {
		t.Error("the definitions past the limit are not kept as text")
	}
}

// TestLongTableKept: a measure's table of more rows than
// MaxReferenceLines is one table still, every row a point.
func TestLongTableKept(t *testing.T) {
	var b strings.Builder
	b.WriteString("---\nid: M\nkind: measure\ntitle: M\n---\n\n| date | value |\n|---|---|\n")
	for i := 0; i < 1000; i++ {
		b.WriteString("| 2026-01-01 | " + itoa(i) + " |\n")
	}
	d := parseOK(t, "m.md", b.String())
	points, diags := MeasureData(d, "", nil)
	if len(points) != 1000 || len(diags) != 0 {
		t.Errorf("%d points, diags %v", len(points), diags)
	}
}
