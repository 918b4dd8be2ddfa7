package render

import "testing"

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
