package spec

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/caravan-sim/caravan/internal/diag"
)

// Node records where a document element was read. The loader fills it; it is
// not part of the format.
type Node struct {
	File   string
	Line   int
	Column int
	path   string // key path within its file, e.g. places[2]
	keys   map[string]position
	failed map[string]bool // keys whose value could not be read
}

// Failed reports whether the key was present but its value could not be
// read (the problem has been reported).
func (n *Node) Failed(key string) bool { return n.failed[key] }

type position struct{ line, col int }

// Pos returns the position of a key of the element, relative to it (e.g.
// "distance", "route[1]", "order[0].place"), or the element's own position
// when the key was not read.
func (n *Node) Pos(key string) (line, col int) {
	if p, ok := n.keys[key]; ok {
		return p.line, p.col
	}
	return n.Line, n.Column
}

// Has reports whether the key was present in the file.
func (n *Node) Has(key string) bool {
	_, ok := n.keys[key]
	return ok
}

func (n *Node) set(key string, p position) {
	if n.keys == nil {
		n.keys = map[string]position{}
	}
	n.keys[key] = p
}

// Path returns the element's key path within its file, e.g. places[2].
func (n *Node) Path() string { return n.path }

// problem returns an error at a key of the element ("" for the element).
func (n *Node) problem(key, format string, args ...any) diag.Problem {
	line, col := n.Pos(key)
	field := n.path
	if key != "" {
		if field == "" {
			field = key
		} else {
			field += "." + key
		}
	}
	return diag.Problem{File: n.File, Line: line, Column: col, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Limits that keep hostile input (alias bombs, deep nesting) cheap.
const (
	maxNodes      = 5_000_000
	maxAliasNodes = 100_000 // values read through aliases, counted with repeats
	maxDepth      = 64
)

// decoder turns a YAML syntax tree into document types, strictly: unknown
// keys, wrong types and bad enum values are all reported, with positions,
// and decoding goes on so that every problem is found in one pass.
type decoder struct {
	file    string
	probs   *diag.List
	anchors map[string]ast.Node
	nodes   int
	// aliasDepth > 0 while a value is read through an alias; aliasNodes
	// counts those values.
	aliasDepth, aliasNodes int
	stopped                bool
}

func (d *decoder) errorf(n ast.Node, field, format string, args ...any) {
	line, col := nodePos(n)
	d.probs.Add(diag.Problem{File: d.file, Line: line, Column: col, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// parseYAML parses one file into its single document body. A file with no
// content gives a nil body.
func parseYAML(file string, data []byte, probs *diag.List) (ast.Node, bool) {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		line, col, msg := yamlErrorPos(err)
		probs.Add(diag.Problem{File: file, Line: line, Column: col, Msg: "invalid YAML: " + msg})
		return nil, false
	}
	var body ast.Node
	n := 0
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if _, isNull := doc.Body.(*ast.NullNode); isNull {
			continue
		}
		n++
		if n == 2 {
			line, col := nodePos(doc.Body)
			probs.Add(diag.Problem{File: file, Line: line, Column: col, Msg: "a scenario file holds one YAML document; remove the second (after ---) or move it to an included file"})
			return nil, false
		}
		body = doc.Body
	}
	return body, true
}

func yamlErrorPos(err error) (line, col int, msg string) {
	msg = err.Error()
	if e, ok := err.(yaml.Error); ok {
		if tk := e.GetToken(); tk != nil && tk.Position != nil {
			line, col = tk.Position.Line, tk.Position.Column
		}
		msg = e.GetMessage()
	}
	return line, col, msg
}

// nodePos is where a node starts: for a block mapping its first key.
func nodePos(n ast.Node) (int, int) {
	if n == nil {
		return 0, 0
	}
	if m, ok := n.(*ast.MappingNode); ok && !m.IsFlowStyle && len(m.Values) > 0 {
		return nodePos(m.Values[0].Key)
	}
	if mv, ok := n.(*ast.MappingValueNode); ok {
		return nodePos(mv.Key)
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line, tk.Position.Column
	}
	return 0, 0
}

func posOf(n ast.Node) position {
	l, c := nodePos(n)
	return position{l, c}
}

var (
	dateType       = reflect.TypeOf(Date{})
	monthDayType   = reflect.TypeOf(MonthDay{})
	quantityType   = reflect.TypeOf(Quantity{})
	countPointType = reflect.TypeOf(CountPoint{})
	nodeType       = reflect.TypeOf(Node{})
	enumIface      = reflect.TypeOf((*enum)(nil)).Elem()
)

// resolve follows anchors, aliases and tags to the node that holds the value.
func (d *decoder) resolve(n ast.Node, field string, depth int) ast.Node {
	for i := 0; n != nil && i < 16; i++ {
		switch v := n.(type) {
		case *ast.AnchorNode:
			if d.anchors == nil {
				d.anchors = map[string]ast.Node{}
			}
			d.anchors[scalarText(v.Name)] = v.Value
			n = v.Value
		case *ast.AliasNode:
			name := scalarText(v.Value)
			target, ok := d.anchors[name]
			if !ok {
				d.errorf(n, field, "alias *%s names no anchor defined before it", name)
				return nil
			}
			n = target
		case *ast.TagNode:
			n = v.Value
		case *ast.MappingValueNode:
			// A mapping with one key can appear without its MappingNode.
			return n
		default:
			return n
		}
	}
	return n
}

func scalarText(n ast.Node) string {
	switch v := n.(type) {
	case nil:
		return ""
	case *ast.StringNode:
		return v.Value
	case *ast.LiteralNode:
		if v.Value != nil {
			return v.Value.Value
		}
		return ""
	case *ast.NullNode:
		return ""
	}
	if tk := n.GetToken(); tk != nil {
		return tk.Value
	}
	return n.String()
}

func isNull(n ast.Node) bool {
	_, ok := n.(*ast.NullNode)
	return n == nil || ok
}

func mappingValues(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch v := n.(type) {
	case *ast.MappingNode:
		return v.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{v}, true
	}
	return nil, false
}

func describeNode(n ast.Node) string {
	switch v := n.(type) {
	case nil, *ast.NullNode:
		return "nothing"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.StringNode:
		return strconv.Quote(v.Value)
	}
	return scalarText(n)
}

// value decodes n into v. field is the full path for messages; own is the
// nearest element with a Node and rel the path relative to it.
func (d *decoder) value(n ast.Node, v reflect.Value, field string, own *Node, rel string, depth int) {
	if d.stopped {
		return
	}
	if own != nil && rel != "" {
		before := len(d.probs.Problems)
		defer func() {
			if len(d.probs.Problems) > before {
				if own.failed == nil {
					own.failed = map[string]bool{}
				}
				own.failed[rel] = true
			}
		}()
	}
	if _, isAlias := n.(*ast.AliasNode); isAlias {
		d.aliasDepth++
		defer func() { d.aliasDepth-- }()
	}
	if d.aliasDepth > 0 {
		d.aliasNodes++
		if d.aliasNodes > maxAliasNodes {
			d.errorf(n, field, "aliases expand to more than %d values; write the values out", maxAliasNodes)
			d.stopped = true
			return
		}
	}
	d.nodes++
	if d.nodes > maxNodes {
		d.errorf(n, field, "document is too large (over %d values); are aliases expanding without end?", maxNodes)
		d.stopped = true
		return
	}
	if depth > maxDepth {
		d.errorf(n, field, "nesting deeper than %d levels", maxDepth)
		d.stopped = true
		return
	}
	n = d.resolve(n, field, depth)
	if n == nil {
		return
	}
	if own != nil && rel != "" {
		own.set(rel, posOf(n))
	}
	if mv, ok := n.(*ast.MergeKeyNode); ok {
		d.errorf(mv, field, "merge keys (<<) are not supported; write the keys out")
		return
	}
	t := v.Type()
	switch t {
	case dateType:
		if isNull(n) {
			return
		}
		if !isScalar(n) {
			d.errorf(n, field, "want a date YYYY-MM-DD, got %s", describeNode(n))
			return
		}
		dt, err := ParseDate(scalarText(n))
		if err != nil {
			d.errorf(n, field, "%v", err)
			return
		}
		v.Set(reflect.ValueOf(dt))
		return
	case monthDayType:
		if !isScalar(n) {
			d.errorf(n, field, "want a day of the year MM-DD, got %s", describeNode(n))
			return
		}
		md, err := ParseMonthDay(scalarText(n))
		if err != nil {
			d.errorf(n, field, "%v", err)
			return
		}
		v.Set(reflect.ValueOf(md))
		return
	case quantityType:
		if isScalar(n) && !isNull(n) {
			q := v.Addr().Interface().(*Quantity)
			q.File = d.file
			q.path = field
			q.Line, q.Column = nodePos(n)
			f, ok := d.number(n, field)
			if ok {
				q.Value = &f
			}
			return
		}
	case countPointType:
		seq, ok := n.(*ast.SequenceNode)
		if !ok || len(seq.Values) != 2 {
			d.errorf(n, field, "want [YYYY-MM-DD, count], got %s", describeNode(n))
			return
		}
		cp := v.Addr().Interface().(*CountPoint)
		d.value(seq.Values[0], reflect.ValueOf(&cp.Date).Elem(), field+"[0]", own, rel+"[0]", depth+1)
		d.value(seq.Values[1], reflect.ValueOf(&cp.Count).Elem(), field+"[1]", own, rel+"[1]", depth+1)
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			return
		}
		p := reflect.New(t.Elem())
		d.value(n, p.Elem(), field, own, "", depth)
		v.Set(p)
	case reflect.Struct:
		d.structValue(n, v, field, own, rel, depth)
	case reflect.Slice:
		if isNull(n) {
			return
		}
		seq, ok := n.(*ast.SequenceNode)
		if !ok {
			d.errorf(n, field, "want a list, got %s", describeNode(n))
			return
		}
		s := reflect.MakeSlice(t, len(seq.Values), len(seq.Values))
		for i, item := range seq.Values {
			d.value(item, s.Index(i), fmt.Sprintf("%s[%d]", field, i), own, fmt.Sprintf("%s[%d]", rel, i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		if isNull(n) {
			return
		}
		mvs, ok := mappingValues(n)
		if !ok {
			d.errorf(n, field, "want a mapping of names to values, got %s", describeNode(n))
			return
		}
		m := reflect.MakeMapWithSize(t, len(mvs))
		for _, mv := range mvs {
			key := scalarText(d.resolve(mv.Key, field, depth))
			if _, isMerge := mv.Key.(*ast.MergeKeyNode); isMerge {
				d.errorf(mv.Key, field, "merge keys (<<) are not supported; write the keys out")
				continue
			}
			if strings.TrimSpace(key) == "" {
				d.errorf(mv.Key, field, "empty key")
				continue
			}
			ev := reflect.New(t.Elem()).Elem()
			d.value(mv.Value, ev, field+"."+key, own, rel+"."+key, depth+1)
			if own != nil && isNull(mv.Value) {
				own.set(rel+"."+key, posOf(mv.Key))
			}
			m.SetMapIndex(reflect.ValueOf(key), ev)
		}
		v.Set(m)
	case reflect.String:
		if isNull(n) {
			return
		}
		if !isScalar(n) {
			d.errorf(n, field, "want text, got %s", describeNode(n))
			return
		}
		s := scalarText(n)
		if t.Implements(enumIface) && s != "" {
			allowed := enumAllowed(reflect.Zero(t).Interface().(enum))
			if !contains(allowed, s) {
				p := diag.Problem{File: d.file, Field: field, Msg: fmt.Sprintf("%q is not one of %s", s, strings.Join(allowed, ", ")), Hint: diag.DidYouMean(s, allowed)}
				p.Line, p.Column = nodePos(n)
				d.probs.Add(p)
				return
			}
		}
		v.SetString(s)
	case reflect.Int:
		if isNull(n) {
			return
		}
		f, ok := d.number(n, field)
		if !ok {
			return
		}
		if f != math.Trunc(f) || math.Abs(f) > 1<<31 {
			d.errorf(n, field, "want a whole number, got %s", scalarText(n))
			return
		}
		v.SetInt(int64(f))
	case reflect.Float64:
		if isNull(n) {
			return
		}
		if f, ok := d.number(n, field); ok {
			v.SetFloat(f)
		}
	case reflect.Bool:
		if isNull(n) {
			return
		}
		b, ok := n.(*ast.BoolNode)
		if !ok {
			d.errorf(n, field, "want true or false, got %s", describeNode(n))
			return
		}
		v.SetBool(b.Value)
	default:
		panic("spec: cannot decode into " + t.String())
	}
}

func isScalar(n ast.Node) bool {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode, *ast.SequenceNode:
		return false
	}
	return true
}

func (d *decoder) number(n ast.Node, field string) (float64, bool) {
	switch v := n.(type) {
	case *ast.IntegerNode:
		switch x := v.Value.(type) {
		case int64:
			return float64(x), true
		case uint64:
			return float64(x), true
		}
	case *ast.FloatNode:
		if !math.IsInf(v.Value, 0) && !math.IsNaN(v.Value) {
			return v.Value, true
		}
	case *ast.InfinityNode, *ast.NanNode:
		d.errorf(n, field, "want a finite number, got %s", scalarText(n))
		return 0, false
	case *ast.StringNode:
		// Forms such as 1e5 that the YAML library leaves as text.
		if v.Token != nil && v.Token.Type == token.StringType {
			if f, err := strconv.ParseFloat(strings.ReplaceAll(v.Value, "_", ""), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				return f, true
			}
		}
	}
	d.errorf(n, field, "want a number, got %s", describeNode(n))
	return 0, false
}

// fieldInfo describes how a struct field is written in YAML.
type fieldInfo struct {
	name  string
	index []int
}

var fieldCache sync.Map // reflect.Type -> []fieldInfo

// yamlFields lists a struct type's keys, following inline embedded structs.
func yamlFields(t reflect.Type) []fieldInfo {
	if v, ok := fieldCache.Load(t); ok {
		return v.([]fieldInfo)
	}
	var out []fieldInfo
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("yaml")
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(append([]int(nil), prefix...), i)
			if name == "-" || !f.IsExported() {
				continue
			}
			if strings.Contains(opts, "inline") {
				walk(f.Type, idx)
				continue
			}
			if name == "" {
				continue
			}
			out = append(out, fieldInfo{name: name, index: idx})
		}
	}
	walk(t, nil)
	fieldCache.Store(t, out)
	return out
}

// keyHints explain keys that are not part of a struct but are known
// elsewhere (Flee's simsetting.yml keys in particular).
var keyHints = map[string]string{
	"SpawnRules.insert_day0":               "in Caravan's format this is spawning.insert_day0",
	"SpawnRules.empty_camps_on_day0":       "in Caravan's format this is spawning.empty_camps_on_day0",
	"SpawnRules.sum_from_camps":            "in Caravan's format this is spawning.sum_from_camps",
	"SpawnRules.conflict_driven_spawning":  "in Caravan's format write spawning: {mode: conflict, rule: ..., displaced_per_conflict_day: ...}",
	"MoveRules.use_v1_rules":               "write out the values it implies: max_move_speed 200, camp_weight 2, conflict_weight 0.25, start_on_foot false, avoid_short_stints false",
	"MoveRules.max_crossing_speed":         "Flee reads but never uses it; remove it",
	"MoveRules.two_system_decision_making": "dead code in Flee; remove it",
	"Settings.log_levels":                  "Caravan has no log levels; remove them",
	"Document.simsetting":                  "write the rule parameters under settings:",
	"Document.locations":                   "places are listed under places:",
	"Document.links":                       "routes are listed under routes:",
	"Document.closures":                    "closures are events: {date: ..., type: close_border, countries: [A, B], to: ...}",
	"Document.conflicts":                   "conflicts are events: {date: ..., type: conflict_start, place: ..., intensity: 1}",
}

func (d *decoder) structValue(n ast.Node, v reflect.Value, field string, own *Node, rel string, depth int) {
	t := v.Type()
	if isNull(n) {
		return
	}
	// An element with a Node of its own records its keys there.
	if f, ok := t.FieldByName("Node"); ok && f.Type == nodeType && f.Anonymous {
		nd := v.FieldByIndex(f.Index).Addr().Interface().(*Node)
		nd.File = d.file
		nd.path = field
		nd.Line, nd.Column = nodePos(n)
		own, rel = nd, ""
	}
	mvs, ok := mappingValues(n)
	if !ok {
		d.errorf(n, field, "want a mapping (key: value), got %s", describeNode(n))
		return
	}
	fields := yamlFields(t)
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	seen := map[string]bool{}
	for _, mv := range mvs {
		if _, isMerge := mv.Key.(*ast.MergeKeyNode); isMerge {
			d.errorf(mv.Key, field, "merge keys (<<) are not supported; write the keys out")
			continue
		}
		keyNode := d.resolve(mv.Key, field, depth)
		if !isScalar(keyNode) {
			d.errorf(mv.Key, field, "a key must be a word, got %s", describeNode(keyNode))
			continue
		}
		key := scalarText(keyNode)
		sub := key
		if field != "" {
			sub = field + "." + key
		}
		var fi *fieldInfo
		for i := range fields {
			if fields[i].name == key {
				fi = &fields[i]
				break
			}
		}
		if fi == nil {
			hint := keyHints[t.Name()+"."+key]
			if hint == "" {
				hint = diag.DidYouMean(key, names)
			}
			if hint == "" {
				sorted := append([]string(nil), names...)
				sort.Strings(sorted)
				hint = "known keys: " + strings.Join(sorted, ", ")
			}
			line, col := nodePos(mv.Key)
			d.probs.Add(diag.Problem{File: d.file, Line: line, Column: col, Field: sub, Msg: fmt.Sprintf("unknown key %q", key), Hint: hint})
			continue
		}
		if seen[key] {
			d.errorf(mv.Key, sub, "key %q given twice", key)
			continue
		}
		seen[key] = true
		r := key
		if rel != "" {
			r = rel + "." + key
		}
		if own != nil {
			own.set(r, posOf(mv.Key))
		}
		d.value(mv.Value, v.FieldByIndex(fi.index), sub, own, r, depth+1)
		if own != nil && isNull(mv.Value) {
			own.set(r, posOf(mv.Key))
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
