// Package appraise tells, for each process area of a library, which
// documents evidence each generic practice of CERT-RMM (GG1 to GG3), why
// a practice is not met, and the capability level reached. It is rmm's
// one appraisal: `rmm appraise`, `rmm status` and the site's coverage
// pages all show what Appraise returns.
//
// Start with Appraise. Evidence must say something (a document with a
// placeholder section is never evidence: check.Templates), be current
// (evaluations, reviews, measures and improvement information have an
// age limit, measured against check.Context.Now) and be independent (an
// evaluator neither wrote, owns nor approved what they evaluate:
// baseline.Independence). The rules are listed in Practices; the README
// repeats them. Training gaps (TrainingGaps), deviations of measures
// (check.Context.Deviations), actions with the commit that closed them
// (Actions) and who is involved in what (Stakeholders) are computed here
// too, for the same callers.
package appraise

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/tailor"
)

// Practice is a generic practice and the rule that finds its evidence.
type Practice struct {
	ID, Name string
	Goal     int    // 1, 2 or 3
	Rule     string // what counts as evidence, for people
	find     func(a *area) result
}

// result is what a rule found: the evidence, whether the practice is met
// (evidence found and nothing else missing), why not, and notes on the
// evidence.
type result struct {
	docs  []*doc.Document
	met   bool
	why   []string
	notes []string
}

// TrainingGapLimit is how old a training gap may be before GG2.GP5 is not
// met.
const TrainingGapLimit = 90

// DefaultAreaPeriod is how recent an area's evaluation and management
// review must be when none of its policies and plans has review_every.
const DefaultAreaPeriod = "1y"

// ImprovementPeriod is how recent improvement information must be.
const ImprovementPeriod = "1y"

// Practices are the generic practices rmm appraises, in order.
var Practices = []Practice{
	{"GG1.GP1", "Perform specific practices", 1, "a process description (standard or process) or work product (plan, measure) of the area that is not retired and has no placeholder section", gg1gp1},
	{"GG2.GP1", "Establish process governance", 2, "an approved policy of the area (its approvals current, no placeholder section)", gp1},
	{"GG2.GP2", "Plan the process", 2, "an approved plan of the area with no placeholder section, approved by its owner and by every stakeholder whose involvement is approve (current approvals)", gp2},
	{"GG2.GP3", "Provide resources", 2, "a plan of the area whose Resources section has content (not a placeholder)", gp3},
	{"GG2.GP4", "Assign responsibility", 2, "an approved plan of the area with no placeholder section that its owner approved with a current approval (acceptance of responsibility)", gp4},
	{"GG2.GP5", "Train people", 2, "a plan of the area whose Training section has content, a training record covering a document of the area, and no training gap on a document of the area older than 90 days", gp5},
	{"GG2.GP6", "Control work products", 2, "an approved controlled document of the area with no placeholder section, held by the latest baseline", gp6},
	{"GG2.GP7", "Identify and involve stakeholders", 2, "a plan of the area with no placeholder section that lists stakeholders", gp7},
	{"GG2.GP8", "Measure and control the process", 2, "a measure of the area with a target and data no older than its period (default 3mo), and a corrective action or lesson referring to each measure of the area that is off target or stale", gp8},
	{"GG2.GP9", "Objectively evaluate adherence", 2, "an evaluation of the area, or of one of its documents, approved by its evaluator, who neither authored (per git), owns nor approved what it evaluates, dated within the area's review period (the shortest review_every of its policies and plans, else 1y)", gp9},
	{"GG2.GP10", "Review status with higher level managers", 2, "an approved review of the area, or covering one of its documents, signed by a holder of the manager role, dated within the area's review period; a review with trigger is event-driven", gp10},
	{"GG3.GP1", "Establish a defined process", 3, "for every unit of rmm.yaml (or one, without units), a defined process of the area (its own or tailoring a standard of the area) that is current: not retired, not suspect", gg3gp1},
	{"GG3.GP2", "Collect improvement information", 3, "a lesson or proposal of the area, or affecting one of its documents, with no placeholder section, dated (date, else its latest commit) within 12 months", gg3gp2},
}

