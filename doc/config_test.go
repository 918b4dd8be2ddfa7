package doc

import (
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	c, diags := ParseConfig([]byte(`organization: Example Corp
title: PAL
units: [operations, engineering]
roles:
  manager: [dana@example.org]
approvals:
  policy: [manager]
  plan: [owner, manager]
default_sensitivity: internal
ignore: ["drafts/**"]
colour: blue
`))
	if len(diags) != 1 || diags[0].Line != 11 || diags[0].Severity != Warning || !strings.Contains(diags[0].Message, `unknown key "colour"`) {
		t.Fatalf("diags %v, want one warning for colour at line 11", diags)
	}
	if c.Organization != "Example Corp" || len(c.Units) != 2 || c.RequiredRoles("plan")[1] != "manager" || c.Sensitivity() != "internal" {
		t.Errorf("config %+v", c)
	}
	if got := c.RolesOf("DANA@example.org"); len(got) != 1 || got[0] != "manager" {
		t.Errorf("RolesOf = %v", got)
	}
	for p, want := range map[string]bool{"drafts/x.md": true, "drafts/a/b.md": true, "plans/drafts.md": false, "x.md": false} {
		if c.Ignored(p) != want {
			t.Errorf("Ignored(%s) = %v", p, !want)
		}
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		line      int
		msg       string
	}{
		{"no organization", "title: PAL\n", 1, "organization is required"},
		{"empty", "", 1, "must be a mapping"},
		{"a list", "- a\n", 1, "must be a mapping"},
		{"broken", "organization: X\nunits: [a\n", 2, "invalid YAML in rmm.yaml"},
		{"wrong shape", "organization: X\nunits:\n  a: b\n", 3, "units has the wrong shape: cannot unmarshal !!map into []string"},
		{"bad sensitivity", "organization: X\ndefault_sensitivity: secret\n", 2, `"secret" is not one of`},
		{"approval role", "organization: X\napprovals:\n  policy: [boss]\n", 2, `role "boss"`},
		{"approval kind", "organization: X\napprovals:\n  memo: [owner]\n", 2, `unknown kind "memo"`},
		{"ignore pattern", "organization: X\nignore: ['[']\n", 2, "ignore pattern"},
		{"remote images", "organization: X\nremote_images: sometimes\n", 2, "remote_images has the wrong shape: not true or false"},
		{"remote images quoted", "organization: X\nremote_images: 'true'\n", 2, "remote_images has the wrong shape"},
		{"base url relative", "organization: X\nbase_url: pal/\n", 2, `base_url "pal/" is not an absolute http or https URL`},
		{"base url ftp", "organization: X\nbase_url: ftp://pal.example.org/\n", 2, "is not an absolute http or https URL"},
		{"base url no host", "organization: X\n\nbase_url: 'https:///pal/'\n", 3, "has no host"},
		{"base url query", "organization: X\nbase_url: https://pal.example.org/?a=1\n", 2, "must not have a query or fragment"},
		{"base url user", "organization: X\nbase_url: https://me:pw@pal.example.org/\n", 2, "must not carry a user name or password"},
		{"base url list", "organization: X\nbase_url: [a]\n", 2, "base_url has the wrong shape: not a URL"},
		{"base url broken", "organization: X\nbase_url: 'https://pal example.org/'\n", 2, "is not a URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := ParseConfig([]byte(tc.src))
			for _, d := range diags {
				if d.Path == ConfigFile && d.Line == tc.line && d.Severity == Error && strings.Contains(d.Message, tc.msg) {
					return
				}
			}
			t.Errorf("diags %v, want rmm.yaml:%d %q", diags, tc.line, tc.msg)
		})
	}
}

func TestConfigBaseURL(t *testing.T) {
	for src, want := range map[string]string{
		"https://pal.example.org":       "https://pal.example.org/",
		"https://pal.example.org/":      "https://pal.example.org/",
		"http://intranet:8080/pal/docs": "http://intranet:8080/pal/docs/",
	} {
		c, diags := ParseConfig([]byte("organization: X\nbase_url: " + src + "\n"))
		if len(diags) != 0 || c.BaseURL != want {
			t.Errorf("base_url %s: got %q, diags %v; want %q", src, c.BaseURL, diags, want)
		}
	}
	if c, _ := ParseConfig([]byte("organization: X\n")); c.BaseURL != "" {
		t.Error("base_url set by default")
	}
}

func TestConfigRemoteImages(t *testing.T) {
	c, diags := ParseConfig([]byte("organization: X\nremote_images: true\n"))
	if len(diags) != 0 || !c.RemoteImages || c.Lines["remote_images"] != 2 {
		t.Errorf("config %+v, diags %v", c, diags)
	}
	if c, _ := ParseConfig([]byte("organization: X\n")); c.RemoteImages {
		t.Error("remote images are on by default")
	}
}

func TestConfigOrganizationOfWrongShape(t *testing.T) {
	_, diags := ParseConfig([]byte("organization: [a, b]\n"))
	if len(diags) != 1 || diags[0].String() != "rmm.yaml:1: error: organization has the wrong shape: cannot unmarshal !!seq into string [config]" {
		t.Errorf("diags %v", diags)
	}
}
