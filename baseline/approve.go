// Package baseline is rmm's configuration management (GG2.GP6): approvals
// that carry a document's fingerprint, the change-control rules of
// `rmm check`, and baselines cut as annotated git tags whose message holds
// a manifest of every controlled document.
//
// Start with Approve, which records an approval by editing only the front
// matter bytes it must; Create, which cuts baseline/NAME after its
// preconditions; and Verify, which recomputes a baseline's manifest from
// the tagged commit. The manifest format and the JSON shapes of the
// command line are described in FORMAT.md beside this file.
//
// Roles. A person holds a role for a document when rmm.yaml `roles` lists
// their email under it, when the role is `owner` and they are the
// document's owner, or when the role is `stakeholder` and the document
// lists them as a stakeholder with `involvement: approve`. A stakeholder's
// free-text `role` (e.g. "CISO") is a description, not a role name: the
// approval records the role `stakeholder`. Required roles come from
// rmm.yaml `approvals` for the document's kind.
package baseline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/rmm-pal/rmm/doc"
)

// RoleOwner and RoleStakeholder are the roles every document defines for
// itself: its owner, and its stakeholders with involvement approve.
const (
	RoleOwner       = "owner"
	RoleStakeholder = "stakeholder"
)

// Holds reports whether email holds role for d.
func Holds(d *doc.Document, cfg *doc.Config, email, role string) bool {
	return doc.Contains(HeldRoles(d, cfg, email), role)
}

// HeldRoles lists the roles email holds for d, sorted: rmm.yaml roles,
// owner, stakeholder.
func HeldRoles(d *doc.Document, cfg *doc.Config, email string) []string {
	var roles []string
	if cfg != nil {
		roles = cfg.RolesOf(email)
	}
	if d.Owner != "" && strings.EqualFold(d.Owner, email) && !doc.Contains(roles, RoleOwner) {
		roles = append(roles, RoleOwner)
	}
	for _, s := range d.Stakeholders {
		if s.Involvement == "approve" && strings.EqualFold(s.Who, email) && !doc.Contains(roles, RoleStakeholder) {
			roles = append(roles, RoleStakeholder)
		}
	}
	sort.Strings(roles)
	return roles
}

// RequiredRoles lists the roles that must approve d (rmm.yaml approvals
// for its kind).
func RequiredRoles(d *doc.Document, cfg *doc.Config) []string {
	if cfg == nil {
		return nil
	}
	return cfg.RequiredRoles(d.Kind)
}

// Current reports whether a is a current approval of d: it carries d's
// fingerprint, and an `owner` approval is by d's owner.
func Current(d *doc.Document, a doc.Approval) bool {
	if a.Fingerprint != d.Fingerprint {
		return false
	}
	if a.Role == RoleOwner && !strings.EqualFold(a.By, d.Owner) {
		return false
	}
	return true
}

// Missing lists the required roles of d that have no current approval, in
// the order rmm.yaml gives them.
func Missing(d *doc.Document, cfg *doc.Config) []string {
	return missingWith(d, cfg, d.Approvals)
}

func missingWith(d *doc.Document, cfg *doc.Config, as []doc.Approval) []string {
	var out []string
	for _, role := range RequiredRoles(d, cfg) {
		ok := false
		for _, a := range as {
			if a.Role == role && Current(d, a) {
				ok = true
				break
			}
		}
		if !ok {
			out = append(out, role)
		}
	}
	return out
}

// Approvers lists the current approvals of d, in file order.
func Approvers(d *doc.Document) []doc.Approval {
	var out []doc.Approval
	for _, a := range d.Approvals {
		if Current(d, a) {
			out = append(out, a)
		}
	}
	return out
}

// ErrRole is wrapped by Approve's refusal of a person who does not hold
// the role.
var ErrRole = errors.New("does not hold the role")

