package spec

// The document types. Their doc comments become the descriptions of the
// JSON Schema and of docs/scenario-format.md; keep them short, in the
// present tense, with units. Every type embeds Node (not part of the format),
// which the loader fills with the element's position.

// Document is a Caravan scenario. The main file must set caravan, start and
// either end or days; included files add to its lists.
type Document struct {
	Node `yaml:"-" json:"-"`
	// Format version of this document; always 1. Required in the main file.
	Caravan int `yaml:"caravan,omitempty" json:"caravan,omitempty" jsonschema:"enum=1"`
	// Short name of the scenario, used for output folders (default: the file name).
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
	// What the scenario represents, in a sentence or two.
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Further files whose entries are added to this one's lists, after its own entries and in
	// this order. Paths are relative to this file; * and ? patterns match several files (sorted
	// by name). A file may be included once; include cycles are errors.
	Include []string `yaml:"include,omitempty" json:"include,omitempty"`
	// Date of day 0 (YYYY-MM-DD). Every other date is turned into a day offset from it.
	Start Date `yaml:"start,omitzero" json:"start,omitzero"`
	// Last simulated day (YYYY-MM-DD, inclusive). Give end or days, not both.
	End Date `yaml:"end,omitzero" json:"end,omitzero"`
	// Number of simulated days. Give end or days, not both.
	Days int `yaml:"days,omitempty" json:"days,omitempty" jsonschema:"minimum=1"`
	// Country whose places are home; places in any other country are foreign for the
	// foreign_weight rule (default: the country of the first place, as in Flee).
	HomeCountry string `yaml:"home_country,omitempty" json:"home_country,omitempty"`
	// Works the evidence comes from; source fields elsewhere name one by its id.
	Sources []Source `yaml:"sources,omitempty" json:"sources,omitempty"`
	// Parameters of the movement and spawning rules, with the keys of Flee's simsetting.yml.
	Settings *Settings `yaml:"settings,omitempty" json:"settings,omitempty"`
	// How many people are displaced each day.
	Spawning *Spawning `yaml:"spawning,omitempty" json:"spawning,omitempty"`
	// The places of the migration system. Their order is significant: it fixes the engine's
	// place numbering, and with it the random draws.
	Places []Place `yaml:"places,omitempty" json:"places,omitempty"`
	// Routes between places; each is travelled in both directions.
	Routes []Route `yaml:"routes,omitempty" json:"routes,omitempty"`
	// Dated changes to the system: conflicts, closures, camps opening and closing.
	Events []Event `yaml:"events,omitempty" json:"events,omitempty"`
	// Attribute dimensions groups are described by, each with its allowed values, e.g.
	// religion: [muslim, orthodox]. When given, group attributes must use them.
	Attributes map[string][]string `yaml:"attributes,omitempty" json:"attributes,omitempty"`
	// Groups of people with shared attributes and their share at each origin.
	Groups []Group `yaml:"groups,omitempty" json:"groups,omitempty"`
	// Push events per origin over time, with an intensity curve and the groups they hit.
	Drivers []Driver `yaml:"drivers,omitempty" json:"drivers,omitempty"`
	// Border regimes, reception, deportation and extradition policies, each over a period.
	Policies []Policy `yaml:"policies,omitempty" json:"policies,omitempty"`
	// How strongly each group prefers each host.
	Affinities []Affinity `yaml:"affinities,omitempty" json:"affinities,omitempty"`
	// Onward movement: stopover hosts, how long people wait there, and where they go next.
	Onward []Onward `yaml:"onward,omitempty" json:"onward,omitempty"`
	// What was observed, each with its citation, to compare simulations against.
	Observations []Observation `yaml:"observations,omitempty" json:"observations,omitempty"`
}

// Source is a work cited as evidence.
type Source struct {
	Node `yaml:"-" json:"-"`
	// Identifier that source fields refer to, e.g. atabaki2020.
	ID string `yaml:"id" json:"id" jsonschema:"required"`
	// Title of the work or data set.
	Title string `yaml:"title,omitempty" json:"title,omitempty"`
	// Authors or issuing body.
	Author string `yaml:"author,omitempty" json:"author,omitempty"`
	// Year of publication.
	Year int `yaml:"year,omitempty" json:"year,omitempty"`
	// Where to find it: URL, DOI or archive.
	URL string `yaml:"url,omitempty" json:"url,omitempty"`
	// How far the work can be trusted overall.
	Reliability Reliability `yaml:"reliability,omitempty" json:"reliability,omitempty"`
	// Anything else a reader should know.
	Note string `yaml:"note,omitempty" json:"note,omitempty"`
}

// Quantity is a number taken from evidence: a plain number, or a mapping with a point value, a
// plausible range and where it comes from. Runs use value; calibration may use low and high.
type Quantity struct {
	Node `yaml:"-" json:"-"`
	// Point value used by simulations.
	Value *float64 `yaml:"value,omitempty" json:"value,omitempty"`
	// Lowest plausible value.
	Low *float64 `yaml:"low,omitempty" json:"low,omitempty"`
	// Highest plausible value.
	High *float64 `yaml:"high,omitempty" json:"high,omitempty"`
	// Id of the source (see sources) the number comes from.
	Source string `yaml:"source,omitempty" json:"source,omitempty"`
	// Page, table or archival reference within the source.
	Reference string `yaml:"reference,omitempty" json:"reference,omitempty"`
	// How the number was derived, or why it is uncertain.
	Note string `yaml:"note,omitempty" json:"note,omitempty"`
}

