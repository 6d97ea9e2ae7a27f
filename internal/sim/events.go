package sim

import (
	"fmt"

	"github.com/caravan-sim/caravan/internal/scenario"
)

// applyEvents applies the scenario's events for day t: the conflict events
// when conflicts is true (before spawning), the others otherwise (after
// spawning, before movement), in the order the scenario lists them.
func (e *Engine) applyEvents(t int, conflicts bool) {
	evs := e.sc.Events
	// Events are sorted by day; a binary search would do, but days are few.
	for k := range evs {
		ev := &evs[k]
		if ev.Day != t || ev.Kind.IsConflict() != conflicts {
			continue
		}
		e.apply(ev, t)
	}
}

func (e *Engine) apply(ev *scenario.Event, t int) {
	s := &e.set
	p := ev.Place
	switch ev.Kind {
	case scenario.ConflictStart:
		e.moveCh[p] = s.ConflictMoveChance
		e.conflict[p] = ev.Value
		e.flags[p] &^= pTown
		e.toc[p] = t
	case scenario.ConflictIntensity:
		if e.conflict[p] > 0 {
			e.conflict[p] = ev.Value
		}
	case scenario.ConflictEnd:
		e.moveCh[p] = s.DefaultMoveChance
		e.conflict[p] = -1
		e.flags[p] |= pTown
	case scenario.CloseCamp:
		e.moveCh[p] = s.DefaultMoveChance
		e.flags[p] = (e.flags[p] &^ (pCamp | pIDPCamp | pForward | pMarker)) | pTown
		e.conflict[p] = -1
	case scenario.OpenCamp:
		e.moveCh[p] = s.CampMoveChance
		e.flags[p] = (e.flags[p] &^ (pTown | pForward | pMarker)) | pCamp
		if ev.Value == 1 {
			e.flags[p] |= pIDPCamp
			e.moveCh[p] = s.IDPCampMoveChance
		}
		e.conflict[p] = -1
	case scenario.ChangeKind:
		// Like Flee's change_location_type, but a place in conflict stays in
		// conflict: conflicts are the conflict events' business.
		e.flags[p] &^= pCamp | pIDPCamp | pTown | pForward | pMarker
		switch scenario.Kind(ev.Value) {
		case scenario.Camp:
			e.flags[p] |= pCamp
			e.moveCh[p] = s.CampMoveChance
		case scenario.IDPCamp:
			e.flags[p] |= pCamp | pIDPCamp
			e.moveCh[p] = s.IDPCampMoveChance
		case scenario.Forward:
			e.flags[p] |= pForward
			e.moveCh[p] = 1
		case scenario.Marker:
			e.flags[p] |= pMarker
			e.moveCh[p] = 1
		default:
			e.flags[p] |= pTown
			e.moveCh[p] = s.DefaultMoveChance
		}
		if e.conflict[p] > 0 {
			e.flags[p] &^= pTown
			e.moveCh[p] = s.ConflictMoveChance
		}
		e.invalidateRoutes() // markers are seen through; others are not
	case scenario.CloseBorder, scenario.OpenBorder:
		// The routes crossing the border on this day; a place that changes
		// country later does not take the closure with it.
		c1, c2 := e.countryID(ev.Country), e.countryID(ev.Country2)
		n := e.setLinks(ev.Kind == scenario.CloseBorder, func(l int32) bool {
			a, b := e.country[e.linkFrom[l]], e.country[e.linkTo[l]]
			return (a == c1 && b == c2) || (a == c2 && b == c1)
		})
		if n == 0 {
			e.warnf("%s: day %d: %s %s-%s changed no route", ev.Source, t, ev.Kind, ev.Country, ev.Country2)
		}
	case scenario.ChangeCountry:
		e.changeCountry(ev, t)
	case scenario.ClosePlace, scenario.OpenPlace:
		e.setLinks(ev.Kind == scenario.ClosePlace, func(l int32) bool {
			return e.linkFrom[l] == int32(p) || e.linkTo[l] == int32(p)
		})
	case scenario.CloseRoute, scenario.OpenRoute:
		q := int32(ev.Place2)
		n := e.setLinks(ev.Kind == scenario.CloseRoute, func(l int32) bool {
			a, b := e.linkFrom[l], e.linkTo[l]
			return (a == int32(p) && b == q) || (a == q && b == int32(p))
		})
		if n == 0 {
			e.warnf("%s: day %d: %s changed no route", ev.Source, t, ev.Kind)
		}
	}
}

// setLinks closes or opens every link that match selects and returns how many
// changed. In Caravan mode closures nest: a link closed by two policies opens
// when both have ended. In Flee mode a link is simply open or closed, and the
// agents on a link when it closes are marked to bounce back.
func (e *Engine) setLinks(close bool, match func(l int32) bool) int {
	changed := 0
	for l := range e.linkFrom {
		id := int32(l)
		if !match(id) {
			continue
		}
		if e.set.Mode == ModeFlee {
			if close && e.linkClosed[l] == 0 {
				e.linkClosed[l] = 1
				changed++
				for _, a := range e.travelling {
					if e.aLoc[a] == ^id {
						e.ag[a].flags |= aBounce
					}
				}
			} else if !close && e.linkClosed[l] != 0 {
				e.linkClosed[l] = 0
				changed++
			}
			continue
		}
		if close {
			e.linkClosed[l]++
			changed++
		} else if e.linkClosed[l] > 0 {
			e.linkClosed[l]--
			changed++
		}
	}
	if changed > 0 {
		e.invalidateRoutes()
	}
	return changed
}

func (e *Engine) warnf(format string, args ...any) {
	if len(e.warnings) < 100 {
		e.warnings = append(e.warnings, fmt.Sprintf(format, args...))
	}
}
