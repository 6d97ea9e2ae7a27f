package spec

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/caravan-sim/caravan/internal/diag"
)

// Calibration parameters: every input quantity written with an interval
// (low and high) is a number the scenario's author is unsure of, and so a
// free parameter that calibration may move within that interval. Runs use
// only the point value; WithValues gives a copy of a scenario with other
// values. Observations' quantities (registration coverage) describe the
// evidence, not the system, and are not parameters.

// Param is an input quantity declared with an interval.
type Param struct {
	// ID names the quantity by the path of names leading to it, e.g.
	// drivers[famine].intensity[1920-06-01] or
	// policies[iran-restricts-jolfa].border.pass_probability; list items
	// are named by their name, or what identifies them (a route's ends, an
	// intensity point's date), and by position only when nothing does.
	ID string `json:"id"`
	// File and Line are where the quantity is written.
	File string `json:"file"`
	Line int    `json:"line"`
	// Value is the point value runs use; nil when only the interval is given.
	Value *float64 `json:"value"`
	// Low and High bound the plausible values.
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	// Source, Reference and Note are the quantity's own.
	Source    string `json:"source,omitempty"`
	Reference string `json:"reference,omitempty"`
	Note      string `json:"note,omitempty"`
	// Integer is set when the value must be a whole number (populations,
	// capacities); WithValues rounds it.
	Integer bool `json:"integer,omitempty"`
	// Linked says why the quantity cannot be moved alone (a share that
	// must sum to 1 with others), or is empty.
	Linked string `json:"linked,omitempty"`
}

// Where returns file:line.
func (p *Param) Where() string { return fmt.Sprintf("%s:%d", p.File, p.Line) }

// Params returns the document's parameters in document order.
func Params(doc *Document) []Param {
	refs := walkParams(doc)
	out := make([]Param, len(refs))
	for i, r := range refs {
		out[i] = r.Param
	}
	return out
}

// ParamQuantity returns the quantity of parameter id in doc, or nil.
func (d *Document) ParamQuantity(id string) *Quantity {
	for _, r := range walkParams(d) {
		if r.ID == id {
			return r.q
		}
	}
	return nil
}

// WithValues returns a copy of the scenario in which each parameter named
// in values (by Param.ID) has that value (rounded when Integer), checked
// again as when it was loaded. The original is not changed.
func (l *Loaded) WithValues(values map[string]float64) (*Loaded, error) {
	if l.err != nil {
		return nil, l.err
	}
	doc := deepCopy(reflect.ValueOf(l.Doc)).Interface().(*Document)
	refs := walkParams(doc)
	byID := make(map[string]*paramRef, len(refs))
	ids := make([]string, len(refs))
	for i := range refs {
		byID[refs[i].ID] = &refs[i]
		ids[i] = refs[i].ID
	}
	var probs diag.List
	keys := make([]string, 0, len(values))
	for id := range values {
		keys = append(keys, id)
	}
	sort.Strings(keys)
	for _, id := range keys {
		r, ok := byID[id]
		if !ok {
			probs.Add(diag.Problem{File: l.Path, Field: id, Msg: "no quantity with an interval has this id", Hint: diag.DidYouMean(id, ids)})
			continue
		}
		v := values[id]
		if r.Integer {
			v = math.Round(v)
		}
		r.q.Value = &v
	}
	if probs.HasErrors() {
		return nil, probs.Err()
	}
	check(doc, true, &probs)
	probs.Sort()
	out := &Loaded{Path: l.Path, Doc: doc, Files: l.Files, Warnings: l.Warnings, err: probs.Err()}
	return out, out.err
}

type paramRef struct {
	Param
	q *Quantity
}

// wholeFields are the quantities the checker wants whole, by owner type.
var wholeFields = map[reflect.Type]map[string]bool{
	reflect.TypeOf(Place{}): {"population": true, "capacity": true, "capacity_per_day": true, "initial": true},
	reflect.TypeOf(Route{}): {"capacity_per_day": true},
}

