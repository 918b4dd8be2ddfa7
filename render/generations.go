package render

import "sync"

// generations keeps values by key for the build under way and the one
// before it, in one process (rmm serve): a value the last build made is
// found again and kept for the next; one no build asked for since is
// dropped, so the store does not grow with edits. Safe for concurrent
// use. The zero value is empty.
type generations[K comparable, V any] struct {
	mu        sync.RWMutex
	cur, prev map[K]V
}

// next starts a build: what the build that ended kept becomes what this
// one may find again.
func (g *generations[K, V]) next() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cur != nil {
		g.prev, g.cur = g.cur, nil
	}
}

// get returns the value of k kept by this build or the last.
func (g *generations[K, V]) get(k K) (V, bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	v, ok := g.cur[k]
	if !ok {
		v, ok = g.prev[k]
	}
	return v, ok
}

// put keeps v under k for this build and the next.
func (g *generations[K, V]) put(k K, v V) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cur == nil {
		g.cur = map[K]V{}
	}
	g.cur[k] = v
}
