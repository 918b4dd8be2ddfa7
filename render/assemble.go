package render

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/tailor"
)

// site is the assembled model: what is published and how pages link.
type site struct {
	o    Options
	in   *input
	lib  *doc.Library
	cfg  *doc.Config
	res  *Result
	info *siteInfo

	pages []*page          // one per published document, sorted by id
	byID  map[string]*page // published documents only

	mu     sync.Mutex
	assets map[string]string // repository path -> site path of copied files
	search map[*page]*searchEntry

	baselines []*baseline.Manifest // reachable from the published commit, oldest first
	baseNotes []string
	// ctl tells the status a document may be shown with: "approved" only
	// while every approval it needs is current and it has not left the
	// latest baseline's control (baseline.Control).
	ctl *baseline.Control

	cacheFields

	namesOnce sync.Once
	names     map[string]string // lower-case email -> name (people.go)

	matrixOnce sync.Once
	// changesOnce makes allChanges, every commit that changed a published
	// document, newest first (changes).
	changesOnce sync.Once
	allChanges  []*change
	matrix      []tailor.Cell
	matrixErr   error

	// appr is the appraisal of the published documents (coverage.go).
	appr siteAppraisal

	// seal is what the audience may not see beyond hidden documents'
	// pages (audience.go).
	seal *seal
}

// page is a published document.
type page struct {
	d         *doc.Document
	url       string // from the site's root: doc/ID.html
	retired   bool
	backlinks []*page
	history   []repo.CommitInfo
}

// link is an anchor to a page, as templates see it.
type link struct {
	URL   string // relative to the site's root; templates prefix .Root
	Text  string
	ID    string
	Extra string
}

// siteInfo is what every page shows: titles and navigation.
type siteInfo struct {
	Title        string
	Organization string
	Audience     string
	Commit       string // short hash of the commit published ("" for an empty repository)
	WorkTree     bool   // built from the working tree
	Kinds        []navItem
	Areas        []navItem
	Units        []navItem
	Statuses     []navItem
	HasChecks    bool
	LiveReload   string
	RemoteImages bool // rmm.yaml remote_images: the pages' CSP lets https: images load
}

type navItem struct {
	Key   string
	Name  string
	URL   string
	Count int
}

// sensitivityLevel orders sensitivities; an unknown value counts as
// restricted, so a typo never publishes a document.
func sensitivityLevel(s string) int {
	switch s {
	case "public":
		return 0
	case "internal":
		return 1
	}
	return 2
}

// sensitivity is a document's sensitivity with rmm.yaml's default.
func (s *site) sensitivity(d *doc.Document) string {
	if d.Sensitivity != "" {
		return d.Sensitivity
	}
	return s.cfg.Sensitivity()
}

// visible reports whether the audience may see d.
func (s *site) visible(d *doc.Document) bool {
	return sensitivityLevel(s.sensitivity(d)) <= sensitivityLevel(s.o.Audience)
}

// safeName matches names that may become a file name in the output.
var safeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// fileName turns a free-form name (unit, tag, baseline) into a file name
// that cannot leave its folder: kept when it is safe, else its slug with a
// short hash of the original so two names never share a file.
func fileName(s string) string {
	if safeName.MatchString(s) && !strings.Contains(s, "..") && len(s) <= 100 {
		return s
	}
	slug := doc.Slug(s)
	if len(slug) > 60 {
		slug = slug[:60]
	}
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return fmt.Sprintf("%s-%08x", strings.Trim(slug, "-."), h)
}

