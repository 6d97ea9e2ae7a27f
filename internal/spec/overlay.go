package spec

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/caravan-sim/caravan/internal/diag"
)

// An overlay is a small YAML file that describes a variant of a scenario
// by what it changes (docs/evidence.md, "What-if"):
//
//	base: toy.yaml          # the scenario it changes, relative to this file
//	name: toy-strict        # optional; default: the base's name + "-variant"
//	remove: [gate]          # optional: names of base policies or drivers to drop
//	policies:               # each replaces the base's policy of that name, or is added
//	  - {name: open-gate, period: {from: 2024-01-01}, border: {crossing: B, regime: closed}}
//	drivers: [...]          # the same for drivers
//
// A replaced policy or driver keeps its place in the list, so the random
// draws of the others do not move.

// overlayKeys are the keys an overlay may have.
var overlayKeys = []string{"base", "name", "remove", "policies", "drivers"}

// IsOverlay reports whether path is a YAML file whose top level has a
// base: key.
func IsOverlay(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".yaml" && ext != ".yml" {
		return false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var probs diag.List
	body, ok := parseYAML(path, data, &probs)
	if !ok {
		return false
	}
	vals, ok := mappingValues(body)
	if !ok {
		return false
	}
	for _, mv := range vals {
		if scalarText(mv.Key) == "base" {
			return true
		}
	}
	return false
}

// LoadOverlay reads an overlay and returns the variant it describes: its
// base with the overlay's policies and drivers replacing those of the same
// names, and those named in remove dropped, checked like any scenario.
// Problems in the overlay's entries point at the overlay's lines; the
// variant's other entries keep the base's file name.
func LoadOverlay(path string) (*Loaded, error) {
	fail := func(line int, format string, args ...any) (*Loaded, error) {
		p := diag.Problem{File: path, Line: line, Msg: fmt.Sprintf(format, args...)}
		return &Loaded{Path: path}, &diag.Error{Problems: []diag.Problem{p}}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fail(0, "%s", describeOpenError(err))
	}
	var probs diag.List
	body, ok := parseYAML(path, data, &probs)
	if !ok {
		return &Loaded{Path: path}, probs.Err()
	}
	vals, ok := mappingValues(body)
	if !ok {
		return fail(1, "an overlay is a mapping with base: and the policies or drivers it changes")
	}
	lines := strings.Split(string(data), "\n")
	var base, name string
	var remove []string
	replace := map[string][]string{} // list key -> names
	blank := func(mv *ast.MappingValueNode, next ast.Node) {
		from, _ := nodePos(mv.Key)
		to := len(lines) + 1
		if next != nil {
			to, _ = nodePos(next)
		}
		for l := from; l < to && l-1 < len(lines); l++ {
			lines[l-1] = ""
		}
	}
	for k, mv := range vals {
		key := scalarText(mv.Key)
		line, _ := nodePos(mv.Key)
		var next ast.Node
		if k+1 < len(vals) {
			next = vals[k+1].Key
		}
		switch key {
		case "base", "name":
			if !isScalar(mv.Value) {
				return fail(line, "%s: give a file name", key)
			}
			if key == "base" {
				base = scalarText(mv.Value)
			} else {
				name = scalarText(mv.Value)
			}
			blank(mv, next)
		case "remove":
			seq, ok := mv.Value.(*ast.SequenceNode)
			if !ok {
				return fail(line, "remove: give a list of policy or driver names")
			}
			for _, v := range seq.Values {
				remove = append(remove, scalarText(v))
			}
			blank(mv, next)
		case "policies", "drivers":
			seq, ok := mv.Value.(*ast.SequenceNode)
			if !ok {
				return fail(line, "%s: give a list", key)
			}
			for _, v := range seq.Values {
				items, _ := mappingValues(v)
				for _, it := range items {
					if scalarText(it.Key) == "name" {
						replace[key] = append(replace[key], scalarText(it.Value))
					}
				}
			}
		default:
			return fail(line, "%q is not a key of an overlay (one of %s)", key, strings.Join(overlayKeys, ", "))
		}
	}
	if base == "" {
		return fail(1, "base: missing; name the scenario this overlay changes")
	}
	if !filepath.IsAbs(base) {
		base = filepath.Join(filepath.Dir(path), base)
	}
	bl, err := Load(base)
	if err != nil {
		return bl, err
	}
	doc := *bl.Doc
	drop := map[string]bool{}
	for _, n := range remove {
		drop[n] = true
	}
	found := map[string]bool{}
	// slot is where a replacement goes: the index its namesake has among
	// the base's entries that are not removed.
	slot := map[string]int{}
	var keptP []Policy
	pos := 0
	for _, p := range doc.Policies {
		found[p.Name] = true
		switch {
		case contains(replace["policies"], p.Name):
			slot["policies/"+p.Name] = pos
		case !drop[p.Name]:
			keptP = append(keptP, p)
		default:
			continue
		}
		pos++
	}
	var keptD []Driver
	pos = 0
	for _, d := range doc.Drivers {
		found[d.Name] = true
		switch {
		case contains(replace["drivers"], d.Name):
			slot["drivers/"+d.Name] = pos
		case !drop[d.Name]:
			keptD = append(keptD, d)
		default:
			continue
		}
		pos++
	}
	for _, n := range remove {
		if !found[n] {
			return fail(0, "remove: the base has no policy or driver %q", n)
		}
	}
	doc.Policies, doc.Drivers = keptP, keptD
	if name == "" {
		name = doc.Name
		if name == "" {
			name = strings.TrimSuffix(strings.TrimSuffix(filepath.Base(base), ".yaml"), ".yml")
		}
		name += "-variant"
	}
	doc.Name = name

	// The variant is the rewritten base including the overlay's lists (the
	// other keys blanked, so line numbers stay).
	tmp, err := os.MkdirTemp("", "caravan-overlay-")
	if err != nil {
		return bl, err
	}
	defer os.RemoveAll(tmp)
	frag := filepath.Join(tmp, "overlay", filepath.Base(path))
	main := filepath.Join(tmp, MainFile)
	if err := os.MkdirAll(filepath.Dir(frag), 0o755); err != nil {
		return bl, err
	}
	doc.Include = []string{"overlay/" + filepath.Base(path)}
	if err := os.WriteFile(frag, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		return bl, err
	}
	if err := os.WriteFile(main, Marshal(&doc, ""), 0o644); err != nil {
		return bl, err
	}
	l, err := Load(main)
	rename := func(f string) string {
		switch f {
		case frag:
			return path
		case main:
			return base + " (as rewritten for " + path + ")"
		}
		return f
	}
	for i := range l.Warnings {
		l.Warnings[i].File = rename(l.Warnings[i].File)
	}
	var de *diag.Error
	if errors.As(err, &de) {
		for i := range de.Problems {
			de.Problems[i].File = rename(de.Problems[i].File)
		}
	}
	l.Path = path
	sum := sha256.Sum256(data)
	l.Files = append(append([]File(nil), bl.Files...), File{Path: path, SHA256: hex.EncodeToString(sum[:]), Bytes: len(data)})
	if l.Doc != nil {
		renameNodes(reflect.ValueOf(l.Doc).Elem(), rename)
		l.Doc.Policies = reslot(l.Doc.Policies, slot, "policies/", func(p Policy) string { return p.Name })
		l.Doc.Drivers = reslot(l.Doc.Drivers, slot, "drivers/", func(d Driver) string { return d.Name })
	}
	return l, err
}

// reslot moves the replacements (added at the end by the include) back to
// the index the replaced entry had.
func reslot[T any](list []T, slot map[string]int, prefix string, name func(T) string) []T {
	var fixed []T
	type moved struct {
		at int
		v  T
	}
	var later []moved
	for _, v := range list {
		if at, ok := slot[prefix+name(v)]; ok {
			later = append(later, moved{at, v})
			continue
		}
		fixed = append(fixed, v)
	}
	for len(later) > 0 {
		// Insert in index order so earlier insertions do not shift later ones.
		k := 0
		for j := range later {
			if later[j].at < later[k].at {
				k = j
			}
		}
		m := later[k]
		later = append(later[:k], later[k+1:]...)
		at := min(m.at, len(fixed))
		fixed = append(fixed[:at], append([]T{m.v}, fixed[at:]...)...)
	}
	return fixed
}

// renameNodes rewrites the File of every Node under v.
func renameNodes(v reflect.Value, rename func(string) string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			renameNodes(v.Elem(), rename)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			renameNodes(v.Index(i), rename)
		}
	case reflect.Map:
		// Maps in the document hold strings only.
	case reflect.Struct:
		if v.Type() == nodeType {
			if f := v.FieldByName("File"); f.CanSet() {
				f.SetString(rename(f.String()))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				renameNodes(v.Field(i), rename)
			}
		}
	}
}
