package scenario

// The types in this file describe what Caravan's own ruleset adds to
// Flee's: who the migrants are (groups), what pushes them (drivers), what
// host states do (policies), whom they prefer (affinities) and where they
// go on to (onward movement). A scenario that uses none of them runs exactly
// as under Flee's rules.

// MaxGroups is the number of groups a scenario may have (group sets are
// 64-bit masks).
const MaxGroups = 64

// GroupSet is a set of group indices; the zero value means every group.
type GroupSet uint64

// Has reports whether g is in the set (an empty set holds every group).
func (s GroupSet) Has(g int) bool { return s == 0 || s&(1<<uint(g)) != 0 }

// Group is a kind of migrant: religion, ethnicity, politics, class, motive.
type Group struct {
	Name  string
	Attrs map[string]string
}

// Driver displaces people from its origins: Daily[t] people on day t,
// shared among the origins in proportion to their population, drawn from
// the groups it hits in proportion to each origin's group shares times the
// driver's propensities.
type Driver struct {
	Name    string
	Kind    string // war, famine, persecution, ...
	Origins []int
	Groups  GroupSet
	Daily   []float64 // people displaced per day, one value per simulated day
	// Propensity[g] (≥ 0) multiplies group g's share when drawing the
	// groups of the people it displaces; nil means 1 for every group.
	Propensity []float64
	Source     string
}

// PolicyKind says what a policy does.
type PolicyKind uint8

const (
	// Border: crossing the links in Links succeeds with probability Pass
	// (0 = closed) for the groups in Groups; a refused person stays where
	// they were that day.
	Border PolicyKind = iota
	// Relocate: people arriving at Places are moved by the host state to one
	// of Targets.
	Relocate
	// Naturalise: people who have lived in Country for Days days become
	// citizens: they stay put and stop counting as refugees.
	Naturalise
	// Deport: each day, people of Groups in Country (or at Places, when
	// given) are returned to Target (or their home when Target < 0) with
	// probability Rate; naturalised people too when Naturalised is set.
	Deport
	// Attract: the pull of Places for Groups is multiplied by Factor while
	// the policy is in force (a host bans émigré organisations, a diaspora
	// network grows); factors of overlapping policies multiply.
	Attract
)

var policyNames = [...]string{"border", "relocate", "naturalise", "deport", "attract"}

func (k PolicyKind) String() string {
	if int(k) < len(policyNames) {
		return policyNames[k]
	}
	return "policy"
}

// Policy is a rule a state applies from day From up to (not including) day
// To (To < 0: to the end).
type Policy struct {
	Name     string
	Kind     PolicyKind
	From, To int
	Groups   GroupSet
	// Border: the directed place pairs (from, to) it governs are Links, plus
	// every route into or out of one of Crossings that crosses a border on
	// the day, plus every route from a place in Countries[0] to one in
	// Countries[1] on the day (when both are set). Crossings and Countries
	// follow places that change country.
	Links       [][2]int
	Crossings   []int
	Countries   [2]string
	Pass        float64 // Border
	Places      []int   // Relocate: where arrivals are taken from; Deport: where people are taken from; Attract: whose pull changes
	Targets     []int   // Relocate: where they are taken to
	Country     string  // Naturalise, Deport
	Days        int     // Naturalise: residence needed
	Rate        float64 // Deport: daily probability
	Target      int     // Deport: destination place, -1 for home
	Naturalised bool    // Deport: naturalised people are taken too
	Handover    bool    // Deport: an extradition to the state they fled, counted apart
	Factor      float64 // Attract
	Source      string
}

// Active reports whether the policy is in force on day t.
func (p *Policy) Active(t int) bool { return t >= p.From && (p.To < 0 || t < p.To) }

// Onward sends some of the people who reach a stopover on to further
// destinations after a wait.
type Onward struct {
	Name      string
	Groups    GroupSet
	Stopovers []int
	Share     float64 // of arrivals who go on (1 = all)
	Wait      Wait
	Targets   []int     // destination places
	Weights   []float64 // their shares
	Source    string
}

// WaitKind is the shape of a waiting-time distribution.
type WaitKind uint8

const (
	WaitFixed WaitKind = iota
	WaitUniform
	WaitExponential
	WaitLognormal
)

// Wait is a waiting-time distribution in days.
type Wait struct {
	Kind          WaitKind
	Days          float64 // fixed
	Min, Max      float64 // uniform
	Mean          float64 // exponential
	Median, Sigma float64 // lognormal
}

// System holds the mechanisms beyond Flee's ruleset. A nil *System, or one
// with nothing in it, leaves the Flee rules untouched.
type System struct {
	Groups []Group
	// Shares[place][group] is the make-up of people displaced from a place;
	// nil rows mean an even split over the groups a driver hits.
	Shares   [][]float64
	Drivers  []Driver
	Policies []Policy
	Onward   []Onward
	// Affinity[group][place] multiplies how attractive a place is to a group
	// (1 where unset); nil means no affinities.
	Affinity [][]float64
}

// Empty reports whether the system adds nothing to Flee's rules.
func (s *System) Empty() bool {
	return s == nil || (len(s.Groups) == 0 && len(s.Drivers) == 0 && len(s.Policies) == 0 && len(s.Onward) == 0 && s.Affinity == nil)
}
