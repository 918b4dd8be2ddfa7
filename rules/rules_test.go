package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/tailor"
)

// Every package's rules are in the one list, once.
func TestAllHoldsEveryPackagesRules(t *testing.T) {
	seen := map[string]int{}
	for _, r := range All() {
		seen[r.Name]++
	}
	for _, set := range [][]check.Rule{check.Rules(), baseline.Rules(), tailor.Rules()} {
		for _, r := range set {
			if seen[r.Name] != 1 {
				t.Errorf("rule %s is in All %d times, want once", r.Name, seen[r.Name])
			}
		}
	}
	for _, name := range []string{"baseline-left", "approval", "tailoring"} {
		if seen[name] == 0 {
			t.Errorf("rule %s missing from All", name)
		}
	}
}

// baseline.Create runs the checks itself and refuses to run without rules:
// no caller can cut a baseline over errors by handing it nothing.
func TestCreateRefusesWithoutRules(t *testing.T) {
	r, err := repo.Init(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, err = baseline.Create(r, nil, nil, "q1", "", repo.Signature{Name: "A", Email: "a@example.org", When: time.Now()})
	if err == nil || !strings.Contains(err.Error(), "no rules") {
		t.Fatalf("Create without rules: %v", err)
	}
}
