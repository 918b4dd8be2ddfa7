package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/rmm-pal/rmm/doc"
)

func init() { register(newSchemaCmd) }

func newSchemaCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the front matter, for editors",
		Long: `Print the JSON Schema (draft 2020-12) of a document's front matter. Point
your editor's YAML language server at it, for example with a first line
"# yaml-language-server: $schema=rmm-front-matter.json" after
'rmm schema > rmm-front-matter.json'. The kinds, statuses, process areas and
other values come from the same lists 'rmm check' uses.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := json.MarshalIndent(doc.Schema(), "", "  ")
			if err != nil {
				return internalf("internal error: %v", err)
			}
			fmt.Fprintln(e.stdout, string(b))
			return nil
		},
	}
}
