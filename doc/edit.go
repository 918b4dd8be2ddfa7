package doc

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// This file is rmm's one front matter editor: every command that writes a
// key (approve, tailor, tailor confirm) goes through SetValue or
// AppendItem. They change the bytes of one top-level key and keep every
// other byte of the file: comments, key order, the quoting and flow or
// block style of other keys, line endings, the body. New values are
// written by the YAML library (go.yaml.in/yaml/v3), never quoted by hand,
// and the result is read back with Parse: unless exactly the intended
// change happened, the edit is refused.

// ErrCannotEdit is wrapped by the editor's refusals of front matter whose
// shape it cannot edit in place (a key given twice, a value that is not a
// list where a list is wanted, front matter written as one flow mapping).
// The message names the file and line.
var ErrCannotEdit = errors.New("cannot edit the front matter in place")

// ErrEditCheck is wrapped when an edit did not read back as intended: a
// fault of rmm's, never of the document. The file is left as it was.
var ErrEditCheck = errors.New("internal error: the front matter edit did not read back as intended")

// SetValue returns data, the bytes of the document at path, with the
// top-level front matter key set to the string value. A key that holds a
// value (plain, quoted, a block scalar, null or nothing at all, as in
// `status:` or `status: # tbd`) has that value replaced and keeps its
// comment; a quoted value stays quoted the same way when YAML allows.
// An absent key is added on a line of its own at the end of the front
// matter, before `approvals` when that key exists, so that rmm's record
// of approvals stays last.
func SetValue(path string, data []byte, key, value string) ([]byte, error) {
	e, err := newEditor(path, data)
	if err != nil {
		return nil, err
	}
	if !utf8.ValidString(value) {
		return nil, fmt.Errorf("%s: the value for %s is not valid UTF-8: %w", path, key, ErrCannotEdit)
	}
	k, v, err := e.key(key)
	if err != nil {
		return nil, err
	}
	var eds []edit
	switch {
	case k == nil:
		text, err := encodeKeyValue(key, scalarNode(value, 0))
		if err != nil {
			return nil, err
		}
		at := e.insertAt(key)
		eds = append(eds, edit{at, at, e.lines(text, e.indent)})
	case v.Kind == yaml.AliasNode:
		return nil, e.refuse(v, "%s is an alias (*%s); write its value instead", key, v.Value)
	case v.Kind != yaml.ScalarNode:
		return nil, e.refuse(v, "%s holds %s, not a single value", key, kindName(v))
	case v.Anchor != "":
		return nil, e.refuse(v, "%s carries the anchor &%s; remove it (and any *%s) first", key, v.Anchor, v.Anchor)
	case isEmptyNull(v):
		colon, err := e.colonEnd(k)
		if err != nil {
			return nil, err
		}
		at := skipBlanks(e.data, colon, e.end)
		text, err := encodeInline(scalarNode(value, 0))
		if err != nil {
			return nil, err
		}
		if at == e.lineEnd(colon) || e.data[at] == '#' {
			// `key:` or `key: # comment`: the value goes after the colon.
			eds = append(eds, edit{colon, colon, " " + text})
		} else {
			// `key: !!null` or `key: &anchor`: properties of nothing.
			end := e.propsEnd(at)
			eds = append(eds, edit{at, end, text})
		}
	default:
		at := e.offset(v)
		p := e.propsEnd(at)
		text, err := encodeInline(scalarNode(value, v.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle)))
		if err != nil {
			return nil, err
		}
		switch {
		case v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
			header, content, err := e.blockScalar(p, e.indent)
			if err != nil {
				return nil, e.refuse(v, "%v", err)
			}
			eds = append(eds, edit{at, header, text})
			if content > e.lineEnd(p) {
				eds = append(eds, edit{e.lineEnd(p), content, ""})
			}
		default:
			end, err := e.scalarEnd(v, p, e.indent)
			if err != nil {
				return nil, e.refuse(v, "%v", err)
			}
			eds = append(eds, edit{at, end, text})
		}
	}
	want := normalise(value)
	return e.finish(eds, key, want)
}

