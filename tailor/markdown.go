package tailor

import (
	"fmt"
	"strings"
)

// Markdown returns the effective defined process: the standard's preamble,
// then every section in order with its heading (`{#id}` kept so anchors
// match the standard's), each tailored section marked by a quote line
// "> Tailored (OPERATION): RATIONALE", then a "## Tailoring record" table
// of operation, section and rationale in the order the operations were
// written.
func (d *Defined) Markdown() string {
	var b strings.Builder
	if d.Preamble != "" {
		b.WriteString(d.Preamble)
		b.WriteString("\n\n")
	}
	for _, s := range d.Sections {
		fmt.Fprintf(&b, "%s %s {#%s}\n\n", strings.Repeat("#", max(1, min(s.Level, 6))), s.Title, s.ID)
		if s.Op != "" {
			fmt.Fprintf(&b, "> Tailored (%s): %s\n\n", s.Op, s.Rationale)
		}
		if s.Body != "" {
			b.WriteString(s.Body)
			b.WriteString("\n\n")
		}
	}
	b.WriteString(d.RecordMarkdown())
	return b.String()
}

// RecordMarkdown is the tailoring record alone: a "## Tailoring record"
// heading and a table of operation, section and rationale.
func (d *Defined) RecordMarkdown() string {
	var b strings.Builder
	b.WriteString("## Tailoring record {#tailoring-record}\n\n")
	if len(d.Ops) == 0 {
		b.WriteString("No operation: the defined process is the standard as it is.\n")
		return b.String()
	}
	b.WriteString("| Operation | Section | Rationale |\n|---|---|---|\n")
	for _, r := range d.Record() {
		sec := fmt.Sprintf("%s (`%s`)", cell(r.Title), r.Section)
		if r.After != "" {
			sec += fmt.Sprintf(", after `%s`", r.After)
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", r.Operation, sec, cell(r.Rationale))
	}
	return b.String()
}

// RecordEntry is one line of the tailoring record.
type RecordEntry struct {
	Operation string `json:"operation"`
	Section   string `json:"section"`
	Title     string `json:"title"`
	After     string `json:"after,omitempty"`
	Rationale string `json:"rationale"`
	Line      int    `json:"line"`
}

// Record is the tailoring record: one entry per operation, in the order
// they were written. The title is the standard's for sections it has.
func (d *Defined) Record() []RecordEntry {
	out := make([]RecordEntry, 0, len(d.Ops))
	for _, op := range d.Ops {
		title := op.Title
		if op.Kind != Add && d.Standard != nil {
			if s := d.Standard.Section(op.Target); s != nil {
				title = s.Title
			}
		}
		out = append(out, RecordEntry{Operation: op.Kind, Section: op.Target, Title: title, After: op.After, Rationale: op.Rationale, Line: op.Line})
	}
	return out
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", `\|`)
}
