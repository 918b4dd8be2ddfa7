package render

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"runtime"
	"strings"
	"testing"
)

// searchIndexReference is the search index as encoding/json makes it of
// the plain definition (one pass over the sections, the postings a
// map[string]string): what searchIndexOnce and searchIndex, which split
// the work across cores and write the postings without reflection, must
// give byte for byte.
func searchIndexReference(names map[string]string, entries []*searchEntry) []byte {
	lists := map[string]*postingList{}
	n := 0
	for _, e := range entries {
		for _, sec := range e.Sections {
			eachTermReference(sec.Text, func(t string) { lists[t] = lists[t].add(n) })
			n++
		}
	}
	w := make(map[string]string, len(lists))
	for t, l := range lists {
		w[t] = string(l.b)
	}
	data := struct {
		V int               `json:"v"`
		N map[string]string `json:"n"`
		W map[string]string `json:"w"`
		D []*searchEntry    `json:"d"`
	}{2, names, w, entries}
	var buf bytes.Buffer
	buf.WriteString(searchPreamble)
	if err := json.NewEncoder(&buf).Encode(data); err != nil {
		panic(err)
	}
	buf.Truncate(buf.Len() - 1)
	buf.WriteString(";\n")
	return buf.Bytes()
}

func randomEntries(rng *rand.Rand, n int) []*searchEntry {
	words := []string{"plan", "Plan", "PLAN", "incident", "İstanbul", "naïve", "事故", "報告", "x2", "2026", "ǅemal", "a", "zz", "<b>", "&amp;", "ß", "Σίσυφος", "\u2028", "e\u0301", "ａｂｃ"}
	var out []*searchEntry
	for i := 0; i < n; i++ {
		e := &searchEntry{ID: "D" + strings.Repeat("x", i%3), Title: words[rng.Intn(len(words))], Kind: "policy", URL: "doc/d.html"}
		for s := rng.Intn(4); s > 0; s-- {
			var b strings.Builder
			for w := rng.Intn(30); w > 0; w-- {
				b.WriteString(words[rng.Intn(len(words))])
				b.WriteString([]string{" ", ", ", "-", "\n", "."}[rng.Intn(5)])
			}
			e.Sections = append(e.Sections, searchSection{Anchor: "s", Text: b.String()})
		}
		out = append(out, e)
	}
	return out
}

func TestSearchIndexMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(13))
	names := map[string]string{"olga@example.org": "Olga <O>", "b@example.org": "B & B"}
	for _, procs := range []int{1, 2, 3, 7} {
		prev := runtime.GOMAXPROCS(procs)
		for round := 0; round < 40; round++ {
			entries := randomEntries(rng, rng.Intn(25))
			want := searchIndexReference(names, entries)
			if got := searchIndexOnce(names, entries); !bytes.Equal(got, want) {
				t.Fatalf("GOMAXPROCS %d, round %d: searchIndexOnce differs from the reference:\n got %s\nwant %s", procs, round, got, want)
			}
			codes := make([]*entryCode, len(entries))
			for i, e := range entries {
				codes[i] = encodeEntry(e)
			}
			var w []byte
			w = appendPostings(w, textPostings(codes))
			var ref struct {
				W json.RawMessage `json:"w"`
			}
			if err := json.Unmarshal(want[len(searchPreamble):len(want)-2], &ref); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(w, ref.W) {
				t.Fatalf("GOMAXPROCS %d, round %d: serve's postings differ:\n got %s\nwant %s", procs, round, w, ref.W)
			}
		}
		runtime.GOMAXPROCS(prev)
	}
}
