package baseline

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// TagPrefix is the prefix of every baseline tag.
const TagPrefix = "baseline/"

// ManifestVersion is the version line of the manifest this package writes.
// Version 2 added the previous line; version 1 manifests are still read.
const ManifestVersion = "2"

// Manifest is what a baseline tag's message holds, plus what the tag
// itself says (name, tag object, tagger, date). Its JSON form is the one
// `rmm baseline show --json` prints; see FORMAT.md.
type Manifest struct {
	Name   string `json:"name"`   // NAME, without baseline/
	Tag    string `json:"tag"`    // baseline/NAME
	Object string `json:"object"` // hash of the tag object
	Target string `json:"target"` // commit the tag points at
	Commit string `json:"commit"` // commit the manifest names
	// Version is the manifest's format version (1 or 2).
	Version int `json:"version"`
	// Previous is the baseline this one was cut after, as the manifest's
	// previous line says: "baseline/NAME", or "-" for the first; "" in a
	// version 1 manifest, which does not say.
	Previous  string  `json:"previous,omitempty"`
	Tagger    Person  `json:"tagger"`
	Date      string  `json:"date"` // tagger date, RFC 3339
	Summary   string  `json:"summary"`
	Documents []Entry `json:"documents"`
	Root      string  `json:"root"`
	// Warnings are approval provenance warnings found while creating the
	// baseline (Create only).
	Warnings []string `json:"warnings,omitempty"`

	when time.Time
	// sorted is set where Documents is made in ID order (a parsed
	// manifest found so, a created one): Entry then need not scan it for
	// an id the binary search did not find, which made every check of a
	// library with 4,480 documents outside a baseline of 5,520 scan 25
	// million entries (80 ms).
	sorted bool
	// partial is set on a manifest of List's tag cache: its header
	// without its entries (see whole).
	partial bool
}

// Person is a tagger or approver.
type Person struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Entry is one controlled document of a baseline.
type Entry struct {
	ID          string     `json:"id"`
	Path        string     `json:"path"`
	Blob        string     `json:"blob"`
	Fingerprint string     `json:"fingerprint"`
	Approvers   []Approver `json:"approvers"`
}

// Approver is one current approval of a document in a baseline.
type Approver struct {
	Role string `json:"role"`
	By   string `json:"by"`
}

// When is the tag's date.
func (m *Manifest) When() time.Time { return m.when }

// Entry returns the entry of id, or nil.
func (m *Manifest) Entry(id string) *Entry {
	i := sort.Search(len(m.Documents), func(i int) bool { return m.Documents[i].ID >= id })
	if i < len(m.Documents) && m.Documents[i].ID == id {
		return &m.Documents[i]
	}
	if m.sorted {
		return nil
	}
	for j := range m.Documents { // perhaps not sorted (an edited manifest)
		if m.Documents[j].ID == id {
			return &m.Documents[j]
		}
	}
	return nil
}

