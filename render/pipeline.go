package render

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/rules"
)

// A Pipeline is the one way rmm publishes a library: rmm build runs it
// once, rmm serve runs it again on every change. One Build is, in order:
//
//   - guard: the output folder is rmm's own (CheckOutput), before anything
//     is read;
//   - history: one history pass from the commit published (HEAD for the
//     working tree), handed both to the checks and to the site;
//   - library: the library at Rev, read once;
//   - check: every rule of rmm check (rules.All) over that library;
//   - then Build's own phases: load (templates), assemble, render, write.
//
// A Pipeline keeps, from one Build to the next, the caches that make a
// rebuild cheap: the previous library (a file whose stat did not change is
// not parsed again, doc.LoadOptions.Previous), the history pass (read
// again only when the commit published moved), the page keys, parsed
// layouts and executed list and register rows (KeyCache), the kind
// templates' placeholders of unchanged documents (check.Templates), and
// the libraries read at commits (check.SnapshotCache). It is safe for one
// Build at a time (rmm serve's server never runs two at once).
type Pipeline struct {
	o PipelineOptions

	mu     sync.Mutex
	out    string           // Out from the library's root, "" when outside it
	loaded *repo.Snapshot   // read by Load, used by the next Build
	prev   *doc.Library     // the last library read: the parse cache
	hist   *repo.History    // the last history pass
	tpl    *check.Templates // the kind templates of the last check
	snaps  *check.SnapshotCache
	finds  *check.DocFindings // what the per-document rules found, for the next build of the working tree
	keys   *KeyCache
	good   *LastGood // with KeepLastGood
	// bodies are the bodies the last library read prepared (parsed once,
	// prepared.go), until the build that shows them ends.
	bodies preparedBodies
}

// PipelineOptions say what a Pipeline builds, and where.
type PipelineOptions struct {
	Repo *repo.Repo
	// Rev is the revision published; "" is the working tree.
	Rev string
	// Out is the output folder, absolute (see Options.Out).
	Out string
	// Audience is public, internal (default) or restricted.
	Audience string
	// Strict refuses to render when check finds an error: Build returns a
	// *StrictError and writes nothing.
	Strict bool
	// Now is the clock, asked once per Build (overdue reviews); nil is
	// time.Now.
	Now func() time.Time
	// LiveReload and InPlace are as in Options (rmm serve sets both).
	LiveReload string
	InPlace    bool
	// LenientHistory makes a history pass that cannot be read a warning of
	// the build (the pages say their history is unknown) instead of its
	// failure: rmm serve keeps previewing a damaged repository.
	LenientHistory bool
	// KeepLastGood keeps, for a document whose file stops loading, its
	// last good version in the site with a banner (LastGood; rmm serve).
	KeepLastGood bool
	// StateOnClose keeps the page state of each Build in memory only and
	// writes the last one to disk in Close (rmm serve: encoding the state
	// of 10,000 pages costs about 0.4 s of CPU, which a rebuild on every
	// save should not pay; a preview killed before Close only makes the
	// next one render every page).
	StateOnClose bool
	// Snapshot, when not nil, is the library already read at Rev (rmm pdf
	// reads it to find what to print); the first Build uses it.
	Snapshot *repo.Snapshot
	// PrintBaseline and Scratch are as in Options (rmm pdf).
	PrintBaseline string
	Scratch       bool
	// OnCheck, when not nil, is called with check's diagnostics before
	// anything is rendered (rmm build prints them there).
	OnCheck func([]doc.Diagnostic)
}

// Phase names of the pipeline, before those of Build.
const (
	PhaseGuard   = "guard"
	PhaseHistory = "history"
	PhaseLibrary = "library"
	PhaseCheck   = "check"
)

// StrictError is Build's refusal under PipelineOptions.Strict: check
// found Errors errors, and nothing was written.
type StrictError struct{ Errors int }

func (e *StrictError) Error() string {
	return fmt.Sprintf("check found %d errors; the site was not built", e.Errors)
}

// NewPipeline checks o and returns its pipeline; it reads only HEAD.
// An empty repository is refused (repo.ErrEmpty): the library has no
// history to publish.
func NewPipeline(o PipelineOptions) (*Pipeline, error) {
	var err error
	if o.Audience, err = checkTarget(o.Repo, o.Audience, o.Out); err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if _, _, err := o.Repo.Head(); err != nil {
		return nil, err
	}
	p := &Pipeline{o: o, keys: NewKeyCache(), loaded: o.Snapshot, snaps: check.NewSnapshotCache(), finds: check.NewDocFindings()}
	p.keys.onClose = o.StateOnClose
	if o.KeepLastGood {
		p.good = NewLastGood()
	}
	// An output folder inside the library is never read as documents.
	if rel, err := filepath.Rel(o.Repo.Root, o.Out); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
		p.out = filepath.ToSlash(rel)
	}
	return p, nil
}

// CheckOutput refuses an output folder that is not rmm's to write (an
// *OutputError). Build asks again before it writes anything.
func (p *Pipeline) CheckOutput() error { return CheckOutput(p.o.Repo, p.o.Out) }

