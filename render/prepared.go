package render

import (
	"bytes"
	"errors"
	"html/template"
	"slices"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"

	"github.com/rmm-pal/rmm/doc"
)

// Parse once (issue 13): a document's body is parsed when the library is
// loaded, for the rules (doc.Load finds its sections, references and
// actions), and rendered from that same tree (doc.LoadOptions.OnBody), so
// a build parses each file once. What the HTML of a body depends on
// besides its bytes is left open in the rendered bytes, as slots: where a
// link points, and whether it is a link at all (its target may be missing
// or not published for the site's audience), and the prefix of its
// headings' ids. A page fills them in (linker.finish) without parsing.
//
// The slots are offsets recorded beside the bytes, not marks written into
// them, so nothing a document holds can be taken for one. Bodies with an
// image are rendered from a new parse, as before: an image becomes a
// link, or its alt text, or stays an image depending on where it points,
// and its search text with it (renderMarkdown's fallback).

// preparedBody is a body rendered with its page-dependent parts left open.
type preparedBody struct {
	html     []byte
	slots    []slot
	startsH1 bool
	h1End    int // where the opening level-1 heading's HTML ends, when startsH1
	sections []searchSection
	top      []int     // sections whose anchor takes the linker's idPrefix
	headings []tocItem // levels 2 and 3, ids without the prefix
	links    []preparedLink
	wikis    []string // the targets of the [[ID]] slots
}

// preparedLink is a link whose start tag waits for its destination.
type preparedLink struct {
	dest string // as written
	tail []byte // the rest of the start tag: ` title="..."` and '>'
}

type slotKind uint8

const (
	slotPrefix slotKind = iota // the linker's idPrefix
	slotWiki                   // a [[ID]]: a link to its page, or its id as text
	slotOpen                   // a link's start tag, or nothing when it cannot be followed
	slotClose                  // that link's end tag, or nothing
)

type slot struct {
	off  int // in html
	kind slotKind
	i    int // index in links or wikis
}

// slotWriter is the util.BufWriter the preparing renderer writes to
// (goldmark uses a writer that is one as it is), so that its node
// renderers can record slots at the current offset.
type slotWriter struct {
	*bytes.Buffer
	pb   *preparedBody
	open []int // the links entered and not yet left
}

func (w *slotWriter) Buffered() int { return 0 }
func (w *slotWriter) Flush() error  { return nil }

func (w *slotWriter) slot(k slotKind, i int) {
	w.pb.slots = append(w.pb.slots, slot{off: w.Len(), kind: k, i: i})
}

// prepMarkdown renders with the site's renderers but for links, [[ID]]
// and headings, which leave slots.
var prepMarkdown = doc.NewMarkdown(siteExt{}, prepExt{})

type prepExt struct{}

func (prepExt) Extend(m goldmark.Markdown) {
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(prepHTML{}, 50)))
}

type prepHTML struct{}

func (prepHTML) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindHeading, prepHeading)
	reg.Register(ast.KindLink, prepLink)
	reg.Register(doc.KindWikiLink, prepWiki)
}

var errNotPreparing = errors.New("render: a preparing renderer needs a slotWriter")

func prepWiki(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	sw, ok := w.(*slotWriter)
	if !ok {
		return ast.WalkStop, errNotPreparing
	}
	if entering {
		sw.slot(slotWiki, len(sw.pb.wikis))
		sw.pb.wikis = append(sw.pb.wikis, n.(*doc.WikiLink).Target)
	}
	return ast.WalkSkipChildren, nil
}

// prepLink writes nothing of a link's tags, only what follows its href
// (kept with the slot): linker.finish writes the tags as goldmark's own
// renderLink does, once it knows where the link points.
func prepLink(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	sw, ok := w.(*slotWriter)
	if !ok {
		return ast.WalkStop, errNotPreparing
	}
	n := node.(*ast.Link)
	if !entering {
		i := sw.open[len(sw.open)-1]
		sw.open = sw.open[:len(sw.open)-1]
		sw.slot(slotClose, i)
		return ast.WalkContinue, nil
	}
	t := &slotWriter{Buffer: new(bytes.Buffer)}
	if n.Title != nil {
		_, _ = t.WriteString(` title="`)
		html.DefaultWriter.Write(t, n.Title)
		_ = t.WriteByte('"')
	}
	if n.Attributes() != nil {
		html.RenderAttributes(t, n, html.LinkAttributeFilter)
	}
	_ = t.WriteByte('>')
	i := len(sw.pb.links)
	sw.pb.links = append(sw.pb.links, preparedLink{dest: string(n.Destination), tail: t.Bytes()})
	sw.open = append(sw.open, i)
	sw.slot(slotOpen, i)
	return ast.WalkContinue, nil
}

// prepHeading is renderHeading with a slot before the id of a heading at
// the top of the body, in its tag and its permalink.
func prepHeading(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	sw, ok := w.(*slotWriter)
	if !ok {
		return ast.WalkStop, errNotPreparing
	}
	n := node.(*ast.Heading)
	top := n.Parent() != nil && n.Parent().Kind() == ast.KindDocument
	var mark func()
	if top && len(attrBytes(n, "id")) > 0 {
		mark = func() { sw.slot(slotPrefix, 0) }
	}
	if err := writeHeading(w, src, n, entering, mark); err != nil {
		return ast.WalkStop, err
	}
	if !entering && top && n.Level == 1 && n.PreviousSibling() == nil {
		sw.pb.h1End = sw.Len()
	}
	return ast.WalkContinue, nil
}

