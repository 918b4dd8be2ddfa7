package repo

import (
	"bytes"
	"cmp"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// tagRepo is a repository with one commit, opened.
func tagRepo(t *testing.T) (*hrepo, *Repo) {
	t.Helper()
	hr := newHRepo(t)
	hr.write("rmm.yaml", "organization: Example\n")
	hr.write("policies/p.md", "# P\n")
	hr.commit("start")
	r, err := Open(hr.dir)
	if err != nil {
		t.Fatal(err)
	}
	return hr, r
}

// Every tag CreateTag writes passes git fsck --strict: a tagger with a
// name of any script, a time zone east or west, a message of odd bytes.
func TestCreateTagPassesFsck(t *testing.T) {
	hr, r := tagRepo(t)
	head := hr.head()
	east := time.FixedZone("", 5*3600+45*60)
	west := time.FixedZone("", -(9*3600 + 30*60))
	for i, c := range []struct {
		tagger  Signature
		message string
	}{
		{Signature{Name: "Zoë Ångström-Łukasiewicz", Email: "zoe@example.org", When: time.Date(2026, 11, 26, 12, 0, 0, 0, east)}, "Première ligne « citée » — 日本語\n"},
		{Signature{Name: "O'Brien, \"Pat\" (ops) \t@ HQ", Email: "pat.o-brien+pal@sub.example.org", When: time.Date(2026, 1, 2, 3, 4, 5, 0, west)}, "tabs\tand % and <angle> & [[IDS]]\n\n\n#not a comment\n-----END PGP SIGNATURE-----\nno newline at the end"},
		{Signature{Name: "x", Email: "x@y", When: time.Unix(0, 0).UTC()}, "\n"},
		{Signature{Name: "Ünïcödé", Email: "ü@example.org", When: time.Unix(1<<33, 0).UTC()}, "object 0000000000000000000000000000000000000000\ntype commit\ntagger A <a@b> 1 +0000\n\nlooks like headers\r\nwith CRLF\r\n"},
	} {
		name := "baseline/T" + string(rune('0'+i))
		tag, err := r.CreateTag(name, head, c.message, c.tagger)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		back, err := r.ReadTag(name)
		if err != nil {
			t.Fatal(err)
		}
		msg := c.message
		if !strings.HasSuffix(msg, "\n") {
			msg += "\n"
		}
		if back.Message != msg || back.Tagger.Name != c.tagger.Name || back.Tagger.Email != c.tagger.Email || back.Ref != tag.Ref {
			t.Errorf("%s read back as %+v", name, back)
		}
		if got := hr.git("cat-file", "tag", name); !strings.HasSuffix(got, "\n\n"+msg) {
			t.Errorf("%s: git reads the message as:\n%s", name, got)
		}
	}
	if out, err := hr.run("fsck", "--strict", "--no-dangling"); err != nil || strings.TrimSpace(out) != "" {
		t.Fatalf("git fsck --strict: %v\n%s", err, out)
	}

	// The check has teeth: the tag the issue reported (--tagger
	// 'A <b> <a@x>'), encoded by go-git as it was before CreateTag
	// checked taggers, fails it.
	bad := &object.Tag{Name: "baseline/BAD", Message: "m\n", TargetType: plumbing.CommitObject, Target: plumbing.NewHash(head),
		Tagger: object.Signature{Name: "A <b>", Email: "a@x", When: time.Unix(1795694400, 0).UTC()}}
	obj := r.Git.Storer.NewEncodedObject()
	if err := bad.Encode(obj); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Git.Storer.SetEncodedObject(obj); err != nil {
		t.Fatal(err)
	}
	if out, err := hr.run("fsck", "--strict", "--no-dangling"); err == nil || !strings.Contains(err.Error(), "invalid author/committer line") {
		t.Errorf("git fsck --strict passed a bad tagger: %v\n%s", err, out)
	}
}

// A tagger or message git fsck (or git's reading of the message) would
// refuse is refused before anything is written.
func TestCreateTagRefuses(t *testing.T) {
	hr, r := tagRepo(t)
	head := hr.head()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	objects := func() string { return hr.git("count-objects", "-v") }
	before := objects()
	for _, c := range []struct {
		tagger  Signature
		message string
		want    string
	}{
		{Signature{Name: "A <b>", Email: "a@x", When: now}, "m", "holds <, > or a line break"},
		{Signature{Name: "A", Email: "b> <a@x", When: now}, "m", `holds '>'`},
		{Signature{Name: "A\nB", Email: "a@x", When: now}, "m", "line break"},
		{Signature{Name: "", Email: "a@x", When: now}, "m", "no name"},
		{Signature{Name: "A", Email: "", When: now}, "m", "an email is needed"},
		{Signature{Name: "A", Email: "a x@y", When: now}, "m", "holds ' '"},
		{Signature{Name: "A", Email: "a@x", When: time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC)}, "m", "before 1970"},
		{Signature{Name: "A", Email: "a@x", When: now}, "summary\n-----BEGIN PGP SIGNATURE-----\nrest\n", `line 2 starts with "-----BEGIN PGP SIGNATURE-----"`},
		{Signature{Name: "A", Email: "a@x", When: now}, "-----BEGIN SSH SIGNATURE-----", "line 1 starts with"},
		{Signature{Name: "A", Email: "a@x", When: now}, "nul\x00byte", "line 1 holds a NUL byte"},
	} {
		_, err := r.CreateTag("baseline/BAD", head, c.message, c.tagger)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v %q: error %v, want %q", c.tagger, c.message, err, c.want)
		}
		if _, err := r.ReadTag("baseline/BAD"); !errors.Is(err, ErrNoTag) {
			t.Fatalf("a tag was written: %v", err)
		}
	}
	if _, err := r.CreateTag("baseline/bad name", head, "m", Signature{Name: "A", Email: "a@x", When: now}); err == nil {
		t.Errorf("a tag name with a space was accepted")
	}
	if after := objects(); after != before {
		t.Errorf("objects were written:\n%s\nthen\n%s", before, after)
	}
}