// Approve returns the new bytes of d's file with a appended to the front
// matter's `approvals` list. a.Fingerprint is set to d.Fingerprint and
// a.Date (required, RFC 3339) is written in UTC. When every role required
// for d's kind then has a current approval, `status` becomes `approved`
// (the key is inserted before `approvals` when absent; a retired document
// stays retired). No other byte of the file changes: comments, key order,
// quoting, line endings and the body are kept as they were.
//
// Approve refuses (an error wrapping ErrRole) when a.By does not hold
// a.Role for d; see the package comment for who holds which role.
func Approve(d *doc.Document, cfg *doc.Config, a doc.Approval) ([]byte, error) {
	if d == nil || !d.HasFrontMatter {
		return nil, fmt.Errorf("%s has no front matter to record an approval in", docPath(d))
	}
	if strings.TrimSpace(a.By) == "" {
		return nil, fmt.Errorf("an approval needs the approver's email")
	}
	if strings.TrimSpace(a.Role) == "" {
		return nil, fmt.Errorf("an approval needs a role")
	}
	if !Holds(d, cfg, a.By, a.Role) {
		held := HeldRoles(d, cfg, a.By)
		what := "no role"
		if len(held) > 0 {
			what = "the roles " + strings.Join(held, ", ")
		}
		return nil, fmt.Errorf("%s %w %s for %s (%s); they hold %s", a.By, ErrRole, a.Role, d.ID, d.Path, what)
	}
	when, err := time.Parse(time.RFC3339, a.Date)
	if err != nil {
		return nil, fmt.Errorf("approval date %q is not RFC 3339", a.Date)
	}
	a.Date = when.UTC().Format(time.RFC3339)
	a.Fingerprint = d.Fingerprint
	a.Line = 0

	e, err := newEditor(d)
	if err != nil {
		return nil, err
	}
	approved := len(missingWith(d, cfg, append(append([]doc.Approval(nil), d.Approvals...), a))) == 0
	setStatus := approved && d.Status != "approved" && d.Status != "retired"
	out, err := e.apply(a, setStatus)
	if err != nil {
		return nil, err
	}
	// Read the result back: the edit must have added exactly a, and left
	// the fingerprint and everything else as it was.
	nd, diags := doc.Parse(d.Path, out)
	if nd == nil || doc.HasErrors(diags) && !doc.HasErrors(parseDiags(d)) {
		return nil, fmt.Errorf("internal error: recording the approval in %s would break its front matter", d.Path)
	}
	if nd.Fingerprint != d.Fingerprint || len(nd.Approvals) != len(d.Approvals)+1 {
		return nil, fmt.Errorf("internal error: recording the approval in %s changed more than the approvals", d.Path)
	}
	got := nd.Approvals[len(nd.Approvals)-1]
	got.Line = 0
	if got != a {
		return nil, fmt.Errorf("internal error: the approval written to %s reads back differently", d.Path)
	}
	if setStatus && nd.Status != "approved" {
		return nil, fmt.Errorf("internal error: could not set the status of %s", d.Path)
	}
	return out, nil
}

func docPath(d *doc.Document) string {
	if d == nil {
		return "document"
	}
	return d.Path
}

func parseDiags(d *doc.Document) []doc.Diagnostic {
	_, ds := doc.Parse(d.Path, d.Raw)
	return ds
}

// editor knows where things are in a document's raw bytes.
type editor struct {
	raw   []byte
	nl    string // "\n" or "\r\n"
	lines []int  // byte offset of the start of each file line (1-based index)
	close int    // file line of the closing ---
	root  *yaml.Node
	m     *yaml.Node // the front matter mapping
}

func newEditor(d *doc.Document) (*editor, error) {
	yamlText, closeLine, _, ok, closed := doc.SplitFrontMatter(d.Raw)
	if !ok || !closed {
		return nil, fmt.Errorf("%s: front matter has no closing --- line", d.Path)
	}
	e := &editor{raw: d.Raw, nl: "\n", close: closeLine}
	if i := bytes.IndexByte(d.Raw, '\n'); i > 0 && d.Raw[i-1] == '\r' {
		e.nl = "\r\n"
	}
	e.lines = []int{0, 0}
	for i, b := range d.Raw {
		if b == '\n' {
			e.lines = append(e.lines, i+1)
		}
	}
	e.lines = append(e.lines, len(d.Raw)) // sentinel: one past the last line
	var root yaml.Node
	if err := yaml.Unmarshal(yamlText, &root); err != nil {
		return nil, fmt.Errorf("%s: front matter is not valid YAML: %v", d.Path, err)
	}
	if len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: front matter is not a mapping", d.Path)
	}
	e.root, e.m = &root, root.Content[0]
	return e, nil
}

