package render_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// A document's row is the same on every list that shows it (kind, area,
// status), made once per build by list.html's "list-row": its title is
// escaped there as anywhere, and a retired document's row is marked.
func TestListRowsEscapedOnEveryList(t *testing.T) {
	lib := map[string]string{}
	for k, v := range fixture {
		lib[k] = v
	}
	lib["policies/odd.md"] = "---\nid: ODD-POL\nkind: policy\ntitle: 'Tom & <b>Jerry</b> \"quoted\"'\nowner: olga@example.org\nprocess_area: IMC\nstatus: draft\n---\n\nBody.\n"
	r, _ := newLibrary(t, lib)
	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, nil)
	files := siteFiles(t, out)
	row := `<tr><td><code class="id">ODD-POL</code></td><td><a href="../doc/ODD-POL.html">Tom &amp; &lt;b&gt;Jerry&lt;/b&gt; &#34;quoted&#34;</a></td><td>policy</td><td><span class="status status-draft">draft</span></td><td>olga@example.org</td><td>IMC</td><td></td></tr>`
	for _, p := range []string{"kind/policy.html", "area/IMC.html", "status/draft.html"} {
		if got := page(t, files, p); !strings.Contains(got, "<tbody>\n"+row) && !strings.Contains(got, "</tr>\n"+row) {
			t.Errorf("%s lacks the row\n%s\nin\n%s", p, row, got)
		}
	}
	if got := page(t, files, "status/retired.html"); !strings.Contains(got, `<tr class="retired"><td><code class="id">OLD-POL</code>`) {
		t.Errorf("status/retired.html lacks OLD-POL's retired row:\n%s", got)
	}
	if strings.Contains(page(t, files, "kind/policy.html"), "<b>Jerry") {
		t.Error("a title's markup reached a list unescaped")
	}
}
