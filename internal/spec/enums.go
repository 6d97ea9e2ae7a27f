package spec

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// enumValue is one allowed value of an enumeration, with what it means.
type enumValue struct{ Value, Doc string }

// enum is implemented by the string types whose values are fixed.
type enum interface{ values() []enumValue }

// PlaceKind is what a place is for the movement rules.
type PlaceKind string

// Place kinds.
const (
	KindOrigin      PlaceKind = "origin"
	KindTown        PlaceKind = "town"
	KindCrossing    PlaceKind = "crossing"
	KindTransitHub  PlaceKind = "transit_hub"
	KindCamp        PlaceKind = "camp"
	KindIDPCamp     PlaceKind = "idp_camp"
	KindDestination PlaceKind = "destination"
	KindMarker      PlaceKind = "marker"
)

func (PlaceKind) values() []enumValue {
	return []enumValue{
		{"origin", "origin region: displaced people come from here while it is in conflict (Flee's conflict_zone)"},
		{"town", "ordinary settlement on the way"},
		{"crossing", "border crossing point; moves people on like a town"},
		{"transit_hub", "hub people always move on from (Flee's forwarding_hub)"},
		{"camp", "refugee camp or settlement: people tend to stay"},
		{"idp_camp", "camp for internally displaced people"},
		{"destination", "final destination: people tend to stay, as in a camp"},
		{"marker", "routing waypoint, invisible to route choice"},
	}
}

// RouteMode is how a route is travelled.
type RouteMode string

func (RouteMode) values() []enumValue {
	return []enumValue{
		{"road", "road or track on land"},
		{"rail", "railway"},
		{"sea", "sea crossing"},
		{"river", "river crossing or river boat"},
		{"mountain_track", "mountain track or pass"},
		{"air", "flight"},
	}
}

// EventType is what an event changes.
type EventType string

// Event types.
const (
	EvConflictStart     EventType = "conflict_start"
	EvConflictIntensity EventType = "conflict_intensity"
	EvConflictEnd       EventType = "conflict_end"
	EvCloseBorder       EventType = "close_border"
	EvOpenBorder        EventType = "open_border"
	EvClosePlace        EventType = "close_place"
	EvOpenPlace         EventType = "open_place"
	EvCloseRoute        EventType = "close_route"
	EvOpenRoute         EventType = "open_route"
	EvCloseCamp         EventType = "close_camp"
	EvOpenCamp          EventType = "open_camp"
)

func (EventType) values() []enumValue {
	return []enumValue{
		{"conflict_start", "place enters conflict with intensity"},
		{"conflict_intensity", "place's conflict intensity changes (Caravan ruleset only; Flee ignores it)"},
		{"conflict_end", "place leaves conflict"},
		{"close_border", "every route between the two countries closes"},
		{"open_border", "...and reopens"},
		{"close_place", "every route into and out of place closes"},
		{"open_place", "...and reopens"},
		{"close_route", "the route between the two places closes (Caravan ruleset only; Flee's link closures close nothing)"},
		{"open_route", "...and reopens"},
		{"close_camp", "camp becomes an ordinary town"},
		{"open_camp", "place becomes a camp (idp: true for an IDP camp)"},
	}
}

// DriverType is what drives people out.
type DriverType string

func (DriverType) values() []enumValue {
	return []enumValue{
		{"conflict", "armed conflict at the origins; intensity as in conflict events"},
		{"war", "war"},
		{"famine", "famine"},
		{"persecution", "persecution of the groups hit"},
		{"political_campaign", "a political campaign against the groups hit"},
		{"collectivisation", "collectivisation of farms"},
		{"mobilisation", "military mobilisation"},
	}
}

// CurveShape is how an intensity curve runs between its points.
type CurveShape string

func (CurveShape) values() []enumValue {
	return []enumValue{
		{"step", "each value holds until the next point"},
		{"linear", "linear between points"},
	}
}

// BorderRegime is how a border treats people trying to cross.
type BorderRegime string

func (BorderRegime) values() []enumValue {
	return []enumValue{
		{"open", "anyone may cross"},
		{"restricted", "crossing succeeds with pass_probability"},
		{"closed", "nobody crosses"},
		{"papers_required", "only people with papers cross; pass_probability is the share who have them"},
		{"loyalty_demand", "crossing needs a loyalty statement; pass_probability is the share who give one"},
	}
}

// WaitDistribution is the shape of a waiting-time distribution.
type WaitDistribution string

func (WaitDistribution) values() []enumValue {
	return []enumValue{
		{"fixed", "everyone waits days"},
		{"uniform", "uniform between min and max"},
		{"exponential", "exponential with mean"},
		{"lognormal", "lognormal with median and sigma"},
	}
}

// ObservationKind is the form of a piece of evidence.
type ObservationKind string

// Observation kinds.
const (
	ObsSeries   ObservationKind = "series"
	ObsCount    ObservationKind = "count"
	ObsInterval ObservationKind = "interval"
	ObsBound    ObservationKind = "bound"
	ObsOrdering ObservationKind = "ordering"
)