// Place is a node of the migration system.
type Place struct {
	Node `yaml:"-" json:"-"`
	// Unique name, used by routes, events and observations.
	Name string `yaml:"name" json:"name" jsonschema:"required"`
	// What the place is for the movement rules.
	Kind PlaceKind `yaml:"kind" json:"kind" jsonschema:"required"`
	// Region or province (default: unknown).
	Region string `yaml:"region,omitempty" json:"region,omitempty"`
	// Country the place belonged to at the start (default: unknown). See changes for later ones.
	Country string `yaml:"country,omitempty" json:"country,omitempty"`
	// Latitude in decimal degrees (WGS84).
	Lat *float64 `yaml:"lat,omitempty" json:"lat,omitempty" jsonschema:"minimum=-90,maximum=90"`
	// Longitude in decimal degrees (WGS84).
	Lon *float64 `yaml:"lon,omitempty" json:"lon,omitempty" jsonschema:"minimum=-180,maximum=360"`
	// Resident population (persons); weights where displaced people come from. Interval allowed.
	Population *Quantity `yaml:"population,omitempty" json:"population,omitempty"`
	// How many displaced people the place can hold (persons); omit for no limit. Interval allowed.
	Capacity *Quantity `yaml:"capacity,omitempty" json:"capacity,omitempty"`
	// Persons added to capacity every day. Interval allowed.
	CapacityPerDay *Quantity `yaml:"capacity_per_day,omitempty" json:"capacity_per_day,omitempty"`
	// Displaced people already here before day 0 (persons). Interval allowed.
	Initial *Quantity `yaml:"initial,omitempty" json:"initial,omitempty"`
	// Intensity of a conflict already under way before day 0 (Flee's conflict_zone with
	// conflict_date 0); only for kind origin. Omit when the place is not in conflict at the start.
	ConflictAtStart *Quantity `yaml:"conflict_at_start,omitempty" json:"conflict_at_start,omitempty"`
	// Later changes of kind or country, in date order.
	Changes []PlaceChange `yaml:"changes,omitempty" json:"changes,omitempty"`
	// Further attributes kept with the place and not interpreted (Flee's extra columns).
	Attributes map[string]string `yaml:"attributes,omitempty" json:"attributes,omitempty"`
	// Anything else a reader should know.
	Note string `yaml:"note,omitempty" json:"note,omitempty"`
}

// PlaceChange is a change of a place's kind or country on a date.
type PlaceChange struct {
	Node `yaml:"-" json:"-"`
	// Date the change takes effect.
	Date Date `yaml:"date" json:"date" jsonschema:"required"`
	// New kind, if it changes.
	Kind PlaceKind `yaml:"kind,omitempty" json:"kind,omitempty"`
	// New country, if it changes (e.g. Soviet Russia to USSR).
	Country string `yaml:"country,omitempty" json:"country,omitempty"`
	// Id of the source for the change.
	Source string `yaml:"source,omitempty" json:"source,omitempty"`
	// Anything else a reader should know.
	Note string `yaml:"note,omitempty" json:"note,omitempty"`
}

// Route joins two places and is travelled in both directions.
type Route struct {
	Node `yaml:"-" json:"-"`
	// Name of one end.
	From string `yaml:"from" json:"from" jsonschema:"required"`
	// Name of the other end.
	To string `yaml:"to" json:"to" jsonschema:"required"`
	// Length in km; must be positive. Interval allowed.
	Distance Quantity `yaml:"distance" json:"distance" jsonschema:"required"`
	// How the route is travelled (default road). Its speed is settings.mode_speeds' value for
	// the mode, when given.
	Mode RouteMode `yaml:"mode,omitempty" json:"mode,omitempty"`
	// Travel speed on this route in km/day, replacing move_rules.max_move_speed and the mode's
	// speed under settings.mode_speeds (a speed, not a cap).
	MaxSpeed *float64 `yaml:"max_speed,omitempty" json:"max_speed,omitempty" jsonschema:"exclusiveMinimum=0"`
	// Chance, each day on the route, of moving at walking speed.
	WalkProbability *float64 `yaml:"walk_probability,omitempty" json:"walk_probability,omitempty" jsonschema:"minimum=0,maximum=1"`
	// Count the route twice in route choice under the Flee ruleset (Flee's forced_redirection=1).
	Duplicate bool `yaml:"duplicate,omitempty" json:"duplicate,omitempty"`
	// Most people who can set out along the route per day. Interval allowed.
	CapacityPerDay *Quantity `yaml:"capacity_per_day,omitempty" json:"capacity_per_day,omitempty"`
	// Parts of the year in which the route can be used; outside them it is closed.
	Seasons []Season `yaml:"seasons,omitempty" json:"seasons,omitempty"`
	// Id of the source for the route.
	Source string `yaml:"source,omitempty" json:"source,omitempty"`
	// Anything else a reader should know.
	Note string `yaml:"note,omitempty" json:"note,omitempty"`
}

