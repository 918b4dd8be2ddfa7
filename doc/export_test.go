package doc

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/rmm-pal/rmm/store"
)

// ParseCacheFile and ParseCacheVersion name the parse cache for tests.
const (
	ParseCacheFile    = cacheFile
	ParseCacheKind    = cacheKind
	ParseCacheVersion = cacheVersion
)

// ForgeParseCache writes a parse cache into dir that starts with header
// and whose entries are keyed the way this binary keys each .md file of
// files, but hold the parse of decoy(content) instead: a reader that
// trusts the header would show the decoys.
func ForgeParseCache(dir string, header []byte, files map[string]string, decoy func(string) string) error {
	c := &parseCache{prefix: store.Prefix(cacheKind, cacheVersion)}
	w := writer{b: bytes.Clone(header)}
	for p, data := range files {
		if !strings.HasSuffix(p, ".md") {
			continue
		}
		d, diags := Parse(p, []byte(decoy(data)))
		if d != nil {
			d.parseDiags = diags
		}
		var e writer
		if e.parse(d, diags) != nil {
			continue
		}
		k := c.key(p, []byte(data))
		w.b = append(w.b, k[:]...)
		w.uvarint(0)
		w.uvarint(uint64(len(e.b)))
		w.b = append(w.b, e.b...)
	}
	return store.WriteCache(filepath.Join(dir, cacheFile), store.Seal(w.b))
}
