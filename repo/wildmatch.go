package repo

import "strings"

// A gitignore pattern matcher, git's wildmatch with WM_PATHNAME as
// gitignore(5) uses it: `*` and `?` never match a slash, `**` as a whole
// path element matches any number of folders (at the end, at least one
// name), any other run of stars is one star, `[...]` takes ranges, a
// leading `!` or `^` and POSIX classes (`[:digit:]`), and a backslash
// quotes the next character. Like git's, it matches bytes, not runes
// (`?` is one byte of a UTF-8 name; classes are ASCII's).
//
// Hand-written, not a library's: git-lfs's wildmatch (the Go port of
// git's) backtracks exponentially (the pattern `****b` took 585 ms
// against a name of 200 letters, `*a*a*a*a*a*a*b` 4.6 s against 60, in a
// file any committer can write), and go-git's reads `**`, `[!a]` and POSIX
// classes otherwise than git. Here a name is matched in O(len(pattern) ×
// len(name)) (one backtracking point, the last star) and a path by
// dynamic programming over its elements (`**`), so no input costs more
// than the product of the sizes.

// globPattern is a compiled pattern: its path elements.
type globPattern struct {
	elems []globElem
	deep  bool // has a `**` element
}

// globElem is one path element of a pattern: `**`, or a sequence of
// tokens matching one name.
type globElem struct {
	any  bool // `**`
	toks []globTok
}

type globTokKind uint8

const (
	tokRune  globTokKind = iota
	tokOne               // ?
	tokStar              // *
	tokClass             // [...]
)

type globTok struct {
	kind  globTokKind
	b     byte
	class *globClass
}

type globClass struct {
	negate bool
	ranges [][2]byte
	named  []func(byte) bool
}

func (c *globClass) has(r byte) bool {
	in := false
	for _, rg := range c.ranges {
		if rg[0] <= r && r <= rg[1] {
			in = true
			break
		}
	}
	if !in {
		for _, f := range c.named {
			if f(r) {
				in = true
				break
			}
		}
	}
	return in != c.negate
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }
func isUpper(b byte) bool { return 'A' <= b && b <= 'Z' }
func isLower(b byte) bool { return 'a' <= b && b <= 'z' }
func isAlpha(b byte) bool { return isUpper(b) || isLower(b) }
func isSpace(b byte) bool { return b == ' ' || ('\t' <= b && b <= '\r') }
func isPrint(b byte) bool { return 0x20 <= b && b < 0x7f }

// posixClasses are C's (git matches in the C locale).
var posixClasses = map[string]func(byte) bool{
	"alnum":  func(b byte) bool { return isAlpha(b) || isDigit(b) },
	"alpha":  isAlpha,
	"blank":  func(b byte) bool { return b == ' ' || b == '\t' },
	"cntrl":  func(b byte) bool { return b < 0x20 || b == 0x7f },
	"digit":  isDigit,
	"graph":  func(b byte) bool { return isPrint(b) && b != ' ' },
	"lower":  isLower,
	"print":  isPrint,
	"punct":  func(b byte) bool { return isPrint(b) && b != ' ' && !isAlpha(b) && !isDigit(b) },
	"space":  isSpace,
	"upper":  isUpper,
	"xdigit": func(b byte) bool { return isDigit(b) || ('a' <= b && b <= 'f') || ('A' <= b && b <= 'F') },
}

// compileGlob compiles p (no leading slash; the pattern's own trailing
// slash removed); ok is false for a pattern git never matches (an
// unclosed `[`, a trailing backslash, an unknown class).
func compileGlob(p string) (globPattern, bool) {
	var g globPattern
	for _, el := range strings.Split(p, "/") {
		if el == "**" {
			g.elems = append(g.elems, globElem{any: true})
			g.deep = true
			continue
		}
		var e globElem
		for i := 0; i < len(el); i++ {
			switch c := el[i]; c {
			case '\\':
				if i+1 >= len(el) {
					return g, false
				}
				i++
				e.toks = append(e.toks, globTok{kind: tokRune, b: el[i]})
			case '?':
				e.toks = append(e.toks, globTok{kind: tokOne})
			case '*':
				if k := len(e.toks); k == 0 || e.toks[k-1].kind != tokStar {
					e.toks = append(e.toks, globTok{kind: tokStar})
				}
			case '[':
				cl, used, ok := compileClass(el[i+1:])
				if !ok {
					return g, false
				}
				e.toks = append(e.toks, globTok{kind: tokClass, class: cl})
				i += used
			default:
				e.toks = append(e.toks, globTok{kind: tokRune, b: c})
			}
		}
		g.elems = append(g.elems, e)
	}
	return g, true
}

