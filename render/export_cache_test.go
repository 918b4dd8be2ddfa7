package render

// StateKind and StateVersion name the page state in package store, for
// tests that forge it.
const (
	StateKind    = stateKind
	StateVersion = stateVersion
)