// lineStart is the byte offset where file line l starts; l may be one past
// the last line.
func (e *editor) lineStart(l int) int {
	if l >= len(e.lines) {
		return len(e.raw)
	}
	return e.lines[l]
}

// lineEnd is the offset of the end of file line l, before its line break.
func (e *editor) lineEnd(l int) int {
	s := e.lineStart(l)
	i := bytes.IndexByte(e.raw[s:], '\n')
	if i < 0 {
		return len(e.raw)
	}
	end := s + i
	if end > s && e.raw[end-1] == '\r' {
		end--
	}
	return end
}

// offset of a yaml node (its line and column are relative to the YAML,
// which starts on file line 2).
func (e *editor) offset(n *yaml.Node) int {
	return e.lineStart(n.Line+1) + columnBytes(e.raw[e.lineStart(n.Line+1):], n.Column-1)
}

// columnBytes turns a column counted in runes into a byte count.
func columnBytes(line []byte, col int) int {
	off := 0
	for i := 0; i < col && off < len(line); i++ {
		_, size := utf8.DecodeRune(line[off:])
		off += size
	}
	return off
}

func (e *editor) key(name string) (k, v *yaml.Node) {
	for i := 0; i+1 < len(e.m.Content); i += 2 {
		if e.m.Content[i].Value == name {
			k, v = e.m.Content[i], e.m.Content[i+1]
		}
	}
	return k, v
}

// maxLine is the last YAML line of any node below n.
func maxLine(n *yaml.Node) int {
	l := n.Line
	for _, c := range n.Content {
		if m := maxLine(c); m > l {
			l = m
		}
	}
	return l
}

type edit struct {
	at, end int // replace raw[at:end]
	text    string
}

func (e *editor) apply(a doc.Approval, setStatus bool) ([]byte, error) {
	var edits []edit
	ak, av := e.key("approvals")
	insertAt := e.lineStart(e.close) // before the closing ---
	if ak != nil {
		insertAt = e.lineStart(ak.Line + 1)
	}
	if setStatus {
		sk, sv := e.key("status")
		if sk != nil {
			if sv.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("status is not a plain value")
			}
			at := e.offset(sv)
			end := scalarEnd(e.raw, at, e.lineEnd(sv.Line+1))
			edits = append(edits, edit{at, end, "approved"})
		} else {
			edits = append(edits, edit{insertAt, insertAt, "status: approved" + e.nl})
		}
	}
	switch {
	case ak == nil:
		edits = append(edits, edit{insertAt, insertAt, "approvals:" + e.nl + e.block(a, "  ")})
	case av.Kind == yaml.SequenceNode && av.Style&yaml.FlowStyle != 0:
		at := e.offset(av)
		end, err := flowEnd(e.raw, at)
		if err != nil {
			return nil, fmt.Errorf("approvals: %v", err)
		}
		sep := ", "
		if len(av.Content) == 0 {
			sep = ""
		}
		edits = append(edits, edit{end, end, sep + flowItem(a)})
	case av.Kind == yaml.SequenceNode && len(av.Content) > 0:
		first := av.Content[0]
		// The dash of an item sits before its content on the item's line.
		ls := e.lineStart(first.Line + 1)
		line := e.raw[ls:e.lineEnd(first.Line+1)]
		dash := bytes.IndexByte(line, '-')
		if dash < 0 {
			return nil, fmt.Errorf("approvals: cannot find the list's dash")
		}
		indent := string(line[:dash])
		if strings.Trim(indent, " ") != "" {
			return nil, fmt.Errorf("approvals: unusual list layout")
		}
		after := e.lineStart(maxLine(av) + 2)
		edits = append(edits, edit{after, after, e.block(a, indent)})
	case av.Kind == yaml.ScalarNode && av.Tag == "!!null":
		// `approvals:` or `approvals: ~` with nothing: drop the null token
		// and put the list below.
		lineNo := ak.Line + 1
		end := e.lineEnd(lineNo)
		if av.Line == ak.Line && av.Value != "" {
			at := e.offset(av)
			tokEnd := scalarEnd(e.raw, at, end)
			// Keep what follows (a comment), remove the token and the space before it.
			start := at
			for start > 0 && (e.raw[start-1] == ' ' || e.raw[start-1] == '\t') {
				start--
			}
			edits = append(edits, edit{start, tokEnd, ""})
		}
		next := e.lineStart(lineNo + 1)
		edits = append(edits, edit{next, next, e.block(a, "  ")})
	default:
		return nil, fmt.Errorf("approvals must be a list")
	}
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].at < edits[j].at })
	var out bytes.Buffer
	prev := 0
	for _, ed := range edits {
		out.Write(e.raw[prev:ed.at])
		out.WriteString(ed.text)
		prev = ed.end
	}
	out.Write(e.raw[prev:])
	return out.Bytes(), nil
}

