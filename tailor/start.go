package tailor

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/store"
)

// Refusal is a request refused for a reason the user can fix; nothing was
// written. Usage is set when the request itself is wrong (an unknown
// unit, an id of the wrong shape); Hint says what to do.
type Refusal struct {
	Msg, Hint string
	Usage     bool
}

func (e *Refusal) Error() string { return e.Msg }

// StartRequest is `rmm tailor STANDARD --unit UNIT`.
type StartRequest struct {
	Standard, Unit string
	ID             string // "" for DefaultID
	Owner          string // "" for git's user.email
}

// Started is the defined process Start wrote.
type Started struct {
	ID   string
	Path string // from the library's root, slash-separated
	// Uncommitted is set when the standard has changes that are not
	// committed: base is HEAD, so the changed sections will be suspect
	// until they are committed and the process confirmed.
	Uncommitted bool
	Standard    *doc.Document
}

// Start writes a new defined process for req.Unit tailoring the standard
// req.Standard of snap (the working tree of r), with base the current
// commit, and never over an existing file. A unit tailors a standard once:
// a second defined process is refused, as is an owner that is not one
// valid email or an id that is taken. A refusal is a *Refusal; any other
// error is an internal failure.
func Start(r *repo.Repo, snap *repo.Snapshot, req StartRequest) (*Started, error) {
	lib := snap.Lib
	if !doc.Contains(lib.Config.Units, req.Unit) {
		units := strings.Join(lib.Config.Units, ", ")
		if units == "" {
			units = "none yet: add units: [NAME] to rmm.yaml"
		}
		return nil, &Refusal{Usage: true, Msg: fmt.Sprintf("unknown unit %q: rmm.yaml units are %s", req.Unit, units)}
	}
	std := lib.ByID[req.Standard]
	if std == nil {
		return nil, &Refusal{Hint: standardsHint(lib), Msg: "no document has the id " + req.Standard}
	}
	if std.Kind != "standard" {
		return nil, &Refusal{Hint: standardsHint(lib), Msg: fmt.Sprintf("%s is a %s (%s), not a standard process", std.ID, std.Kind, std.Path)}
	}
	for _, p := range DefinedProcesses(lib) {
		if p.Tailors == std.ID && p.Unit == req.Unit {
			return nil, &Refusal{Hint: fmt.Sprintf("edit it, or see it with 'rmm tailor show %s'", p.ID),
				Msg: fmt.Sprintf("unit %s already tailors %s: %s (%s)", req.Unit, std.ID, p.ID, p.Path)}
		}
	}
	owner, from := strings.TrimSpace(req.Owner), "--owner"
	if owner == "" {
		who, ok := r.Identity()
		if !ok {
			return nil, &Refusal{Hint: "set it with 'git config user.email you@example.org', or pass --owner EMAIL", Msg: "who owns the defined process? git has no user.email"}
		}
		owner, from = who.Email, "git's user.email"
	}
	if err := doc.CheckEmail(owner); err != nil {
		return nil, &Refusal{Hint: "pass --owner with one email address, like dana@example.org", Msg: fmt.Sprintf("%s: %v", from, err)}
	}
	id := req.ID
	if id == "" {
		id = DefaultID(std, req.Unit)
	}
	if !doc.IDPattern.MatchString(id) {
		return nil, &Refusal{Usage: true, Msg: fmt.Sprintf("id %q must be upper case words joined by '-', like IMC-OPS", id)}
	}
	if d := lib.ByID[id]; d != nil {
		return nil, &Refusal{Hint: "choose another with --id", Msg: fmt.Sprintf("id %s is taken by %s", id, d.Path)}
	}
	rel := NewPath(std, req.Unit)
	head, _, err := r.Head()
	if err != nil {
		return nil, err // load read HEAD already
	}
	content, err := Scaffold(std, id, req.Unit, owner, head)
	if err != nil {
		return nil, err // id and owner were checked above
	}
	if err := store.WriteNew(filepath.Join(r.Root, filepath.FromSlash(rel)), content, 0o644); errors.Is(err, fs.ErrExist) {
		return nil, &Refusal{Hint: "move it away, or tailor with another --unit", Msg: rel + " exists already"}
	} else if err != nil {
		return nil, err
	}
	st := &Started{ID: id, Path: rel, Standard: std}
	if atHead, err := r.Load("HEAD", doc.LoadOptions{}); err == nil {
		old := atHead.Lib.ByID[std.ID]
		st.Uncommitted = old == nil || !bytes.Equal(old.Raw, std.Raw)
	}
	return st, nil
}

func standardsHint(lib *doc.Library) string {
	var ids []string
	for _, s := range Standards(lib) {
		ids = append(ids, s.ID)
	}
	if len(ids) == 0 {
		return "there is no standard process yet: 'rmm new standard TITLE' writes one"
	}
	return "standard processes: " + strings.Join(ids, ", ")
}

// Find is the defined process id of lib (kind process with tailors), or
// a *Refusal saying why there is none.
func Find(lib *doc.Library, id string) (*doc.Document, error) {
	d := lib.ByID[id]
	if d == nil {
		var ids []string
		for _, p := range DefinedProcesses(lib) {
			ids = append(ids, p.ID)
		}
		sort.Strings(ids)
		hint := "defined processes: " + strings.Join(ids, ", ")
		if len(ids) == 0 {
			hint = "there is no defined process yet: 'rmm tailor STANDARD-ID --unit UNIT' writes one"
		}
		return nil, &Refusal{Hint: hint, Msg: "no document has the id " + id}
	}
	if d.Kind != "process" || d.Tailors == "" {
		return nil, &Refusal{Hint: "a defined process is kind: process with tailors, unit and base", Msg: fmt.Sprintf("%s (%s) is not a defined process", id, d.Path)}
	}
	return d, nil
}

// Effective is a defined process as `rmm tailor show` prints it.
type Effective struct {
	Process, Standard *doc.Document
	Defined           *Defined
	// Diags are the problems with its operations, and with its base.
	Diags []doc.Diagnostic
	// Suspect lists the sections changed in the standard since base;
	// State is Suspect when there is one, else Current.
	Suspect []string
	State   State
}

// Show composes the defined process p of ctx's library with its standard
// as it is now; a process whose standard is gone is a *Refusal.
func Show(ctx *check.Context, p *doc.Document) (*Effective, error) {
	std := ctx.Lib.ByID[p.Tailors]
	if std == nil || std.Kind != "standard" {
		return nil, &Refusal{Hint: "run 'rmm check' for details", Msg: fmt.Sprintf("%s tailors %s, which is not a standard process", p.ID, p.Tailors)}
	}
	def, diags := Compose(std, p)
	sus, err := Suspects(ctx, p)
	if err != nil {
		diags = append(diags, doc.Errorf(p.Path, p.Line("base"), RuleBase, "%v", err))
	}
	state := Current
	if len(sus) > 0 {
		state = Suspect
	}
	return &Effective{Process: p, Standard: std, Defined: def, Diags: diags, Suspect: sus, State: state}, nil
}