func TestParseSignature(t *testing.T) {
	s, err := ParseSignature("Dana Ortiz <dana@example.org>")
	if err != nil || s.Name != "Dana Ortiz" || s.Email != "dana@example.org" {
		t.Errorf("ParseSignature = %+v, %v", s, err)
	}
	for _, bad := range []string{"A <b> <a@x>", "nobody", "<a@x>", "A <a@x> trailing", "A <>"} {
		if s, err := ParseSignature(bad); err == nil {
			t.Errorf("ParseSignature(%q) = %+v, want an error", bad, s)
		}
	}
}

// CheckBlob reads the whole blob: a missing one and one whose bytes do not
// hash to its id are reported.
func TestCheckBlob(t *testing.T) {
	hr, r := tagRepo(t)
	var err error
	blob := strings.TrimSpace(hr.git("rev-parse", "HEAD:policies/p.md"))
	if err := r.CheckBlob(blob); err != nil {
		t.Fatalf("CheckBlob of a sound blob: %v", err)
	}
	loose := filepath.Join(hr.gitDir(), "objects", blob[:2], blob[2:])
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write([]byte("blob 4\x00# Q\n"))
	w.Close()
	if err := os.Chmod(loose, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(loose, z.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// go-git caches the objects it read: a new process sees the disk
	if r, err = Open(hr.dir); err != nil {
		t.Fatal(err)
	}
	if err := r.CheckBlob(blob); err == nil || !strings.Contains(err.Error(), "is corrupt") {
		t.Errorf("CheckBlob of a corrupt blob: %v", err)
	}
	if err := os.Remove(loose); err != nil {
		t.Fatal(err)
	}
	if r, err = Open(hr.dir); err != nil {
		t.Fatal(err)
	}
	if err := r.CheckBlob(blob); !errors.Is(err, ErrMissingObject) {
		t.Errorf("CheckBlob of a missing blob: %v", err)
	}
	if err := r.CheckBlob("nothex"); err == nil {
		t.Errorf("CheckBlob of a bad id succeeded")
	}
}

// CheckBlobs reads packed blobs through the pack reader, loose ones
// directly, and tells a missing blob from a sound one in one call.
func TestCheckBlobsPacked(t *testing.T) {
	hr, _ := tagRepo(t)
	hr.write("policies/q.md", "# Q\n\nA second policy.\n")
	hr.commit("q")
	packed := strings.TrimSpace(hr.git("rev-parse", "HEAD:policies/p.md"))
	hr.git("repack", "-a", "-d", "-q")
	hr.write("policies/r.md", "# R\n")
	hr.commit("r")
	loose := strings.TrimSpace(hr.git("rev-parse", "HEAD:policies/r.md"))
	if _, err := os.Stat(filepath.Join(hr.gitDir(), "objects", loose[:2], loose[2:])); err != nil {
		t.Fatalf("want %s loose: %v", loose, err)
	}
	absent := "0123456789abcdef0123456789abcdef01234567"
	r, err := Open(hr.dir)
	if err != nil {
		t.Fatal(err)
	}
	bad := r.CheckBlobs([]string{packed, loose, absent, "nothex"})
	if len(bad) != 2 || !errors.Is(bad[absent], ErrMissingObject) || bad["nothex"] == nil {
		t.Errorf("CheckBlobs = %v", bad)
	}
	// A tree is no blob.
	tree := strings.TrimSpace(hr.git("rev-parse", "HEAD^{tree}"))
	if err := r.CheckBlob(tree); err == nil || !strings.Contains(err.Error(), "it is a tree") {
		t.Errorf("CheckBlob(tree) = %v", err)
	}
	// A damaged pack: the blob is reported, not trusted (nor a panic).
	damagePacked(t, hr.gitDir(), packed)
	if r, err = Open(hr.dir); err != nil {
		t.Fatal(err)
	}
	err = r.CheckBlob(packed)
	t.Logf("damaged: %v", err)
	if err == nil || errors.Is(err, ErrMissingObject) {
		t.Errorf("CheckBlob of a damaged packed blob: %v", err)
	}

	// Without the pack, the packed blob is missing.
	packs, _ := filepath.Glob(filepath.Join(hr.gitDir(), "objects", "pack", "pack-*"))
	for _, p := range packs {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	if r, err = Open(hr.dir); err != nil {
		t.Fatal(err)
	}
	if err := r.CheckBlob(packed); !errors.Is(err, ErrMissingObject) {
		t.Errorf("CheckBlob of a blob whose pack is gone: %v", err)
	}
}

// CheckBlobs remembers the packed blobs it found whole, and reads them
// again only when their pack's bytes change: a pack damaged after the
// record was made is read and the damage found, as on the first run.
func TestCheckBlobsRemembersPacks(t *testing.T) {
	hr, _ := tagRepo(t)
	var blobs []string
	for i := range 20 {
		hr.write(fmt.Sprintf("policies/p%d.md", i), fmt.Sprintf("# P%d\n\nPolicy number %d, with some text of its own.\n", i, i))
	}
	hr.commit("twenty")
	for i := range 20 {
		blobs = append(blobs, strings.TrimSpace(hr.git("rev-parse", fmt.Sprintf("HEAD:policies/p%d.md", i))))
	}
	hr.git("repack", "-a", "-d", "-q")
	hr.write("policies/loose.md", "# Loose\n")
	hr.commit("loose")
	loose := strings.TrimSpace(hr.git("rev-parse", "HEAD:policies/loose.md"))
	r, err := Open(hr.dir)
	if err != nil {
		t.Fatal(err)
	}
	all := append(slices.Clone(blobs), loose)
	if bad, read := r.checkBlobs(all); bad != nil || read != len(all) {
		t.Fatalf("first run: bad %v, read %d of %d", bad, read, len(all))
	}
	// The packed blobs are known whole now, and so is the loose one while
	// its file holds the same bytes.
	if bad, read := r.checkBlobs(all); bad != nil || read != 0 {
		t.Fatalf("second run: bad %v, read %d, want none", bad, read)
	}
	// The loose object's file rewritten in place (another zlib stream of
	// other bytes, under the same name): it is read and found corrupt,
	// and again on the next run; put back, it is read once more, then
	// known whole.
	lf := filepath.Join(hr.gitDir(), "objects", loose[:2], loose[2:])
	orig, err := os.ReadFile(lf)
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte("blob 8\x00# Loose?\n"))
	zw.Close()
	if err := os.Chmod(lf, 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := os.WriteFile(lf, z.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if bad, read := r.checkBlobs(all); read != 1 || len(bad) != 1 || bad[loose] == nil || !strings.Contains(bad[loose].Error(), "corrupt") {
			t.Fatalf("a loose object rewritten: bad %v, read %d", bad, read)
		}
	}
	if err := os.WriteFile(lf, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	if bad, read := r.checkBlobs(all); bad != nil || read != 1 {
		t.Fatalf("the loose object put back: bad %v, read %d, want it read", bad, read)
	}
	if bad, read := r.checkBlobs(all); bad != nil || read != 0 {
		t.Fatalf("then: bad %v, read %d, want none", bad, read)
	}
	// Damage one packed blob in place.
	victim := blobs[7]
	pack, data := damagePacked(t, hr.gitDir(), victim)
	bad, read := r.checkBlobs(all)
	if read != len(blobs) || len(bad) != 1 || bad[victim] == nil {
		t.Fatalf("after damage: bad %v, read %d of %d; want every packed blob read and %s reported", bad, read, len(blobs), victim)
	}
	// Mended, the pack is read again (its bytes are not the damaged ones
	// last recorded) and found whole.
	if err := os.WriteFile(pack, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if bad, read := r.checkBlobs(all); bad != nil || read != len(blobs) {
		t.Fatalf("mended: bad %v, read %d of %d", bad, read, len(blobs))
	}
	// A damaged record is ignored.
	rec := verifiedPath(r.commonDir())
	b, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(rec, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if bad, read := r.checkBlobs(all); bad != nil || read != len(all) {
		t.Fatalf("damaged record: bad %v, read %d of %d", bad, read, len(all))
	}
}

func TestVerifiedRecordRoundTrip(t *testing.T) {
	v := verifiedRecord{packs: verifiedPacks{
		"pack-a.pack": {digest: [32]byte{1}, entries: []verifiedEntry{{12, hoid{1}}, {40, hoid{2}}, {1 << 40, hoid{3}}}},
		"pack-b.pack": {digest: [32]byte{2}},
	}, loose: map[hoid][32]byte{{9}: {7}, {3}: {8}}}
	got, err := decodeVerified(v.encode())
	if err != nil || len(got.packs) != 2 || !slices.Equal(got.packs["pack-a.pack"].entries, v.packs["pack-a.pack"].entries) ||
		got.packs["pack-b.pack"].digest != v.packs["pack-b.pack"].digest || !maps.Equal(got.loose, v.loose) {
		t.Fatalf("round trip: %v, %v", got, err)
	}
	enc := v.encode()
	for i := range enc {
		if _, err := decodeVerified(enc[:i]); err == nil {
			t.Errorf("a record cut to %d bytes decoded", i)
		}
	}
	if _, err := decodeVerified(append(enc, 0)); err == nil {
		t.Error("a record with a trailing byte decoded")
	}
}

func FuzzVerifiedRecord(f *testing.F) {
	f.Add(verifiedRecord{packs: verifiedPacks{"pack-a.pack": {digest: [32]byte{1}, entries: []verifiedEntry{{12, hoid{1}}, {40, hoid{2}}}}},
		loose: map[hoid][32]byte{{5}: {6}}}.encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeVerified(b)
		if err != nil {
			return
		}
		for _, rec := range v.packs {
			if !slices.IsSortedFunc(rec.entries, func(a, b verifiedEntry) int { return cmp.Compare(a.off, b.off) }) {
				t.Fatalf("entries not sorted: %v", rec.entries)
			}
		}
		if w, err := decodeVerified(v.encode()); err != nil || len(w.packs) != len(v.packs) || !maps.Equal(w.loose, v.loose) {
			t.Fatalf("re-encoding: %v", err)
		}
	})
}

// ObjectStamps changes with any byte of a loose object's file, and gives
// none for a packed object that does not read whole, nor for a missing
// one.
func TestObjectStamps(t *testing.T) {
	hr, _ := tagRepo(t)
	hr.write("policies/q.md", "# Q\n\nSecond.\n")
	hr.commit("q")
	hr.git("repack", "-a", "-d", "-q")
	hr.write("policies/r.md", "# R\n")
	hr.commit("r")
	packedID := strings.TrimSpace(hr.git("rev-parse", "HEAD~1:policies/q.md"))
	looseID := strings.TrimSpace(hr.git("rev-parse", "HEAD:policies/r.md"))
	commit := hr.head()
	r, err := Open(hr.dir)
	if err != nil {
		t.Fatal(err)
	}
	absent := "0123456789abcdef0123456789abcdef01234567"
	ids := []string{packedID, looseID, commit, absent, "nothex"}
	w := r.ObjectStamps(ids)
	if w[packedID] != "packed" || !strings.HasPrefix(w[looseID], "loose:") || w[commit] == "" || w[absent] != "" || w["nothex"] != "" {
		t.Fatalf("ObjectStamps = %v", w)
	}
	if again := r.ObjectStamps(ids); !maps.Equal(again, w) {
		t.Fatalf("ObjectStamps changed with nothing changed: %v, then %v", w, again)
	}
	before := w
	// A byte of the packed entry.
	damagePacked(t, hr.gitDir(), packedID)
	if w := r.ObjectStamps(ids); w[packedID] != "" || w[looseID] != before[looseID] {
		t.Errorf("a packed entry's byte changed: %v", w)
	}
	// The loose file replaced by another object's.
	loose := filepath.Join(hr.gitDir(), "objects", looseID[:2], looseID[2:])
	other := filepath.Join(hr.gitDir(), "objects", commit[:2], commit[2:])
	b, err := os.ReadFile(other)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(loose, 0o644)
	if err := os.WriteFile(loose, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if w := r.ObjectStamps(ids); w[looseID] == before[looseID] || w[looseID] == "" {
		t.Errorf("a loose file holding other bytes kept its stamp: %v", w)
	}
}

// writePack puts pack and idx into the repository's pack folder.
func writePack(t *testing.T, gitDir string, pack, idx []byte) {
	t.Helper()
	dir := filepath.Join(gitDir, "objects", "pack")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, fmt.Sprintf("pack-%x", pack[len(pack)-20:]))
	if err := os.WriteFile(name+".pack", pack, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name+".idx", idx, 0o644); err != nil {
		t.Fatal(err)
	}
}

// An index that names two blobs at one offset: the one whose bytes are
// not there is reported on every run, never taken as whole because the
// other was found whole at that offset.
func TestCheckBlobsAliasedOffset(t *testing.T) {
	hr, r := tagRepo(t)
	b := newHPackBuilder(t)
	a, offA := b.object(hobjBlob, []byte("# A\n\nThe first policy.\n"))
	c, _ := b.object(hobjBlob, []byte("# C\n\nThe second policy.\n"))
	pack, idx := b.bytes()
	// c's index entry made to point at a's bytes; the index's checksum
	// mended so that it still reads.
	n := 2
	pos := 0
	if bytes.Compare(c[:], a[:]) > 0 {
		pos = 1
	}
	offTable := 8 + 256*4 + n*20 + n*4
	binary.BigEndian.PutUint32(idx[offTable+pos*4:], uint32(offA))
	sum := sha1.Sum(idx[:len(idx)-20])
	copy(idx[len(idx)-20:], sum[:])
	writePack(t, hr.gitDir(), pack, idx)
	ids := []string{a.String(), c.String()}
	for run := 1; run <= 3; run++ {
		bad, _ := r.checkBlobs(ids)
		if bad[c.String()] == nil || bad[a.String()] != nil {
			t.Fatalf("run %d: bad %v, want %s (and only it) reported", run, bad, c)
		}
	}
}

// A blob stored as a delta on a base outside its pack (a loose object
// here) is not recorded whole with that pack: the pack's digest does not
// cover the base, whose loss is then found.
func TestCheckBlobsBaseOutsidePack(t *testing.T) {
	hr, r := tagRepo(t)
	base := []byte("# Base\n\nA loose base object with some text to share.\n")
	target := []byte("# Base\n\nA loose base object with some text to share, and more.\n")
	cmd := exec.Command("git", "hash-object", "-w", "--stdin")
	cmd.Dir, cmd.Stdin = hr.dir, bytes.NewReader(base)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	baseID := strings.TrimSpace(string(out))
	var bh hoid
	hex.Decode(bh[:], []byte(baseID))
	b := newHPackBuilder(t)
	th := hObjHash(hobjBlob, target)
	b.refDelta(th, bh, hDelta(base, target))
	pack, idx := b.bytes()
	writePack(t, hr.gitDir(), pack, idx)
	ids := []string{th.String()}
	for run := 1; run <= 2; run++ {
		if bad, read := r.checkBlobs(ids); bad != nil || read != 1 {
			t.Fatalf("run %d: bad %v, read %d; want the delta read whole every time", run, bad, read)
		}
	}
	if err := os.Remove(filepath.Join(hr.gitDir(), "objects", baseID[:2], baseID[2:])); err != nil {
		t.Fatal(err)
	}
	if bad, _ := r.checkBlobs(ids); bad[th.String()] == nil {
		t.Fatalf("the delta's base deleted: bad %v", bad)
	}
}

// damagePacked changes one byte, in place, of the pack entry of object
// id (the repository holding one pack) and returns the pack's path and
// its bytes before.
func damagePacked(t *testing.T, gitDir, id string) (pack string, before []byte) {
	t.Helper()
	idxs, _ := filepath.Glob(filepath.Join(gitDir, "objects", "pack", "pack-*.idx"))
	if len(idxs) != 1 {
		t.Fatalf("packs: %v", idxs)
	}
	off := packOffset(t, idxs[0], id)
	pack = strings.TrimSuffix(idxs[0], ".idx") + ".pack"
	before, err := os.ReadFile(pack)
	if err != nil || off < 0 {
		t.Fatalf("offset of %s: %d, %v", id, off, err)
	}
	damaged := bytes.Clone(before)
	damaged[off+4] ^= 0x55
	if err := os.Chmod(pack, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pack, damaged, 0o644); err != nil {
		t.Fatal(err)
	}
	return pack, before
}

// packOffset is the offset of object id in the pack of index idx, as git
// show-index lists it; -1 when it is not there.
func packOffset(t *testing.T, idx, id string) int64 {
	t.Helper()
	f, err := os.Open(idx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command("git", "show-index")
	cmd.Stdin = f
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if fs := strings.Fields(line); len(fs) >= 2 && fs[1] == id {
			off, err := strconv.ParseInt(fs[0], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return off
		}
	}
	return -1
}
