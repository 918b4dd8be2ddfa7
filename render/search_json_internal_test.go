package render

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"strings"
	"testing"
)

// jsonPieces are the bytes and runes where JSON encoders differ: every
// escape encoding/json makes, invalid UTF-8 (a lone continuation byte, a
// cut sequence, an encoded surrogate), the two line separators it
// escapes for JavaScript, and ordinary text.
var jsonPieces = []string{
	"a", "Z", "0", " ", "\"", "\\", "/", "<", ">", "&", "\x00", "\x01", "\b", "\f",
	"\n", "\r", "\t", "\x1f", "\x7f", "é", "ü", "中", "😀", "\u2028", "\u2029",
	"\u2027", "\ufffd", "\xff", "\x80", "\xc3", "\xe2\x80", "\xed\xa0\x80",
	"Incident", "<script>", "a&b", "line\u2028sep",
}

func randomJSONString(rng *rand.Rand) string {
	var b strings.Builder
	for n := rng.Intn(12); n > 0; n-- {
		b.WriteString(jsonPieces[rng.Intn(len(jsonPieces))])
	}
	return b.String()
}

// appendJSONString gives encoding/json's bytes for any string: each
// piece alone, and 20,000 random strings made of them.
func TestAppendJSONStringIsEncodingJSON(t *testing.T) {
	check := func(s string) {
		t.Helper()
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString([]byte("x"), s); !bytes.Equal(got[1:], want) || got[0] != 'x' {
			t.Errorf("%q: got %s, encoding/json gives %s", s, got, want)
		}
	}
	check("")
	for i := 0; i < 256; i++ {
		check(string([]byte{byte(i)}))
	}
	for _, p := range jsonPieces {
		check(p)
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 20000; i++ {
		check(randomJSONString(rng))
	}
}

func randomEntry(rng *rand.Rand) *searchEntry {
	e := &searchEntry{
		ID: randomJSONString(rng), Title: randomJSONString(rng),
		Kind: randomJSONString(rng), URL: randomJSONString(rng),
		Retired: rng.Intn(2) == 0,
	}
	switch rng.Intn(3) {
	case 0:
		e.Tags = []string{} // empty, not nil: left out too
	case 1:
		for n := 1 + rng.Intn(3); n > 0; n-- {
			e.Tags = append(e.Tags, randomJSONString(rng))
		}
	}
	for n := rng.Intn(3); n > 0; n-- {
		e.People = append(e.People, [3]string{randomJSONString(rng), randomJSONString(rng), randomJSONString(rng)})
	}
	for n := rng.Intn(4); n > 0; n-- {
		e.Sections = append(e.Sections, searchSection{randomJSONString(rng), randomJSONString(rng), randomJSONString(rng)})
	}
	return e
}

// The entries of the search index are encoding/json's bytes: 5,000 random
// entries (fields empty or not, strings from jsonPieces), a nil entry and
// a nil slice.
func TestEntryJSONIsEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	var entries []*searchEntry
	for i := 0; i < 5000; i++ {
		entries = append(entries, randomEntry(rng))
	}
	entries = append(entries, nil, &searchEntry{})
	for _, es := range [][]*searchEntry{nil, {}, entries} {
		want, err := json.Marshal(es)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendEntriesJSON(nil, es); !bytes.Equal(got, want) {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			t.Errorf("%d entries: first difference at byte %d: got %.80q, encoding/json gives %.80q", len(es), i, got[i:], want[i:])
		}
	}
}

func FuzzSearchEntryJSON(f *testing.F) {
	for _, p := range jsonPieces {
		f.Add(p, "T", p+"<x>", true)
	}
	f.Fuzz(func(t *testing.T, a, b, c string, retired bool) {
		e := &searchEntry{ID: a, Title: b, Kind: c, URL: a + b, Retired: retired, Tags: []string{c, a},
			People: [][3]string{{a, b, c}}, Sections: []searchSection{{a, b, c}, {"", "", c}, {}}}
		want, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendEntryJSON(nil, e); !bytes.Equal(got, want) {
			t.Errorf("got %s, encoding/json gives %s", got, want)
		}
	})
}
