package repo

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rmm-pal/rmm/store"
)

// hSame fails unless h lists, for every path, what plain (a walk without
// a cache) lists.
func hSame(t *testing.T, what string, plain, h *History) {
	t.Helper()
	if !slices.Equal(h.Paths(), plain.Paths()) {
		t.Errorf("%s: paths differ", what)
		return
	}
	for _, p := range plain.Paths() {
		if g, w := h.Of(p), plain.Of(p); !slices.EqualFunc(g, w, hSameInfo) {
			t.Errorf("%s: Of(%q):\n got  %v\n want %v", what, p, g, w)
			return
		}
	}
}

// hRewritten fails unless the cache in dir is this binary's and a walk
// takes every commit from it.
func hRewritten(t *testing.T, what string, r *hrepo, dir string, plain *History) {
	t.Helper()
	if _, err := store.ReadCache(filepath.Join(dir, hCacheFile), hCacheKind, hCacheVersion); err != nil {
		t.Errorf("%s: the cache was not rewritten valid: %v", what, err)
		return
	}
	h := hLoad(t, r, dir)
	if h.stats.read != 0 {
		t.Errorf("%s: after the rewrite a walk read %d commits", what, h.stats.read)
	}
	hSame(t, what+", rewritten", plain, h)
}

// A history cache written by another rmm binary, in another format
// version, damaged, or not a file, is ignored (every commit read again,
// the lists those of a walk without a cache) and rewritten. The foreign
// caches are forged: records of the very commits, with other subjects
// and authors, so a walk that trusted them would list those.
func TestHistoryCacheForeignOrDamaged(t *testing.T) {
	r := hBuildTricky(t)
	plain := hLoad(t, r, "")
	base := filepath.Join(t.TempDir(), "good")
	hLoad(t, r, base)
	body, err := store.ReadCache(filepath.Join(base, hCacheFile), hCacheKind, hCacheVersion)
	if err != nil {
		t.Fatal(err)
	}
	good, err := hDecodeCache(body)
	if err != nil {
		t.Fatal(err)
	}
	poisoned := map[hoid]*hcacheRec{}
	for h, rec := range good.recs {
		c := *rec
		c.subject, c.author = "POISON "+c.subject, "Mallory"
		poisoned[h] = &c
	}
	restore := store.SetBinaryIDForTest("other")
	otherBinary := store.Prefix(hCacheKind, hCacheVersion)
	restore()
	own := hEncodeCache(store.Prefix(hCacheKind, hCacheVersion), poisoned)
	forged := map[string][]byte{
		"other binary":  hEncodeCache(otherBinary, poisoned),
		"other version": hEncodeCache(store.Prefix(hCacheKind, hCacheVersion+1), poisoned),
		"other kind":    hEncodeCache(store.Prefix("parse", hCacheVersion), poisoned),
		"truncated":     own[:len(own)/2],
		"garbage":       []byte("not a history cache"),
		"empty":         nil,
	}

	// With this binary's header the forged records are used: the checks
	// below can fail.
	dir := filepath.Join(t.TempDir(), "history")
	if err := store.WriteCache(filepath.Join(dir, hCacheFile), own); err != nil {
		t.Fatal(err)
	}
	if h := hLoad(t, r, dir); h.stats.read != 0 || h.Of(plain.Paths()[0])[0].Author != "Mallory" {
		t.Fatal("test bug: a forged cache with this binary's header is not used")
	}

	for name, data := range forged {
		dir := filepath.Join(t.TempDir(), "history")
		if err := store.WriteCache(filepath.Join(dir, hCacheFile), data); err != nil {
			t.Fatal(err)
		}
		h := hLoad(t, r, dir)
		if h.stats.read != h.stats.commits {
			t.Errorf("%s: read %d of %d commits", name, h.stats.read, h.stats.commits)
		}
		hSame(t, name, plain, h)
		hCheck(t, r, r.head(), h)
		hRewritten(t, name, r, dir, plain)
	}

	// A genuine cache of another binary.
	dir = filepath.Join(t.TempDir(), "history")
	restore = store.SetBinaryIDForTest("other")
	hLoad(t, r, dir)
	restore()
	if h := hLoad(t, r, dir); h.stats.read != h.stats.commits {
		t.Errorf("another binary's cache: read %d of %d commits", h.stats.read, h.stats.commits)
	}
	hRewritten(t, "another binary's cache", r, dir, plain)

	// An unreadable file (for root, a garbage one), an empty folder, a
	// folder holding something; the cache of rmm before store's format.
	dir = filepath.Join(t.TempDir(), "history")
	file := filepath.Join(dir, hCacheFile)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(file, []byte("garbage"), 0o000)
	os.Chmod(file, 0o000)
	hSame(t, "unreadable", plain, hLoad(t, r, dir))
	hRewritten(t, "unreadable", r, dir, plain)
	os.Remove(file)
	os.Mkdir(file, 0o755)
	hSame(t, "empty folder", plain, hLoad(t, r, dir))
	hRewritten(t, "empty folder", r, dir, plain)
	os.Remove(file)
	os.MkdirAll(filepath.Join(file, "keep"), 0o755)
	hSame(t, "full folder", plain, hLoad(t, r, dir))
	hSame(t, "full folder, again", plain, hLoad(t, r, dir))
	if _, err := os.Stat(filepath.Join(file, "keep")); err != nil {
		t.Errorf("a folder in the cache's place was touched: %v", err)
	}
	os.RemoveAll(file)
	legacy := filepath.Join(dir, hCacheLegacy)
	os.WriteFile(legacy, []byte("RMMHIST1 old"), 0o644)
	hSame(t, "legacy", plain, hLoad(t, r, dir))
	if _, err := os.Stat(legacy); !os.IsNotExist(err) {
		t.Errorf("the cache of rmm before store's format is left: %v", err)
	}
}
