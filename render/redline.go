package render

// Redlines on the site (issue 11 part 3): on a document's page, the
// changes since its last approval; on a baseline's page, the changes of
// each changed document against the previous baseline. Both come from
// package redline, shown as the Markdown source with <ins> and <del>
// (which screen readers announce), underlined and struck through (so
// colour is never the only sign), around the changed lines.
//
// Audience. A redline shows a version only when the audience may see
// it (its sensitivity), and the destination of a link or image that the
// page would drop (a document or file not published here) as "…": the
// source of a published document may name what the audience must not
// see. Everything is escaped by html/template: the text is user data.
//
// Keys. A document's page is keyed by its bytes and its history
// (pageKey), which decide its last approval and the commit of the
// approved text, whose bytes git fixes. A baseline's page is keyed by
// its data, which holds, for each redline, the commits and blob hashes
// of both versions: the redline itself is computed only when the page
// is rendered (lazyRedline.HTML).

import (
	"bytes"
	"fmt"
	"html/template"
	"regexp"
	"strings"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/redline"
	"github.com/rmm-pal/rmm/repo"
)

// redlineContext is the number of unchanged lines shown around changes.
const redlineContext = 2

// sinceApprovalView is "Changes since the last approval" on a document's
// page.
type sinceApprovalView struct {
	By, Role, Date string
	Name           string // the approver's, beside the email By (people.go)
	// Unchanged: the document has the fingerprint of its last approval.
	Unchanged bool
	Commit    string // short hash of the commit holding the approved text
	Summary   string
	Note      string // why no redline is shown
	Redline   template.HTML
}

// sinceApproval compares a document with the text of its last approval;
// nil for a document never approved.
func (s *site) sinceApproval(p *page) *sinceApprovalView {
	d := p.d
	a, ok := baseline.LastApproval(d)
	if !ok {
		return nil
	}
	v := &sinceApprovalView{By: a.By, Role: a.Role, Date: dateOf(a.Date)}
	if a.Fingerprint == d.Fingerprint {
		v.Unchanged = true
		return v
	}
	if s.in.history == nil {
		v.Note = "The approved text cannot be shown: the history is not available."
		return v
	}
	ver, found, err := s.approvedVersion(d.Path, p.history, a)
	switch {
	case err != nil:
		s.warn("%s: the approved text cannot be read: %v", d.Path, err)
		v.Note = "The approved text cannot be read from the repository."
		return v
	case !found:
		v.Note = "The approved text is in no commit of this document's history (approved before it was committed, moved since, or a shallow clone), so no redline can be shown."
		return v
	case !s.visible(ver.Doc):
		v.Note = "The approved version is not published for this audience."
		return v
	}
	v.Commit = short(ver.Commit.Hash)
	rl := redline.Compare(s.maskLinks(ver.Doc), s.maskLinks(d))
	v.Summary = rl.Summary()
	if !rl.ContentChanged() {
		v.Note = "The changes are not shown here: white space, or links to documents not published for this audience."
	}
	v.Redline = s.redlineHTML(rl, "Approved", "Now")
	return v
}

// approvedKey is everything baseline.ApprovedVersion reads but the
// repository's objects, which a commit id names: the path, the approval
// and the commits that changed the file.
type approvedKey struct {
	path    string
	a       doc.Approval
	commits string // their hashes, newest first
}

type approvedResult struct {
	v     baseline.Version
	found bool
}

// approvedVersion is baseline.ApprovedVersion, remembered in o.Keys from
// one build to the next (rmm serve: reading and parsing the old versions
// of every document changed after its approval was a tenth of each
// rebuild of the example library). Errors are not remembered.
func (s *site) approvedVersion(path string, commits []repo.CommitInfo, a doc.Approval) (baseline.Version, bool, error) {
	c := s.o.Keys
	if c == nil {
		return baseline.ApprovedVersion(s.o.Repo.NewFileReader(), path, commits, a)
	}
	var hs strings.Builder
	for _, ci := range commits {
		hs.WriteString(ci.Hash)
		hs.WriteByte(' ')
	}
	k := approvedKey{path: path, a: a, commits: hs.String()}
	r, ok := c.approved.get(k)
	if !ok {
		v, found, err := baseline.ApprovedVersion(s.o.Repo.NewFileReader(), path, commits, a)
		if err != nil {
			return v, found, err
		}
		r = approvedResult{v, found}
	}
	c.approved.put(k, r)
	return r.v, r.found, nil
}

func (s *site) warn(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.res.Warnings = append(s.res.Warnings, fmt.Sprintf(format, args...))
}

// lazyRedline is the redline of one document between two baselines,
// computed when the page is rendered. Its exported fields, all a page
// key needs, name both versions.
type lazyRedline struct {
	OldCommit, OldPath, OldBlob string
	NewCommit, NewPath, NewBlob string
	s                           *site
}

