package render

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/rmm-pal/rmm/doc"
)

// renderBody renders src as the body of a document at x.md, with rmm.yaml
// cfg, the way a page does.
func renderBody(t testing.TB, cfg *doc.Config, src string) string {
	t.Helper()
	l := benchLinker()
	if cfg != nil {
		l.s.cfg = cfg
	}
	l.s.lib.Files["pic.png"] = true
	b, err := l.renderMarkdown([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return string(b.HTML)
}

// allowedAttrs are the attributes rendered Markdown may carry, by element
// (goldmark's own and rmm's); any other is a leak from the source.
var allowedAttrs = map[string][]string{
	"a":     {"href", "title", "class", "aria-label"}, // aria-label: a heading's permalink
	"img":   {"src", "alt", "title"},
	"h1":    {"id", "class"},
	"h2":    {"id", "class"},
	"h3":    {"id", "class"},
	"h4":    {"id", "class"},
	"h5":    {"id", "class"},
	"h6":    {"id", "class"},
	"td":    {"align"},
	"th":    {"align"},
	"ol":    {"start"},
	"input": {"checked", "disabled", "type", "aria-label"}, // named by its item's text
	// a table's box, which scrolls sideways (focusable, so a keyboard can)
	"div":  {"class", "role", "tabindex", "aria-label"},
	"code": {"class"},
	"span": {"class"},
}

// checkInside fails on an element or attribute of rendered Markdown that
// could reach outside the page: a script, a style, an event handler, a
// focus grab, an attribute that no Markdown construct renders.
func checkInside(t testing.TB, src, out string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		switch tok.Data {
		case "script", "style", "iframe", "object", "embed", "link", "meta", "base", "form", "svg", "math":
			t.Errorf("%q renders <%s>: %s", src, tok.Data, out)
		}
		for _, a := range tok.Attr {
			v := strings.ToLower(strings.TrimSpace(a.Val))
			if a.Key == "style" || strings.HasPrefix(a.Key, "on") ||
				(a.Key == "href" || a.Key == "src") && (strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") || strings.HasPrefix(v, "data:")) {
				t.Errorf("%q renders <%s %s=%q>: %s", src, tok.Data, a.Key, a.Val, out)
			}
			ok := false
			for _, name := range allowedAttrs[tok.Data] {
				ok = ok || a.Key == name
			}
			switch {
			case !ok:
				t.Errorf("%q renders <%s %s=%q>: %s", src, tok.Data, a.Key, a.Val, out)
			case a.Key == "class" && tok.Data == "code" && !strings.HasPrefix(a.Val, "language-"):
				t.Errorf("%q renders <code class=%q>", src, a.Val)
			case a.Key == "class" && tok.Data[0] == 'h':
				for _, c := range strings.Fields(a.Val) {
					if !doc.Contains(sectionClasses, c) {
						t.Errorf("%q renders a heading of class %q", src, c)
					}
				}
			}
		}
	}
}

// TestHeadingAttributesStayInside is issue 9's reproduction: heading
// attributes passed goldmark's filter, so `{style="position:fixed..."}`
// covered the page, a background-image URL made the browser fetch from a
// server, and contenteditable, tabindex and autofocus passed. Only the id
// and rmm's own classes are rendered now.
func TestHeadingAttributesStayInside(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{`## T {style="position:fixed;top:0;left:0;width:100%;height:100%;z-index:99999"}`, `<h2 id="t">T <a class="anchor" href="#t" aria-label="Permalink: T">#</a></h2>`},
		{`## T {#here style="background-image:url('http://127.0.0.1:8765/x.png')"}`, `<h2 id="here">T <a class="anchor" href="#here" aria-label="Permalink: T">#</a></h2>`},
		{`## T {onclick="alert(1)" onmouseover="alert(2)" tabindex=1 autofocus=true contenteditable=true accesskey=x hidden=1 inert=1 draggable=true}`, `<h2 id="t">T <a class="anchor" href="#t" aria-label="Permalink: T">#</a></h2>`},
		// not attributes (a name without a value): text, escaped
		{`## T {autofocus hidden}`, `<h2 id="t-autofocus-hidden">T {autofocus hidden} <a class="anchor" href="#t-autofocus-hidden" aria-label="Permalink: T {autofocus hidden}">#</a></h2>`},
		{`## Contain {#contain .required .evil class="x extend"}`, `<h2 id="contain" class="required extend">Contain <a class="anchor" href="#contain" aria-label="Permalink: Contain">#</a></h2>`},
		{`## Notify {#notify .add after=contain data-x=y lang=fr dir=rtl title=t}`, `<h2 id="notify" class="add">Notify <a class="anchor" href="#notify" aria-label="Permalink: Notify">#</a></h2>`},
		{"Setext {style=\"color:red\" .suppress}\n---", `<h2 id="setext" class="suppress">Setext <a class="anchor" href="#setext" aria-label="Permalink: Setext">#</a></h2>`},
	} {
		got := renderBody(t, nil, c.src)
		if !strings.Contains(got, c.want) {
			t.Errorf("%q renders %q, want %q", c.src, got, c.want)
		}
		checkInside(t, c.src, got)
	}
}

