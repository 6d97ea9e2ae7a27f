package flee

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/sim"
)

// SpawnRules are the simsetting.yml spawn options that shape how the loader
// turns observed counts into a displacement schedule.
type SpawnRules struct {
	InsertDay0       bool // place the day-0 camp populations before day 0
	EmptyCampsOnDay0 bool // subtract every series' day-0 value
	SumFromCamps     bool // spawn from the sum of the camp series, not the total
	Hasten           int  // divide populations and counts by this
	// Conflict-driven spawning replaces the data-driven schedule when set.
	ConflictDriven    bool
	ConflictSpawnMode string // constant, pop_ratio or poisson
	PerConflictDay    float64
}

// Config is everything simsetting.yml says that Caravan uses.
type Config struct {
	Sim   sim.Settings
	Spawn SpawnRules
}

// DefaultConfig returns Flee's code defaults.
func DefaultConfig() Config {
	return Config{
		Sim:   sim.DefaultSettings(),
		Spawn: SpawnRules{InsertDay0: true, SumFromCamps: true, Hasten: 1},
	}
}

// setting is one key/value from the YAML file or a --set override.
type setting struct {
	path   string // dotted: move_rules.max_move_speed
	value  any
	file   string
	line   int
	column int
}

type keyKind uint8

const (
	kFloat keyKind = iota
	kInt
	kBool
	kFloatList
	kString
	kIgnored     // accepted and without effect (logging, unused keys)
	kUnsupported // accepted only at its default value
)

type keySpec struct {
	kind keyKind
	set  func(c *Config, v any)
	// def is the default for kUnsupported keys: any other value is an error.
	def any
}

func fl(f func(c *Config, v float64)) keySpec {
	return keySpec{kind: kFloat, set: func(c *Config, v any) { f(c, v.(float64)) }}
}
func in(f func(c *Config, v int)) keySpec {
	return keySpec{kind: kInt, set: func(c *Config, v any) { f(c, v.(int)) }}
}
func bo(f func(c *Config, v bool)) keySpec {
	return keySpec{kind: kBool, set: func(c *Config, v any) { f(c, v.(bool)) }}
}

var ignored = keySpec{kind: kIgnored}

func unsupported(def any) keySpec { return keySpec{kind: kUnsupported, def: def} }