// Load reads the library now, for a caller that needs it before the first
// Build (rmm serve names the organization and refuses a library it cannot
// read before it opens its port); that Build then uses it. Its errors are
// those of repo.Repo.Load (repo.ErrNoRev for an unknown revision).
func (p *Pipeline) Load() (*repo.Snapshot, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, err := p.loadLibrary()
	if err != nil {
		return nil, err
	}
	p.loaded = s
	return s, nil
}

func (p *Pipeline) loadLibrary() (*repo.Snapshot, error) {
	opts := doc.LoadOptions{Output: p.out, OnBody: p.bodies.onBody}
	if p.o.Rev == "" {
		opts.Previous = p.prev // the parse cache reads the working tree only
	}
	s, err := p.o.Repo.Load(p.o.Rev, opts)
	if err != nil {
		return nil, err
	}
	if p.o.Rev == "" {
		p.prev = s.Lib
	}
	return s, nil
}

// Close waits for what the last Build still writes in the background (the
// page state for the next run); call it before the process ends.
func (p *Pipeline) Close() { p.keys.Flush() }

// Build runs the pipeline once. Its errors are *PhaseError naming the
// phase (guard, history, library, check, then Build's), or a *StrictError;
// an *OutputError and context.Canceled can be told with errors.As and
// errors.Is.
func (p *Pipeline) Build(ctx context.Context) (*Result, error) { return p.BuildEarly(ctx, nil) }

// BuildEarly is Build with e (see Early), which applies to an in-place
// pipeline only (PipelineOptions.InPlace); e nil is Build.
func (p *Pipeline) BuildEarly(ctx context.Context, e *Early) (*Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.bodies.reset() // what this build did not show, it never will
	start := time.Now()
	var phases []PhaseTime
	mark := start
	lap := func(name string) {
		now := time.Now()
		phases = append(phases, PhaseTime{name, now.Sub(mark)})
		mark = now
	}
	o := p.o
	own, err := guard(o.Repo, o.Out)
	if err != nil {
		return nil, phase(PhaseGuard, err)
	}
	// The in-place writer of serve's private preview takes what the guard
	// found; any other writer looks again just before it writes.
	lap(PhaseGuard)

	// The history pass first, before the library is in memory: its peak
	// and the library's do not add up.
	commit, hist, err := p.history()
	if err != nil && !o.LenientHistory {
		return nil, phase(PhaseHistory, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, phase(PhaseHistory, err)
	}
	lap(PhaseHistory)

	snap := p.loaded
	p.loaded = nil
	if snap == nil {
		if snap, err = p.loadLibrary(); err != nil {
			return nil, phase(PhaseLibrary, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, phase(PhaseLibrary, err)
	}
	var stale map[string]doc.Diagnostic
	if p.good != nil {
		snap, stale = p.good.Patch(snap) // the library loaded stays as read: the next load compares with it
	}
	lap(PhaseLibrary)

	now := o.Now()
	cc := check.NewContext(o.Repo, snap, now)
	if hist != nil {
		cc.SetHistory(commit, hist)
	}
	if o.Rev == "" { // a document unchanged in the working tree is the same *doc.Document
		cc.InheritTemplates(p.tpl)
		p.finds.Next()
		cc.UseDocFindings(p.finds)
	}
	p.snaps.Next()
	cc.UseSnapshots(p.snaps)
	diags := check.Run(cc, rules.All())
	if p.tpl != nil {
		p.tpl.DropPrevious()
	}
	p.tpl = cc.Templates()
	lap(PhaseCheck)
	if o.OnCheck != nil {
		o.OnCheck(diags)
	}
	if n := countErrors(diags); o.Strict && n > 0 {
		return nil, &StrictError{Errors: n}
	}
	res, err := Build(ctx, Options{
		Repo: o.Repo, Rev: o.Rev, Out: o.Out, Audience: o.Audience, Now: now,
		Diags: diags, LiveReload: o.LiveReload, Snapshot: snap, Stale: stale, Templates: p.tpl, Snapshots: p.snaps,
		History: hist, InPlace: o.InPlace, Early: e, Keys: p.keys,
		PrintBaseline: o.PrintBaseline, Scratch: o.Scratch, guarded: own, bodies: &p.bodies,
	})
	if err != nil {
		return nil, err
	}
	res.Phases = append(phases, res.Phases...)
	res.Diags = diags
	res.Duration = time.Since(start)
	return res, nil
}

// history is the history pass from the commit published, read again only
// when that commit moved. A revision that does not resolve gives no
// history and no error: the library phase reports it.
func (p *Pipeline) history() (string, *repo.History, error) {
	rev := p.o.Rev
	if rev == "" {
		rev = "HEAD"
	}
	commit, err := p.o.Repo.Resolve(rev)
	if err != nil {
		return "", nil, nil
	}
	if p.hist != nil && p.hist.Head() == commit {
		return commit, p.hist, nil
	}
	h, err := repo.LoadHistory(p.o.Repo.GitDir, commit, HistoryCacheDir(p.o.Repo))
	if err != nil {
		p.hist = nil
		return commit, nil, err
	}
	p.hist = h
	return commit, h, nil
}

func countErrors(ds []doc.Diagnostic) int {
	n := 0
	for _, d := range ds {
		if d.Severity == doc.Error {
			n++
		}
	}
	return n
}
