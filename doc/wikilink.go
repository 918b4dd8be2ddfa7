package doc

import (
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// KindWikiLink is the node kind of an `[[ID]]` reference.
var KindWikiLink = ast.NewNodeKind("WikiLink")

// WikiLink is an `[[ID]]` reference to another document.
type WikiLink struct {
	ast.BaseInline
	Target string
	// Offset is the byte offset of the `[[` in the source given to goldmark.
	Offset int
}

// Kind implements ast.Node.
func (n *WikiLink) Kind() ast.NodeKind { return KindWikiLink }

// Dump implements ast.Node.
func (n *WikiLink) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Target": n.Target}, nil)
}

type wikiParser struct{}

func (wikiParser) Trigger() []byte { return []byte{'['} }

func (wikiParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if len(line) < 5 || line[1] != '[' {
		return nil
	}
	end := -1
	for i := 2; i+1 < len(line); i++ {
		if line[i] == ']' && line[i+1] == ']' {
			end = i
			break
		}
		if line[i] == '[' || line[i] == '\n' {
			return nil
		}
	}
	if end < 0 {
		return nil
	}
	target := string(line[2:end])
	if !IDPattern.MatchString(target) {
		return nil
	}
	block.Advance(end + 2)
	return &WikiLink{Target: target, Offset: seg.Start}
}

// WikiLinks is the goldmark extension that parses `[[ID]]`. A renderer for
// the node is registered by package render.
var WikiLinks goldmark.Extender = wikiExt{}

type wikiExt struct{}

func (wikiExt) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithInlineParsers(util.Prioritized(wikiParser{}, 99)))
}
