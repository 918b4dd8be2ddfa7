package baseline

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/adler32"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

func day(d int) repo.Signature {
	return repo.Signature{Name: "Dana", Email: "dana@example.org", When: time.Date(2026, 1, d, 12, 0, 0, 0, time.UTC)}
}

func mustCreate(t *testing.T, dir, name string, when repo.Signature) *Manifest {
	t.Helper()
	m, err := createWith(t, dir, name, "", when)
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return m
}

func verify(t *testing.T, r *repo.Repo, name string) *Report {
	t.Helper()
	rep, err := Verify(r, name)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func wantProblem(t *testing.T, rep *Report, want string) {
	t.Helper()
	for _, p := range rep.Problems {
		if strings.Contains(p, want) {
			return
		}
	}
	t.Errorf("%s: no problem containing %q in %q", rep.Tag, want, rep.Problems)
}

// forge writes baseline/NAME on commit with m's manifest and the given
// previous line, as someone editing a tag message by hand would.
func forge(t *testing.T, r *repo.Repo, name string, m *Manifest, previous string, when repo.Signature) {
	t.Helper()
	f := *m
	f.Previous = previous
	if _, err := r.CreateTag(TagPrefix+name, m.Commit, f.Message(), when); err != nil {
		t.Fatal(err)
	}
}

// Baselines remember their order (issue 9 part 8): each manifest names the
// latest baseline behind its commit, and Verify reports a chain that does
// not hold.
func TestBaselineOrder(t *testing.T) {
	dir := approvedRepo(t)
	q1 := mustCreate(t, dir, "Q1", day(1))
	write(t, dir, "policies/access.md", strings.Replace(readFile(t, dir, "policies/access.md"), "by need.", "by need, reviewed yearly.", 1))
	approveFile(t, dir, "policies/access.md", doc.Approval{By: "dana@example.org", Role: "manager", Date: "2026-01-02T09:00:00Z"})
	gitIn(t, dir, "dana@example.org", "commit", "-q", "-am", "yearly")
	q2 := mustCreate(t, dir, "Q2", day(2))
	q3 := mustCreate(t, dir, "Q3", day(3)) // same commit as Q2
	if q1.Previous != "-" || q2.Previous != "baseline/Q1" || q3.Previous != "baseline/Q2" || q3.Version != 2 {
		t.Fatalf("previous: %q %q %q", q1.Previous, q2.Previous, q3.Previous)
	}
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"Q1", "Q2", "Q3"} {
		if rep := verify(t, r, n); !rep.OK {
			t.Errorf("%s: %v", n, rep.Problems)
		}
	}

	// The latest baseline of a commit is the newest one behind it: on a
	// branch from Q1's commit, Q1; a baseline cut there names Q1.
	if m, err := LatestAt(r, q1.Commit); err != nil || m == nil || m.Tag != "baseline/Q1" {
		t.Errorf("LatestAt(Q1's commit) = %v, %v", m, err)
	}
	gitIn(t, dir, "dana@example.org", "checkout", "-q", "-b", "side", q1.Commit)
	write(t, dir, "notes/readme.md", "# Notes of the side branch\n")
	gitIn(t, dir, "dana@example.org", "commit", "-q", "-am", "side")
	side := mustCreate(t, dir, "SIDE", day(4))
	if side.Previous != "baseline/Q1" {
		t.Errorf("a baseline on a side branch names %q", side.Previous)
	}
	gitIn(t, dir, "dana@example.org", "checkout", "-q", "main")
	if m := Latest(r); m == nil || m.Tag != "baseline/Q3" {
		t.Errorf("Latest on main = %v", m)
	}
	if rep := verify(t, r, "SIDE"); !rep.OK {
		t.Errorf("SIDE: %v", rep.Problems)
	}

	// Hand-made manifests: a previous that is not behind; "-" with an
	// older baseline behind; a previous that skips one cut between.
	forge(t, r, "X", q3, "baseline/SIDE", day(5))
	wantProblem(t, verify(t, r, "X"), "baseline/X names baseline/SIDE as its previous, but baseline/SIDE's commit "+short(side.Commit)+" is not baseline/X's commit "+short(q3.Commit)+" nor one of its ancestors")
	forge(t, r, "Y", q3, "-", day(6))
	wantProblem(t, verify(t, r, "Y"), "baseline/Y names no previous baseline (previous: -), but baseline/Q1 (2026-01-01T12:00:00Z) is older")
	forge(t, r, "Z", q3, "baseline/Q1", day(7))
	wantProblem(t, verify(t, r, "Z"), "baseline/Z names baseline/Q1 as its previous, but baseline/Q2 (2026-01-02T12:00:00Z) was cut between them")
	forge(t, r, "W", q3, "baseline/GONE", day(8))
	wantProblem(t, verify(t, r, "W"), "baseline/W names baseline/GONE as its previous, which does not exist")
	for _, n := range []string{"X", "Y", "Z", "W"} {
		gitIn(t, dir, "x@example.org", "tag", "-d", "baseline/"+n)
	}

	// Q2 deleted and cut again on HEAD, after Q3: it names Q3, and both
	// it and Q3 (whose previous is now a newer tag) fail.
	gitIn(t, dir, "x@example.org", "tag", "-d", "baseline/Q2")
	wantProblem(t, verify(t, r, "Q3"), "baseline/Q3 names baseline/Q2 as its previous, which does not exist: was it deleted?")
	q2b := mustCreate(t, dir, "Q2", day(9))
	if q2b.Previous != "baseline/SIDE" && q2b.Previous != "baseline/Q3" {
		t.Fatalf("re-created Q2 names %q", q2b.Previous)
	}
	if q2b.Previous != "baseline/Q3" {
		t.Errorf("re-created Q2 names %q, want baseline/Q3 (SIDE is not behind main)", q2b.Previous)
	}
	rep := verify(t, r, "Q2")
	wantProblem(t, rep, "baseline/Q2 was re-created out of order: baseline/Q3 (2026-01-03T12:00:00Z) names it as its previous, but this baseline/Q2 was created 2026-01-09T12:00:00Z, after baseline/Q3, and names baseline/Q3 as its own previous")
	if rep.OK {
		t.Error("the re-created Q2 verifies")
	}
	wantProblem(t, verify(t, r, "Q3"), "baseline/Q3 names baseline/Q2 as its previous, but baseline/Q2 was created 2026-01-09T12:00:00Z, after baseline/Q3 (2026-01-03T12:00:00Z)")
	if rep := verify(t, r, "Q1"); !rep.OK {
		t.Errorf("Q1: %v", rep.Problems)
	}

	// List: oldest first, the re-created Q2 last.
	list, err := List(r)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range list {
		names = append(names, s.Name+"<"+s.Previous)
	}
	if got := strings.Join(names, " "); got != "Q1<- Q3<baseline/Q2 SIDE<baseline/Q1 Q2<baseline/Q3" {
		t.Errorf("list: %s", got)
	}
}

