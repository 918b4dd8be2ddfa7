package render_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rmm-pal/rmm/example"
	"github.com/rmm-pal/rmm/render"
	"github.com/rmm-pal/rmm/repo"
)

// searchData is assets/search-index.js, decoded.
type searchData struct {
	V int               `json:"v"`
	N map[string]string `json:"n"`
	W map[string]string `json:"w"`
	D []struct {
		I, T, K, U string
		P          [][3]string
		S          []struct{ A, H, X string }
	} `json:"d"`
}

func readSearch(t *testing.T, files map[string][]byte) searchData {
	t.Helper()
	js := string(files["assets/search-index.js"])
	const pre = "window.RMM_SEARCH = "
	i := strings.Index(js, pre)
	if i < 0 || !strings.HasSuffix(js, ";\n") {
		t.Fatalf("search-index.js is not an assignment to window.RMM_SEARCH:\n%.300s", js)
	}
	var d searchData
	if err := json.Unmarshal([]byte(js[i+len(pre):len(js)-2]), &d); err != nil {
		t.Fatalf("search-index.js: %v", err)
	}
	return d
}

// TestSearchIndexExample: in the example's index, erin is named (by her
// commits' name) as the evaluator of the three evaluations, every section
// and person points at an element id its page has, and the text of a
// section is the text under its heading.
func TestSearchIndexExample(t *testing.T) {
	r, err := repo.Init(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := example.Write(r); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, nil)
	files := siteFiles(t, out)
	d := readSearch(t, files)
	if d.N["erin@example.org"] != "Erin Walsh" {
		t.Errorf("erin's name in the index is %q, want Erin Walsh (her commits' name)", d.N["erin@example.org"])
	}
	var evals []string
	var sections, anchored int
	idRe := regexp.MustCompile(`\sid="([^"]+)"`)
	for _, e := range d.D {
		html := page(t, files, e.U)
		ids := map[string]bool{}
		for _, m := range idRe.FindAllStringSubmatch(html, -1) {
			ids[m[1]] = true
		}
		for _, p := range e.P {
			if p[0] == "evaluator" && p[1] == "erin@example.org" {
				evals = append(evals, e.I)
			}
			if p[2] != "" && !ids[p[2]] {
				t.Errorf("%s: %s %s points at #%s, which the page lacks", e.I, p[0], p[1], p[2])
			}
		}
		for _, s := range e.S {
			sections++
			if s.A == "" {
				continue
			}
			anchored++
			if !ids[s.A] {
				t.Errorf("%s: section %q points at #%s, which %s lacks", e.I, s.H, s.A, e.U)
			}
		}
	}
	if len(evals) != 3 {
		t.Errorf("erin evaluates %v in the index, want her 3 evaluations", evals)
	}
	for _, e := range evals {
		if !strings.HasPrefix(e, "EVAL-") {
			t.Errorf("%s is not an evaluation", e)
		}
	}
	if anchored < 50 || anchored == sections {
		t.Errorf("%d sections, %d with an anchor: want many anchored, and the text before a first heading", sections, anchored)
	}
	checkPostings(t, d)
}

// checkPostings: the dictionary lists, for every term, exactly the
// sections whose text holds it as a word (as the script splits text).
func checkPostings(t *testing.T, d searchData) {
	t.Helper()
	word := regexp.MustCompile(`[\p{L}\p{N}]+`)
	want := map[string][]int{}
	n := 0
	for _, e := range d.D {
		for _, s := range e.S {
			seen := map[string]bool{}
			for _, w := range word.FindAllString(strings.ToLower(s.X), -1) {
				if !seen[w] {
					seen[w] = true
					want[w] = append(want[w], n)
				}
			}
			n++
		}
	}
	if len(d.W) != len(want) {
		t.Errorf("the dictionary has %d terms, the text %d", len(d.W), len(want))
	}
	for term, secs := range want {
		var got []int
		at := 0
		for _, f := range strings.Fields(d.W[term]) {
			v, err := strconv.ParseInt(f, 36, 64)
			if err != nil {
				t.Fatalf("term %q: %q: %v", term, d.W[term], err)
			}
			at += int(v)
			got = append(got, at)
		}
		if fmt.Sprint(got) != fmt.Sprint(secs) {
			t.Errorf("term %q is in sections %v, the dictionary says %v (%q)", term, secs, got, d.W[term])
		}
	}
}

