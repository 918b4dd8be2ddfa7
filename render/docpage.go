package render

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
)

// The content of a document's page written in Go: the same bytes as the
// "content" template of the embedded doc.html, used when the repository
// does not override that layout (templateSet.fastDoc).
//
// Why not the template: html/template calls an escaper through reflection
// for every value it prints, with a variadic slice made each time. Over
// the 10,000 document pages of the reference corpus (bench/build.sh) the
// doc layout cost 190 to 220 µs a page (BenchmarkDocPageTemplate), about
// 2 s of the cold build's 10 s of CPU; written here it costs about a
// tenth of that. TestDocContentIsTheTemplates holds this writer to the
// template, byte for byte, over the example library and thousands of
// random pages with hostile text: a change to doc.html that is not made
// here too fails it.
//
// The escapers are those html/template inserts for each context of the
// layout (Go's html/template, html.go and url.go, BSD licence): text and
// quoted attributes replace NUL, ", &, ', +, < and > (htmlEscaper,
// attrEscaper); a URL at an href's start is filtered for its scheme and
// normalized (urlFilter, urlNormalizer), after a # it is escaped
// (urlEscaper), each then escaped as an attribute.

type docWriter struct {
	b    []byte
	root string // $.Root
}

// writeDocContent appends what {{template "content" .}} of doc.html
// prints for data.
func writeDocContent(b []byte, data *pageData) []byte {
	w := &docWriter{b: b, root: data.Root}
	if d := data.Doc; d != nil {
		w.doc(d)
	}
	w.lit("\n")
	return w.b
}

func (w *docWriter) lit(s string) { w.b = append(w.b, s...) }

// text is a value printed in text or in a quoted attribute (htmlEscaper
// and attrEscaper on a string: the same replacements). Invalid UTF-8 and
// every byte from 0x80 pass as they are, as html/template's bad runes do.
func (w *docWriter) text(s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var r string
		switch s[i] {
		case 0:
			r = "\uFFFD"
		case '"':
			r = "&#34;"
		case '&':
			r = "&amp;"
		case '\'':
			r = "&#39;"
		case '+':
			r = "&#43;"
		case '<':
			r = "&lt;"
		case '>':
			r = "&gt;"
		default:
			continue
		}
		w.b = append(w.b, s[last:i]...)
		w.b = append(w.b, r...)
		last = i + 1
	}
	w.b = append(w.b, s[last:]...)
}

func (w *docWriter) html(h template.HTML) { w.b = append(w.b, h...) }

func (w *docWriter) int(n int) { w.b = strconv.AppendInt(w.b, int64(n), 10) }

// url is a value in an href before any ? or #: urlFilter, urlNormalizer,
// attrEscaper.
func (w *docWriter) url(s string) {
	if !isSafeURL(s) {
		s = "#ZgotmplZ"
	}
	w.text(processURL(s, true))
}

// frag is a value in an href after its #: urlEscaper, attrEscaper.
func (w *docWriter) frag(s string) { w.text(processURL(s, false)) }

// href writes href="ROOT+u" as {{$.Root}}{{u}} does.
func (w *docWriter) href(u string) {
	w.lit(`href="`)
	w.url(w.root)
	w.url(u)
	w.lit(`"`)
}

// isSafeURL is html/template's: a scheme other than http, https and
// mailto is refused.
func isSafeURL(s string) bool {
	if protocol, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(protocol, "/") {
		if !strings.EqualFold(protocol, "http") && !strings.EqualFold(protocol, "https") && !strings.EqualFold(protocol, "mailto") {
			return false
		}
	}
	return true
}