// Season is a part of every year, from one month-day to another (inclusive; it may wrap
// around the new year, e.g. 11-01 to 03-31).
type Season struct {
	Node `yaml:"-" json:"-"`
	// First day (MM-DD).
	From MonthDay `yaml:"from" json:"from" jsonschema:"required"`
	// Last day (MM-DD).
	To MonthDay `yaml:"to" json:"to" jsonschema:"required"`
}

// Event is a dated change. type says what changes; the other keys say where.
type Event struct {
	Node `yaml:"-" json:"-"`
	// Date the change takes effect (at the start of that day).
	Date Date `yaml:"date" json:"date" jsonschema:"required"`
	// What changes.
	Type EventType `yaml:"type" json:"type" jsonschema:"required"`
	// The place (conflict_*, close_place, open_place, close_camp, open_camp).
	Place string `yaml:"place,omitempty" json:"place,omitempty"`
	// The two ends of the route (close_route, open_route).
	Route []string `yaml:"route,omitempty" json:"route,omitempty" jsonschema:"minItems=2,maxItems=2"`
	// The two countries whose common border closes or opens (close_border, open_border).
	Countries []string `yaml:"countries,omitempty" json:"countries,omitempty" jsonschema:"minItems=2,maxItems=2"`
	// Conflict intensity (conflict_start, conflict_intensity); default 1. Interval allowed.
	Intensity *Quantity `yaml:"intensity,omitempty" json:"intensity,omitempty"`
	// Last day the change holds (inclusive); the reverse change (conflict_end, open_*, or the
	// camp reopening) follows the next day. Only for conflict_start and close_*. Omit for
	// a change that lasts.
	To Date `yaml:"to,omitzero" json:"to,omitzero"`
	// The camp opens (open_camp) or reopens after close_camp (with to) as a camp for
	// internally displaced people.
	IDP bool `yaml:"idp,omitempty" json:"idp,omitempty"`
	// Id of the source for the event.
	Source string `yaml:"source,omitempty" json:"source,omitempty"`
	// Page, table or archival reference within the source.
	Reference string `yaml:"reference,omitempty" json:"reference,omitempty"`
	// Anything else a reader should know.
	Note string `yaml:"note,omitempty" json:"note,omitempty"`
}

// Group is a set of people sharing attributes.
type Group struct {
	Node `yaml:"-" json:"-"`
	// Unique name, used by drivers, policies, affinities and observations.
	Name string `yaml:"name" json:"name" jsonschema:"required"`
	// Attribute values by dimension, e.g. religion: muslim, class: peasant, motivation: political.
	Attributes map[string]string `yaml:"attributes,omitempty" json:"attributes,omitempty"`
	// The group's share of the displaced at each origin. At every origin named, the shares of
	// all groups must sum to 1.
	Shares []GroupShare `yaml:"shares,omitempty" json:"shares,omitempty"`
	// Anything else a reader should know.
	Note string `yaml:"note,omitempty" json:"note,omitempty"`
}

// GroupShare is a group's share of the people displaced from one origin.
type GroupShare struct {
	Node `yaml:"-" json:"-"`
	// The origin place.
	Place string `yaml:"place" json:"place" jsonschema:"required"`
	// Share between 0 and 1. Interval allowed.
	Share Quantity `yaml:"share" json:"share" jsonschema:"required"`
}

// Driver pushes people out of origins over time.
type Driver struct {
	Node `yaml:"-" json:"-"`
	// Unique name.
	Name string `yaml:"name" json:"name" jsonschema:"required"`
	// What drives people out.
	Type DriverType `yaml:"type" json:"type" jsonschema:"required"`
	// Places it acts on.
	Origins []string `yaml:"origins" json:"origins" jsonschema:"required,minItems=1"`
	// Groups it hits (default: everyone).
	Groups []string `yaml:"groups,omitempty" json:"groups,omitempty"`
	// How hard it hits each group relative to the group's share, by group name: the group of
	// each person it displaces is drawn from the origin's shares times these factors (0 or
	// more; default 1). E.g. {kazan_tatar: 0.1} makes a Kazan Tatar a tenth as likely to be
	// among its displaced as the share says. Interval allowed.
	Propensity map[string]*Quantity `yaml:"propensity,omitempty" json:"propensity,omitempty"`
	// Intensity over time: dated points, in date order. Before the first point the intensity is 0.
	Intensity []CurvePoint `yaml:"intensity" json:"intensity" jsonschema:"required,minItems=1"`
	// How the intensity runs between points (default step: it holds until the next point).
	Curve CurveShape `yaml:"curve,omitempty" json:"curve,omitempty"`
	// Id of the source for the driver.
	Source string `yaml:"source,omitempty" json:"source,omitempty"`
	// Page, table or archival reference within the source.
	Reference string `yaml:"reference,omitempty" json:"reference,omitempty"`
	// Anything else a reader should know.
	Note string `yaml:"note,omitempty" json:"note,omitempty"`
}