// RootHash is the hex SHA-256 over the sorted lines "ID FINGERPRINT\n" of
// entries.
func RootHash(entries []Entry) string {
	lines := make([]string, len(entries))
	for i, e := range entries {
		lines[i] = e.ID + " " + e.Fingerprint + "\n"
	}
	sort.Strings(lines)
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Entries computes the manifest entries of lib: every controlled document
// (control: baseline, see doc.Document.Controlled) with an id, sorted by
// id. blob gives the git blob hash of a path.
func Entries(lib *doc.Library, blob func(path string) (string, bool)) []Entry {
	var out []Entry
	for _, d := range lib.Docs {
		if !d.HasFrontMatter || d.ID == "" || !d.Controlled() || lib.ByID[d.ID] != d {
			continue
		}
		b, ok := blob(d.Path)
		if !ok {
			b = repo.BlobHash(d.Raw)
		}
		e := Entry{ID: d.ID, Path: d.Path, Blob: b, Fingerprint: d.Fingerprint, Approvers: []Approver{}}
		for _, a := range Approvers(d) {
			e.Approvers = append(e.Approvers, Approver{Role: a.Role, By: a.By})
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Message writes the tag message: the summary, a blank line, then the
// manifest (see FORMAT.md), in the manifest's version (a version 1
// manifest is written as version 1, so that ParseMessage reads back what
// it read; new manifests are version 2).
func (m *Manifest) Message() string {
	var b strings.Builder
	b.WriteString(strings.TrimRight(m.Summary, "\r\n"))
	if m.Version == 1 {
		b.WriteString("\n\nrmm-baseline: 1\n")
		b.WriteString("commit: " + m.Commit + "\n")
	} else {
		b.WriteString("\n\nrmm-baseline: " + ManifestVersion + "\n")
		b.WriteString("commit: " + m.Commit + "\n")
		prev := m.Previous
		if prev == "" {
			prev = "-"
		}
		b.WriteString("previous: " + prev + "\n")
	}
	for _, e := range m.Documents {
		var as []string
		for _, a := range e.Approvers {
			as = append(as, escape(a.Role, true)+"="+escape(a.By, true))
		}
		approvers := "-"
		if len(as) > 0 {
			approvers = strings.Join(as, ",")
		}
		fmt.Fprintf(&b, "%s %s %s %s %s\n", e.ID, escape(e.Path, false), e.Blob, e.Fingerprint, approvers)
	}
	b.WriteString("root: " + m.Root + "\n")
	return b.String()
}

// escape percent-encodes bytes that would break a manifest line: '%',
// space and control bytes, and in approver fields ',' and '='.
func escape(s string, approver bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' || c <= ' ' || c == 0x7f || approver && (c == ',' || c == '=') {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func unescape(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("bad escape in %q", s)
		}
		v, err := hex.DecodeString(s[i+1 : i+3])
		if err != nil {
			return "", fmt.Errorf("bad escape in %q", s)
		}
		b.WriteByte(v[0])
		i += 2
	}
	return b.String(), nil
}

// normaliseBreaks turns CRLF (and any run of CRs before a LF) into LF, in
// one pass: what is left holds no "\r\n".
func normaliseBreaks(s string) string {
	if !strings.Contains(s, "\r\n") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	crs := 0 // CRs seen and not written yet
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\r':
			crs++
		case '\n':
			crs = 0
			b.WriteByte('\n')
		default:
			for ; crs > 0; crs-- {
				b.WriteByte('\r')
			}
			b.WriteByte(c)
		}
	}
	for ; crs > 0; crs-- {
		b.WriteByte('\r')
	}
	return b.String()
}

