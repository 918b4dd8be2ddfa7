package render

// StateKind and StateVersion name the page state in package store, for
// tests that forge it.
const (
	StateKind    = stateKind
	StateVersion = stateVersion
)

// PreparedBodies is how many bodies the pipeline holds prepared from its
// last library read (prepared.go).
func PreparedBodies(p *Pipeline) int {
	p.bodies.mu.Lock()
	defer p.bodies.mu.Unlock()
	return len(p.bodies.m)
}

// SetTestHookPut has f called after each file a build writes, until
// restore.
func SetTestHookPut(f func(p string)) (restore func()) {
	testHookPut = f
	return func() { testHookPut = nil }
}