// CurvePoint is a dated value of an intensity curve.
type CurvePoint struct {
	Node `yaml:"-" json:"-"`
	// Date of the point.
	Date Date `yaml:"date" json:"date" jsonschema:"required"`
	// Intensity from this date (0 for none). Interval allowed.
	Value Quantity `yaml:"value" json:"value" jsonschema:"required"`
}

// Policy is a rule a state applies over a period. Give exactly one of border, reception,
// deportation and extradition; write several policies for rules that differ by group.
type Policy struct {
	Node `yaml:"-" json:"-"`
	// Unique name.
	Name string `yaml:"name" json:"name" jsonschema:"required"`
	// When the policy is in force.
	Period Period `yaml:"period" json:"period" jsonschema:"required"`
	// Groups it applies to (default: everyone).
	Groups []string `yaml:"groups,omitempty" json:"groups,omitempty"`
	// A border regime at a crossing or between two countries.
	Border *BorderPolicy `yaml:"border,omitempty" json:"border,omitempty"`
	// How a host receives arrivals.
	Reception *ReceptionPolicy `yaml:"reception,omitempty" json:"reception,omitempty"`
	// Deportation or forced return of people a host holds.
	Deportation *DeportationPolicy `yaml:"deportation,omitempty" json:"deportation,omitempty"`
	// Whether a host hands people over to the state they fled.
	Extradition *ExtraditionPolicy `yaml:"extradition,omitempty" json:"extradition,omitempty"`
	// A change in how strongly a host draws people (e.g. it bans their organisations).
	Attraction *AttractionPolicy `yaml:"attraction,omitempty" json:"attraction,omitempty"`
	// Id of the source for the policy.
	Source string `yaml:"source,omitempty" json:"source,omitempty"`
	// Page, table or archival reference within the source.
	Reference string `yaml:"reference,omitempty" json:"reference,omitempty"`
	// Anything else a reader should know.
	Note string `yaml:"note,omitempty" json:"note,omitempty"`
}

// Period is a span of days, both ends inclusive.
type Period struct {
	Node `yaml:"-" json:"-"`
	// First day.
	From Date `yaml:"from" json:"from" jsonschema:"required"`
	// Last day (inclusive); omit for a period that lasts to the end.
	To Date `yaml:"to,omitzero" json:"to,omitzero"`
}

// BorderPolicy is the regime at a crossing place or on the border between two countries.
type BorderPolicy struct {
	Node `yaml:"-" json:"-"`
	// A crossing place the regime applies at.
	Crossing string `yaml:"crossing,omitempty" json:"crossing,omitempty"`
	// The country pair whose border it applies to, in the direction of travel (from, to).
	Countries []string `yaml:"countries,omitempty" json:"countries,omitempty" jsonschema:"minItems=2,maxItems=2"`
	// The regime.
	Regime BorderRegime `yaml:"regime" json:"regime" jsonschema:"required"`
	// Chance that an attempt to cross succeeds (restricted, papers_required, loyalty_demand).
	// Interval allowed.
	PassProbability *Quantity `yaml:"pass_probability,omitempty" json:"pass_probability,omitempty"`
}

// ReceptionPolicy is how a host treats arrivals.
type ReceptionPolicy struct {
	Node `yaml:"-" json:"-"`
	// Host country.
	Country string `yaml:"country,omitempty" json:"country,omitempty"`
	// Host place, when the policy is local.
	Place string `yaml:"place,omitempty" json:"place,omitempty"`
	// Cities arrivals are relocated to, away from the border.
	RelocateTo []string `yaml:"relocate_to,omitempty" json:"relocate_to,omitempty"`
	// Allowance per person per day, in allowance_unit. Interval allowed.
	Allowance *Quantity `yaml:"allowance,omitempty" json:"allowance,omitempty"`
	// Currency or goods the allowance is paid in.
	AllowanceUnit string `yaml:"allowance_unit,omitempty" json:"allowance_unit,omitempty"`
	// Years after arrival when people are naturalised (or pressed to). Interval allowed.
	NaturaliseAfterYears *Quantity `yaml:"naturalise_after_years,omitempty" json:"naturalise_after_years,omitempty"`
}

// DeportationPolicy is deportation or forced return from a host.
type DeportationPolicy struct {
	Node `yaml:"-" json:"-"`
	// Country that deports.
	Country string `yaml:"country" json:"country" jsonschema:"required"`
	// Place people are sent to (default: where they came from).
	To string `yaml:"to,omitempty" json:"to,omitempty"`
	// Share of the people concerned deported per year. Interval allowed.
	RatePerYear *Quantity `yaml:"rate_per_year,omitempty" json:"rate_per_year,omitempty"`
	// Only people at these places (a zone of the country); default: the whole country.
	Places []string `yaml:"places,omitempty" json:"places,omitempty"`
	// Naturalised people are taken too (by default citizens are spared).
	Naturalised bool `yaml:"naturalised,omitempty" json:"naturalised,omitempty"`
}

