package render

import (
	"bytes"
	"encoding/json"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"

	"github.com/rmm-pal/rmm/doc"
)

// Search runs in the browser over a data file the build writes,
// assets/search-index.js, which assigns the global RMM_SEARCH so that it
// loads with a <script> tag, from file:// too (no fetch). The data is
//
//	{"v":2, "n":{email: name}, "d":[entry, ...]}
//
// with one entry per published document: its id, title, kind, page, tags,
// the people it names (evaluator, trainer, attendees, stakeholders,
// approvers, owner: role, who as written, the anchor of the page's part
// that shows them) and its text cut at every heading into sections, each with
// the id of its heading as the page renders it, the heading's text and the
// section's plain text, white space collapsed. Every text is stored once:
// the script splits it into terms when the box is first used and keeps
// its own term dictionary, so the file stays about the size of the
// documents' text (bench/searchsize.sh measures it). "n" names, by email,
// the people the entries name, as the commits of the published documents
// call them; a person no published document names is not in it. Only
// published documents have entries, and a name comes only from the history
// of a published page.

type searchEntry struct {
	ID       string          `json:"i"`
	Title    string          `json:"t"`
	Kind     string          `json:"k"`
	URL      string          `json:"u"`
	Retired  bool            `json:"r,omitempty"`
	Tags     []string        `json:"g,omitempty"`
	People   [][3]string     `json:"p,omitempty"` // role, who, anchor
	Sections []searchSection `json:"s,omitempty"`
}

type searchSection struct {
	Anchor  string `json:"a,omitempty"` // heading id; "" is the top of the page
	Heading string `json:"h,omitempty"`
	Text    string `json:"x,omitempty"`
}

// The anchors of the parts of a document page that show people.
const (
	approvalsAnchor    = "rmm-approvals"
	stakeholdersAnchor = "rmm-stakeholders"
)

// setSearch records the search entry of a page from the sections of its
// rendered body (called from the render workers); stakeholders tells
// whether the page shows its stakeholders' table.
func (s *site) setSearch(p *page, secs []searchSection, stakeholders bool) {
	d := p.d
	e := &searchEntry{ID: d.ID, Title: d.Title, Kind: d.Kind, URL: p.url, Retired: p.retired, Tags: d.Tags, Sections: secs}
	add := func(role, who, anchor string) {
		if who = strings.TrimSpace(who); who != "" {
			e.People = append(e.People, [3]string{role, who, anchor})
		}
	}
	add("evaluator", d.Evaluator, "")
	add("trainer", d.Trainer, "")
	for _, a := range d.Attendees {
		add("attendee", a, "")
	}
	sa := ""
	if stakeholders {
		sa = stakeholdersAnchor
	}
	for _, st := range d.Stakeholders {
		add("stakeholder", st.Who, sa)
	}
	for _, a := range d.Approvals {
		add("approver", a.By, approvalsAnchor)
	}
	add("owner", d.Owner, "") // last: the most specific role names a result
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.search == nil {
		s.search = map[*page]*searchEntry{}
	}
	s.search[p] = e
}

// searchIndex is the content of assets/search-index.js.
func (s *site) searchIndex() []byte {
	entries := make([]*searchEntry, 0, len(s.pages))
	named := map[string]bool{}
	for _, p := range s.pages {
		if e := s.search[p]; e != nil {
			entries = append(entries, e)
			for _, pe := range e.People {
				named[strings.ToLower(pe[1])] = true
			}
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].ID < entries[j].ID })
	// Names by email, from the commits of published pages: the latest
	// commit of a person names them.
	names := map[string]string{}
	when := map[string]int64{}
	for _, p := range s.pages {
		for _, c := range p.history {
			em := strings.ToLower(strings.TrimSpace(c.Email))
			if !named[em] || strings.TrimSpace(c.Author) == "" || strings.EqualFold(c.Author, c.Email) {
				continue
			}
			if t := c.Date.UnixNano(); names[em] == "" || t > when[em] || t == when[em] && c.Author < names[em] {
				names[em], when[em] = strings.TrimSpace(c.Author), t
			}
		}
	}
	if c := s.o.Keys; c == nil || !c.onClose {
		return searchIndexOnce(names, entries)
	}
	codes := s.entryCodes(entries)
	// The same bytes as encoding/json's Encoder gives the struct
	// {"v":2,"n":names,"w":postings,"d":entries} (its keys sorted, <, >
	// and & escaped so the data cannot close the script), with each
	// entry's encoding made once per entry (entryCodes).
	var buf bytes.Buffer
	buf.WriteString(searchPreamble)
	n, err1 := json.Marshal(names)
	if err1 != nil {
		buf.WriteString(`{"v":2,"n":{},"d":[]}`)
	} else {
		buf.WriteString(`{"v":2,"n":`)
		buf.Write(n)
		buf.WriteString(`,"w":`)
		buf.Write(appendPostings(nil, textPostings(codes)))
		buf.WriteString(`,"d":[`)
		for i, c := range codes {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.Write(c.json)
		}
		buf.WriteString(`]}`)
	}
	buf.WriteString(";\n")
	return buf.Bytes()
}

