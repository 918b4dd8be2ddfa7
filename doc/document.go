package doc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"go.yaml.in/yaml/v3"
)

// Stakeholder is one entry of a document's stakeholders list.
type Stakeholder struct {
	Who         string `yaml:"who" json:"who"`
	Role        string `yaml:"role" json:"role"`
	Involvement string `yaml:"involvement" json:"involvement"`
	Line        int    `yaml:"-" json:"-"`
}

// Approval is one recorded approval, written by `rmm approve`.
type Approval struct {
	By          string `yaml:"by" json:"by"`
	Role        string `yaml:"role" json:"role"`
	Date        string `yaml:"date" json:"date"`
	Meaning     string `yaml:"meaning,omitempty" json:"meaning,omitempty"`
	Fingerprint string `yaml:"fingerprint" json:"fingerprint"`
	Line        int    `yaml:"-" json:"-"`
}

// Document is one Markdown file of the library.
type Document struct {
	Path string // slash-separated, relative to the repository root
	Raw  []byte // the file's bytes

	HasFrontMatter bool
	// Front is the front matter decoded as generic YAML values, used for the
	// fingerprint and for keys this model does not name.
	Front map[string]any
	// Lines gives the 1-based line in the file of every front matter key.
	Lines map[string]int
	// FrontEnd is the 1-based line of the closing `---` (0 without front matter).
	FrontEnd int
	// BodyLine is the 1-based line of the file where the body starts.
	BodyLine int
	Body     []byte

	ID, Kind, Title, Owner, Status string
	ProcessArea, Unit, Sensitivity string
	Control, ReviewEvery           string
	SupersededBy                   string
	Stakeholders                   []Stakeholder
	Approvals                      []Approval
	Tags                           []string

	// Defined processes.
	Tailors, Base string
	// Evaluations and reviews.
	Evaluates []string
	Evaluator string
	Date      string
	Covers    []string
	// Measures.
	Target      *float64
	MeasureUnit string
	Direction   string
	Data        string
	Period      string // how old the latest data may be (default 3mo)
	// Reviews: the id of the event that caused an event-driven review.
	Trigger string
	// Training records (with Date and Covers).
	Attendees []string
	Trainer   string
	// Lessons and proposals.
	Affects       []string
	Source        string
	Cites         []string
	ImplementedIn string

	Sections []*Section
	Refs     []Ref
	Actions  []Action

	// Fingerprint is the SHA-256 of the canonical content, see Fingerprint.
	Fingerprint string

	// parseDiags are the diagnostics Parse returned, kept so that a later
	// Load can reuse the document (LoadOptions.Previous).
	parseDiags []Diagnostic
	// table is the measure data read from the body, see MeasureData.
	table *tableData
	// blob is the git blob id of Raw when the load knew it (KnownBlob).
	blob string
}

// KnownBlob is the git blob id of d.Raw when the load that read d knew it
// without hashing again: the stamp cache keeps it with the bytes, since
// the run that first read the file hashed them (LoadOptions.BlobID).
// It is "" when unknown; the caller hashes d.Raw itself then.
func (d *Document) KnownBlob() string { return d.blob }

// Line returns the line of a front matter key, or the first line of the
// file when the key is absent.
func (d *Document) Line(key string) int {
	if l, ok := d.Lines[key]; ok {
		return l
	}
	return 1
}

// Controlled reports whether the document is under formal configuration
// management (`control: baseline`, the default for policy, plan, standard
// and process).
func (d *Document) Controlled() bool {
	if d.Control != "" {
		return d.Control == "baseline"
	}
	switch d.Kind {
	case "policy", "plan", "standard", "process":
		return true
	}
	return false
}

// EffectiveStatus is the status, with its default.
func (d *Document) EffectiveStatus() string {
	if d.Status != "" {
		return d.Status
	}
	if d.Kind == "proposal" {
		return "proposed"
	}
	return "draft"
}