// walkParams finds the document's interval quantities, observations left
// out. The quantities point into doc.
func walkParams(doc *Document) []paramRef {
	var out []paramRef
	var walk func(v reflect.Value, path string, whole bool, linked string)
	walk = func(v reflect.Value, path string, whole bool, linked string) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem(), path, whole, linked)
			}
		case reflect.Slice:
			labels := itemLabels(v)
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i), path+"["+labels[i]+"]", false, "")
			}
		case reflect.Map:
			keys := v.MapKeys()
			sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
			for _, k := range keys {
				walk(v.MapIndex(k), path+"["+k.String()+"]", false, "")
			}
		case reflect.Struct:
			if v.Type() == quantityType {
				if !v.CanAddr() {
					return
				}
				q := v.Addr().Interface().(*Quantity)
				if q.Low == nil || q.High == nil {
					return
				}
				p := Param{ID: path, File: q.File, Line: q.Line, Value: q.Value, Low: *q.Low, High: *q.High,
					Source: q.Source, Reference: q.Reference, Note: q.Note, Integer: whole, Linked: linked}
				out = append(out, paramRef{Param: p, q: q})
				return
			}
			t := v.Type()
			for _, f := range yamlFields(t) {
				if t == documentType && f.name == "observations" {
					continue
				}
				key := f.name
				switch {
				case t == curvePointType && f.name == "value":
					key = path // drivers[x].intensity[date] reads better than ...[date].value
				case path != "":
					key = path + "." + f.name
				}
				walk(v.FieldByIndex(f.index), key, wholeFields[t][f.name], linkOf(t, f.name, path))
			}
		}
	}
	walk(reflect.ValueOf(doc).Elem(), "", false, "")
	return out
}

var (
	documentType   = reflect.TypeOf(Document{})
	curvePointType = reflect.TypeOf(CurvePoint{})
)

// linkOf says why a field of type t at path cannot be moved alone.
func linkOf(t reflect.Type, field, path string) string {
	if field != "share" {
		return ""
	}
	switch t {
	case reflect.TypeOf(GroupShare{}):
		return "the group shares at " + lastLabel(path) + " must sum to 1"
	case reflect.TypeOf(Destination{}):
		return "the destination shares of " + strings.TrimSuffix(path[:strings.LastIndex(path, ".")+1], ".") + " must sum to 1"
	}
	return ""
}

// lastLabel returns the label of the last list item of path.
func lastLabel(path string) string {
	i, j := strings.LastIndex(path, "["), strings.LastIndex(path, "]")
	if i < 0 || j < i {
		return path
	}
	return path[i+1 : j]
}

// itemLabels names the items of a list, making repeated names unique with
// #2, #3, ....
func itemLabels(v reflect.Value) []string {
	labels := make([]string, v.Len())
	seen := map[string]int{}
	for i := range labels {
		l := itemLabel(v.Index(i))
		if l == "" {
			l = strconv.Itoa(i)
		}
		seen[l]++
		if n := seen[l]; n > 1 {
			l += "#" + strconv.Itoa(n)
		}
		labels[i] = l
	}
	return labels
}

// itemLabel names a list item by what identifies it, or "".
func itemLabel(v reflect.Value) string {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct || !v.CanAddr() {
		return ""
	}
	switch x := v.Addr().Interface().(type) {
	case *Route:
		return x.From + "-" + x.To
	case *Event:
		var where string
		switch {
		case x.Place != "":
			where = x.Place
		case len(x.Route) > 0:
			where = strings.Join(x.Route, "-")
		default:
			where = strings.Join(x.Countries, "-")
		}
		return string(x.Type) + "/" + where + "/" + x.Date.String()
	case *CurvePoint:
		return x.Date.String()
	case *GroupShare:
		return x.Place
	case *Destination:
		if x.Place != "" {
			return x.Place
		}
		return x.Country
	case *Affinity:
		host := x.Place
		if host == "" {
			host = x.Country
		}
		return x.Group + "/" + host
	}
	if f := v.FieldByName("Name"); f.IsValid() && f.Kind() == reflect.String {
		return f.String()
	}
	return ""
}
