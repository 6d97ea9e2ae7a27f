package spec

import (
	"reflect"
	"strings"

	"github.com/goccy/go-yaml/parser"

	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/sim"
)

// SpawnSettings are the spawning block's values with defaults applied.
type SpawnSettings struct {
	Mode                    SpawnMode    `json:"mode"`
	InsertDay0              bool         `json:"insert_day0"`
	EmptyCampsOnDay0        bool         `json:"empty_camps_on_day0"`
	SumFromCamps            bool         `json:"sum_from_camps"`
	Rule                    ConflictRule `json:"rule,omitempty"`
	DisplacedPerConflictDay float64      `json:"displaced_per_conflict_day,omitempty"`
	Hasten                  int          `json:"hasten"`
}

func setF(dst *float64, v *float64) {
	if v != nil {
		*dst = *v
	}
}

func setB(dst *bool, v *bool) {
	if v != nil {
		*dst = *v
	}
}

func setI(dst *int, v *int) {
	if v != nil {
		*dst = *v
	}
}

// settingsFrom turns the document's settings and spawning blocks into the
// engine's settings (Flee's defaults where a key is left out) and the
// spawning values. The error is sim.Settings.Check's.
func settingsFrom(doc *Document) (sim.Settings, SpawnSettings, error) {
	s := sim.DefaultSettings()
	sp := SpawnSettings{Mode: SpawnObserved, InsertDay0: true, SumFromCamps: true, Hasten: 1}
	if st := doc.Settings; st != nil {
		if m := st.MoveRules; m != nil {
			setF(&s.MaxMoveSpeed, m.MaxMoveSpeed)
			setF(&s.MaxWalkSpeed, m.MaxWalkSpeed)
			setF(&s.ForeignWeight, m.ForeignWeight)
			setF(&s.CampWeight, m.CampWeight)
			setF(&s.ConflictWeight, m.ConflictWeight)
			setF(&s.ConflictMoveChance, m.ConflictMovechance)
			setF(&s.CampMoveChance, m.CampMovechance)
			setF(&s.IDPCampMoveChance, m.IDPCampMovechance)
			setF(&s.DefaultMoveChance, m.DefaultMovechance)
			setI(&s.AwarenessLevel, m.AwarenessLevel)
			setF(&s.CapacityBuffer, m.CapacityBuffer)
			setF(&s.CapacityScaling, m.CapacityScaling)
			setB(&s.AvoidShortStints, m.AvoidShortStints)
			setB(&s.StartOnFoot, m.StartOnFoot)
			setF(&s.Softening, m.Softening)
			setF(&s.WeightSoftening, m.WeightSoftening)
			setF(&s.WeightPower, m.WeightPower)
			setF(&s.DistancePower, m.DistancePower)
			setB(&s.StayCloseToHome, m.StayCloseToHome)
			setF(&s.HomeDistancePower, m.HomeDistancePower)
			setB(&s.UsePopForLocWeight, m.UsePopForLocWeight)
			setF(&s.PopPowerForLocWeight, m.PopPowerForLocWeight)
			setF(&s.MovechancePopBase, m.MovechancePopBase)
			setF(&s.MovechancePopScaleFactor, m.MovechancePopScaleFactor)
			setF(&s.PruningThreshold, m.PruningThreshold)
		}
		if r := st.SpawnRules; r != nil {
			setB(&s.TakeFromPopulation, r.TakeFromPopulation)
			setB(&s.ConflictZoneSpawningOnly, r.ConflictZoneSpawningOnly)
			if r.ConflictSpawnDecay != nil {
				s.ConflictSpawnDecay = append([]float64(nil), r.ConflictSpawnDecay...)
			}
			setI(&s.ConflictSpawnDecayInterval, r.ConflictSpawnDecayInterval)
		}
		if o := st.Optimisations; o != nil {
			setI(&sp.Hasten, o.Hasten)
		}
	}
	if p := doc.Spawning; p != nil {
		if p.Mode != "" {
			sp.Mode = p.Mode
		}
		setB(&sp.InsertDay0, p.InsertDay0)
		setB(&sp.EmptyCampsOnDay0, p.EmptyCampsOnDay0)
		setB(&sp.SumFromCamps, p.SumFromCamps)
		if sp.Mode == SpawnConflict {
			sp.Rule = p.Rule
			if sp.Rule == "" {
				sp.Rule = "constant"
			}
			if p.DisplacedPerConflictDay != nil && *p.DisplacedPerConflictDay != 0 {
				sp.DisplacedPerConflictDay = *p.DisplacedPerConflictDay
			} else if sp.Rule == "pop_ratio" {
				sp.DisplacedPerConflictDay = 0.01
			} else {
				sp.DisplacedPerConflictDay = 500
			}
		}
	}
	return s, sp, s.Check()
}

// speed returns the speed the block gives routes of mode m (road when m is
// empty), or nil when it gives none.
func (s *ModeSpeeds) speed(m RouteMode) *float64 {
	if s == nil {
		return nil
	}
	if m == "" {
		m = "road"
	}
	v := reflect.ValueOf(s).Elem()
	for _, f := range yamlFields(v.Type()) {
		if f.name == string(m) {
			p, _ := v.FieldByIndex(f.index).Interface().(*float64)
			return p
		}
	}
	return nil
}

// modeSpeeds returns the document's mode_speeds block, or nil.
func (d *Document) modeSpeeds() *ModeSpeeds {
	if d.Settings == nil {
		return nil
	}
	return d.Settings.ModeSpeeds
}