// Section returns the section with the given id, or nil.
func (d *Document) Section(id string) *Section {
	for _, s := range d.Sections {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// KnownKeys are the front matter keys rmm understands.
var KnownKeys = []string{"id", "kind", "title", "owner", "status", "process_area", "unit",
	"sensitivity", "control", "review_every", "stakeholders", "approvals", "superseded_by", "tags",
	"tailors", "base", "evaluates", "evaluator", "date", "covers", "target", "measure_unit",
	"direction", "data", "affects", "source", "cites", "implemented_in",
	"period", "trigger", "attendees", "trainer"}

// SplitFrontMatter finds the front matter of a file. It returns the YAML
// text, the line (1-based) where the YAML starts, the line of the closing
// delimiter, and the offset where the body starts. ok is false when the file
// does not start with a `---` line; closed is false when no closing line
// was found.
func SplitFrontMatter(data []byte) (yamlText []byte, closeLine int, bodyOff int, ok, closed bool) {
	rest := data
	if bytes.HasPrefix(rest, []byte("\xef\xbb\xbf")) {
		rest = rest[3:]
	}
	first, after, found := cutLine(rest)
	if !found && len(after) == 0 && strings.TrimRight(string(first), " \t\r") != "---" {
		return nil, 0, 0, false, false
	}
	if strings.TrimRight(string(first), " \t\r") != "---" {
		return nil, 0, 0, false, false
	}
	start := len(data) - len(after)
	off := start
	line := 2
	for off < len(data) {
		l, next, _ := cutLine(data[off:])
		t := strings.TrimRight(string(l), " \t\r")
		if t == "---" || t == "..." {
			return data[start:off], line, len(data) - len(next), true, true
		}
		off = len(data) - len(next)
		line++
	}
	return data[start:], line - 1, len(data), true, false
}

// cutLine splits off the first line (without its newline).
func cutLine(b []byte) (line, rest []byte, found bool) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i], b[i+1:], true
	}
	return b, nil, false
}

// lineOf returns the 1-based line of byte offset off in data, where CR,
// CRLF and LF each end a line (as NormaliseLineEndings makes them).
func lineOf(data []byte, off int) int {
	if off > len(data) {
		off = len(data)
	}
	b := data[:off]
	n := bytes.Count(b, []byte("\n")) + 1
	for i := bytes.IndexByte(b, '\r'); i >= 0; {
		if i+1 >= len(data) || data[i+1] != '\n' {
			n++ // a lone CR; a CR of a CRLF is counted with its LF
		}
		j := bytes.IndexByte(b[i+1:], '\r')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return n
}

// NormaliseLineEndings returns data with every CRLF and every lone CR
// turned into LF: the one text that the front matter, the body's parse and
// the fingerprint are computed from, so that no byte can be a line ending
// to one of them and not to another. Data without CR is returned as it is
// (no copy).
func NormaliseLineEndings(data []byte) []byte {
	i := bytes.IndexByte(data, '\r')
	if i < 0 {
		return data
	}
	out := make([]byte, 0, len(data))
	for i >= 0 {
		out = append(out, data[:i]...)
		out = append(out, '\n')
		data = data[i+1:]
		if len(data) > 0 && data[0] == '\n' {
			data = data[1:]
		}
		i = bytes.IndexByte(data, '\r')
	}
	return append(out, data...)
}

// Parse reads one document. Diagnostics carry the path and line of what is
// wrong; a document that cannot be parsed at all is returned as nil.
//
// Raw is data as given; everything else is read from data with its line
// endings normalised (NormaliseLineEndings): the front matter, the body
// goldmark parses, Body and the fingerprint. Lines count CR, CRLF and LF
// alike.
func Parse(path string, data []byte) (*Document, []Diagnostic) {
	return parse(path, data, nil)
}

// parse is Parse, giving the body's goldmark tree to onBody when set.
func parse(path string, data []byte, onBody func(*Document, ast.Node)) (*Document, []Diagnostic) {
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, size := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		return nil, []Diagnostic{Errorf(path, lineOf(data, off), "utf8", "invalid UTF-8 (byte 0x%02x at offset %d)", data[off], off)}
	}
	d := &Document{Path: path, Raw: data, Lines: map[string]int{}, table: &tableData{}}
	data = NormaliseLineEndings(data)
	yamlText, closeLine, bodyOff, ok, closed := SplitFrontMatter(data)
	var diags []Diagnostic
	if !ok {
		d.Kind = "note"
		d.ID = IDFromPath(path)
		d.Body = data
		d.BodyLine = 1
		d.Title = titleFromBody(data, path)
	} else {
		if !closed {
			return nil, []Diagnostic{Errorf(path, 1, "yaml", "front matter starts with --- but has no closing --- line")}
		}
		d.HasFrontMatter = true
		d.FrontEnd = closeLine
		d.Body = data[bodyOff:]
		d.BodyLine = closeLine + 1
		var root yaml.Node
		if err := yaml.Unmarshal(yamlText, &root); err != nil {
			return nil, []Diagnostic{yamlError(path, yamlText, 1, err)}
		}
		var m *yaml.Node
		if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
			m = root.Content[0]
		}
		if m == nil || m.Kind != yaml.MappingNode {
			line := 2
			what := "empty"
			if m != nil {
				line = m.Line + 1
				what = nodeKindName(m)
			}
			return nil, []Diagnostic{Errorf(path, line, "yaml", "front matter must be a mapping of keys to values, not %s", what)}
		}
		if err := m.Decode(&d.Front); err != nil {
			return nil, []Diagnostic{yamlError(path, yamlText, 1, err)}
		}
		diags = d.decodeKeys(m)
	}
	if d.Kind == "" && !d.HasFrontMatter {
		d.Kind = "note"
	}
	parseBody(d, onBody)
	d.Fingerprint = Fingerprint(d.Front, d.Body)
	return d, diags
}

func nodeKindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("the scalar %q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "that"
}

// yamlError turns a yaml.v3 error into a diagnostic with the line in the
// file. offset is the file line just before the YAML text (1 for front
// matter, which starts after the `---` line; 0 for rmm.yaml).
//
// yaml.v3 puts a line in its messages, but for syntax errors it is often
// the line where the enclosing construct started, off by one, or missing
// (errors met at the end of the input). So for syntax errors the line is
// found by parsing growing prefixes of the text: the first line whose
// prefix no longer parses is the culprit (an unclosed `[` or quote, a stray
// `key: value: more`). Decoding errors (a key given twice) carry exact
// lines and are taken from the message.
func yamlError(path string, yamlText []byte, offset int, err error) Diagnostic {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	decoding := strings.HasPrefix(msg, "unmarshal errors:")
	if m := yamlLineRe.FindStringSubmatchIndex(msg); m != nil {
		n, _ := strconv.Atoi(msg[m[2]:m[3]])
		line = n
		msg = strings.TrimSpace(msg[m[1]:])
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		msg = yamlAtLineRe.ReplaceAllStringFunc(msg, func(s string) string {
			n, _ := strconv.Atoi(strings.TrimPrefix(s, "at line "))
			return "at line " + strconv.Itoa(n+offset)
		})
	}
	if !decoding && bytes.Count(yamlText, []byte("\n")) <= 2000 {
		line = firstBadLine(yamlText)
	}
	line += offset
	if line < 1 {
		line = 1
	}
	return Errorf(path, line, "yaml", "invalid YAML front matter: %s", msg)
}

var (
	yamlLineRe   = regexp.MustCompile(`line (\d+): `)
	yamlAtLineRe = regexp.MustCompile(`at line \d+`)
)

// firstBadLine returns the 1-based line of text whose prefix up to and
// including it no longer parses, or 1.
func firstBadLine(text []byte) int {
	lines := bytes.SplitAfter(text, []byte("\n"))
	var prefix []byte
	for i, l := range lines {
		prefix = append(prefix, l...)
		var n yaml.Node
		if yaml.Unmarshal(prefix, &n) != nil {
			return i + 1
		}
	}
	return 1
}