// AppendItem returns data with item appended to the list under the
// top-level front matter key. item is anything the YAML library encodes
// (a struct with yaml tags, a map, a string). A flow list ([a, b], [])
// gets the item in flow style before its `]`; a block list gets a block
// item after its last, with the same indentation; a key with no value
// (`key:`, `key: ~`, `key: # comment`) gets a block list below it; an
// absent key is added as SetValue adds one.
func AppendItem(path string, data []byte, key string, item any) ([]byte, error) {
	e, err := newEditor(path, data)
	if err != nil {
		return nil, err
	}
	var n yaml.Node
	if err := n.Encode(item); err != nil {
		return nil, fmt.Errorf("%s: %s: %w: %v", path, key, ErrEditCheck, err)
	}
	if !validText(&n) {
		return nil, fmt.Errorf("%s: the item for %s holds text that is not valid UTF-8: %w", path, key, ErrCannotEdit)
	}
	singleLine(&n)
	var itemValue any
	if err := n.Decode(&itemValue); err != nil {
		return nil, fmt.Errorf("%s: %s: %w: %v", path, key, ErrEditCheck, err)
	}
	k, v, err := e.key(key)
	if err != nil {
		return nil, err
	}
	var old []any
	var eds []edit
	switch {
	case k == nil:
		block, err := encodeBlockItem(&n)
		if err != nil {
			return nil, err
		}
		kt, err := encodeInline(scalarNode(key, 0))
		if err != nil {
			return nil, err
		}
		at := e.insertAt(key)
		eds = append(eds, edit{at, at, e.lines(kt+":\n", e.indent) + e.lines(block, e.indent+2)})
	case v.Kind == yaml.ScalarNode && v.Tag == "!!null" && v.Style&(yaml.LiteralStyle|yaml.FoldedStyle|yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) == 0:
		// `key:`, `key: ~`, `key: null # later`: drop the null and put
		// the list below the key's line.
		colon, err := e.colonEnd(k)
		if err != nil {
			return nil, err
		}
		at := skipBlanks(e.data, colon, e.end)
		if at != e.lineEnd(colon) && e.data[at] != '#' {
			end, err := e.scalarEnd(v, e.propsEnd(at), e.indent)
			if err != nil {
				return nil, e.refuse(v, "%v", err)
			}
			if e.lineOf(end) != e.lineOf(colon) {
				return nil, e.refuse(v, "%s: the null value spans lines; write %s: on a line of its own", key, key)
			}
			for end > colon && (e.data[end-1] == ' ' || e.data[end-1] == '\t') {
				end--
			}
			eds = append(eds, edit{colon, end, ""})
		}
		block, err := encodeBlockItem(&n)
		if err != nil {
			return nil, err
		}
		next := e.nextLine(colon)
		eds = append(eds, edit{next, next, e.lines(block, e.indent+2)})
	case v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle != 0:
		if err := v.Decode(&old); err != nil {
			return nil, e.refuse(v, "%v", err)
		}
		open := e.propsEnd(e.offset(v))
		at, sep, err := e.flowAppendAt(open)
		if err != nil {
			return nil, e.refuse(v, "%s: %v", key, err)
		}
		text, err := encodeFlowItem(&n)
		if err != nil {
			return nil, err
		}
		eds = append(eds, edit{at, at, sep + text})
	case v.Kind == yaml.SequenceNode && len(v.Content) > 0:
		if err := v.Decode(&old); err != nil {
			return nil, e.refuse(v, "%v", err)
		}
		dash := e.offset(v)
		ls := e.lineStart(dash)
		if ls < e.start || strings.Trim(string(e.data[ls:dash]), " ") != "" || e.data[dash] != '-' {
			return nil, e.refuse(v, "%s: cannot find where the list's items start", key)
		}
		end, err := e.nodeEnd(v, dash-ls)
		if err != nil {
			return nil, e.refuse(v, "%s: %v", key, err)
		}
		block, err := encodeBlockItem(&n)
		if err != nil {
			return nil, err
		}
		at := e.nextLine(max(end-1, dash))
		eds = append(eds, edit{at, at, e.lines(block, dash-ls)})
	case v.Kind == yaml.AliasNode:
		return nil, e.refuse(v, "%s is an alias (*%s); write the list instead", key, v.Value)
	default:
		return nil, e.refuse(v, "%s must be a list to append to, not %s", key, kindName(v))
	}
	want := make([]any, 0, len(old)+1)
	want = append(append(want, old...), itemValue)
	return e.finish(eds, key, normalise(want))
}

