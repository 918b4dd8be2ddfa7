package doc

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// openCounter is a folder whose documents' opens are counted.
type openCounter struct {
	root  string
	fsys  fs.FS
	opens atomic.Int64
}

func (c *openCounter) Open(name string) (fs.File, error) {
	if strings.HasSuffix(name, ".md") {
		c.opens.Add(1)
	}
	return c.fsys.Open(name)
}

func (c *openCounter) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(c.fsys, name) }

// loadCached loads root with the caches in cache and returns the library
// and how many documents it opened.
func loadCached(t *testing.T, root, cache string) (*Library, int64) {
	t.Helper()
	c := &openCounter{root: root, fsys: os.DirFS(root)}
	lib, err := Load(c, LoadOptions{Cache: cache})
	if err != nil {
		t.Fatal(err)
	}
	return lib, c.opens.Load()
}

func stampLibrary(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"rmm.yaml":      "organization: X\n",
		"policies/a.md": "---\nid: A\nkind: policy\ntitle: One\n---\nBody.\n",
		"policies/b.md": "---\nid: B\nkind: policy\ntitle: B\n---\n",
	})
	return root
}

// agedStampLibrary is stampLibrary with its documents an hour old and
// no racy window, and an empty cache folder: a second load may trust
// every stamp.
func agedStampLibrary(t *testing.T) (root, cache string) {
	t.Helper()
	old := racyWindow
	racyWindow = 0
	t.Cleanup(func() { racyWindow = old })
	root, cache = stampLibrary(t), t.TempDir()
	hour := time.Now().Add(-time.Hour)
	for _, p := range []string{"policies/a.md", "policies/b.md"} {
		if err := os.Chtimes(filepath.Join(root, p), hour, hour); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(20 * time.Millisecond) // change times now older than the loads
	return root, cache
}

// A new process (a Load without Previous) does not open a document whose
// stat is what an earlier load saw and was old then: its bytes and parse
// come from the stamp cache. An edit that keeps the size and puts the
// modification time back still changes the change time: that file, and
// only that one, is read again.
func TestStampCacheSkipsUnchangedFiles(t *testing.T) {
	root, cache := agedStampLibrary(t)
	lib, opens := loadCached(t, root, cache)
	if opens != 2 {
		t.Fatalf("first load opened %d documents, want 2", opens)
	}
	if lib.stamps["policies/b.md"] == (stamp{}) {
		t.Skip("no change times on this system")
	}
	if _, err := os.Stat(filepath.Join(cache, stampFile)); err != nil {
		t.Fatalf("no stamp cache written: %v", err)
	}
	lib2, opens := loadCached(t, root, cache)
	if opens != 0 {
		t.Errorf("second load opened %d documents, want 0", opens)
	}
	for _, p := range []string{"policies/a.md", "policies/b.md"} {
		d1, d2 := lib.ByPath[p], lib2.ByPath[p]
		if d2 == nil || d1.Title != d2.Title || d1.Fingerprint != d2.Fingerprint || string(d1.Raw) != string(d2.Raw) {
			t.Fatalf("%s from the stamp cache differs: %+v", p, d2)
		}
	}

	time.Sleep(20 * time.Millisecond)
	rewriteSameStat(t, filepath.Join(root, "policies/a.md"), "---\nid: A\nkind: policy\ntitle: Two\n---\nBody.\n")
	lib3, opens := loadCached(t, root, cache)
	if got := lib3.ByPath["policies/a.md"].Title; got != "Two" {
		t.Errorf("after an edit keeping size and mtime: title %q, want Two", got)
	}
	if opens != 1 {
		t.Errorf("after one edit the load opened %d documents, want 1", opens)
	}
	// One edit does not rewrite the cache: its stale entry is never
	// trusted, the file is read again.
	lib4, opens := loadCached(t, root, cache)
	if got := lib4.ByPath["policies/a.md"].Title; got != "Two" || opens != 1 {
		t.Errorf("next load: title %q, %d documents opened; want Two, 1", got, opens)
	}
}

// A file written within racyWindow of the load that recorded it is read
// again: its times cannot show an edit made in the same tick.
func TestStampCacheRereadsRacyFiles(t *testing.T) {
	root, cache := stampLibrary(t), t.TempDir()
	if _, opens := loadCached(t, root, cache); opens != 2 {
		t.Fatalf("first load opened %d documents, want 2", opens)
	}
	rewriteSameStat(t, filepath.Join(root, "policies/a.md"), "---\nid: A\nkind: policy\ntitle: Two\n---\nBody.\n")
	lib, opens := loadCached(t, root, cache)
	if opens != 2 {
		t.Errorf("files just written: the load opened %d documents, want 2", opens)
	}
	if got := lib.ByPath["policies/a.md"].Title; got != "Two" {
		t.Errorf("title %q, want Two", got)
	}
}

// A damaged stamp cache is ignored: the files are read.
func TestStampCacheDamagedIgnored(t *testing.T) {
	old := racyWindow
	racyWindow = 0
	t.Cleanup(func() { racyWindow = old })
	root, cache := stampLibrary(t), t.TempDir()
	time.Sleep(20 * time.Millisecond)
	loadCached(t, root, cache)
	p := filepath.Join(cache, stampFile)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	// Flip a byte of a document's text inside the cache.
	i := strings.Index(string(b), "title: One")
	if i < 0 {
		t.Fatal("test bug: the text is not in the cache")
	}
	b[i+7] = 'X'
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	lib, opens := loadCached(t, root, cache)
	if opens != 2 {
		t.Errorf("damaged cache: the load opened %d documents, want 2", opens)
	}
	if got := lib.ByPath["policies/a.md"].Title; got != "One" {
		t.Errorf("title %q, want One", got)
	}
}

// The cache hands a file's bytes only to a process whose mode bits let it
// read the file: a file made unreadable is opened (and so refused to
// anyone without the right) rather than served from the cache.
func TestStampCacheNeedsReadPermission(t *testing.T) {
	old := racyWindow
	racyWindow = 0
	t.Cleanup(func() { racyWindow = old })
	root, cache := stampLibrary(t), t.TempDir()
	a := filepath.Join(root, "policies/a.md")
	hour := time.Now().Add(-time.Hour)
	if err := os.Chmod(a, 0o200); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{a, filepath.Join(root, "policies/b.md")} {
		if err := os.Chtimes(p, hour, hour); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(20 * time.Millisecond)
	loadCached(t, root, cache)
	if _, opens := loadCached(t, root, cache); opens != 1 {
		t.Errorf("second load opened %d documents, want 1 (the file without read permission)", opens)
	}
	// Nor does the cache file hold its bytes for anyone to read.
	b, err := os.ReadFile(filepath.Join(cache, stampFile))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "title: One") || !strings.Contains(string(b), "title: B") {
		t.Error("the cache holds the unreadable file's text, or not the readable one's")
	}
}

// The stamp cache keeps each file's blob id (LoadOptions.BlobID) with its
// bytes: a later load knows it without hashing, and never keeps an old
// id for a file that changed.
func TestStampCacheKnowsBlobIDs(t *testing.T) {
	root, cache := agedStampLibrary(t)
	var hashed atomic.Int64
	id := func(data []byte) string {
		hashed.Add(1)
		return fmt.Sprintf("%x", sha256.Sum256(data))
	}
	load := func() (*Library, int64) {
		t.Helper()
		hashed.Store(0)
		lib, err := Load(os.DirFS(root), LoadOptions{Cache: cache, BlobID: id})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range lib.Docs {
			if got, want := d.KnownBlob(), fmt.Sprintf("%x", sha256.Sum256(d.Raw)); got != want {
				t.Fatalf("%s: KnownBlob %q, want the id of its bytes %q", d.Path, got, want)
			}
		}
		return lib, hashed.Load()
	}
	lib, n := load()
	if lib.stamps["policies/b.md"] == (stamp{}) {
		t.Skip("no change times on this system")
	}
	if n != 2 {
		t.Fatalf("first load hashed %d files, want 2", n)
	}
	if _, n := load(); n != 0 {
		t.Errorf("second load hashed %d files, want 0 (the ids come from the stamp cache)", n)
	}
	time.Sleep(20 * time.Millisecond)
	rewriteSameStat(t, filepath.Join(root, "policies/a.md"), "---\nid: A\nkind: policy\ntitle: Two\n---\nBody.\n")
	if _, n := load(); n != 1 {
		t.Errorf("after one edit the load hashed %d files, want 1", n)
	}
	// Without BlobID nothing is known.
	lib, err := Load(os.DirFS(root), LoadOptions{Cache: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range lib.Docs {
		if d.KnownBlob() != "" {
			t.Errorf("%s: KnownBlob %q without BlobID", d.Path, d.KnownBlob())
		}
	}
}
