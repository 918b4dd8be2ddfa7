package render

import "strings"

// The rows of the lists (list.html's "list-row") and of the register
// (register.html's "register-row") written in Go, as docpage.go writes a
// document page's content and for the same reason: executed through
// html/template, the register's 10,000 rows were 0.36 s of CPU of every
// build at 10,000 documents, cold or not (a process keeps the rows it
// made, but a new one makes them all again). They are used only when the
// repository does not override the layout; TestRowsAreTheTemplates holds
// them to the templates, byte for byte.

// appendListRow appends what "list-row" prints for d.
func appendListRow(b []byte, d listRowData) []byte {
	w := &docWriter{b: b}
	w.lit("\n<tr")
	if d.Retired {
		w.lit(` class="retired"`)
	}
	w.lit(`><td><code class="id">`)
	w.text(d.ID)
	w.lit(`</code></td><td><a href="`)
	w.url(d.Root)
	w.url(d.URL)
	w.lit(`">`)
	w.text(d.Text)
	w.lit("</a></td><td>")
	w.text(d.Kind)
	w.lit(`</td><td><span class="status `)
	w.text(statusClass(d.Status))
	w.lit(`">`)
	w.text(d.Status)
	w.lit("</span></td><td>")
	w.text(d.Owner)
	w.lit("</td><td>")
	w.text(d.Area)
	w.lit("</td><td>")
	w.text(d.Unit)
	w.lit("</td></tr>")
	return w.b
}

// appendRegisterRow appends what "register-row" prints for d.
func appendRegisterRow(b []byte, d registerRowData) []byte {
	w := &docWriter{b: b}
	w.lit(`
<tr data-kind="`)
	w.text(d.Kind)
	w.lit(`" data-status="`)
	w.text(d.State)
	w.lit(`"><td><code>`)
	w.text(d.Doc.ID)
	w.lit(`</code></td><td><a href="`)
	w.url(d.Root)
	w.url(d.Doc.URL)
	w.lit(`">`)
	w.text(d.Doc.Text)
	w.lit("</a></td>")
	for i, c := range d.Cells {
		w.lit("<td>")
		if i == 4 {
			w.lit(`<span class="status `)
			w.text(statusClass(c))
			w.lit(`">`)
			w.text(c)
			w.lit("</span>")
		} else {
			w.text(c)
		}
		w.lit("</td>")
	}
	w.lit("</tr>")
	return w.b
}

// statusClass is the template function: a CSS class of a status
// ("changed after approval" is status-changed-after-approval).
func statusClass(s string) string { return "status-" + strings.ReplaceAll(s, " ", "-") }
