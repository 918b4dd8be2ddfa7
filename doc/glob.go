package doc

import (
	"path"
	"strings"
)

// matchGlob matches a slash path against a pattern in which `**` stands for
// any number of folders (including none) and every other segment follows
// path.Match. A pattern that names a folder also matches what is inside it.
func matchGlob(pattern, name string) (bool, error) {
	pattern = strings.Trim(pattern, "/")
	if _, err := path.Match(strings.ReplaceAll(pattern, "**", "*"), ""); err != nil {
		return false, err
	}
	return matchSegs(strings.Split(pattern, "/"), strings.Split(name, "/")), nil
}

func matchSegs(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			if len(pat) == 1 {
				return true
			}
			for i := 0; i <= len(name); i++ {
				if matchSegs(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	// A pattern that matched a folder matches everything below it.
	return true
}
