package doc

import "testing"

// Empty ATX headings after another heading, after a thematic break (a
// block without lines) or at the end of the file without a newline get
// their own line: every section's offsets stay in order, so slicing the
// body by them (as tailoring does) cannot panic.
func TestEmptyHeadingOffsetsStayInOrder(t *testing.T) {
	for _, tc := range []struct {
		body  string
		lines []int
	}{
		{"# 0\n# AA\n# ", []int{1, 2, 3}},
		{"# A\n\n***\n\n#\n", []int{1, 5}},
		{"# A\n#\n", []int{1, 2}},
		{"# A\ntext\n# \n## B\n", []int{1, 3, 4}},
		{"Title\n===\n#\n", []int{1, 3}},
	} {
		d, _ := Parse("s.md", []byte(tc.body))
		if len(d.Sections) != len(tc.lines) {
			t.Errorf("%q: %d sections, want %d", tc.body, len(d.Sections), len(tc.lines))
			continue
		}
		prev := 0
		for i, s := range d.Sections {
			if s.Line != tc.lines[i] {
				t.Errorf("%q: section %d on line %d, want %d", tc.body, i, s.Line, tc.lines[i])
			}
			if !(prev <= s.Start && s.Start <= s.ContentStart && s.ContentStart <= s.OwnEnd && s.OwnEnd <= s.End && s.End <= len(d.Body)) {
				t.Errorf("%q: section %d offsets out of order: start %d content %d own end %d end %d (previous start %d, body %d)",
					tc.body, i, s.Start, s.ContentStart, s.OwnEnd, s.End, prev, len(d.Body))
			}
			prev = s.Start
		}
	}
}
