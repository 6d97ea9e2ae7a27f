package spec

import _ "embed"

// schemaJSON is the JSON Schema (draft 2020-12) of the format, generated
// from the Go types and their doc comments by TestSchemaAndDocs
// (go test ./internal/spec -run TestSchemaAndDocs -update).
//
//go:embed schema.json
var schemaJSON []byte

// Schema returns the JSON Schema of the scenario format, for editors and
// other tools. Included files follow the same schema.
func Schema() []byte { return append([]byte(nil), schemaJSON...) }
