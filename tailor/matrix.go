package tailor

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
)

// State of a standard for a unit.
type State string

const (
	NotTailored State = "not tailored"
	Current     State = "current"
	Suspect     State = "suspect"
)

// Cell is one standard for one unit in the tailoring matrix.
type Cell struct {
	Standard string `json:"standard"`
	Unit     string `json:"unit"`
	Process  string `json:"process"` // the defined process's id, or ""
	Path     string `json:"path,omitempty"`
	State    State  `json:"state"`
	// Counts holds the number of operations of each kind (suppress,
	// replace, extend, add; all four keys present when tailored).
	Counts map[string]int `json:"counts,omitempty"`
	// Suspect lists the standard's section ids that changed since base.
	Suspect []string `json:"suspect,omitempty"`
	// Problem says why the state could not be computed (a base that is
	// not a commit); the state is then suspect.
	Problem string `json:"problem,omitempty"`
}

// DefinedProcesses lists the defined processes of the library (kind
// process with tailors), sorted by path.
func DefinedProcesses(lib *doc.Library) []*doc.Document {
	var out []*doc.Document
	for _, d := range lib.Docs {
		if d.Kind == "process" && d.Tailors != "" {
			out = append(out, d)
		}
	}
	return out
}

// Standards lists the standard processes, sorted by id.
func Standards(lib *doc.Library) []*doc.Document {
	var out []*doc.Document
	for _, d := range lib.Docs {
		if d.Kind == "standard" && d.ID != "" && lib.ByID[d.ID] == d {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Matrix is the tailoring matrix: every standard (by id) by every unit of
// rmm.yaml (in its order). When a unit has several defined processes for
// one standard (an error of check), the first by path is shown. A
// defined process whose base cannot be read is suspect, with a Problem.
func Matrix(ctx *check.Context) ([]Cell, error) {
	procs := DefinedProcesses(ctx.Lib)
	var cells []Cell
	for _, std := range Standards(ctx.Lib) {
		for _, unit := range ctx.Lib.Config.Units {
			c := Cell{Standard: std.ID, Unit: unit, State: NotTailored}
			for _, p := range procs {
				if p.Tailors != std.ID || p.Unit != unit {
					continue
				}
				c.Process, c.Path, c.State = p.ID, p.Path, Current
				c.Counts = map[string]int{Suppress: 0, Replace: 0, Extend: 0, Add: 0}
				ops, _ := ParseOps(p)
				for _, op := range ops {
					c.Counts[op.Kind]++
				}
				sus, err := Suspects(ctx, p)
				if err != nil {
					c.State, c.Problem = Suspect, err.Error()
				} else if len(sus) > 0 {
					c.State, c.Suspect = Suspect, sus
				}
				break
			}
			cells = append(cells, c)
		}
	}
	return cells, nil
}

// Suspects lists the sections of proc's standard, targeted by one of its
// operations (or named by an .add's after=) or marked .required, whose
// text changed between the standard at proc.Base and now. A section's text
// is its heading and everything under it, subsections included, with line
// endings and trailing white space normalised. A section that did not
// exist at base counts as changed; one that no longer exists is left to
// the tailor-target error. Ids come in the order of the standard.
func Suspects(ctx *check.Context, proc *doc.Document) ([]string, error) {
	std := ctx.Lib.ByID[proc.Tailors]
	if std == nil || std.Kind != "standard" {
		return nil, nil
	}
	if proc.Base == "" {
		return nil, fmt.Errorf("%s has no base", proc.ID)
	}
	if ctx.Repo == nil {
		return nil, fmt.Errorf("the library is not in a git repository")
	}
	if !commitRe.MatchString(proc.Base) {
		return nil, fmt.Errorf("base %q of %s is not a commit hash", proc.Base, proc.ID)
	}
	snap, err := ctx.At(proc.Base)
	if err != nil {
		return nil, fmt.Errorf("base %s of %s: %w", proc.Base, proc.ID, err)
	}
	old := snap.Lib.ByID[proc.Tailors]
	watched := map[string]bool{}
	ops, _ := ParseOps(proc)
	for _, op := range ops {
		if op.Kind == Add {
			watched[op.After] = true
		} else {
			watched[op.Target] = true
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, s := range std.Sections {
		if seen[s.ID] || (!watched[s.ID] && !s.HasClass("required")) {
			continue
		}
		seen[s.ID] = true
		now := sectionText(std, s)
		var then *doc.Section
		if old != nil {
			then = old.Section(s.ID)
		}
		if then == nil || sectionText(old, then) != now {
			out = append(out, s.ID)
		}
	}
	return out, nil
}

// sectionText is a section's normalised text, subsections included.
func sectionText(d *doc.Document, s *doc.Section) string {
	t := strings.ReplaceAll(string(d.Body[s.Start:s.End]), "\r\n", "\n")
	lines := strings.Split(t, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// Rules are the tailoring rules of `rmm check`.
func Rules() []check.Rule {
	return []check.Rule{
		{Name: "tailoring", Fn: tailoringRule},
		{Name: RuleSuspect, Fn: suspectRule},
	}
}

var commitRe = regexp.MustCompile(`^[0-9a-fA-F]{7,64}$`)

// tailoringRule reports the errors of every defined process: front matter
// (tailors, unit, base) and composition.
func tailoringRule(ctx *check.Context) []doc.Diagnostic {
	var ds []doc.Diagnostic
	seen := map[string]*doc.Document{} // standard+unit -> first process
	for _, p := range DefinedProcesses(ctx.Lib) {
		errf := func(key, rule, format string, args ...any) {
			ds = append(ds, doc.Errorf(p.Path, p.Line(key), rule, format, args...))
		}
		std := ctx.Lib.ByID[p.Tailors]
		if std != nil && std.Kind != "standard" {
			errf("tailors", RuleStandard, "tailors names %s, a %s: a defined process tailors a standard (kind: standard)", p.Tailors, std.Kind)
		}
		// A missing unit, or one outside rmm.yaml, is reported by check's
		// required and values rules for every kind: say nothing twice.
		if p.Unit != "" && doc.Contains(ctx.Lib.Config.Units, p.Unit) {
			key := p.Tailors + "\x00" + p.Unit
			if prev := seen[key]; prev != nil {
				errf("unit", RuleUnit, "unit %s tailors %s twice: here and in %s (%s)", p.Unit, p.Tailors, prev.Path, prev.ID)
			} else {
				seen[key] = p
			}
		}
		warnf := func(key, rule, format string, args ...any) {
			ds = append(ds, doc.Warnf(p.Path, p.Line(key), rule, format, args...))
		}
		checkBase(ctx, p, errf, warnf)
		if std == nil || std.Kind != "standard" {
			continue
		}
		_, cds := Compose(std, p)
		ds = append(ds, cds...)
	}
	return ds
}

// checkBase reports a missing base or one that is not a commit of the
// repository; it returns whether the base can be loaded. In a shallow
// clone a base older than the clone's history is a warning, not an error:
// the commit exists, this clone just does not hold it (CI checkouts are
// often shallow).
func checkBase(ctx *check.Context, p *doc.Document, errf, warnf func(key, rule, format string, args ...any)) bool {
	if _, ok := p.Lines["base"]; !ok {
		return false // check's required rule reports it
	}
	if p.Base == "" {
		errf("base", RuleBase, "base is empty: it names the commit of the standard this process was tailored against (run 'rmm tailor confirm %s' to set it to HEAD)", p.ID)
		return false
	}
	if !commitRe.MatchString(p.Base) {
		errf("base", RuleBase, "base %q is not a commit hash (use 'rmm tailor confirm %s' to set it to HEAD)", p.Base, p.ID)
		return false
	}
	if ctx.Repo == nil {
		return false
	}
	if _, err := ctx.Repo.Resolve(p.Base); err != nil {
		if ctx.Repo.IsShallow() {
			warnf("base", RuleBase, "base %s is not in this shallow clone: suspect sections cannot be detected (run git fetch --unshallow)", p.Base)
			return false
		}
		errf("base", RuleBase, "base %s is not a commit of this repository", p.Base)
		return false
	}
	if _, err := ctx.At(p.Base); err != nil {
		errf("base", RuleBase, "base %s cannot be read: %v", p.Base, err)
		return false
	}
	return true
}

// suspectRule warns, at each operation's line, when the section it targets
// (or follows, for .add) changed in the standard since base, and at the
// base line for required sections no operation names.
func suspectRule(ctx *check.Context) []doc.Diagnostic {
	var ds []doc.Diagnostic
	for _, p := range DefinedProcesses(ctx.Lib) {
		std := ctx.Lib.ByID[p.Tailors]
		if std == nil || std.Kind != "standard" || ctx.Repo == nil || !commitRe.MatchString(p.Base) {
			continue
		}
		if _, err := ctx.Repo.Resolve(p.Base); err != nil {
			continue
		}
		sus, err := Suspects(ctx, p)
		if err != nil || len(sus) == 0 {
			continue
		}
		changed := map[string]bool{}
		for _, id := range sus {
			changed[id] = true
		}
		short := p.Base
		if len(short) > 12 {
			short = short[:12]
		}
		hint := fmt.Sprintf("review it, then run 'rmm tailor confirm %s'", p.ID)
		ops, _ := ParseOps(p)
		covered := map[string]bool{}
		for _, op := range ops {
			id := op.Target
			if op.Kind == Add {
				id = op.After
			}
			if !changed[id] {
				continue
			}
			covered[id] = true
			ds = append(ds, doc.Warnf(p.Path, op.Line, RuleSuspect, "section %q of %s changed since base %s: %s", id, std.ID, short, hint))
		}
		for _, id := range sus {
			if !covered[id] {
				ds = append(ds, doc.Warnf(p.Path, p.Line("base"), RuleSuspect, "required section %q of %s changed since base %s: %s", id, std.ID, short, hint))
			}
		}
	}
	return ds
}
