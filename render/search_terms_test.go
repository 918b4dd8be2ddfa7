package render

import (
	"math/rand"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// eachTermReference is the plain definition of a term eachTerm's fast
// path must keep: a run of letters and numbers, lower case.
func eachTermReference(s string, f func(string)) {
	start := -1
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			f(strings.ToLower(s[start:i]))
			start = -1
		}
	}
	if start >= 0 {
		f(strings.ToLower(s[start:]))
	}
}

func TestEachTermMatchesDefinition(t *testing.T) {
	alphabet := []string{"a", "Z", "q", "7", " ", "-", ".", "é", "É", "İ", "ß", "٣", "中", "\u00a0", "ǅ", "\xff", "_", "Ω"}
	rng := rand.New(rand.NewSource(1))
	cases := []string{"", "Incident RESPONSE plan", "ÉCOLE d'été", "İstanbul", "POL-00021/2026", "a\xffb"}
	for i := 0; i < 5000; i++ {
		var b strings.Builder
		for n := rng.Intn(24); n > 0; n-- {
			b.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		cases = append(cases, b.String())
	}
	for _, c := range cases {
		var got, want []string
		eachTerm(c, func(t string) { got = append(got, t) })
		eachTermReference(c, func(t string) { want = append(want, t) })
		if !slices.Equal(got, want) {
			t.Fatalf("eachTerm(%q) = %q, want %q", c, got, want)
		}
	}
}

// collapse is what spaced must give: the words of s joined with single
// spaces.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// spaced, written to in pieces, is collapse of the whole text: random
// text of ASCII and Unicode white space, words and broken UTF-8, cut
// anywhere (also inside a rune).
func TestSpacedIsCollapse(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	pieces := []string{" ", "\t", "\n", "\r\n", "\v", "\f", "\u00a0", "\u0085", "\u2003", "\u3000", "a", "word", "é", "日本", "\xff", "\xe2\x80", "x\x00y", "-"}
	for n := 0; n < 5000; n++ {
		var all strings.Builder
		for k := rng.Intn(12); k >= 0; k-- {
			all.WriteString(pieces[rng.Intn(len(pieces))])
		}
		src := all.String()
		var s spaced
		for rest := src; rest != ""; {
			cut := 1 + rng.Intn(len(rest))
			if rng.Intn(2) == 0 {
				s.write([]byte(rest[:cut]))
			} else {
				s.writeString(rest[:cut])
			}
			rest = rest[cut:]
		}
		want := collapse(src)
		if got := s.String(); got != want {
			t.Fatalf("%q: spaced %q, collapse %q", src, got, want)
		}
		s.reset()
		s.writeByte(' ')
		s.writeString(src)
		if got := s.String(); got != want {
			t.Fatalf("after reset, %q: spaced %q, collapse %q", src, got, want)
		}
	}
}