// editor knows where things are in the bytes of one document.
type editor struct {
	path       string
	data       []byte
	start, end int    // data[start:end] is the YAML text of the front matter
	nl         string // the file's line break: "\n" or "\r\n"
	yamlLines  []int  // yamlLines[i] is the offset of YAML line i (1-based)
	m          *yaml.Node
	indent     int // column of the top-level keys, counted from 0
	old        *Document
	oldDiags   []Diagnostic
}

type edit struct {
	at, end int // data[at:end] is replaced by text
	text    string
}

func newEditor(path string, data []byte) (*editor, error) {
	old, diags := Parse(path, data)
	if old == nil {
		msg := "cannot be read"
		if len(diags) > 0 {
			msg = diags[0].String()
		}
		return nil, fmt.Errorf("%w: %s", ErrCannotEdit, msg)
	}
	if !old.HasFrontMatter {
		return nil, fmt.Errorf("%s has no front matter (a --- line, keys, a --- line) to write in: %w", path, ErrCannotEdit)
	}
	yamlText, _, _, _, closed := SplitFrontMatter(data)
	start := bytes.IndexByte(data, '\n') + 1
	if !closed || start <= 0 || start+len(yamlText) > len(data) || !bytes.Equal(data[start:start+len(yamlText)], yamlText) {
		return nil, fmt.Errorf("%s:1: %w: cannot find the front matter's lines", path, ErrCannotEdit)
	}
	e := &editor{path: path, data: data, start: start, end: start + len(yamlText), nl: "\n", old: old, oldDiags: diags}
	if start >= 2 && data[start-2] == '\r' {
		e.nl = "\r\n"
	}
	var root yaml.Node
	if err := yaml.Unmarshal(yamlText, &root); err != nil || len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:2: %w: the front matter is not a mapping", path, ErrCannotEdit)
	}
	e.m = root.Content[0]
	if e.m.Style&yaml.FlowStyle != 0 {
		return nil, fmt.Errorf("%s:%d: %w: the front matter is one flow mapping {...}; write one key per line", path, e.m.Line+1, ErrCannotEdit)
	}
	e.yamlLines = []int{start, start}
	for i := start; i < e.end; {
		if n := breakLen(data, i, e.end); n > 0 {
			i += n
			e.yamlLines = append(e.yamlLines, i)
			continue
		}
		i++
	}
	if len(e.m.Content) > 0 {
		e.indent = e.offset(e.m.Content[0]) - e.lineStart(e.offset(e.m.Content[0]))
	}
	return e, nil
}

// breakLen is the length of the line break at data[i] (as YAML counts
// them: CRLF, LF, CR, NEL, LS, PS), or 0.
func breakLen(data []byte, i, end int) int {
	switch {
	case data[i] == '\r' && i+1 < end && data[i+1] == '\n':
		return 2
	case data[i] == '\n' || data[i] == '\r':
		return 1
	case data[i] == 0xC2 && i+1 < end && data[i+1] == 0x85:
		return 2
	case data[i] == 0xE2 && i+2 < end && data[i+1] == 0x80 && (data[i+2] == 0xA8 || data[i+2] == 0xA9):
		return 3
	}
	return 0
}

// refuse is a refusal naming the file line of n.
func (e *editor) refuse(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s: %w", e.path, n.Line+1, fmt.Sprintf(format, args...), ErrCannotEdit)
}

