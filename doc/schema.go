package doc

import (
	"sort"
	"strings"
)

type obj = map[string]any

// schemaKeys describes each front matter key; frontMatterSchema fails
// loudly (a test checks it) when KnownKeys names a key missing here.
func schemaKeys() map[string]obj {
	str := func(desc string) obj { return obj{"type": "string", "description": desc} }
	enum := func(desc string, values []string) obj {
		return obj{"type": "string", "enum": values, "description": desc}
	}
	idRef := obj{"$ref": "#/$defs/id"}
	ids := func(desc string) obj {
		return obj{"description": desc, "anyOf": []any{idRef, obj{"type": "array", "items": idRef}}}
	}
	email := func(desc string) obj { return obj{"$ref": "#/$defs/email", "description": desc} }
	areas := make([]string, 0, len(ProcessAreas))
	for _, a := range ProcessAreas {
		areas = append(areas, a+" "+ProcessAreaNames[a])
	}
	statuses := append(append([]string{}, Statuses...), ProposalStatuses...)
	return map[string]obj{
		"id":           {"$ref": "#/$defs/id", "description": "Unique id of the document, e.g. IMC-PLAN."},
		"kind":         enum("Kind of document.", Kinds),
		"title":        {"type": "string", "minLength": 1, "description": "Title of the document."},
		"owner":        email("Email of the owner, who has authority over the document (required for every kind but note and lesson)."),
		"status":       enum("Status: "+strings.Join(Statuses, ", ")+" (default draft); proposals: "+strings.Join(ProposalStatuses, ", ")+". Set by rmm approve.", statuses),
		"process_area": enum("CERT-RMM process area: "+strings.Join(areas, "; ")+".", ProcessAreas),
		"unit":         str("Organizational unit, one of rmm.yaml units."),
		"sensitivity":  enum("Who may read it once published.", Sensitivities),
		"control":      enum("baseline: formal configuration management (default for policy, plan, standard, process); version: version control only.", Controls),
		"review_every": {"type": "string", "pattern": `^\s*[0-9]+(d|w|mo|m|y)\s*$`, "description": "Review period such as 90d, 2w, 6mo or 1y; overdue that long after the last approval or review."},
		"stakeholders": {"type": "array", "description": "Stakeholders (GG2.GP7).", "items": obj{
			"type": "object", "required": []string{"who", "involvement"},
			"properties": obj{
				"who":         str("Who: an email."),
				"role":        str("Their role towards the document."),
				"involvement": enum("How they are involved.", Involvements),
			},
		}},
		"approvals": {"type": "array", "description": "Written by rmm approve, never by hand.", "items": obj{
			"type": "object", "required": []string{"by", "role", "date", "fingerprint"},
			"properties": obj{
				"by": email("Approver."), "role": str("Role approved as."), "date": str("When (RFC 3339)."),
				"meaning": str("What the approval means."), "fingerprint": obj{"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "Fingerprint of the document approved."},
			},
		}},
		"superseded_by":  {"$ref": "#/$defs/id", "description": "Id of the document that replaces this retired one."},
		"tags":           {"description": "Words for the library's indexes.", "anyOf": []any{obj{"type": "string"}, obj{"type": "array", "items": obj{"type": "string"}}}},
		"tailors":        {"$ref": "#/$defs/id", "description": "Defined process: id of the standard process it tailors."},
		"base":           str("Defined process: the commit of the standard it was tailored against."),
		"evaluates":      ids("Evaluation: ids of what is evaluated."),
		"evaluator":      email("Evaluation: email of the independent evaluator."),
		"date":           {"type": "string", "format": "date", "description": "Evaluation, review or training record: its date, YYYY-MM-DD."},
		"covers":         ids("Review: ids of the documents reviewed; training record: ids of the documents the training was on."),
		"target":         {"type": "number", "description": "Measure: the target value."},
		"measure_unit":   str("Measure: unit of the values."),
		"direction":      enum("Measure: which way is better.", Directions),
		"data":           str("Measure: CSV file beside the document (date,value); else the first table of the body."),
		"affects":        ids("Lesson or proposal: ids of what it affects."),
		"source":         str("Lesson: id or text of where it came from."),
		"cites":          ids("Proposal: ids of the lessons it cites."),
		"implemented_in": {"type": "string", "pattern": "^baseline/.+", "description": "Proposal: the baseline/NAME that implements it (an existing baseline)."},
		"period":         {"type": "string", "pattern": `^\s*[0-9]+(d|w|mo|m|y)\s*$`, "description": "Measure: how old its latest data may be, such as 1mo (default 3mo); older data is a deviation."},
		"trigger":        {"$ref": "#/$defs/id", "description": "Review: id of the event (an incident lesson, an evaluation, a measure) that caused this event-driven review."},
		"attendees":      {"description": "Training record: emails of the people trained.", "anyOf": []any{obj{"$ref": "#/$defs/email"}, obj{"type": "array", "items": obj{"$ref": "#/$defs/email"}}}},
		"trainer":        email("Training record: email of the trainer."),
	}
}

// frontMatterSchema builds the schema from package doc's lists.
// Schema is the JSON Schema (draft 2020-12) of a document's front matter,
// for editors' YAML language servers (rmm schema). It is built from the
// same lists rmm check uses: kinds, statuses, process areas, keys.
func Schema() map[string]any { return frontMatterSchema() }

func frontMatterSchema() obj {
	keys := schemaKeys()
	props := obj{}
	for _, k := range KnownKeys {
		p, ok := keys[k]
		if !ok {
			panic("rmm schema: no description of front matter key " + k)
		}
		props[k] = p
	}
	ownerless := []string{"note", "lesson"}
	var owned []string
	for _, k := range Kinds {
		if !Contains(ownerless, k) {
			owned = append(owned, k)
		}
	}
	sort.Strings(owned)
	return obj{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         "https://github.com/rmm-pal/rmm/front-matter.schema.json",
		"title":       "rmm document front matter",
		"description": "Front matter of a document of an rmm process asset library. Unknown keys are allowed; rmm check warns about them.",
		"type":        "object",
		"required":    []string{"id", "kind", "title"},
		"properties":  props,
		"allOf": []any{
			obj{
				"if":   obj{"properties": obj{"kind": obj{"enum": owned}}, "required": []string{"kind"}},
				"then": obj{"required": []string{"owner"}},
			},
			obj{
				"if":   obj{"properties": obj{"kind": obj{"const": "proposal"}}, "required": []string{"kind"}},
				"then": obj{"properties": obj{"status": obj{"enum": ProposalStatuses}}},
				"else": obj{"properties": obj{"status": obj{"enum": Statuses}}},
			},
		},
		"$defs": obj{
			"id":    obj{"type": "string", "pattern": IDPattern.String()},
			"email": obj{"type": "string", "pattern": `^[^@\s<>]+@[^@\s<>]+$`},
		},
	}
}
