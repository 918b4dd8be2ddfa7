// Package tailor composes a unit's defined process from a standard process
// and the tailoring operations the unit wrote (SPEC section 5, CERT-RMM
// GG3.GP1), and holds the tailoring rules of `rmm check`.
//
// Start with ParseOps, which reads the operations of a defined process, and
// Compose, a pure function of the standard as it is now and those
// operations. Matrix and Suspects compare defined processes with the
// history of their standards (through check.Context.At); Rules are the
// check rules. FORMAT.md documents the JSON the command line prints.
//
// Composition works on the tree of the standard's sections: a section owns
// its subsections.
//   - .suppress X leaves X and all its subsections out.
//   - .replace X keeps X's heading (id, title, level) and swaps everything
//     under it, its own text and its subsections, for the operation's body.
//   - .extend X appends the operation's body to X's own text, before X's
//     subsections: the extension belongs to the section it names, not to its
//     last subsection.
//   - .add after=A puts a new section right after A's whole subtree, at A's
//     level; A may be a section added by an earlier operation.
//
// Operations apply in document order. Headings inside an operation's body
// are shifted so that they nest under the section they end up in.
package tailor

import (
	"sort"
	"strings"

	"github.com/rmm-pal/rmm/doc"
)

// Operation kinds, the classes of an operation's heading.
const (
	Suppress = "suppress"
	Replace  = "replace"
	Extend   = "extend"
	Add      = "add"
)

// OpKinds lists the operation kinds in the order the spec gives them.
var OpKinds = []string{Suppress, Replace, Extend, Add}

// Rule names of the diagnostics this package reports.
const (
	RuleOperation = "tailor-operation" // unknown class, or a heading with none
	RuleTarget    = "tailor-target"    // target or after= section missing, add id taken
	RuleRequired  = "tailor-required"  // a .required section suppressed or replaced
	RuleRationale = "tailor-rationale" // no Rationale: paragraph
	RuleConflict  = "tailor-conflict"  // two operations on one section, or one lost under another
	RuleStandard  = "tailor-standard"  // tailors names something that is not a standard
	RuleUnit      = "tailor-unit"      // unit missing or not in rmm.yaml
	RuleBase      = "tailor-base"      // base missing or not a commit
	RuleSuspect   = "suspect"          // the standard changed since base
)

// Op is one tailoring operation: a heading of a defined process with an
// operation class, and what follows it up to the next operation.
type Op struct {
	Kind      string `json:"operation"` // suppress, replace, extend or add
	Target    string `json:"section"`   // the standard's section id, or the new id for add
	After     string `json:"after,omitempty"`
	Title     string `json:"title"`
	Rationale string `json:"rationale"`
	// Body is the Markdown after the Rationale paragraph, including any
	// subsection headings (as written; Compose shifts their levels).
	Body string `json:"-"`
	Line int    `json:"line"` // line of the heading in the file
	// Level is the level of the operation's heading.
	Level int `json:"-"`

	heads []int // offsets in Body of ATX heading lines
}

// Section is one section of an effective defined process.
type Section struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Level int    `json:"level"`
	// Body is the section's Markdown, its heading excluded. For a replaced or
	// added section it is the operation's whole body, subsection headings
	// included (shifted to nest under this one).
	Body      string `json:"body"`
	Op        string `json:"operation,omitempty"` // "", replace, extend or add
	Rationale string `json:"rationale,omitempty"`
	Required  bool   `json:"required,omitempty"`
}

// Defined is a defined process: a standard with a unit's operations applied.
type Defined struct {
	Standard, Process *doc.Document
	// Preamble is the standard's text before its first heading.
	Preamble string
	// Sections is the effective process in order; suppressed sections are
	// left out.
	Sections []Section
	// Ops are the operations in document order, the tailoring record.
	Ops []Op
	// Suppressed lists the ids of the standard's sections left out
	// (suppressed ones and their subsections; replaced sections' former
	// subsections are not listed).
	Suppressed []string
}