// key finds a top-level key; it refuses a key given twice.
func (e *editor) key(name string) (k, v *yaml.Node, err error) {
	for i := 0; i+1 < len(e.m.Content); i += 2 {
		if c := e.m.Content[i]; c.Kind == yaml.ScalarNode && c.Value == name {
			if k != nil {
				return nil, nil, e.refuse(c, "%s appears twice", name)
			}
			k, v = c, e.m.Content[i+1]
		}
	}
	if k != nil && (k.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || e.offset(k) >= e.end) {
		return nil, nil, e.refuse(k, "the key %s is written in a way rmm cannot edit", name)
	}
	return k, v, nil
}

// offset is the byte offset in data of a node's first character (YAML
// counts lines and columns in characters from 1).
func (e *editor) offset(n *yaml.Node) int {
	if n.Line < 1 || n.Line >= len(e.yamlLines) {
		return e.end
	}
	off := e.yamlLines[n.Line]
	for i := 1; i < n.Column && off < e.end; i++ {
		if breakLen(e.data, off, e.end) > 0 {
			break
		}
		_, size := utf8.DecodeRune(e.data[off:e.end])
		off += size
	}
	return off
}

// lineStart is the offset of the start of the line holding off.
func (e *editor) lineStart(off int) int {
	ls := e.start
	for _, s := range e.yamlLines[1:] {
		if s > off {
			break
		}
		ls = s
	}
	return ls
}

// lineOf is the YAML line number holding off.
func (e *editor) lineOf(off int) int {
	l := 1
	for i := 1; i < len(e.yamlLines); i++ {
		if e.yamlLines[i] > off {
			break
		}
		l = i
	}
	return l
}

// lineEnd is the offset of the line break ending the line holding off.
func (e *editor) lineEnd(off int) int {
	for i := off; i < e.end; i++ {
		if breakLen(e.data, i, e.end) > 0 {
			return i
		}
	}
	return e.end
}

// nextLine is the offset of the line after the one holding off.
func (e *editor) nextLine(off int) int {
	le := e.lineEnd(off)
	if le >= e.end {
		return e.end
	}
	return le + breakLen(e.data, le, e.end)
}

func skipBlanks(data []byte, i, end int) int {
	for i < end && (data[i] == ' ' || data[i] == '\t') {
		i++
	}
	return i
}

// colonEnd is the offset just past the `:` that follows the key k.
func (e *editor) colonEnd(k *yaml.Node) (int, error) {
	at := e.offset(k)
	var end int
	switch {
	case k.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		q, err := e.quotedEnd(at)
		if err != nil {
			return 0, e.refuse(k, "%v", err)
		}
		end = skipBlanks(e.data, q, e.end)
	default:
		end = at
		for end < e.end && !(e.data[end] == ':' && (end+1 == e.end || isBlankOrBreak(e.data, end+1, e.end))) {
			if breakLen(e.data, end, e.end) > 0 {
				return 0, e.refuse(k, "cannot find the colon after the key %s", k.Value)
			}
			end++
		}
	}
	if end >= e.end || e.data[end] != ':' {
		return 0, e.refuse(k, "cannot find the colon after the key %s", k.Value)
	}
	return end + 1, nil
}

func isBlankOrBreak(data []byte, i, end int) bool {
	return data[i] == ' ' || data[i] == '\t' || breakLen(data, i, end) > 0
}

// propsEnd skips a node's properties (an anchor &a, a tag !!str) and the
// blanks after them.
func (e *editor) propsEnd(at int) int {
	for at < e.end && (e.data[at] == '&' || e.data[at] == '!') {
		for at < e.end && !isBlankOrBreak(e.data, at, e.end) {
			at++
		}
		at = skipBlanks(e.data, at, e.end)
	}
	return at
}