// settingAliases map Flee's simsetting.yml spellings of --set keys to the
// document's.
var settingAliases = map[string]string{
	"spawn_rules.insert_day0":                                         "spawning.insert_day0",
	"spawn_rules.empty_camps_on_day0":                                 "spawning.empty_camps_on_day0",
	"spawn_rules.sum_from_camps":                                      "spawning.sum_from_camps",
	"spawn_rules.conflict_driven_spawning.spawn_mode":                 "spawning.rule",
	"spawn_rules.conflict_driven_spawning.displaced_per_conflict_day": "spawning.displaced_per_conflict_day",
}

// SettingKeys lists the keys --set accepts, dotted, sorted by block.
func SettingKeys() []string {
	var out []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for _, f := range yamlFields(t) {
			ft := t.FieldByIndex(f.index).Type
			if ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct {
				walk(ft.Elem(), prefix+f.name+".")
				continue
			}
			out = append(out, prefix+f.name)
		}
	}
	walk(reflect.TypeOf(Settings{}), "settings.")
	walk(reflect.TypeOf(Spawning{}), "spawning.")
	return out
}

// applyOverrides applies --set KEY=VALUE arguments to a copy of the
// document's settings and spawning blocks and returns the new document
// (sharing everything else with doc). KEY is a path such as
// settings.move_rules.max_move_speed; the settings. prefix and Flee's
// spawn_rules spellings may be left as in simsetting.yml.
func applyOverrides(doc *Document, set []string, probs *diag.List) *Document {
	if len(set) == 0 {
		return doc
	}
	out := *doc
	out.Settings = deepCopy(reflect.ValueOf(doc.Settings)).Interface().(*Settings)
	out.Spawning = deepCopy(reflect.ValueOf(doc.Spawning)).Interface().(*Spawning)
	for _, arg := range set {
		file := "--set " + arg
		k, v, ok := strings.Cut(arg, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			probs.Add(diag.Problem{File: file, Msg: "want KEY=VALUE, e.g. settings.move_rules.max_move_speed=200"})
			continue
		}
		if a, ok := settingAliases[k]; ok {
			k = a
		}
		if strings.HasPrefix(k, "move_rules.") || strings.HasPrefix(k, "spawn_rules.") || strings.HasPrefix(k, "optimisations.") || strings.HasPrefix(k, "mode_speeds.") {
			k = "settings." + k
		}
		parts := strings.Split(k, ".")
		var cur reflect.Value
		switch parts[0] {
		case "settings":
			if out.Settings == nil {
				out.Settings = &Settings{}
			}
			cur = reflect.ValueOf(out.Settings).Elem()
		case "spawning":
			if out.Spawning == nil {
				out.Spawning = &Spawning{}
			}
			cur = reflect.ValueOf(out.Spawning).Elem()
		default:
			probs.Add(diag.Problem{File: file, Field: k, Msg: "unknown setting", Hint: diag.DidYouMean(k, SettingKeys())})
			continue
		}
		found := true
		for _, p := range parts[1:] {
			for cur.Kind() == reflect.Pointer {
				if cur.IsNil() {
					cur.Set(reflect.New(cur.Type().Elem()))
				}
				cur = cur.Elem()
			}
			if cur.Kind() != reflect.Struct {
				found = false
				break
			}
			var fi *fieldInfo
			for _, f := range yamlFields(cur.Type()) {
				if f.name == p {
					fi = &f
					break
				}
			}
			if fi == nil {
				found = false
				break
			}
			cur = cur.FieldByIndex(fi.index)
		}
		if !found || (cur.Kind() == reflect.Pointer && cur.Type().Elem().Kind() == reflect.Struct) {
			probs.Add(diag.Problem{File: file, Field: k, Msg: "unknown setting", Hint: diag.DidYouMean(k, SettingKeys())})
			continue
		}
		f, err := parser.ParseBytes([]byte(v), 0)
		if err != nil {
			_, _, msg := yamlErrorPos(err)
			probs.Add(diag.Problem{File: file, Field: k, Msg: "value is not valid YAML: " + msg})
			continue
		}
		var node = f.Docs
		if len(node) == 0 || node[0].Body == nil {
			probs.Add(diag.Problem{File: file, Field: k, Msg: "missing value"})
			continue
		}
		var sub diag.List
		d := &decoder{file: file, probs: &sub}
		nv := reflect.New(cur.Type()).Elem()
		d.value(node[0].Body, nv, k, nil, "", 0)
		for _, p := range sub.Problems {
			p.Line, p.Column = 0, 0
			probs.Add(p)
		}
		if !sub.HasErrors() {
			cur.Set(nv)
		}
	}
	return &out
}

// deepCopy copies pointers, slices, maps and structs.
func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(deepCopy(v.Elem()))
		return p
	case reflect.Slice:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			s.Index(i).Set(deepCopy(v.Index(i)))
		}
		return s
	case reflect.Map:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		m := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			m.SetMapIndex(it.Key(), deepCopy(it.Value()))
		}
		return m
	case reflect.Struct:
		s := reflect.New(v.Type()).Elem()
		s.Set(v) // unexported fields (Node positions) are shared, which is fine
		for i := 0; i < v.NumField(); i++ {
			if s.Field(i).CanSet() {
				s.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
		return s
	}
	return v
}