// ParseOps reads the operations of a defined process. Every heading must
// carry exactly one operation class, except headings nested inside an
// operation (they are part of its body) and a leading level-1 title with no
// class at all. Diagnostics: unknown class or none (tailor-operation), no
// Rationale paragraph (tailor-rationale), .add without after= (tailor-target).
func ParseOps(d *doc.Document) ([]Op, []doc.Diagnostic) {
	var ops []Op
	var diags []doc.Diagnostic
	body := string(d.Body)
	secs := d.Sections
	isOp := make([]bool, len(secs))
	for i, s := range secs {
		for _, c := range s.Classes {
			if doc.Contains(OpKinds, c) {
				isOp[i] = true
			}
		}
	}
	var cur *doc.Section // the operation whose body we are in
	for i, s := range secs {
		if !isOp[i] && cur != nil && within(s, cur) {
			continue
		}
		cur = nil
		var kinds, unknown []string
		for _, c := range s.Classes {
			if doc.Contains(OpKinds, c) {
				kinds = append(kinds, c)
			} else {
				unknown = append(unknown, "."+c)
			}
		}
		if len(kinds) == 0 {
			if i == 0 && s.Level == 1 && len(s.Classes) == 0 {
				continue // the document's title
			}
			if i := strings.LastIndex(s.Title, "{"); i >= 0 && strings.HasSuffix(s.Title, "}") {
				diags = append(diags, doc.Errorf(d.Path, s.Line, RuleOperation,
					"heading %q: its attributes %s could not be read; quote values that are not plain ASCII, as in after=\"überblick\"", s.Title, s.Title[i:]))
			} else if len(unknown) > 0 {
				diags = append(diags, doc.Errorf(d.Path, s.Line, RuleOperation,
					"heading %q has no tailoring operation: %s is not one of .suppress, .replace, .extend, .add", s.Title, strings.Join(unknown, " ")))
			} else {
				diags = append(diags, doc.Errorf(d.Path, s.Line, RuleOperation,
					"heading %q has no tailoring operation: add .suppress, .replace, .extend or .add after=ID, as in `## %s {#%s .extend}`", s.Title, s.Title, s.ID))
			}
			continue
		}
		if len(kinds) > 1 {
			diags = append(diags, doc.Errorf(d.Path, s.Line, RuleOperation,
				"heading %q has %d operations (.%s): give one operation per heading", s.Title, len(kinds), strings.Join(kinds, " .")))
		}
		cur = s
		op := Op{Kind: kinds[0], Target: s.ID, After: s.Attrs["after"], Title: s.Title, Line: s.Line, Level: s.Level}
		end := s.End
		for j := i + 1; j < len(secs) && secs[j].Start < end; j++ {
			if isOp[j] {
				end = secs[j].Start
				break
			}
		}
		start := s.ContentStart
		rationale, bodyStart, ok := splitRationale(body, start, end)
		op.Rationale = rationale
		if !ok {
			diags = append(diags, doc.Errorf(d.Path, s.Line, RuleRationale,
				".%s of %q has no rationale: start its text with a paragraph \"Rationale: why the unit differs\"", op.Kind, op.Target))
		}
		// Trim the body, keeping heading offsets right.
		for bodyStart < end && (body[bodyStart] == '\n' || body[bodyStart] == '\r' || body[bodyStart] == ' ' || body[bodyStart] == '\t') {
			bodyStart++
		}
		if bodyStart > end {
			bodyStart = end
		}
		op.Body = strings.TrimRight(body[bodyStart:end], " \t\r\n")
		for j := i + 1; j < len(secs) && secs[j].Start < end; j++ {
			if off := secs[j].Start - bodyStart; off >= 0 && off < len(op.Body) && strings.HasPrefix(strings.TrimLeft(op.Body[off:], " "), "#") {
				op.heads = append(op.heads, off)
			}
		}
		if op.Kind == Add && op.After == "" {
			diags = append(diags, doc.Errorf(d.Path, s.Line, RuleTarget,
				".add of %q needs after=ID naming the section it follows, as in `## %s {#%s .add after=ID}`", op.Target, s.Title, s.ID))
		}
		ops = append(ops, op)
	}
	return ops, diags
}

// within reports whether s is a subsection of p.
func within(s, p *doc.Section) bool {
	for a := s.Parent; a != nil; a = a.Parent {
		if a == p {
			return true
		}
	}
	return false
}

