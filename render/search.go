package render

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Search runs in the browser over a data file the build writes,
// assets/search-index.js, which assigns the global RMM_SEARCH so that it
// loads with a <script> tag, from file:// too (no fetch). Each entry holds
// a document's id, title, kind, page, a short snippet, and the distinct
// words of its text (lower case, in order of first use): the script matches
// every word of the query as a prefix of a word of the title, id or text,
// and ranks title matches first. Only published documents have entries.

type searchEntry struct {
	ID      string `json:"i"`
	Title   string `json:"t"`
	Kind    string `json:"k"`
	URL     string `json:"u"`
	Snippet string `json:"s"`
	Words   string `json:"w"`
	Retired bool   `json:"r,omitempty"`
}

// setSearch records the search entry of a page from the plain text of
// its body (called from the render workers).
func (s *site) setSearch(p *page, text string) {
	e := &searchEntry{ID: p.d.ID, Title: p.d.Title, Kind: p.d.Kind, URL: p.url, Retired: p.retired,
		Snippet: snippet(text, snippetLen), Words: distinctWords(text + " " + strings.Join(p.d.Tags, " "))}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.search == nil {
		s.search = map[*page]*searchEntry{}
	}
	s.search[p] = e
}

const snippetLen = 160

func (s *site) searchIndex() []byte {
	entries := make([]searchEntry, 0, len(s.pages))
	for _, p := range s.pages {
		if e := s.search[p]; e != nil {
			entries = append(entries, *e)
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].ID < entries[j].ID })
	var buf bytes.Buffer
	buf.WriteString("// Search data of the process asset library, written by rmm build.\nwindow.RMM_SEARCH = ")
	enc := json.NewEncoder(&buf) // escapes <, > and & so the data cannot close the script
	if err := enc.Encode(entries); err != nil {
		buf.WriteString("[]\n")
	}
	buf.Truncate(buf.Len() - 1)
	buf.WriteString(";\n")
	return buf.Bytes()
}

// snippet is the start of text, white space collapsed, cut at a word
// boundary near n bytes.
func snippet(text string, n int) string {
	head, more := text, false
	if len(head) > 4*n {
		cut := 4 * n
		for cut > 0 && !utf8Start(head[cut]) {
			cut--
		}
		head, more = head[:cut], true
	}
	text = strings.Join(strings.Fields(head), " ")
	if len(text) <= n {
		if more {
			return text + "…"
		}
		return text
	}
	cut := n
	for cut > 0 && !utf8Start(text[cut]) {
		cut--
	}
	if i := strings.LastIndexByte(text[:cut], ' '); i > n/2 {
		cut = i
	}
	return text[:cut] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// distinctWords lowercases text and keeps each word (a run of letters and
// digits, two or more bytes long) once, in order.
func distinctWords(text string) string {
	lower := strings.ToLower(text)
	seen := make(map[string]struct{}, 128)
	var b strings.Builder
	b.Grow(len(lower) / 4)
	start := -1
	flush := func(end int) {
		if start >= 0 && end-start >= 2 {
			w := lower[start:end]
			if _, ok := seen[w]; !ok {
				seen[w] = struct{}{}
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(w)
			}
		}
		start = -1
	}
	for i := 0; i < len(lower); {
		c := lower[i]
		var word bool
		size := 1
		if c < utf8.RuneSelf {
			word = ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || ('A' <= c && c <= 'Z')
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(lower[i:])
			word = unicode.IsLetter(r) || unicode.IsDigit(r)
		}
		if word {
			if start < 0 {
				start = i
			}
		} else {
			flush(i)
		}
		i += size
	}
	flush(len(lower))
	return b.String()
}

// searchOf returns the search entry recorded for a page.
func (s *site) searchOf(p *page) *searchEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.search[p]
}