// processURL is html/template's processURLOnto: bytes outside the
// unreserved set (and, unless norm, the reserved ones too) percent
// encoded; when norm, a valid escape stays.
func processURL(s string, norm bool) string {
	var b []byte
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '!', '#', '$', '&', '*', '+', ',', '/', ':', ';', '=', '?', '@', '[', ']':
			if norm {
				continue
			}
		case '-', '.', '_', '~':
			continue
		case '%':
			if norm && i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]) {
				continue
			}
		default:
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
				continue
			}
		}
		if b == nil {
			b = make([]byte, 0, len(s)+16)
		}
		b = append(b, s[written:i]...)
		b = fmt.Appendf(b, "%%%02x", c)
		written = i + 1
	}
	if b == nil {
		return s
	}
	return string(append(b, s[written:]...))
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// precision is printf "%.Ns": the first n runes.
func precision(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// anchor is the "anchor" template with a constant id and title.
func (w *docWriter) anchor(id, title string) {
	w.lit(` <a class="anchor" href="#`)
	w.frag(id)
	w.lit(`" aria-label="Permalink: `)
	w.text(title)
	w.lit(`">#</a>`)
}

// person is the "person" template: the name beside the email when known.
func (w *docWriter) person(name, email string) {
	if name != "" {
		w.text(name)
		w.lit(` <span class="email">`)
		w.text(email)
		w.lit(`</span>`)
		return
	}
	w.text(email)
}

// link writes <a href="ROOT+URL">Text</a>.
func (w *docWriter) link(l link) {
	w.lit(`<a `)
	w.href(l.URL)
	w.lit(`>`)
	w.text(l.Text)
	w.lit(`</a>`)
}

func (w *docWriter) joined(ss []string) { w.text(strings.Join(ss, ", ")) }

func (w *docWriter) doc(d *docView) {
	w.lit("\n<article class=\"doc kind-")
	w.text(d.Kind)
	w.lit(`">`)
	if d.Stale != "" {
		w.lit("\n<div class=\"banner stale\" id=\"rmm-stale\" role=\"alert\"><strong>This page is from the last good version:</strong> <code>")
		w.text(d.Stale)
		w.lit("</code>. Fix the file and save: the page reloads.</div>")
	}
	if d.Print != nil {
		w.controlledCopy(d.Print)
	}
	if d.Retired {
		w.lit("\n<div class=\"banner obsolete\" role=\"note\"><strong>Obsolete.</strong> This document is retired and no longer in use; it is kept for the record.")
		if d.SupersededBy != nil {
			w.lit(" It is superseded by ")
			w.link(*d.SupersededBy)
			w.lit(".")
		} else if d.SupersededByText != "" {
			w.lit(" It is superseded by ")
			w.text(d.SupersededByText)
			w.lit(".")
		}
		w.lit("</div>")
	}
	w.lit("\n<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><ol><li><a ")
	w.href("index.html")
	w.lit(">Home</a></li>")
	if a := d.Area; a != nil {
		w.lit("<li><a ")
		w.href(a.URL)
		w.lit(` title="`)
		w.text(a.Text)
		w.lit(`">`)
		w.text(a.ID)
		w.lit("</a></li>")
	}
	w.lit("<li>")
	w.link(link{URL: d.KindURL, Text: d.KindTitle})
	w.lit("</li><li aria-current=\"page\"><code class=\"id\">")
	w.text(d.ID)
	w.lit("</code></li></ol></nav>")
	if d.H1 != "" {
		w.lit("\n")
		w.html(d.H1)
	} else {
		w.lit("\n<h1>")
		w.text(d.Title)
		w.lit("</h1>")
	}
	w.meta(d)
	if len(d.Diags) > 0 {
		w.lit("\n<div class=\"banner warn\" role=\"note\"><strong>Check warnings</strong><ul>")
		for _, g := range d.Diags {
			w.lit("<li>")
			if g.Line != 0 {
				w.lit("line ")
				w.int(g.Line)
				w.lit(": ")
			}
			w.text(g.Severity)
			w.lit(": ")
			w.text(g.Message)
			w.lit(` <span class="rule">[`)
			w.text(g.Rule)
			w.lit("]</span></li>")
		}
		w.lit("</ul></div>")
	}
	if t := d.Tailoring; t != nil {
		w.tailoring(t)
	}
	if len(d.Toc) > 0 {
		w.lit("\n<nav class=\"toc\" aria-labelledby=\"rmm-toc-title\"><p class=\"toc-title\" id=\"rmm-toc-title\">On this page</p>\n<ul>")
		for _, t := range d.Toc {
			w.lit(`<li class="toc-`)
			w.int(t.Level)
			w.lit(`"><a href="#`)
			w.frag(t.ID)
			w.lit(`">`)
			w.text(t.Title)
			w.lit("</a></li>")
		}
		w.lit("</ul>\n</nav>")
	}
	if d.Tailoring != nil {
		w.lit("\n<section class=\"ops\" id=\"rmm-operations\">\n<h2>Tailoring operations, as written")
		w.anchor("rmm-operations", "Tailoring operations")
		w.lit("</h2>\n<div class=\"body\">\n")
		w.html(d.Body)
		w.lit("\n</div>\n</section>")
	} else {
		w.lit("\n<div class=\"body\">\n")
		w.html(d.Body)
		w.lit("\n</div>")
	}
	if m := d.Measure; m != nil {
		w.measure(d, m)
	}
	if len(d.Actions) > 0 {
		w.actions(d)
	}
	if len(d.Stakeholders) > 0 {
		w.lit("\n<section id=\"rmm-stakeholders\">\n<h2>Stakeholders")
		w.anchor("rmm-stakeholders", "Stakeholders")
		w.lit("</h2>\n<div class=\"table-scroll\" role=\"region\" aria-label=\"Stakeholders\" tabindex=\"0\">\n<table class=\"list stakeholders\"><thead><tr><th>Who</th><th>Role</th><th>Involvement</th><th>Agreed</th></tr></thead><tbody>")
		for _, s := range d.Stakeholders {
			w.lit(`<tr class="involvement-`)
			w.text(s.Involvement)
			w.lit(`"><td>`)
			w.text(s.Who)
			w.lit("</td><td>")
			w.text(s.Role)
			w.lit("</td><td>")
			w.text(s.Involvement)
			w.lit("</td><td>")
			if s.Approve {
				if s.Agreed {
					w.lit(`<span class="fresh current">approved</span>`)
				} else {
					w.lit(`<span class="fresh stale">not yet</span>`)
				}
			}
			w.lit("</td></tr>")
		}
		w.lit("\n</tbody></table>\n</div>\n</section>")
	}
	if len(d.TrainingGaps) > 0 {
		w.lit("\n<section id=\"rmm-training\">\n<h2>Training gaps")
		w.anchor("rmm-training", "Training gaps")
		w.lit("</h2>\n<p class=\"note\">Not trained on the version approved last: no training record covering this document, dated on or after its latest approval, lists them.</p>\n<div class=\"table-scroll\" role=\"region\" aria-label=\"Training gaps\" tabindex=\"0\">\n<table class=\"list\"><thead><tr><th>Person</th><th>Because</th><th>Since</th><th>Days</th><th>Last trained</th></tr></thead><tbody>")
		for _, g := range d.TrainingGaps {
			w.lit("<tr><td>")
			w.text(g.Person)
			w.lit("</td><td>")
			w.text(g.Because)
			w.lit(`</td><td class="nowrap">`)
			w.text(g.Since)
			w.lit("</td><td>")
			w.int(g.Days)
			w.lit(`</td><td class="nowrap">`)
			if g.LastTrained != "" {
				w.text(g.LastTrained)
			} else {
				w.lit("never")
			}
			w.lit("</td></tr>")
		}
		w.lit("\n</tbody></table>\n</div>\n</section>")
	}
	w.approvals(d)
	if s := d.SinceApproval; s != nil {
		w.sinceApproval(s)
	}
	w.lit("\n<section id=\"rmm-baselines\">\n<h2>Baselines")
	w.anchor("rmm-baselines", "Baselines")
	w.lit("</h2>")
	if len(d.Baselines) > 0 {
		w.lit("\n<ul>")
		for _, l := range d.Baselines {
			w.lit("<li>")
			w.link(l)
			w.lit(" — ")
			w.text(l.Extra)
			w.lit("</li>")
		}
		w.lit("</ul>")
	} else {
		w.lit("\n<p class=\"none\">In no baseline.</p>")
	}
	w.lit("\n</section>\n<section id=\"rmm-history\">\n<h2>Revision history")
	w.anchor("rmm-history", "Revision history")
	w.lit("</h2>")
	if d.HistoryNote != "" {
		w.lit(`<p class="note">`)
		w.text(d.HistoryNote)
		w.lit("</p>")
	}
	if len(d.History) > 0 {
		w.lit("\n<div class=\"table-scroll\" role=\"region\" aria-label=\"Revision history\" tabindex=\"0\">\n<table class=\"list history\"><thead><tr><th>Commit</th><th>Date</th><th>Author</th><th>Subject</th></tr></thead><tbody>")
		for _, h := range d.History {
			w.lit(`<tr><td><code class="id" title="`)
			w.text(h.Hash)
			w.lit(`">`)
			w.text(h.Short)
			w.lit(`</code></td><td class="nowrap">`)
			w.text(h.Date)
			w.lit("</td><td>")
			w.text(h.Author)
			w.lit("</td><td>")
			w.html(keepIDs(h.Subject))
			w.lit("</td></tr>")
		}
		w.lit("\n</tbody></table>\n</div>")
	}
	w.lit("\n</section>\n<section id=\"rmm-backlinks\">\n<h2>Referenced by")
	w.anchor("rmm-backlinks", "Referenced by")
	w.lit("</h2>")
	if len(d.Backlinks) > 0 {
		w.lit("\n<ul>")
		for _, l := range d.Backlinks {
			w.lit("<li>")
			w.link(l)
			w.lit(` <span class="kind">`)
			w.text(l.Extra)
			w.lit("</span></li>")
		}
		w.lit("</ul>")
	} else {
		w.lit("\n<p class=\"none\">No document refers to this one.</p>")
	}
	w.lit("\n</section>\n</article>")
}

func (w *docWriter) meta(d *docView) {
	w.lit("\n<dl class=\"meta\">\n  <div><dt>ID</dt><dd><code class=\"id\">")
	w.text(d.ID)
	w.lit("</code></dd></div>\n  <div><dt>Kind</dt><dd>")
	w.text(d.Kind)
	w.lit("</dd></div>\n  <div><dt>Status</dt><dd><span class=\"status ")
	w.text(statusClass(d.Status))
	w.lit(`">`)
	w.text(d.Status)
	w.lit("</span></dd></div>")
	if d.Owner != "" {
		w.lit("<div><dt>Owner</dt><dd>")
		w.person(d.OwnerName, d.Owner)
		w.lit("</dd></div>")
	}
	if a := d.Area; a != nil {
		w.lit("<div><dt>Process area</dt><dd>")
		w.link(*a)
		w.lit("</dd></div>")
	}
	if u := d.Unit; u != nil {
		w.lit("<div><dt>Unit</dt><dd>")
		w.link(*u)
		w.lit("</dd></div>")
	}
	w.lit("\n  <div><dt>Sensitivity</dt><dd>")
	w.text(d.Sensitivity)
	w.lit("</dd></div>")
	for _, f := range [...]struct{ name, v string }{{"Control", d.Control}, {"Review every", d.ReviewEvery}, {"Date", d.Date}} {
		if f.v != "" {
			w.lit("<div><dt>")
			w.lit(f.name)
			w.lit("</dt><dd>")
			w.text(f.v)
			w.lit("</dd></div>")
		}
	}
	for _, r := range d.Relations {
		w.lit("<div><dt>")
		w.text(r.Key)
		w.lit("</dt><dd>")
		for i, l := range r.Links {
			if i > 0 {
				w.lit(", ")
			}
			w.link(l)
		}
		if len(r.Links) > 0 && len(r.Text) > 0 {
			w.lit(", ")
		}
		w.joined(r.Text)
		w.lit("</dd></div>")
	}
	if len(d.Tags) > 0 {
		w.lit("<div><dt>Tags</dt><dd>")
		for _, t := range d.Tags {
			w.lit(`<span class="tag">`)
			w.text(t)
			w.lit("</span> ")
		}
		w.lit("</dd></div>")
	}
	w.lit("\n  <div><dt>Fingerprint</dt><dd><code class=\"fp\" title=\"")
	w.text(d.Fingerprint)
	w.lit(`">`)
	w.text(precision(d.Fingerprint, 16))
	w.lit("</code></dd></div>\n  <div><dt>Source</dt><dd><code>")
	w.text(d.Path)
	w.lit("</code></dd></div>\n</dl>")
}

func (w *docWriter) controlledCopy(p *printView) {
	w.lit("\n<section class=\"controlled-copy\" id=\"rmm-controlled-copy\" data-rmm-header=\"")
	w.text(p.Header)
	w.lit("\" hidden>\n<p class=\"cc-stamp\"><strong>Controlled copy</strong> · Printed <span class=\"cc-printed\">________</span>: <strong>uncontrolled when printed</strong>. Check the current version in the process asset library before use.</p>\n<table class=\"cc-meta\">\n<tr><th>Document</th><td><code>")
	w.text(p.ID)
	w.lit("</code> ")
	w.text(p.Title)
	w.lit("</td></tr>\n<tr><th>Status</th><td>")
	w.text(p.Status)
	w.lit("</td></tr>\n<tr><th>Fingerprint</th><td><code class=\"fp\">")
	if p.Fingerprint != "" {
		w.text(p.Fingerprint)
	} else {
		w.lit("none")
	}
	w.lit("</code></td></tr>\n<tr><th>Baseline</th><td>")
	switch {
	case p.Baseline == "":
		w.lit("in no baseline")
	default:
		w.text(p.Baseline)
		w.lit(" (")
		switch {
		case p.This:
			w.lit("this version")
		case p.ThisIn != "":
			w.lit("an earlier version; this version is in ")
			w.text(p.ThisIn)
		default:
			w.lit("an earlier version; this version is in no baseline")
		}
		w.lit(")")
	}
	w.lit("</td></tr>\n</table>")
	if len(p.Approvals) > 0 {
		w.lit("\n<table class=\"cc-approvals\"><thead><tr><th>Approved by</th><th>Role</th><th>Date</th><th>Meaning</th><th>Approval</th></tr></thead><tbody>")
		for _, a := range p.Approvals {
			w.lit("<tr><td>")
			w.text(a.By)
			w.lit("</td><td>")
			w.text(a.Role)
			w.lit(`</td><td class="nowrap">`)
			w.text(a.Date)
			w.lit("</td><td>")
			w.text(a.Meaning)
			w.lit("</td><td>")
			if a.Current {
				w.lit("current")
			} else {
				w.lit("stale: given to an earlier version")
			}
			w.lit("</td></tr>")
		}
		w.lit("\n</tbody></table>")
	} else {
		w.lit("\n<p class=\"cc-none\">No approvals.</p>")
	}
	if len(p.MissingRoles) > 0 {
		w.lit(`<p class="cc-none">Still to approve (this version): `)
		w.joined(p.MissingRoles)
		w.lit(".</p>")
	}
	w.lit("\n</section>")
}

func (w *docWriter) tailoring(t *tailoredView) {
	w.lit("\n<section class=\"tailoring\" id=\"rmm-effective\">\n<h2>Effective defined process")
	w.anchor("rmm-effective", "Effective defined process")
	w.lit("</h2>")
	if t.Standard != nil {
		w.lit("\n<p>The standard process ")
		w.link(*t.Standard)
		w.lit(" as it is now, with the tailoring of unit <strong>")
		w.text(t.Unit)
		w.lit("</strong> applied")
		if t.Base != "" {
			w.lit(" (tailored against commit <code>")
			w.text(precision(t.Base, 10))
			w.lit("</code>)")
		}
		w.lit(". Tailored sections are marked.</p>")
	}
	if len(t.Suspect) > 0 {
		w.lit(`<div class="banner warn" role="note"><strong>Suspect:</strong> the standard changed since the tailoring was made in sections `)
		for i, s := range t.Suspect {
			if i > 0 {
				w.lit(", ")
			}
			w.lit("<code>")
			w.text(s)
			w.lit("</code>")
		}
		w.lit("; the unit should confirm its tailoring.</div>")
	}
	if len(t.Problems) > 0 {
		w.lit(`<div class="banner warn" role="note"><ul>`)
		for _, p := range t.Problems {
			w.lit("<li>")
			w.text(p)
			w.lit("</li>")
		}
		w.lit("</ul></div>")
	}
	if t.Missing != "" {
		w.lit(`<p class="note">`)
		w.text(t.Missing)
		w.lit("</p>")
	}
	w.lit("\n<div class=\"effective\">")
	w.html(t.Effective)
	w.lit("</div>\n</section>")
}

func (w *docWriter) measure(d *docView, m *measureView) {
	w.lit("\n<section class=\"measure\" id=\"rmm-measure\">\n<h2>Measure")
	w.anchor("rmm-measure", "Measure")
	w.lit("</h2>\n<p>Target: <strong>")
	if m.Target != "" {
		w.text(m.Target)
	} else {
		w.lit("none")
	}
	w.lit("</strong>")
	if m.Unit != "" {
		w.lit(" ")
		w.text(m.Unit)
	}
	if m.Direction != "" {
		w.lit(" (")
		w.text(m.Direction)
		w.lit(" is better)")
	}
	if m.Latest != "" {
		w.lit(" · latest value ")
		w.text(m.Latest)
		if m.Unit != "" {
			w.lit(" ")
			w.text(m.Unit)
		}
		w.lit(" · ")
		w.int(m.Points)
		w.lit(" data points")
	}
	w.lit("</p>\n")
	w.html(d.Chart)
	w.lit("\n")
	if d.ChartNote != "" {
		w.lit(`<p class="note">`)
		w.text(d.ChartNote)
		w.lit("</p>")
	}
	for _, v := range d.Deviations {
		w.lit("\n<div class=\"banner ")
		if v.Answered {
			w.lit("info")
		} else {
			w.lit("warn")
		}
		w.lit(`" role="note"><strong>Deviation:</strong> `)
		w.text(v.Text)
		if v.Since != "" {
			w.lit(", since ")
			w.text(v.Since)
		}
		w.lit(". ")
		if v.Answered {
			w.lit("Corrective action: ")
			for i, c := range v.Corrective {
				if i > 0 {
					w.lit(", ")
				}
				w.link(c)
				w.lit(" (")
				w.text(c.Extra)
				w.lit(")")
			}
			w.lit(".")
		} else {
			w.lit("No corrective action refers to it yet.")
		}
		w.lit("</div>")
	}
	w.lit("\n</section>")
}

func (w *docWriter) actions(d *docView) {
	w.lit("\n<section id=\"rmm-actions\">\n<h2>")
	w.text(d.ActionsHeading)
	w.anchor("rmm-actions", d.ActionsHeading)
	w.lit("</h2>\n<div class=\"table-scroll\" role=\"region\" aria-label=\"")
	w.text(d.ActionsHeading)
	w.lit("\" tabindex=\"0\">\n<table class=\"list\"><thead><tr><th><span class=\"sr-only\">Done</span></th><th>Action</th><th>Owner</th><th>Due</th></tr></thead><tbody>")
	for _, a := range d.Actions {
		if a.Done {
			w.lit(`<tr class="done"><td><span aria-hidden="true">✔</span><span class="sr-only">done</span></td><td>`)
		} else {
			w.lit(`<tr class="open"><td><span aria-hidden="true">○</span><span class="sr-only">open</span></td><td>`)
		}
		w.text(a.Text)
		if c := a.Closed; c != nil {
			w.lit(`<br><small>closed in <code title="`)
			w.text(c.Hash)
			w.lit(`">`)
			w.text(c.Short)
			w.lit("</code> on ")
			w.text(c.On)
			w.lit(" by ")
			w.text(c.By)
			w.lit("</small>")
		}
		w.lit("</td><td>")
		w.person(a.OwnerName, a.Owner)
		w.lit(`</td><td class="nowrap">`)
		w.text(a.Due)
		w.lit("</td></tr>")
	}
	w.lit("\n</tbody></table>\n</div>\n</section>")
}

func (w *docWriter) approvals(d *docView) {
	w.lit("\n<section id=\"rmm-approvals\">\n<h2>Approvals")
	w.anchor("rmm-approvals", "Approvals")
	w.lit("</h2>")
	if len(d.Approvals) > 0 {
		w.lit("\n<div class=\"table-scroll\" role=\"region\" aria-label=\"Approvals\" tabindex=\"0\">\n<table class=\"list\"><thead><tr><th>By</th><th>Role</th><th>Date</th><th>Meaning</th><th>Freshness</th></tr></thead><tbody>")
		for _, a := range d.Approvals {
			w.lit("<tr><td>")
			w.person(a.Name, a.By)
			w.lit("</td><td>")
			w.text(a.Role)
			w.lit(`</td><td class="nowrap">`)
			w.text(a.Date)
			w.lit("</td><td>")
			w.text(a.Meaning)
			w.lit("</td><td>")
			if a.Current {
				w.lit(`<span class="fresh current">current</span>`)
			} else {
				w.lit(`<span class="fresh stale" title="the document changed after this approval">stale</span>`)
			}
			w.lit("</td></tr>")
		}
		w.lit("\n</tbody></table>\n</div>")
	} else {
		w.lit("\n<p class=\"none\">No approvals.</p>")
	}
	if len(d.MissingRoles) > 0 {
		w.lit(`<p class="note">Still to approve (current version): `)
		w.joined(d.MissingRoles)
		w.lit(".</p>")
	}
	w.lit("\n</section>")
}

func (w *docWriter) sinceApproval(s *sinceApprovalView) {
	w.lit("\n<section id=\"rmm-since-approval\" class=\"redlines\">\n<h2>Changes since the last approval")
	w.anchor("rmm-since-approval", "Changes since the last approval")
	w.lit("</h2>")
	if s.Unchanged {
		w.lit("\n<p class=\"none\">No change since the last approval (by ")
		w.person(s.Name, s.By)
		w.lit(" as ")
		w.text(s.Role)
		w.lit(", ")
		w.text(s.Date)
		w.lit(").</p>")
	} else {
		w.lit("\n<p>From the text approved by ")
		w.person(s.Name, s.By)
		w.lit(" as ")
		w.text(s.Role)
		w.lit(" on ")
		w.text(s.Date)
		if s.Commit != "" {
			w.lit(" (commit <code>")
			w.text(s.Commit)
			w.lit("</code>)")
		}
		w.lit(" to this version")
		if s.Summary != "" {
			w.lit(": ")
			w.text(s.Summary)
		}
		w.lit(".</p>")
		if s.Note != "" {
			w.lit(`<p class="note">`)
			w.text(s.Note)
			w.lit("</p>")
		}
		if s.Redline != "" {
			w.lit("\n<p class=\"redline-legend\">In the document's source below, <ins>inserted text</ins> is underlined and <del>deleted text</del> struck through.</p>\n")
			w.html(s.Redline)
		}
	}
	w.lit("\n</section>")
}
