// Package render publishes a library as a static website: the process asset
// library of SPEC section 6.
//
// Start with Build. Like Hugo's build it runs in named phases, and wraps
// every error with the phase it came from:
//
//   - load: the library at a revision (working tree or commit), the history
//     of every path in one pass over the commits, baselines and tailorings;
//   - assemble: decide which documents the audience may see and compute
//     everything that crosses documents (titles of links, backlinks, indexes,
//     the appraisal of the published documents, search data);
//   - render: Markdown to HTML through goldmark with rmm's extensions, then
//     html/template layouts, on every core; each file goes straight into a
//     temporary folder beside the output (unchanged files hard-linked from
//     the previous site);
//   - write: the temporary folder is swapped in for the previous site.
//
// Before it writes, the output guard (guard.go) makes sure the output
// folder is rmm's own: every site carries a marker file, .rmm-site,
// listing its files, and only those are ever replaced or removed.
//
// rmm serve writes in place instead (Options.InPlace): no folder beside,
// only the files whose bytes changed are renamed into the output folder,
// and the ones no longer produced removed.
//
// Layouts, CSS and JS are embedded from templates/site; a repository may
// override any of them in .rmm/templates/site/. Every link in the output is
// relative, so the site works from any folder, URL path or file://.
//
// The site's files:
//
//	index.html                 home: what needs attention, counts, recent changes
//	attention.html             what needs attention (rmm status, attention.go)
//	register.html              the document register, sortable and filterable
//	register.csv               the same register as CSV (rmm register --csv)
//	doc/ID.html                a page per published document
//	kind/KIND.html             current documents by kind (retired ones leave)
//	area/CODE.html             by process area, with its appraisal
//	unit/NAME.html             by organizational unit
//	status/STATUS.html         by status (status/retired.html is the archive)
//	lessons.html               lessons learned library, with tags
//	baselines.html             baselines, newest first
//	baseline/NAME.html         a baseline's manifest and what changed
//	tailoring.html             the tailoring matrix
//	coverage.html              rmm appraise's result: levels, evidence, why not met,
//	                           training gaps, deviations of measures
//	stakeholders.html          who is involved in what, per process area
//	checks.html                what rmm check found
//	print/NAME.html            a baseline's controlled copy (Options.PrintBaseline only)
//	feed.xml                   Atom feed of the latest changes (feeds.go)
//	calendar.ics               iCalendar: reviews due, open actions with due dates
//	sitemap.xml                every page, only when rmm.yaml sets base_url
//	404.html                   page not found (rmm serve answers it too)
//	assets/                    style.css, search.js, search-index.js, register.js, nav.js, favicon.svg
//	files/PATH                 repository files that documents link to
//
// Names that are not ids (units, statuses, baselines) become file names
// only when they are safe (see fileName); ids are safe by syntax. A rebuild
// reuses the pages whose inputs did not change (cache.go).
package render

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// Options say what to build and where.
type Options struct {
	Repo *repo.Repo
	// Rev is the revision to publish; "" is the working tree.
	Rev string
	// Out is the output folder, absolute. Build writes only into a folder
	// that does not exist, holds no file, or is a site rmm wrote (it
	// carries MarkerFile) and holds nothing else; never into the library's
	// root, a folder above it, the git folder or a folder holding files git
	// tracks (see CheckOutput). A refusal is an *OutputError.
	Out string
	// Audience is public, internal (default) or restricted: which
	// sensitivities are published (SPEC 4).
	Audience string
	// Strict refuses to build when Diags holds an error.
	Strict bool
	// Now is the time of the build; it is never written into the output
	// (dates come from git), only used for overdue reviews.
	Now time.Time
	// Diags are the results of `rmm check`, shown on the site as warnings.
	Diags []doc.Diagnostic
	// Templates, when not nil, are the kind templates the checks read
	// (check.Context.Templates): the appraisal of the published documents
	// takes the placeholders they found instead of looking again.
	Templates *check.Templates
	// Snapshots, when not nil, are the libraries the checks read at
	// commits (check.Context.UseSnapshots), shared with the site's own
	// contexts.
	Snapshots *check.SnapshotCache
	// LiveReload, when not "", is the URL path of a script injected into
	// every page (rmm serve uses it to reload open pages).
	LiveReload string
	// Snapshot, when not nil, is the library already loaded at Rev; Build
	// then does not load it again.
	Snapshot *repo.Snapshot
	// InPlace writes into Out itself instead of building beside it and
	// swapping (rmm serve, whose output folder is private): only files
	// whose bytes changed are written, each to a temporary file renamed
	// over the old one, and files no longer produced are removed at the
	// end. Readers see every file whole, but not the site as a whole:
	// during a build, or after one that failed half-way, old and new pages
	// mix. Fine for a preview; a published site (rmm build) keeps the swap
	// (SPEC 6).
	InPlace bool
	// Early, when not nil and InPlace, renders its pages before the
	// others and tells, file by file, when the folder holds what the
	// build has for it (rmm serve reloads an open page then).
	Early *Early
	// Keys, when not nil, is kept by the caller from one build to the
	// next (rmm serve) and remembers what page keys hash of each document,
	// so a rebuild does not hash the bytes of unchanged documents again.
	Keys *KeyCache
	// History, when not nil, is the history pass already made from the
	// commit published (or HEAD for the working tree); Build uses it when
	// its Head is that commit.
	History *repo.History
	// PrintBaseline, when not "", also writes PrintPath(PrintBaseline):
	// the controlled copy of that baseline, which must be reachable from
	// the commit published (print.go; rmm pdf --baseline builds at the
	// baseline's own commit).
	PrintBaseline string
	// Scratch is a site that is thrown away after use (rmm pdf builds one
	// in a temporary folder): no page state of a previous build is read,
	// and none is saved for the next.
	Scratch bool
	// Stale, in rmm serve's preview, names the documents published from
	// their last good version (LastGood.Patch) with the error that keeps
	// the file from loading; their pages carry a banner that says so.
	Stale map[string]doc.Diagnostic

	// guarded is what the pipeline's guard found in Out at the start of
	// this build, when Out is rmm serve's private preview written in
	// place: the writer takes it instead of walking the folder again.
	guarded *ownedDir
	// bodies are what the pipeline's library read prepared (prepared.go):
	// a document page takes its body from them instead of parsing it.
	bodies *preparedBodies
}