// Evidence is one practice's result in one area.
type Evidence struct {
	Practice string   `json:"practice"`
	Name     string   `json:"name"`
	Met      bool     `json:"met"`
	Docs     []string `json:"documents"`
	// Why says what is missing when the practice is not met, and which
	// documents were looked at and not counted (and why), met or not.
	Why []string `json:"why"`
	// Notes say more about the evidence (an event-driven review).
	Notes []string `json:"notes"`
}

// Area is one process area's appraisal.
type Area struct {
	Code      string     `json:"process_area"`
	Name      string     `json:"name"`
	Level     int        `json:"level"`
	LevelName string     `json:"level_name"`
	Practices []Evidence `json:"practices"`
	// Explanation says why the area is at its level and not higher.
	Explanation string `json:"explanation"`
	// Period is the area's review period (GG2.GP9, GG2.GP10).
	Period string `json:"review_period"`
}

// LevelNames are the capability levels' names.
var LevelNames = []string{"incomplete", "performed", "managed", "defined"}

// Rule is a practice's rule, for --json and the site.
type Rule struct {
	Practice string `json:"practice"`
	Name     string `json:"name"`
	Goal     int    `json:"goal"`
	Rule     string `json:"rule"`
}

// Rules lists every practice's rule.
func Rules() []Rule {
	out := make([]Rule, len(Practices))
	for i, p := range Practices {
		out[i] = Rule{p.ID, p.Name, p.Goal, p.Rule}
	}
	return out
}

// Result is an appraisal of a library.
type Result struct {
	Areas        []Area            `json:"process_areas"`
	Rules        []Rule            `json:"rules"`
	TrainingGaps []Gap             `json:"training_gaps"`
	Deviations   []check.Deviation `json:"deviations"`
}

// Area returns the appraisal of code, or nil.
func (r *Result) Area(code string) *Area {
	for i := range r.Areas {
		if r.Areas[i].Code == code {
			return &r.Areas[i]
		}
	}
	return nil
}

// Options tune Appraise.
type Options struct {
	// Control is change control against the latest baseline (what the
	// site shows as approved, and which baseline holds what). nil: made
	// with baseline.NewControl against the latest baseline of the
	// context's commit (HEAD for the working tree).
	Control *baseline.Control
	// InBaseline, when set, says whether the latest baseline holds a
	// document, instead of Control's baseline (for tests).
	InBaseline func(id string) bool
}

// appraiser holds what every rule shares.
type appraiser struct {
	ctx     *check.Context
	lib     *doc.Library
	cfg     *doc.Config
	ctl     *baseline.Control
	tpl     *check.Templates
	now     time.Time
	held    func(id string) bool
	gaps    []Gap
	devs    []check.Deviation
	history func(d *doc.Document) (time.Time, bool)
	// current holds the library's documents that are not retired, by
	// kind, in the library's order: each area asks for several kinds
	// (about), and scanning the whole library each time was a third of
	// the appraisal at 10,000 documents.
	current map[string][]*doc.Document
}

// area is one process area and its documents.
type area struct {
	*appraiser
	code   string
	docs   []*doc.Document // current (not retired) documents of the area
	period string          // review period, e.g. 1y
}

// Appraise appraises every process area that has at least one document
// (retired ones included, so an area that retired everything shows as
// incomplete). ctx gives the library, its repository and history, its
// templates and the clock.
func Appraise(ctx *check.Context, opts Options) *Result { return Begin(ctx, opts).Result() }

// Appraisal is an appraisal begun: what concerns the whole library
// (training gaps, deviations) is found, and the process areas are
// appraised when first asked for (Result). A page about one document needs
// only the former: rmm serve shows the page being edited before the areas
// are appraised (15 ms of each rebuild at 10,000 documents).
type Appraisal struct {
	a    *appraiser
	once sync.Once
	res  *Result
}

