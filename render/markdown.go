package render

import (
	"bytes"
	"errors"
	"html/template"
	"net/url"
	"path"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/tailor"
)

// markdown is rmm's goldmark set-up (doc.NewMarkdown: GFM, heading
// attributes and ids, [[ID]]) with the site's renderer for [[ID]] links.
// Markdown stays inside its page:
//   - raw HTML is never passed through: html.WithUnsafe stays off, so
//     goldmark replaces raw HTML with a comment and drops dangerous URLs;
//     rewriteLinks below drops every URL scheme but http, https and mailto
//     as well, and makes remote images links;
//   - attributes written in the source (`## T {style=... onclick=...}`)
//     are dropped but a heading's id and rmm's own classes (see
//     keepAttributes): goldmark's filter lets style, tabindex,
//     contenteditable and more through;
//   - table alignment is the align attribute, not a style.
var markdown = doc.NewMarkdown(siteExt{})

type siteExt struct{}

func (siteExt) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(keepAttributes{}, 1000)))
	m.Renderer().AddOptions(
		renderer.WithNodeRenderers(util.Prioritized(wikiHTML{}, 100), util.Prioritized(a11yHTML{}, 100)),
		extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute),
	)
}

// sectionClasses are the classes rmm gives a meaning to on a heading:
// `.required` on a standard's section, the tailoring operations on a
// defined process's. The site's style sheet marks them.
var sectionClasses = append([]string{"required"}, tailor.OpKinds...)

// keepAttributes removes every attribute the source gave any node but a
// heading's id and its classes among sectionClasses. It runs after
// goldmark's own transformers; rmm sets the attributes it renders (a
// [[ID]]'s href and title) after parsing.
type keepAttributes struct{}

func (keepAttributes) Transform(root *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || n.Attributes() == nil {
			return ast.WalkContinue, nil
		}
		var id, class []byte
		if _, ok := n.(*ast.Heading); ok {
			id = attrBytes(n, "id")
			if c := attrBytes(n, "class"); c != nil {
				for _, w := range strings.Fields(string(c)) {
					if doc.Contains(sectionClasses, w) {
						class = append(append(class, ' '), w...)
					}
				}
			}
		}
		n.RemoveAttributes()
		if id != nil {
			n.SetAttributeString("id", id)
		}
		if class != nil {
			n.SetAttributeString("class", class[1:])
		}
		return ast.WalkContinue, nil
	})
}

// attrBytes is a text attribute's value, nil when absent or not text.
func attrBytes(n ast.Node, name string) []byte {
	v, ok := n.AttributeString(name)
	if !ok {
		return nil
	}
	switch x := v.(type) {
	case []byte:
		return x
	case string:
		return []byte(x)
	}
	return nil
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
		_, _ = w.Write(appendWikiLink(nil, wl.Target, h, t))
		return ast.WalkSkipChildren, nil
	}
	_, _ = w.Write(appendWikiText(nil, wl.Target))
	return ast.WalkSkipChildren, nil
}

// appendWikiLink appends a [[target]] that links to href, the page of a
// document titled title.
func appendWikiLink(out []byte, target, href, title string) []byte {
	out = append(out, `<a class="xref" href="`...)
	out = append(out, template.HTMLEscapeString(href)...)
	out = append(out, `" title="`...)
	out = append(out, template.HTMLEscapeString(target)...)
	out = append(out, `">`...)
	out = append(out, template.HTMLEscapeString(title)...)
	return append(out, `</a>`...)
}

// appendWikiText appends a [[target]] that links nowhere: its id as text.
func appendWikiText(out []byte, target string) []byte {
	out = append(out, `<span class="xref-none">`...)
	out = append(out, template.HTMLEscapeString(target)...)
	return append(out, `</span>`...)
}

// a11yHTML renders headings with a permalink after their text (a "#"
// link to the heading's id, named for screen readers), and task-list
// checkboxes labelled with their item's text.
type a11yHTML struct{}

func (a11yHTML) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindHeading, renderHeading)
	reg.Register(extast.KindTaskCheckBox, renderTaskCheckBox)
	reg.Register(extast.KindTable, renderTable)
}