// block writes a as a block list item with the dash at indent.
func (e *editor) block(a doc.Approval, indent string) string {
	var b strings.Builder
	pad := indent + "  "
	first := true
	for _, kv := range fields(a) {
		if first {
			b.WriteString(indent + "- ")
			first = false
		} else {
			b.WriteString(pad)
		}
		b.WriteString(kv[0] + ": " + scalar(kv[1], false) + e.nl)
	}
	return b.String()
}

func flowItem(a doc.Approval) string {
	var parts []string
	for _, kv := range fields(a) {
		parts = append(parts, kv[0]+": "+scalar(kv[1], true))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func fields(a doc.Approval) [][2]string {
	f := [][2]string{{"by", a.By}, {"role", a.Role}, {"date", a.Date}}
	if a.Meaning != "" {
		f = append(f, [2]string{"meaning", a.Meaning})
	}
	return append(f, [2]string{"fingerprint", a.Fingerprint})
}

var plainSafe = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9@._+/ -]*[A-Za-z0-9@._+/-])?$`)

// scalar writes s as a YAML scalar: plain when it reads back as the same
// string, else double-quoted (a JSON string is a valid YAML one). Dates are
// quoted so that YAML reads them as strings, not timestamps.
func scalar(s string, flow bool) string {
	if plainSafe.MatchString(s) {
		var n yaml.Node
		if yaml.Unmarshal([]byte("k: "+s), &n) == nil && len(n.Content) == 1 {
			v := n.Content[0].Content[1]
			if v.Tag == "!!str" && v.Value == s {
				return s
			}
		}
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// scalarEnd returns the end offset of the scalar token starting at at,
// not passing lineEnd: a quoted scalar ends at its closing quote, a plain
// one before a comment or trailing blanks.
func scalarEnd(raw []byte, at, lineEnd int) int {
	if at >= lineEnd {
		return at
	}
	switch raw[at] {
	case '"':
		for i := at + 1; i < lineEnd; i++ {
			if raw[i] == '\\' {
				i++
				continue
			}
			if raw[i] == '"' {
				return i + 1
			}
		}
		return lineEnd
	case '\'':
		for i := at + 1; i < lineEnd; i++ {
			if raw[i] == '\'' {
				if i+1 < lineEnd && raw[i+1] == '\'' {
					i++
					continue
				}
				return i + 1
			}
		}
		return lineEnd
	}
	end := lineEnd
	for i := at; i < lineEnd; i++ {
		if raw[i] == '#' && i > at && (raw[i-1] == ' ' || raw[i-1] == '\t') {
			end = i
			break
		}
	}
	for end > at && (raw[end-1] == ' ' || raw[end-1] == '\t') {
		end--
	}
	return end
}

// flowEnd returns the offset of the `]` that closes the flow sequence
// starting at at.
func flowEnd(raw []byte, at int) (int, error) {
	depth := 0
	for i := at; i < len(raw); i++ {
		switch c := raw[i]; c {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				if c != ']' {
					return 0, fmt.Errorf("unbalanced brackets")
				}
				return i, nil
			}
		case '"':
			for i++; i < len(raw) && raw[i] != '"'; i++ {
				if raw[i] == '\\' {
					i++
				}
			}
		case '\'':
			for i++; i < len(raw); i++ {
				if raw[i] == '\'' {
					if i+1 < len(raw) && raw[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
		case '#':
			if i > 0 && (raw[i-1] == ' ' || raw[i-1] == '\t') {
				for i < len(raw) && raw[i] != '\n' {
					i++
				}
			}
		}
	}
	return 0, fmt.Errorf("flow list has no closing ]")
}
