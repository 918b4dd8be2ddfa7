package doc_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/rmm-pal/rmm/doc"
)

// The parse benchmarks feed Parse inputs that used to take time growing
// faster than their size (issue 9): n identical headings (every one needs a
// fresh id: heading, heading-1, heading-2, ...) and n levels of nested
// quotes and list items on one line. Each size doubles the input, so
// near-linear growth shows as ns/op roughly doubling from one size to the
// next:
//
//	go test ./doc -run '^$' -bench 'BenchmarkParse(Headings|Nested)$'

// BenchSizes are the sizes every growth benchmark runs at.
var benchSizes = []int{5000, 10000, 20000, 40000}

func benchName(n int) string { return strconv.Itoa(n/1000) + "k" }

// HeadingsBody is n identical "## Heading" lines.
func headingsBody(n int) string { return strings.Repeat("## Heading\n", n) }

// NestedBody is n levels of "> - " on one line, then text.
func nestedBody(n int) string { return strings.Repeat("> - ", n) + "x\n" }

func benchParse(b *testing.B, body func(int) string) {
	for _, n := range benchSizes {
		src := []byte("---\nid: BENCH\nkind: note\ntitle: Bench\n---\n" + body(n))
		b.Run(benchName(n), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if d, _ := doc.Parse("bench.md", src); d == nil {
					b.Fatal("no document")
				}
			}
		})
	}
}

func BenchmarkParseHeadings(b *testing.B) { benchParse(b, headingsBody) }

func BenchmarkParseNested(b *testing.B) { benchParse(b, nestedBody) }

// pathological are inputs on which goldmark's own parser does work
// growing faster than their size (most from cmark's
// test/pathological_tests.py); each is run at two sizes four times apart,
// so near-linear growth shows as a ratio near 4:
//
//	go test ./doc -run '^$' -bench 'BenchmarkParsePathological'
var pathological = []struct {
	name string
	unit string // repeated to the size
}{
	{"emphasis-mismatched", "*a_ "},
	{"emphasis-openers", "_a "},
	{"emphasis-multiple-of-3", "a**b c* "},
	{"link-openers", "[a"},
	{"link-closers-lines", "[a]\n"},
	{"link-unclosed-raw", "[a](b"},
	{"link-unclosed-angle", "[a](<b"},
	{"link-unclosed-title", "[a](b (x"},
	{"link-references", "[a]: /u\n"},
	{"brackets-nested", "["},
	{"backticks-lines", "`a\n"},
	{"quote-list-line", "> - "},
	{"list-stair", "- a\n  "},
	{"headings", "## Heading\n"},
	{"wiki-links", "[[AB-1]] "},
}

func BenchmarkParsePathological(b *testing.B) {
	for _, c := range pathological {
		for _, size := range []int{100 << 10, 400 << 10} {
			body := strings.Repeat(c.unit, size/len(c.unit))
			if c.name == "brackets-nested" {
				body = strings.Repeat("[", size/2) + "a" + strings.Repeat("]", size/2)
			}
			src := []byte("---\nid: BENCH\nkind: note\ntitle: Bench\n---\n" + body)
			b.Run(c.name+"/"+strconv.Itoa(size>>10)+"KiB", func(b *testing.B) {
				b.SetBytes(int64(len(src)))
				for b.Loop() {
					doc.Parse("bench.md", src)
				}
			})
		}
	}
}
