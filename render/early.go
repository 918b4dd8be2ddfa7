package render

import "context"

// Early is what an in-place build (Options.InPlace) is asked so that a
// preview can reload the pages open in a browser before the whole site is
// rebuilt, as Hugo's server renders the pages being viewed first (its
// "fast render"): the build renders First before every other page, and
// calls Settled for each file once the folder holds what this build has
// for it, with whether its bytes changed.
//
// A file settled is final for the build: it is not written again, so a
// server may answer it while the rest is still being made (Server does,
// and makes every other request wait for the end of the build, so that
// no answer mixes the old site with the new). The site's static assets
// (assets/, from the templates) are written before the pages, so that a
// page reloaded early finds its stylesheet and scripts settled too.
type Early struct {
	// First are site paths (doc/ID.html, index.html) rendered first, in
	// this order; a path the site does not have is ignored.
	First []string
	// Settled is called from the goroutines that write, once per file
	// the build writes or leaves as it was; it must not block for long.
	Settled func(path string, changed bool)
}

// EarlyBuilder is a Builder that can build with an Early (Pipeline can).
type EarlyBuilder interface {
	Builder
	BuildEarly(ctx context.Context, e *Early) (*Result, error)
}