// quotedEnd is the offset past the closing quote of the scalar whose
// opening quote is at at.
func (e *editor) quotedEnd(at int) (int, error) {
	if at >= e.end {
		return 0, fmt.Errorf("a quoted value is cut short")
	}
	q := e.data[at]
	for i := at + 1; i < e.end; i++ {
		switch {
		case q == '"' && e.data[i] == '\\':
			i++
		case e.data[i] == q && q == '\'' && i+1 < e.end && e.data[i+1] == '\'':
			i++
		case e.data[i] == q:
			return i + 1, nil
		}
	}
	return 0, fmt.Errorf("a quoted value has no closing quote")
}

// scalarEnd is where the text of the scalar n ends; p is where its
// value starts (after properties), parent the indentation of the block
// collection holding it.
func (e *editor) scalarEnd(n *yaml.Node, p, parent int) (int, error) {
	switch {
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		if p >= e.end || (e.data[p] != '"' && e.data[p] != '\'') {
			return 0, fmt.Errorf("cannot find the quote of a value")
		}
		return e.quotedEnd(p)
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		_, content, err := e.blockScalar(p, parent)
		return content, err
	}
	return e.plainEnd(p, parent), nil
}

// plainEnd is the end of a plain scalar starting at p, in block context
// below a collection indented by parent: its first line up to a comment,
// then the lines that continue it (indented deeper, not a comment).
func (e *editor) plainEnd(p, parent int) int {
	q := skipBlanks(e.data, p, e.end)
	le := e.lineEnd(q)
	if q >= le || e.data[q] == '#' {
		return p // nothing: an empty value
	}
	end, cut := e.cutComment(q, le)
	if cut {
		return end
	}
	for i := e.nextLine(q); i < e.end; i = e.nextLine(i) {
		le := e.lineEnd(i)
		ind := i
		for ind < le && e.data[ind] == ' ' {
			ind++
		}
		c := skipBlanks(e.data, ind, le)
		if c >= le {
			continue // a blank line: part of the value only if more follows
		}
		if ind-i <= parent || e.data[c] == '#' {
			break
		}
		var cut bool
		end, cut = e.cutComment(c, le)
		if cut {
			break
		}
	}
	return end
}

// cutComment returns the end of the text from q to le before a comment
// (a # after a blank) and trailing blanks, and whether a comment was met.
func (e *editor) cutComment(q, le int) (int, bool) {
	end, cut := le, false
	for i := q + 1; i < le; i++ {
		if e.data[i] == '#' && (e.data[i-1] == ' ' || e.data[i-1] == '\t') {
			end, cut = i, true
			break
		}
	}
	for end > q && (e.data[end-1] == ' ' || e.data[end-1] == '\t') {
		end--
	}
	return end, cut
}

// blockScalar reads the block scalar whose indicator (| or >) is at p,
// below a collection indented by parent. It returns the end of the
// header's indicators and the end of the last line of content (the
// header's line end when there is none).
func (e *editor) blockScalar(p, parent int) (header, content int, err error) {
	if p >= e.end || (e.data[p] != '|' && e.data[p] != '>') {
		return 0, 0, fmt.Errorf("cannot find the | or > of a block value")
	}
	header = p + 1
	explicit := 0
	for header < e.end && strings.IndexByte("+-0123456789", e.data[header]) >= 0 {
		if c := e.data[header]; c >= '1' && c <= '9' {
			explicit = int(c - '0')
		}
		header++
	}
	content = e.lineEnd(p)
	want := -1
	if explicit > 0 {
		want = parent + explicit
	}
	for i := e.nextLine(p); i < e.end; i = e.nextLine(i) {
		le := e.lineEnd(i)
		ind := i
		for ind < le && e.data[ind] == ' ' {
			ind++
		}
		if skipBlanks(e.data, ind, le) >= le && (want < 0 || ind-i <= want) {
			continue // an empty line
		}
		if want < 0 {
			want = ind - i
			if want <= parent {
				break
			}
		}
		if ind-i < want {
			break
		}
		content = le
	}
	return header, content, nil
}