// A version 1 manifest (no previous line) still verifies, and a version 2
// manifest may name it.
func TestVersion1Manifest(t *testing.T) {
	dir := approvedRepo(t)
	q1 := mustCreate(t, dir, "Q1", day(1))
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	gitIn(t, dir, "x@example.org", "tag", "-d", "baseline/Q1")
	v1 := *q1
	v1.Version, v1.Previous = 1, ""
	if msg := v1.Message(); strings.Contains(msg, "previous") || !strings.Contains(msg, "rmm-baseline: 1\n") {
		t.Fatalf("v1 message:\n%s", msg)
	}
	if _, err := r.CreateTag("baseline/Q1", q1.Commit, v1.Message(), day(1)); err != nil {
		t.Fatal(err)
	}
	m, err := Show(r, "Q1")
	if err != nil || m.Version != 1 || m.Previous != "" {
		t.Fatalf("Show: %+v %v", m, err)
	}
	if rep := verify(t, r, "Q1"); !rep.OK {
		t.Errorf("v1: %v", rep.Problems)
	}
	q2 := mustCreate(t, dir, "Q2", day(2))
	if q2.Previous != "baseline/Q1" {
		t.Errorf("Q2 names %q", q2.Previous)
	}
	if rep := verify(t, r, "Q2"); !rep.OK {
		t.Errorf("Q2: %v", rep.Problems)
	}
}

