package ensemble

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/flee"
)

// Param is a parameter an ensemble varies: a simsetting.yml key (applied as
// a --set KEY=VALUE override) and the range it is drawn from.
type Param struct {
	Key  string  `json:"key" yaml:"key"`
	Name string  `json:"name" yaml:"name"` // column name in results; default: the key's last part
	Min  float64 `json:"min" yaml:"min"`
	Max  float64 `json:"max" yaml:"max"`
	// Scale is "linear" (default) or "log" (uniform in log(value); Min > 0).
	Scale string `json:"scale,omitempty" yaml:"scale"`
	// Integer rounds values to whole numbers, each of Min..Max equally likely.
	Integer bool `json:"integer,omitempty" yaml:"integer"`
}

// Value maps u in [0, 1] onto the parameter's range (rounded to 12
// significant digits).
func (p Param) Value(u float64) float64 {
	u = min(max(u, 0), 1)
	if p.Integer {
		lo, hi := math.Ceil(p.Min), math.Floor(p.Max)
		v := lo + math.Floor(u*(hi-lo+1))
		return min(v, hi)
	}
	if p.Scale == "log" {
		return round12(math.Exp(math.Log(p.Min) + u*(math.Log(p.Max)-math.Log(p.Min))))
	}
	return round12(p.Min + u*(p.Max-p.Min))
}

// round12 rounds to 12 significant digits, so that values read well in
// overrides and Value(Unit(v)) gives back v for values like 0.25.
func round12(v float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// Unit maps a value back onto [0, 1] (the inverse of Value for continuous
// parameters), clamped to the range.
func (p Param) Unit(v float64) float64 {
	var u float64
	switch {
	case p.Integer:
		lo, hi := math.Ceil(p.Min), math.Floor(p.Max)
		u = (v - lo + 0.5) / (hi - lo + 1)
	case p.Scale == "log":
		u = (math.Log(v) - math.Log(p.Min)) / (math.Log(p.Max) - math.Log(p.Min))
	default:
		u = (v - p.Min) / (p.Max - p.Min)
	}
	if math.IsNaN(u) {
		return 0.5
	}
	return min(max(u, 0), 1)
}

// Override formats the --set argument that gives the parameter value v.
func (p Param) Override(v float64) string {
	return p.Key + "=" + FormatValue(v)
}

// FormatValue prints a number the shortest way that reads back exactly.
func FormatValue(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// LoadParams reads a parameter file: a YAML list of {key, min, max} entries,
// optionally with name, scale (linear or log) and integer, e.g.
//
//   - key: move_rules.max_move_speed
//     min: 100
//     max: 400
//
// A mapping with a "params" list is accepted too. Every problem is returned
// at once as a *diag.Error.
func LoadParams(path string) ([]Param, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &diag.Error{Problems: []diag.Problem{{File: path, Msg: err.Error()}}}
	}
	return ParseParams(path, data)
}

// ParseParams parses the content of a parameter file (see LoadParams).
func ParseParams(path string, data []byte) (_ []Param, err error) {
	// goccy/go-yaml v1.19.2 panics on some malformed input (found by
	// FuzzParseParams: "!\n0000000"); report that as bad input.
	defer func() {
		if r := recover(); r != nil {
			err = &diag.Error{Problems: []diag.Problem{{File: path, Msg: fmt.Sprintf("not valid YAML (the YAML decoder failed: %v)", r)}}}
		}
	}()
	var probs diag.List
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		probs.Add(diag.Problem{File: path, Msg: "not valid YAML: " + yaml.FormatError(err, false, false)})
		return nil, probs.Err()
	}
	prefix := "$"
	var top any
	if err := yaml.Unmarshal(data, &top); err == nil {
		if m, ok := top.(map[string]any); ok {
			if _, ok := m["params"]; !ok {
				probs.Add(diag.Problem{File: path, Msg: "want a list of parameters, or a mapping with a params list"})
				return nil, probs.Err()
			}
			prefix = "$.params"
		}
	}
	var list []Param
	dec := yaml.NewDecoder(bytes.NewReader(data), yaml.DisallowUnknownField())
	if prefix == "$" {
		err = dec.Decode(&list)
	} else {
		var doc struct {
			Params []Param `yaml:"params"`
		}
		err = dec.Decode(&doc)
		list = doc.Params
	}
	if err != nil {
		probs.Add(diag.Problem{File: path, Msg: yaml.FormatError(err, false, false)})
		return nil, probs.Err()
	}
	if len(list) == 0 {
		probs.Add(diag.Problem{File: path, Msg: "no parameters declared"})
		return nil, probs.Err()
	}
	pos := func(i int, field string) (int, int) {
		p, err := yaml.PathString(fmt.Sprintf("%s[%d].%s", prefix, i, field))
		if err != nil {
			return 0, 0
		}
		var n ast.Node
		if n, err = p.FilterFile(file); err != nil || n == nil || n.GetToken() == nil {
			return 0, 0
		}
		return n.GetToken().Position.Line, n.GetToken().Position.Column
	}
	bad := func(i int, field, format string, args ...any) {
		line, col := pos(i, field)
		if line == 0 {
			line, col = pos(i, "key")
		}
		probs.Add(diag.Problem{File: path, Line: line, Column: col, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	known := flee.KnownSettings()
	names := map[string]int{}
	for i := range list {
		p := &list[i]
		p.Key = strings.TrimSpace(p.Key)
		if p.Key == "" {
			bad(i, "key", "parameter %d has no key", i+1)
			continue
		}
		if !slices.Contains(known, p.Key) {
			line, col := pos(i, "key")
			probs.Add(diag.Problem{File: path, Line: line, Column: col, Field: "key",
				Msg: fmt.Sprintf("%q is not a setting Caravan can vary", p.Key), Hint: diag.DidYouMean(p.Key, known)})
		}
		if p.Name == "" {
			p.Name = p.Key[strings.LastIndex(p.Key, ".")+1:]
		}
		if j, dup := names[p.Name]; dup {
			bad(i, "name", "name %q is used by parameter %d too; give one a different name:", p.Name, j+1)
		}
		names[p.Name] = i
		if math.IsNaN(p.Min) || math.IsNaN(p.Max) || math.IsInf(p.Min, 0) || math.IsInf(p.Max, 0) {
			bad(i, "min", "min and max must be finite numbers")
			continue
		}
		if !(p.Min < p.Max) {
			bad(i, "max", "max %s must be greater than min %s", FormatValue(p.Max), FormatValue(p.Min))
		}
		switch p.Scale {
		case "", "linear":
			p.Scale = ""
		case "log":
			if p.Min <= 0 {
				bad(i, "min", "a log scale needs min > 0, got %s", FormatValue(p.Min))
			}
		default:
			bad(i, "scale", "unknown scale %q (want linear or log)", p.Scale)
		}
		if p.Integer && math.Floor(p.Max) < math.Ceil(p.Min) {
			bad(i, "max", "no whole number between min %s and max %s", FormatValue(p.Min), FormatValue(p.Max))
		}
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return list, nil
}