// compileClass reads a class after its `[`; used counts the bytes read,
// its `]` included.
func compileClass(s string) (*globClass, int, bool) {
	c := &globClass{}
	i := 0
	if i < len(s) && (s[i] == '!' || s[i] == '^') {
		c.negate = true
		i++
	}
	first := true
	for i < len(s) {
		if s[i] == ']' && !first {
			return c, i + 1, true
		}
		first = false
		if strings.HasPrefix(s[i:], "[:") {
			end := strings.Index(s[i+2:], ":]")
			if end < 0 {
				return nil, 0, false
			}
			f, ok := posixClasses[s[i+2:i+2+end]]
			if !ok {
				return nil, 0, false
			}
			c.named = append(c.named, f)
			i += 2 + end + 2
			continue
		}
		lo, n, ok := classByte(s[i:])
		if !ok {
			return nil, 0, false
		}
		i += n
		hi := lo
		if i+1 < len(s) && s[i] == '-' && s[i+1] != ']' {
			if hi, n, ok = classByte(s[i+1:]); !ok {
				return nil, 0, false
			}
			i += 1 + n
		}
		c.ranges = append(c.ranges, [2]byte{lo, hi})
	}
	return nil, 0, false
}

// classByte reads one byte of a class, quoted by a backslash or not;
// n counts the bytes read.
func classByte(s string) (b byte, n int, ok bool) {
	if s[0] != '\\' {
		return s[0], 1, true
	}
	if len(s) < 2 {
		return 0, 0, false
	}
	return s[1], 2, true
}

// matchName matches one name against an element's tokens: the classic
// wildcard walk that goes back only to the last star.
func matchName(toks []globTok, rs string) bool {
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(rs) {
		if pi < len(toks) {
			t := toks[pi]
			switch {
			case t.kind == tokStar:
				star, mark = pi, si
				pi++
				continue
			case t.kind == tokOne, t.kind == tokRune && t.b == rs[si], t.kind == tokClass && t.class.has(rs[si]):
				pi++
				si++
				continue
			}
		}
		if star < 0 {
			return false
		}
		pi, mark = star+1, mark+1
		si = mark
	}
	for pi < len(toks) && toks[pi].kind == tokStar {
		pi++
	}
	return pi == len(toks)
}

// match matches a path (its elements) against the whole pattern.
func (g globPattern) match(path []string) bool {
	if !g.deep {
		// Element by element, without the table (most rules, and every
		// path of a load is tested against each).
		if len(path) != len(g.elems) {
			return false
		}
		for i, e := range g.elems {
			if !matchName(e.toks, path[i]) {
				return false
			}
		}
		return true
	}
	// ok[i][j]: elems[i:] match path[j:]; filled from the end.
	n, m := len(g.elems), len(path)
	ok := make([]bool, (n+1)*(m+1))
	at := func(i, j int) *bool { return &ok[i*(m+1)+j] }
	*at(n, m) = true
	for i := n - 1; i >= 0; i-- {
		e := g.elems[i]
		for j := m; j >= 0; j-- {
			switch {
			case e.any:
				// Zero elements (not as the last element: `a/**`
				// matches what is inside a, not a), or one more.
				v := i < n-1 && *at(i+1, j)
				if !v && j < m {
					v = *at(i+1, j+1) || *at(i, j+1)
				}
				*at(i, j) = v
			case j < m:
				*at(i, j) = *at(i+1, j+1) && matchName(e.toks, path[j])
			}
		}
	}
	return ok[0]
}