// Begin begins the appraisal of ctx's library.
func Begin(ctx *check.Context, opts Options) *Appraisal {
	return &Appraisal{a: newAppraiser(ctx, opts)}
}

// TrainingGaps are Result().TrainingGaps, without appraising the areas.
func (p *Appraisal) TrainingGaps() []Gap { return p.a.gaps }

// Deviations are Result().Deviations, without appraising the areas.
func (p *Appraisal) Deviations() []check.Deviation { return p.a.devs }

// Result appraises the areas, once; safe for concurrent use.
func (p *Appraisal) Result() *Result {
	p.once.Do(func() { p.res = p.a.appraise() })
	return p.res
}

func (a *appraiser) appraise() *Result {
	res := &Result{Rules: Rules(), TrainingGaps: a.gaps, Deviations: a.devs, Areas: []Area{}}
	byArea := map[string]*area{}
	for _, d := range a.lib.Docs {
		if d.ProcessArea == "" || !doc.Contains(doc.ProcessAreas, d.ProcessArea) {
			continue
		}
		ar := byArea[d.ProcessArea]
		if ar == nil {
			ar = &area{appraiser: a, code: d.ProcessArea}
			byArea[d.ProcessArea] = ar
		}
		if d.EffectiveStatus() != "retired" {
			ar.docs = append(ar.docs, d)
		}
	}
	codes := make([]string, 0, len(byArea))
	for c := range byArea {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	// The areas share only what does not change (the library, its
	// templates and history, behind their own locks): appraised side by
	// side, on every core (rmm serve waits for the appraisal before it
	// can show a page: 35 to 45 ms on one core at 10,000 documents).
	res.Areas = make([]Area, len(codes))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(codes)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				res.Areas[i] = byArea[codes[i]].appraise()
			}
		}()
	}
	for i := range codes {
		next <- i
	}
	close(next)
	wg.Wait()
	return res
}

func newAppraiser(ctx *check.Context, opts Options) *appraiser {
	lib := ctx.Lib
	cfg := lib.Config
	if cfg == nil {
		cfg = &doc.Config{}
	}
	a := &appraiser{ctx: ctx, lib: lib, cfg: cfg, ctl: opts.Control, tpl: ctx.Templates(), now: ctx.Now}
	if a.ctl == nil {
		a.ctl = Control(ctx)
	}
	a.held = opts.InBaseline
	if a.held == nil {
		m := a.ctl.Baseline
		a.held = func(id string) bool { return m != nil && m.Entry(id) != nil }
	}
	a.gaps = trainingGaps(a)
	a.devs = ctx.Deviations()
	a.history = lastCommitDates(ctx)
	a.current = map[string][]*doc.Document{}
	for _, d := range lib.Docs {
		if d.EffectiveStatus() != "retired" {
			a.current[d.Kind] = append(a.current[d.Kind], d)
		}
	}
	return a
}

// Control is change control of ctx's library against the latest
// baseline of its commit (HEAD for the working tree); without a
// repository, or when the baseline cannot be read, one that knows of no
// baseline.
func Control(ctx *check.Context) *baseline.Control {
	var m *baseline.Manifest
	if ctx.Repo != nil {
		at := ctx.Snap.Commit
		if at == "" {
			at, _, _ = ctx.Repo.Head()
		}
		if at != "" {
			m, _ = baseline.LatestAt(ctx.Repo, at)
		}
	}
	ctl, err := baseline.NewControl(ctx.Repo, ctx.Lib, m)
	if err != nil {
		ctl, _ = baseline.NewControl(ctx.Repo, ctx.Lib, nil)
	}
	return ctl
}