// Result tells what a build did.
type Result struct {
	Pages   int // HTML pages in the site
	Files   int // files in the site
	Written int // files whose bytes changed since the previous site
	Removed int // files and folders an in-place build removed (Options.InPlace)
	Reused  int // document pages taken from the previous site without rendering
	// Rendered lists the pages rendered (not taken from the previous
	// site), sorted.
	Rendered []string
	Duration time.Duration // wall time of the build
	// Warnings are problems met while building that did not stop it (a
	// measure whose data cannot be read, a gap in a feature).
	Warnings []string
	// Errors are the errors among Options.Diags, in order: what the
	// terminal of rmm serve shows after a build.
	Errors []doc.Diagnostic
	// Shown are those of Errors the audience may see, as the checks page
	// shows them: about a document published for it, or rmm.yaml. Open
	// pages of rmm serve show only these: the preview is served to whoever
	// reaches it, and an error names its file and quotes it.
	Shown []doc.Diagnostic
	// Stale counts the documents published from their last good version
	// (Options.Stale).
	Stale int
	// Phases is the wall time of each phase, in order (for benchmarks).
	Phases []PhaseTime
	// Diags are what check found (set by Pipeline.Build; Build shows
	// Options.Diags).
	Diags []doc.Diagnostic
}

// PhaseTime is the wall time of one phase of a build.
type PhaseTime struct {
	Phase    string
	Duration time.Duration
}

// ErrStrict is returned by Build when Strict is set and Diags holds an
// error; nothing is written.
var ErrStrict = errors.New("check found errors; the site was not built (--strict)")

