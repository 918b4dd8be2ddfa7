package check

import (
	"crypto/sha256"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rmm-pal/rmm/doc"
)

// Rules are the document rules of SPEC sections 2, 3 and 8; the load
// diagnostics (bad YAML, invalid UTF-8, duplicate ids, size, symlinks) come
// with the library.
func Rules() []Rule {
	return []Rule{
		{"required", required},
		{"values", values},
		{"references", references},
		{"sections", sections},
		{"placeholder", placeholder},
		{"stakeholders", stakeholders},
		{"actions", actions},
		{"measure", measures},
		{"deviation", deviations},
		{"training", training},
		{"shallow", shallow},
	}
}

// shallow warns that a shallow clone's history is incomplete: revision
// history, authorship (evaluator independence) and the latest baseline may
// be missing. A detached HEAD is no problem for checking: CI checks out
// commits that way.
func shallow(c *Context) []doc.Diagnostic {
	if c.Repo == nil || !c.Repo.IsShallow() {
		return nil
	}
	return []doc.Diagnostic{doc.Warnf(doc.ConfigFile, 0, "shallow",
		"the repository is a shallow clone: history is incomplete (run git fetch --unshallow)")}
}

func errf(d *doc.Document, key, rule, format string, args ...any) doc.Diagnostic {
	return doc.Errorf(d.Path, d.Line(key), rule, format, args...)
}

func controlledDocs(c *Context) []*doc.Document {
	var out []*doc.Document
	for _, d := range c.Lib.Docs {
		if d.HasFrontMatter {
			out = append(out, d)
		}
	}
	return out
}

func required(c *Context) []doc.Diagnostic {
	return c.eachDoc("required", controlledDocs(c), nil, func(d *doc.Document) []doc.Diagnostic {
		var ds []doc.Diagnostic
		for _, k := range []struct{ key, val string }{{"id", d.ID}, {"kind", d.Kind}, {"title", d.Title}} {
			if _, ok := d.Lines[k.key]; !ok {
				ds = append(ds, doc.Errorf(d.Path, 1, "required", "front matter has no %s", k.key))
			} else if strings.TrimSpace(k.val) == "" {
				ds = append(ds, errf(d, k.key, "required", "%s is empty", k.key))
			}
		}
		if d.Kind != "note" && d.Kind != "lesson" && d.Kind != "" && doc.Contains(doc.Kinds, d.Kind) && d.Owner == "" {
			ds = append(ds, doc.Errorf(d.Path, 1, "required", "a %s needs an owner (an email)", d.Kind))
		}
		if d.Kind == "process" && d.Tailors != "" {
			for _, k := range []string{"unit", "base"} {
				if _, ok := d.Lines[k]; !ok {
					ds = append(ds, errf(d, "tailors", "required", "a defined process needs %s", k))
				}
			}
		}
		return ds
	})
}

var emailRe = regexp.MustCompile(`^[^@\s<>]+@[^@\s<>]+$`)