// HTML is the redline, or a note saying why there is none.
func (l *lazyRedline) HTML() template.HTML {
	s := l.s
	read := func(commit, path string) *doc.Document {
		data, ok, err := s.o.Repo.FileAt(commit, path)
		if err != nil {
			s.warn("%s at %s: %v", path, short(commit), err)
			return nil
		}
		if !ok {
			return nil
		}
		d, _ := doc.Parse(path, data)
		return d
	}
	od, nd := read(l.OldCommit, l.OldPath), read(l.NewCommit, l.NewPath)
	switch {
	case od == nil || nd == nil:
		return note("The versions cannot be read from the repository.")
	case !s.visible(od) || !s.visible(nd):
		return note("One of the versions is not published for this audience.")
	}
	rl := redline.Compare(s.maskLinks(od), s.maskLinks(nd))
	return s.redlineHTML(rl, "Previous baseline", "This baseline")
}

func note(text string) template.HTML {
	return template.HTML(`<p class="note">` + template.HTMLEscapeString(text) + `</p>`)
}

// linkDest finds the destinations of inline links and images, and of
// link reference definitions, in Markdown source.
var linkDest = regexp.MustCompile(`(\]\(\s*)(<[^>\n]*>|[^)\s]+)|(?m)(^ {0,3}\[[^\]\n]+\]:[ \t]*)(<[^>\n]*>|\S+)`)

// maskLinks returns d, or a copy of it whose body shows the destination
// of each link the page would drop (a document or file not published for
// the audience, an unsafe scheme) as "…". The copy is parsed again, so
// its sections match its body.
func (s *site) maskLinks(d *doc.Document) *doc.Document {
	l := &linker{s: s, d: d, root: "../"}
	changed := false
	body := linkDest.ReplaceAllStringFunc(string(d.Body), func(m string) string {
		sub := linkDest.FindStringSubmatch(m)
		prefix, dest := sub[1], sub[2]
		if prefix == "" {
			prefix, dest = sub[3], sub[4]
		}
		target := strings.TrimSuffix(strings.TrimPrefix(dest, "<"), ">")
		if _, ok := l.dest(target); ok {
			return m
		}
		changed = true
		return prefix + "…"
	})
	if !changed {
		return d
	}
	front := d.Raw[:len(d.Raw)-len(d.Body)]
	md, _ := doc.Parse(d.Path, append(bytes.Clone(front), body...))
	if md == nil {
		return d
	}
	return md
}

// redlineHTML shows a redline's front matter changes and the hunks of
// its body.
func (s *site) redlineHTML(rl *redline.Redline, from, to string) template.HTML {
	type hunk struct {
		Line    int
		Section string
		Lines   [][]redline.Marked
	}
	data := struct {
		From, To string
		Fields   []redline.Field
		Hunks    []hunk
		Coarse   bool
	}{From: from, To: to, Fields: rl.Fields, Coarse: rl.Coarse}
	for _, h := range rl.Hunks(redlineContext) {
		hv := hunk{Line: h.Line, Section: h.Section}
		for _, l := range h.Lines {
			hv.Lines = append(hv.Lines, redline.Mark(l))
		}
		data.Hunks = append(data.Hunks, hv)
	}
	var b bytes.Buffer
	if err := redlineTmpl.Execute(&b, data); err != nil {
		s.warn("redline: %v", err)
		return ""
	}
	return template.HTML(b.String())
}

// redlineTmpl is the markup of a redline; the page's layout gives the
// heading and the legend, the site's style sheet the look.
var redlineTmpl = template.Must(template.New("redline").Parse(`<div class="redline">
{{- with .Fields}}
<table class="list redline-fields"><caption>Front matter</caption>
<thead><tr><th>Key</th><th>{{$.From}}</th><th>{{$.To}}</th></tr></thead><tbody>
{{- range .}}
<tr><td><code>{{.Key}}</code>{{if not .Fingerprint}} <small>(not in the fingerprint)</small>{{end}}</td><td>{{with .Old}}<del>{{.}}</del>{{else}}<span class="none">absent</span>{{end}}</td><td>{{with .New}}<ins>{{.}}</ins>{{else}}<span class="none">absent</span>{{end}}</td></tr>
{{- end}}
</tbody></table>
{{- end}}
{{- if .Coarse}}
<p class="note">Too large to compare word by word in full: some changed lines are shown whole.</p>
{{- end}}
{{- range .Hunks}}
<figure class="redline-hunk">
<figcaption>Line {{.Line}} · {{.Section}}</figcaption>
<pre class="redline-text">
{{- range .Lines}}{{range .}}{{.Before}}{{if eq .Op "insert"}}<ins>{{.Text}}</ins>{{else if eq .Op "delete"}}<del>{{.Text}}</del>{{else}}{{.Text}}{{end}}{{.After}}{{end}}
{{end -}}
</pre>
</figure>
{{- end}}
</div>`))
