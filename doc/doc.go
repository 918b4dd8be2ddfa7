// Package doc is rmm's document model: the front matter of a Markdown
// document with the line of every key, the body's sections and references
// found through goldmark's AST, task-list actions, and the fingerprint that
// approvals carry.
//
// Start with Parse, which turns the bytes of one file into a Document, and
// Load, which walks an fs.FS (the working tree or a git tree, see package
// repo) and returns a Library of every document with the diagnostics met on
// the way. This package imports no other rmm package.
package doc

import (
	"fmt"
	"hash/crc32"
	"regexp"
	"sort"
	"strings"
)

// Kinds of documents, in the order the spec lists them.
var Kinds = []string{"policy", "plan", "process", "standard", "evaluation", "review", "measure", "lesson", "proposal", "training", "note"}

// ProcessAreas are the 26 process area codes of CERT-RMM v1.2.
var ProcessAreas = []string{"ADM", "AM", "COMM", "COMP", "CTRL", "EC", "EF", "EXD", "FRM", "HRM", "ID", "IMC", "KIM", "MA", "MON", "OPD", "OPF", "OTA", "PM", "RISK", "RRD", "RRM", "RTSE", "SC", "TM", "VAR"}

// ProcessAreaNames gives the name of each process area.
var ProcessAreaNames = map[string]string{
	"ADM": "Asset Definition and Management", "AM": "Access Management", "COMM": "Communications",
	"COMP": "Compliance", "CTRL": "Controls Management", "EC": "Environmental Control",
	"EF": "Enterprise Focus", "EXD": "External Dependencies Management", "FRM": "Financial Resource Management",
	"HRM": "Human Resource Management", "ID": "Identity Management", "IMC": "Incident Management and Control",
	"KIM": "Knowledge and Information Management", "MA": "Measurement and Analysis", "MON": "Monitoring",
	"OPD": "Organizational Process Definition", "OPF": "Organizational Process Focus",
	"OTA": "Organizational Training and Awareness", "PM": "People Management", "RISK": "Risk Management",
	"RRD": "Resilience Requirements Development", "RRM": "Resilience Requirements Management",
	"RTSE": "Resilient Technical Solution Engineering", "SC": "Service Continuity",
	"TM": "Technology Management", "VAR": "Vulnerability Analysis and Resolution",
}

// Statuses of controlled documents, and of proposals.
var (
	Statuses         = []string{"draft", "review", "approved", "retired"}
	ProposalStatuses = []string{"proposed", "accepted", "rejected", "implemented"}
	Sensitivities    = []string{"public", "internal", "restricted"}
	Involvements     = []string{"inform", "consult", "approve"}
	Controls         = []string{"baseline", "version"}
	Directions       = []string{"up", "down"}
)

// RequiredSections lists, per kind, the section titles the default templates
// require.
var RequiredSections = map[string][]string{
	"plan": {"Process description", "Standards and requirements", "Objectives",
		"Dependencies", "Resources", "Responsibility and authority", "Training",
		"Controlled work products", "Measurement", "Stakeholders",
		"Monitoring and control", "Objective evaluation", "Management review"},
	"evaluation": {"Scope", "Criteria", "Findings", "Corrective actions"},
	"review":     {"Attendees", "Status reviewed", "Decisions", "Actions"},
	"lesson":     {"What happened", "What we learned", "Recommendation"},
	"training":   {"Skills", "Attendees", "Materials"},
}

// IDPattern is the syntax of a document id.
var IDPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$`)

// Contains reports whether list holds s.
func Contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Severity of a diagnostic.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Diagnostic is one finding about a file: `path:line: severity: message [rule]`.
type Diagnostic struct {
	Path     string   `json:"path"`
	Line     int      `json:"line"`
	Severity Severity `json:"severity"`
	Rule     string   `json:"rule"`
	Message  string   `json:"message"`
}

func (d Diagnostic) String() string {
	loc := d.Path
	if d.Line > 0 {
		loc = fmt.Sprintf("%s:%d", d.Path, d.Line)
	}
	return fmt.Sprintf("%s: %s: %s [%s]", loc, d.Severity, d.Message, d.Rule)
}

// Errorf makes an error diagnostic.
func Errorf(path string, line int, rule, format string, args ...any) Diagnostic {
	return Diagnostic{Path: path, Line: line, Severity: Error, Rule: rule, Message: fmt.Sprintf(format, args...)}
}

// Warnf makes a warning diagnostic.
func Warnf(path string, line int, rule, format string, args ...any) Diagnostic {
	return Diagnostic{Path: path, Line: line, Severity: Warning, Rule: rule, Message: fmt.Sprintf(format, args...)}
}

// SortDiagnostics orders diagnostics by path, line, severity and message, so
// output is stable.
func SortDiagnostics(ds []Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
}

// HasErrors reports whether any diagnostic is an error.
func HasErrors(ds []Diagnostic) bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// IDFromPath derives the id of an uncontrolled note from its path:
// notes/how-to.md becomes NOTES-HOW-TO.
func IDFromPath(path string) string {
	path = strings.TrimSuffix(path, ".md")
	var b strings.Builder
	dash := true
	for _, r := range strings.ToUpper(path) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	id := strings.TrimRight(b.String(), "-")
	if id == "" {
		// No ASCII letter or digit (e.g. 日本語.md): a short hash of the
		// path keeps the id valid and different from other such paths.
		return fmt.Sprintf("N-%08X", crc32.ChecksumIEEE([]byte(path)))
	}
	if id[0] < 'A' || id[0] > 'Z' {
		id = "N-" + id
	}
	return id
}
