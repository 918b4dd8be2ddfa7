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