// searchIndexOnce is searchIndex for a build that is not followed by
// another in the same process (rmm build): nothing is kept for reuse, so
// the text is split into terms as it is read, and the memory peak is the
// index being written (keeping every entry's encoding and terms for a
// rebuild, as entryCodes does for rmm serve, raised the peak of a cold
// build at 10,000 documents from 539 MB to 711 MB in bench/build.sh).
//
// The bytes are those encoding/json gives the struct {"v":2,"n":names,
// "w":postings,"d":entries} (keys sorted; <, > and & escaped so the data
// cannot close the script), as searchIndex writes them.
func searchIndexOnce(names map[string]string, entries []*searchEntry) []byte {
	// One pass: splitting the entries across the cores, as serve's
	// textPostings does, gained nothing measurable here (cold builds at
	// 10,000 documents into tmpfs: 5.45 to 6.63 s split, 5.51 to 5.82 s
	// not; peak 544 to 595 MB split, 530 to 562 MB not), as the pages
	// keep both cores busy until the index is made.
	lists := map[string]*postingList{}
	n := 0
	for _, e := range entries {
		for _, sec := range e.Sections {
			eachTerm(sec.Text, func(t string) { lists[t] = lists[t].add(n) })
			n++
		}
	}
	// One buffer, written in order: the index is the peak of a cold
	// build's memory, and a copy of a part (the entries are 40 MB at
	// 10,000 documents) would add to it.
	nm, err := json.Marshal(names)
	if err != nil {
		return []byte(searchPreamble + `{"v":2,"n":{},"d":[]};` + "\n")
	}
	// Sized once for all of it: grown by doubling, the buffer was 105 MB
	// in use for a 43 MB index at 10,000 documents (RMM_MEMPROFILE).
	b := make([]byte, 0, searchIndexSize(len(nm), lists, entries))
	b = append(append(b, searchPreamble+`{"v":2,"n":`...), nm...)
	b = append(b, `,"w":`...)
	b = appendPostings(b, lists)
	b = append(b, `,"d":`...)
	b = appendEntriesJSON(b, entries)
	return append(b, "};\n"...)
}

// searchIndexSize is about the length of the index searchIndexOnce
// writes, a little more: its text as encoded, with room for the escapes
// JSON adds (an eighth) and each field's name and punctuation.
func searchIndexSize(names int, lists map[string]*postingList, entries []*searchEntry) int {
	n := len(searchPreamble) + names + 64
	for t, l := range lists {
		n += len(t) + len(l.b) + 6
	}
	for _, e := range entries {
		n += len(e.ID) + len(e.Title) + len(e.Kind) + len(e.URL) + 48
		for _, g := range e.Tags {
			n += len(g) + 3
		}
		for _, p := range e.People {
			n += len(p[0]) + len(p[1]) + len(p[2]) + 12
		}
		for _, sec := range e.Sections {
			n += len(sec.Anchor) + len(sec.Heading) + len(sec.Text) + 24
		}
	}
	return n + n/8
}

// splitRuns splits [0, n) into at most k runs of about equal length, in
// order.
func splitRuns(n, k int) [][2]int {
	k = max(1, min(k, n))
	var out [][2]int
	for i := 0; i < k; i++ {
		if lo, hi := i*n/k, (i+1)*n/k; hi > lo || n == 0 {
			out = append(out, [2]int{lo, hi})
		}
	}
	return out
}

