package doc

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// FuzzEdit feeds the editor arbitrary documents, keys and values. It must
// never panic, and when it succeeds the result must read back with the
// key holding the value (SetValue) or the old list with the value
// appended (AppendItem), every other key as it was and the body
// unchanged. A refusal is fine; a wrong success is not.
func FuzzEdit(f *testing.F) {
	for _, s := range []struct {
		in, key, value string
		appendTo       bool
	}{
		{"---\nid: A\nstatus: draft # c\n---\nBody\n", "status", "approved", false},
		{"---\nid: A\nstatus:\n---\n", "status", "approved", false},
		{"---\nid: A\nstatus: >-\n  draft\n---\n", "status", "a: b", false},
		{"---\r\nid: A\r\ntags: [a, b]\r\n---\r\nBody\r\n", "tags", "c, d", true},
		{"---\nid: A\ntags:\n  - a\n# c\n---\n", "tags", "#x", true},
	} {
		f.Add([]byte(s.in), s.key, s.value, s.appendTo)
	}
	f.Fuzz(func(t *testing.T, data []byte, key, value string, appendTo bool) {
		var out []byte
		var err error
		if appendTo {
			out, err = AppendItem("f.md", data, key, value)
		} else {
			out, err = SetValue("f.md", data, key, value)
		}
		if err != nil {
			if !errors.Is(err, ErrCannotEdit) && !errors.Is(err, ErrEditCheck) && len(data) > 0 && bytes.HasPrefix(data, []byte("---")) {
				t.Logf("refused without a known cause: %v", err)
			}
			return
		}
		old, _ := Parse("f.md", data)
		nd, _ := Parse("f.md", out)
		if old == nil || nd == nil {
			t.Fatalf("success on a document that does not parse (before %v, after %v)", old != nil, nd != nil)
		}
		got := nd.Front[key]
		if appendTo {
			var want []any
			if l, ok := old.Front[key].([]any); ok {
				want = append(want, l...)
			}
			want = append(want, value)
			if !reflect.DeepEqual(normalise(got), normalise(want)) {
				t.Fatalf("%s reads back as %#v, want %#v\n%q", key, got, want, out)
			}
		} else if got != value {
			t.Fatalf("%s reads back as %#v, want %q\n%q", key, got, value, out)
		}
		for k, v := range old.Front {
			if k != key && !reflect.DeepEqual(normalise(nd.Front[k]), normalise(v)) {
				t.Fatalf("%s changed from %#v to %#v\n%q", k, v, nd.Front[k], out)
			}
		}
		if len(nd.Front) > len(old.Front)+1 {
			t.Fatalf("keys added: %q", out)
		}
		if !bytes.Equal(nd.Body, old.Body) {
			t.Fatalf("body changed: %q", out)
		}
	})
}
