// Package rules is the one list of the rules of `rmm check`: the
// document rules of package check, the change control of package baseline
// and the tailoring rules of package tailor. Every command that checks a
// library (check, build, serve, approve, baseline create, pdf, the
// example) takes its rules from All, so no rule depends on which verbs a
// binary happens to register.
package rules

import (
	"time"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/tailor"
)

// All is every rule of `rmm check`, in the order they run.
func All() []check.Rule {
	var out []check.Rule
	out = append(out, check.Rules()...)
	out = append(out, baseline.Rules()...)
	out = append(out, tailor.Rules()...)
	return out
}

// Check applies every rule to snap and returns the diagnostics, sorted,
// with the context it made (for callers that go on to appraise or cut a
// baseline with the same loaded state).
func Check(r *repo.Repo, snap *repo.Snapshot, now time.Time) ([]doc.Diagnostic, *check.Context) {
	ctx := check.NewContext(r, snap, now)
	return check.Run(ctx, All()), ctx
}