// TestTableAlignWithoutStyle: goldmark writes a table's alignment as a
// style attribute; the site's is the align attribute, so rendered
// Markdown holds no style at all (nor needs a CSP exception).
func TestTableAlignWithoutStyle(t *testing.T) {
	src := "| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n"
	got := renderBody(t, nil, src)
	for _, want := range []string{`<th align="left">a</th>`, `<td align="center">2</td>`, `<td align="right">3</td>`} {
		if !strings.Contains(got, want) {
			t.Errorf("table renders %q, want %q", got, want)
		}
	}
	checkInside(t, src, got)
}

// TestRemoteImages: an image from the network is a link to it, with its
// alt text, unless rmm.yaml sets remote_images: true; a repository image
// is copied and shown either way.
func TestRemoteImages(t *testing.T) {
	src := "![The logo](https://example.com/logo.png \"Logo\") ![plain](http://example.com/p.png) " +
		"![](https://example.com/noalt.png) ![rel](//example.com/x.png) ![local](pic.png) ![data](data:image/png;base64,AAAA)"
	got := renderBody(t, nil, src)
	for _, want := range []string{
		`<a href="https://example.com/logo.png" title="Logo">The logo</a>`,
		`<a href="http://example.com/p.png">plain</a>`,
		`<a href="https://example.com/noalt.png">https://example.com/noalt.png</a>`,
		`<img src="../files/pic.png" alt="local">`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("renders %q, want %q", got, want)
		}
	}
	for _, bad := range []string{`<img src="http`, `<img src="//`, "example.com/x.png", "data:"} {
		if strings.Contains(got, bad) {
			t.Errorf("renders %q, holding %q", got, bad)
		}
	}
	checkInside(t, src, got)

	got = renderBody(t, &doc.Config{RemoteImages: true}, src)
	for _, want := range []string{
		`<img src="https://example.com/logo.png" alt="The logo" title="Logo">`,
		`<img src="http://example.com/p.png" alt="plain">`,
		`<img src="../files/pic.png" alt="local">`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("with remote_images: renders %q, want %q", got, want)
		}
	}
	if strings.Contains(got, "//example.com/x.png") || strings.Contains(got, "data:") {
		t.Errorf("with remote_images: renders %q", got)
	}
}

// TestImageInLinkText: an image description may hold a link; the link an
// image becomes holds its plain text, not a link in a link.
func TestImageInLinkText(t *testing.T) {
	got := renderBody(t, nil, "![a [b](https://x.example/) c](https://example.com/i.png)")
	if strings.Count(got, "<a ") != 1 || !strings.Contains(got, `<a href="https://example.com/i.png">a b c</a>`) {
		t.Errorf("renders %q", got)
	}
}

// FuzzRenderMarkdown: whatever the body, the rendered HTML parses, holds
// no style attribute, no event handler, no script, no javascript: URL
// and no attribute outside allowedAttrs (checkInside).
func FuzzRenderMarkdown(f *testing.F) {
	for _, s := range []string{
		`## T {style="x" onclick=y tabindex=1 autofocus contenteditable #i .required .z}`,
		"| a | b |\n|:-|-:|\n| [x](y) | ![i](https://e.com/i.png) |",
		"<script>alert(1)</script>\n\n<b onclick=x>b</b> <img src=x onerror=y>",
		"[a](javascript:alert(1)) [b](<java\nscript:x>) ![c](vbscript:y) <javascript:z>",
		"```go onclick=x\ncode\n```\n\n- [ ] task\n- [x] done\n\n1. one\n\n> quote",
		"[[AB-1]] [[ab]] [[AB-1|x]] ~~s~~ *e* **s** `c` www.example.com https://example.com",
		"Setext {style=x}\n===\n\n# H {#rmm-search}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1<<16 {
			return
		}
		for _, cfg := range []*doc.Config{{}, {RemoteImages: true}} {
			out := renderBody(t, cfg, src)
			if _, err := html.Parse(bytes.NewReader([]byte(out))); err != nil {
				t.Fatalf("%q: the HTML does not parse: %v", src, err)
			}
			// Text is escaped: "<script" in the output is an element.
			if strings.Contains(strings.ToLower(out), "<script") {
				t.Fatalf("%q renders %q", src, out)
			}
			checkInside(t, src, out)
		}
	})
}
