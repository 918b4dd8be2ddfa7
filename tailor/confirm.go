package tailor

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/store"
)

// SetBase returns data (the bytes d was parsed from) with the front
// matter's base set to commit, and the old value. It edits through doc's
// front matter editor (doc.SetValue): every other byte is kept, the
// quotes around the old value if any, a trailing comment, the line
// endings; a file with no base gets one at the end of the front matter.
func SetBase(data []byte, d *doc.Document, commit string) ([]byte, string, error) {
	out, err := doc.SetValue(d.Path, data, "base", commit)
	if err != nil {
		return nil, "", err
	}
	return out, d.Base, nil
}

// ErrNotDefined is wrapped when the file Confirm was asked to change is no
// longer the defined process it was (its id or tailors changed, or it no
// longer parses).
var ErrNotDefined = errors.New("is no longer the defined process rmm read")

// Confirm moves the base of the defined process p, whose file is below
// root, to head (`rmm tailor confirm`). The file is changed under its lock
// (store.Update): it is read again with the lock held, so an edit made
// meanwhile is kept, and refused (ErrNotDefined) when it no longer is p.
// It returns the old base; changed is false when base was head already.
// A lock held too long gives an error wrapping store.ErrBusy.
func Confirm(root string, p *doc.Document, head string) (old string, changed bool, err error) {
	file := filepath.Join(root, filepath.FromSlash(p.Path))
	err = store.Update(file, func(cur []byte) ([]byte, error) {
		d, _ := doc.Parse(p.Path, cur)
		if d == nil || d.ID != p.ID || d.Tailors != p.Tailors {
			return nil, fmt.Errorf("%s (%s) %w: look at it and run rmm tailor confirm again", p.ID, p.Path, ErrNotDefined)
		}
		old = d.Base
		if d.Base == head {
			return nil, store.ErrUnchanged
		}
		out, _, err := SetBase(cur, d, head)
		if err != nil {
			return nil, err
		}
		changed = true
		return out, nil
	})
	if err != nil {
		return "", false, err
	}
	return old, changed, nil
}

// NewPath is where `rmm tailor` writes the defined process of unit for
// std: processes/UNIT/ and the standard's file name.
func NewPath(std *doc.Document, unit string) string {
	return path.Join("processes", unit, path.Base(std.Path))
}

// DefaultID is the id of unit's defined process of std when none is
// given: the standard's id without -STD, then the unit.
func DefaultID(std *doc.Document, unit string) string {
	return strings.TrimSuffix(std.ID, "-STD") + "-" + doc.IDFromPath(unit)
}

// Scaffold is the text of a new defined process of std for unit: front
// matter written by the YAML library (id, kind, title, owner, status,
// process_area, unit, tailors, base), then a comment that lists the
// standard's sections and how to write an operation. With no operation,
// the defined process is the standard unchanged. The front matter is
// read back: it must hold every value given.
func Scaffold(std *doc.Document, id, unit, owner, base string) ([]byte, error) {
	if err := doc.CheckEmail(owner); err != nil {
		return nil, fmt.Errorf("the owner: %v", err)
	}
	fields := []doc.Field{
		{Key: "id", Value: id},
		{Key: "kind", Value: "process"},
		{Key: "title", Value: fmt.Sprintf("%s (%s)", std.Title, unit)},
		{Key: "owner", Value: owner},
		{Key: "status", Value: "draft"},
	}
	if std.ProcessArea != "" {
		fields = append(fields, doc.Field{Key: "process_area", Value: std.ProcessArea})
	}
	fields = append(fields,
		doc.Field{Key: "unit", Value: unit},
		doc.Field{Key: "tailors", Value: std.ID},
		doc.Field{Key: "base", Value: base})
	front, err := doc.NewFrontMatter(fields...)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.Write(front)
	b.WriteString("\n")
	comment := func(format string, args ...any) {
		// Nothing from a document may close the comment early.
		b.WriteString(strings.ReplaceAll(fmt.Sprintf(format, args...), "--", "- -"))
	}
	b.WriteString("<!--\n")
	comment("The defined process of %s for %s: the standard as it is, with the\n", std.ID, unit)
	b.WriteString("operations below applied. Each operation is a heading naming a section of\n")
	b.WriteString("the standard by its id, with one class, followed by a paragraph that\n")
	b.WriteString("starts \"Rationale:\" (why this unit differs), then the text:\n\n")
	b.WriteString("## Title {#section-id .suppress}              leave the section out\n")
	b.WriteString("## Title {#section-id .replace}               replace what is under it\n")
	b.WriteString("## Title {#section-id .extend}                append to its text\n")
	b.WriteString("## New title {#new-id .add after=section-id}  a new section after it\n\n")
	comment("Sections of %s (required ones may be extended, not suppressed or replaced):\n", std.ID)
	for _, s := range std.Sections {
		req := ""
		if s.HasClass("required") {
			req = "  (required)"
		}
		comment("%s%s  %s%s\n", strings.Repeat("  ", max(0, s.Level-1)), s.ID, s.Title, req)
	}
	b.WriteString("\nWith no operation, the defined process is the standard unchanged.\n-->\n")
	out := []byte(b.String())
	d, diags := doc.Parse("new.md", out)
	if d == nil || doc.HasErrors(diags) || d.ID != id || d.Owner != owner || d.Unit != unit || d.Tailors != std.ID || d.Base != base || len(d.Sections) != 0 {
		return nil, fmt.Errorf("%w: the new defined process does not read back", doc.ErrEditCheck)
	}
	return out, nil
}
