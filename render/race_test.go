//go:build race

package render_test

// The race detector makes builds several times slower; tests that build
// many sites build fewer under it.
func init() { raceEnabled = true }