// decodeKeys fills the typed fields from the mapping, one key at a time, so
// that a value of the wrong type is reported at its own line.
//
// A key whose key or value carries a YAML tag is refused (see refuseTags)
// and not read; so is a value rmm reads as text that YAML reads as
// something else spelt another way (see text).
func (d *Document) decodeKeys(m *yaml.Node) []Diagnostic {
	var diags []Diagnostic
	bad := func(k, v *yaml.Node, want string) {
		diags = append(diags, Errorf(d.Path, v.Line+1, "type", "%s must be %s", k.Value, want))
	}
	// text is the text of a scalar rmm reads as a string, ok false when
	// it is refused. The fingerprint covers the value YAML resolves (the
	// number 31 for 0x1F), the typed field the text: when the text is
	// not how that value is written back (31), two spellings would be one
	// fingerprint, so the value must be quoted.
	text := func(k, v *yaml.Node) (string, bool) {
		if canon, ok := canonicalText(v); !ok {
			diags = append(diags, Errorf(d.Path, v.Line+1, "yaml-scalar",
				"%s: YAML reads %s as %s, not as the text written: put it in quotes (%q)", k.Value, v.Value, canon, v.Value))
			return "", false
		}
		return v.Value, true
	}
	str := func(k, v *yaml.Node, dst *string) {
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			if v.Tag != "!!null" {
				bad(k, v, "a string")
			}
			return
		}
		if t, ok := text(k, v); ok {
			*dst = t
		}
	}
	list := func(k, v *yaml.Node, dst *[]string) {
		switch v.Kind {
		case yaml.ScalarNode:
			if v.Tag == "!!null" {
				return
			}
			if t, ok := text(k, v); ok {
				*dst = []string{t}
			}
		case yaml.SequenceNode:
			for _, e := range v.Content {
				if e.Kind != yaml.ScalarNode {
					bad(k, e, "a list of strings")
					continue
				}
				if t, ok := text(k, e); ok {
					*dst = append(*dst, t)
				}
			}
		default:
			bad(k, v, "a list of strings")
		}
	}
	refused := map[*yaml.Node]bool{}
	diags = append(diags, d.refuseTags(m, refused)...)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if _, dup := d.Lines[k.Value]; dup {
			diags = append(diags, Errorf(d.Path, k.Line+1, "yaml", "key %s appears twice", k.Value))
		}
		d.Lines[k.Value] = k.Line + 1
		if refused[k] || refused[v] {
			continue
		}
		switch k.Value {
		case "id":
			str(k, v, &d.ID)
		case "kind":
			str(k, v, &d.Kind)
		case "title":
			str(k, v, &d.Title)
		case "owner":
			str(k, v, &d.Owner)
		case "status":
			str(k, v, &d.Status)
		case "process_area":
			str(k, v, &d.ProcessArea)
		case "unit":
			str(k, v, &d.Unit)
		case "sensitivity":
			str(k, v, &d.Sensitivity)
		case "control":
			str(k, v, &d.Control)
		case "review_every":
			str(k, v, &d.ReviewEvery)
		case "superseded_by":
			str(k, v, &d.SupersededBy)
		case "tags":
			list(k, v, &d.Tags)
		case "tailors":
			str(k, v, &d.Tailors)
		case "base":
			str(k, v, &d.Base)
		case "evaluates":
			list(k, v, &d.Evaluates)
		case "evaluator":
			str(k, v, &d.Evaluator)
		case "date":
			str(k, v, &d.Date)
		case "covers":
			list(k, v, &d.Covers)
		case "target":
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				break // `target:` with no value is no target, not 0
			}
			var f float64
			if v.Kind != yaml.ScalarNode || v.Decode(&f) != nil {
				bad(k, v, "a number")
			} else {
				d.Target = &f
			}
		case "measure_unit":
			str(k, v, &d.MeasureUnit)
		case "direction":
			str(k, v, &d.Direction)
		case "data":
			str(k, v, &d.Data)
		case "affects":
			list(k, v, &d.Affects)
		case "source":
			str(k, v, &d.Source)
		case "cites":
			list(k, v, &d.Cites)
		case "implemented_in":
			str(k, v, &d.ImplementedIn)
		case "period":
			str(k, v, &d.Period)
		case "trigger":
			str(k, v, &d.Trigger)
		case "attendees":
			list(k, v, &d.Attendees)
		case "trainer":
			str(k, v, &d.Trainer)
		case "stakeholders":
			if v.Kind != yaml.SequenceNode {
				if v.Tag != "!!null" {
					bad(k, v, "a list of {who, role, involvement}")
				}
				continue
			}
			for _, e := range v.Content {
				var s Stakeholder
				if e.Kind != yaml.MappingNode || e.Decode(&s) != nil {
					bad(k, e, "a list of {who, role, involvement}")
					continue
				}
				plain := true
				for j := 0; j+1 < len(e.Content); j += 2 {
					if f := e.Content[j+1]; f.Kind == yaml.ScalarNode {
						if _, ok := text(e.Content[j], f); !ok {
							plain = false
						}
					}
				}
				if !plain {
					continue
				}
				s.Line = e.Line + 1
				d.Stakeholders = append(d.Stakeholders, s)
			}
		case "approvals":
			if v.Kind != yaml.SequenceNode {
				if v.Tag != "!!null" {
					bad(k, v, "a list of {by, role, date, meaning, fingerprint}")
				}
				continue
			}
			for _, e := range v.Content {
				var a Approval
				if e.Kind != yaml.MappingNode || e.Decode(&a) != nil {
					bad(k, e, "a list of {by, role, date, meaning, fingerprint}")
					continue
				}
				a.Line = e.Line + 1
				d.Approvals = append(d.Approvals, a)
			}
		}
	}
	return diags
}

