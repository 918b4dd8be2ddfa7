package example

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/rules"
)

func TestWriteExample(t *testing.T) {
	dir := t.TempDir()
	r, err := repo.Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Write(r)
	if err != nil {
		t.Fatal(err)
	}
	if res.Commits < 3 || res.Baselines < 2 || res.Documents < 30 {
		t.Errorf("example made %+v; want at least 3 commits, 2 baselines, 30 documents", res)
	}
	git := func(args ...string) string {
		out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	authors := map[string]bool{}
	for _, a := range strings.Fields(git("log", "--format=%ae")) {
		authors[a] = true
	}
	if len(authors) < 2 {
		t.Errorf("authors = %v, want at least 2", authors)
	}
	if tags := strings.Fields(git("tag", "-l", "baseline/*")); len(tags) != res.Baselines {
		t.Errorf("baseline tags = %v, want %d", tags, res.Baselines)
	}
	if st := git("status", "--porcelain"); st != "" {
		t.Errorf("the example left uncommitted changes:\n%s", st)
	}
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	diags, _ := rules.Check(r, snap, time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	for _, d := range diags {
		if d.Severity == doc.Error {
			t.Errorf("check: %s", d)
		}
	}
	// Every kind has something to show on the site.
	kinds := map[string]int{}
	areas := map[string]bool{}
	for _, d := range snap.Lib.Docs {
		kinds[d.Kind]++
		if d.ProcessArea != "" {
			areas[d.ProcessArea] = true
		}
	}
	for _, k := range doc.Kinds {
		if kinds[k] == 0 {
			t.Errorf("the example has no %s", k)
		}
	}
	if kinds["standard"] < 2 || len(areas) < 3 {
		t.Errorf("want 2 standards and 3 process areas, got %d and %v", kinds["standard"], areas)
	}
}