// renderTable puts a table in a box of its own that scrolls sideways, so
// a wide table never widens the page; the box is focusable (a keyboard
// scrolls it) and named by the table's header.
func renderTable(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		_, _ = w.WriteString("</table>\n</div>\n")
		return ast.WalkContinue, nil
	}
	name := "Table"
	if h, ok := n.FirstChild().(*extast.TableHeader); ok {
		var cols []string
		for c := h.FirstChild(); c != nil; c = c.NextSibling() {
			if t := strings.TrimSpace(doc.PlainText(c, src)); t != "" {
				cols = append(cols, t)
			}
		}
		if len(cols) > 0 {
			name = "Table: " + strings.Join(cols, ", ")
		}
	}
	_, _ = w.WriteString(`<div class="table-scroll" role="region" tabindex="0" aria-label="`)
	_, _ = w.WriteString(template.HTMLEscapeString(label(name)))
	_, _ = w.WriteString("\">\n<table")
	if n.Attributes() != nil {
		html.RenderAttributes(w, n, extension.TableAttributeFilter)
	}
	_, _ = w.WriteString(">\n")
	return ast.WalkContinue, nil
}

// maxLabel bounds the text of an aria-label made from a document's text.
const maxLabel = 200

func label(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxLabel {
		cut := maxLabel
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func renderHeading(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	return ast.WalkContinue, writeHeading(w, src, node.(*ast.Heading), entering, nil)
}

// writeHeading writes a heading's start tag (entering) or its permalink
// and end tag; mark, when set, is called where its id starts in both
// (prepHeading records the id prefix's slot there).
func writeHeading(w util.BufWriter, src []byte, n *ast.Heading, entering bool, mark func()) error {
	if entering {
		_, _ = w.WriteString("<h")
		_ = w.WriteByte("0123456"[n.Level])
		if n.Attributes() != nil {
			if mark == nil {
				html.RenderAttributes(w, n, html.HeadingAttributeFilter)
			} else {
				var t bytes.Buffer
				html.RenderAttributes(&slotWriter{Buffer: &t}, n, html.HeadingAttributeFilter)
				a := t.Bytes()
				k := bytes.Index(a, []byte(` id="`))
				if k < 0 {
					return errors.New("render: a heading's id was not rendered")
				}
				_, _ = w.Write(a[:k+5])
				mark()
				_, _ = w.Write(a[k+5:])
			}
		}
		_ = w.WriteByte('>')
		return nil
	}
	if id := attrBytes(n, "id"); len(id) > 0 {
		_, _ = w.WriteString(` <a class="anchor" href="#`)
		if mark != nil {
			mark()
		}
		_, _ = w.WriteString(template.HTMLEscapeString(string(id)))
		_, _ = w.WriteString(`" aria-label="Permalink: `)
		_, _ = w.WriteString(template.HTMLEscapeString(label(doc.PlainText(n, src))))
		_, _ = w.WriteString(`">#</a>`)
	}
	_, _ = w.WriteString("</h")
	_ = w.WriteByte("0123456"[n.Level])
	_, _ = w.WriteString(">\n")
	return nil
}

func renderTaskCheckBox(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*extast.TaskCheckBox)
	_, _ = w.WriteString(`<input`)
	if n.IsChecked {
		_, _ = w.WriteString(` checked=""`)
	}
	_, _ = w.WriteString(` disabled="" type="checkbox"`)
	text := ""
	if p := n.Parent(); p != nil {
		text = label(doc.PlainText(p, src))
	}
	if text == "" {
		text = "task"
	}
	_, _ = w.WriteString(` aria-label="`)
	_, _ = w.WriteString(template.HTMLEscapeString(text))
	_, _ = w.WriteString(`"> `)
	return ast.WalkContinue, nil
}

// linker resolves what a document's body points at, for one page.
type linker struct {
	s      *site
	d      *doc.Document
	root   string   // relative path from the page to the site's root
	assets []string // repository files the body links to
	// idPrefix is put before every heading id of the body: a page that
	// shows two bodies (a defined process: the effective process and its
	// operations) keeps its ids unique.
	idPrefix string
	// liftH1 renders a body's opening level-1 heading apart (body.H1).
	liftH1 bool
}

// body is a document's rendered body and what the render found in it.
type body struct {
	HTML     template.HTML
	Sections []searchSection // plain text by heading, for search
	StartsH1 bool            // the body opens with a level-1 heading
	// H1 is that heading, rendered apart from HTML when the linker lifts
	// it (a document's page shows it above the metadata, as its title).
	H1        template.HTML
	FirstTabl *extast.Table
	Headings  []tocItem // its sections of levels 2 and 3, for the contents box
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// renderMarkdown renders src, a body written in the document d, for a page
// at depth root: it parses src, prepares the body (prepared.go) and fills
// it in for this page; a body prepareBody leaves (one with an image) is
// rendered from the tree (renderTree).
func (l *linker) renderMarkdown(src []byte) (body, error) {
	root := markdown.Parser().Parse(text.NewReader(src), parser.WithContext(doc.NewParseContext()))
	if pb := prepareBody(root, src); pb != nil {
		return l.finish(pb), nil
	}
	return l.renderTree(root, src)
}

// renderTree renders a parsed body for the linker's page: its links
// rewritten in the tree, then the tree rendered.
func (l *linker) renderTree(root ast.Node, src []byte) (body, error) {
	var b body
	if h, ok := root.FirstChild().(*ast.Heading); ok && h.Level == 1 {
		b.StartsH1 = true
	}
	l.rewriteLinks(root, src)
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		h, ok := n.(*ast.Heading)
		if !ok {
			continue
		}
		id := attrBytes(h, "id")
		if len(id) == 0 {
			continue
		}
		if l.idPrefix != "" {
			id = append([]byte(l.idPrefix), id...)
			h.SetAttributeString("id", id)
		}
		if h.Level == 2 || h.Level == 3 {
			b.Headings = append(b.Headings, tocItem{ID: string(id), Title: doc.PlainText(h, src), Level: h.Level})
		}
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	b.Sections = searchSections(root, src) // before the lifted h1 leaves the tree
	if l.liftH1 && b.StartsH1 {
		h := root.FirstChild()
		if err := markdown.Renderer().Render(buf, src, h); err != nil {
			return b, err
		}
		b.H1 = template.HTML(buf.String())
		buf.Reset()
		root.RemoveChild(root, h)
	}
	if err := markdown.Renderer().Render(buf, src, root); err != nil {
		return b, err
	}
	b.HTML = template.HTML(buf.String())
	return b, nil
}

// rewriteLinks points [[ID]] and relative .md links at the pages of their
// targets, other relative links at copies of the files they name, and
// unlinks what cannot be followed: a target that is missing or not
// published for this audience, a URL scheme other than http, https and
// mailto, a path from the site's root.
func (l *linker) rewriteLinks(root ast.Node, src []byte) {
	var unlink, toLink []ast.Node
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
			dest, ok := l.dest(string(x.Destination))
			switch {
			case !ok:
				unlink = append(unlink, x)
			case remote(dest) && !(l.s.cfg != nil && l.s.cfg.RemoteImages):
				// A remote image would be fetched by every reader's
				// browser (from file:// too), telling its server who
				// reads what: a link to it is fetched only when followed.
				toLink = append(toLink, x)
			case remote(dest) || l.isAsset(dest):
				x.Destination = []byte(dest)
			default:
				// mailto:, a page: nothing an image can show.
				toLink = append(toLink, x)
				x.Destination = []byte(dest)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range toLink {
		// The link's text is the image's alt text (as plain text: an
		// image description may hold a link, a link may not).
		img := n.(*ast.Image)
		a := ast.NewLink()
		a.Destination, a.Title = img.Destination, img.Title
		alt := doc.PlainText(img, src)
		if alt == "" {
			alt = string(img.Destination)
		}
		a.AppendChild(a, ast.NewString([]byte(alt)))
		img.Parent().ReplaceChild(img.Parent(), img, a)
	}
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

// remote reports whether a rewritten destination is an http or https URL.
func remote(dest string) bool {
	u, err := url.Parse(dest)
	return err == nil && u.Host != "" && (strings.EqualFold(u.Scheme, "http") || strings.EqualFold(u.Scheme, "https"))
}

// isAsset reports whether a rewritten destination is a copied repository
// file (see dest).
func (l *linker) isAsset(dest string) bool {
	return strings.HasPrefix(dest, l.root+"files/")
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
