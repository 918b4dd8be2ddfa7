package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func refusal(t *testing.T, err error, reason string) {
	t.Helper()
	var re *RefusedError
	if !errors.As(err, &re) || re.Reason != reason {
		t.Fatalf("got %v, want a refusal: %s", err, reason)
	}
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestOutput: rmm pdf writes where nothing is, and over what it wrote
// while that holds the bytes it wrote; never over a file it did not write
// or that changed since. Refusals write nothing.
func TestOutput(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "copies")
	o := Output{Dir: dir}
	if err := o.Check([]string{"A.pdf"}); err != nil {
		t.Fatalf("a new folder: %v", err)
	}
	first := []File{{"A.pdf", []byte("%PDF one")}, {"B.pdf", []byte("%PDF two")}}
	if err := o.Write(first); err != nil {
		t.Fatal(err)
	}
	marker, err := os.ReadFile(filepath.Join(dir, MarkerFile))
	if err != nil {
		t.Fatal(err)
	}
	want := sum([]byte("%PDF one")) + "  A.pdf\n" + sum([]byte("%PDF two")) + "  B.pdf\n"
	if string(marker) != want {
		t.Errorf("marker:\n%s\nwant:\n%s", marker, want)
	}

	// Its own file, unchanged: replaced.
	if err := o.Write([]File{{"A.pdf", []byte("%PDF one, again")}}); err != nil {
		t.Fatalf("replace rmm's own file: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "A.pdf")); string(b) != "%PDF one, again" {
		t.Errorf("A.pdf holds %q", b)
	}
	marker, _ = os.ReadFile(filepath.Join(dir, MarkerFile))
	if !bytes.Contains(marker, []byte(sum([]byte("%PDF one, again"))+"  A.pdf\n")) || !bytes.Contains(marker, []byte("  B.pdf\n")) {
		t.Errorf("marker after the replacement:\n%s", marker)
	}

	// A file someone changed, and one rmm never wrote: refused, by Check
	// and by Write, and nothing is written, not even the files that could be.
	if err := os.WriteFile(filepath.Join(dir, "B.pdf"), []byte("%PDF two, signed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "C.pdf"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	refusal(t, o.Check([]string{"A.pdf", "B.pdf"}), "was changed since rmm wrote it")
	refusal(t, o.Check([]string{"C.pdf"}), "exists and rmm did not write it")
	refusal(t, o.Write([]File{{"D.pdf", []byte("new")}, {"C.pdf", []byte("x")}}), "exists and rmm did not write it")
	if _, err := os.Stat(filepath.Join(dir, "D.pdf")); err == nil {
		t.Error("a refused write wrote D.pdf")
	}
	for name, want := range map[string]string{"B.pdf": "%PDF two, signed", "C.pdf": "mine"} {
		if b, _ := os.ReadFile(filepath.Join(dir, name)); string(b) != want {
			t.Errorf("%s holds %q, want %q", name, b, want)
		}
	}

	// A line of the marker that cannot be read lists nothing.
	if err := os.WriteFile(filepath.Join(dir, MarkerFile), []byte("zz  C.pdf\n"+sum([]byte("mine"))+" C.pdf\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	refusal(t, o.Check([]string{"C.pdf"}), "exists and rmm did not write it")

	// Not a folder; a folder where a file would go.
	refusal(t, Output{Dir: filepath.Join(dir, "C.pdf")}.Check([]string{"A.pdf"}), "is not a folder")
	if err := os.Mkdir(filepath.Join(dir, "E.pdf"), 0o755); err != nil {
		t.Fatal(err)
	}
	refusal(t, o.Check([]string{"E.pdf"}), "exists and is not a file rmm wrote")
}

func TestPages(t *testing.T) {
	if n := Pages([]byte("1 0 obj\n<< /Type /Pages /Count 2 >>\n2 0 obj\n<< /Type /Page\n>>\n3 0 obj <</Type/Page/Parent 1 0 R>>")); n != 2 {
		t.Errorf("Pages = %d, want 2", n)
	}
}

// TestFind: RMM_CHROMIUM wins, and a wrong one is an error rather than a
// silent fall back to PATH; without it, the first browser on PATH.
func TestFind(t *testing.T) {
	bin := t.TempDir()
	fake := filepath.Join(bin, "chromium-browser")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	t.Setenv(EnvVar, "")
	if p, err := Find(); err != nil || p != fake {
		t.Errorf("Find() = %q, %v; want %s", p, err, fake)
	}
	t.Setenv(EnvVar, filepath.Join(bin, "nonexistent"))
	if _, err := Find(); err == nil || errors.Is(err, ErrNoChromium) {
		t.Errorf("Find() with a wrong %s: %v", EnvVar, err)
	}
	t.Setenv(EnvVar, fake)
	if p, err := Find(); err != nil || p != fake {
		t.Errorf("Find() = %q, %v; want %s", p, err, fake)
	}
	t.Setenv(EnvVar, "")
	t.Setenv("PATH", t.TempDir())
	if _, err := Find(); !errors.Is(err, ErrNoChromium) {
		t.Errorf("Find() with no browser: %v", err)
	}
}
