package render

import (
	"html/template"
	"sort"
	"strings"
	"time"
)

// People are named by email in front matter (owners, approvers, action
// owners) and by name in the history. The site shows the name beside the
// email, taking the name from the newest commit of a published document
// authored with that email; an email that authored none is shown alone.

// nameOf is the name of the person with email addr, or "".
func (s *site) nameOf(addr string) string {
	s.namesOnce.Do(func() {
		s.names = map[string]string{}
		when := map[string]time.Time{}
		for _, p := range s.pages {
			for _, c := range p.history {
				e := strings.ToLower(strings.TrimSpace(c.Email))
				if e == "" || strings.TrimSpace(c.Author) == "" || strings.EqualFold(c.Author, c.Email) {
					continue
				}
				if t, ok := when[e]; !ok || c.Date.After(t) || c.Date.Equal(t) && c.Author < s.names[e] {
					when[e], s.names[e] = c.Date, c.Author
				}
			}
		}
	})
	if !strings.Contains(addr, "@") {
		return ""
	}
	return s.names[strings.ToLower(strings.TrimSpace(addr))]
}

// peopleKey lists, for the rebuild cache, the names a document's page
// shows beside its emails.
func (s *site) peopleKey(emails []string) []string {
	out := make([]string, 0, len(emails))
	for _, e := range emails {
		out = append(out, e+"="+s.nameOf(e))
	}
	sort.Strings(out)
	return out
}

// timeOf shows an RFC 3339 time as the site shows times: the date, then
// the time in UTC ("2026-03-30 16:10 UTC"). A date alone stays as it is;
// text that is neither is shown as written.
func timeOf(v string) string {
	v = strings.TrimSpace(v)
	if len(v) <= 10 {
		return v
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return v
	}
	return commitTime(t)
}

// commitTime is how the site shows the time of a commit or an approval.
func commitTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04") + " UTC"
}

// keepIDs escapes text for HTML and keeps every id in it on one line
// (a hyphen is a line break opportunity: "EVAL-" / "2026-01").
func keepIDs(s string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range findIDs(s) {
		b.WriteString(template.HTMLEscapeString(s[last:m[0]]))
		b.WriteString(`<span class="nowrap">`)
		b.WriteString(template.HTMLEscapeString(s[m[0]:m[1]]))
		b.WriteString(`</span>`)
		last = m[1]
	}
	b.WriteString(template.HTMLEscapeString(s[last:]))
	return template.HTML(b.String())
}

// findIDs finds document ids (and other hyphenated codes) in running
// text (IMC-PLAN, EVAL-2026-01): what the regexp
// \b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\b finds, without the regexp: it
// ran on every commit subject of every page's history, 0.38 s of CPU in
// 10,000 pages (BenchmarkDocPageTemplate). Each run of [A-Z0-9] can only
// be taken whole (a boundary never falls inside one), so a match from a
// capital after a boundary takes its run and every following "-run", and
// ends after the last one a boundary follows. TestFindIDsIsTheRegexp
// holds it to the regexp.
func findIDs(s string) [][2]int {
	var out [][2]int
	for i := 0; i < len(s); i++ {
		if !isUpper(s[i]) || i > 0 && isWordByte(s[i-1]) {
			continue
		}
		j := i + 1
		for j < len(s) && isUpperOrDigit(s[j]) {
			j++
		}
		end := -1 // the last group's end with a boundary after it
		for j+1 < len(s) && s[j] == '-' && isUpperOrDigit(s[j+1]) {
			j += 2
			for j < len(s) && isUpperOrDigit(s[j]) {
				j++
			}
			if j == len(s) || !isWordByte(s[j]) {
				end = j
			}
		}
		if end < 0 {
			continue
		}
		out = append(out, [2]int{i, end})
		i = end - 1
	}
	return out
}

func isUpper(c byte) bool        { return 'A' <= c && c <= 'Z' }
func isUpperOrDigit(c byte) bool { return isUpper(c) || '0' <= c && c <= '9' }

// isWordByte is \w as regexp's \b reads it: ASCII letters, digits and _.
func isWordByte(c byte) bool {
	return isUpperOrDigit(c) || 'a' <= c && c <= 'z' || c == '_'
}