// ExtraditionPolicy is whether a host grants requests to hand people over.
type ExtraditionPolicy struct {
	Node `yaml:"-" json:"-"`
	// Host country.
	Country string `yaml:"country" json:"country" jsonschema:"required"`
	// Requesting country.
	To string `yaml:"to" json:"to" jsonschema:"required"`
	// True when requests are granted, false when they are refused.
	Granted bool `yaml:"granted" json:"granted"`
	// Share of the people concerned handed over per year (when granted). Interval allowed.
	Share *Quantity `yaml:"share,omitempty" json:"share,omitempty"`
	// Only people at these places (e.g. an occupation zone); default: the whole host country.
	Places []string `yaml:"places,omitempty" json:"places,omitempty"`
	// Naturalised people are handed over too (by default citizens are spared).
	Naturalised bool `yaml:"naturalised,omitempty" json:"naturalised,omitempty"`
}

// AttractionPolicy multiplies how strongly a host country or place draws the
// policy's groups while it is in force: a ban on émigré organisations or the
// loss of a community's institutions (factor below 1), a new diaspora
// network or a resettlement programme (above 1). Factors of overlapping
// policies multiply with each other and with the affinities.
type AttractionPolicy struct {
	Node `yaml:"-" json:"-"`
	// Host country (its places on the policy's first day).
	Country string `yaml:"country,omitempty" json:"country,omitempty"`
	// Host place, when the change is local.
	Place string `yaml:"place,omitempty" json:"place,omitempty"`
	// Multiplier of the host's pull: 1 no change, 0 no pull at all. Interval allowed.
	Factor Quantity `yaml:"factor" json:"factor" jsonschema:"required"`
}

// Affinity is how strongly a group prefers a host.
type Affinity struct {
	Node `yaml:"-" json:"-"`
	// The group.
	Group string `yaml:"group" json:"group" jsonschema:"required"`
	// Host country.
	Country string `yaml:"country,omitempty" json:"country,omitempty"`
	// Host place.
	Place string `yaml:"place,omitempty" json:"place,omitempty"`
	// Relative preference: 1 neutral, above 1 attracted, below 1 averse. Interval allowed.
	Weight Quantity `yaml:"weight" json:"weight" jsonschema:"required"`
}

// Onward is movement on from stopover hosts after a wait.
type Onward struct {
	Node `yaml:"-" json:"-"`
	// Unique name.
	Name string `yaml:"name" json:"name" jsonschema:"required"`
	// Groups it applies to (default: everyone).
	Groups []string `yaml:"groups,omitempty" json:"groups,omitempty"`
	// Places where people stop over.
	Stopovers []string `yaml:"stopovers" json:"stopovers" jsonschema:"required,minItems=1"`
	// Share of the people at the stopovers who move on. Interval allowed.
	Share *Quantity `yaml:"share,omitempty" json:"share,omitempty"`
	// How long people wait before moving on.
	Wait Wait `yaml:"wait" json:"wait" jsonschema:"required"`
	// Where they go next; the shares must sum to 1.
	Destinations []Destination `yaml:"destinations" json:"destinations" jsonschema:"required,minItems=1"`
}

// Wait is a waiting-time distribution in days.
type Wait struct {
	Node `yaml:"-" json:"-"`
	// Shape of the distribution.
	Distribution WaitDistribution `yaml:"distribution" json:"distribution" jsonschema:"required"`
	// Fixed wait (fixed).
	Days *Quantity `yaml:"days,omitempty" json:"days,omitempty"`
	// Mean wait (exponential).
	Mean *Quantity `yaml:"mean,omitempty" json:"mean,omitempty"`
	// Shortest wait (uniform).
	Min *Quantity `yaml:"min,omitempty" json:"min,omitempty"`
	// Longest wait (uniform).
	Max *Quantity `yaml:"max,omitempty" json:"max,omitempty"`
	// Median wait (lognormal).
	Median *Quantity `yaml:"median,omitempty" json:"median,omitempty"`
	// Standard deviation of the log of the wait (lognormal).
	Sigma *Quantity `yaml:"sigma,omitempty" json:"sigma,omitempty"`
}

// Destination is one onward destination and its share.
type Destination struct {
	Node `yaml:"-" json:"-"`
	// Destination place.
	Place string `yaml:"place,omitempty" json:"place,omitempty"`
	// Destination country (when no place is modelled).
	Country string `yaml:"country,omitempty" json:"country,omitempty"`
	// Share of those moving on who go here. Interval allowed.
	Share Quantity `yaml:"share" json:"share" jsonschema:"required"`
}

