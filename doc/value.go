package doc

import "encoding/json"

// CanonicalJSON is a front matter value as the fingerprint sees it:
// normalised (a date as 2026-03-31, maps with string keys) and encoded as
// compact JSON with sorted keys. Two values with the same CanonicalJSON
// are the same to the fingerprint; redlines show changed keys with it.
func CanonicalJSON(v any) string {
	b, err := json.Marshal(normalise(v))
	if err != nil {
		return "null"
	}
	return string(b)
}