// TestSearchIndexSections: a section holds its own text, under its
// heading's rendered id, code and [[ID]] targets included; white space is
// collapsed; nothing of a restricted document reaches a public index, not
// even its owner's name.
func TestSearchIndexSections(t *testing.T) {
	r, dir := newLibrary(t, map[string]string{
		"rmm.yaml": "organization: Example Corp\nunits: [ops]\n",
		"pub.md": "---\nid: IMC-PUB\nkind: policy\ntitle: Public policy\nowner: pat@example.org\nsensitivity: public\n" +
			"stakeholders:\n  - {who: sam@example.org, role: Auditor, involvement: inform}\n---\n\nIntro   text\nhere.\n\n" +
			"## Escalation path {#esc}\n\nCall the `duty-manager` and see [[IMC-PUB]].\n\n## Escalation path\n\nAgain.\n",
		"secret.md": "---\nid: IMC-HIDDEN\nkind: plan\ntitle: Qqhiddentitle\nowner: zed@example.org\nsensitivity: restricted\n---\n\nQqhiddenbody.\n",
	})
	writeFiles(t, dir, map[string]string{"secret.md": "---\nid: IMC-HIDDEN\nkind: plan\ntitle: Qqhiddentitle\nowner: zed@example.org\nsensitivity: restricted\n---\n\nQqhiddenbody, again.\n"})
	git(t, dir, "-c", "user.name=Zed Secret", "-c", "user.email=zed@example.org", "commit", "-q", "-am", "Edit the secret")
	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, func(o *render.Options) { o.Audience = "public" })
	files := siteFiles(t, out)
	js := strings.ToLower(string(files["assets/search-index.js"]))
	for _, m := range []string{"imc-hidden", "qqhidden", "zed"} {
		if strings.Contains(js, m) {
			t.Errorf("the public index holds %q of a restricted document", m)
		}
	}
	d := readSearch(t, files)
	if len(d.D) != 1 || d.D[0].I != "IMC-PUB" {
		t.Fatalf("entries %+v, want IMC-PUB alone", d.D)
	}
	e := d.D[0]
	got, _ := json.Marshal(e.S)
	want := `[{"A":"","H":"","X":"Intro text here."},{"A":"esc","H":"Escalation path","X":"Call the duty-manager and see IMC-PUB."},{"A":"escalation-path","H":"Escalation path","X":"Again."}]`
	if string(got) != want {
		t.Errorf("sections\n%s\nwant\n%s", got, want)
	}
	html := page(t, files, e.U)
	for _, id := range []string{"esc", "escalation-path"} {
		if !strings.Contains(html, ` id="`+id+`"`) {
			t.Errorf("the page has no id %q", id)
		}
	}
	people, _ := json.Marshal(e.P)
	if string(people) != `[["stakeholder","sam@example.org","rmm-stakeholders"],["owner","pat@example.org",""]]` &&
		string(people) != `[["stakeholder","sam@example.org",""],["owner","pat@example.org",""]]` {
		t.Errorf("people %s", people)
	}
	if len(d.N) != 0 {
		t.Errorf("names %v: no person the entries name committed", d.N)
	}
	if d.W["escalation"] != "" || d.W["call"] != "1" || d.W["duty"] != "1" || d.W["imc"] != "1" || d.W["again"] != "2" || d.W["intro"] != "0" {
		t.Errorf("dictionary %v", d.W)
	}
	checkPostings(t, d)
}
