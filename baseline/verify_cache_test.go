package baseline

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// cacheFiles are the caches a verify writes that it reads back next time:
// the blob cache (doc's blobs.pack) and the provenance cache.
func cacheFiles(dir string) []string {
	return []string{
		filepath.Join(dir, ".git", "rmm", "parse", "blobs.pack"),
		filepath.Join(dir, ".git", "rmm", provKind, provFile),
	}
}

// warmRepo is approvedRepo with the approval committed by someone other
// than the approver (a provenance warning), the baseline Q1 cut on it and
// verified once, so that the caches verify keeps are written.
func warmRepo(t *testing.T) (string, *repo.Repo, *Report) {
	t.Helper()
	dir := gitRepo(t)
	approveFile(t, dir, "policies/access.md", doc.Approval{By: "dana@example.org", Role: "manager", Date: "2026-11-20T09:00:00Z"})
	gitIn(t, dir, "olga@example.org", "commit", "-q", "-am", "approval, committed by olga")
	if _, err := create(t, dir, "Q1"); err != nil {
		t.Fatal(err)
	}
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	first := verify(t, r, "Q1")
	if !first.OK || len(first.Warnings) == 0 {
		t.Fatalf("first verify: ok %v, problems %q, warnings %q (want ok with a provenance warning)", first.OK, first.Problems, first.Warnings)
	}
	for _, f := range cacheFiles(dir) {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("verify kept no cache %s: %v", f, err)
		}
	}
	return dir, r, first
}

// A verify that finds its caches warm reports what a cold one does.
func TestVerifyWarmCachesSameReport(t *testing.T) {
	_, r, first := warmRepo(t)
	again := verify(t, r, "Q1")
	if fmt.Sprint(again) != fmt.Sprint(first) {
		t.Errorf("warm verify:\n%+v\ncold verify:\n%+v", again, first)
	}
}

// The blob cache spares reading blobs, never checking them: with the
// caches warm, a blob deleted from the object store is still a problem,
// of a controlled document and of a note alike.
func TestVerifyWarmCachesFindMissingBlobs(t *testing.T) {
	dir, r, _ := warmRepo(t)
	removeBlob(t, dir, "notes/readme.md")
	rep := verify(t, r, "Q1")
	wantProblem(t, rep, "missing object: notes/readme.md: blob ")
	removeBlob(t, dir, "policies/access.md")
	rep = verify(t, r, "Q1")
	wantProblem(t, rep, "missing object: blob ")
	wantProblem(t, rep, " of AM-POL (policies/access.md)")
}

// A blob whose bytes were changed in the object store (its id stays, so
// no cache keyed by it can notice) fails verify with the caches warm.
func TestVerifyWarmCachesFindTamperedBlob(t *testing.T) {
	dir, r, _ := warmRepo(t)
	blob := gitIn(t, dir, "x@example.org", "rev-parse", "HEAD:policies/access.md")
	data, err := os.ReadFile(filepath.Join(dir, "policies", "access.md"))
	if err != nil {
		t.Fatal(err)
	}
	forged := bytes.Replace(data, []byte("granted by need"), []byte("granted to all!"), 1)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	fmt.Fprintf(zw, "blob %d\x00", len(forged))
	zw.Write(forged)
	zw.Close()
	obj := filepath.Join(dir, ".git", "objects", blob[:2], blob[2:])
	if err := os.Remove(obj); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(obj, z.Bytes(), 0o444); err != nil {
		t.Fatal(err)
	}
	rep := verify(t, r, "Q1")
	if rep.OK {
		t.Fatalf("verify passed a tampered blob: %+v", rep)
	}
	wantProblem(t, rep, "AM-POL (policies/access.md): blob "+blob+" is corrupt")
}

// Damaged caches (bytes flipped, cut short, or garbage) are ignored: the
// report is the cold one, and the next verify writes them anew.
func TestVerifyIgnoresDamagedCaches(t *testing.T) {
	dir, r, first := warmRepo(t)
	damage := []func(b []byte) []byte{
		func(b []byte) []byte { c := bytes.Clone(b); c[len(c)/2] ^= 0x55; return c },
		func(b []byte) []byte { return b[:len(b)/2] },
		func([]byte) []byte { return []byte("not a cache at all") },
	}
	for i, f := range damage {
		for _, p := range cacheFiles(dir) {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, f(b), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		rep := verify(t, r, "Q1")
		if fmt.Sprint(rep) != fmt.Sprint(first) {
			t.Errorf("damage %d: verify:\n%+v\nwant:\n%+v", i, rep, first)
		}
	}
	// Rewritten whole: a warm verify agrees again.
	if rep := verify(t, r, "Q1"); fmt.Sprint(rep) != fmt.Sprint(first) {
		t.Errorf("after rewrite: %+v", rep)
	}
	if !strings.Contains(fmt.Sprint(first.Warnings), "committed by") {
		t.Errorf("warnings %q: want the provenance warning", first.Warnings)
	}
}
