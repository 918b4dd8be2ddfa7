// Package example writes the sample organization of `rmm init --example`.
// (Being wired: the generator lands with baseline.Approve.)
package example

import (
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// Result counts what Write made.
type Result struct{ Documents, Commits, Baselines int }

// Checker runs every rule of `rmm check`.
type Checker func(r *repo.Repo, snap *repo.Snapshot) []doc.Diagnostic

// Write fills r's working tree with the example and commits it.
func Write(r *repo.Repo, runChecks Checker) (Result, error) {
	return Result{}, nil
}
