package render

import (
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// The render benchmarks run the inputs of doc's BenchmarkParseHeadings and
// BenchmarkParseNested through the site's Markdown rendering (parse,
// rewrite links, HTML, search text). ns/op roughly doubling per size is
// near-linear growth:
//
//	go test ./render -run '^$' -bench 'BenchmarkRender(Headings|Nested)$'

func benchLinker() *linker {
	lib := &doc.Library{ByID: map[string]*doc.Document{}, ByPath: map[string]*doc.Document{}, Files: map[string]bool{}}
	s := &site{
		lib:    lib,
		in:     &input{snap: &repo.Snapshot{Lib: lib, FS: fstest.MapFS{"pic.png": {Data: []byte("png")}}}, lib: lib},
		cfg:    &doc.Config{},
		byID:   map[string]*page{},
		assets: map[string]string{},
	}
	return &linker{s: s, d: &doc.Document{Path: "bench.md"}, root: "../"}
}

func benchRender(b *testing.B, body func(int) string) {
	for _, n := range []int{5000, 10000, 20000, 40000} {
		src := []byte(body(n))
		b.Run(strconv.Itoa(n/1000)+"k", func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			l := benchLinker()
			for b.Loop() {
				if _, err := l.renderMarkdown(src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRenderHeadings(b *testing.B) {
	benchRender(b, func(n int) string { return strings.Repeat("## Heading\n", n) })
}

func BenchmarkRenderNested(b *testing.B) {
	benchRender(b, func(n int) string { return strings.Repeat("> - ", n) + "x\n" })
}

// BenchmarkRenderPathological renders inputs on which goldmark's own
// parser does work growing faster than their size (see doc's
// BenchmarkParsePathological) at two sizes four times apart: a ratio near
// 4 is linear growth.
func BenchmarkRenderPathological(b *testing.B) {
	for _, c := range []struct{ name, unit string }{
		{"emphasis-mismatched", "*a_ "},
		{"strikethrough", "~~a "},
		{"link-closers-lines", "[a]\n"},
		{"link-unclosed-raw", "[a](b"},
		{"link-unclosed-angle", "[a](<b"},
		{"link-references", "[a]: /u\n"},
		{"brackets-open", "["},
		{"quote-list-line", "> - "},
		{"table-rows", "| a | *b* | [c](d) |\n"},
		{"linkify", "www.example.com/a_b "},
		{"images-remote", "![a](https://example.com/a.png) "},
		{"attributes", "## H {#h .required style=\"x\"}\n"},
	} {
		for _, size := range []int{100 << 10, 400 << 10} {
			src := []byte(strings.Repeat(c.unit, size/len(c.unit)))
			if c.name == "table-rows" {
				src = append([]byte("| a | b | c |\n|---|:-:|--:|\n"), src...)
			}
			b.Run(c.name+"/"+strconv.Itoa(size>>10)+"KiB", func(b *testing.B) {
				b.SetBytes(int64(len(src)))
				l := benchLinker()
				for b.Loop() {
					if _, err := l.renderMarkdown(src); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