// prepareBody renders root, the tree of src after the site's attribute
// filter (keepAttributes), leaving slots. It returns nil for a body with
// an image (see above), leaving root as it was, and when goldmark fails to
// render, having turned autolinks of unsafe schemes into text as
// renderTree would.
func prepareBody(root ast.Node, src []byte) *preparedBody {
	hasImage := false
	var unsafe []*ast.AutoLink
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch x := n.(type) {
		case *ast.Image:
			hasImage = true
			return ast.WalkStop, nil
		case *ast.AutoLink:
			if !safeScheme(string(x.URL(src))) {
				unsafe = append(unsafe, x)
			}
		}
		return ast.WalkContinue, nil
	})
	if hasImage {
		return nil
	}
	// As rewriteLinks: an autolink's scheme does not depend on the page.
	for _, a := range unsafe {
		if parent := a.Parent(); parent != nil {
			parent.ReplaceChild(parent, a, ast.NewString(a.Label(src)))
		}
	}
	pb := &preparedBody{}
	if h, ok := root.FirstChild().(*ast.Heading); ok && h.Level == 1 {
		pb.startsH1 = true
	}
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		h, ok := n.(*ast.Heading)
		if !ok || (h.Level != 2 && h.Level != 3) {
			continue
		}
		if id := attrBytes(h, "id"); len(id) > 0 {
			pb.headings = append(pb.headings, tocItem{ID: string(id), Title: doc.PlainText(h, src), Level: h.Level})
		}
	}
	pb.sections, pb.top = searchSectionsTop(root, src)
	buf := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(buf)
	buf.Reset()
	sw := &slotWriter{Buffer: buf, pb: pb}
	if err := prepMarkdown.Renderer().Render(sw, src, root); err != nil {
		return nil
	}
	// A copy of its size: the bodies of a whole library are held from
	// its read to their pages.
	pb.html = bytes.Clone(buf.Bytes())
	pb.slots = slices.Clip(pb.slots)
	return pb
}

// finish fills in a prepared body's slots for the linker's page: the body
// renderMarkdown gives for the same bytes.
func (l *linker) finish(pb *preparedBody) body {
	b := body{StartsH1: pb.startsH1, Sections: pb.sections, Headings: pb.headings}
	if l.idPrefix != "" && len(pb.headings) > 0 {
		b.Headings = make([]tocItem, len(pb.headings))
		for i, h := range pb.headings {
			h.ID = l.idPrefix + h.ID
			b.Headings[i] = h
		}
	}
	if l.idPrefix != "" && len(pb.top) > 0 {
		b.Sections = append([]searchSection(nil), pb.sections...)
		for _, i := range pb.top {
			b.Sections[i].Anchor = l.idPrefix + b.Sections[i].Anchor
		}
	}
	cut := -1
	if l.liftH1 && pb.startsH1 {
		cut = pb.h1End
	}
	prefix := template.HTMLEscapeString(l.idPrefix)
	out := make([]byte, 0, len(pb.html)+len(pb.html)/8+64)
	var resolved []bool
	if len(pb.links) > 0 {
		resolved = make([]bool, len(pb.links))
	}
	pos, h1Out := 0, -1
	for _, sl := range pb.slots {
		if cut >= 0 && h1Out < 0 && sl.off >= cut {
			out = append(out, pb.html[pos:cut]...)
			pos, h1Out = cut, len(out)
		}
		out = append(out, pb.html[pos:sl.off]...)
		pos = sl.off
		switch sl.kind {
		case slotPrefix:
			out = append(out, prefix...)
		case slotWiki:
			target := pb.wikis[sl.i]
			if p := l.s.byID[target]; p != nil {
				out = appendWikiLink(out, target, l.root+p.url, p.d.Title)
			} else {
				out = appendWikiText(out, target)
			}
		case slotOpen:
			lk := pb.links[sl.i]
			if dest, ok := l.dest(lk.dest); ok {
				resolved[sl.i] = true
				out = append(out, `<a href="`...)
				if d := util.URLEscape([]byte(dest), true); !html.IsDangerousURL(d) {
					out = append(out, util.EscapeHTML(d)...)
				}
				out = append(out, '"')
				out = append(out, lk.tail...)
			}
		case slotClose:
			if resolved[sl.i] {
				out = append(out, "</a>"...)
			}
		}
	}
	if cut >= 0 && h1Out < 0 {
		out = append(out, pb.html[pos:cut]...)
		pos, h1Out = cut, len(out)
	}
	out = append(out, pb.html[pos:]...)
	if cut >= 0 {
		b.H1 = template.HTML(out[:h1Out])
		out = out[h1Out:]
	}
	b.HTML = template.HTML(out)
	return b
}

// preparedBodies holds what a load prepared (doc.LoadOptions.OnBody) until
// the build showing those documents takes it; a document never shown
// (left out for the audience, or its page reused) is dropped when the
// build ends.
type preparedBodies struct {
	mu sync.Mutex
	m  map[*doc.Document]*preparedBody
}

// onBody is the library load's doc.LoadOptions.OnBody.
func (b *preparedBodies) onBody(d *doc.Document, root ast.Node) {
	r, ok := root.(*ast.Document)
	if !ok {
		return
	}
	keepAttributes{}.Transform(r, nil, nil)
	pb := prepareBody(r, d.Body)
	if pb == nil {
		return
	}
	b.mu.Lock()
	if b.m == nil {
		b.m = map[*doc.Document]*preparedBody{}
	}
	b.m[d] = pb
	b.mu.Unlock()
}

// take returns and forgets d's prepared body; nil when there is none.
func (b *preparedBodies) take(d *doc.Document) *preparedBody {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	pb := b.m[d]
	delete(b.m, d)
	return pb
}

// reset forgets every prepared body.
func (b *preparedBodies) reset() {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.m = nil
	b.mu.Unlock()
}