// nodeEnd is where the text of n ends; parent is the indentation of the
// block collection holding it.
func (e *editor) nodeEnd(n *yaml.Node, parent int) (int, error) {
	at := e.offset(n)
	switch n.Kind {
	case yaml.ScalarNode:
		return e.scalarEnd(n, e.propsEnd(at), parent)
	case yaml.AliasNode:
		i := at + 1
		for i < e.end && !isBlankOrBreak(e.data, i, e.end) && !strings.ContainsRune(",]}", rune(e.data[i])) {
			i++
		}
		return i, nil
	case yaml.SequenceNode, yaml.MappingNode:
		if n.Style&yaml.FlowStyle != 0 {
			closeAt, _, err := e.flowScan(e.propsEnd(at))
			return closeAt + 1, err
		}
		if len(n.Content) == 0 {
			return at, nil
		}
		last := n.Content[len(n.Content)-1]
		ind := at - e.lineStart(at)
		if n.Kind == yaml.MappingNode && len(n.Content) >= 2 && isEmptyNull(last) {
			return e.colonEnd(n.Content[len(n.Content)-2])
		}
		return e.nodeEnd(last, ind)
	}
	return at, nil
}

// flowScan reads the flow collection opened at open. It returns the
// offset of its closing bracket, and the end of the last thing written
// in it before that (a scalar, a nested collection, a comma), or open+1.
func (e *editor) flowScan(open int) (closeAt, last int, err error) {
	if open >= e.end || (e.data[open] != '[' && e.data[open] != '{') {
		return 0, 0, fmt.Errorf("cannot find the opening bracket")
	}
	var stack []byte
	last = open + 1
	prev := byte('[') // the last significant character
	for i := open; i < e.end; i++ {
		c := e.data[i]
		switch {
		case c == '[' || c == '{':
			stack = append(stack, c)
		case c == ']' || c == '}':
			if len(stack) == 0 || (c == ']') != (stack[len(stack)-1] == '[') {
				return 0, 0, fmt.Errorf("unbalanced brackets")
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return i, last, nil
			}
		case (c == '"' || c == '\'') && strings.IndexByte("[{,:?", prev) >= 0:
			q, err := e.quotedEnd(i)
			if err != nil {
				return 0, 0, err
			}
			i = q - 1
		case c == '#' && (e.data[i-1] == ' ' || e.data[i-1] == '\t' || breakLen(e.data, i-1, e.end) > 0):
			i = e.lineEnd(i) - 1
			continue
		case c == ' ' || c == '\t' || breakLen(e.data, i, e.end) > 0:
			continue
		}
		if i > open {
			prev, last = c, i+1
		}
	}
	return 0, 0, fmt.Errorf("the list has no closing ]")
}

// flowAppendAt is where a new item of the flow list opened at open goes,
// with the separator to write before it.
func (e *editor) flowAppendAt(open int) (at int, sep string, err error) {
	closeAt, last, err := e.flowScan(open)
	if err != nil {
		return 0, "", err
	}
	switch {
	case last == open+1:
		return closeAt, "", nil
	case e.data[last-1] == ',':
		return last, " ", nil
	}
	return last, ", ", nil
}

// insertAt is where an absent key goes: before approvals (rmm's record
// stays last), else at the end of the front matter.
func (e *editor) insertAt(key string) int {
	if key != "approvals" {
		if k, _, err := e.key("approvals"); err == nil && k != nil {
			return e.lineStart(e.offset(k))
		}
	}
	return e.end
}

// lines indents text (lines ending in \n) by indent spaces and gives it
// the file's line breaks.
func (e *editor) lines(text string, indent int) string {
	pad := strings.Repeat(" ", indent)
	var b strings.Builder
	for _, l := range strings.SplitAfter(text, "\n") {
		if l == "" {
			continue
		}
		if l != "\n" {
			b.WriteString(pad)
		}
		b.WriteString(strings.TrimSuffix(l, "\n"))
		b.WriteString(e.nl)
	}
	return b.String()
}

