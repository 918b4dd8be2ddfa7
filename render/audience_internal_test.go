package render

import (
	"strings"
	"testing"
)

// FuzzMayLinkFiles checks the shortcut that spares parsing a hidden
// document's body: whenever goldmark finds a link or image to something
// other than a .md file in body, mayLinkFiles must say so.
func FuzzMayLinkFiles(f *testing.F) {
	for _, s := range []string{
		"See [a](../x/y.md) and [b](z.md#part).",
		"![img](pic.png)",
		"[a](<my file.png>)",
		"[a]( pic.png \"title\")",
		"[ref]: pic.png\n\nUse [the ref][ref].",
		"[ref]:\n  pic.png\n\n[ref]",
		"[a](x.md) [b](#frag) [c](https://example.org/x.png) [d](mailto:a@b)",
		"[a](pi\\c.png) [b](p&#105;c.png) [c](p%69c.png)",
		"[a](f(1).png)",
		"[a](X.MD)",
		"`[a](code.png)` in code",
		"    [a](indented.png)",
		"[a](x.md?q=1) [b](?q)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if mayLinkFiles([]byte(body)) {
			return
		}
		for _, p := range parsedLinks("f", []byte(body)) {
			if !strings.HasSuffix(strings.ToLower(p), ".md") {
				t.Fatalf("mayLinkFiles(%q) is false, but the body links %q", body, p)
			}
		}
	})
}

func TestMayLinkFiles(t *testing.T) {
	for body, want := range map[string]bool{
		"See [a](../x/y.md) and [b](z.md#part).":                              false,
		"[a](x.md) [b](#frag) [c](https://example.org/x.png) [d](mailto:a@b)": false,
		"No links at all [just brackets] and (parens).":                       false,
		"![img](pic.png)":    true,
		"[ref]: pic.png":     true,
		"[a](<my file.png>)": true,
		"[a](p%69c.md)":      true, // anything less plain is parsed
		"[a](f(1).md)":       true,
	} {
		if got := mayLinkFiles([]byte(body)); got != want {
			t.Errorf("mayLinkFiles(%q) = %v, want %v", body, got, want)
		}
	}
}