func assemble(o Options, in *input, res *Result) (*site, error) {
	s := &site{o: o, in: in, lib: in.lib, cfg: in.lib.Config, res: res,
		byID: map[string]*page{}, assets: map[string]string{}}
	if s.cfg == nil {
		s.cfg = &doc.Config{}
	}
	for _, d := range s.lib.Docs {
		if !s.visible(d) {
			continue
		}
		if d.ID == "" {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s: no id, not published", d.Path))
			continue
		}
		if s.lib.ByID[d.ID] != d {
			continue // a duplicate id: check reports it
		}
		if !doc.IDPattern.MatchString(d.ID) || strings.ContainsAny(d.ID, "/\\.") {
			// The id names the page's file: one that could lead out of the
			// output folder is refused, and the document not published.
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s:%d: id %q cannot name a page (it could leave the output folder); not published", d.Path, d.Line("id"), d.ID))
			continue
		}
		p := &page{d: d, url: "doc/" + d.ID + ".html", retired: d.EffectiveStatus() == "retired"}
		s.byID[d.ID] = p
		s.pages = append(s.pages, p)
	}
	sort.Slice(s.pages, func(i, j int) bool { return s.pages[i].d.ID < s.pages[j].d.ID })
	// What derives from hidden documents (files, data, diagnostics) is
	// withheld before anything reads it (audience.go).
	s.sealAudience()

	// Each page's history is looked up while the backlinks are found
	// (two fields of the pages, each written by one goroutine; about 10
	// and 8 ms at 10,000 documents, on the path of every serve rebuild).
	var hist sync.WaitGroup
	if in.history != nil {
		hist.Go(func() {
			for _, p := range s.pages {
				p.history = in.history.Of(gitPath(o.Repo, p.d.Path))
			}
		})
	}

	// Backlinks: body references and the front matter keys that name
	// other documents, from published documents to published ones.
	for _, p := range s.pages {
		seen := map[*page]bool{}
		for _, t := range s.refsOf(p.d) {
			if t != p && !seen[t] {
				seen[t] = true
				t.backlinks = append(t.backlinks, p)
			}
		}
	}
	for _, p := range s.pages {
		sort.Slice(p.backlinks, func(i, j int) bool { return p.backlinks[i].d.ID < p.backlinks[j].d.ID })
	}

	hist.Wait()

	s.sealCommits()
	if in.commit != "" {
		s.baselines, s.baseNotes = loadBaselines(o.Repo, in.commit, in.history)
	}
	var latest *baseline.Manifest
	if n := len(s.baselines); n > 0 {
		latest = s.baselines[n-1]
	}
	ctl, err := baseline.NewControl(o.Repo, s.lib, latest)
	if err != nil {
		s.baseNotes = append(s.baseNotes, err.Error())
	}
	s.ctl = ctl
	s.info = s.siteInfo()
	return s, nil
}

// refsOf lists the published documents d points at, in its body and front
// matter.
func (s *site) refsOf(d *doc.Document) []*page {
	var out []*page
	for _, r := range d.Refs {
		if t := s.lib.Resolve(r); t != nil {
			if p := s.byID[t.ID]; p != nil && p.d == t {
				out = append(out, p)
			}
		}
	}
	for _, ids := range [][]string{d.Evaluates, d.Covers, d.Affects, d.Cites, {d.Tailors, d.SupersededBy, d.Source, d.Trigger}} {
		for _, id := range ids {
			if p := s.byID[id]; p != nil {
				out = append(out, p)
			}
		}
	}
	return out
}

