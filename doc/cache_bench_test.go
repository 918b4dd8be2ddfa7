package doc_test

import (
	"os"
	"testing"

	"github.com/rmm-pal/rmm/doc"
)

// BenchmarkLoadWarmCache loads the library at $RMM_BENCH_CORPUS (a folder
// with rmm.yaml) with a warm parse cache.
func BenchmarkLoadWarmCache(b *testing.B) {
	root := os.Getenv("RMM_BENCH_CORPUS")
	if root == "" {
		b.Skip("RMM_BENCH_CORPUS is not set")
	}
	cache := b.TempDir()
	fsys := os.DirFS(root)
	if _, err := doc.Load(fsys, doc.LoadOptions{Cache: cache}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := doc.Load(fsys, doc.LoadOptions{Cache: cache}); err != nil {
			b.Fatal(err)
		}
	}
}
