package render_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/render"
	"github.com/rmm-pal/rmm/repo"
)

// TestAudienceSealedProperty builds random libraries and checks SPEC 4's
// "a document left out leaves no trace" on every file of every site:
// no marker planted in a document the audience may not see (its id, file
// name, title, body, headings, section ids, the files it owns and the
// values in them, the subjects of commits that touched it) appears in the
// output, unless a published document carries that very string itself.
//
// Each library is a real git repository: 4 to 11 documents of every kind
// in a few folders with random sensitivities, [[ID]] references, relative
// links and near-miss ids, images and CSVs linked by their owner, measures
// charting their own or another document's CSV, standards with processes
// tailoring them (an operation on a near-miss section id makes tailor
// suggest one of the standard's), lessons, reviews and evaluations naming
// others, symlinks to documents and files, and commits touching random
// sets of documents with random subjects; check's diagnostics are shown
// on the site. A file a document owns is always linked by it or named as
// its data (render's rule; audience.go). Even seeds build the working
// tree, odd ones HEAD from git objects.
//
// RMM_AUDIENCE_LIBS sets the number of libraries (default 50, 10 with
// -short or -race); RMM_AUDIENCE_SEED the first seed.
func TestAudienceSealedProperty(t *testing.T) {
	n := 50
	if testing.Short() || raceEnabled {
		n = 10
	}
	if v, err := strconv.Atoi(os.Getenv("RMM_AUDIENCE_LIBS")); err == nil && v > 0 {
		n = v
	}
	first := uint64(1)
	if v, err := strconv.ParseUint(os.Getenv("RMM_AUDIENCE_SEED"), 10, 64); err == nil {
		first = v
	}
	var st propStats
	start := time.Now()
	for seed := first; seed < first+uint64(n); seed++ {
		t0 := time.Now()
		lib := genLibrary(seed)
		dir := t.TempDir()
		r := lib.write(t, dir)
		t1 := time.Now()
		diags := checkDiags(t, r)
		st.tWrite += t1.Sub(t0)
		st.tCheck += time.Since(t1)
		st.libraries++
		st.docs += len(lib.docs)
		st.commits += len(lib.commits)
		st.diags += len(diags)
		for _, aud := range []string{"public", "internal", "restricted"} {
			out := filepath.Join(t.TempDir(), aud)
			t2 := time.Now()
			build(t, r, out, func(o *render.Options) {
				o.Audience = aud
				o.Diags = diags
				if seed%2 == 1 {
					o.Rev = "HEAD"
				}
			})
			t3 := time.Now()
			st.tBuild += t3.Sub(t2)
			hidden := lib.hiddenMarkers(aud)
			st.builds++
			st.markers += len(hidden)
			files := siteFiles(t, out)
			for p, data := range files {
				st.files++
				st.bytes += len(data)
				if strings.HasPrefix(p, "files/") {
					st.copies++
				}
				if bytes.Contains(data, []byte(`<svg class="chart"`)) {
					st.charts++
				}
				if p == "calendar.ics" {
					st.events += bytes.Count(data, []byte("BEGIN:VEVENT"))
				}
				if p == "feed.xml" {
					st.entries += bytes.Count(data, []byte("<entry>"))
				}
				if bytes.Contains(data, []byte("(subject not shown")) {
					st.withheld++
				}
				if bytes.Contains(data, []byte("a finding that involves a document not published")) {
					st.redacted++
				}
				low := bytes.ToLower(append([]byte(p+"\n"), data...))
				for _, m := range hidden {
					if bytes.Contains(low, []byte(m.text)) {
						t.Errorf("seed %d, audience %s: %s holds %q, %s", seed, aud, p, m.text, m.what)
						st.found++
					}
				}
			}
			st.tScan += time.Since(t3)
			if aud == "restricted" {
				// Nothing is hidden at the top: every document has its page.
				for _, d := range lib.docs {
					if _, ok := files["doc/"+d.id+".html"]; !ok {
						t.Errorf("seed %d: the restricted build has no page for %s", seed, d.id)
					}
				}
			}
		}
	}
	t.Logf("%d libraries (%d documents, %d commits, %d diagnostics), %d builds, %d site files (%d KiB; %d copied files, %d charts, %d pages withholding a subject, %d withholding a finding, %d calendar events, %d feed entries) checked against %d hidden markers in %v: %d leaks",
		st.libraries, st.docs, st.commits, st.diags, st.builds, st.files, st.bytes>>10, st.copies, st.charts, st.withheld, st.redacted, st.events, st.entries, st.markers, time.Since(start).Round(time.Millisecond), st.found)
	t.Logf("time: write %v, check %v, build %v, scan %v", st.tWrite.Round(time.Millisecond), st.tCheck.Round(time.Millisecond), st.tBuild.Round(time.Millisecond), st.tScan.Round(time.Millisecond))
}

