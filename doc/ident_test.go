package doc

import "testing"

func TestParseIdent(t *testing.T) {
	for _, c := range []struct {
		in, name, email string
		ok              bool
	}{
		{"Ann Example <ann@example.org>", "Ann Example", "ann@example.org", true},
		{"  Ann <ann@example.org>", "Ann", "ann@example.org", true},
		{"A <b> <a@x>", "", "", false}, // git fsck: missingSpaceBeforeDate
		{"<a@x>", "", "", false},
		{"Ann a@x", "", "", false},
		{"Ann <a@x> trailing", "", "", false},
		{"Ann <a x@y>", "", "", false},
		{"Ann\n <a@x>", "", "", false},
		{"Ann <ax>", "", "", false},
	} {
		name, email, err := ParseIdent(c.in)
		if (err == nil) != c.ok || name != c.name || email != c.email {
			t.Errorf("ParseIdent(%q) = %q, %q, %v", c.in, name, email, err)
		}
	}
}

func TestCheckEmail(t *testing.T) {
	for s, ok := range map[string]bool{
		"a@example.org": true, "a.b+c@x": true,
		"": false, "a": false, "@x": false, "a@": false, "a@@x": false, "a@b@c": false,
		"a b@x": false, "<a@x>": false, "a@x\n": false, "a\x00@x": false,
	} {
		if err := CheckEmail(s); (err == nil) != ok {
			t.Errorf("CheckEmail(%q) = %v", s, err)
		}
	}
}
