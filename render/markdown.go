package render

import (
	"bytes"
	"html/template"
	"net/url"
	"path"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/rmm-pal/rmm/doc"
)

// markdown is rmm's goldmark set-up (doc.NewMarkdown: GFM, heading
// attributes and ids, [[ID]]) with the site's renderer for [[ID]] links.
// Raw HTML is never passed through: html.WithUnsafe stays off, so goldmark
// replaces raw HTML with a comment and drops dangerous URLs; rewriteLinks
// below drops every URL scheme but http, https and mailto as well.
var markdown = doc.NewMarkdown(wikiRenderExt{})

type wikiRenderExt struct{}

func (wikiRenderExt) Extend(m goldmark.Markdown) {
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(wikiHTML{}, 100)))
}

// wikiHTML renders a doc.WikiLink. rewriteLinks sets the attributes href
// and title on links whose target is published; any other target (missing,
// or left out for this audience) is its id as plain text, so a reader
// cannot tell a restricted document from a missing one.
type wikiHTML struct{}

func (wikiHTML) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(doc.KindWikiLink, renderWikiLink)
}

func renderWikiLink(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	wl := n.(*doc.WikiLink)
	href, _ := n.AttributeString("href")
	title, _ := n.AttributeString("title")
	if h, ok := href.(string); ok {
		t, _ := title.(string)
		_, _ = w.WriteString(`<a class="xref" href="`)
		_, _ = w.WriteString(template.HTMLEscapeString(h))
		_, _ = w.WriteString(`" title="`)
		_, _ = w.WriteString(template.HTMLEscapeString(wl.Target))
		_, _ = w.WriteString(`">`)
		_, _ = w.WriteString(template.HTMLEscapeString(t))
		_, _ = w.WriteString(`</a>`)
		return ast.WalkSkipChildren, nil
	}
	_, _ = w.WriteString(`<span class="xref-none">`)
	_, _ = w.WriteString(template.HTMLEscapeString(wl.Target))
	_, _ = w.WriteString(`</span>`)
	return ast.WalkSkipChildren, nil
}

// linker resolves what a document's body points at, for one page.
type linker struct {
	s      *site
	d      *doc.Document
	root   string   // relative path from the page to the site's root
	assets []string // repository files the body links to
}

// body is a document's rendered body and what the render found in it.
type body struct {
	HTML      template.HTML
	Text      string // plain text, for search
	StartsH1  bool   // the body opens with a level-1 heading
	FirstTabl *extast.Table
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// renderMarkdown renders src, a body written in the document d, for a page
// at depth root.
func (l *linker) renderMarkdown(src []byte) (body, error) {
	root := markdown.Parser().Parse(text.NewReader(src), parser.WithContext(doc.NewParseContext()))
	var b body
	if h, ok := root.FirstChild().(*ast.Heading); ok && h.Level == 1 {
		b.StartsH1 = true
	}
	l.rewriteLinks(root, src)
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := markdown.Renderer().Render(buf, src, root); err != nil {
		return b, err
	}
	b.HTML = template.HTML(buf.String())
	b.Text = plainText(root, src)
	return b, nil
}

// plainText is the text of a body, for the search index; white space is
// left as it is (snippet and distinctWords deal with it).
func plainText(root ast.Node, src []byte) string {
	var sb strings.Builder
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			if n.Type() == ast.TypeBlock {
				sb.WriteByte(' ')
			}
			return ast.WalkContinue, nil
		}
		switch t := n.(type) {
		case *ast.Text:
			sb.Write(t.Segment.Value(src))
			if t.SoftLineBreak() || t.HardLineBreak() {
				sb.WriteByte(' ')
			}
		case *ast.String:
			sb.Write(t.Value)
		case *ast.CodeSpan:
			sb.WriteString(doc.PlainText(t, src))
			return ast.WalkSkipChildren, nil
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			lines := n.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				sb.Write(seg.Value(src))
			}
		case *doc.WikiLink:
			sb.WriteString(t.Target)
		}
		return ast.WalkContinue, nil
	})
	return sb.String()
}

// rewriteLinks points [[ID]] and relative .md links at the pages of their
// targets, other relative links at copies of the files they name, and
// unlinks what cannot be followed: a target that is missing or not
// published for this audience, a URL scheme other than http, https and
// mailto, a path from the site's root.
func (l *linker) rewriteLinks(root ast.Node, src []byte) {
	var unlink []ast.Node
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch x := n.(type) {
		case *doc.WikiLink:
			if p := l.s.byID[x.Target]; p != nil {
				x.SetAttributeString("href", l.root+p.url)
				x.SetAttributeString("title", p.d.Title)
			}
		case *ast.Link:
			if dest, ok := l.dest(string(x.Destination)); ok {
				x.Destination = []byte(dest)
			} else {
				unlink = append(unlink, x)
			}
		case *ast.AutoLink:
			if !safeScheme(string(x.URL(src))) {
				unlink = append(unlink, x)
			}
		case *ast.Image:
			if dest, ok := l.dest(string(x.Destination)); ok {
				x.Destination = []byte(dest)
			} else {
				unlink = append(unlink, x)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range unlink {
		parent := n.Parent()
		if parent == nil {
			continue
		}
		if a, ok := n.(*ast.AutoLink); ok {
			t := ast.NewString(a.Label(src))
			parent.ReplaceChild(parent, n, t)
			continue
		}
		for c := n.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, n, c)
			c = next
		}
		parent.RemoveChild(parent, n)
	}
}

func safeScheme(u string) bool {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil {
		return false
	}
	switch strings.ToLower(p.Scheme) {
	case "http", "https", "mailto":
		return true
	}
	return false
}

// dest rewrites one link destination; ok is false when the link must go.
func (l *linker) dest(d string) (string, bool) {
	d = strings.TrimSpace(d)
	if d == "" {
		return "", false
	}
	if strings.HasPrefix(d, "#") {
		return d, true
	}
	u, err := url.Parse(d)
	if err != nil {
		return "", false
	}
	if u.Scheme != "" || u.Host != "" || strings.HasPrefix(d, "//") {
		return d, safeScheme(d) && u.Host != "" || strings.EqualFold(u.Scheme, "mailto")
	}
	if strings.HasPrefix(u.Path, "/") || u.Path == "" {
		return "", false
	}
	frag := ""
	if u.Fragment != "" {
		frag = "#" + url.PathEscape(u.Fragment)
	}
	dir := path.Dir(l.d.Path)
	if target, ok := doc.RelativeDocLink(dir, d); ok {
		t := l.s.lib.ByPath[target]
		if t == nil {
			return "", false
		}
		p := l.s.byID[t.ID]
		if p == nil || p.d != t {
			return "", false
		}
		return l.root + p.url + frag, true
	}
	// Files, and symlinks to documents, as the audience may see them
	// (audience.go).
	name, asset, ok := l.s.fileLink(path.Join(dir, u.Path))
	if !ok {
		return "", false
	}
	if asset {
		l.assets = append(l.assets, path.Join(dir, u.Path))
	}
	return l.root + name + frag, true
}
