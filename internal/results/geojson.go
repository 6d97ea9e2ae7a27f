package results

import (
	"encoding/json"
	"io"

	"github.com/caravan-sim/caravan/internal/scenario"
)

// WriteNetworkGeoJSON writes the places (points) and routes (lines) of a
// scenario as a GeoJSON FeatureCollection, with each place's final
// population and each route's flows, for maps in any GIS tool.
func WriteNetworkGeoJSON(w io.Writer, sc *scenario.Scenario, final []int, forward, back []int64) error {
	type geometry struct {
		Type        string `json:"type"`
		Coordinates any    `json:"coordinates"`
	}
	type feature struct {
		Type       string         `json:"type"`
		Geometry   geometry       `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection"}
	for i, p := range sc.Places {
		props := map[string]any{
			"id": i, "name": p.Name, "region": p.Region, "country": p.Country,
			"kind": p.Kind.String(), "foreign": p.Foreign, "population": p.Pop,
		}
		if p.Capacity > 0 {
			props["capacity"] = p.Capacity
		}
		if final != nil {
			props["final_agents"] = final[i]
		}
		fc.Features = append(fc.Features, feature{Type: "Feature",
			Geometry:   geometry{Type: "Point", Coordinates: [2]float64{p.Lon, p.Lat}},
			Properties: props})
	}
	for k, r := range sc.Routes {
		a, b := sc.Places[r.From], sc.Places[r.To]
		props := map[string]any{"id": k, "from": a.Name, "to": b.Name, "distance_km": r.DistanceKM}
		if forward != nil {
			props["flow_forward"] = forward[k]
			props["flow_back"] = back[k]
			props["flow"] = forward[k] + back[k]
		}
		fc.Features = append(fc.Features, feature{Type: "Feature",
			Geometry:   geometry{Type: "LineString", Coordinates: [][2]float64{{a.Lon, a.Lat}, {b.Lon, b.Lat}}},
			Properties: props})
	}
	enc := json.NewEncoder(w)
	return enc.Encode(fc)
}

// WriteEventsCSV writes the scenario's dated events (conflicts, closures,
// camp openings) as CSV: the timeline of drivers and policies.
func WriteEventsCSV(w io.Writer, sc *scenario.Scenario) error {
	var buf []byte
	buf = append(buf, "day,date,event,place,place2,country,country2,value,source\n"...)
	name := func(i int) string {
		if i < 0 || i >= len(sc.Places) {
			return ""
		}
		return sc.Places[i].Name
	}
	for _, e := range sc.Events {
		buf = appendRow(buf, itoa(e.Day), sc.Date(e.Day).Format("2006-01-02"), e.Kind.String(),
			name(e.Place), name(e.Place2), e.Country, e.Country2, ftoa(e.Value), e.Source)
	}
	_, err := w.Write(buf)
	return err
}