// Phase names, as they appear in errors.
const (
	PhaseLoad     = "load"
	PhaseAssemble = "assemble"
	PhaseRender   = "render"
	PhaseWrite    = "write"
)

// PhaseError is an error of one phase of the build.
type PhaseError struct {
	Phase string
	Err   error
}

func (e *PhaseError) Error() string { return fmt.Sprintf("build: %s: %v", e.Phase, e.Err) }
func (e *PhaseError) Unwrap() error { return e.Err }

func phase(name string, err error) error {
	if err == nil {
		return nil
	}
	return &PhaseError{Phase: name, Err: err}
}

// Build publishes the library at o.Rev into o.Out.
func Build(ctx context.Context, o Options) (*Result, error) {
	start := time.Now()
	var err error
	if o.Audience, err = checkTarget(o.Repo, o.Audience, o.Out); err != nil {
		return nil, err
	}
	if o.Strict && doc.HasErrors(o.Diags) {
		return nil, ErrStrict
	}
	res := &Result{}
	mark := time.Now()
	lap := func(name string) {
		now := time.Now()
		res.Phases = append(res.Phases, PhaseTime{name, now.Sub(mark)})
		mark = now
	}
	in, err := load(ctx, o, res)
	if err != nil {
		return nil, phase(PhaseLoad, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, phase(PhaseLoad, err)
	}
	lap(PhaseLoad)
	s, err := assemble(o, in, res)
	if err != nil {
		return nil, phase(PhaseAssemble, err)
	}
	if o.Keys != nil {
		o.Keys.start()
	}
	if !o.Scratch {
		s.prev = s.loadState()
	}
	s.next = map[string]pageState{}
	lap(PhaseAssemble)
	spare := ""
	if !o.Scratch && !o.InPlace {
		spare = s.spareDir()
	}
	w, err := newSiteWriter(o.Repo, o.Out, o.InPlace, o.guarded, spare)
	if err != nil {
		return nil, phase(PhaseWrite, err)
	}
	if o.Early != nil && o.InPlace {
		w.settled = o.Early.Settled
	}
	if err := s.render(ctx, w); err != nil {
		w.abort()
		return nil, phase(PhaseRender, err)
	}
	if o.PrintBaseline != "" {
		if err := s.renderPrint(w); err != nil {
			w.abort()
			return nil, phase(PhaseRender, err)
		}
	}
	lap(PhaseRender)
	if err := ctx.Err(); err != nil {
		w.abort()
		return nil, phase(PhaseWrite, err)
	}
	if err := w.commit(); err != nil {
		return nil, phase(PhaseWrite, err)
	}
	if !o.Scratch {
		s.saveState()
	}
	if o.Keys != nil {
		o.Keys.keepTemplates(s.in.tmpl)
	}
	lap(PhaseWrite)
	res.Written = int(w.written.Load())
	res.Removed = int(w.removed.Load())
	res.Files = int(w.files.Load())
	res.Pages = int(w.pages.Load())
	res.Reused = int(s.reused.Load())
	res.Errors = errorsOf(o.Diags)
	for _, dg := range res.Errors {
		if s.diagShown(dg) {
			res.Shown = append(res.Shown, dg)
		}
	}
	res.Stale = len(o.Stale)
	res.Rendered = s.rendered
	sort.Strings(res.Rendered)
	res.Duration = time.Since(start)
	return res, nil
}

// checkTarget refuses a build without a repository, for an unknown
// audience or into a relative folder, and returns the audience ("" is
// internal). Build and NewPipeline ask it.
func checkTarget(r *repo.Repo, audience, out string) (string, error) {
	if r == nil {
		return "", errors.New("build: no repository")
	}
	if audience == "" {
		audience = "internal"
	}
	if !doc.Contains(doc.Sensitivities, audience) {
		return "", fmt.Errorf("build: audience %q is not one of public, internal, restricted", audience)
	}
	if out == "" || !filepath.IsAbs(out) {
		return "", fmt.Errorf("build: output folder %q is not an absolute path", out)
	}
	return audience, nil
}
