package doc

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// FuzzEdit feeds the editor arbitrary documents, keys and values. op
// chooses the edit: 0 SetValue, 1 AppendItem of the value, 2 AppendItem of
// a mapping {by: value, role: r} (the shape of an approval). It must never
// panic, and when it succeeds the result must read back with the key
// holding the value or the old list with the item appended, every other
// key as it was and the body unchanged. A refusal is fine; a wrong
// success is not.
func FuzzEdit(f *testing.F) {
	for _, s := range []struct {
		in, key, value string
		op             uint8
	}{
		{"---\nid: A\nstatus: draft # c\n---\nBody\n", "status", "approved", 0},
		{"---\nid: A\nstatus:\n---\n", "status", "approved", 0},
		{"---\nid: A\nstatus: >-\n  draft\n---\n", "status", "a: b", 0},
		{"---\r\nid: A\r\ntags: [a, b]\r\n---\r\nBody\r\n", "tags", "c, d", 1},
		{"---\nid: A\ntags:\n  - a\n# c\n---\n", "tags", "#x", 1},
		{"---\nid: A\napprovals:\n    - by: a@x.org\n      role: owner\n---\n", "approvals", "b@x.org", 2},
		{"---\nid: A\napprovals: [{by: a@x.org, role: owner}] # c\n---\n", "approvals", "yes", 2},
	} {
		f.Add([]byte(s.in), s.key, s.value, s.op)
	}
	f.Fuzz(func(t *testing.T, data []byte, key, value string, op uint8) {
		var out []byte
		var err error
		var item any = value
		switch op % 3 {
		case 0:
			out, err = SetValue("f.md", data, key, value)
		case 1:
			out, err = AppendItem("f.md", data, key, value)
		case 2:
			item = map[string]any{"by": value, "role": "r"}
			out, err = AppendItem("f.md", data, key, item)
		}
		appendTo := op%3 != 0
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
			want = append(want, item)
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
