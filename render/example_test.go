package render_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/appraise"
	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/example"
	"github.com/rmm-pal/rmm/render"
	"github.com/rmm-pal/rmm/repo"
)

// TestExampleSite builds the sample organization of `rmm init --example`
// and follows every link of the site; at the first baseline it shows the
// library as it was then.
func TestExampleSite(t *testing.T) {
	dir := t.TempDir()
	r, err := repo.Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := example.Write(r)
	if err != nil {
		t.Fatalf("example: %v", err)
	}
	if res.Documents == 0 || res.Baselines == 0 {
		t.Fatalf("the example wrote nothing to publish: %+v", res)
	}
	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, nil)
	files := siteFiles(t, out)
	checkLinks(t, files)
	var baselines, tailored, charts int
	for p, data := range files {
		s := string(data)
		switch {
		case strings.HasPrefix(p, "baseline/"):
			baselines++
		case strings.HasPrefix(p, "doc/"):
			if strings.Contains(s, `id="rmm-effective"`) && strings.Contains(s, "Tailored (") {
				tailored++
			}
			if strings.Contains(s, `<svg class="chart"`) {
				charts++
			}
		}
	}
	if baselines != res.Baselines || tailored == 0 || charts == 0 {
		t.Errorf("%d baseline pages for %d baselines, %d effective processes, %d charts", baselines, res.Baselines, tailored, charts)
	}
	if !strings.Contains(page(t, files, "tailoring.html"), "state-current") {
		t.Error("the tailoring matrix shows no current tailoring")
	}

	// The coverage page is rmm appraise's result: the same level for every
	// area, and an area at each level in the example.
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ap := appraise.Appraise(check.NewContext(r, snap, time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)), appraise.Options{})
	cov := page(t, files, "coverage.html")
	levels := map[int]bool{}
	for _, a := range ap.Areas {
		levels[a.Level] = true
		want := fmt.Sprintf(`%s %s</a>: capability level %d (%s)</h2>`, a.Code, a.Name, a.Level, a.LevelName)
		if !strings.Contains(cov, want) {
			t.Errorf("coverage.html lacks %q", want)
		}
		if area := page(t, files, "area/"+a.Code+".html"); !strings.Contains(area, fmt.Sprintf("capability level %d (%s)</h2>", a.Level, a.LevelName)) {
			t.Errorf("area/%s.html does not show level %d", a.Code, a.Level)
		}
	}
	if len(levels) != 4 {
		t.Errorf("the example's levels are %v, want one area at each of 0 to 3", levels)
	}
	if !strings.Contains(page(t, files, "stakeholders.html"), "consult") {
		t.Error("the stakeholders page lists no consult stakeholder")
	}

	// At the first baseline: the site as it was, with that baseline only.
	old := filepath.Join(t.TempDir(), "old")
	tags, _ := r.Tags(baseline.TagPrefix)
	build(t, r, old, func(o *render.Options) { o.Rev = tags[0].Name })
	oldFiles := siteFiles(t, old)
	checkLinks(t, oldFiles)
	n := 0
	for p := range oldFiles {
		if strings.HasPrefix(p, "baseline/") {
			n++
		}
	}
	if n != 1 || len(oldFiles) >= len(files) {
		t.Errorf("at %s: %d baseline pages and %d files (now %d files)", tags[0].Name, n, len(oldFiles), len(files))
	}
}
