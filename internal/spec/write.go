package spec

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// SchemaURL is where editors find the schema; `caravan schema` prints it.
const SchemaURL = "https://caravan-sim.github.io/schema/scenario-v1.json"

// Marshal writes a document as YAML: short list items on one line each,
// longer ones as blocks, keys in the order of the reference. header, when
// not empty, is written first as comment lines.
func Marshal(doc *Document, header string) []byte {
	var b bytes.Buffer
	for _, line := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		if header == "" {
			break
		}
		b.WriteString("# " + line + "\n")
	}
	w := &writer{b: &b}
	w.block(reflect.ValueOf(doc).Elem(), 0)
	return b.Bytes()
}

// WriteFile writes a document to one YAML file.
func WriteFile(path string, doc *Document, header string) error {
	return os.WriteFile(path, Marshal(doc, header), 0o644)
}

// WriteFolder writes a document as a folder: scenario.yaml holds
// everything but the observations, which go one to a file under
// observations/, included in their order. The folder must not exist or be
// empty.
func WriteFolder(dir string, doc *Document, header string) error {
	if err := os.MkdirAll(filepath.Join(dir, "observations"), 0o755); err != nil {
		return err
	}
	main := *doc
	main.Observations = nil
	main.Include = append([]string(nil), doc.Include...)
	used := map[string]bool{}
	for i := range doc.Observations {
		o := doc.Observations[i]
		name := fileName(o.ID)
		for k := 2; used[name]; k++ {
			name = fmt.Sprintf("%s-%d", fileName(o.ID), k)
		}
		used[name] = true
		rel := "observations/" + name + ".yaml"
		part := &Document{Observations: []Observation{o}}
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(rel)), Marshal(part, "part of "+MainFile), 0o644); err != nil {
			return err
		}
		main.Include = append(main.Include, rel)
	}
	return os.WriteFile(filepath.Join(dir, MainFile), Marshal(&main, header), 0o644)
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func fileName(id string) string {
	s := strings.Trim(unsafeFileChars.ReplaceAllString(id, "_"), "._")
	if s == "" {
		s = "observation"
	}
	return strings.ToLower(s)
}

type writer struct{ b *bytes.Buffer }

const flowWidth = 160

func (w *writer) indent(n int) { w.b.WriteString(strings.Repeat(" ", n)) }

// fields returns the struct's keys to write, in order, skipping empty ones.
func writtenFields(v reflect.Value) []struct {
	name string
	v    reflect.Value
} {
	var out []struct {
		name string
		v    reflect.Value
	}
	for _, f := range yamlFields(v.Type()) {
		fv := v.FieldByIndex(f.index)
		sf := v.Type().FieldByIndex(f.index)
		tag := sf.Tag.Get("yaml")
		omit := strings.Contains(tag, "omitempty") || strings.Contains(tag, "omitzero")
		if omit && isEmpty(fv) {
			continue
		}
		out = append(out, struct {
			name string
			v    reflect.Value
		}{f.name, fv})
	}
	return out
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.Map:
		return v.Len() == 0
	case reflect.Pointer:
		return v.IsNil()
	}
	if v.Type() == quantityType {
		q := v.Interface().(Quantity)
		return q.Value == nil && q.Low == nil && q.High == nil
	}
	return v.IsZero()
}

// block writes a struct as a block mapping at the given indent.
func (w *writer) block(v reflect.Value, ind int) {
	first := true
	for _, f := range writtenFields(v) {
		if f.name == "places" || f.name == "routes" || f.name == "events" || f.name == "observations" || f.name == "settings" || f.name == "spawning" {
			if ind == 0 && !first {
				w.b.WriteString("\n")
			}
		}
		first = false
		w.field(f.name, f.v, ind, false)
	}
}

// field writes "name: value" (or a block under it) at indent; dash is set
// when the key follows a "- " already written.
func (w *writer) field(name string, v reflect.Value, ind int, dash bool) {
	if !dash {
		w.indent(ind)
	}
	w.b.WriteString(key(name) + ":")
	if s, ok := w.inline(v); ok && !alwaysBlock(v) && (len(s)+ind+len(name) < flowWidth || !isCompound(v)) {
		w.b.WriteString(" " + s + "\n")
		return
	}
	w.b.WriteString("\n")
	w.compound(v, ind+2)
}