// refuseTags reports every YAML tag in the front matter but !!str (which
// only says what a plain value is anyway: its text), and every merge key
// (`<<`), each at its own line, and marks the top-level keys and values
// that hold one in refused. A tag makes a value something other than what
// is written: `!!binary` base64 whose decoded bytes the fingerprint covers
// while the page shows the text, `!!int` on a title, a custom `!foo` that
// nothing here gives a meaning to. A merge key adds keys that the
// fingerprint sees and the typed fields do not. Aliases are not followed:
// what they point at is checked where it is written.
func (d *Document) refuseTags(m *yaml.Node, refused map[*yaml.Node]bool) []Diagnostic {
	var diags []Diagnostic
	var walk func(n *yaml.Node) bool
	walk = func(n *yaml.Node) bool {
		found := false
		if n.Style&yaml.TaggedStyle != 0 && n.ShortTag() != "!!str" {
			diags = append(diags, Errorf(d.Path, n.Line+1, "yaml-tag",
				"the YAML tag %s is not allowed in front matter: write the value itself, without a tag", n.ShortTag()))
			found = true
		}
		if n.Kind == yaml.AliasNode {
			return found
		}
		for i, c := range n.Content {
			if n.Kind == yaml.MappingNode && i%2 == 0 && c.Kind == yaml.ScalarNode && c.ShortTag() == "!!merge" {
				diags = append(diags, Errorf(d.Path, c.Line+1, "yaml-tag",
					"the merge key << is not allowed in front matter: write the keys out"))
				found = true
			}
			if walk(c) {
				found = true
			}
		}
		return found
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			diags = append(diags, Errorf(d.Path, k.Line+1, "yaml-tag",
				"the merge key << is not allowed in front matter: write the keys out"))
			refused[k] = true
		}
		if walk(k) {
			refused[k] = true
		}
		if walk(v) {
			refused[v] = true
		}
	}
	return diags
}

// canonicalText reports whether a scalar rmm reads as text is written the
// way its YAML value is: always for strings, null and quoted or tagged
// scalars, and for plain numbers, booleans and dates when the text is the
// value's own spelling (2026, 1.5, true, 2026-05-08; not 0x1F, 1e3, True
// or 2026-3-1). When not, canon is that spelling.
func canonicalText(v *yaml.Node) (canon string, ok bool) {
	if v.Kind != yaml.ScalarNode || v.Style != 0 {
		return "", true
	}
	switch v.ShortTag() {
	case "!!int", "!!float", "!!bool", "!!timestamp":
	default:
		return "", true
	}
	var x any
	if v.Decode(&x) != nil {
		return "", true
	}
	x = normalise(x)
	if s, isString := x.(string); isString {
		canon = s
	} else {
		b, err := json.Marshal(x)
		if err != nil {
			return "", true
		}
		canon = string(b)
	}
	return canon, canon == v.Value
}

// titleFromBody gives an uncontrolled note a title: its first heading, else
// its file name.
func titleFromBody(body []byte, path string) string {
	for _, l := range strings.Split(string(body), "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "# ") {
			return strings.TrimSpace(l[2:])
		}
	}
	name := path[strings.LastIndexByte(path, '/')+1:]
	return strings.TrimSuffix(name, ".md")
}