func (a *area) appraise() Area {
	a.period = a.reviewPeriod()
	out := Area{Code: a.code, Name: doc.ProcessAreaNames[a.code], Period: a.period}
	met := map[int]bool{1: true, 2: true, 3: true}
	unmet := map[int][]string{}
	for _, p := range Practices {
		r := p.find(a)
		ev := Evidence{Practice: p.ID, Name: p.Name, Met: r.met && len(r.docs) > 0, Docs: idsOf(r.docs), Why: r.why, Notes: r.notes}
		if ev.Why == nil {
			ev.Why = []string{}
		}
		if ev.Notes == nil {
			ev.Notes = []string{}
		}
		if !ev.Met {
			met[p.Goal] = false
			unmet[p.Goal] = append(unmet[p.Goal], p.ID)
		}
		out.Practices = append(out.Practices, ev)
	}
	switch {
	case met[1] && met[2] && met[3]:
		out.Level = 3
	case met[1] && met[2]:
		out.Level = 2
	case met[1]:
		out.Level = 1
	}
	out.LevelName = LevelNames[out.Level]
	switch out.Level {
	case 3:
		out.Explanation = "defined: GG1, every GG2 practice and GG3 are met"
	case 2:
		out.Explanation = "managed: GG1 and every GG2 practice are met; not defined, because " + andList(unmet[3]) + " " + isAre(unmet[3]) + " not met"
	case 1:
		out.Explanation = "performed: GG1 is met; not managed, because " + andList(unmet[2]) + " " + isAre(unmet[2]) + " not met"
	default:
		out.Explanation = "incomplete: GG1.GP1 is not met (no process description or work product with content)"
	}
	return out
}

func andList(ids []string) string {
	switch len(ids) {
	case 0:
		return ""
	case 1:
		return ids[0]
	}
	return strings.Join(ids[:len(ids)-1], ", ") + " and " + ids[len(ids)-1]
}

func isAre(ids []string) string {
	if len(ids) == 1 {
		return "is"
	}
	return "are"
}

// reviewPeriod is the shortest review_every of the area's current
// policies and plans, else DefaultAreaPeriod.
func (a *area) reviewPeriod() string {
	best, bestDays := DefaultAreaPeriod, 0
	for _, d := range a.kinds("policy", "plan") {
		p, err := check.ParsePeriod(d.ReviewEvery)
		if d.ReviewEvery == "" || err != nil {
			continue
		}
		days := int(p.After(a.now).Sub(a.now).Hours() / 24)
		if bestDays == 0 || days < bestDays {
			best, bestDays = strings.TrimSpace(d.ReviewEvery), days
		}
	}
	return best
}

// within reports whether day is no older than period at a.now.
func (a *appraiser) within(day time.Time, period string) bool {
	p, err := check.ParsePeriod(period)
	if err != nil || day.IsZero() {
		return false
	}
	return !a.now.After(p.After(day))
}

func (a *area) kinds(kinds ...string) []*doc.Document {
	var out []*doc.Document
	for _, d := range a.docs {
		if doc.Contains(kinds, d.Kind) {
			out = append(out, d)
		}
	}
	return out
}

// about finds current documents of kind in the area, or anywhere when
// they name a document of the area.
func (a *area) about(kind string, targets func(*doc.Document) []string) []*doc.Document {
	var out []*doc.Document
	for _, d := range a.current[kind] {
		hit := d.ProcessArea == a.code
		for _, id := range targets(d) {
			if t := a.lib.ByID[id]; t != nil && t.ProcessArea == a.code {
				hit = true
			}
		}
		if hit {
			out = append(out, d)
		}
	}
	return out
}

// status is d's status as change control sees it.
func (a *appraiser) status(d *doc.Document) string { return a.ctl.Status(d) }

func (a *appraiser) approved(d *doc.Document) bool { return a.status(d) == "approved" }

// content says why d is no evidence because of placeholders, or "".
func (a *appraiser) content(d *doc.Document) string {
	ps := a.tpl.Placeholders(d)
	if len(ps) == 0 {
		return ""
	}
	names := make([]string, 0, len(ps))
	for _, p := range ps {
		names = append(names, p.Section)
	}
	if len(names) > 3 {
		names = append(names[:3], fmt.Sprintf("%d more", len(ps)-3))
	}
	return fmt.Sprintf("%s has placeholder sections (%s): a placeholder is no evidence", d.ID, strings.Join(names, ", "))
}