// keys lists every simsetting.yml key Flee reads (docs/flee-model.md §16).
var keys = map[string]keySpec{
	"number_of_steps":            ignored,
	"conflict_input_file":        ignored,
	"flood_level_input_file":     ignored,
	"default_conflict_intensity": ignored,
	"log_levels":                 ignored,
	"log_levels.agent":           ignored,
	"log_levels.link":            ignored,
	"log_levels.camp":            ignored,
	"log_levels.conflict":        ignored,
	"log_levels.init":            ignored,
	"log_levels.granularity":     ignored,
	"log_levels.idp_totals":      unsupported(0),

	"spawn_rules.take_from_population":        bo(func(c *Config, v bool) { c.Sim.TakeFromPopulation = v }),
	"spawn_rules.insert_day0":                 bo(func(c *Config, v bool) { c.Spawn.InsertDay0 = v }),
	"spawn_rules.empty_camps_on_day0":         bo(func(c *Config, v bool) { c.Spawn.EmptyCampsOnDay0 = v }),
	"spawn_rules.conflict_zone_spawning_only": bo(func(c *Config, v bool) { c.Sim.ConflictZoneSpawningOnly = v }),
	"spawn_rules.sum_from_camps":              bo(func(c *Config, v bool) { c.Spawn.SumFromCamps = v }),
	"spawn_rules.conflict_spawn_decay": {kind: kFloatList, set: func(c *Config, v any) {
		c.Sim.ConflictSpawnDecay = v.([]float64)
	}},
	"spawn_rules.conflict_spawn_decay_interval": in(func(c *Config, v int) { c.Sim.ConflictSpawnDecayInterval = v }),
	"spawn_rules.average_social_connectivity":   ignored,
	"spawn_rules.conflict_driven_spawning": {kind: kIgnored, set: func(c *Config, v any) {
		c.Spawn.ConflictDriven = true
	}},
	// A key inside conflict_driven_spawning implies the section, also when
	// it comes from --set.
	"spawn_rules.conflict_driven_spawning.spawn_mode": {kind: kString, set: func(c *Config, v any) {
		c.Spawn.ConflictDriven = true
		c.Spawn.ConflictSpawnMode = strings.ToLower(v.(string))
	}},
	"spawn_rules.conflict_driven_spawning.displaced_per_conflict_day": fl(func(c *Config, v float64) {
		c.Spawn.ConflictDriven = true
		c.Spawn.PerConflictDay = v
	}),
	"spawn_rules.flood_zone_spawning_only":   unsupported(false),
	"spawn_rules.camps_are_sicks":            unsupported(false),
	"spawn_rules.read_from_agents_csv_file":  unsupported(false),
	"spawn_rules.starvation_driven_spawning": unsupported(false),
	"spawn_rules.flood_driven_spawn_mode":    unsupported(nil),

	"move_rules.max_move_speed":              fl(func(c *Config, v float64) { c.Sim.MaxMoveSpeed = v }),
	"move_rules.max_walk_speed":              fl(func(c *Config, v float64) { c.Sim.MaxWalkSpeed = v }),
	"move_rules.max_crossing_speed":          ignored,
	"move_rules.foreign_weight":              fl(func(c *Config, v float64) { c.Sim.ForeignWeight = v }),
	"move_rules.camp_weight":                 fl(func(c *Config, v float64) { c.Sim.CampWeight = v }),
	"move_rules.conflict_weight":             fl(func(c *Config, v float64) { c.Sim.ConflictWeight = v }),
	"move_rules.conflict_movechance":         fl(func(c *Config, v float64) { c.Sim.ConflictMoveChance = v }),
	"move_rules.camp_movechance":             fl(func(c *Config, v float64) { c.Sim.CampMoveChance = v }),
	"move_rules.idpcamp_movechance":          fl(func(c *Config, v float64) { c.Sim.IDPCampMoveChance = v }),
	"move_rules.default_movechance":          fl(func(c *Config, v float64) { c.Sim.DefaultMoveChance = v }),
	"move_rules.awareness_level":             in(func(c *Config, v int) { c.Sim.AwarenessLevel = v }),
	"move_rules.capacity_buffer":             fl(func(c *Config, v float64) { c.Sim.CapacityBuffer = v }),
	"move_rules.capacity_scaling":            fl(func(c *Config, v float64) { c.Sim.CapacityScaling = v }),
	"move_rules.avoid_short_stints":          bo(func(c *Config, v bool) { c.Sim.AvoidShortStints = v }),
	"move_rules.start_on_foot":               bo(func(c *Config, v bool) { c.Sim.StartOnFoot = v }),
	"move_rules.softening":                   fl(func(c *Config, v float64) { c.Sim.Softening = v }),
	"move_rules.weight_softening":            fl(func(c *Config, v float64) { c.Sim.WeightSoftening = v }),
	"move_rules.weight_power":                fl(func(c *Config, v float64) { c.Sim.WeightPower = v }),
	"move_rules.distance_power":              fl(func(c *Config, v float64) { c.Sim.DistancePower = v }),
	"move_rules.stay_close_to_home":          bo(func(c *Config, v bool) { c.Sim.StayCloseToHome = v }),
	"move_rules.home_distance_power":         fl(func(c *Config, v float64) { c.Sim.HomeDistancePower = v }),
	"move_rules.use_pop_for_loc_weight":      bo(func(c *Config, v bool) { c.Sim.UsePopForLocWeight = v }),
	"move_rules.pop_power_for_loc_weight":    fl(func(c *Config, v float64) { c.Sim.PopPowerForLocWeight = v }),
	"move_rules.movechance_pop_base":         fl(func(c *Config, v float64) { c.Sim.MovechancePopBase = v }),
	"move_rules.movechance_pop_scale_factor": fl(func(c *Config, v float64) { c.Sim.MovechancePopScaleFactor = v }),
	"move_rules.pruning_threshold":           fl(func(c *Config, v float64) { c.Sim.PruningThreshold = v }),
	"move_rules.use_v1_rules": bo(func(c *Config, v bool) {
		if v {
			c.Sim.MaxMoveSpeed, c.Sim.StartOnFoot, c.Sim.AvoidShortStints = 200, false, false
			c.Sim.CampWeight, c.Sim.ConflictWeight = 2, 0.25
		}
	}),
	"move_rules.avg_religion_fraction":         ignored,
	"move_rules.two_system_decision_making":    ignored, // dead code in Flee
	"move_rules.fixed_routes":                  unsupported(false),
	"move_rules.use_economic_pull":             unsupported(false),
	"move_rules.harvest_months":                unsupported([]any{}),
	"move_rules.flee_when_starving":            unsupported(false),
	"move_rules.avoid_food_deprived_locations": unsupported(false),
	"move_rules.flood_rules":                   unsupported(nil),
	"move_rules.WomenAvoidHazards":             unsupported(false),
	"move_rules.ChildrenAvoidHazards":          unsupported(false),
	"move_rules.ElderlyAvoidHazards":           unsupported(false),
	"move_rules.BoysTakeRisk":                  unsupported(false),
	"move_rules.MatchCampReligion":             unsupported(false),
	"move_rules.MatchCampEthnicity":            unsupported(false),
	"move_rules.MatchTownEthnicity":            unsupported(false),
	"move_rules.MatchConflictEthnicity":        unsupported(false),

	"optimisations":        ignored,
	"optimisations.hasten": in(func(c *Config, v int) { c.Spawn.Hasten = v }),
}

