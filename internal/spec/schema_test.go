package spec

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/invopop/jsonschema"
	sjs "github.com/santhosh-tekuri/jsonschema/v6"
)

var update = flag.Bool("update", false, "rewrite schema.json and docs/scenario-format.md from the Go types")

const docPath = "../../docs/scenario-format.md"

// generateSchema reflects the document types, with their doc comments as
// descriptions, into a JSON Schema (draft 2020-12).
func generateSchema(t *testing.T) []byte {
	t.Helper()
	r := &jsonschema.Reflector{RequiredFromJSONSchemaTags: true, ExpandedStruct: true}
	if err := r.AddGoComments("github.com/caravan-sim/caravan/internal/spec", ".", jsonschema.WithFullComment()); err != nil {
		t.Fatal(err)
	}
	r.Mapper = func(rt reflect.Type) *jsonschema.Schema {
		switch rt {
		case dateType:
			return &jsonschema.Schema{Type: "string", Format: "date", Pattern: `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`}
		case monthDayType:
			return &jsonschema.Schema{Type: "string", Pattern: `^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`}
		}
		if rt.Kind() == reflect.String && rt.Implements(enumIface) {
			vs := reflect.Zero(rt).Interface().(enum).values()
			s := &jsonschema.Schema{Type: "string", Extras: map[string]any{}}
			var docs []string
			for _, v := range vs {
				s.Enum = append(s.Enum, v.Value)
				docs = append(docs, v.Doc)
			}
			s.Extras["enumDescriptions"] = docs
			return s
		}
		return nil
	}
	s := r.Reflect(&Document{})
	// "Place is a node ..." reads as "A node ..." in a schema.
	s.Description = sentence("Document", s.Description)
	for name, d := range s.Definitions {
		d.Description = sentence(name, d.Description)
	}
	s.ID = jsonschema.ID(SchemaURL)
	s.Title = "Caravan scenario"
	// A quantity is a number or a mapping; a count point is a pair.
	if q, ok := s.Definitions["Quantity"]; ok {
		desc := q.Description
		q.Description = ""
		s.Definitions["Quantity"] = &jsonschema.Schema{Description: desc, OneOf: []*jsonschema.Schema{{Type: "number"}, q}}
	}
	if cp, ok := s.Definitions["CountPoint"]; ok {
		two := uint64(2)
		s.Definitions["CountPoint"] = &jsonschema.Schema{
			Description: cp.Description, Type: "array", MinItems: &two, MaxItems: &two,
			PrefixItems: []*jsonschema.Schema{
				{Type: "string", Format: "date", Pattern: `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`},
				{Type: "integer", Minimum: "0"},
			},
			Items: jsonschema.FalseSchema,
		}
	}
	out, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

// sentence turns a Go doc comment "Name is a thing." into "A thing.".
func sentence(name, doc string) string {
	rest, ok := strings.CutPrefix(doc, name+" is ")
	if !ok {
		rest, ok = strings.CutPrefix(doc, name+" are ")
	}
	if !ok || rest == "" {
		return doc
	}
	return strings.ToUpper(rest[:1]) + rest[1:]
}

// TestSchemaAndDocs checks that schema.json and the reference part of
// docs/scenario-format.md are what the Go types give; -update rewrites them.
func TestSchemaAndDocs(t *testing.T) {
	schema := generateSchema(t)
	doc, err := os.ReadFile(docPath)
	if err != nil && !*update {
		t.Fatal(err)
	}
	newDoc, err := renderDoc(doc, schema)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("schema.json", schema, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(docPath, newDoc, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(schema, schemaJSON) {
		t.Errorf("schema.json is out of date; run go test ./internal/spec -run TestSchemaAndDocs -update")
	}
	if !bytes.Equal(newDoc, doc) {
		t.Errorf("docs/scenario-format.md is out of date; run go test ./internal/spec -run TestSchemaAndDocs -update")
	}
}

const refMarker = "<!-- Everything below is generated from the schema by `go test ./internal/spec -run TestSchemaAndDocs -update`; do not edit it by hand. -->"

var exampleBlock = regexp.MustCompile("(?s)(<!-- example: ([^ ]+) -->\n)```yaml\n.*?```\n")

// renderDoc rewrites the examples (each from its file) and the reference
// part of the document.
func renderDoc(doc, schema []byte) ([]byte, error) {
	intro := string(doc)
	if i := strings.Index(intro, refMarker); i >= 0 {
		intro = intro[:i]
	}
	var ferr error
	intro = exampleBlock.ReplaceAllStringFunc(intro, func(m string) string {
		sub := exampleBlock.FindStringSubmatch(m)
		data, err := os.ReadFile(filepath.Join("testdata", filepath.Base(sub[2])))
		if err != nil {
			ferr = err
			return m
		}
		return sub[1] + "```yaml\n" + string(data) + "```\n"
	})
	if ferr != nil {
		return nil, ferr
	}
	ref, err := renderReference(schema)
	if err != nil {
		return nil, err
	}
	return []byte(strings.TrimRight(intro, "\n") + "\n\n" + refMarker + "\n\n" + ref), nil
}

type jsch struct {
	Ref              string           `json:"$ref"`
	Description      string           `json:"description"`
	Type             string           `json:"type"`
	Format           string           `json:"format"`
	Pattern          string           `json:"pattern"`
	Enum             []any            `json:"enum"`
	EnumDescriptions []string         `json:"enumDescriptions"`
	OneOf            []*jsch          `json:"oneOf"`
	Items            json.RawMessage  `json:"items"`
	PrefixItems      []*jsch          `json:"prefixItems"`
	Properties       orderedProps     `json:"properties"`
	AdditionalProps  json.RawMessage  `json:"additionalProperties"`
	Required         []string         `json:"required"`
	Minimum          *json.Number     `json:"minimum"`
	Maximum          *json.Number     `json:"maximum"`
	ExclusiveMinimum *json.Number     `json:"exclusiveMinimum"`
	MinItems         *int             `json:"minItems"`
	MaxItems         *int             `json:"maxItems"`
	Defs             map[string]*jsch `json:"$defs"`
}

// orderedProps keeps the properties in the order the schema lists them.
type orderedProps struct {
	keys []string
	m    map[string]*jsch
}

func (o *orderedProps) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return err
	}
	o.m = map[string]*jsch{}
	for dec.More() {
		tk, err := dec.Token()
		if err != nil {
			return err
		}
		k := tk.(string)
		var s jsch
		if err := dec.Decode(&s); err != nil {
			return err
		}
		o.keys = append(o.keys, k)
		o.m[k] = &s
	}
	return nil
}

func anchor(name string) string { return strings.ToLower(name) }

func defName(ref string) string { return strings.TrimPrefix(ref, "#/$defs/") }

// typeText describes a property's type in words, linking definitions.
func typeText(s *jsch, defs map[string]*jsch) string {
	if s.Ref != "" {
		n := defName(s.Ref)
		if d := defs[n]; d != nil && len(d.OneOf) == 2 && d.OneOf[0].Type == "number" {
			return fmt.Sprintf("number or [%s](#%s)", n, anchor(n))
		}
		if n == "CountPoint" {
			return "[date, count]"
		}
		return fmt.Sprintf("[%s](#%s)", n, anchor(n))
	}
	switch s.Type {
	case "array":
		var item jsch
		if len(s.Items) > 0 && json.Unmarshal(s.Items, &item) == nil {
			return "list of " + typeText(&item, defs)
		}
		return "list"
	case "object":
		var v jsch
		if len(s.AdditionalProps) > 0 && json.Unmarshal(s.AdditionalProps, &v) == nil && (v.Type != "" || v.Ref != "") {
			return "mapping of name to " + typeText(&v, defs)
		}
		return "mapping"
	case "string":
		switch {
		case s.Format == "date":
			return "date"
		case len(s.Enum) > 0:
			return "word"
		case s.Pattern != "":
			return "MM-DD"
		}
		return "text"
	case "integer":
		return "whole number"
	}
	return s.Type
}

func cell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// limits describes numeric and length limits.
func limits(s *jsch) string {
	var parts []string
	if s.Minimum != nil {
		parts = append(parts, "≥ "+s.Minimum.String())
	}
	if s.ExclusiveMinimum != nil {
		parts = append(parts, "> "+s.ExclusiveMinimum.String())
	}
	if s.Maximum != nil {
		parts = append(parts, "≤ "+s.Maximum.String())
	}
	if s.MinItems != nil && s.MaxItems != nil && *s.MinItems == *s.MaxItems {
		parts = append(parts, fmt.Sprintf("exactly %d items", *s.MinItems))
	} else if s.MinItems != nil {
		parts = append(parts, fmt.Sprintf("at least %d items", *s.MinItems))
	}
	if len(s.Enum) == 1 {
		parts = append(parts, fmt.Sprintf("must be %v", s.Enum[0]))
	}
	return strings.Join(parts, ", ")
}

func table(b *strings.Builder, s *jsch, defs map[string]*jsch) {
	b.WriteString("| key | type | required | meaning |\n|---|---|---|---|\n")
	for _, k := range s.Properties.keys {
		p := s.Properties.m[k]
		req := ""
		for _, r := range s.Required {
			if r == k {
				req = "yes"
			}
		}
		desc := p.Description
		if l := limits(p); l != "" {
			desc += " (" + l + ")"
		}
		if len(p.Enum) > 1 {
			var vs []string
			for i, v := range p.Enum {
				d := ""
				if i < len(p.EnumDescriptions) {
					d = ": " + p.EnumDescriptions[i]
				}
				vs = append(vs, fmt.Sprintf("`%v`%s", v, d))
			}
			desc += "<br>One of: " + strings.Join(vs, "; ") + "."
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", k, typeText(p, defs), req, cell(desc))
	}
}

// renderReference writes one section per definition, in the order they are
// first reached from the top level.
func renderReference(schema []byte) (string, error) {
	var root jsch
	if err := json.Unmarshal(schema, &root); err != nil {
		return "", err
	}
	defs := root.Defs
	var order []string
	seen := map[string]bool{}
	var visit func(s *jsch)
	visit = func(s *jsch) {
		if s == nil {
			return
		}
		if s.Ref != "" {
			n := defName(s.Ref)
			if !seen[n] {
				seen[n] = true
				order = append(order, n)
				visit(defs[n])
			}
			return
		}
		for _, k := range s.Properties.keys {
			visit(s.Properties.m[k])
		}
		var item jsch
		if len(s.Items) > 0 && json.Unmarshal(s.Items, &item) == nil {
			visit(&item)
		}
		var ap jsch
		if len(s.AdditionalProps) > 0 && json.Unmarshal(s.AdditionalProps, &ap) == nil {
			visit(&ap)
		}
		for _, o := range s.OneOf {
			visit(o)
		}
	}
	visit(&root)
	var rest []string
	for n := range defs {
		if !seen[n] {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	order = append(order, rest...)

	var b strings.Builder
	b.WriteString("## Reference\n\n")
	b.WriteString("### Top level\n\n")
	b.WriteString(cell(root.Description) + "\n\n")
	table(&b, &root, defs)
	for _, n := range order {
		d := defs[n]
		fmt.Fprintf(&b, "\n### %s\n\n", n)
		if d.Description != "" {
			b.WriteString(strings.TrimSpace(d.Description) + "\n\n")
		}
		switch {
		case len(d.OneOf) == 2 && d.OneOf[0].Type == "number":
			b.WriteString("Write a plain number, or a mapping:\n\n")
			table(&b, d.OneOf[1], defs)
		case n == "CountPoint":
			b.WriteString("Written as a two-item list: `[YYYY-MM-DD, count]`, the count a whole number ≥ 0.\n")
		case len(d.Properties.keys) > 0:
			table(&b, d, defs)
		}
	}
	return b.String(), nil
}

// TestSchema_ValidatesExamples checks documents against the published
// schema with an independent validator: the examples must pass, and
// documents with typical mistakes must fail.
func TestSchema_ValidatesExamples(t *testing.T) {
	c := sjs.NewCompiler()
	var doc any
	if err := json.Unmarshal(schemaJSON, &doc); err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource(SchemaURL, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(SchemaURL)
	if err != nil {
		t.Fatalf("the schema does not compile: %v", err)
	}
	for _, f := range []string{"testdata/example.yaml", "testdata/full.yaml"} {
		l, err := Load(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		v := toJSONValue(t, l.Doc)
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s does not validate against the schema: %v", f, err)
		}
	}
	bad := map[string]string{
		"unknown key":       `{"caravan": 1, "start": "2024-01-01", "days": 3, "placez": []}`,
		"bad kind":          `{"places": [{"name": "A", "kind": "city"}]}`,
		"missing distance":  `{"routes": [{"from": "A", "to": "B"}]}`,
		"bad date":          `{"start": "2024-1-1"}`,
		"count point shape": `{"observations": [{"id": "x", "kind": "series", "counts": [["2024-01-01", 1, 2]]}]}`,
		"quantity shape":    `{"places": [{"name": "A", "kind": "town", "population": {"valeu": 3}}]}`,
		"latitude":          `{"places": [{"name": "A", "kind": "town", "lat": 91}]}`,
	}
	for name, js := range bad {
		var v any
		if err := json.Unmarshal([]byte(js), &v); err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); err == nil {
			t.Errorf("%s: the schema accepts %s", name, js)
		}
	}
}

// toJSONValue turns a loaded document into the JSON value a YAML editor
// sees: it is written as YAML, which is read back generically.
func toJSONValue(t *testing.T, d *Document) any {
	t.Helper()
	data, err := json.Marshal(jsonView(reflect.ValueOf(d)))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// jsonView converts document values to plain JSON data the way they are
// written in YAML (quantities as numbers when they are only a value, dates
// as text, count points as pairs).
func jsonView(v reflect.Value) any {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch v.Type() {
	case dateType:
		return v.Interface().(Date).String()
	case monthDayType:
		return v.Interface().(MonthDay).String()
	case countPointType:
		p := v.Interface().(CountPoint)
		return []any{p.Date.String(), p.Count}
	case quantityType:
		q := v.Interface().(Quantity)
		if q.Value != nil && q.Low == nil && q.High == nil && q.Source == "" && q.Reference == "" && q.Note == "" {
			return *q.Value
		}
	}
	switch v.Kind() {
	case reflect.Struct:
		m := map[string]any{}
		for _, f := range writtenFields(v) {
			m[f.name] = jsonView(f.v)
		}
		return m
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = jsonView(v.Index(i))
		}
		return out
	case reflect.Map:
		m := map[string]any{}
		it := v.MapRange()
		for it.Next() {
			m[it.Key().String()] = jsonView(it.Value())
		}
		return m
	}
	return v.Interface()
}