func values(c *Context) []doc.Diagnostic {
	cfg := c.Lib.Config
	units := strings.Join(cfg.Units, "\x00")
	return c.eachDoc("values", controlledDocs(c), func(*doc.Document) string { return units }, func(d *doc.Document) []doc.Diagnostic {
		var ds []doc.Diagnostic
		oneOf := func(d *doc.Document, key, val string, allowed []string) {
			if val != "" && !doc.Contains(allowed, val) {
				ds = append(ds, errf(d, key, "value", "%s %q is not one of: %s%s", key, val, strings.Join(allowed, ", "), hint(val, allowed)))
			}
		}
		if d.ID != "" && !doc.IDPattern.MatchString(d.ID) {
			ds = append(ds, errf(d, "id", "id", "id %q must be upper case words joined by '-', like IMC-PLAN", d.ID))
		}
		oneOf(d, "kind", d.Kind, doc.Kinds)
		if d.Kind == "proposal" {
			oneOf(d, "status", d.Status, doc.ProposalStatuses)
		} else {
			oneOf(d, "status", d.Status, doc.Statuses)
		}
		oneOf(d, "process_area", d.ProcessArea, doc.ProcessAreas)
		oneOf(d, "sensitivity", d.Sensitivity, doc.Sensitivities)
		oneOf(d, "control", d.Control, doc.Controls)
		oneOf(d, "direction", d.Direction, doc.Directions)
		if d.Unit != "" && !doc.Contains(cfg.Units, d.Unit) {
			ds = append(ds, errf(d, "unit", "value", "unit %q is not one of rmm.yaml units (%s)", d.Unit, strings.Join(cfg.Units, ", ")))
		}
		for _, k := range []struct{ key, val string }{{"owner", d.Owner}, {"evaluator", d.Evaluator}, {"trainer", d.Trainer}} {
			if k.val != "" && !emailRe.MatchString(k.val) {
				ds = append(ds, errf(d, k.key, "value", "%s %q is not an email address", k.key, k.val))
			}
		}
		for _, a := range d.Attendees {
			if !emailRe.MatchString(a) {
				ds = append(ds, errf(d, "attendees", "value", "attendee %q is not an email address", a))
			}
		}
		if d.Period != "" {
			if _, err := ParsePeriod(d.Period); err != nil {
				ds = append(ds, errf(d, "period", "value", "period: %v", err))
			}
		}
		if d.ReviewEvery != "" {
			if _, err := ParsePeriod(d.ReviewEvery); err != nil {
				ds = append(ds, errf(d, "review_every", "value", "review_every: %v", err))
			}
		}
		if d.Date != "" {
			if _, err := time.Parse("2006-01-02", d.Date); err != nil {
				ds = append(ds, errf(d, "date", "value", "date %q is not a date like 2026-03-31", d.Date))
			}
		}
		if d.SupersededBy != "" && d.EffectiveStatus() != "retired" {
			ds = append(ds, errf(d, "superseded_by", "value", "superseded_by is set but the document is not retired"))
		}
		for k := range d.Lines {
			if !doc.Contains(doc.KnownKeys, k) {
				ds = append(ds, doc.Warnf(d.Path, d.Line(k), "unknown-key", "unknown front matter key %q%s", k, hint(k, doc.KnownKeys)))
			}
		}
		return ds
	})
}

