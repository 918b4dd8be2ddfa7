package render

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDistinctWords(t *testing.T) {
	for in, want := range map[string]string{
		"Hello, hello WORLD a b7 Ünïcode ünïcode x": "hello world b7 ünïcode",
		"":                          "",
		"<script>alert(1)</script>": "script alert",
	} {
		if got := distinctWords(in); got != want {
			t.Errorf("distinctWords(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("é ", 500)
	for _, in := range []string{"  short   text \n here ", long, strings.Repeat(" ", 1000) + "x"} {
		got := snippet(in, 160)
		if !utf8.ValidString(got) || len(got) > 160+len("…") || strings.Contains(got, "  ") {
			t.Errorf("snippet(%.20q...) = %q", in, got)
		}
	}
	if got := snippet("  short   text \n here ", 160); got != "short text here" {
		t.Errorf("got %q", got)
	}
}