// A tag under baseline/ whose object is missing is listed with its error,
// not dropped, when other baselines are readable.
func TestListKeepsBrokenTags(t *testing.T) {
	dir := approvedRepo(t)
	mustCreate(t, dir, "Q1", day(1))
	write(t, dir, ".git/refs/tags/baseline/BROKEN", "0123456789abcdef0123456789abcdef01234567\n")
	write(t, dir, ".git/refs/tags/baseline/Q9.lock", "")
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	list, err := List(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "Q1" || list[1].Name != "BROKEN" || !strings.Contains(list[1].Error, "missing") {
		t.Errorf("list: %+v", list)
	}
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := r.WorkTree()
	if err != nil {
		t.Fatal(err)
	}
	snap, err := doc.Load(fsys, doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return string(snap.ByPath[name].Raw)
}

// List reads each tag object once per process (listMemo), by name and
// object id: a tag replaced under the same name (a forged or re-cut tag,
// a ref moved by hand) is read again, and a tag deleted is gone.
func TestListSeesTagsReplaced(t *testing.T) {
	dir := approvedRepo(t)
	q1 := mustCreate(t, dir, "Q1", day(1))
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	list, err := List(r)
	if err != nil || len(list) != 1 || list[0].Summary == "forged" {
		t.Fatalf("list: %+v, %v", list, err)
	}
	first := list[0]
	// The tag replaced: same name, another object.
	if err := os.Remove(filepath.Join(dir, ".git", "refs", "tags", "baseline", "Q1")); err != nil {
		t.Fatal(err)
	}
	f := *q1
	f.Summary = "forged"
	if _, err := r.CreateTag(TagPrefix+"Q1", q1.Commit, f.Message(), day(2)); err != nil {
		t.Fatal(err)
	}
	list, err = List(r)
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %+v, %v", list, err)
	}
	if list[0].Summary != "forged" || list[0].Date == first.Date {
		t.Errorf("List after the tag was replaced shows the old tag: %+v", list[0])
	}
	// The same tag object again: the summary is the one read before.
	again, _ := List(r)
	if len(again) != 1 || again[0].Summary != "forged" || again[0].manifest != list[0].manifest {
		t.Errorf("List read the same tag object twice: %+v", again)
	}
	// Its object deleted, the ref left: reported missing, as on a first read.
	obj := again[0].manifest.Object
	if err := os.Remove(filepath.Join(dir, ".git", "objects", obj[:2], obj[2:])); err != nil {
		t.Fatal(err)
	}
	if gone, _ := List(r); len(gone) != 1 || gone[0].Error == "" {
		t.Errorf("List after the tag object was deleted: %+v", gone)
	}
	if err := os.Remove(filepath.Join(dir, ".git", "refs", "tags", "baseline", "Q1")); err != nil {
		t.Fatal(err)
	}
	if list, _ := List(r); len(list) != 0 {
		t.Errorf("List after the tag was deleted: %+v", list)
	}
}

// List keeps each baseline's header between processes, and uses it only
// while the object store holds the bytes it was read from: a tag object
// damaged in place is read again and reported, as on a first read. The
// latest baseline behind HEAD comes back whole, entries and all.
func TestListTagCache(t *testing.T) {
	dir := approvedRepo(t)
	q1 := mustCreate(t, dir, "Q1", day(1))
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	first, err := List(r)
	if err != nil || len(first) != 1 || first[0].Error != "" {
		t.Fatalf("list: %+v, %v", first, err)
	}
	newProcess := func() {
		listMemo = &summaryMemo{m: map[summaryKey]Summary{}}
	}
	newProcess()
	cached, err := List(r)
	if err != nil || len(cached) != 1 || cached[0].manifest == nil || !cached[0].manifest.partial {
		t.Fatalf("a second process's list is not from the tag cache: %+v, %v", cached, err)
	}
	a, b := first[0], cached[0]
	a.manifest, b.manifest, a.when, b.when = nil, nil, time.Time{}, time.Time{}
	if fmt.Sprintf("%+v", a) != fmt.Sprintf("%+v", b) || !cached[0].when.Equal(first[0].when) {
		t.Errorf("cached summary differs:\n%+v\nread:\n%+v", b, a)
	}
	m, err := LatestAt(r, q1.Commit)
	if err != nil || m == nil || m.partial || len(m.Documents) != len(q1.Documents) || m.Root != q1.Root {
		t.Fatalf("LatestAt from the tag cache: %+v, %v", m, err)
	}
	// The tag object's file damaged in place (same name, other bytes).
	newProcess()
	obj := q1.Object
	loose := filepath.Join(dir, ".git", "objects", obj[:2], obj[2:])
	if err := os.Chmod(loose, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(loose, []byte("not a git object"), 0o644); err != nil {
		t.Fatal(err)
	}
	if list, _ := List(r); len(list) != 1 || list[0].Error == "" {
		t.Errorf("List after the tag object was damaged in place: %+v", list)
	}
}

// The same for a packed tag object: its header is used while the pack
// reader reads the object whole, and a byte of its entry changed in place
// makes List read it again and report it.
func TestListTagCachePacked(t *testing.T) {
	dir := approvedRepo(t)
	q1 := mustCreate(t, dir, "Q1", day(1))
	// Stored uncompressed, a byte changed still inflates: only the hash
	// of the object's bytes tells the damage.
	gitIn(t, dir, "x@example.org", "-c", "pack.compression=0", "gc", "-q", "--prune=now")
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if list, err := List(r); err != nil || len(list) != 1 || list[0].Error != "" {
		t.Fatalf("list: %+v, %v", list, err)
	}
	listMemo = &summaryMemo{m: map[summaryKey]Summary{}}
	if list, _ := List(r); len(list) != 1 || list[0].manifest == nil || !list[0].manifest.partial {
		t.Fatalf("a second process's list of a packed tag is not from the tag cache: %+v", list)
	}
	idxs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "pack-*.idx"))
	if len(idxs) != 1 {
		t.Fatalf("packs: %v", idxs)
	}
	var off int64 = -1
	f, err := os.Open(idxs[0])
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "show-index")
	cmd.Stdin = f
	out, err := cmd.Output()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if fs := strings.Fields(line); len(fs) >= 2 && fs[1] == q1.Object {
			off, _ = strconv.ParseInt(fs[0], 10, 64)
		}
	}
	pack := strings.TrimSuffix(idxs[0], ".idx") + ".pack"
	data, err := os.ReadFile(pack)
	if err != nil || off < 0 {
		t.Fatalf("offset of the tag %s: %d, %v", q1.Object, off, err)
	}
	// The entry: a type-and-size header, then a zlib stream of stored
	// blocks (pack.compression=0). One byte of the tag's text is changed
	// and the stream's checksum mended, as a deliberate edit would.
	pos := int(off)
	for data[pos]&0x80 != 0 {
		pos++
	}
	pos += 1 + 2 // the header's last byte, the zlib header
	var content []byte
	var spans [][2]int
	for {
		final := data[pos] & 1
		if data[pos]&6 != 0 {
			t.Fatalf("block at %d is not stored", pos)
		}
		n := int(binary.LittleEndian.Uint16(data[pos+1:]))
		spans = append(spans, [2]int{pos + 5, pos + 5 + n})
		content = append(content, data[pos+5:pos+5+n]...)
		pos += 5 + n
		if final == 1 {
			break
		}
	}
	at := bytes.Index(content, []byte("Baseline Q1"))
	if at < 0 || len(spans) != 1 {
		t.Fatalf("the tag's text: %q", content)
	}
	data[spans[0][0]+at] = 'X' // "Xaseline Q1"
	content[at] = 'X'
	binary.BigEndian.PutUint32(data[pos:], adler32.Checksum(content))
	os.Chmod(pack, 0o644)
	if err := os.WriteFile(pack, data, 0o644); err != nil {
		t.Fatal(err)
	}
	listMemo = &summaryMemo{m: map[summaryKey]Summary{}}
	if r, err = repo.Open(dir); err != nil { // go-git keeps objects it read
		t.Fatal(err)
	}
	if list, _ := List(r); len(list) != 1 || !strings.Contains(list[0].Error, "the repository holds") {
		t.Errorf("List after the packed tag object was damaged in place: %+v", list)
	}
}