// hint suggests the closest allowed value, like git's "did you mean";
// of two as close, the one that sorts first (allowed may come from a
// map, in any order: the same library gets the same message every time).
func hint(val string, allowed []string) string {
	best, bestD := "", 3
	for _, a := range allowed {
		if d := distance(strings.ToLower(val), strings.ToLower(a)); d < bestD || (d == bestD && best != "" && a < best) {
			best, bestD = a, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// ParsePeriod reads a period such as 90d, 6mo, 2w or 1y.
func ParsePeriod(s string) (Period, error) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(s[:i])
	if err != nil || n <= 0 {
		return Period{}, fmt.Errorf("%q is not a period like 90d, 6mo or 1y", s)
	}
	switch s[i:] {
	case "d":
		return Period{Days: n}, nil
	case "w":
		return Period{Days: 7 * n}, nil
	case "mo", "m":
		return Period{Months: n}, nil
	case "y":
		return Period{Months: 12 * n}, nil
	}
	return Period{}, fmt.Errorf("%q is not a period like 90d, 6mo or 1y", s)
}

// Period is a calendar period.
type Period struct{ Days, Months int }

// After adds the period to t.
func (p Period) After(t time.Time) time.Time { return t.AddDate(0, p.Months, p.Days) }

func references(c *Context) []doc.Diagnostic {
	// What a document's references come to depends on it and on the
	// library's names (paths, ids and the kinds they name): the salt.
	names := c.namesDigest()
	return c.eachDoc("references", c.Lib.Docs, func(*doc.Document) string { return names }, func(d *doc.Document) []doc.Diagnostic {
		var ds []doc.Diagnostic
		for _, r := range d.Refs {
			if c.Lib.Resolve(r) != nil {
				continue
			}
			if r.ID != "" {
				ds = append(ds, doc.Errorf(d.Path, r.Line, "reference", "[[%s]] refers to no document%s", r.ID, hint(r.ID, ids(c.Lib))))
			} else if strings.HasPrefix(r.Path, "../") || r.Path == ".." {
				ds = append(ds, doc.Errorf(d.Path, r.Line, "reference", "link %s leaves the repository", r.Text))
			} else {
				ds = append(ds, doc.Errorf(d.Path, r.Line, "reference", "link %s refers to no document (%s)", r.Text, r.Path))
			}
		}
		for _, k := range []struct {
			key  string
			vals []string
		}{{"evaluates", d.Evaluates}, {"covers", d.Covers}, {"affects", d.Affects}, {"cites", d.Cites}, {"superseded_by", nonEmpty(d.SupersededBy)}, {"tailors", nonEmpty(d.Tailors)}, {"trigger", nonEmpty(d.Trigger)}} {
			for _, id := range k.vals {
				if c.Lib.ByID[id] == nil {
					ds = append(ds, errf(d, k.key, "reference", "%s names %s, which is no document%s", k.key, id, hint(id, ids(c.Lib))))
				}
			}
		}
		for _, id := range d.Cites {
			if t := c.Lib.ByID[id]; t != nil && t.Kind != "lesson" {
				ds = append(ds, errf(d, "cites", "reference", "cites names %s, a %s: cites lists lessons", id, t.Kind))
			}
		}
		return ds
	})
}

// namesDigest is a digest of what references resolve against: every
// document's path, and the id and kind of each document its id names.
func (c *Context) namesDigest() string {
	h := sha256.New()
	var buf []byte
	for _, d := range c.Lib.Docs {
		buf = append(buf[:0], d.Path...)
		buf = append(buf, 0)
		if d.ID != "" && c.Lib.ByID[d.ID] == d {
			buf = append(buf, d.ID...)
			buf = append(buf, 0)
			buf = append(buf, d.Kind...)
		}
		buf = append(buf, 1)
		h.Write(buf)
	}
	// ByID may name a document at no path of Docs; a library built so
	// gets its own digest.
	fmt.Fprintf(h, "%d %d", len(c.Lib.ByID), len(c.Lib.ByPath))
	return string(h.Sum(nil))
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func ids(l *doc.Library) []string {
	out := make([]string, 0, len(l.ByID))
	if len(l.ByID) > 2000 {
		return nil // suggestions cost too much on huge libraries
	}
	for id := range l.ByID {
		out = append(out, id)
	}
	return out
}

func sections(c *Context) []doc.Diagnostic {
	req := map[string][]string{}
	required := func(kind string) []string {
		r, ok := req[kind]
		if !ok {
			r = requiredSections(c, kind)
			req[kind] = r
		}
		return r
	}
	var docs []*doc.Document
	for _, d := range controlledDocs(c) {
		if d.Kind == "process" && d.Tailors != "" {
			continue // a defined process is a list of tailoring operations
		}
		if len(required(d.Kind)) > 0 {
			docs = append(docs, d)
		}
	}
	salt := func(d *doc.Document) string { return strings.Join(req[d.Kind], "\x00") }
	return c.eachDoc("sections", docs, salt, func(d *doc.Document) []doc.Diagnostic {
		r := req[d.Kind]
		have := map[string]bool{}
		for _, s := range d.Sections {
			have[strings.ToLower(s.Title)] = true
		}
		var missing []string
		for _, t := range r {
			if !have[strings.ToLower(t)] {
				missing = append(missing, t)
			}
		}
		if len(missing) > 0 {
			return []doc.Diagnostic{doc.Errorf(d.Path, d.BodyLine, "section", "a %s needs the section(s): %s", d.Kind, strings.Join(missing, ", "))}
		}
		return nil
	})
}

// requiredSections gives a kind's required sections: the level-2 headings
// of the repository's own template .rmm/templates/KIND.md (read at the
// revision being checked) when it has one, else the defaults (see
// Templates.Required).
func requiredSections(c *Context, kind string) []string {
	return c.Templates().Required(kind)
}

// placeholder: a section that is empty or still its template's text
// (see Templates.Placeholders) is a warning; in an approved document, an
// error: a placeholder is no content, and no evidence for rmm appraise.
func placeholder(c *Context) []doc.Diagnostic {
	var ds []doc.Diagnostic
	t := c.Templates()
	for _, d := range controlledDocs(c) {
		for _, p := range t.Placeholders(d) {
			if d.EffectiveStatus() == "approved" {
				ds = append(ds, doc.Errorf(d.Path, p.Line, "placeholder", "section %q %s, and %s is approved: a placeholder is no content; write the section and have %s approved again", p.Section, p.Describe(), d.ID, d.ID))
				continue
			}
			ds = append(ds, doc.Warnf(d.Path, p.Line, "placeholder", "section %q %s: write its content (a placeholder is no evidence, and cannot be approved)", p.Section, p.Describe()))
		}
	}
	return ds
}

func stakeholders(c *Context) []doc.Diagnostic {
	var ds []doc.Diagnostic
	for _, d := range controlledDocs(c) {
		for _, s := range d.Stakeholders {
			if s.Who == "" {
				ds = append(ds, doc.Errorf(d.Path, s.Line, "stakeholder", "stakeholder has no who"))
			}
			if !doc.Contains(doc.Involvements, s.Involvement) {
				ds = append(ds, doc.Errorf(d.Path, s.Line, "stakeholder", "stakeholder %s: involvement %q is not one of %s", s.Who, s.Involvement, strings.Join(doc.Involvements, ", ")))
			}
		}
		if d.Kind == "plan" && len(d.Stakeholders) == 0 {
			ds = append(ds, doc.Warnf(d.Path, 1, "stakeholder", "a plan should list its stakeholders (GG2.GP7)"))
		}
	}
	return ds
}

// ParseDay reads the date at the start of s (2026-03-31 or an RFC 3339
// time); the zero time when there is none.
func ParseDay(s string) time.Time {
	if len(s) >= 10 {
		if t, err := time.Parse("2006-01-02", s[:10]); err == nil {
			return t
		}
	}
	return time.Time{}
}

func actions(c *Context) []doc.Diagnostic {
	var ds []doc.Diagnostic
	for _, d := range c.Lib.Docs {
		for _, a := range d.Actions {
			if a.Done {
				continue
			}
			if a.Owner == "" && (d.Kind == "evaluation" || d.Kind == "review") {
				ds = append(ds, doc.Warnf(d.Path, a.Line, "action", "open action has no owner: write (@owner@example.org, due 2026-12-31)"))
				continue
			}
			if a.Due == "" {
				continue
			}
			due, err := time.Parse("2006-01-02", a.Due)
			if err != nil {
				ds = append(ds, doc.Errorf(d.Path, a.Line, "action", "due date %q is not a date", a.Due))
			} else if c.Now.After(due.AddDate(0, 0, 1)) {
				ds = append(ds, doc.Warnf(d.Path, a.Line, "action-overdue", "action overdue since %s (@%s): %s", a.Due, a.Owner, a.Text))
			}
		}
	}
	return ds
}

// training: a training record needs its date (gaps are measured from
// it), and should say what it covers and who attended.
func training(c *Context) []doc.Diagnostic {
	var ds []doc.Diagnostic
	for _, d := range controlledDocs(c) {
		if d.Kind != "training" {
			continue
		}
		if _, ok := d.Lines["date"]; !ok {
			ds = append(ds, doc.Errorf(d.Path, 1, "training", "a training record needs a date (date: 2026-03-31): who attended is trained on what it covers from that day"))
		}
		if len(d.Covers) == 0 {
			ds = append(ds, doc.Warnf(d.Path, d.Line("covers"), "training", "a training record should list the documents it trained people on (covers: [ID, ...])"))
		}
		if len(d.Attendees) == 0 {
			ds = append(ds, doc.Warnf(d.Path, d.Line("attendees"), "training", "a training record should list who attended (attendees: [email, ...])"))
		}
	}
	return ds
}

func measures(c *Context) []doc.Diagnostic {
	var ds []doc.Diagnostic
	for _, d := range controlledDocs(c) {
		if d.Kind != "measure" {
			continue
		}
		if d.Target == nil {
			ds = append(ds, doc.Errorf(d.Path, 1, "measure", "a measure needs a target"))
		}
		if d.Data != "" {
			p := path.Join(path.Dir(d.Path), d.Data)
			if !c.Lib.Files[p] {
				ds = append(ds, errf(d, "data", "measure", "data file %s does not exist", p))
			} else {
				ds = append(ds, measureData(c, d, p)...)
			}
		} else {
			ds = append(ds, measureData(c, d, "")...)
		}
	}
	return ds
}