// raceEnabled is set under the race detector (race_test.go).
var raceEnabled bool

type propStats struct {
	libraries, docs, commits, diags, builds, files, bytes, markers, found int
	copies, charts, withheld, redacted, events, entries                   int
	tWrite, tCheck, tBuild, tScan                                         time.Duration
}

type genDoc struct {
	id, path, kind, sens string
	title                string
	edits                []string  // lines added by later commits
	markers              []planted // planted in the document and what it owns
	front                []string  // front matter lines after id, kind, title
	body                 []string
	files                map[string]string // owned files: path -> content
	symlinks             map[string]string // owned symlinks: path -> target (relative)
	sections             []string          // section ids (standards)
	csv                  string            // its CSV, if any
}

type planted struct{ text, what string }

type genCommit struct {
	subject string
	docs    []int
}

type genLib struct {
	docs    []*genDoc
	commits []genCommit
	rng     *rand.Rand
	used    map[string]bool
}

func (l *genLib) token(upper bool) string {
	for {
		b := []byte("zq")
		for range 8 {
			b = append(b, byte('a'+l.rng.IntN(26)))
		}
		s := string(b)
		if l.used[s] {
			continue
		}
		l.used[s] = true
		if upper {
			return strings.ToUpper(s)
		}
		return s
	}
}

// number is a marker that is a number: ten digits and a half, printed
// whole by the chart's titles.
func (l *genLib) number() string {
	for {
		s := strconv.Itoa(1_000_000_000+l.rng.IntN(8_000_000_000)) + ".5"
		if !l.used[s] {
			l.used[s] = true
			return s
		}
	}
}

func (d *genDoc) plant(text, what string) string {
	d.markers = append(d.markers, planted{strings.ToLower(text), what + " of " + d.id + " (" + d.sens + ")"})
	return text
}

func rel(from, to string) string {
	fromDir := strings.Split(path.Dir(from), "/")
	toParts := strings.Split(to, "/")
	i := 0
	for i < len(fromDir) && i < len(toParts)-1 && fromDir[i] == toParts[i] && fromDir[i] != "." {
		i++
	}
	var up []string
	for j := i; j < len(fromDir); j++ {
		if fromDir[j] != "." {
			up = append(up, "..")
		}
	}
	return strings.Join(append(up, toParts[i:]...), "/")
}