// Subject is what an observation is about: exactly one of place, places, country, countries,
// flow or total, optionally narrowed to a group or to several groups.
type Subject struct {
	// A place.
	Place string `yaml:"place,omitempty" json:"place,omitempty"`
	// Several places taken together, e.g. the places of a region: each measure is summed over
	// them (someone who moves from one to another arrives at both).
	Places []string `yaml:"places,omitempty" json:"places,omitempty" jsonschema:"minItems=1"`
	// The place lies outside the modelled network (place is then free text). Its series still
	// counts toward the displaced total under data-driven spawning, as in Flee.
	Unmodelled bool `yaml:"unmodelled,omitempty" json:"unmodelled,omitempty"`
	// A country: its places on the day counted.
	Country string `yaml:"country,omitempty" json:"country,omitempty"`
	// Several countries taken together: each measure is summed over them.
	Countries []string `yaml:"countries,omitempty" json:"countries,omitempty" jsonschema:"minItems=1"`
	// Movement from one place or country to another.
	Flow *Flow `yaml:"flow,omitempty" json:"flow,omitempty"`
	// Everyone displaced in the system (Flee's total series).
	Total bool `yaml:"total,omitempty" json:"total,omitempty"`
	// Only this group; with measure share, the group's share of the subject.
	Group string `yaml:"group,omitempty" json:"group,omitempty"`
	// Only these groups together (instead of group); with measure share, their joint share.
	Groups []string `yaml:"groups,omitempty" json:"groups,omitempty" jsonschema:"minItems=1"`
}

// Flow is movement between two places or countries.
type Flow struct {
	Node `yaml:"-" json:"-"`
	// Place or country of departure.
	From string `yaml:"from" json:"from" jsonschema:"required"`
	// Place or country of arrival.
	To string `yaml:"to" json:"to" jsonschema:"required"`
}

// Observation is one piece of evidence about the system.
type Observation struct {
	Node `yaml:"-" json:"-"`
	// Unique identifier, e.g. the fact id.
	ID string `yaml:"id" json:"id" jsonschema:"required"`
	// What form the evidence takes.
	Kind ObservationKind `yaml:"kind" json:"kind" jsonschema:"required"`
	// What was counted (default stock).
	Measure Measure `yaml:"measure,omitempty" json:"measure,omitempty"`
	Subject `yaml:",inline"`
	// The day the observation refers to (count, interval, bound, ordering).
	Date Date `yaml:"date,omitzero" json:"date,omitzero"`
	// The period the observation refers to, e.g. arrivals during 1918.
	Period *Period `yaml:"period,omitempty" json:"period,omitempty"`
	// The number (count; bound: the bound itself).
	Value *float64 `yaml:"value,omitempty" json:"value,omitempty"`
	// Lower end (interval).
	Low *float64 `yaml:"low,omitempty" json:"low,omitempty"`
	// Upper end (interval).
	High *float64 `yaml:"high,omitempty" json:"high,omitempty"`
	// Which side value bounds (bound).
	Bound Bound `yaml:"bound,omitempty" json:"bound,omitempty"`
	// Dated counts (series): [YYYY-MM-DD, count] pairs in date order. Between dates the count
	// is interpolated linearly; before the first and after the last it is held. Several series
	// of the same subject add up.
	Counts []CountPoint `yaml:"counts,omitempty" json:"counts,omitempty"`
	// Dates when registration changed (series; Flee's registration_corrections.csv): counts
	// before each date are rescaled to match the count on it. Applies to the subject's summed
	// series; the date must be one of its dates.
	RegistrationChanges []Date `yaml:"registration_changes,omitempty" json:"registration_changes,omitempty"`
	// Subjects ranked from largest to smallest (ordering).
	Order []Subject `yaml:"order,omitempty" json:"order,omitempty" jsonschema:"minItems=2"`
	// Where the evidence comes from.
	Citation *Citation `yaml:"citation,omitempty" json:"citation,omitempty"`
	// Anything else a reader should know.
	Note string `yaml:"note,omitempty" json:"note,omitempty"`
	// Kept out of calibration: caravan calibrate fits the other observations and reports this
	// one apart, as an out-of-sample check. Runs score it like any other.
	HeldOut bool `yaml:"held_out,omitempty" json:"held_out,omitempty"`
}

// CountPoint is one dated count of a series, written [YYYY-MM-DD, count].
type CountPoint struct {
	Date  Date
	Count int
}

// Citation says where an observation comes from and how far to trust it.
type Citation struct {
	Node `yaml:"-" json:"-"`
	// Id of the source (see sources).
	Source string `yaml:"source,omitempty" json:"source,omitempty"`
	// Archival reference, page or table.
	Reference string `yaml:"reference,omitempty" json:"reference,omitempty"`
	// How far the figure can be trusted.
	Reliability Reliability `yaml:"reliability,omitempty" json:"reliability,omitempty"`
	// Share of the true number that registration captured (0 to 1). Interval allowed.
	Coverage *Quantity `yaml:"coverage,omitempty" json:"coverage,omitempty"`
	// Anything else a reader should know.
	Note string `yaml:"note,omitempty" json:"note,omitempty"`
}

// Settings are the parameters of the movement and spawning rules. Keys and defaults are
// those of Flee's simsetting.yml; a key left out takes Flee's code default.
type Settings struct {
	Node `yaml:"-" json:"-"`
	// Movement rules.
	MoveRules *MoveRules `yaml:"move_rules,omitempty" json:"move_rules,omitempty"`
	// Spawning rules of the engine (how the day's displaced are spread over origins).
	SpawnRules *SpawnRules `yaml:"spawn_rules,omitempty" json:"spawn_rules,omitempty"`
	// Speed-ups.
	Optimisations *Optimisations `yaml:"optimisations,omitempty" json:"optimisations,omitempty"`
	// Travel speeds by route mode (Caravan's own; Flee has none).
	ModeSpeeds *ModeSpeeds `yaml:"mode_speeds,omitempty" json:"mode_speeds,omitempty"`
}

