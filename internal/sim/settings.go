package sim

import (
	"fmt"
	"math"
)

// Mode selects between Caravan's own rules and exact Flee compatibility.
type Mode uint8

const (
	// ModeCaravan fixes Flee's known defects (docs/flee-differences.md).
	ModeCaravan Mode = iota
	// ModeFlee reproduces Flee's behaviour, defects included, for comparison.
	ModeFlee
)

func (m Mode) String() string {
	if m == ModeFlee {
		return "flee"
	}
	return "caravan"
}

// ParseMode reads a mode name.
func ParseMode(s string) (Mode, error) {
	switch s {
	case "", "caravan", "none", "off":
		return ModeCaravan, nil
	case "flee":
		return ModeFlee, nil
	}
	return 0, fmt.Errorf("unknown compatibility mode %q (want caravan or flee)", s)
}

// Settings are the parameters of the movement and spawning rules. Names and
// defaults follow Flee's simsetting.yml (docs/flee-model.md §16); units are
// km and days.
type Settings struct {
	Mode Mode

	MaxMoveSpeed float64 // km/day on a link
	MaxWalkSpeed float64 // km/day when walking

	ForeignWeight  float64 // score factor of places abroad
	CampWeight     float64 // score factor of camps
	ConflictWeight float64 // score factor of conflict places, raised to the intensity

	ConflictMoveChance float64
	CampMoveChance     float64
	IDPCampMoveChance  float64
	DefaultMoveChance  float64

	AwarenessLevel  int     // hops of route knowledge; markers do not count
	CapacityBuffer  float64 // occupancy fraction where attractiveness starts to fall
	CapacityScaling float64 // multiplier on capacities

	AvoidShortStints bool
	StartOnFoot      bool

	Softening       float64 // km added to path length in route weights
	WeightSoftening float64 // added to endpoint score in route weights
	WeightPower     float64
	DistancePower   float64

	StayCloseToHome   bool
	HomeDistancePower float64

	UsePopForLocWeight   bool
	PopPowerForLocWeight float64

	MovechancePopBase        float64
	MovechancePopScaleFactor float64

	PruningThreshold float64 // >1.001 drops candidates below max/threshold

	ConflictSpawnDecay         []float64 // nil: no decay
	ConflictSpawnDecayInterval int       // days per decay step

	TakeFromPopulation       bool
	ConflictZoneSpawningOnly bool
}

// DefaultSettings returns Flee's code defaults.
func DefaultSettings() Settings {
	return Settings{
		MaxMoveSpeed:               360,
		MaxWalkSpeed:               35,
		ForeignWeight:              1,
		CampWeight:                 1,
		ConflictWeight:             1 / math.Sqrt(10),
		ConflictMoveChance:         1,
		CampMoveChance:             0.001,
		IDPCampMoveChance:          0.1,
		DefaultMoveChance:          0.3,
		AwarenessLevel:             1,
		CapacityBuffer:             0.9,
		CapacityScaling:            1,
		Softening:                  10,
		WeightSoftening:            0,
		WeightPower:                1,
		DistancePower:              1,
		HomeDistancePower:          0.5,
		PopPowerForLocWeight:       0.1,
		MovechancePopBase:          10000,
		MovechancePopScaleFactor:   0,
		PruningThreshold:           1,
		ConflictSpawnDecayInterval: 30,
		ConflictZoneSpawningOnly:   true,
	}
}

// Check reports settings the engine cannot run with.
func (s *Settings) Check() error {
	pos := []struct {
		name string
		v    float64
	}{
		{"max_move_speed", s.MaxMoveSpeed},
		{"max_walk_speed", s.MaxWalkSpeed},
		{"movechance_pop_base", s.MovechancePopBase},
	}
	for _, p := range pos {
		if !(p.v > 0) || math.IsInf(p.v, 0) {
			return fmt.Errorf("%s must be a positive number, got %v", p.name, p.v)
		}
	}
	chances := []struct {
		name string
		v    float64
	}{
		{"conflict_movechance", s.ConflictMoveChance},
		{"camp_movechance", s.CampMoveChance},
		{"idpcamp_movechance", s.IDPCampMoveChance},
		{"default_movechance", s.DefaultMoveChance},
		{"capacity_buffer", s.CapacityBuffer},
	}
	for _, p := range chances {
		if !(p.v >= 0 && p.v <= 1) {
			return fmt.Errorf("%s must lie in [0, 1], got %v", p.name, p.v)
		}
	}
	nonneg := []struct {
		name string
		v    float64
	}{
		{"foreign_weight", s.ForeignWeight}, {"camp_weight", s.CampWeight}, {"conflict_weight", s.ConflictWeight},
		{"capacity_scaling", s.CapacityScaling}, {"softening", s.Softening}, {"weight_softening", s.WeightSoftening},
		{"weight_power", s.WeightPower}, {"distance_power", s.DistancePower}, {"home_distance_power", s.HomeDistancePower},
		{"pop_power_for_loc_weight", s.PopPowerForLocWeight}, {"pruning_threshold", s.PruningThreshold},
	}
	for _, p := range nonneg {
		if !(p.v >= 0) || math.IsInf(p.v, 0) {
			return fmt.Errorf("%s must be a finite number >= 0, got %v", p.name, p.v)
		}
	}
	if s.AwarenessLevel < -1 || s.AwarenessLevel > 6 {
		return fmt.Errorf("awareness_level must lie in [-1, 6], got %d", s.AwarenessLevel)
	}
	if s.ConflictSpawnDecayInterval < 1 {
		return fmt.Errorf("conflict_spawn_decay_interval must be >= 1, got %d", s.ConflictSpawnDecayInterval)
	}
	if s.Softening == 0 && s.DistancePower > 0 {
		// A zero-length path would divide by zero; routes have positive length so this is safe.
	}
	return nil
}

// decay is the conflict decay factor after dt days of conflict.
func (s *Settings) decay(dt int) float64 {
	if len(s.ConflictSpawnDecay) == 0 {
		return 1
	}
	i := dt / s.ConflictSpawnDecayInterval // truncates toward zero, as Python's int() does
	if i >= len(s.ConflictSpawnDecay) {
		i = len(s.ConflictSpawnDecay) - 1
	}
	if i < 0 {
		i = 0
	}
	return s.ConflictSpawnDecay[i]
}