func genLibrary(seed uint64) *genLib {
	rng := rand.New(rand.NewPCG(seed, seed^0x5ea1))
	l := &genLib{rng: rng, used: map[string]bool{}}
	folders := []string{"f0", "f1", "f1/sub", "f2", "f3"}[:2+rng.IntN(4)]
	kinds := []string{"note", "plan", "policy", "standard", "standard", "process", "process", "measure", "measure", "lesson", "review", "evaluation"}
	sens := []string{"public", "internal", "restricted", "restricted", ""}
	n := 4 + rng.IntN(8)
	for range n {
		d := &genDoc{kind: kinds[rng.IntN(len(kinds))], sens: sens[rng.IntN(len(sens))],
			files: map[string]string{}, symlinks: map[string]string{}}
		if d.sens == "" {
			d.sens = "internal" // rmm.yaml's default
		}
		d.id = l.token(true)
		d.plant(d.id, "id")
		d.path = folders[rng.IntN(len(folders))] + "/" + d.plant(l.token(false), "file name") + ".md"
		d.title = d.plant(l.token(false), "title")
		l.docs = append(l.docs, d)
	}
	pick := func(kind string) *genDoc {
		var c []*genDoc
		for _, d := range l.docs {
			if kind == "" || d.kind == kind {
				c = append(c, d)
			}
		}
		if len(c) == 0 {
			return nil
		}
		return c[rng.IntN(len(c))]
	}
	// Standards' sections first: processes name them.
	for _, d := range l.docs {
		if d.kind == "standard" {
			for i := range 2 + rng.IntN(2) {
				id := d.plant(l.token(false), "section id")
				d.sections = append(d.sections, id)
				cls := ""
				if i == 0 {
					cls = " .required"
				}
				d.body = append(d.body, fmt.Sprintf("## Step %s {#%s%s}", d.plant(l.token(false), "heading"), id, cls), "", "Do "+d.plant(l.token(false), "body")+".", "")
			}
		}
		// Owned files, linked by their owner; CSVs are measure data.
		dir := path.Dir(d.path)
		if rng.IntN(2) == 0 {
			sub := dir
			if rng.IntN(3) == 0 {
				sub = dir + "/img"
			}
			p := sub + "/" + d.plant(l.token(false), "image name") + ".png"
			d.files[p] = d.plant(l.token(false), "image bytes")
			d.body = append(d.body, "![figure]("+rel(d.path, p)+")", "")
		}
		if d.kind == "measure" || rng.IntN(4) == 0 {
			p := dir + "/" + d.plant(l.token(false), "csv name") + ".csv"
			d.files[p] = "date,value\n2026-01-01," + d.plant(l.number(), "data value") + "\n2026-02-01," + d.plant(l.number(), "data value") + "\n"
			d.csv = p
			d.body = append(d.body, "[data]("+rel(d.path, p)+")", "")
		}
		if rng.IntN(3) == 0 {
			// A symlink to itself or to a file of its own, in any folder;
			// one named .md is a document of its own.
			ext := []string{".txt", ".txt", ".md"}[rng.IntN(3)]
			p := path.Dir(l.docs[rng.IntN(len(l.docs))].path) + "/" + d.plant(l.token(false), "symlink name") + ext
			target := d.path
			for _, f := range sortedNames(d.files) {
				if rng.IntN(2) == 0 {
					target = f
				}
			}
			d.symlinks[p] = rel(p, target)
		}
	}
	for _, d := range l.docs {
		d.front = append(d.front, "sensitivity: "+d.sens)
		if d.kind != "note" && d.kind != "lesson" {
			d.front = append(d.front, "owner: dana@example.org")
		}
		switch d.kind {
		case "process":
			if std := pick("standard"); std != nil {
				d.front = append(d.front, "tailors: "+std.id, "unit: ops", "base: 0000000")
				sec := std.sections[rng.IntN(len(std.sections))]
				d.body = append(d.body, "## Change {#"+sec+" .extend}", "", "Rationale: ours "+d.plant(l.token(false), "rationale")+".", "")
				near := std.sections[rng.IntN(len(std.sections))]
				d.body = append(d.body, "## Near {#"+near[:len(near)-1]+" .replace}", "", "Rationale: a near miss.", "")
			}
		case "measure":
			d.front = append(d.front, "target: 5")
			switch rng.IntN(3) {
			case 0:
				d.front = append(d.front, "data: "+rel(d.path, d.csv))
			case 1:
				// Another measure's data, or a symlink of another document.
				o := pick("")
				if ls := sortedNames(o.symlinks); len(ls) > 0 && rng.IntN(2) == 0 {
					d.front = append(d.front, "data: "+rel(d.path, ls[0]))
				} else if o := pick("measure"); o != nil && o.csv != "" {
					d.front = append(d.front, "data: "+rel(d.path, o.csv))
				}
			default:
				d.body = append(d.body, "| date | value |", "|---|---|", "| 2026-01-01 | "+d.plant(l.number(), "table value")+" |", "")
			}
		case "lesson":
			d.front = append(d.front, "affects: ["+pick("").id+"]", "source: "+pick("").id)
		case "review":
			d.front = append(d.front, "covers: ["+pick("").id+", "+pick("").id+"]", "date: 2026-03-01")
		case "evaluation":
			d.front = append(d.front, "evaluates: ["+pick("").id+"]", "evaluator: erin@example.org", "date: 2026-03-01")
		}
		d.body = append([]string{d.plant(l.token(false), "body") + " text.", "",
			"## Part " + d.plant(l.token(false), "heading") + " {#" + d.plant(l.token(false), "section id") + "}", ""}, d.body...)
		for range rng.IntN(4) {
			o := pick("")
			switch rng.IntN(4) {
			case 0:
				d.body = append(d.body, "See [["+o.id+"]].")
			case 1:
				d.body = append(d.body, "See [it]("+rel(d.path, o.path)+").")
			case 2:
				d.body = append(d.body, "Near [["+o.id[:len(o.id)-1]+"]].")
			default:
				if fs := sortedNames(o.files); len(fs) > 0 {
					d.body = append(d.body, "![theirs]("+rel(d.path, fs[rng.IntN(len(fs))])+")")
				}
				if ls := sortedNames(o.symlinks); len(ls) > 0 {
					d.body = append(d.body, "[alias]("+rel(d.path, ls[0])+")")
				}
			}
		}
	}
	// Reminders (calendar.ics): every owned document is due for review
	// and has an open action with a due date, its text planted.
	for _, d := range l.docs {
		if d.kind == "note" || d.kind == "lesson" {
			continue
		}
		d.front = append(d.front, "review_every: 1y", "approvals:", "  - by: dana@example.org", "    role: owner", `    date: "2026-01-10T09:00:00Z"`)
		act := d.plant("zq"+strings.ToLower(strings.ReplaceAll(d.id, "-", ""))+"due", "action")
		d.body = append(d.body, "", "- [ ] Follow up "+act+" (@dana@example.org, due 2026-12-01)", "")
	}
	// Commits: everything, then edits of random sets of documents.
	all := make([]int, len(l.docs))
	for i := range all {
		all[i] = i
	}
	l.commits = append(l.commits, genCommit{subject: "Add the library " + l.token(false), docs: all})
	for range 2 + rng.IntN(4) {
		var touched []int
		for i := range l.docs {
			if rng.IntN(3) == 0 {
				touched = append(touched, i)
			}
		}
		if len(touched) == 0 {
			touched = []int{rng.IntN(len(l.docs))}
		}
		l.commits = append(l.commits, genCommit{subject: "Change " + l.token(false), docs: touched})
	}
	return l
}

