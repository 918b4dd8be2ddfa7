package redline

import (
	"fmt"
	"io"
	"strings"
	"unicode"
)

// Hunk is a stretch of the body around changes: the changed lines and a
// few lines of context on each side.
type Hunk struct {
	// Line is the line of the new version's file the hunk starts on.
	Line int `json:"line"`
	// Section is the title of the section of the hunk's first change.
	Section string `json:"section"`
	// Lines are the hunk's lines, each a run of pieces; a line break of
	// either version ends a line.
	Lines [][]Span `json:"lines"`
}

// Hunks cuts the body into the hunks around its changes, with context
// lines of unchanged text before and after each (hunks that would touch
// are merged). A body with no changed word has none.
func (r *Redline) Hunks(context int) []Hunk {
	type line struct {
		pieces  []Span
		newLine int // line of the new body the line starts on (0-based)
		changed bool
		sec     string
	}
	var ls []line
	cur := line{}
	n := 0 // new body lines so far
	for _, sp := range r.Body {
		parts := strings.Split(sp.Text, "\n")
		for k, part := range parts {
			if k > 0 {
				ls = append(ls, cur)
				if sp.Op != Delete {
					n++
				}
				// A line that starts inside a change is part of it,
				// blank or not.
				cur = line{newLine: n}
				if sp.Op != Equal {
					cur.changed, cur.sec = true, sp.sec
				}
			}
			if part == "" {
				continue
			}
			cur.pieces = append(cur.pieces, Span{Op: sp.Op, Text: part, sec: sp.sec})
			if sp.Op != Equal && strings.TrimSpace(part) != "" && !cur.changed {
				cur.changed, cur.sec = true, sp.sec
			}
		}
	}
	ls = append(ls, cur)
	var out []Hunk
	end := -1 // last line included so far
	for i := range ls {
		if !ls[i].changed {
			continue
		}
		from, to := max(i-context, end+1, 0), min(i+context, len(ls)-1)
		if len(out) > 0 && from <= end+1 {
			h := &out[len(out)-1]
			for k := end + 1; k <= to; k++ {
				h.Lines = append(h.Lines, ls[k].pieces)
			}
		} else {
			h := Hunk{Line: r.bodyLine + ls[from].newLine, Section: ls[i].sec}
			for k := from; k <= to; k++ {
				h.Lines = append(h.Lines, ls[k].pieces)
			}
			out = append(out, h)
		}
		end = to
	}
	return out
}

// Marked is one piece of a line as a reader sees it: its op, the text to
// mark, and the white space after the mark (kept outside it, as git's
// word diff does). Pieces of white space alone are never marked; the
// white space a deletion leaves before an insertion is dropped.
type Marked struct {
	Op     Op
	Before string // white space before the mark (a changed line's indentation)
	Text   string
	After  string
}

// Mark turns the pieces of a line into what a reader is shown.
func Mark(line []Span) []Marked {
	var out []Marked
	for k, sp := range line {
		text := sp.Text
		if sp.Op == Equal {
			out = append(out, Marked{Op: Equal, Text: text})
			continue
		}
		core := strings.TrimRightFunc(text, unicode.IsSpace)
		after := text[len(core):]
		trimmed := strings.TrimLeftFunc(core, unicode.IsSpace)
		before := core[:len(core)-len(trimmed)]
		core = trimmed
		if core == "" {
			if sp.Op == Insert {
				out = append(out, Marked{Op: Equal, Text: text})
			}
			continue
		}
		if sp.Op == Delete && k+1 < len(line) && line[k+1].Op == Insert {
			after = ""
		}
		out = append(out, Marked{Op: sp.Op, Before: before, Text: core, After: after})
	}
	return out
}

// ANSI colours of the text form.
const (
	colorDel   = "\x1b[31m"
	colorIns   = "\x1b[32m"
	colorFrag  = "\x1b[36m"
	colorReset = "\x1b[m"
)

// WriteHunks writes hunks as text, the way `git diff --word-diff` does:
// a header line "@@ line N: SECTION @@" per hunk, then its lines, with
// [-deleted-] and {+inserted+} marks. With color, marks and headers are
// coloured too (red, green, cyan); the marks stay, so that colour is
// never the only sign.
func WriteHunks(w io.Writer, hunks []Hunk, color bool) error {
	paint := func(c, s string) string {
		if !color {
			return s
		}
		return c + s + colorReset
	}
	var b strings.Builder
	for _, h := range hunks {
		b.WriteString(paint(colorFrag, fmt.Sprintf("@@ line %d: %s @@", h.Line, h.Section)))
		b.WriteByte('\n')
		for _, l := range h.Lines {
			for _, m := range Mark(l) {
				b.WriteString(m.Before)
				switch m.Op {
				case Delete:
					b.WriteString(paint(colorDel, "[-"+m.Text+"-]"))
				case Insert:
					b.WriteString(paint(colorIns, "{+"+m.Text+"+}"))
				default:
					b.WriteString(m.Text)
				}
				b.WriteString(m.After)
			}
			b.WriteByte('\n')
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Summary says in a line what changed: words inserted and deleted, the
// sections they are in, and the front matter keys; "" when nothing did.
func (r *Redline) Summary() string {
	var parts []string
	if r.BodyChanged() {
		parts = append(parts, r.BodySummary())
	} else if r.WhiteSpace {
		parts = append(parts, "white space only in the body")
	}
	var keys []string
	for _, f := range r.Fields {
		keys = append(keys, f.Key)
	}
	if len(r.Approvals) > 0 {
		keys = append(keys, "approvals")
	}
	if len(keys) > 0 {
		parts = append(parts, "front matter: "+strings.Join(keys, ", "))
	}
	return strings.Join(parts, "; ")
}

// BodySummary says what changed in the body: "12 words inserted, 3
// deleted in Resources, Training".
func (r *Redline) BodySummary() string {
	s := fmt.Sprintf("%s inserted, %d deleted", plural(r.Inserted, "word"), r.Deleted)
	if len(r.Sections) > 0 {
		s += " in " + strings.Join(r.Sections, ", ")
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