// sections are keys whose value is a mapping of further keys.
var sections = map[string]bool{
	"log_levels": true, "spawn_rules": true, "move_rules": true, "optimisations": true,
	"spawn_rules.conflict_driven_spawning": true,
}

// KnownSettings lists the dotted keys that --set accepts, sorted.
func KnownSettings() []string {
	var out []string
	for k, s := range keys {
		if !sections[k] && s.kind != kIgnored {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// readSettingsFile flattens a simsetting.yml into dotted settings with positions.
func readSettingsFile(path string, probs *diag.List) ([]setting, []byte, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		probs.Add(diag.Problem{File: path, Msg: describeOpenError(err)})
		return nil, nil, false
	}
	out, ok := parseSettings(path, data, probs)
	return out, data, ok
}

func parseSettings(path string, data []byte, probs *diag.List) ([]setting, bool) {
	mark := len(probs.Problems)
	// A UTF-8 byte-order mark is allowed, as in the CSV files (PyYAML, which
	// Flee uses, skips it too); otherwise it would become part of the first key.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		at := firstInvalidUTF8(data)
		line, col := position(data, at)
		probs.Add(diag.Problem{File: path, Line: line, Column: col,
			Msg:  fmt.Sprintf("byte 0x%02x is not valid UTF-8 text", data[at]),
			Hint: "save the file as UTF-8"})
		return nil, false
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		line, col, msg := yamlErrorPos(err)
		probs.Add(diag.Problem{File: path, Line: line, Column: col, Msg: "invalid YAML: " + msg})
		return nil, false
	}
	var out []setting
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		body := doc.Body
		if _, isNull := body.(*ast.NullNode); isNull {
			continue
		}
		m, ok := asMapping(body)
		if !ok {
			tk := body.GetToken()
			probs.Add(diag.Problem{File: path, Line: tk.Position.Line, Column: tk.Position.Column, Msg: "the settings file must be a mapping of sections (move_rules:, spawn_rules:, ...)"})
			return nil, false
		}
		flatten(path, "", m, &out, probs)
	}
	return out, !errorsSince(probs, mark)
}

func asMapping(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch v := n.(type) {
	case *ast.MappingNode:
		return v.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{v}, true
	}
	return nil, false
}

func flatten(path, prefix string, m []*ast.MappingValueNode, out *[]setting, probs *diag.List) {
	for _, mv := range m {
		key := keyName(mv.Key)
		full := key
		if prefix != "" {
			full = prefix + "." + key
		}
		tk := mv.Key.GetToken()
		pos := setting{path: full, file: path, line: tk.Position.Line, column: tk.Position.Column}
		if sections[full] {
			if sub, ok := asMapping(mv.Value); ok {
				// A section's presence matters only for conflict-driven spawning.
				if keys[full].set != nil {
					pos.value = map[string]any{}
					*out = append(*out, pos)
				}
				flatten(path, full, sub, out, probs)
				continue
			}
			if _, isNull := mv.Value.(*ast.NullNode); isNull {
				continue
			}
			var v any
			_ = yaml.NodeToValue(mv.Value, &v)
			probs.Add(diag.Problem{File: path, Line: pos.line, Column: pos.column, Field: full,
				Msg: fmt.Sprintf("want a section of indented key: value lines, got %s", describe(v))})
			continue
		}
		var v any
		if err := yaml.NodeToValue(mv.Value, &v); err != nil {
			_, _, msg := yamlErrorPos(err)
			probs.Add(diag.Problem{File: path, Line: pos.line, Column: pos.column, Field: full, Msg: "invalid value: " + msg})
			continue
		}
		pos.value = v
		*out = append(*out, pos)
	}
}

// keyName returns a mapping key as YAML means it: "move_rules" and
// 'move_rules' are the key move_rules.
func keyName(n ast.MapKeyNode) string {
	if s, ok := n.(*ast.StringNode); ok {
		return s.Value
	}
	var v any
	if err := yaml.NodeToValue(n, &v); err == nil && v != nil {
		if _, isMap := v.(map[string]any); !isMap {
			return fmt.Sprint(v)
		}
	}
	return strings.TrimSpace(n.String())
}

func yamlErrorPos(err error) (line, col int, msg string) {
	msg = err.Error()
	var se yaml.Error
	if errors.As(err, &se) {
		if tk := se.GetToken(); tk != nil && tk.Position != nil {
			line, col = tk.Position.Line, tk.Position.Column
		}
		msg = se.GetMessage()
	}
	// Keep one line: some messages carry an excerpt of the source.
	msg, _, _ = strings.Cut(msg, "\n")
	return line, col, msg
}