// ParseMessage reads the manifest of a tag message. The manifest starts at
// the last line "rmm-baseline: VERSION" that follows a blank line; what is
// before is the summary. Its lines come in a fixed order: version, commit,
// previous (version 2 only), one line per document, root. Errors name the
// line of the message. Version 1 manifests, which name no previous
// baseline, are read too (Previous is then "").
func ParseMessage(msg string) (*Manifest, error) {
	msg = normaliseBreaks(msg)
	start := -1
	if strings.HasPrefix(msg, "rmm-baseline: ") {
		start = 0
	}
	if i := strings.LastIndex(msg, "\n\nrmm-baseline: "); i >= 0 {
		start = i + 2
	}
	if start < 0 {
		return nil, fmt.Errorf("the tag message holds no manifest (no line \"rmm-baseline: %s\")", ManifestVersion)
	}
	m := &Manifest{Summary: strings.TrimRight(msg[:start], "\r\n"), Documents: []Entry{}}
	base := strings.Count(msg[:start], "\n")
	lines := strings.Split(strings.TrimRight(msg[start:], "\n"), "\n")
	seenRoot := false
	header := 2 // version and commit lines, then previous in version 2
	for i, l := range lines {
		n := base + i + 1
		bad := func(format string, args ...any) error {
			return fmt.Errorf("manifest line %d: %s", n, fmt.Sprintf(format, args...))
		}
		if seenRoot {
			return nil, bad("text after the root line")
		}
		switch {
		case i == 0:
			switch v := strings.TrimPrefix(l, "rmm-baseline: "); v {
			case "1":
				m.Version = 1
			case "2":
				m.Version, header = 2, 3
			default:
				return nil, bad("manifest version %q is not one this rmm reads (1 or %s): a newer rmm wrote it?", v, ManifestVersion)
			}
		case i == 1:
			v, ok := strings.CutPrefix(l, "commit: ")
			if !ok {
				return nil, bad("want \"commit: HASH\" after the version line")
			}
			if !isHex(v, 40) {
				return nil, bad("commit %q is not a 40-digit hash", v)
			}
			m.Commit = v
		case i == 2 && header == 3:
			v, ok := strings.CutPrefix(l, "previous: ")
			if !ok {
				return nil, bad("want \"previous: baseline/NAME\" (or \"previous: -\") after the commit line")
			}
			if v != "-" {
				name, ok := strings.CutPrefix(v, TagPrefix)
				if !ok || CheckName(name) != nil {
					return nil, bad("previous %q is not \"-\" or baseline/NAME", v)
				}
			}
			m.Previous = v
		case strings.HasPrefix(l, "root: "):
			m.Root = strings.TrimPrefix(l, "root: ")
			if !isHex(m.Root, 64) {
				return nil, bad("root %q is not a 64-digit hash", m.Root)
			}
			seenRoot = true
		default:
			e, err := parseEntry(l)
			if err != nil {
				return nil, bad("%v", err)
			}
			m.Documents = append(m.Documents, e)
		}
	}
	if len(lines) < header {
		return nil, fmt.Errorf("the manifest ends before its header is complete (cut short?)")
	}
	if !seenRoot {
		return nil, fmt.Errorf("the manifest has no root line (cut short?)")
	}
	m.sorted = sort.SliceIsSorted(m.Documents, func(i, j int) bool { return m.Documents[i].ID < m.Documents[j].ID })
	return m, nil
}

// parseEntry reads one document line: ID PATH BLOB FINGERPRINT APPROVERS.
func parseEntry(l string) (Entry, error) {
	f := strings.Split(l, " ")
	if len(f) != 5 {
		return Entry{}, fmt.Errorf("want \"ID PATH BLOB FINGERPRINT APPROVERS\", got %d fields", len(f))
	}
	if f[0] == "" {
		return Entry{}, fmt.Errorf("a document line has no id")
	}
	p, err := unescape(f[1])
	if err != nil {
		return Entry{}, err
	}
	if p == "" {
		return Entry{}, fmt.Errorf("%s has no path", f[0])
	}
	if !isHex(f[2], 40) || !isHex(f[3], 64) {
		return Entry{}, fmt.Errorf("blob or fingerprint is not a hash")
	}
	e := Entry{ID: f[0], Path: p, Blob: f[2], Fingerprint: f[3], Approvers: []Approver{}}
	if f[4] != "-" {
		for _, a := range strings.Split(f[4], ",") {
			role, by, ok := strings.Cut(a, "=")
			if !ok {
				return Entry{}, fmt.Errorf("approver %q is not ROLE=EMAIL", a)
			}
			role, err1 := unescape(role)
			by, err2 := unescape(by)
			if err1 != nil || err2 != nil {
				return Entry{}, fmt.Errorf("approver %q: bad escape", a)
			}
			e.Approvers = append(e.Approvers, Approver{Role: role, By: by})
		}
	}
	return e, nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// FromTag reads the manifest of a baseline tag.
func FromTag(t *repo.Tag) (*Manifest, error) {
	if !t.Annotated {
		return nil, fmt.Errorf("%s is a lightweight tag: it has no manifest", t.Name)
	}
	m, err := ParseMessage(t.Message)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Name, err)
	}
	fill(m, t)
	return m, nil
}

func fill(m *Manifest, t *repo.Tag) {
	m.Tag = t.Name
	m.Name = strings.TrimPrefix(t.Name, TagPrefix)
	m.Object = t.Ref
	m.Target = t.Target
	m.Tagger = Person{Name: t.Tagger.Name, Email: t.Tagger.Email}
	m.when = t.Tagger.When
	if !t.Tagger.When.IsZero() {
		m.Date = t.Tagger.When.Format(time.RFC3339)
	}
}
