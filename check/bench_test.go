package check

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// benchDocs is the size of the benchmark corpus.
const benchDocs = 10000

// benchCorpus returns a git repository of benchDocs documents made by
// ../shared/bench/gencorpus.py (set RMM_GENCORPUS to use another copy),
// generated once into a temporary folder that later runs reuse.
func benchCorpus(b *testing.B) string {
	b.Helper()
	script := os.Getenv("RMM_GENCORPUS")
	if script == "" {
		script = "../../shared/bench/gencorpus.py"
	}
	dir := filepath.Join(os.TempDir(), "rmm-bench-corpus-10000-1")
	if _, err := os.Stat(filepath.Join(dir, "rmm.yaml")); err == nil {
		return dir
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		b.Skip("python3 is not installed")
	}
	if _, err := os.Stat(script); err != nil {
		b.Skipf("no corpus generator at %s (set RMM_GENCORPUS)", script)
	}
	tmp := dir + ".tmp"
	os.RemoveAll(tmp)
	out, err := exec.Command(python, script, tmp, "10000", "1").CombinedOutput()
	if err != nil {
		b.Fatalf("gencorpus: %v\n%s", err, out)
	}
	if err := os.Rename(tmp, dir); err != nil {
		b.Fatal(err)
	}
	return dir
}

func reportPerDoc(b *testing.B, docs int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(docs), "ns/doc")
}

// BenchmarkCheck loads the working tree and applies every rule of package
// check: what `rmm check` does but for printing.
func BenchmarkCheck(b *testing.B) {
	dir := benchCorpus(b)
	r, err := repo.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var docs int
	for b.Loop() {
		snap, err := r.Load("", doc.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		Run(NewContext(r, snap, now), Rules())
		docs = len(snap.Lib.Docs)
	}
	if docs != benchDocs {
		b.Fatalf("%d documents", docs)
	}
	reportPerDoc(b, docs)
}

// BenchmarkLoadWorkTree is doc.Load over the working tree.
func BenchmarkLoadWorkTree(b *testing.B) { benchLoad(b, "") }

// BenchmarkLoadCommit is doc.Load over HEAD's tree, read from git objects.
func BenchmarkLoadCommit(b *testing.B) { benchLoad(b, "HEAD") }

func benchLoad(b *testing.B, rev string) {
	dir := benchCorpus(b)
	r, err := repo.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	var docs int
	for b.Loop() {
		snap, err := r.Load(rev, doc.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		docs = len(snap.Lib.Docs)
	}
	reportPerDoc(b, docs)
}

// BenchmarkParse is doc.Parse alone, on one goroutine, over files in memory.
func BenchmarkParse(b *testing.B) {
	dir := benchCorpus(b)
	type file struct {
		path string
		data []byte
	}
	var files []file
	filepath.WalkDir(filepath.Join(dir, "docs"), func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() && len(files) < 2000 {
			data, _ := os.ReadFile(p)
			files = append(files, file{p, data})
		}
		return nil
	})
	b.ResetTimer()
	for b.Loop() {
		for _, f := range files {
			doc.Parse(f.path, f.data)
		}
	}
	reportPerDoc(b, len(files))
}