// joinPostings joins the postings of consecutive runs of sections: every
// section of parts[i] comes before every section of parts[i+1].
func joinPostings(parts []map[string]*postingList) map[string]*postingList {
	if len(parts) == 0 {
		return map[string]*postingList{}
	}
	out := parts[0]
	for _, m := range parts[1:] {
		for t, l := range m {
			out[t] = out[t].join(l)
		}
	}
	return out
}

// appendPostings appends the JSON object of lists, term to list, with the
// bytes encoding/json gives a map[string]string: keys sorted byte-wise,
// each string escaped as encoding/json escapes. A term is letters and
// numbers (eachTerm) and a list base-36 digits and spaces, so most need
// no escaping; any other byte goes through encoding/json. Encoding the
// map by reflection was most of the index's encoding time.
func appendPostings(b []byte, lists map[string]*postingList) []byte {
	terms := make([]string, 0, len(lists))
	for t := range lists {
		terms = append(terms, t)
	}
	sort.Strings(terms)
	b = append(b, '{')
	for i, t := range terms {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, t)
		b = append(b, ':')
		b = appendJSONString(b, string(lists[t].b))
	}
	return append(b, '}')
}

// appendJSONString appends s as encoding/json encodes a string (with
// its HTML escaping, as json.Marshal and a default Encoder do): <, > and
// & as \u003c, \u003e and \u0026, control characters as \n, \r, \t,
// \b, \f or \u00XX, invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
// Written here because encoding the search entries by reflection was
// 0.12 s of CPU in every rebuild at 10,000 documents (a CPU profile of
// rmm build); TestAppendJSONStringIsEncodingJSON and FuzzSearchEntryJSON
// hold it to encoding/json's bytes.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendEntryJSON appends e as json.Marshal encodes it: the fields in
// the order of searchEntry, those marked omitempty left out when empty.
func appendEntryJSON(b []byte, e *searchEntry) []byte {
	b = append(b, `{"i":`...)
	b = appendJSONString(b, e.ID)
	b = append(b, `,"t":`...)
	b = appendJSONString(b, e.Title)
	b = append(b, `,"k":`...)
	b = appendJSONString(b, e.Kind)
	b = append(b, `,"u":`...)
	b = appendJSONString(b, e.URL)
	if e.Retired {
		b = append(b, `,"r":true`...)
	}
	if len(e.Tags) > 0 {
		b = append(b, `,"g":[`...)
		for i, t := range e.Tags {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, t)
		}
		b = append(b, ']')
	}
	if len(e.People) > 0 {
		b = append(b, `,"p":[`...)
		for i, p := range e.People {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			b = appendJSONString(b, p[0])
			b = append(b, ',')
			b = appendJSONString(b, p[1])
			b = append(b, ',')
			b = appendJSONString(b, p[2])
			b = append(b, ']')
		}
		b = append(b, ']')
	}
	if len(e.Sections) > 0 {
		b = append(b, `,"s":[`...)
		for i, sec := range e.Sections {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			sep := false
			for _, f := range [...]struct{ name, v string }{{`"a":`, sec.Anchor}, {`"h":`, sec.Heading}, {`"x":`, sec.Text}} {
				if f.v == "" {
					continue
				}
				if sep {
					b = append(b, ',')
				}
				b = append(b, f.name...)
				b = appendJSONString(b, f.v)
				sep = true
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendEntriesJSON appends entries as json.Marshal encodes the slice
// (null when nil).
func appendEntriesJSON(b []byte, entries []*searchEntry) []byte {
	if entries == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, e := range entries {
		if i > 0 {
			b = append(b, ',')
		}
		if e == nil {
			b = append(b, "null"...)
			continue
		}
		b = appendEntryJSON(b, e)
	}
	return append(b, ']')
}

const searchPreamble = "// Search data of the process asset library, written by rmm build.\nwindow.RMM_SEARCH = "

// postingList is one term's list of sections (textPostings).
type postingList struct {
	first, last int
	b           []byte
}

// join appends m, whose sections all come after l's, to l (nil: m).
func (l *postingList) join(m *postingList) *postingList {
	if l == nil {
		return m
	}
	// m's first number is absolute; after l's last it is a difference.
	rest := m.b[len(strconv.AppendInt(nil, int64(m.first), 36)):]
	l.b = append(l.b, ' ')
	l.b = strconv.AppendInt(l.b, int64(m.first-l.last), 36)
	l.b = append(l.b, rest...)
	l.last = m.last
	return l
}

// add adds section n to l (nil: a new list), once however often the
// section holds the term.
func (l *postingList) add(n int) *postingList {
	switch {
	case l == nil:
		l = &postingList{first: n, last: n}
		l.b = strconv.AppendInt(l.b, int64(n), 36)
	case l.last != n:
		l.b = append(l.b, ' ')
		l.b = strconv.AppendInt(l.b, int64(n-l.last), 36)
		l.last = n
	}
	return l
}

// entryCode is what the search index holds of one entry: its JSON and the
// distinct terms of each of its sections.
type entryCode struct {
	json  []byte
	terms [][]string
}

// entryCodes encodes the entries, on every core; an entry the last build
// of this process encoded (o.Keys: a page reused keeps its entry) is
// taken from there, so a rebuild encodes only the pages it rendered.
func (s *site) entryCodes(entries []*searchEntry) []*entryCode {
	out := make([]*entryCode, len(entries))
	c := s.o.Keys
	var todo []int
	if c != nil {
		c.mu.Lock()
		for i, e := range entries {
			if ec := c.codes[e]; ec != nil {
				out[i] = ec
			} else {
				todo = append(todo, i)
			}
		}
		c.mu.Unlock()
	} else {
		for i := range entries {
			todo = append(todo, i)
		}
	}
	var wg sync.WaitGroup
	var next atomic.Int64
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				j := int(next.Add(1)) - 1
				if j >= len(todo) {
					return
				}
				i := todo[j]
				out[i] = encodeEntry(entries[i])
			}
		}()
	}
	wg.Wait()
	if c != nil {
		codes := make(map[*searchEntry]*entryCode, len(entries))
		for i, e := range entries {
			codes[e] = out[i]
		}
		c.mu.Lock()
		c.codes = codes
		c.mu.Unlock()
	}
	return out
}

