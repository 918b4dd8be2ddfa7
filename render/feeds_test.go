package render_test

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/mmcdole/gofeed"

	"github.com/rmm-pal/rmm/render"
	"github.com/rmm-pal/rmm/repo"
)

// feedLibrary has a policy due for review with open and closed actions
// (text full of characters iCalendar escapes), a restricted plan with its
// own review and action, and three commits on three days: the library, an
// edit of the policy, an edit of the plan alone.
func feedLibrary(t *testing.T, extraConfig string) string {
	t.Helper()
	_, dir := newLibrary(t, map[string]string{
		"rmm.yaml": "organization: Acme, Inc; Ops \\ Risk\ntitle: Acme PAL\n" + extraConfig,
		"policies/pol.md": `---
id: IMC-POL
kind: policy
title: Incident policy
owner: dana@example.org
process_area: IMC
review_every: 6mo
approvals:
  - by: dana@example.org
    role: manager
    date: "2026-02-01T09:00:00Z"
---

Text.

## Actions

- [ ] Fix the pager, the rota; and the \escalation path for the whole ünïcødé night shift before the winter peak (@carol@example.org, due 2026-12-01)
- [x] Closed already (@dana@example.org, due 2026-05-01)
- [ ] No date on this one (@dana@example.org)
`,
		"secret/plan.md": `---
id: SECRET-PLAN
kind: plan
title: Hushed plan
owner: erin@example.org
process_area: IMC
sensitivity: restricted
review_every: 1y
approvals:
  - by: erin@example.org
    role: owner
    date: "2026-01-15T09:00:00Z"
---

- [ ] Rotate the hushed keys (@erin@example.org, due 2026-09-09)
`,
	})
	writeFiles(t, dir, map[string]string{"policies/pol.md": strings.Replace(readFile(t, dir, "policies/pol.md"), "Text.", "Text, edited.", 1)})
	git(t, dir, "commit", "-q", "-a", "--date=2026-04-01T10:00:00Z", "-m", "Tighten the incident policy")
	writeFiles(t, dir, map[string]string{"secret/plan.md": readFile(t, dir, "secret/plan.md") + "\nMore.\n"})
	git(t, dir, "commit", "-q", "-a", "--date=2026-05-01T10:00:00Z", "-m", "Hushed subject")
	return dir
}

func readFile(t *testing.T, dir, p string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func openRepo(t *testing.T, dir string) *repo.Repo {
	t.Helper()
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// atom is the part of RFC 4287 the test reads, through encoding/xml.
type atom struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Author  string `xml:"author>name"`
		Links   []struct {
			Rel  string `xml:"rel,attr"`
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content string `xml:"content"`
	} `xml:"entry"`
}

func parseFeed(t *testing.T, data []byte) atom {
	t.Helper()
	var f atom
	if err := xml.Unmarshal(data, &f); err != nil {
		t.Fatalf("feed.xml: %v\n%s", err, data)
	}
	// And as a feed reader reads it.
	gf, err := gofeed.NewParser().ParseString(string(data))
	if err != nil {
		t.Fatalf("gofeed: %v", err)
	}
	if gf.FeedType != "atom" || len(gf.Items) != len(f.Entries) {
		t.Fatalf("gofeed reads a %s feed of %d items, encoding/xml %d entries", gf.FeedType, len(gf.Items), len(f.Entries))
	}
	for i, it := range gf.Items {
		if it.GUID != f.Entries[i].ID || it.Title != f.Entries[i].Title || it.UpdatedParsed == nil || len(it.Authors) != 1 || it.Authors[0].Name != f.Entries[i].Author {
			t.Errorf("gofeed item %d: %+v", i, it)
		}
	}
	return f
}

func parseCalendar(t *testing.T, data []byte) []*ics.VEvent {
	t.Helper()
	for i, l := range strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("calendar.ics line %d is %d octets: %q", i+1, len(l), l)
		}
		if strings.Contains(l, "\n") {
			t.Errorf("calendar.ics line %d ends without CR", i+1)
		}
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("calendar.ics: %v\n%s", err, data)
	}
	return cal.Events()
}

func prop(e *ics.VEvent, p ics.ComponentProperty) string {
	if v := e.GetProperty(p); v != nil {
		return v.Value
	}
	return ""
}