func (s *site) siteInfo() *siteInfo {
	title := s.cfg.Title
	if title == "" {
		title = "Process Asset Library"
	}
	info := &siteInfo{Title: title, Organization: s.cfg.Organization, Audience: s.o.Audience,
		WorkTree: s.o.Rev == "", HasChecks: len(s.o.Diags) > 0, LiveReload: s.o.LiveReload, RemoteImages: s.cfg.RemoteImages}
	if len(s.in.commit) >= 12 {
		info.Commit = s.in.commit[:12]
	}
	kinds := map[string]int{}
	areas := map[string]int{}
	units := map[string]int{}
	statuses := map[string]int{}
	for _, p := range s.pages {
		statuses[s.status(p.d)]++
		// Every kind, area and unit a published page names has its index
		// page (so a retired document's links resolve); counts and the
		// sidebar are of current documents.
		n := 1
		if p.retired {
			n = 0
		}
		kinds[p.d.Kind] += n
		if p.d.ProcessArea != "" {
			areas[p.d.ProcessArea] += n
		}
		if p.d.Unit != "" {
			units[p.d.Unit] += n
		}
	}
	for _, k := range doc.Kinds {
		if _, ok := kinds[k]; ok {
			info.Kinds = append(info.Kinds, navItem{Key: k, Name: kindTitle(k), URL: "kind/" + k + ".html", Count: kinds[k]})
		}
	}
	for k, n := range kinds {
		if !doc.Contains(doc.Kinds, k) {
			info.Kinds = append(info.Kinds, navItem{Key: k, Name: k, URL: "kind/" + fileName(k) + ".html", Count: n})
		}
	}
	sort.SliceStable(info.Kinds, func(i, j int) bool {
		ki, kj := indexOf(doc.Kinds, info.Kinds[i].Key), indexOf(doc.Kinds, info.Kinds[j].Key)
		if ki != kj {
			return ki < kj
		}
		return info.Kinds[i].Key < info.Kinds[j].Key
	})
	for _, a := range sortedKeys(areas) {
		name := doc.ProcessAreaNames[a]
		if name == "" {
			name = a
		}
		info.Areas = append(info.Areas, navItem{Key: a, Name: name, URL: "area/" + fileName(a) + ".html", Count: areas[a]})
	}
	for _, u := range sortedKeys(units) {
		info.Units = append(info.Units, navItem{Key: u, Name: u, URL: "unit/" + fileName(u) + ".html", Count: units[u]})
	}
	for _, st := range append(append([]string{}, doc.Statuses...), doc.ProposalStatuses...) {
		if statuses[st] > 0 {
			info.Statuses = append(info.Statuses, navItem{Key: st, Name: st, URL: "status/" + st + ".html", Count: statuses[st]})
		}
	}
	for st, n := range statuses {
		if !doc.Contains(doc.Statuses, st) && !doc.Contains(doc.ProposalStatuses, st) {
			info.Statuses = append(info.Statuses, navItem{Key: st, Name: st, URL: "status/" + fileName(st) + ".html", Count: n})
		}
	}
	sort.SliceStable(info.Statuses, func(i, j int) bool {
		a, b := info.Statuses[i], info.Statuses[j]
		ka, kb := statusOrder(a.Key), statusOrder(b.Key)
		if ka != kb {
			return ka < kb
		}
		return a.Key < b.Key
	})
	return info
}

func statusOrder(s string) int {
	all := append(append([]string{}, doc.Statuses...), doc.ProposalStatuses...)
	if i := indexOf(all, s); i >= 0 {
		return i
	}
	return len(all)
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return len(list) + 1
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var kindTitles = map[string]string{
	"policy": "Policies", "plan": "Plans", "process": "Defined processes", "standard": "Standard processes",
	"evaluation": "Evaluations", "review": "Reviews", "measure": "Measures", "lesson": "Lessons learned",
	"proposal": "Improvement proposals", "training": "Training records", "note": "Notes",
}

func kindTitle(k string) string {
	if t, ok := kindTitles[k]; ok {
		return t
	}
	return k
}

// addAsset records a repository file a page links to and returns its path
// in the site.
func (s *site) addAsset(p string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name, ok := s.assets[p]; ok {
		return name
	}
	name := "files/" + p
	s.assets[p] = name
	return name
}

// pageLink is a link to a published page, or false.
func (s *site) pageLink(id string) (link, bool) {
	p := s.byID[id]
	if p == nil {
		return link{}, false
	}
	return link{URL: p.url, Text: p.d.Title, ID: p.d.ID}, true
}

// docPath is the path of the page of d, for tests and serve.
func docPath(id string) string { return path.Join("doc", id+".html") }