func encodeEntry(e *searchEntry) *entryCode {
	ec := &entryCode{json: appendEntryJSON(nil, e), terms: make([][]string, len(e.Sections))}
	seen := map[string]bool{}
	for i, sec := range e.Sections {
		clear(seen)
		var ts []string
		eachTerm(sec.Text, func(t string) {
			if !seen[t] {
				seen[t] = true
				ts = append(ts, t)
			}
		})
		ec.terms[i] = ts
	}
	return ec
}

// textPostings is the term dictionary of the sections' text: for every
// term, the sections whose text holds it, numbered across the entries in
// order (the first entry's sections first), as the differences between
// consecutive numbers in base 36, separated by spaces ("0 2 a": sections
// 0, 2 and 12). A term is a run of letters and numbers, lower case, as
// the script splits a query; the script reads a term's list only when a
// query needs it, so loading the index costs no pass over the text.
//
// Each core makes the postings of a run of entries; the runs are joined
// in order.
func textPostings(codes []*entryCode) map[string]*postingList {
	first := make([]int, len(codes)+1)
	for i, c := range codes {
		first[i+1] = first[i] + len(c.terms)
	}
	parts := splitRuns(len(codes), runtime.GOMAXPROCS(0))
	lists := make([]map[string]*postingList, len(parts))
	var wg sync.WaitGroup
	for p, r := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := map[string]*postingList{}
			n := first[r[0]]
			for _, c := range codes[r[0]:r[1]] {
				for _, ts := range c.terms {
					for _, t := range ts {
						m[t] = m[t].add(n)
					}
					n++
				}
			}
			lists[p] = m
		}()
	}
	wg.Wait()
	return joinPostings(lists)
}

// eachTerm calls f with every term of s, lower case: runs of letters and
// numbers, as the search script splits text. ASCII text (most of it) is
// read a byte at a time and lowered without allocating when it is lower
// case already.
func eachTerm(s string, f func(string)) {
	start := -1
	upper := false
	emit := func(t string) {
		if upper {
			t = strings.ToLower(t)
		}
		f(t)
		start, upper = -1, false
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
				if start < 0 {
					start = i
				}
			case 'A' <= c && c <= 'Z':
				if start < 0 {
					start = i
				}
				upper = true
			default:
				if start >= 0 {
					emit(s[start:i])
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			if start < 0 {
				start = i
			}
			upper = true // lowered by strings.ToLower, as before
		} else if start >= 0 {
			emit(s[start:i])
		}
		i += size
	}
	if start >= 0 {
		emit(s[start:])
	}
}