// alwaysBlock reports the blocks written as blocks however short: the
// settings and spawning sections.
func alwaysBlock(v reflect.Value) bool {
	switch v.Type() {
	case reflect.TypeOf(&Settings{}), reflect.TypeOf(&Spawning{}), reflect.TypeOf(&MoveRules{}),
		reflect.TypeOf(&SpawnRules{}), reflect.TypeOf(&Optimisations{}):
		return true
	}
	return false
}

func isCompound(v reflect.Value) bool {
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	switch v.Type() {
	case dateType, monthDayType, quantityType, countPointType:
		return false
	}
	switch v.Kind() {
	case reflect.Struct, reflect.Slice, reflect.Map:
		return true
	}
	return false
}

// compound writes a list, mapping or struct in block style.
func (w *writer) compound(v reflect.Value, ind int) {
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			item := v.Index(i)
			w.indent(ind)
			w.b.WriteString("- ")
			if s, ok := w.inline(item); ok && (len(s)+ind+2 < flowWidth || !isCompound(item)) {
				w.b.WriteString(s + "\n")
				continue
			}
			it := item
			for it.Kind() == reflect.Pointer {
				it = it.Elem()
			}
			if it.Kind() == reflect.Struct {
				fs := writtenFields(it)
				for k, f := range fs {
					w.field(f.name, f.v, ind+2, k == 0)
				}
				if len(fs) == 0 {
					w.b.WriteString("{}\n")
				}
				continue
			}
			s, _ := w.inline(item)
			w.b.WriteString(s + "\n")
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			w.field(k.String(), v.MapIndex(k), ind, false)
		}
	case reflect.Struct:
		if v.Type() == quantityType {
			fs := writtenFields(v)
			for _, f := range fs {
				w.field(f.name, f.v, ind, false)
			}
			return
		}
		w.block(v, ind)
	}
}

// inline renders a value in flow style; ok is false for nothing to write.
func (w *writer) inline(v reflect.Value) (string, bool) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "null", true
		}
		v = v.Elem()
	}
	switch v.Type() {
	case dateType:
		return v.Interface().(Date).String(), true
	case monthDayType:
		return v.Interface().(MonthDay).String(), true
	case countPointType:
		p := v.Interface().(CountPoint)
		return "[" + p.Date.String() + ", " + strconv.Itoa(p.Count) + "]", true
	case quantityType:
		q := v.Interface().(Quantity)
		if q.Value != nil && q.Low == nil && q.High == nil && q.Source == "" && q.Reference == "" && q.Note == "" {
			return number(*q.Value), true
		}
	}
	switch v.Kind() {
	case reflect.String:
		return scalar(v.String()), true
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), true
	case reflect.Int:
		return strconv.FormatInt(v.Int(), 10), true
	case reflect.Float64:
		return number(v.Float()), true
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i], _ = w.inline(v.Index(i))
		}
		return "[" + strings.Join(parts, ", ") + "]", true
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		parts := make([]string, len(keys))
		for i, k := range keys {
			s, _ := w.inline(v.MapIndex(k))
			parts[i] = key(k.String()) + ": " + s
		}
		return "{" + strings.Join(parts, ", ") + "}", true
	case reflect.Struct:
		fs := writtenFields(v)
		parts := make([]string, len(fs))
		for i, f := range fs {
			s, _ := w.inline(f.v)
			parts[i] = key(f.name) + ": " + s
		}
		return "{" + strings.Join(parts, ", ") + "}", true
	}
	return "", false
}

func number(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

var plainScalar = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_ .'/()+-]*$`)

var reservedWords = map[string]bool{
	"true": true, "false": true, "yes": true, "no": true, "on": true, "off": true, "y": true, "n": true,
	"null": true, "nan": true, "inf": true,
}

// scalar writes text plainly when YAML reads it back as the same text, and
// double-quoted otherwise.
func scalar(s string) string {
	if s != "" && plainScalar.MatchString(s) && !strings.HasSuffix(s, " ") && !reservedWords[strings.ToLower(s)] &&
		!strings.Contains(s, " #") && !strings.Contains(s, "  ") {
		return s
	}
	return strconv.Quote(s)
}

func key(s string) string { return scalar(s) }