// finish applies the edits and reads the result back: the bytes around
// the front matter, every other key, the body and, when the key is not
// covered by it, the fingerprint must be as they were, and key must hold
// want.
func (e *editor) finish(eds []edit, key string, want any) ([]byte, error) {
	var out bytes.Buffer
	prev := 0
	for _, ed := range eds {
		if ed.at < prev || ed.end < ed.at || ed.end > e.end || ed.at < e.start {
			return nil, fmt.Errorf("%s: %s: %w (edits overlap)", e.path, key, ErrEditCheck)
		}
		out.Write(e.data[prev:ed.at])
		out.WriteString(ed.text)
		prev = ed.end
	}
	out.Write(e.data[prev:])
	b := out.Bytes()
	fail := func(why string) error {
		return fmt.Errorf("%s: setting %s: %w (%s); the file was not changed", e.path, key, ErrEditCheck, why)
	}
	if !bytes.HasPrefix(b, e.data[:e.start]) || !bytes.HasSuffix(b, e.data[e.end:]) {
		return nil, fail("bytes outside the front matter changed")
	}
	nd, diags := Parse(e.path, b)
	if nd == nil {
		why := "the result does not parse"
		if len(diags) > 0 {
			why += ": " + diags[0].String()
		}
		return nil, fail(why)
	}
	if !nd.HasFrontMatter || !bytes.Equal(nd.Body, e.old.Body) {
		return nil, fail("the body changed")
	}
	got, ok := nd.Front[key]
	if !ok || !reflect.DeepEqual(normalise(got), want) {
		return nil, fail(fmt.Sprintf("%s reads back as %v", key, got))
	}
	for k, v := range e.old.Front {
		if k == key {
			continue
		}
		nv, ok := nd.Front[k]
		if !ok || !reflect.DeepEqual(normalise(nv), normalise(v)) {
			return nil, fail(k + " changed")
		}
	}
	for k := range nd.Front {
		if _, ok := e.old.Front[k]; !ok && k != key {
			return nil, fail("the key " + k + " appeared")
		}
	}
	if (key == "approvals" || key == "status") && nd.Fingerprint != e.old.Fingerprint {
		return nil, fail("the fingerprint changed")
	}
	if n, o := countErrors(diags), countErrors(e.oldDiags); n > o {
		for _, d := range diags {
			if d.Severity == Error && !containsDiag(e.oldDiags, d) {
				return nil, fail("it would be an error: " + d.Message)
			}
		}
		return nil, fail("it would add an error")
	}
	return b, nil
}

func countErrors(ds []Diagnostic) int {
	n := 0
	for _, d := range ds {
		if d.Severity == Error {
			n++
		}
	}
	return n
}

func containsDiag(ds []Diagnostic, d Diagnostic) bool {
	for _, x := range ds {
		if x.Rule == d.Rule && x.Message == d.Message {
			return true
		}
	}
	return false
}

// isEmptyNull reports whether n is a null written as nothing (`key:`).
func isEmptyNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null" && n.Value == "" &&
		n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	return fmt.Sprintf("the value %q", n.Value)
}

// scalarNode is a string encoded by the YAML library, in quote when it
// is a quoted style (the style of the value it replaces) and YAML allows
// it, else in the style the library chooses.
func scalarNode(s string, quote yaml.Style) *yaml.Node {
	var n yaml.Node
	if err := n.Encode(s); err != nil {
		// A string always encodes; keep a valid node regardless.
		n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
	}
	if quote != 0 {
		n.Style = quote
	}
	singleLine(&n)
	return &n
}

// singleLine makes every scalar below n that holds a line break, or that
// the library would write as a block scalar, double-quoted: a value rmm
// writes stays on one line, where a comment after it is safe.
func singleLine(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && (n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 ||
		strings.ContainsAny(n.Value, "\r\n\u0085\u2028\u2029")) {
		n.Style = yaml.DoubleQuotedStyle
	}
	for _, c := range n.Content {
		singleLine(c)
	}
}

// validText reports whether every scalar below n is text: the library
// writes a string that is not valid UTF-8 as !!binary, which rmm refuses.
func validText(n *yaml.Node) bool {
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!binary" || !utf8.ValidString(n.Value)) {
		return false
	}
	for _, c := range n.Content {
		if !validText(c) {
			return false
		}
	}
	return true
}