func TestFeedAndCalendar(t *testing.T) {
	dir := feedLibrary(t, "")
	r := openRepo(t, dir)
	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, nil)
	files := siteFiles(t, out)

	f := parseFeed(t, files[render.FeedPath])
	if len(f.Entries) != 2 {
		t.Fatalf("feed entries %+v, want the 2 commits that changed a published document", f.Entries)
	}
	if e := f.Entries[0]; e.Title != "Tighten the incident policy" || e.Updated != "2026-04-01T10:00:00Z" || e.Author != "Test" ||
		len(e.Links) != 1 || e.Links[0].Href != "doc/IMC-POL.html" || !strings.Contains(e.Content, `<a href="doc/IMC-POL.html">IMC-POL</a>`) {
		t.Errorf("newest entry %+v", e)
	}
	// The first commit also added the restricted plan: its subject is
	// withheld, as on the pages.
	if e := f.Entries[1]; !strings.HasPrefix(e.Title, "(subject not shown") || e.Updated != "2026-03-01T10:00:00Z" {
		t.Errorf("second entry %+v", e)
	}
	if f.Updated != "2026-04-01T10:00:00Z" || !strings.HasPrefix(f.ID, "urn:uuid:") || f.Entries[0].ID == f.Entries[1].ID {
		t.Errorf("feed id %s updated %s, entry ids %s %s", f.ID, f.Updated, f.Entries[0].ID, f.Entries[1].ID)
	}

	evs := parseCalendar(t, files[render.CalendarPath])
	var got []string
	for _, e := range evs {
		start, err := e.GetAllDayStartAt()
		if err != nil {
			t.Fatal(err)
		}
		stamp, err := e.GetDtStampTime()
		if err != nil || !stamp.Equal(time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("DTSTAMP %v, %v: want the newest published commit's time", stamp, err)
		}
		org := e.GetProperty(ics.ComponentPropertyOrganizer)
		orgs := ""
		if org != nil {
			orgs = org.Value + " " + strings.Join(org.ICalParameters["CN"], ",")
		}
		got = append(got, start.Format("2006-01-02")+" "+ics.FromText(prop(e, ics.ComponentPropertySummary))+" | "+orgs)
		if d := ics.FromText(prop(e, ics.ComponentPropertyDescription)); !strings.Contains(d, "Page: doc/IMC-POL.html") {
			t.Errorf("description %q does not name the page", d)
		}
	}
	want := []string{
		"2026-08-01 Review due: IMC-POL Incident policy | mailto:dana@example.org dana@example.org",
		`2026-12-01 Action due: Fix the pager, the rota; and the \escalation path for the whole ünïcødé night shift before the winter peak | mailto:carol@example.org carol@example.org`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Sealed: nothing of the restricted plan, nor of the commit that
	// changed only it.
	for _, p := range []string{render.FeedPath, render.CalendarPath} {
		for _, m := range []string{"SECRET", "Hushed", "hushed", "erin"} {
			if bytes.Contains(files[p], []byte(m)) {
				t.Errorf("%s holds %q", p, m)
			}
		}
	}
	// The restricted audience sees them.
	rout := filepath.Join(t.TempDir(), "restricted")
	build(t, r, rout, func(o *render.Options) { o.Audience = "restricted" })
	rf := siteFiles(t, rout)
	if f := parseFeed(t, rf[render.FeedPath]); len(f.Entries) != 3 || f.Entries[0].Title != "Hushed subject" {
		t.Errorf("restricted feed %+v", f.Entries)
	}
	if evs := parseCalendar(t, rf[render.CalendarPath]); len(evs) != 4 {
		t.Errorf("restricted calendar has %d events, want 4", len(evs))
	}

	// Deterministic: another build, elsewhere, the same bytes.
	out2 := filepath.Join(t.TempDir(), "again")
	build(t, r, out2, nil)
	again := siteFiles(t, out2)
	for _, p := range []string{render.FeedPath, render.CalendarPath, render.NotFoundPath} {
		if !bytes.Equal(files[p], again[p]) {
			t.Errorf("%s differs between two builds", p)
		}
	}
	if _, ok := files[render.SitemapPath]; ok {
		t.Error("sitemap.xml written without base_url")
	}
	nf := page(t, files, render.NotFoundPath)
	if !strings.Contains(nf, `<a href="index.html">Go to the home page</a>`) || !strings.Contains(nf, `id="rmm-search"`) || !strings.Contains(nf, `<link rel="icon" href="assets/favicon.svg"`) {
		t.Errorf("404.html:\n%s", nf)
	}
	if _, ok := files["assets/favicon.svg"]; !ok {
		t.Error("no favicon")
	}
}

// With base_url, links are absolute and sitemap.xml lists every page.
func TestFeedsBaseURL(t *testing.T) {
	dir := feedLibrary(t, "base_url: https://pal.example.org/acme\n")
	r := openRepo(t, dir)
	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, nil)
	files := siteFiles(t, out)
	f := parseFeed(t, files[render.FeedPath])
	if h := f.Entries[0].Links[0].Href; h != "https://pal.example.org/acme/doc/IMC-POL.html" {
		t.Errorf("entry link %s", h)
	}
	self := ""
	for _, l := range f.Links {
		if l.Rel == "self" {
			self = l.Href
		}
	}
	if self != "https://pal.example.org/acme/feed.xml" {
		t.Errorf("feed self link %q", self)
	}
	for _, e := range parseCalendar(t, files[render.CalendarPath]) {
		if u := prop(e, ics.ComponentPropertyUrl); u != "https://pal.example.org/acme/doc/IMC-POL.html" {
			t.Errorf("event URL %q", u)
		}
	}
	var sm struct {
		Locs []string `xml:"url>loc"`
	}
	if err := xml.Unmarshal(files[render.SitemapPath], &sm); err != nil {
		t.Fatalf("sitemap.xml: %v", err)
	}
	var pages []string
	for p := range files {
		if strings.HasSuffix(p, ".html") && p != render.NotFoundPath {
			u := "https://pal.example.org/acme/" + p
			if p == "index.html" {
				u = "https://pal.example.org/acme/"
			}
			pages = append(pages, u)
		}
	}
	sort.Strings(pages)
	sort.Strings(sm.Locs)
	if strings.Join(sm.Locs, "\n") != strings.Join(pages, "\n") || len(pages) < 10 {
		t.Errorf("sitemap lists\n%s\nthe site's pages are\n%s", strings.Join(sm.Locs, "\n"), strings.Join(pages, "\n"))
	}
	if regexp.MustCompile(`SECRET`).Match(files[render.SitemapPath]) {
		t.Error("the sitemap names a hidden document")
	}
	nf := page(t, files, render.NotFoundPath)
	if !strings.Contains(nf, `href="https://pal.example.org/acme/index.html"`) {
		t.Errorf("404.html links home relatively without base_url's root:\n%s", nf)
	}
}
