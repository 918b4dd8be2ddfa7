package tailor

import (
	"bytes"
	"fmt"

	"github.com/rmm-pal/rmm/doc"
)

// SetBase returns data (the bytes d was parsed from) with the value of the front matter's base: line set
// to commit, and the old value. Every other byte is kept: the key, the
// quotes around the value if any, a trailing comment, the line ending. A
// file with no base: line gets one before the closing ---.
func SetBase(data []byte, d *doc.Document, commit string) ([]byte, string, error) {
	lines := bytes.SplitAfter(data, []byte("\n"))
	n, ok := d.Lines["base"]
	if !ok {
		if d.FrontEnd < 2 || d.FrontEnd > len(lines) {
			return nil, "", fmt.Errorf("no front matter to put base in")
		}
		nl := "\n"
		if bytes.HasSuffix(lines[0], []byte("\r\n")) {
			nl = "\r\n"
		}
		var out bytes.Buffer
		for i, l := range lines {
			if i == d.FrontEnd-1 {
				out.WriteString("base: " + commit + nl)
			}
			out.Write(l)
		}
		return out.Bytes(), "", nil
	}
	if n < 1 || n > len(lines) {
		return nil, "", fmt.Errorf("base: is on line %d, past the end of the file", n)
	}
	line := lines[n-1]
	k := bytes.Index(line, []byte("base:"))
	if k < 0 {
		return nil, "", fmt.Errorf("line %d does not hold base:", n)
	}
	i := k + len("base:")
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	end := len(bytes.TrimRight(line, "\r\n"))
	rest := line[i:end]
	var value []byte
	var quote byte
	if len(rest) > 0 && (rest[0] == '"' || rest[0] == '\'') {
		quote = rest[0]
		j := bytes.IndexByte(rest[1:], quote)
		if j < 0 {
			return nil, "", fmt.Errorf("line %d: the value of base: is not closed", n)
		}
		value = rest[:j+2]
	} else {
		j := bytes.Index(rest, []byte(" #"))
		if j < 0 {
			j = bytes.Index(rest, []byte("\t#"))
		}
		if j < 0 {
			j = len(rest)
		}
		value = bytes.TrimRight(rest[:j], " \t")
	}
	if len(value) > 0 && (value[0] == '|' || value[0] == '>') {
		return nil, "", fmt.Errorf("line %d: write base: as a plain value on one line", n)
	}
	repl := commit
	if i == k+len("base:") {
		repl = " " + repl // "base:" with no value yet
	}
	if quote != 0 {
		repl = string(quote) + commit + string(quote) // quotes never touch the key
	}
	var out bytes.Buffer
	for j, l := range lines {
		if j != n-1 {
			out.Write(l)
			continue
		}
		out.Write(line[:i])
		out.WriteString(repl)
		out.Write(line[i+len(value):])
	}
	return out.Bytes(), d.Base, nil
}
