// Package scenario describes a migration system as data: places, the routes
// between them, what happens to them over time, how people are displaced, and
// what was observed. It imports nothing else of Caravan's; loaders build a
// Scenario and the engine runs one.
package scenario

import (
	"fmt"
	"time"
)

// Kind is what a place is for the movement rules.
type Kind uint8

// Place kinds. The numeric values are stable (they appear in outputs).
const (
	Town     Kind = iota // ordinary settlement or transit point
	Camp                 // refugee camp or settlement; people tend to stay
	IDPCamp              // camp for internally displaced people
	Conflict             // origin region in conflict from the start
	Forward              // forwarding hub: people always move on
	Marker               // routing waypoint, invisible to route choice
	Unknown              // type not understood; Flee moves people on with chance 1
)

var kindNames = [...]string{"town", "camp", "idpcamp", "conflict_zone", "forwarding_hub", "marker", "unknown"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Place is a node of the migration graph.
type Place struct {
	Name    string
	Region  string
	Country string
	Lat     float64 // degrees
	Lon     float64 // degrees
	Kind    Kind
	// Foreign places lie outside the origin country; route choice may weight them.
	Foreign bool
	// Pop is the resident population, which weights where displaced people
	// come from.
	Pop int
	// Capacity is how many people a camp can hold; <1 means unlimited.
	Capacity int
	// CapacityPerDay is added to Capacity every day.
	CapacityPerDay int
	// ConflictIntensity is the intensity of a conflict present from day 0 when Kind is Conflict.
	ConflictIntensity float64
	// Initial is the number of people placed here before day 0.
	Initial int
	// Day0Observed is the observed population on day 0, used by the
	// Flee-compatible day-0 capacity reduction.
	Day0Observed int
	// Attrs holds extra attributes read from input and not otherwise interpreted.
	Attrs map[string]string
}

// Route is an undirected road or crossing between two places.
type Route struct {
	From, To   int     // place indices
	DistanceKM float64 // > 0
	// MaxSpeed overrides the global speed on this route (km/day); 0 means unset.
	MaxSpeed float64
	// WalkProbability is the chance, per day on the route, of moving at walking speed.
	WalkProbability float64
	// Duplicate makes the route count twice in route choice (Flee's
	// forced_redirection=1 quirk, reproduced only in compatibility mode).
	Duplicate bool
	// CapacityPerDay is how many people may set out along the route per day
	// (both directions together); 0 means no limit. Those over it stay
	// where they are that day.
	CapacityPerDay int
}

// EventKind says what an Event does.
type EventKind uint8

// Event kinds. Conflict events apply before the day's spawning; all others
// after it, before anyone moves (the order Flee uses).
const (
	ConflictStart     EventKind = iota // Place enters conflict with Value intensity
	ConflictIntensity                  // Place's conflict intensity becomes Value (no new onset)
	ConflictEnd                        // Place leaves conflict
	CloseBorder                        // all routes between Country and Country2 close
	OpenBorder                         // ...and reopen
	ClosePlace                         // all routes into and out of Place close
	OpenPlace                          // ...and reopen
	CloseRoute                         // the routes between Place and Place2 close
	OpenRoute                          // ...and reopen
	CloseCamp                          // camp Place becomes a town
	OpenCamp                           // Place becomes a camp (IDP camp if Value == 1)
	ChangeKind                         // Place becomes of Kind(Value) (town, forwarding hub, marker, ...)
	// ChangeCountry: Place passes to Country; Value is 1 when that country
	// is foreign to the people displaced (Place.Foreign), 0 when it is
	// their own. Affinity, when not nil, is the place's new affinity for
	// each group (System.Affinity's column).
	ChangeCountry
)

var eventNames = [...]string{"conflict_start", "conflict_intensity", "conflict_end", "close_border", "open_border", "close_place", "open_place", "close_route", "open_route", "close_camp", "open_camp", "change_kind", "change_country"}

func (k EventKind) String() string {
	if int(k) < len(eventNames) {
		return eventNames[k]
	}
	return fmt.Sprintf("event(%d)", k)
}

// IsConflict reports whether the event belongs to the pre-spawning phase.
func (k EventKind) IsConflict() bool { return k <= ConflictEnd }

// Event is a dated change to the system.
type Event struct {
	Day               int
	Kind              EventKind
	Place, Place2     int // place indices, -1 when unused
	Country, Country2 string
	Value             float64
	Affinity          []float64 // ChangeCountry: per group; nil leaves affinities as they are
	Source            string    // where the event came from, for messages ("closures.csv:3")
}

// SpawnMode says how many people are displaced each day.
type SpawnMode uint8

const (
	// SpawnSchedule takes the daily counts from Spawning.Daily (Flee's
	// data-driven spawning).
	SpawnSchedule SpawnMode = iota
	// SpawnConstant displaces PerConflictDay × intensity people per conflict place per day.
	SpawnConstant
	// SpawnPopRatio displaces PerConflictDay × pop × intensity.
	SpawnPopRatio
	// SpawnPoisson draws Poisson(PerConflictDay × intensity).
	SpawnPoisson
	// SpawnDrivers takes the daily numbers from System.Drivers.
	SpawnDrivers
)

// Spawning describes how people enter the simulation after day 0.
type Spawning struct {
	Mode           SpawnMode
	Daily          []int // SpawnSchedule: new people on each day
	PerConflictDay float64
}

// Scenario is a complete migration system ready to simulate.
type Scenario struct {
	Name   string
	Start  time.Time // date of day 0
	Days   int
	Places []Place
	Routes []Route
	Events []Event // sorted by Day; order within a day is significant
	Spawn  Spawning
	// System holds Caravan's mechanisms beyond Flee's (groups, drivers,
	// policies, affinities, onward movement); nil for a Flee case.
	System *System
}

// Date returns the calendar date of a simulation day.
func (s *Scenario) Date(day int) time.Time { return s.Start.AddDate(0, 0, day) }

// PlaceIndex returns the index of the named place, or -1.
func (s *Scenario) PlaceIndex(name string) int {
	for i := range s.Places {
		if s.Places[i].Name == name {
			return i
		}
	}
	return -1
}

// Check verifies the invariants the engine relies on. Loaders report user
// errors with positions; Check is the last line of defence for scenarios
// built in code.
func (s *Scenario) Check() error {
	if s.Days < 1 {
		return fmt.Errorf("scenario: %d days; need at least 1", s.Days)
	}
	if len(s.Places) == 0 {
		return fmt.Errorf("scenario: no places")
	}
	n := len(s.Places)
	for i, r := range s.Routes {
		if r.From < 0 || r.From >= n || r.To < 0 || r.To >= n {
			return fmt.Errorf("scenario: route %d joins unknown places %d and %d", i, r.From, r.To)
		}
		if !(r.DistanceKM > 0) {
			return fmt.Errorf("scenario: route %d (%s-%s) has distance %v; must be > 0", i, s.Places[r.From].Name, s.Places[r.To].Name, r.DistanceKM)
		}
	}
	prev := 0
	for i, e := range s.Events {
		if e.Day < prev {
			return fmt.Errorf("scenario: events not sorted by day at %d", i)
		}
		prev = e.Day
		for _, p := range []int{e.Place, e.Place2} {
			if p >= n {
				return fmt.Errorf("scenario: event %d names unknown place %d", i, p)
			}
		}
	}
	if s.Spawn.Mode == SpawnSchedule && len(s.Spawn.Daily) > 0 && len(s.Spawn.Daily) < s.Days {
		return fmt.Errorf("scenario: spawn schedule has %d days; need %d", len(s.Spawn.Daily), s.Days)
	}
	return nil
}