// parseOverride reads a --set KEY=VALUE argument.
func parseOverride(arg string) (setting, error) {
	k, v, ok := strings.Cut(arg, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return setting{}, fmt.Errorf("--set %q: want KEY=VALUE, e.g. move_rules.max_move_speed=200", arg)
	}
	var val any
	if err := yaml.Unmarshal([]byte(v), &val); err != nil {
		_, _, msg := yamlErrorPos(err)
		return setting{}, fmt.Errorf("--set %q: value is not valid YAML: %s", arg, msg)
	}
	return setting{path: strings.TrimSpace(k), value: val, file: "--set " + printable(arg)}, nil
}

// applySettings interprets settings in order (later ones win).
func applySettings(c *Config, list []setting, probs *diag.List) {
	known := make([]string, 0, len(keys))
	for k := range keys {
		known = append(known, k)
	}
	for _, s := range list {
		spec, ok := keys[s.path]
		if !ok {
			p := diag.Problem{File: s.file, Line: s.line, Column: s.column, Field: printable(s.path),
				Msg: "unknown setting; Flee ignores it, and so does Caravan", Warning: true,
				Hint: diag.DidYouMean(s.path, known)}
			if strings.HasPrefix(s.file, "--set") {
				p.Warning = false
				p.Msg = "unknown setting"
			}
			probs.Add(p)
			continue
		}
		bad := func(format string, args ...any) {
			probs.Add(diag.Problem{File: s.file, Line: s.line, Column: s.column, Field: s.path, Msg: fmt.Sprintf(format, args...)})
		}
		switch spec.kind {
		case kIgnored:
			if spec.set != nil {
				spec.set(c, s.value)
			}
		case kUnsupported:
			if !isDefault(s.value, spec.def) {
				bad("Caravan does not implement this Flee feature yet; remove the key or set it to %v", fmtDefault(spec.def))
			}
		case kFloat:
			f, ok := toFloat(s.value)
			if !ok {
				bad("want a number, got %s", describe(s.value))
				continue
			}
			if math.IsNaN(f) || math.IsInf(f, 0) {
				bad("want a finite number, got %v", f)
				continue
			}
			spec.set(c, f)
		case kInt:
			i, ok := toInt(s.value)
			if !ok {
				bad("want a whole number, got %s", describe(s.value))
				continue
			}
			spec.set(c, i)
		case kBool:
			b, ok := toBool(s.value)
			if !ok {
				bad("want true or false, got %s", describe(s.value))
				continue
			}
			spec.set(c, b)
		case kString:
			str, ok := s.value.(string)
			if !ok {
				bad("want a word, got %s", describe(s.value))
				continue
			}
			spec.set(c, str)
		case kFloatList:
			if s.value == nil {
				spec.set(c, []float64(nil))
				continue
			}
			list, ok := s.value.([]any)
			if !ok {
				bad("want a list of numbers, e.g. [1, 1, 0.5], got %s", describe(s.value))
				continue
			}
			fs := make([]float64, 0, len(list))
			for _, x := range list {
				f, ok := toFloat(x)
				if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
					bad("list item %s is not a finite number", describe(x))
					break
				}
				fs = append(fs, f)
			}
			spec.set(c, fs)
		}
	}
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case uint64:
		return float64(x), true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	}
	return 0, false
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case uint64:
		if x > 1<<31 {
			return 0, false
		}
		return int(x), true
	case int64:
		if x > 1<<31 || x < -(1<<31) {
			return 0, false
		}
		return int(x), true
	case int:
		return x, true
	case float64:
		// Flee applies int() to some keys: accept 2.0 but not 2.5.
		if x == float64(int(x)) {
			return int(x), true
		}
	}
	return 0, false
}

func toBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case uint64:
		if x <= 1 {
			return x == 1, true
		}
	case int64:
		if x == 0 || x == 1 {
			return x == 1, true
		}
	case string:
		switch strings.ToLower(x) {
		case "true", "yes", "on":
			return true, true
		case "false", "no", "off":
			return false, true
		}
	}
	return false, false
}

func isDefault(v, def any) bool {
	switch d := def.(type) {
	case nil:
		return v == nil
	case bool:
		b, ok := toBool(v)
		return ok && b == d
	case int:
		i, ok := toInt(v)
		return ok && i == d
	case []any:
		l, ok := v.([]any)
		return v == nil || (ok && len(l) == 0)
	}
	return false
}

func fmtDefault(def any) string {
	switch d := def.(type) {
	case nil:
		return "nothing"
	case []any:
		return "[]"
	default:
		return fmt.Sprint(d)
	}
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case string:
		return fmt.Sprintf("%q", x)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprint(v)
}
