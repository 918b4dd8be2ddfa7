package render

import (
	"encoding/binary"
	"errors"
	"sort"
)

// The page state (cache.go) is written in a format of its own: gob took
// 0.15 s of CPU to read it and 0.34 s to write it in every rebuild at
// 10,000 documents (a 39 MB state, most of it the search entries' text;
// CPU profile of rmm build). Here a state is a count and then, per page
// in path order:
//
//	path, key (32 bytes), size, modification time, assets (count, paths),
//	0 or 1 (a search entry follows), and the entry: id, title, kind, url,
//	retired (0 or 1), tags (count, strings), people (count, three strings
//	each), sections (count, three strings each)
//
// with numbers as varints and strings as a length and the bytes. A read
// makes one string of the whole body and slices every string out of it,
// so it allocates little; any count or length that runs past the end is
// an error (the state is then ignored, as a damaged one always was), so
// no input makes a read allocate more than the body's size in entries.

var errState = errors.New("damaged page state")

// appendState appends the encoding of st.
func appendState(b []byte, st *buildState) []byte {
	paths := make([]string, 0, len(st.Pages))
	for p := range st.Pages {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	// Sized once: grown by doubling, the copies were most of the time
	// of writing a 39 MB state.
	n := len(b) + binary.MaxVarintLen64
	for _, p := range paths {
		ps := st.Pages[p]
		n += len(p) + 32 + 4*binary.MaxVarintLen64
		for _, a := range ps.Assets {
			n += len(a) + binary.MaxVarintLen64
		}
		if e := ps.Search; e != nil {
			n += len(e.ID) + len(e.Title) + len(e.Kind) + len(e.URL) + 8*binary.MaxVarintLen64
			for _, t := range e.Tags {
				n += len(t) + binary.MaxVarintLen64
			}
			for _, x := range e.People {
				n += len(x[0]) + len(x[1]) + len(x[2]) + 3*binary.MaxVarintLen64
			}
			for _, x := range e.Sections {
				n += len(x.Anchor) + len(x.Heading) + len(x.Text) + 3*binary.MaxVarintLen64
			}
		}
	}
	b = append(make([]byte, 0, n), b...)
	b = binary.AppendUvarint(b, uint64(len(paths)))
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	strs := func(ss []string) {
		b = binary.AppendUvarint(b, uint64(len(ss)))
		for _, s := range ss {
			str(s)
		}
	}
	flag := func(v bool) {
		if v {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	for _, p := range paths {
		ps := st.Pages[p]
		str(p)
		b = append(b, ps.Key[:]...)
		b = binary.AppendVarint(b, ps.Size)
		b = binary.AppendVarint(b, ps.ModTime)
		strs(ps.Assets)
		e := ps.Search
		flag(e != nil)
		if e == nil {
			continue
		}
		str(e.ID)
		str(e.Title)
		str(e.Kind)
		str(e.URL)
		flag(e.Retired)
		strs(e.Tags)
		b = binary.AppendUvarint(b, uint64(len(e.People)))
		for _, x := range e.People {
			str(x[0])
			str(x[1])
			str(x[2])
		}
		b = binary.AppendUvarint(b, uint64(len(e.Sections)))
		for _, x := range e.Sections {
			str(x.Anchor)
			str(x.Heading)
			str(x.Text)
		}
	}
	return b
}

// stateReader reads what appendState wrote; err is set at the first
// thing that does not fit, and every read after returns zero values.
type stateReader struct {
	b   []byte // the body, for varints
	s   string // the same bytes, for strings
	i   int
	err error
}

func (r *stateReader) fail() {
	if r.err == nil {
		r.err = errState
	}
	r.i = len(r.s)
}

func (r *stateReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.i:])
	if n <= 0 {
		r.fail()
		return 0
	}
	r.i += n
	return v
}

func (r *stateReader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b[r.i:])
	if n <= 0 {
		r.fail()
		return 0
	}
	r.i += n
	return v
}

// count reads a count of things that take at least min bytes each.
func (r *stateReader) count(min int) int {
	n := r.uvarint()
	if n > uint64(len(r.s)-r.i)/uint64(min) {
		r.fail()
		return 0
	}
	return int(n)
}

func (r *stateReader) str() string {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.s)-r.i) {
		r.fail()
		return ""
	}
	s := r.s[r.i : r.i+int(n)]
	r.i += int(n)
	return s
}

func (r *stateReader) strs() []string {
	n := r.count(1)
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.str()
	}
	return out
}

func (r *stateReader) flag() bool {
	if r.err != nil || r.i >= len(r.s) || r.s[r.i] > 1 {
		r.fail()
		return false
	}
	r.i++
	return r.s[r.i-1] == 1
}

// decodeState reads a state appendState wrote; an error when body is
// anything else.
func decodeState(body []byte) (*buildState, error) {
	r := &stateReader{b: body, s: string(body)}
	n := r.count(1 + 32 + 1 + 1 + 1 + 1)
	st := &buildState{Pages: make(map[string]pageState, n)}
	for i := 0; i < n && r.err == nil; i++ {
		p := r.str()
		var ps pageState
		if len(r.s)-r.i < 32 {
			r.fail()
			break
		}
		copy(ps.Key[:], r.s[r.i:r.i+32])
		r.i += 32
		ps.Size = r.varint()
		ps.ModTime = r.varint()
		ps.Assets = r.strs()
		if r.flag() {
			e := &searchEntry{ID: r.str(), Title: r.str(), Kind: r.str(), URL: r.str(), Retired: r.flag()}
			e.Tags = r.strs()
			if k := r.count(3); k > 0 {
				e.People = make([][3]string, k)
				for j := range e.People {
					e.People[j] = [3]string{r.str(), r.str(), r.str()}
				}
			}
			if k := r.count(3); k > 0 {
				e.Sections = make([]searchSection, k)
				for j := range e.Sections {
					e.Sections[j] = searchSection{r.str(), r.str(), r.str()}
				}
			}
			ps.Search = e
		}
		if _, dup := st.Pages[p]; dup {
			r.fail()
		}
		st.Pages[p] = ps
	}
	if r.err == nil && r.i != len(r.s) {
		r.fail()
	}
	if r.err != nil {
		return nil, r.err
	}
	return st, nil
}
