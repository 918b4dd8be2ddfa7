package check

// Deviations from plan (GG2.GP8 subpractices 4 to 7): a measure whose
// latest value misses its target, or whose data is older than its period,
// and the corrective actions that answer it.

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rmm-pal/rmm/doc"
)

// DefaultPeriod is how old a measure's latest data may be when it sets no
// `period`.
const DefaultPeriod = "3mo"

// Kinds of deviation.
const (
	OffTarget = "off-target" // the latest value misses the target
	Stale     = "stale"      // the latest value is older than the period
	NoData    = "no-data"    // the measure has no data at all
)

// MeasureState is what a measure's data says now.
type MeasureState struct {
	Measure *doc.Document
	Period  string    // the measure's period, or DefaultPeriod
	Latest  doc.Point // the point with the latest date (zero without data)
	HasData bool
	// Fresh: the latest point is no older than the period.
	Fresh bool
	// StaleSince is when the data went stale (latest date + period).
	StaleSince time.Time
	// OnTarget: the latest value meets the target (direction up: at least
	// it; down: at most it). False without a target or data.
	OnTarget bool
	// MissSince is the date of the first point of the run of misses that
	// ends with the latest point ("" when on target).
	MissSince string
}

// Points reads a measure's data as the site charts it: the CSV file named
// by `data:` (beside the document), else the first table of its body.
// Rows whose date cannot be read are left out.
func (c *Context) Points(d *doc.Document) []doc.Point {
	var pts []doc.Point
	if d.Data != "" {
		p := path.Join(path.Dir(d.Path), d.Data)
		if c.Snap == nil || c.Snap.FS == nil {
			return nil
		}
		b, err := fs.ReadFile(c.Snap.FS, p)
		if err != nil {
			return nil
		}
		pts, _ = doc.MeasureData(d, p, b)
	} else {
		pts, _ = doc.MeasureData(d, "", nil)
	}
	out := make([]doc.Point, 0, len(pts))
	for _, p := range pts {
		if !ParseDay(p.Date).IsZero() {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out
}

// Measure tells what d's data says at c.Now.
func (c *Context) Measure(d *doc.Document) MeasureState {
	st := MeasureState{Measure: d, Period: d.Period}
	if st.Period == "" {
		st.Period = DefaultPeriod
	}
	p, err := ParsePeriod(st.Period)
	if err != nil {
		st.Period = DefaultPeriod
		p, _ = ParsePeriod(DefaultPeriod)
	}
	pts := c.Points(d)
	if len(pts) == 0 {
		return st
	}
	st.HasData = true
	st.Latest = pts[len(pts)-1]
	st.StaleSince = p.After(ParseDay(st.Latest.Date))
	st.Fresh = !c.Now.After(st.StaleSince)
	if d.Target == nil {
		return st
	}
	miss := func(v float64) bool {
		if d.Direction == "down" {
			return v > *d.Target
		}
		return v < *d.Target
	}
	st.OnTarget = !miss(st.Latest.Value)
	for i := len(pts) - 1; i >= 0 && miss(pts[i].Value); i-- {
		st.MissSince = pts[i].Date
	}
	return st
}

// Reference is a corrective action or lesson that refers to a measure: an
// action (task-list item) whose text holds [[ID]], or a lesson whose
// `affects` names it.
type Reference struct {
	Document string `json:"document"`
	Path     string `json:"path"`
	Line     int    `json:"line"`
	Kind     string `json:"kind"` // "action" or "lesson"
	Text     string `json:"text"` // the action's text, or the lesson's title
	Owner    string `json:"owner,omitempty"`
	Due      string `json:"due,omitempty"`
	Done     bool   `json:"done"`
}

// Deviation is a measure off target or with stale data, and what answers
// it.
type Deviation struct {
	Measure     string  `json:"measure"`
	Path        string  `json:"path"`
	ProcessArea string  `json:"process_area"`
	Kind        string  `json:"kind"` // OffTarget, Stale or NoData
	Date        string  `json:"date"` // of the latest point ("" without data)
	Value       float64 `json:"value"`
	// Target and Direction are the measure's ("" direction: up).
	Target    *float64 `json:"target"`
	Direction string   `json:"direction"`
	Period    string   `json:"period"`
	// Since is when the deviation began: the first point of the run of
	// misses, or the day the data went stale.
	Since string `json:"since"`
	// Corrective lists the actions and lessons that refer to the measure;
	// a deviation without one is a warning of check, and leaves GG2.GP8
	// unmet.
	Corrective []Reference `json:"corrective_actions"`
	// Line is where check reports it in the measure.
	Line int `json:"-"`
}

// Describe says what the deviation is, for people.
func (v Deviation) Describe() string {
	dir := v.Direction
	if dir == "" {
		dir = "up"
	}
	switch v.Kind {
	case OffTarget:
		return fmt.Sprintf("off target: the latest value, %s on %s, misses the target %s (%s is better)", num(v.Value), v.Date, num(*v.Target), dir)
	case Stale:
		return fmt.Sprintf("stale: its latest value is of %s, older than its period %s (stale since %s)", v.Date, v.Period, v.Since)
	}
	return "without data"
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Deviations lists the deviations of every current (not retired) measure
// of the library, by measure id, each with the actions and lessons that
// refer to it. A measure both stale and off target has both.
func (c *Context) Deviations() []Deviation {
	refs := c.measureRefs()
	out := []Deviation{}
	for _, d := range c.Lib.Docs {
		if d.Kind != "measure" || !d.HasFrontMatter || d.EffectiveStatus() == "retired" || d.ID == "" || c.Lib.ByID[d.ID] != d {
			continue
		}
		st := c.Measure(d)
		base := Deviation{Measure: d.ID, Path: d.Path, ProcessArea: d.ProcessArea, Target: d.Target, Direction: d.Direction,
			Period: st.Period, Corrective: refs[d.ID], Date: st.Latest.Date, Value: st.Latest.Value}
		if base.Corrective == nil {
			base.Corrective = []Reference{}
		}
		// Where check reports a stale measure: its period, its data file,
		// the latest row of its table, else its target.
		line := func() int {
			for _, k := range []string{"period", "data"} {
				if l, ok := d.Lines[k]; ok {
					return l
				}
			}
			if st.HasData && d.Data == "" && st.Latest.Line > 0 {
				return st.Latest.Line
			}
			return d.Line("target")
		}
		if !st.HasData {
			v := base
			v.Kind, v.Line = NoData, line()
			out = append(out, v)
			continue
		}
		if !st.Fresh {
			v := base
			v.Kind, v.Since, v.Line = Stale, st.StaleSince.Format("2006-01-02"), line()
			out = append(out, v)
		}
		if d.Target != nil && !st.OnTarget {
			v := base
			v.Kind, v.Since, v.Line = OffTarget, st.MissSince, d.Line("target")
			out = append(out, v)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Measure < out[j].Measure })
	return out
}

// measureRefs finds, once, the actions and lessons of current documents
// that refer to each measure.
func (c *Context) measureRefs() map[string][]Reference {
	out := map[string][]Reference{}
	for _, d := range c.Lib.Docs {
		if d.EffectiveStatus() == "retired" {
			continue
		}
		for _, a := range d.Actions {
			if !strings.Contains(a.Text, "[[") {
				continue
			}
			for _, id := range wikiIDs(a.Text) {
				if m := c.Lib.ByID[id]; m != nil && m.Kind == "measure" {
					out[id] = append(out[id], Reference{Document: d.ID, Path: d.Path, Line: a.Line, Kind: "action", Text: a.Text, Owner: a.Owner, Due: a.Due, Done: a.Done})
				}
			}
		}
		if d.Kind == "lesson" {
			for _, id := range d.Affects {
				if m := c.Lib.ByID[id]; m != nil && m.Kind == "measure" {
					out[id] = append(out[id], Reference{Document: d.ID, Path: d.Path, Line: d.Line("affects"), Kind: "lesson", Text: d.Title})
				}
			}
		}
	}
	return out
}

// wikiIDs lists the ids of the [[ID]] references in s, each once.
func wikiIDs(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "[[")
		if i < 0 {
			return out
		}
		s = s[i+2:]
		j := strings.Index(s, "]]")
		if j < 0 {
			return out
		}
		id := strings.TrimSpace(s[:j])
		if k := strings.IndexByte(id, '|'); k >= 0 {
			id = strings.TrimSpace(id[:k])
		}
		if !doc.Contains(out, id) {
			out = append(out, id)
		}
		s = s[j+2:]
	}
}

// deviations (warning deviation): a measure off target, with stale data
// or none, that no corrective action or lesson refers to.
func deviations(c *Context) []doc.Diagnostic {
	var ds []doc.Diagnostic
	for _, v := range c.Deviations() {
		if len(v.Corrective) > 0 {
			continue
		}
		ds = append(ds, doc.Warnf(v.Path, v.Line, "deviation", "%s is %s, and no corrective action refers to it: add an action naming [[%s]] (- [ ] what (@owner, due DATE)), or a lesson that affects it (GG2.GP8)", v.Measure, v.Describe(), v.Measure))
	}
	return ds
}