// splitRationale finds the first paragraph of body[start:end]. When it
// starts with "Rationale:" it returns its text (one line) and the offset
// after it.
func splitRationale(body string, start, end int) (string, int, bool) {
	i := start
	// Skip blank lines.
	for i < end {
		j := strings.IndexByte(body[i:end], '\n')
		line := body[i:end]
		if j >= 0 {
			line = body[i : i+j]
		}
		if strings.TrimSpace(line) != "" {
			break
		}
		if j < 0 {
			i = end
			break
		}
		i += j + 1
	}
	pStart := i
	var lines []string
	for i < end {
		j := strings.IndexByte(body[i:end], '\n')
		line := body[i:end]
		next := end
		if j >= 0 {
			line = body[i : i+j]
			next = i + j + 1
		}
		t := strings.TrimSpace(line)
		if t == "" || (len(lines) > 0 && strings.HasPrefix(t, "#")) {
			break
		}
		lines = append(lines, t)
		i = next
	}
	if len(lines) == 0 {
		return "", pStart, false
	}
	para := strings.Join(lines, " ")
	p := strings.TrimLeft(para, "*_")
	if len(p) < len("rationale:") || !strings.EqualFold(p[:len("rationale:")], "rationale:") {
		return "", pStart, false
	}
	r := strings.TrimSpace(strings.TrimLeft(p[len("rationale:"):], "*_"))
	if r == "" {
		return "", i, false
	}
	return r, i, true
}

// node is a section of the tree being composed.
type node struct {
	id, title  string
	level      int
	own        string
	required   bool
	parent     *node
	children   []*node
	suppressed bool
	replaced   bool
	op         *Op
	added      bool
}

// Compose applies proc's operations to std, the standard as it is now. It
// is pure: it reads nothing but its arguments. Diagnostics name proc's path
// and each operation's line: a missing target (tailor-target), a .required
// section suppressed or replaced (tailor-required), two operations on one
// section or one made void by another (tailor-conflict), and those of
// ParseOps. Composition goes on past errors, so the result shows what the
// operations as written do.
func Compose(std, proc *doc.Document) (*Defined, []doc.Diagnostic) {
	ops, diags := ParseOps(proc)
	def := &Defined{Standard: std, Process: proc, Ops: ops}
	body := string(std.Body)
	root := &node{level: 0}
	byID := map[string]*node{}
	nodes := map[*doc.Section]*node{}
	first := len(body)
	if len(std.Sections) > 0 {
		first = std.Sections[0].Start
	}
	def.Preamble = strings.TrimSpace(body[:first])
	for _, s := range std.Sections {
		n := &node{id: s.ID, title: s.Title, level: s.Level, required: s.HasClass("required"),
			own: trimBlock(body[s.ContentStart:s.OwnEnd])}
		parent := root
		if s.Parent != nil && nodes[s.Parent] != nil {
			parent = nodes[s.Parent]
		}
		n.parent = parent
		parent.children = append(parent.children, n)
		nodes[s] = n
		if _, dup := byID[s.ID]; !dup {
			byID[s.ID] = n
		}
	}
	errf := func(line int, rule, format string, args ...any) {
		diags = append(diags, doc.Errorf(proc.Path, line, rule, format, args...))
	}
	std0 := std.ID
	targeted := map[string]*Op{} // section id -> first operation on it
	added := map[string]*node{}
	var applied []*node // nodes an operation landed on, to check for voided ones
	for i := range def.Ops {
		op := &def.Ops[i]
		if op.Kind == Add {
			if n := byID[op.Target]; n != nil {
				errf(op.Line, RuleTarget, ".add of %q: %s already has a section with that id; give the new section an id of its own with {#new-id .add after=%s}", op.Target, std0, op.After)
				continue
			}
			if prev := targeted[op.Target]; prev != nil {
				errf(op.Line, RuleConflict, "two operations on section %q: .add here and .%s at line %d", op.Target, prev.Kind, prev.Line)
				continue
			}
			targeted[op.Target] = op
			anchor := byID[op.After]
			if anchor == nil {
				anchor = added[op.After]
			}
			n := &node{id: op.Target, title: op.Title, op: op, added: true}
			if anchor == nil {
				if op.After != "" {
					errf(op.Line, RuleTarget, ".add of %q: after=%s names no section of %s%s", op.Target, op.After, std0, suggest(op.After, byID))
				}
				n.level = 2
				if len(root.children) > 0 {
					n.level = root.children[0].level
				}
				n.parent = root
				root.children = append(root.children, n)
			} else {
				n.level = anchor.level
				n.parent = anchor.parent
				k := indexOf(anchor.parent.children, anchor)
				ch := anchor.parent.children
				anchor.parent.children = append(ch[:k+1:k+1], append([]*node{n}, ch[k+1:]...)...)
			}
			n.own = shiftHeadings(op, n.level)
			added[op.Target] = n
			applied = append(applied, n)
			continue
		}
		n := byID[op.Target]
		if n == nil {
			what := "names no section of " + std0
			if added[op.Target] != nil {
				what = "is a section added by this process, not one of " + std0
			}
			errf(op.Line, RuleTarget, ".%s of %q: the target %s%s", op.Kind, op.Target, what, suggest(op.Target, byID))
			continue
		}
		if prev := targeted[op.Target]; prev != nil {
			errf(op.Line, RuleConflict, "two operations on section %q: .%s here and .%s at line %d; merge them into one", op.Target, op.Kind, prev.Kind, prev.Line)
			continue
		}
		targeted[op.Target] = op
		if op.Kind == Suppress || op.Kind == Replace {
			if req := firstRequired(n); req != nil {
				if req == n {
					errf(op.Line, RuleRequired, "section %q is required by %s: it may be extended, not %s", op.Target, std0, pastTense(op.Kind))
				} else {
					errf(op.Line, RuleRequired, "section %q holds %q, which %s requires: it may be extended, not %s", op.Target, req.id, std0, pastTense(op.Kind))
				}
			}
		}
		n.op = op
		switch op.Kind {
		case Suppress:
			n.suppressed = true
		case Replace:
			n.replaced = true
			n.own = shiftHeadings(op, n.level)
		case Extend:
			ext := shiftHeadings(op, n.level)
			if ext != "" {
				if n.own != "" {
					n.own += "\n\n"
				}
				n.own += ext
			}
		}
		applied = append(applied, n)
	}
	// An operation inside a section that another suppresses or replaces has
	// no effect: say so rather than drop it silently.
	for _, n := range applied {
		for a := n.parent; a != nil && a != root; a = a.parent {
			if a.suppressed || a.replaced {
				errf(n.op.Line, RuleConflict, ".%s of %q has no effect: %q holds it and is %s at line %d", n.op.Kind, n.id, a.id, pastTense(a.op.Kind), a.op.Line)
				break
			}
		}
	}
	var walk func(n *node, hidden bool)
	walk = func(n *node, hidden bool) {
		for _, c := range n.children {
			if hidden || c.suppressed {
				if !c.added {
					def.Suppressed = append(def.Suppressed, c.id)
				}
				walk(c, true)
				continue
			}
			s := Section{ID: c.id, Title: c.title, Level: c.level, Body: c.own, Required: c.required}
			if c.op != nil {
				s.Op, s.Rationale = c.op.Kind, c.op.Rationale
			}
			def.Sections = append(def.Sections, s)
			if c.replaced {
				// Its former subsections are gone; sections added after
				// them went with them (reported above).
				continue
			}
			walk(c, false)
		}
	}
	walk(root, false)
	doc.SortDiagnostics(diags)
	return def, diags
}