// flowStyle makes every collection at or below n a flow collection.
func flowStyle(n *yaml.Node) {
	if n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode {
		n.Style |= yaml.FlowStyle
	}
	for _, c := range n.Content {
		flowStyle(c)
	}
}

// encodeInline writes n with the YAML library, for a place inside a line.
func encodeInline(n *yaml.Node) (string, error) {
	b, err := yaml.Marshal(n)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrEditCheck, err)
	}
	s := strings.TrimSuffix(string(b), "\n")
	if strings.ContainsAny(s, "\r\n\u0085\u2028\u2029") {
		return "", fmt.Errorf("%w: a value would span lines", ErrEditCheck)
	}
	return s, nil
}

// encodeFlowItem writes n as an item of a flow list: written inside
// [...] by the library, so that a plain scalar that would be read
// differently there (a comma, a bracket) is quoted.
func encodeFlowItem(n *yaml.Node) (string, error) {
	flowStyle(n)
	s, err := encodeInline(&yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle, Content: []*yaml.Node{n}})
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(s, "[") || !strings.HasSuffix(s, "]") {
		return "", fmt.Errorf("%w: a flow item is written as %s", ErrEditCheck, s)
	}
	return s[1 : len(s)-1], nil
}

// encodeKeyValue writes `key: value` lines with the YAML library.
func encodeKeyValue(key string, v *yaml.Node) (string, error) {
	m := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{scalarNode(key, 0), v}}
	return encodeBlock(m)
}

// encodeBlockItem writes n as one block list item, `- ...` lines.
func encodeBlockItem(n *yaml.Node) (string, error) {
	return encodeBlock(&yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{n}})
}

func encodeBlock(n *yaml.Node) (string, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return "", fmt.Errorf("%w: %v", ErrEditCheck, err)
	}
	if err := enc.Close(); err != nil {
		return "", fmt.Errorf("%w: %v", ErrEditCheck, err)
	}
	return b.String(), nil
}

// Field is one key of new front matter and its value: a string, a list of
// strings, or anything else the YAML library encodes.
type Field struct {
	Key   string
	Value any
}

// NewFrontMatter writes the front matter of a new document with the YAML
// library: a --- line, one key per field in the order given, a --- line,
// with \n line breaks. Strings holding a line break are double-quoted, so
// every value stays on its key's line. The result is read back: each key
// must hold its value.
func NewFrontMatter(fields ...Field) ([]byte, error) {
	m := &yaml.Node{Kind: yaml.MappingNode}
	want := map[string]any{}
	for _, f := range fields {
		if _, dup := want[f.Key]; dup {
			return nil, fmt.Errorf("%w: the key %s is given twice", ErrEditCheck, f.Key)
		}
		var v yaml.Node
		if err := v.Encode(f.Value); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrEditCheck, f.Key, err)
		}
		if !validText(&v) {
			return nil, fmt.Errorf("the value for %s is not valid UTF-8: %w", f.Key, ErrCannotEdit)
		}
		singleLine(&v)
		var back any
		if err := v.Decode(&back); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrEditCheck, f.Key, err)
		}
		want[f.Key] = normalise(back)
		m.Content = append(m.Content, scalarNode(f.Key, 0), &v)
	}
	text, err := encodeBlock(m)
	if err != nil {
		return nil, err
	}
	out := []byte("---\n" + text + "---\n")
	d, diags := Parse("new.md", out)
	if d == nil || HasErrors(diags) || len(d.Front) != len(want) {
		return nil, fmt.Errorf("%w: new front matter does not read back", ErrEditCheck)
	}
	for k, v := range want {
		if !reflect.DeepEqual(normalise(d.Front[k]), v) {
			return nil, fmt.Errorf("%w: %s reads back as %v", ErrEditCheck, k, d.Front[k])
		}
	}
	return out, nil
}