func sortedNames(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// source is the document's file with the edits made so far.
func (d *genDoc) source() string {
	var b strings.Builder
	fmt.Fprintf(&b, "---\nid: %s\nkind: %s\ntitle: Title %s\n", d.id, d.kind, d.title)
	for _, f := range d.front {
		b.WriteString(f + "\n")
	}
	b.WriteString("---\n\n")
	for _, s := range d.body {
		b.WriteString(s + "\n")
	}
	for _, e := range d.edits {
		b.WriteString("\n" + e + "\n")
	}
	return b.String()
}

// write makes the library's repository in dir: its history through one
// git fast-import (a commit per genCommit), its working tree as of the
// last commit.
func (l *genLib) write(t *testing.T, dir string) *repo.Repo {
	t.Helper()
	git(t, dir, "init", "-q", "--template=", "-b", "main")
	var stream bytes.Buffer
	blob := func(mode, p, content string) {
		fmt.Fprintf(&stream, "M %s inline %s\ndata %d\n%s\n", mode, p, len(content), content)
	}
	when := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC).Unix()
	tree := map[string]string{"rmm.yaml": "organization: Example Corp\nunits: [ops]\ndefault_sensitivity: internal\n"}
	links := map[string]string{}
	for ci, c := range l.commits {
		fmt.Fprintf(&stream, "commit refs/heads/main\ncommitter Test <test@example.org> %d +0000\ndata %d\n%s\n", when+int64(ci)*3600, len(c.subject), c.subject)
		if ci == 0 {
			blob("100644", "rmm.yaml", tree["rmm.yaml"])
		}
		for _, i := range c.docs {
			d := l.docs[i]
			if ci > 0 {
				d.edits = append(d.edits, "Edit "+d.plant(l.token(false), "edit")+".")
			}
			tree[d.path] = d.source()
			blob("100644", d.path, tree[d.path])
			if ci == 0 {
				for _, p := range sortedNames(d.files) {
					tree[p] = d.files[p]
					blob("100644", p, d.files[p])
				}
				for _, p := range sortedNames(d.symlinks) {
					links[p] = d.symlinks[p]
					blob("120000", p, d.symlinks[p])
				}
			}
		}
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = dir
	cmd.Stdin = &stream
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git fast-import: %v\n%s", err, out)
	}
	writeFiles(t, dir, tree)
	for p, target := range links {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, full); err != nil {
			t.Fatal(err)
		}
	}
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// hiddenMarkers lists the markers the audience must never see: those of
// documents above it and the subjects of commits that touched one, less
// any string a published document's own source holds.
func (l *genLib) hiddenMarkers(aud string) []planted {
	level := map[string]int{"public": 0, "internal": 1, "restricted": 2}
	hidden := func(d *genDoc) bool { return level[d.sens] > level[aud] }
	var visible strings.Builder
	for _, d := range l.docs {
		if !hidden(d) {
			visible.WriteString(strings.ToLower(d.source()))
		}
	}
	vis := visible.String()
	var out []planted
	add := func(m planted) {
		if m.text != "" && !strings.Contains(vis, m.text) {
			out = append(out, m)
		}
	}
	for _, d := range l.docs {
		if hidden(d) {
			for _, m := range d.markers {
				add(m)
			}
		}
	}
	for _, c := range l.commits {
		for _, i := range c.docs {
			if hidden(l.docs[i]) {
				add(planted{strings.ToLower(c.subject[strings.LastIndexByte(c.subject, ' ')+1:]), "subject of a commit that touched " + l.docs[i].id})
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].text < out[j].text })
	return out
}