func indexOf(list []*node, n *node) int {
	for i, x := range list {
		if x == n {
			return i
		}
	}
	return len(list) - 1
}

func firstRequired(n *node) *node {
	if n.required {
		return n
	}
	for _, c := range n.children {
		if c.added {
			continue
		}
		if r := firstRequired(c); r != nil {
			return r
		}
	}
	return nil
}

func pastTense(kind string) string {
	switch kind {
	case Suppress:
		return "suppressed"
	case Replace:
		return "replaced"
	case Extend:
		return "extended"
	}
	return "added"
}

// suggest offers the closest section id.
func suggest(id string, byID map[string]*node) string {
	best, bestD := "", 4
	var ids []string
	for k := range byID {
		ids = append(ids, k)
	}
	sort.Strings(ids)
	for _, k := range ids {
		if d := distance(id, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + best + "?)"
}

func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev = cur
	}
	return prev[len(rb)]
}

// trimBlock drops blank lines around a block of Markdown and trailing
// white space.
func trimBlock(s string) string {
	s = strings.TrimRight(s, " \t\r\n")
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 || strings.TrimSpace(s[:i]) != "" {
			break
		}
		s = s[i+1:]
	}
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return s
}

// shiftHeadings returns op's body with its ATX headings moved so that a
// heading one level below the operation's ends up one level below level.
func shiftHeadings(op *Op, level int) string {
	shift := level - op.Level
	if shift == 0 || len(op.heads) == 0 {
		return op.Body
	}
	b := op.Body
	for k := len(op.heads) - 1; k >= 0; k-- {
		off := op.heads[k]
		i := off
		for i < len(b) && b[i] == ' ' {
			i++
		}
		j := i
		for j < len(b) && b[j] == '#' {
			j++
		}
		n := min(max(j-i+shift, 1), 6)
		b = b[:i] + strings.Repeat("#", n) + b[j:]
	}
	return b
}