// searchSections cuts the plain text of a rendered body at its headings:
// a section per heading, with the heading's id (as rendered: the id the
// page's element carries) and text, and the text before the first heading
// as a section with no anchor. White space is collapsed; an empty section
// with no heading is left out.
func searchSections(root ast.Node, src []byte) []searchSection {
	out, _ := searchSectionsTop(root, src)
	return out
}

// searchSectionsTop is searchSections, also giving the indexes of the
// sections whose anchor is the id of a heading at the top of the body
// (a child of root): the ids a linker's idPrefix goes before.
func searchSectionsTop(root ast.Node, src []byte) ([]searchSection, []int) {
	var out []searchSection
	var top []int
	var cur searchSection
	curTop := false
	var text, head spaced
	sb := &text
	flush := func() {
		cur.Text = text.String()
		cur.Heading = head.String()
		if cur.Anchor != "" || cur.Heading != "" || cur.Text != "" {
			if curTop && cur.Anchor != "" {
				top = append(top, len(out))
			}
			out = append(out, cur)
		}
		cur, curTop = searchSection{}, false
		text.reset()
		head.reset()
	}
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			if _, ok := n.(*ast.Heading); ok {
				sb = &text
			} else if n.Type() == ast.TypeBlock {
				sb.writeByte(' ')
			}
			return ast.WalkContinue, nil
		}
		switch t := n.(type) {
		case *ast.Heading:
			flush()
			curTop = t.Parent() == root
			if id, ok := t.AttributeString("id"); ok {
				switch v := id.(type) {
				case []byte:
					cur.Anchor = string(v)
				case string:
					cur.Anchor = v
				}
			}
			sb = &head
		case *ast.Text:
			sb.write(t.Segment.Value(src))
			if t.SoftLineBreak() || t.HardLineBreak() {
				sb.writeByte(' ')
			}
		case *ast.String:
			sb.write(t.Value)
		case *ast.CodeSpan:
			sb.writeString(doc.PlainText(t, src))
			return ast.WalkSkipChildren, nil
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			lines := n.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				sb.write(seg.Value(src))
				sb.writeByte(' ')
			}
		case *ast.AutoLink:
			sb.write(t.Label(src))
		case *doc.WikiLink:
			sb.writeString(t.Target)
		}
		return ast.WalkContinue, nil
	})
	flush()
	return out, top
}

// spaced gathers text with its white space collapsed as it is written:
// String is strings.Join(strings.Fields(all), " ") of everything written
// since the last reset, without splitting it into words (searchSections
// wrote a library's text twice over that way).
type spaced struct {
	b     []byte
	space bool   // white space written since the last word
	part  []byte // the start of a rune the next write ends
}

func (s *spaced) write(p []byte) {
	if len(s.part) > 0 {
		p = append(s.part, p...)
		s.part = nil
	}
	for i := 0; i < len(p); {
		c := p[i]
		if c < utf8.RuneSelf {
			if asciiSpace[c] {
				s.space = true
			} else {
				s.word()
				s.b = append(s.b, c)
			}
			i++
			continue
		}
		if !utf8.FullRune(p[i:]) {
			s.part = append([]byte(nil), p[i:]...)
			return
		}
		r, n := utf8.DecodeRune(p[i:])
		if unicode.IsSpace(r) {
			s.space = true
		} else {
			s.word()
			s.b = append(s.b, p[i:i+n]...)
		}
		i += n
	}
}

func (s *spaced) writeString(t string) { s.write([]byte(t)) }

func (s *spaced) writeByte(c byte) {
	if c < utf8.RuneSelf && asciiSpace[c] && len(s.part) == 0 {
		s.space = true
		return
	}
	s.write([]byte{c})
}

// word puts the space before a word, when one was written.
func (s *spaced) word() {
	if s.space && len(s.b) > 0 {
		s.b = append(s.b, ' ')
	}
	s.space = false
}

// String is the text written so far; a rune left unfinished is its bytes.
func (s *spaced) String() string {
	if len(s.part) > 0 {
		s.word()
		s.b = append(s.b, s.part...)
		s.part = nil
	}
	return string(s.b)
}

func (s *spaced) reset() { s.b, s.space, s.part = s.b[:0], false, nil }

// asciiSpace is strings.Fields' ASCII white space.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// searchOf returns the search entry recorded for a page.
func (s *site) searchOf(p *page) *searchEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.search[p]
}
