package doc

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// Fingerprint computes the fingerprint of a document, the value an approval
// records and `rmm check` compares:
//
//	sha256( "rmm-fingerprint-v1\n" + M + "\n" + B )
//
// where M is the front matter without the keys `approvals` and `status`,
// encoded as JSON with object keys sorted (encoding/json sorts map keys; YAML
// quoting, indentation, flow or block style and key order leave no trace),
// and B is the body with CRLF and CR turned into LF, trailing white space
// removed from every line and trailing blank lines removed. An unquoted
// date (which YAML reads as a timestamp) is written as it would be quoted:
// 2026-03-31. The result is the lowercase hex digest.
//
// Reformatting the YAML does not change the fingerprint; editing a word of
// the body or the value of any covered key does.
func Fingerprint(front map[string]any, body []byte) string {
	return hex.EncodeToString(fingerprintSum(front, body))
}

func fingerprintSum(front map[string]any, body []byte) []byte {
	covered := make(map[string]any, len(front))
	for k, v := range front {
		if k == "approvals" || k == "status" {
			continue
		}
		covered[k] = normalise(v)
	}
	meta, err := json.Marshal(covered)
	if err != nil {
		// Values decoded from YAML always marshal; keep a stable fallback.
		meta = []byte("{}")
	}
	h := sha256.New()
	h.Write([]byte("rmm-fingerprint-v1\n"))
	h.Write(meta)
	h.Write([]byte("\n"))
	h.Write(appendNormalisedBody(make([]byte, 0, len(body)), body))
	return h.Sum(nil)
}

// NormaliseBody applies the body rules of the fingerprint.
func NormaliseBody(body []byte) string {
	return string(appendNormalisedBody(make([]byte, 0, len(body)), body))
}

// appendNormalisedBody appends body to dst with CRLF and CR turned into LF,
// trailing white space (space, tab, form feed, vertical tab) cut from every
// line and trailing newlines cut, in one pass.
func appendNormalisedBody(dst, body []byte) []byte {
	start := len(dst)
	for len(body) > 0 {
		end := bytes.IndexByte(body, '\n')
		if end < 0 {
			end = len(body)
		}
		if cr := bytes.IndexByte(body[:end], '\r'); cr >= 0 {
			end = cr
		}
		dst = append(dst, bytes.TrimRight(body[:end], " \t\f\v")...)
		if end == len(body) {
			break
		}
		dst = append(dst, '\n')
		if body[end] == '\r' && end+1 < len(body) && body[end+1] == '\n' {
			end++
		}
		body = body[end+1:]
	}
	for len(dst) > start && dst[len(dst)-1] == '\n' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// normalise turns YAML values into values encoding/json accepts with one
// spelling: maps with non-string keys get string keys.
func normalise(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = normalise(e)
		}
		return m
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[jsonKey(k)] = normalise(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = normalise(e)
		}
		return l
	case time.Time:
		// yaml.v3 decodes an unquoted 2026-03-31 as a time; quoting it is
		// formatting, so both spell the same: the date alone at midnight
		// UTC, else RFC 3339.
		if x.Equal(time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC)) {
			return x.Format("2006-01-02")
		}
		return x.Format(time.RFC3339Nano)
	case float64:
		// .inf and .nan have no JSON spelling; without this the whole
		// front matter would fail to marshal.
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
	}
	return v
}

func jsonKey(k any) string {
	b, err := json.Marshal(k)
	if err != nil {
		return ""
	}
	return strings.Trim(string(b), `"`)
}