// ModeSpeeds are travel speeds by route mode, in km/day: the distance a traveller covers on
// such a route in a day. Each replaces move_rules.max_move_speed on the routes of its mode,
// faster or slower; a route's own max_speed wins over it, and a mode left out keeps
// max_move_speed. It is a speed, not a cap: people walking (start_on_foot on their first leg,
// a walk_probability draw) move at max_walk_speed on every route, even where the mode's
// speed is lower. Both rulesets use them; Flee's case format cannot hold them, so export
// needs max_speed on such routes.
type ModeSpeeds struct {
	Node `yaml:"-" json:"-"`
	// Roads, and routes without a mode.
	Road *float64 `yaml:"road,omitempty" json:"road,omitempty" jsonschema:"exclusiveMinimum=0"`
	// Railways.
	Rail *float64 `yaml:"rail,omitempty" json:"rail,omitempty" jsonschema:"exclusiveMinimum=0"`
	// Sea crossings.
	Sea *float64 `yaml:"sea,omitempty" json:"sea,omitempty" jsonschema:"exclusiveMinimum=0"`
	// River crossings and river boats.
	River *float64 `yaml:"river,omitempty" json:"river,omitempty" jsonschema:"exclusiveMinimum=0"`
	// Mountain tracks and passes.
	MountainTrack *float64 `yaml:"mountain_track,omitempty" json:"mountain_track,omitempty" jsonschema:"exclusiveMinimum=0"`
	// Flights.
	Air *float64 `yaml:"air,omitempty" json:"air,omitempty" jsonschema:"exclusiveMinimum=0"`
}

// MoveRules are Flee's move_rules (docs/flee-model.md §16).
type MoveRules struct {
	Node `yaml:"-" json:"-"`
	// Highest travel speed on a route, km/day (default 360).
	MaxMoveSpeed *float64 `yaml:"max_move_speed,omitempty" json:"max_move_speed,omitempty" jsonschema:"exclusiveMinimum=0"`
	// Walking speed, km/day (default 35).
	MaxWalkSpeed *float64 `yaml:"max_walk_speed,omitempty" json:"max_walk_speed,omitempty" jsonschema:"exclusiveMinimum=0"`
	// Score factor of places abroad (default 1).
	ForeignWeight *float64 `yaml:"foreign_weight,omitempty" json:"foreign_weight,omitempty" jsonschema:"minimum=0"`
	// Score factor of camps (default 1).
	CampWeight *float64 `yaml:"camp_weight,omitempty" json:"camp_weight,omitempty" jsonschema:"minimum=0"`
	// Score factor of places in conflict, raised to the intensity (default 1/√10 ≈ 0.3162).
	ConflictWeight *float64 `yaml:"conflict_weight,omitempty" json:"conflict_weight,omitempty" jsonschema:"minimum=0"`
	// Daily chance of leaving a place in conflict (default 1).
	ConflictMovechance *float64 `yaml:"conflict_movechance,omitempty" json:"conflict_movechance,omitempty" jsonschema:"minimum=0,maximum=1"`
	// Daily chance of leaving a camp (default 0.001).
	CampMovechance *float64 `yaml:"camp_movechance,omitempty" json:"camp_movechance,omitempty" jsonschema:"minimum=0,maximum=1"`
	// Daily chance of leaving a camp for internally displaced people (default 0.1).
	IDPCampMovechance *float64 `yaml:"idpcamp_movechance,omitempty" json:"idpcamp_movechance,omitempty" jsonschema:"minimum=0,maximum=1"`
	// Daily chance of leaving any other place (default 0.3).
	DefaultMovechance *float64 `yaml:"default_movechance,omitempty" json:"default_movechance,omitempty" jsonschema:"minimum=0,maximum=1"`
	// Hops of route knowledge; markers do not count (default 1).
	AwarenessLevel *int `yaml:"awareness_level,omitempty" json:"awareness_level,omitempty" jsonschema:"minimum=-1,maximum=6"`
	// Occupancy fraction of capacity where a place starts to lose attraction (default 0.9).
	CapacityBuffer *float64 `yaml:"capacity_buffer,omitempty" json:"capacity_buffer,omitempty" jsonschema:"minimum=0,maximum=1"`
	// Multiplier on every capacity (default 1).
	CapacityScaling *float64 `yaml:"capacity_scaling,omitempty" json:"capacity_scaling,omitempty" jsonschema:"minimum=0"`
	// Agents that moved recently move less (default false).
	AvoidShortStints *bool `yaml:"avoid_short_stints,omitempty" json:"avoid_short_stints,omitempty"`
	// New agents start walking (default false).
	StartOnFoot *bool `yaml:"start_on_foot,omitempty" json:"start_on_foot,omitempty"`
	// Km added to path lengths in route weights (default 10).
	Softening *float64 `yaml:"softening,omitempty" json:"softening,omitempty" jsonschema:"minimum=0"`
	// Added to a destination's score in route weights (default 0).
	WeightSoftening *float64 `yaml:"weight_softening,omitempty" json:"weight_softening,omitempty" jsonschema:"minimum=0"`
	// Exponent on the destination score (default 1).
	WeightPower *float64 `yaml:"weight_power,omitempty" json:"weight_power,omitempty" jsonschema:"minimum=0"`
	// Exponent on the path length (default 1).
	DistancePower *float64 `yaml:"distance_power,omitempty" json:"distance_power,omitempty" jsonschema:"minimum=0"`
	// Prefer places near home (default false).
	StayCloseToHome *bool `yaml:"stay_close_to_home,omitempty" json:"stay_close_to_home,omitempty"`
	// Exponent of the distance from home (default 0.5).
	HomeDistancePower *float64 `yaml:"home_distance_power,omitempty" json:"home_distance_power,omitempty" jsonschema:"minimum=0"`
	// Weight places by population (default false).
	UsePopForLocWeight *bool `yaml:"use_pop_for_loc_weight,omitempty" json:"use_pop_for_loc_weight,omitempty"`
	// Exponent of the population in place weights (default 0.1).
	PopPowerForLocWeight *float64 `yaml:"pop_power_for_loc_weight,omitempty" json:"pop_power_for_loc_weight,omitempty" jsonschema:"minimum=0"`
	// Population at which move chances are unscaled (default 10000).
	MovechancePopBase *float64 `yaml:"movechance_pop_base,omitempty" json:"movechance_pop_base,omitempty" jsonschema:"exclusiveMinimum=0"`
	// Strength of the population scaling of move chances (default 0: off).
	MovechancePopScaleFactor *float64 `yaml:"movechance_pop_scale_factor,omitempty" json:"movechance_pop_scale_factor,omitempty"`
	// Above 1.001, route candidates weighing less than the best divided by this are dropped
	// (default 1: off).
	PruningThreshold *float64 `yaml:"pruning_threshold,omitempty" json:"pruning_threshold,omitempty" jsonschema:"minimum=0"`
}

