package render

// Files to subscribe to and the site's basics (issue 12 parts 7 and 8):
//
//	feed.xml      Atom (RFC 4287): the latest commits that changed published
//	              documents, newest first, each with the documents it changed
//	calendar.ics  iCalendar (RFC 5545): every review due and every open
//	              action with a due date, one all-day event each
//	sitemap.xml   every page of the site, only when rmm.yaml sets base_url
//	404.html      the page a server shows for a path the site does not hold
//
// They are built from what the pages show (s.pages, their sealed history),
// so they respect the audience as the pages do, and from nothing but the
// library and git, so two builds give the same bytes: the calendar's
// DTSTAMP is the time of the newest published commit, not the clock.

import (
	"bytes"
	"crypto/sha1"
	"encoding/xml"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// Site paths of the files of this file.
const (
	FeedPath     = "feed.xml"
	CalendarPath = "calendar.ics"
	SitemapPath  = "sitemap.xml"
	NotFoundPath = "404.html"
)

// Bounds: a feed reader wants the recent changes, a sitemap file holds at
// most 50,000 URLs (sitemaps.org).
const (
	feedEntries = 50
	sitemapMax  = 50000
)

// siteURL is p (a site path) as the feed and calendar link it: absolute
// under base_url when rmm.yaml sets one, else relative to the site's root.
func (s *site) siteURL(p string) string {
	if b := s.cfg.BaseURL; b != "" {
		if p == "index.html" {
			return b
		}
		return b + p
	}
	return p
}

// uuid5 is an RFC 4122 name-based (SHA-1) UUID of name in rmm's namespace:
// the stable ids of feed entries and calendar events.
func uuid5(name string) string {
	// The namespace is itself uuid5(URL namespace, "https://rmm.invalid/pal").
	ns := [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte("rmm pal\x00" + name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// change is a commit with the published documents it changed.
type change struct {
	c     repo.CommitInfo
	pages []*page
}

// changes lists the latest n commits that changed published documents,
// newest first (ties by hash), each with its pages sorted by id. The list
// is made once per build (the home page, the feed and the authors' names
// ask for it); callers do not modify it.
func (s *site) changes(n int) []*change {
	s.changesOnce.Do(func() { s.allChanges = s.listChanges() })
	return s.allChanges[:min(n, len(s.allChanges))]
}

func (s *site) listChanges() []*change {
	by := map[string]*change{}
	for _, p := range s.pages {
		for _, c := range p.history {
			r := by[c.Hash]
			if r == nil {
				r = &change{c: c}
				by[c.Hash] = r
			}
			r.pages = append(r.pages, p)
		}
	}
	all := make([]*change, 0, len(by))
	for _, r := range by {
		all = append(all, r)
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].c.Date.Equal(all[j].c.Date) {
			return all[i].c.Date.After(all[j].c.Date)
		}
		return all[i].c.Hash < all[j].c.Hash
	})
	for _, r := range all {
		sort.Slice(r.pages, func(i, j int) bool { return r.pages[i].d.ID < r.pages[j].d.ID })
	}
	return all
}

// libraryTime is the time of the newest commit that changed a published
// document (the zero Unix time when there is none): the feed's updated
// and the calendar's DTSTAMP.
func (s *site) libraryTime() time.Time {
	t := time.Unix(0, 0).UTC()
	for _, p := range s.pages {
		for _, c := range p.history {
			if c.Date.After(t) {
				t = c.Date
			}
		}
	}
	return t.UTC()
}

type atomFeed struct {
	XMLName xml.Name   `xml:"http://www.w3.org/2005/Atom feed"`
	Base    string     `xml:"xml:base,attr,omitempty"`
	Title   string     `xml:"title"`
	Sub     string     `xml:"subtitle"`
	ID      string     `xml:"id"`
	Updated string     `xml:"updated"`
	Links   []atomLink `xml:"link"`
	Author  atomPerson `xml:"author"`
	Gen     string     `xml:"generator"`
	Entries []atomEntry
}

type atomLink struct {
	Rel   string `xml:"rel,attr,omitempty"`
	Type  string `xml:"type,attr,omitempty"`
	Href  string `xml:"href,attr"`
	Title string `xml:"title,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	XMLName xml.Name   `xml:"entry"`
	ID      string     `xml:"id"`
	Title   string     `xml:"title"`
	Updated string     `xml:"updated"`
	Author  atomPerson `xml:"author"`
	Links   []atomLink `xml:"link"`
	Content atomText   `xml:"content"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

// feed is feed.xml.
func (s *site) feed() []byte {
	title := s.info.Title
	f := atomFeed{
		Base:    s.cfg.BaseURL,
		Title:   title + ": changes",
		Sub:     "Commits that changed the documents of " + s.cfg.Organization + "'s process asset library (audience " + s.o.Audience + ")",
		ID:      "urn:uuid:" + uuid5("feed\x00"+s.cfg.Organization+"\x00"+title+"\x00"+s.o.Audience),
		Updated: s.libraryTime().Format(time.RFC3339),
		Author:  atomPerson{Name: s.cfg.Organization},
		Gen:     "rmm",
	}
	if f.Author.Name == "" {
		f.Author.Name = title
	}
	f.Links = append(f.Links, atomLink{Rel: "alternate", Type: "text/html", Href: s.siteURL("index.html")})
	if s.cfg.BaseURL != "" {
		f.Links = append(f.Links, atomLink{Rel: "self", Type: "application/atom+xml", Href: s.siteURL(FeedPath)})
	}
	for _, ch := range s.changes(feedEntries) {
		e := atomEntry{
			ID:      "urn:uuid:" + uuid5("commit\x00"+ch.c.Hash),
			Title:   ch.c.Subject,
			Updated: ch.c.Date.UTC().Format(time.RFC3339),
			Author:  atomPerson{Name: ch.c.Author},
		}
		if e.Title == "" {
			e.Title = "(no subject)"
		}
		if e.Author.Name == "" {
			e.Author.Name = "unknown"
		}
		var body strings.Builder
		short := ch.c.Hash
		if len(short) > 10 {
			short = short[:10]
		}
		fmt.Fprintf(&body, "<p>Commit <code>%s</code> by %s changed:</p>\n<ul>\n", short, xmlText(e.Author.Name))
		for i, p := range ch.pages {
			rel := "related"
			if i == 0 {
				rel = "alternate"
			}
			u := s.siteURL(p.url)
			e.Links = append(e.Links, atomLink{Rel: rel, Type: "text/html", Href: u, Title: p.d.ID + " " + p.d.Title})
			fmt.Fprintf(&body, "<li><a href=\"%s\">%s</a> %s</li>\n", xmlText(u), xmlText(p.d.ID), xmlText(p.d.Title))
		}
		body.WriteString("</ul>\n")
		e.Content = atomText{Type: "html", Text: body.String()}
		f.Entries = append(f.Entries, e)
	}
	out, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		panic(err) // only strings: cannot fail
	}
	return append(append([]byte(xml.Header), out...), '\n')
}

// xmlText escapes s for HTML inside the feed's content.
func xmlText(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// calEvent is one VEVENT of calendar.ics.
type calEvent struct {
	uid, summary, desc string
	day                time.Time
	owner, name        string // the owner's email, and name when known
	url                string
}

// events are the reviews due and the open actions with a due date of the
// published documents that are not retired, sorted by day, then UID.
func (s *site) events() []calEvent {
	lib := &doc.Library{Config: s.cfg, ByID: map[string]*doc.Document{}}
	for _, p := range s.pages {
		lib.Docs = append(lib.Docs, p.d)
		lib.ByID[p.d.ID] = p.d
	}
	// Reviews that count are published ones: a hidden review moves no date.
	reviews := baseline.NewReviewIndex(lib)
	names := s.authorNames()
	who := func(owner string) string {
		if n := names[strings.ToLower(strings.TrimSpace(owner))]; n != "" {
			return n + " <" + owner + ">"
		}
		return orNone(owner)
	}
	var out []calEvent
	for _, p := range s.pages {
		if p.retired {
			continue
		}
		d := p.d
		link := s.siteURL(p.url)
		if due := reviews.Due(d); !due.IsZero() {
			last := reviews.LastReviewed(d)
			out = append(out, calEvent{
				uid:     uuid5("review\x00"+s.cfg.Organization+"\x00"+d.ID) + "@rmm",
				summary: "Review due: " + d.ID + " " + d.Title,
				desc: fmt.Sprintf("%s %s is due for review (review_every %s, last approved or reviewed %s).\nOwner: %s\nPage: %s",
					d.ID, d.Title, d.ReviewEvery, last.Format("2006-01-02"), who(d.Owner), link),
				day: due, owner: d.Owner, name: names[strings.ToLower(d.Owner)], url: link,
			})
		}
		seen := map[string]int{}
		for _, a := range d.Actions {
			if a.Done || a.Due == "" {
				continue
			}
			day := check.ParseDay(a.Due)
			if day.IsZero() {
				continue
			}
			seen[a.Text]++
			owner := a.Owner
			out = append(out, calEvent{
				uid:     uuid5(fmt.Sprintf("action\x00%s\x00%s\x00%s\x00%d", s.cfg.Organization, d.ID, a.Text, seen[a.Text])) + "@rmm",
				summary: "Action due: " + a.Text,
				desc:    fmt.Sprintf("An open action of %s %s.\nOwner: %s\nPage: %s", d.ID, d.Title, who(owner), link),
				day:     day, owner: owner, name: names[strings.ToLower(owner)], url: link,
			})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].day.Equal(out[j].day) {
			return out[i].day.Before(out[j].day)
		}
		return out[i].uid < out[j].uid
	})
	return out
}

// authorNames maps the lowercased email of each author of a published
// commit to the author's name (the newest commit's, for one that changed).
func (s *site) authorNames() map[string]string {
	names := map[string]string{}
	for _, ch := range s.changes(1 << 30) {
		e := strings.ToLower(ch.c.Email)
		if _, ok := names[e]; !ok && e != "" && ch.c.Author != "" {
			names[e] = ch.c.Author
		}
	}
	return names
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(none)"
	}
	return s
}

// calendar is calendar.ics: CRLF line ends, lines folded at 75 octets.
func (s *site) calendar() []byte {
	var b bytes.Buffer
	line := func(name, value string) { writeFolded(&b, name+":"+value) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//rmm//process asset library//EN")
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	name := s.info.Title + ": reviews and actions due"
	line("X-WR-CALNAME", icsText(name))
	line("NAME", icsText(name))
	if s.cfg.BaseURL != "" {
		line("URL", s.siteURL(CalendarPath))
	}
	stamp := s.libraryTime().Format("20060102T150405Z")
	for _, e := range s.events() {
		line("BEGIN", "VEVENT")
		line("UID", icsText(e.uid))
		line("DTSTAMP", stamp)
		line("DTSTART;VALUE=DATE", e.day.Format("20060102"))
		line("DTEND;VALUE=DATE", e.day.AddDate(0, 0, 1).Format("20060102"))
		line("SUMMARY", icsText(e.summary))
		line("DESCRIPTION", icsText(e.desc))
		if mail := mailAddress(e.owner); mail != "" {
			cn := e.name
			if cn == "" {
				cn = e.owner
			}
			writeFolded(&b, "ORGANIZER;CN="+icsParam(cn)+":mailto:"+mail)
		}
		if s.cfg.BaseURL != "" {
			line("URL", e.url)
		}
		line("TRANSP", "TRANSPARENT")
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	return b.Bytes()
}

// mailAddress is owner as the address of a mailto: URI, or "" when it is
// not an email address.
func mailAddress(owner string) string {
	owner = strings.TrimSpace(owner)
	at := strings.LastIndexByte(owner, '@')
	if at <= 0 || at == len(owner)-1 || strings.ContainsAny(owner, " \t\r\n<>\"(),;:[]\\") {
		return ""
	}
	return owner
}

// icsText escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon,
// comma and newlines; other control characters are dropped.
func icsText(s string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\\', r == ';', r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
		case r < 0x20 || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// icsParam is a parameter value, quoted (RFC 5545 3.2: no DQUOTE or
// control characters inside).
func icsParam(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if r == '"' || r < 0x20 || r == 0x7f {
			continue
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// writeFolded writes a content line, folded so no line is longer than 75
// octets (RFC 5545 3.1), never inside a UTF-8 sequence, with CRLF.
func writeFolded(b *bytes.Buffer, l string) {
	limit := 75
	for len(l) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(l[cut]) {
			cut--
		}
		b.WriteString(l[:cut])
		b.WriteString("\r\n ")
		l = l[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(l)
	b.WriteString("\r\n")
}

type sitemapSet struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc string `xml:"loc"`
}

// sitemap is sitemap.xml for the site's pages (paths), or nil without
// base_url.
func (s *site) sitemap(pages []string) []byte {
	if s.cfg.BaseURL == "" {
		return nil
	}
	pages = append([]string(nil), pages...)
	sort.Strings(pages)
	if len(pages) > sitemapMax {
		s.res.Warnings = append(s.res.Warnings, fmt.Sprintf("sitemap.xml lists the first %d of %d pages (the most a sitemap holds)", sitemapMax, len(pages)))
		pages = pages[:sitemapMax]
	}
	var set sitemapSet
	for _, p := range pages {
		set.URLs = append(set.URLs, sitemapURL{Loc: s.siteURL(p)})
	}
	out, err := xml.MarshalIndent(set, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(append([]byte(xml.Header), out...), '\n')
}

// feedFiles are feed.xml, calendar.ics and, with base_url, sitemap.xml
// listing pages.
func (s *site) feedFiles(pages []string) []file {
	out := []file{{Path: FeedPath, Data: s.feed()}, {Path: CalendarPath, Data: s.calendar()}}
	if sm := s.sitemap(pages); sm != nil {
		out = append(out, file{Path: SitemapPath, Data: sm})
	}
	return out
}

// notFoundPage is 404.html. A server shows it at any depth, so its links
// start from the site's root: base_url when set, "/" in rmm serve's
// preview (which serves the site at /), else relative (right at the top).
func (s *site) notFoundPage() *pageData {
	root := ""
	switch {
	case s.o.LiveReload != "":
		root = "/"
	case s.cfg.BaseURL != "":
		root = s.cfg.BaseURL
	}
	return &pageData{Title: "Page not found", Nav: "", Root: root}
}