func (ObservationKind) values() []enumValue {
	return []enumValue{
		{"series", "dated counts (counts), e.g. a camp's registered population"},
		{"count", "one number (value) on a date or over a period"},
		{"interval", "a number known to lie between low and high"},
		{"bound", "a lower or upper bound (bound, value)"},
		{"ordering", "subjects ranked from largest to smallest (order)"},
	}
}

// Measure is what an observation counts.
type Measure string

func (Measure) values() []enumValue {
	return []enumValue{
		{"stock", "people present (on the date, or at the end of the period)"},
		{"refugees", "people present who still hold refugee status: the stock less those naturalised"},
		{"arrivals", "people arriving during the period"},
		{"departures", "people leaving during the period"},
		{"crossings", "people crossing during the period"},
		{"refusals", "people turned back at a border during the period"},
		{"returns", "people returning to their origin during the period"},
		{"deportations", "people deported during the period"},
		{"extraditions", "people extradited during the period"},
		{"share", "share (0 to 1) of the subject that belongs to group"},
	}
}

// Bound says which side a bound limits.
type Bound string

func (Bound) values() []enumValue {
	return []enumValue{
		{"lower", "the true number is at least value"},
		{"upper", "the true number is at most value"},
	}
}

// Reliability is how far a source or figure can be trusted.
type Reliability string

func (Reliability) values() []enumValue {
	return []enumValue{
		{"high", "official or scholarly, archive-based"},
		{"medium", "plausible, partly sourced"},
		{"low", "unsourced, anecdotal or advocacy"},
		{"contested", "contradicted by other evidence"},
		{"unknown", "not assessed"},
	}
}

// SpawnMode is where the daily numbers of displaced people come from.
type SpawnMode string

// Spawn modes.
const (
	SpawnObserved SpawnMode = "observed"
	SpawnConflict SpawnMode = "conflict"
	SpawnDaily    SpawnMode = "daily"
	SpawnDrivers  SpawnMode = "drivers"
)

func (SpawnMode) values() []enumValue {
	return []enumValue{
		{"observed", "from the observed series, with Flee's refugee-debt rule (Flee's default)"},
		{"conflict", "from the places in conflict and their intensity (Flee's conflict_driven_spawning)"},
		{"daily", "the numbers listed in daily"},
		{"drivers", "each driver displaces, every day, as many people as its intensity says, from its origins in proportion to their population"},
	}
}

// ConflictRule is how a place in conflict displaces people under conflict-driven spawning.
type ConflictRule string

func (ConflictRule) values() []enumValue {
	return []enumValue{
		{"constant", "displaced_per_conflict_day × intensity people a day"},
		{"pop_ratio", "displaced_per_conflict_day × population × intensity"},
		{"poisson", "a Poisson draw with mean displaced_per_conflict_day × intensity"},
	}
}

// enumAllowed returns the allowed values of an enum type.
func enumAllowed(e enum) []string {
	vs := e.values()
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Value
	}
	return out
}

// Date is a calendar day, written YYYY-MM-DD. The zero Date is unset.
type Date struct {
	t   time.Time
	set bool
}

// NewDate returns the date of t (in UTC).
func NewDate(t time.Time) Date {
	y, m, d := t.Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC), true}
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil || len(strings.TrimSpace(s)) != 10 {
		return Date{}, fmt.Errorf("%q is not a date (want YYYY-MM-DD)", s)
	}
	return Date{t, true}, nil
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return !d.set }

// Time returns the date at midnight UTC.
func (d Date) Time() time.Time { return d.t }

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format("2006-01-02")
}

// AddDays returns the date n days later.
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n), d.set} }

// DaysSince returns the number of days from start to d (negative before).
func (d Date) DaysSince(start Date) int {
	return int((d.t.Unix() - start.t.Unix()) / 86400)
}

// MarshalText writes YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// MonthDay is a day of the year, written MM-DD.
type MonthDay struct{ Month, Day int }

// ParseMonthDay reads MM-DD.
func ParseMonthDay(s string) (MonthDay, error) {
	t := strings.TrimSpace(s)
	m, d, ok := strings.Cut(t, "-")
	bad := fmt.Errorf("%q is not a day of the year (want MM-DD, e.g. 11-01)", s)
	if !ok || len(m) != 2 || len(d) != 2 {
		return MonthDay{}, bad
	}
	mi, err1 := strconv.Atoi(m)
	di, err2 := strconv.Atoi(d)
	if err1 != nil || err2 != nil || mi < 1 || mi > 12 || di < 1 {
		return MonthDay{}, bad
	}
	// 2024 is a leap year, so 02-29 is allowed.
	if time.Date(2024, time.Month(mi), di, 0, 0, 0, 0, time.UTC).Month() != time.Month(mi) {
		return MonthDay{}, bad
	}
	return MonthDay{mi, di}, nil
}

func (m MonthDay) String() string { return fmt.Sprintf("%02d-%02d", m.Month, m.Day) }

// MarshalText writes MM-DD.
func (m MonthDay) MarshalText() ([]byte, error) { return []byte(m.String()), nil }