// SpawnRules are the engine's part of Flee's spawn_rules. insert_day0, empty_camps_on_day0,
// sum_from_camps and conflict_driven_spawning belong to the spawning block.
type SpawnRules struct {
	Node `yaml:"-" json:"-"`
	// Each displaced person lowers the population of their origin (default false).
	TakeFromPopulation *bool `yaml:"take_from_population,omitempty" json:"take_from_population,omitempty"`
	// Only places in conflict displace people (default true).
	ConflictZoneSpawningOnly *bool `yaml:"conflict_zone_spawning_only,omitempty" json:"conflict_zone_spawning_only,omitempty"`
	// Factors on a conflict's spawn weight by its age in intervals, e.g. [1, 1, 0.5]; the last
	// holds after (default none: no decay).
	ConflictSpawnDecay []float64 `yaml:"conflict_spawn_decay,omitempty" json:"conflict_spawn_decay,omitempty"`
	// Days per step of conflict_spawn_decay (default 30).
	ConflictSpawnDecayInterval *int `yaml:"conflict_spawn_decay_interval,omitempty" json:"conflict_spawn_decay_interval,omitempty" jsonschema:"minimum=1"`
}

// Optimisations are Flee's optimisations.
type Optimisations struct {
	Node `yaml:"-" json:"-"`
	// Divide populations, capacities and observed counts by this, simulating one agent per
	// hasten people (default 1).
	Hasten *int `yaml:"hasten,omitempty" json:"hasten,omitempty" jsonschema:"minimum=1"`
}

// Spawning is how many people are displaced each day, and from what.
type Spawning struct {
	Node `yaml:"-" json:"-"`
	// Where the daily numbers come from (default observed).
	Mode SpawnMode `yaml:"mode,omitempty" json:"mode,omitempty"`
	// Place each camp's observed day-0 population in it before day 0 (default true).
	InsertDay0 *bool `yaml:"insert_day0,omitempty" json:"insert_day0,omitempty"`
	// Count every series from its day-0 value, so camps start empty (default false).
	EmptyCampsOnDay0 *bool `yaml:"empty_camps_on_day0,omitempty" json:"empty_camps_on_day0,omitempty"`
	// Derive the daily numbers from the sum of the place series rather than the total series
	// (default true).
	SumFromCamps *bool `yaml:"sum_from_camps,omitempty" json:"sum_from_camps,omitempty"`
	// How each place in conflict displaces people (mode conflict; default constant).
	Rule ConflictRule `yaml:"rule,omitempty" json:"rule,omitempty"`
	// People per conflict day, times the intensity (mode conflict; default 500, or 0.01 for
	// pop_ratio, where it is a share of the population).
	DisplacedPerConflictDay *float64 `yaml:"displaced_per_conflict_day,omitempty" json:"displaced_per_conflict_day,omitempty" jsonschema:"minimum=0"`
	// People displaced on each day from day 0 (mode daily); at least one number per day.
	Daily []int `yaml:"daily,omitempty" json:"daily,omitempty"`
}
