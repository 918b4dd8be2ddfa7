package render

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Builds saving their page state at once never collide: each save is
// whole, the file afterwards is one of them, and no temporary file is
// left. (A fixed temporary name let one save rename another's half
// written file into place.)
func TestConcurrentStateSavesNeverCollide(t *testing.T) {
	p := filepath.Join(t.TempDir(), "rmm", "site", "page.state")
	const writers = 8
	pages := func(i int64) int { return 1000 + 400*int(i) } // saves of different lengths
	states := make([]*buildState, writers)
	for i := range states {
		st := &buildState{Pages: map[string]pageState{}}
		for j := 0; j < pages(int64(i)); j++ {
			st.Pages[fmt.Sprintf("doc/P-%d.html", j)] = pageState{Size: int64(i), Assets: []string{strings.Repeat("a", 40)}}
		}
		states[i] = st
	}
	for round := 0; round < 20; round++ {
		var wg sync.WaitGroup
		for i := range states {
			wg.Add(1)
			go func(st *buildState) {
				defer wg.Done()
				writeState(p, st)
			}(states[i])
		}
		wg.Wait()
		st := readState(p)
		if st == nil {
			t.Fatalf("round %d: the state written by concurrent saves does not decode", round)
		}
		want := st.Pages["doc/P-0.html"].Size
		if len(st.Pages) != pages(want) {
			t.Fatalf("round %d: %d pages, want save %d's %d", round, len(st.Pages), want, pages(want))
		}
		for k, ps := range st.Pages {
			if ps.Size != want {
				t.Fatalf("round %d: %s is from save %d, doc/P-0.html from save %d", round, k, ps.Size, want)
			}
		}
	}
	ents, err := os.ReadDir(filepath.Dir(p))
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 {
		t.Errorf("the state folder holds %d entries, want only the state: %v", len(ents), ents)
	}
}
