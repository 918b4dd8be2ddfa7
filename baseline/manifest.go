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
const ManifestVersion = "1"

// Manifest is what a baseline tag's message holds, plus what the tag
// itself says (name, tag object, tagger, date). Its JSON form is the one
// `rmm baseline show --json` prints; see FORMAT.md.
type Manifest struct {
	Name      string  `json:"name"`   // NAME, without baseline/
	Tag       string  `json:"tag"`    // baseline/NAME
	Object    string  `json:"object"` // hash of the tag object
	Target    string  `json:"target"` // commit the tag points at
	Commit    string  `json:"commit"` // commit the manifest names
	Tagger    Person  `json:"tagger"`
	Date      string  `json:"date"` // tagger date, RFC 3339
	Summary   string  `json:"summary"`
	Documents []Entry `json:"documents"`
	Root      string  `json:"root"`
	// Warnings are approval provenance warnings found while creating the
	// baseline (Create only).
	Warnings []string `json:"warnings,omitempty"`

	when time.Time
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
	for j := range m.Documents { // not sorted (an edited manifest)
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
// manifest (see FORMAT.md).
func (m *Manifest) Message() string {
	var b strings.Builder
	b.WriteString(strings.TrimRight(m.Summary, "\n"))
	b.WriteString("\n\nrmm-baseline: " + ManifestVersion + "\n")
	b.WriteString("commit: " + m.Commit + "\n")
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

// ParseMessage reads the manifest of a tag message. The manifest starts at
// the last line "rmm-baseline: VERSION" that follows a blank line; what is
// before is the summary. Errors name the line of the message.
func ParseMessage(msg string) (*Manifest, error) {
	msg = strings.ReplaceAll(msg, "\r\n", "\n")
	start := -1
	if strings.HasPrefix(msg, "rmm-baseline: ") {
		start = 0
	}
	if i := strings.LastIndex(msg, "\n\nrmm-baseline: "); i >= 0 {
		start = i + 2
	}
	if start < 0 {
		return nil, fmt.Errorf("the tag message holds no manifest (no line \"rmm-baseline: 1\")")
	}
	m := &Manifest{Summary: strings.TrimRight(msg[:start], "\n"), Documents: []Entry{}}
	base := strings.Count(msg[:start], "\n")
	lines := strings.Split(strings.TrimRight(msg[start:], "\n"), "\n")
	seenRoot := false
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
			if v := strings.TrimPrefix(l, "rmm-baseline: "); v != ManifestVersion {
				return nil, bad("manifest version %q is not %s (a newer rmm wrote it?)", v, ManifestVersion)
			}
		case strings.HasPrefix(l, "commit: "):
			m.Commit = strings.TrimPrefix(l, "commit: ")
			if !isHex(m.Commit, 40) {
				return nil, bad("commit %q is not a 40-digit hash", m.Commit)
			}
		case strings.HasPrefix(l, "root: "):
			m.Root = strings.TrimPrefix(l, "root: ")
			seenRoot = true
		default:
			f := strings.Split(l, " ")
			if len(f) != 5 {
				return nil, bad("want \"ID PATH BLOB FINGERPRINT APPROVERS\", got %d fields", len(f))
			}
			p, err := unescape(f[1])
			if err != nil {
				return nil, bad("%v", err)
			}
			if !isHex(f[2], 40) || !isHex(f[3], 64) {
				return nil, bad("blob or fingerprint is not a hash")
			}
			e := Entry{ID: f[0], Path: p, Blob: f[2], Fingerprint: f[3], Approvers: []Approver{}}
			if f[4] != "-" {
				for _, a := range strings.Split(f[4], ",") {
					role, by, ok := strings.Cut(a, "=")
					if !ok {
						return nil, bad("approver %q is not ROLE=EMAIL", a)
					}
					role, err1 := unescape(role)
					by, err2 := unescape(by)
					if err1 != nil || err2 != nil {
						return nil, bad("approver %q: bad escape", a)
					}
					e.Approvers = append(e.Approvers, Approver{Role: role, By: by})
				}
			}
			m.Documents = append(m.Documents, e)
		}
	}
	if m.Commit == "" {
		return nil, fmt.Errorf("the manifest has no commit line")
	}
	if !seenRoot {
		return nil, fmt.Errorf("the manifest has no root line (cut short?)")
	}
	return m, nil
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
