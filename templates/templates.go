// Package templates embeds rmm's defaults: a document template per kind for
// `rmm new` (kinds/), the site's layouts, CSS and JS (site/), and the sample
// organization of `rmm init --example` (example/). A repository overrides
// a kind's template with .rmm/templates/KIND.md.
package templates

import (
	"embed"
	"io/fs"
)

//go:embed kinds
var kinds embed.FS

// Kinds holds KIND.md for every kind.
var Kinds, _ = fs.Sub(kinds, "kinds")

//go:embed all:example
var example embed.FS

// Example is the sample organization: steps.yaml and one overlay folder
// per step (see package example).
var Example, _ = fs.Sub(example, "example")