// notApproved says why d is not approved, or "".
func (a *appraiser) notApproved(d *doc.Document) string {
	if st := a.status(d); st != "approved" {
		return fmt.Sprintf("%s is not approved (%s)", d.ID, st)
	}
	return ""
}

// pick keeps the candidates every test passes; each test says why a
// document fails it, or "". The reasons become result.why.
func pick(cands []*doc.Document, tests ...func(*doc.Document) string) result {
	var r result
	for _, d := range cands {
		ok := true
		for _, t := range tests {
			if why := t(d); why != "" {
				r.why = append(r.why, why)
				ok = false
				break
			}
		}
		if ok {
			r.docs = append(r.docs, d)
		}
	}
	r.met = len(r.docs) > 0
	return r
}

// missing adds the statement of what is missing when nothing was found.
func (r result) missing(format string, args ...any) result {
	if len(r.docs) == 0 {
		r.why = append(r.why, fmt.Sprintf(format, args...))
	}
	return r
}

func gg1gp1(a *area) result {
	return pick(a.kinds("standard", "process", "plan", "measure"), a.content).
		missing("no standard, defined process, plan or measure of %s with content", a.code)
}

func gp1(a *area) result {
	return pick(a.kinds("policy"), a.content, a.notApproved).missing("no approved policy of %s", a.code)
}

