package doc

import (
	"fmt"
	"strings"
	"unicode"
)

// CheckEmail reports why s cannot be a person's email in rmm's records
// (approvals, owners, taggers), or nil: it must be one word with one @
// between a non-empty local part and domain, and hold none of the bytes
// git refuses in an identity (<, >, a line break) nor any space or control
// character.
func CheckEmail(s string) error {
	if s == "" {
		return fmt.Errorf("an email is needed")
	}
	for _, r := range s {
		if r == '<' || r == '>' || unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("email %q holds %q, which git does not allow in an identity", s, r)
		}
	}
	at := strings.IndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.Count(s, "@") != 1 {
		return fmt.Errorf("%q is not an email (name@domain)", s)
	}
	return nil
}

// ParseIdent reads an identity written as git writes one, "Name <email>",
// with the rules git fsck applies to tags and commits: a non-empty name
// without <, > or a line break, one space, then an email in angle
// brackets (see CheckEmail), and nothing after it.
func ParseIdent(s string) (name, email string, err error) {
	lt := strings.IndexByte(s, '<')
	if lt < 0 || !strings.HasSuffix(s, ">") {
		return "", "", fmt.Errorf("identity %q is not \"Name <email>\"", s)
	}
	name = strings.TrimSpace(s[:lt])
	email = s[lt+1 : len(s)-1]
	if name == "" {
		return "", "", fmt.Errorf("identity %q has no name before <email>", s)
	}
	if strings.ContainsAny(s[:lt], "<>\n\r\x00") {
		return "", "", fmt.Errorf("identity %q: the name holds <, > or a line break, which git fsck refuses", s)
	}
	if err := CheckEmail(email); err != nil {
		return "", "", fmt.Errorf("identity %q: %v", s, err)
	}
	return name, email, nil
}
