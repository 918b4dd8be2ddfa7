package doc

import (
	"testing"
)

// TestSchemaCoversEveryKey fails when a front matter key is added to
// package doc without a description in the schema.
func TestSchemaCoversEveryKey(t *testing.T) {
	keys := schemaKeys()
	for _, k := range KnownKeys {
		if _, ok := keys[k]; !ok {
			t.Errorf("rmm schema does not describe %s", k)
		}
	}
	if len(keys) != len(KnownKeys) {
		t.Errorf("rmm schema describes %d keys, doc knows %d", len(keys), len(KnownKeys))
	}
	props := frontMatterSchema()["properties"].(obj)
	if got := props["process_area"].(obj)["enum"].([]string); len(got) != 26 {
		t.Errorf("process areas: %d", len(got))
	}
}