func gp2(a *area) result {
	return pick(a.kinds("plan"), a.content, a.notApproved, a.ownerApproval, func(d *doc.Document) string {
		if who := baseline.Unagreed(d); len(who) > 0 {
			return fmt.Sprintf("%s lacks the approval of its stakeholder%s %s (involvement approve)", d.ID, plural(len(who)), strings.Join(who, ", "))
		}
		return ""
	}).missing("no approved plan of %s", a.code)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (a *appraiser) ownerApproval(d *doc.Document) string {
	if d.Owner == "" {
		return d.ID + " has no owner"
	}
	for _, ap := range baseline.Approvers(d) {
		if strings.EqualFold(ap.By, d.Owner) {
			return ""
		}
	}
	return fmt.Sprintf("%s has no current approval by its owner %s", d.ID, d.Owner)
}

func (a *area) section(title string) func(*doc.Document) string {
	return func(d *doc.Document) string {
		if a.tpl.SectionContent(d, title) {
			return ""
		}
		return fmt.Sprintf("%s: the %s section is missing, empty or a placeholder", d.ID, title)
	}
}

func gp3(a *area) result {
	return pick(a.kinds("plan"), a.section("Resources")).missing("no plan of %s says what resources it has", a.code)
}

func gp4(a *area) result {
	return pick(a.kinds("plan"), a.content, a.notApproved, a.ownerApproval).missing("no approved plan of %s that its owner approved", a.code)
}

func gp5(a *area) result {
	r := pick(a.kinds("plan"), a.section("Training")).missing("no plan of %s says how people are trained", a.code)
	records := pick(a.about("training", func(d *doc.Document) []string { return d.Covers }), a.content, func(d *doc.Document) string {
		if check.ParseDay(d.Date).IsZero() {
			return d.ID + " has no date"
		}
		return ""
	})
	r.why = append(r.why, records.why...)
	if len(records.docs) == 0 {
		r.met = false
		r.why = append(r.why, fmt.Sprintf("no training record covers a document of %s", a.code))
	}
	r.docs = append(r.docs, records.docs...)
	for _, g := range a.gaps {
		if g.ProcessArea != a.code {
			continue
		}
		if g.Days > TrainingGapLimit {
			r.met = false
			r.why = append(r.why, fmt.Sprintf("%s is not trained on %s since %s (%d days, more than %d)", g.Person, g.Document, g.Since, g.Days, TrainingGapLimit))
		} else {
			r.notes = append(r.notes, fmt.Sprintf("%s is not trained on %s since %s (%d days)", g.Person, g.Document, g.Since, g.Days))
		}
	}
	return r
}

func gp6(a *area) result {
	return pick(a.docs, func(d *doc.Document) string {
		if !d.HasFrontMatter || !d.Controlled() {
			return "-" // not a controlled document: not a candidate
		}
		return ""
	}, a.content, a.notApproved, func(d *doc.Document) string {
		if !a.held(d.ID) {
			return d.ID + " is not held by the latest baseline"
		}
		return ""
	}).dropDash().missing("no approved controlled document of %s in the latest baseline", a.code)
}

// dropDash removes the reasons of documents that were no candidates.
func (r result) dropDash() result {
	var why []string
	for _, w := range r.why {
		if w != "-" {
			why = append(why, w)
		}
	}
	r.why = why
	return r
}

func gp7(a *area) result {
	return pick(a.kinds("plan"), a.content, func(d *doc.Document) string {
		if len(d.Stakeholders) == 0 {
			return d.ID + " lists no stakeholders"
		}
		return ""
	}).missing("no plan of %s lists its stakeholders", a.code)
}

func gp8(a *area) result {
	measures := a.kinds("measure")
	stale := map[string]bool{}
	for _, v := range a.devs {
		if v.Kind != check.OffTarget {
			stale[v.Measure] = true
		}
	}
	r := pick(measures, func(d *doc.Document) string {
		if d.Target == nil {
			return d.ID + " has no target"
		}
		return ""
	}, a.content, func(d *doc.Document) string {
		if stale[d.ID] {
			return "-" // said below, as a deviation
		}
		return ""
	}).dropDash().missing("no measure of %s with a target and data within its period", a.code)
	for _, v := range a.devs {
		if m := a.lib.ByID[v.Measure]; m == nil || m.ProcessArea != a.code {
			continue
		}
		if len(v.Corrective) == 0 {
			r.met = false
			r.why = append(r.why, fmt.Sprintf("%s is %s, and no corrective action or lesson refers to it", v.Measure, v.Describe()))
			continue
		}
		refs := make([]string, len(v.Corrective))
		for i, c := range v.Corrective {
			refs[i] = fmt.Sprintf("%s:%d", c.Path, c.Line)
		}
		r.notes = append(r.notes, fmt.Sprintf("%s is %s; corrective action: %s", v.Measure, v.Describe(), strings.Join(refs, ", ")))
	}
	return r
}

func gp9(a *area) result {
	return pick(a.about("evaluation", func(d *doc.Document) []string { return d.Evaluates }), a.content, func(d *doc.Document) string {
		if d.Evaluator == "" {
			return d.ID + " names no evaluator"
		}
		for _, ap := range baseline.Approvers(d) {
			if strings.EqualFold(ap.By, d.Evaluator) {
				return ""
			}
		}
		return fmt.Sprintf("%s has no current approval by its evaluator %s", d.ID, d.Evaluator)
	}, func(d *doc.Document) string {
		cs, err := baseline.Independence(a.ctx, d)
		if err != nil {
			return fmt.Sprintf("%s: cannot check the evaluator's independence: %v", d.ID, err)
		}
		if len(cs) > 0 {
			var what []string
			for _, c := range cs {
				what = append(what, c.Why+" "+c.Target)
			}
			return fmt.Sprintf("%s is not independent: its evaluator %s %s", d.ID, d.Evaluator, strings.Join(what, ", "))
		}
		return ""
	}, a.dated("evaluation")).missing("no independent, current evaluation of %s", a.code)
}

// dated tests that a record's date is within the area's review period.
func (a *area) dated(what string) func(*doc.Document) string {
	return func(d *doc.Document) string {
		day := check.ParseDay(d.Date)
		if day.IsZero() {
			return fmt.Sprintf("%s has no date", d.ID)
		}
		if !a.within(day, a.period) {
			return fmt.Sprintf("%s is dated %s, older than the area's review period %s", d.ID, d.Date, a.period)
		}
		return ""
	}
}

func gp10(a *area) result {
	r := pick(a.about("review", func(d *doc.Document) []string { return d.Covers }), a.content, a.notApproved, func(d *doc.Document) string {
		if baseline.ManagerApprover(d, a.cfg) == "" {
			return fmt.Sprintf("%s is not signed by a holder of the manager role (rmm.yaml roles: manager)", d.ID)
		}
		return ""
	}, a.dated("review")).missing("no current management review of %s", a.code)
	for _, d := range r.docs {
		if t := baseline.EventDriven(d); t != "" {
			r.notes = append(r.notes, fmt.Sprintf("%s is an event-driven review (trigger %s)", d.ID, t))
		}
	}
	return r
}

func gg3gp1(a *area) result {
	var procs []*doc.Document
	for _, d := range tailor.DefinedProcesses(a.lib) {
		if d.EffectiveStatus() == "retired" {
			continue
		}
		std := a.lib.ByID[d.Tailors]
		if d.ProcessArea == a.code || (std != nil && std.ProcessArea == a.code) {
			procs = append(procs, d)
		}
	}
	units := a.cfg.Units
	var r result
	r.met = true
	covered := func(unit string) bool {
		found := false
		for _, p := range procs {
			if unit != "" && p.Unit != unit {
				continue
			}
			sus, err := tailor.Suspects(a.ctx, p)
			switch {
			case err != nil:
				r.why = append(r.why, fmt.Sprintf("%s is suspect: %v", p.ID, err))
			case len(sus) > 0:
				r.why = append(r.why, fmt.Sprintf("%s is suspect: sections of %s changed since its base: %s (rmm tailor confirm %s)", p.ID, p.Tailors, strings.Join(sus, ", "), p.ID))
			default:
				r.docs = append(r.docs, p)
				found = true
			}
		}
		return found
	}
	if len(units) == 0 {
		if !covered("") {
			r.met = false
			r.why = append(r.why, fmt.Sprintf("no current defined process of %s", a.code))
		}
		return r
	}
	for _, u := range units {
		if !covered(u) {
			r.met = false
			r.why = append(r.why, fmt.Sprintf("unit %s has no current defined process of %s", u, a.code))
		}
	}
	return r
}

func gg3gp2(a *area) result {
	affects := func(d *doc.Document) []string { return d.Affects }
	cands := append(a.about("lesson", affects), a.about("proposal", affects)...)
	return pick(cands, a.content, func(d *doc.Document) string {
		day := check.ParseDay(d.Date)
		what := "dated"
		if day.IsZero() {
			t, ok := a.history(d)
			if !ok {
				return "" // not committed yet: new
			}
			day, what = t, "last changed"
		}
		if !a.within(day, ImprovementPeriod) {
			return fmt.Sprintf("%s is %s %s, more than 12 months ago", d.ID, what, day.Format("2006-01-02"))
		}
		return ""
	}).missing("no lesson or proposal of %s within 12 months", a.code)
}

func idsOf(ds []*doc.Document) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, d := range ds {
		if !seen[d.ID] {
			seen[d.ID] = true
			out = append(out, d.ID)
		}
	}
	sort.Strings(out)
	return out
}

// lastCommitDates gives the date of the latest commit that changed a
// document (the history pass from the context's commit, HEAD for the
// working tree); false when it has none or there is no history.
func lastCommitDates(ctx *check.Context) func(*doc.Document) (time.Time, bool) {
	none := func(*doc.Document) (time.Time, bool) { return time.Time{}, false }
	if ctx.Repo == nil {
		return none
	}
	rev := ctx.Snap.Commit
	if rev == "" {
		rev, _, _ = ctx.Repo.Head()
	}
	if rev == "" {
		return none
	}
	h, err := ctx.History(rev)
	if err != nil {
		return none
	}
	return func(d *doc.Document) (time.Time, bool) {
		cs := h.Of(ctx.Repo.FullPath(d.Path))
		if len(cs) == 0 {
			return time.Time{}, false
		}
		return cs[0].Date, true
	}
}
