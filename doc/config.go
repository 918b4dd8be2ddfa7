package doc

import (
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ConfigFile is the name of the file that marks a library's root.
const ConfigFile = "rmm.yaml"

// Config is rmm.yaml.
type Config struct {
	Organization       string              `yaml:"organization" json:"organization"`
	Title              string              `yaml:"title" json:"title"`
	Units              []string            `yaml:"units" json:"units"`
	Roles              map[string][]string `yaml:"roles" json:"roles"`
	Approvals          map[string][]string `yaml:"approvals" json:"approvals"`
	DefaultSensitivity string              `yaml:"default_sensitivity" json:"default_sensitivity"`
	Ignore             []string            `yaml:"ignore" json:"ignore"`
	// RemoteImages lets the site load images from http and https URLs;
	// by default they are links (a page opened from a file should fetch
	// nothing from the network, and an image can tell a server who reads).
	RemoteImages bool `yaml:"remote_images" json:"remote_images"`
	// BaseURL is where the site is published (an absolute http or https
	// URL, ending in a slash once parsed): feed.xml's links are absolute
	// with it, and sitemap.xml is written only when it is set.
	BaseURL string `yaml:"base_url" json:"base_url,omitempty"`

	// Lines gives the line of each top-level key.
	Lines map[string]int `yaml:"-" json:"-"`
}

var configKeys = []string{"organization", "title", "units", "roles", "approvals", "default_sensitivity", "ignore", "remote_images", "base_url"}

// ParseConfig reads rmm.yaml. Errors and warnings name rmm.yaml and a line.
func ParseConfig(data []byte) (*Config, []Diagnostic) {
	c := &Config{Lines: map[string]int{}}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		d := yamlError(ConfigFile, data, 0, err)
		d.Message = strings.Replace(d.Message, "front matter", "in rmm.yaml", 1)
		return nil, []Diagnostic{d}
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, []Diagnostic{Errorf(ConfigFile, 1, "config", "rmm.yaml must be a mapping with at least `organization`")}
	}
	m := root.Content[0]
	var diags []Diagnostic
	wrong := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		c.Lines[k.Value] = k.Line
		if !Contains(configKeys, k.Value) {
			diags = append(diags, Warnf(ConfigFile, k.Line, "config", "unknown key %q (known: %s)", k.Value, strings.Join(configKeys, ", ")))
			continue
		}
		var err error
		switch k.Value {
		case "organization":
			err = v.Decode(&c.Organization)
		case "title":
			err = v.Decode(&c.Title)
		case "units":
			err = v.Decode(&c.Units)
		case "roles":
			err = v.Decode(&c.Roles)
		case "approvals":
			err = v.Decode(&c.Approvals)
		case "default_sensitivity":
			err = v.Decode(&c.DefaultSensitivity)
		case "ignore":
			err = v.Decode(&c.Ignore)
		case "base_url":
			if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
				err = errors.New("not a URL")
			} else {
				err = v.Decode(&c.BaseURL)
			}
		case "remote_images":
			if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" {
				err = errors.New("not true or false")
			} else {
				err = v.Decode(&c.RemoteImages)
			}
		}
		if err != nil {
			diags = append(diags, Errorf(ConfigFile, v.Line, "config", "%s has the wrong shape: %s", k.Value, decodeMessage(err)))
			wrong[k.Value] = true
		}
	}
	if strings.TrimSpace(c.Organization) == "" && !wrong["organization"] {
		diags = append(diags, Errorf(ConfigFile, 1, "config", "organization is required"))
	}
	if c.DefaultSensitivity != "" && !Contains(Sensitivities, c.DefaultSensitivity) {
		diags = append(diags, Errorf(ConfigFile, c.Lines["default_sensitivity"], "config", "default_sensitivity %q is not one of %s", c.DefaultSensitivity, strings.Join(Sensitivities, ", ")))
	}
	if c.BaseURL != "" {
		if u, msg := checkBaseURL(c.BaseURL); msg != "" {
			diags = append(diags, Errorf(ConfigFile, c.Lines["base_url"], "config", "base_url %q %s", c.BaseURL, msg))
			c.BaseURL = ""
		} else {
			c.BaseURL = u
		}
	}
	for kind := range c.Approvals {
		if !Contains(Kinds, kind) {
			diags = append(diags, Errorf(ConfigFile, c.Lines["approvals"], "config", "approvals names unknown kind %q", kind))
		}
		for _, role := range c.Approvals[kind] {
			if _, ok := c.Roles[role]; !ok && role != "owner" {
				diags = append(diags, Errorf(ConfigFile, c.Lines["approvals"], "config", "approvals for %s names role %q, which roles does not define", kind, role))
			}
		}
	}
	for _, pat := range c.Ignore {
		if _, err := matchGlob(pat, "x"); err != nil {
			diags = append(diags, Errorf(ConfigFile, c.Lines["ignore"], "config", "ignore pattern %q: %v", pat, err))
		}
	}
	SortDiagnostics(diags)
	return c, diags
}

// checkBaseURL accepts an absolute http or https URL with a host and no
// query, fragment or user; it returns the URL ending in a slash, or what
// is wrong with it.
func checkBaseURL(s string) (string, string) {
	if len(s) > 2048 {
		return "", "is longer than 2048 bytes"
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "", "is not a URL: " + strings.TrimPrefix(err.Error(), "parse "+strconv.Quote(s)+": ")
	case u.Scheme != "http" && u.Scheme != "https":
		return "", "is not an absolute http or https URL (like https://pal.example.org/)"
	case u.Host == "" || u.Opaque != "":
		return "", "has no host (like https://pal.example.org/)"
	case u.User != nil:
		return "", "must not carry a user name or password"
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery || strings.Contains(s, "#"):
		return "", "must not have a query or fragment"
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		u.RawPath = ""
	}
	return u.String(), ""
}

// decodeMessage shortens a yaml.v3 decoding error ("yaml: unmarshal
// errors:\n  line 3: cannot unmarshal !!seq into string") to its first
// finding, without the line the diagnostic carries already.
func decodeMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:")
	msg = strings.TrimSpace(msg)
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if m := yamlLineRe.FindStringIndex(msg); m != nil && m[0] == 0 {
		msg = msg[m[1]:]
	}
	return msg
}

// Sensitivity returns the default sensitivity (internal unless set).
func (c *Config) Sensitivity() string {
	if c.DefaultSensitivity != "" {
		return c.DefaultSensitivity
	}
	return "internal"
}

// RolesOf lists the rmm.yaml roles held by email, sorted.
func (c *Config) RolesOf(email string) []string {
	var roles []string
	for role, people := range c.Roles {
		for _, p := range people {
			if strings.EqualFold(p, email) {
				roles = append(roles, role)
				break
			}
		}
	}
	sort.Strings(roles)
	return roles
}

// RequiredRoles lists the roles that must approve a document of kind.
func (c *Config) RequiredRoles(kind string) []string {
	return c.Approvals[kind]
}

// Ignored reports whether a path matches an ignore pattern.
func (c *Config) Ignored(p string) bool {
	for _, pat := range c.Ignore {
		if ok, _ := matchGlob(pat, p); ok {
			return true
		}
	}
	return false
}
