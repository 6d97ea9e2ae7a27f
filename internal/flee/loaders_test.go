package flee

// Table tests for every reader of a Flee case: malformed inputs with the
// exact problem each must give (file, line, column, field, message, hint),
// and good inputs, including Flee's documented quirks (docs/flee-model.md §2).

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/scenario"
	"github.com/caravan-sim/caravan/internal/sim"
)

// writeTemp writes content to name in a new temporary folder and returns the path.
func writeTemp(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// e is an expected error at line:col in field; w a warning.
func e(line, col int, field, msg string) diag.Problem {
	return diag.Problem{Line: line, Column: col, Field: field, Msg: msg}
}

func w(line, col int, field, msg string) diag.Problem {
	return diag.Problem{Line: line, Column: col, Field: field, Msg: msg, Warning: true}
}

func hint(p diag.Problem, h string) diag.Problem { p.Hint = h; return p }

// checkProblems compares problems exactly; a wanted problem with no File
// means the file under test.
func checkProblems(t *testing.T, path string, got, want []diag.Problem) {
	t.Helper()
	want = append([]diag.Problem(nil), want...)
	for i := range want {
		if want[i].File == "" {
			want[i].File = path
		}
	}
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		var b strings.Builder
		b.WriteString("problems differ\n got:")
		for _, p := range got {
			fmt.Fprintf(&b, "\n  %#v", p)
		}
		b.WriteString("\nwant:")
		for _, p := range want {
			fmt.Fprintf(&b, "\n  %#v", p)
		}
		t.Error(b.String())
	}
}

func TestParseInt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		err  string
	}{
		{"42", 42, ""},
		{" -7 ", -7, ""},
		{"1_000", 1000, ""}, // Python's int() accepts digit separators
		{"2147483647", 2147483647, ""},
		{"-2147483648", -2147483648, ""},
		{"", 0, "empty; need a whole number"},
		{"   ", 0, "empty; need a whole number"},
		{"4.5", 0, `"4.5" is not a whole number`},
		{"1e3", 0, `"1e3" is not a whole number`},
		{"NaN", 0, `"NaN" is not a whole number`},
		{"ten", 0, `"ten" is not a number`},
		{"0x10", 0, `"0x10" is not a number`},
		{"2147483648", 0, `"2147483648" is out of range (|value| must be below 2^31)`},
		{"99999999999999999999", 0, `"99999999999999999999" is too large`},
	} {
		got, err := parseInt(tc.in)
		if msg := errString(err); msg != tc.err || got != tc.want {
			t.Errorf("parseInt(%q) = %d, %q; want %d, %q", tc.in, got, msg, tc.want, tc.err)
		}
	}
}

func TestParseFloat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		err  string
	}{
		{"1.5", 1.5, ""},
		{" -3 ", -3, ""},
		{"1e3", 1000, ""},
		{"", 0, "empty; need a number"},
		{"nan", 0, `"nan" is not a finite number`},
		{"-Inf", 0, `"-Inf" is not a finite number`},
		{"1e309", 0, `"1e309" is out of range`},
		{"1,5", 0, `"1,5" is not a number`},
		{"abc", 0, `"abc" is not a number`},
	} {
		got, err := parseFloat(tc.in)
		if msg := errString(err); msg != tc.err || got != tc.want {
			t.Errorf("parseFloat(%q) = %v, %q; want %v, %q", tc.in, got, msg, tc.want, tc.err)
		}
	}
}

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{"2024-03-01", "2024-03-01", ""},
		{" 2024-3-1 ", "2024-03-01", ""}, // strptime takes single digits
		{"2024-02-29", "2024-02-29", ""},
		{"0001-01-01", "0001-01-01", ""},
		{"2023-02-29", "", `"2023-02-29" is not a calendar date`},
		{"2024-13-01", "", `"2024-13-01" is not a calendar date`},
		{"2024-00-10", "", `"2024-00-10" is not a calendar date`},
		{"2024-04-31", "", `"2024-04-31" is not a calendar date`},
		{"24-03-01", "", `"24-03-01": year must have four digits`},
		{"0000-01-01", "", `"0000-01-01": year must have four digits`},
		{"12024-03-01", "", `"12024-03-01": year must have four digits`},
		{"2024-003-01", "", `"2024-003-01" is not a date (want YYYY-MM-DD)`},
		{"2024-+3-01", "", `"2024-+3-01" is not a date (want YYYY-MM-DD)`},
		{"2024/03/01", "", `"2024/03/01" is not a date (want YYYY-MM-DD)`},
		{"01-03-2024", "", `"01-03-2024" is not a date (want YYYY-MM-DD)`},
		{"2024-03-01T00:00", "", `"2024-03-01T00:00" is not a date (want YYYY-MM-DD)`},
		{"", "", `"" is not a date (want YYYY-MM-DD)`},
		{"Date", "", `"Date" is not a date (want YYYY-MM-DD)`},
	} {
		d, err := parseDate(tc.in)
		got := ""
		if err == nil {
			got = d.Format("2006-01-02")
		}
		if msg := errString(err); msg != tc.err || got != tc.want {
			t.Errorf("parseDate(%q) = %q, %q; want %q, %q", tc.in, got, msg, tc.want, tc.err)
		}
	}
}

func TestDaysBetween_FarApart(t *testing.T) {
	start := time.Date(2015, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		d    time.Time
		want int
	}{
		{time.Date(2015, 6, 11, 0, 0, 0, 0, time.UTC), 10},
		{time.Date(2015, 5, 31, 0, 0, 0, 0, time.UTC), -1},
		// More than 292 years apart, where time.Sub saturates.
		{time.Date(1015, 6, 1, 0, 0, 0, 0, time.UTC), -365243},
		{time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), 2916309},
	} {
		if got := daysBetween(tc.d, start); got != tc.want {
			t.Errorf("daysBetween(%s) = %d, want %d", tc.d.Format("2006-01-02"), got, tc.want)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestParseCSV(t *testing.T) {
	type rowWant struct {
		line   int
		fields []string
		cols   []int
	}
	for _, tc := range []struct {
		name string
		in   string
		rows []rowWant
		prob []diag.Problem
	}{
		{"plain", "a,b\nc,d\n", []rowWant{{1, []string{"a", "b"}, []int{1, 3}}, {2, []string{"c", "d"}, []int{1, 3}}}, nil},
		{"no final newline", "a,b\nc,d", []rowWant{{1, []string{"a", "b"}, []int{1, 3}}, {2, []string{"c", "d"}, []int{1, 3}}}, nil},
		{"BOM", "\ufeffa,b\nc,d\n", []rowWant{{1, []string{"a", "b"}, []int{1, 3}}, {2, []string{"c", "d"}, []int{1, 3}}}, nil},
		{"CRLF", "a,b\r\nc,d\r\n", []rowWant{{1, []string{"a", "b"}, []int{1, 3}}, {2, []string{"c", "d"}, []int{1, 3}}}, nil},
		{"lone CR", "a,b\rc,d\r", []rowWant{{1, []string{"a", "b"}, []int{1, 3}}, {2, []string{"c", "d"}, []int{1, 3}}}, nil},
		{"BOM and CRLF", "\ufeffa,b\r\n\r\nc,d", []rowWant{{1, []string{"a", "b"}, []int{1, 3}}, {3, []string{"c", "d"}, []int{1, 3}}}, nil},
		{"blank lines skipped", "\n\na\n\n", []rowWant{{3, []string{"a"}, []int{1}}}, nil},
		{"quoted comma and newline", "\"x,y\",\"p\nq\"\nz\n", []rowWant{{1, []string{"x,y", "p\nq"}, []int{1, 7}}, {3, []string{"z"}, []int{1}}}, nil},
		{"escaped quote", "\"a\"\"b\",c\n", []rowWant{{1, []string{"a\"b", "c"}, []int{1, 8}}}, nil},
		{"bare quote kept", "a\"b,c\n", []rowWant{{1, []string{"a\"b", "c"}, []int{1, 5}}}, nil},
		{"quoted field closed at EOF", "a,\"b\"", []rowWant{{1, []string{"a", "b"}, []int{1, 3}}}, nil},
		{"ragged rows", "a\nb,c,d\n", []rowWant{{1, []string{"a"}, []int{1}}, {2, []string{"b", "c", "d"}, []int{1, 3, 5}}}, nil},
		{"empty", "", nil, nil},
		{"only a BOM", "\ufeff", nil, nil},
		{"unclosed quote", "a,b\nc,\"d\ne,f\n", nil, []diag.Problem{hint(e(2, 3, "", "quoted field is never closed: the file ends inside it"), `is the file truncated, or a closing " missing?`)}},
		{"unclosed quote after lazy quote", "\"a\"b,c\nd\n", nil, []diag.Problem{hint(e(1, 1, "", "quoted field is never closed: the file ends inside it"), `is the file truncated, or a closing " missing?`)}},
		{"unclosed quote with CRLF", "a\r\n\"b\r\n", nil, []diag.Problem{hint(e(2, 1, "", "quoted field is never closed: the file ends inside it"), `is the file truncated, or a closing " missing?`)}},
		{"Latin-1", "name\nD\xf4le,1\n", nil, []diag.Problem{hint(e(2, 2, "", "byte 0xf4 is not valid UTF-8 text"), "save the file as UTF-8; it may be in Latin-1 or Windows-1252")}},
		{"Latin-1 after BOM", "\ufeffa\n\xe9\n", nil, []diag.Problem{hint(e(2, 1, "", "byte 0xe9 is not valid UTF-8 text"), "save the file as UTF-8; it may be in Latin-1 or Windows-1252")}},
		{"UTF-16", "\xff\xfea\x00", nil, []diag.Problem{hint(e(1, 1, "", "the file is UTF-16 text, not UTF-8"), "save it as UTF-8; in Excel, as CSV UTF-8")}},
		{"UTF-16 big-endian", "\xfe\xff\x00a", nil, []diag.Problem{hint(e(1, 1, "", "the file is UTF-16 text, not UTF-8"), "save it as UTF-8; in Excel, as CSV UTF-8")}},
		{"NUL byte", "a,b\nc\x00,d\n", nil, []diag.Problem{e(2, 2, "", "file contains a NUL byte; is it a CSV text file?")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var probs diag.List
			f, ok := parseCSV("f.csv", []byte(tc.in), &probs)
			checkProblems(t, "f.csv", probs.Problems, tc.prob)
			if ok != (len(tc.prob) == 0) {
				t.Fatalf("ok = %v", ok)
			}
			if !ok {
				return
			}
			if string(f.sum) != tc.in {
				t.Errorf("sum holds %q, want the raw input", f.sum)
			}
			var got []rowWant
			for _, r := range f.rows {
				got = append(got, rowWant{r.line, r.fields, r.cols})
			}
			if !reflect.DeepEqual(got, tc.rows) {
				t.Errorf("rows = %v, want %v", got, tc.rows)
			}
		})
	}
}

// The unclosed-quote scan must agree with encoding/csv itself: whenever
// the strict reader (LazyQuotes off) accepts a file, the scan finds nothing.
func TestUnclosedQuote_AgreesWithStrictReader(t *testing.T) {
	for _, in := range []string{"a,b\n", "\"a\",\"b\"\n", "\"a\nb\",c", "\"\"\"\",x\r\n", "\"a\"\r\n\"b\"", ""} {
		if at := unclosedQuote([]byte(in)); at >= 0 {
			t.Errorf("unclosedQuote(%q) = %d, want -1", in, at)
		}
	}
}

const locHeader = "#name,region,country,lat,lon,location_type,conflict_date,population\n"

func placeSummary(p scenario.Place) string {
	s := fmt.Sprintf("%s/%s/%s %v pop=%d cap=%d foreign=%v at=%v,%v", p.Name, p.Region, p.Country, p.Kind, p.Pop, p.Capacity, p.Foreign, p.Lat, p.Lon)
	if p.CapacityPerDay != 0 || p.Initial != 0 || p.ConflictIntensity != 0 {
		s += fmt.Sprintf(" perday=%d initial=%d intensity=%v", p.CapacityPerDay, p.Initial, p.ConflictIntensity)
	}
	return s
}

func TestReadLocations(t *testing.T) {
	const typesList = "want one of camp, idpcamp, conflict_zone, forwarding_hub, marker, town, default"
	for _, tc := range []struct {
		name   string
		in     string
		mode   sim.Mode
		hasten int
		places []string // placeSummary of each place read, when there is no error
		prob   []diag.Problem
	}{
		{name: "good, all kinds", in: locHeader +
			"A,North,Val,10,20,conflict_zone,0,100\n" +
			"B,,,,,town,0,\n" +
			"C,East,Ost,1.5,-2,camp,0,50\n" +
			"D,East,Ost,1,2,IDP_Camp,0,7\n" +
			"F,S,Val,1,2,Forwarding_Hub,,0\n" +
			"M,S,Val,1,2,marker,,0\n" +
			"T,S,Val,1,2,default,,9\n",
			places: []string{
				"A/North/Val conflict_zone pop=100 cap=-1 foreign=false at=10,20",
				"B/unknown/unknown town pop=0 cap=-1 foreign=true at=0,0",
				"C/East/Ost camp pop=0 cap=50 foreign=true at=1.5,-2",
				"D/East/Ost idpcamp pop=0 cap=7 foreign=true at=1,2",
				"F/S/Val forwarding_hub pop=0 cap=-1 foreign=false at=1,2",
				"M/S/Val marker pop=0 cap=-1 foreign=false at=1,2",
				"T/S/Val town pop=9 cap=-1 foreign=false at=1,2",
			}},
		// Flee quirk (§2.2): a conflict_zone with a later conflict_date loads as a town.
		{name: "conflict_zone with date > 0 is a town", in: locHeader + "A,R,V,0,0,conflict_zone,0,5\nB,R,V,0,0,conflict_zone,12,5\n",
			places: []string{"A/R/V conflict_zone pop=5 cap=-1 foreign=false at=0,0", "B/R/V town pop=5 cap=-1 foreign=false at=0,0"}},
		{name: "hasten divides population and capacity", hasten: 10, in: locHeader + "A,R,V,0,0,town,0,1009\nC,R,V,0,0,camp,0,99\n",
			places: []string{"A/R/V town pop=100 cap=-1 foreign=false at=0,0", "C/R/V camp pop=0 cap=9 foreign=false at=0,0"}},
		{name: "custom attributes", in: "#name,region,country,lat,lon,location_type,conflict_date,population,conflict_intensity,capacity_per_day,initial_idps\n" +
			"A,R,V,0,0,conflict_zone,0,5,0.5,,3\nC,R,V,0,0,camp,0,10,,4,\n",
			places: []string{"A/R/V conflict_zone pop=5 cap=-1 foreign=false at=0,0 perday=0 initial=3 intensity=0.5", "C/R/V camp pop=0 cap=10 foreign=false at=0,0 perday=4 initial=0 intensity=0"}},
		{name: "attributes Caravan ignores", in: "#name,region,country,lat,lon,location_type,conflict_date,population,farmer_fraction\nA,R,V,0,0,town,0,5,0.5\n",
			places: []string{"A/R/V town pop=5 cap=-1 foreign=false at=0,0"},
			prob:   []diag.Problem{w(2, 20, "farmer_fraction", "this Flee attribute belongs to a feature Caravan does not implement; it is ignored")}},
		{name: "unknown type, Flee mode", mode: sim.ModeFlee, in: locHeader + "A,R,C,1,2,twon,0,5\n",
			places: []string{"A/R/C unknown pop=5 cap=-1 foreign=false at=1,2"},
			prob:   []diag.Problem{hint(w(2, 11, "location_type", `unknown location type "twon"; Flee gives it move chance 1`), `did you mean "town"?`)}},
		{name: "unknown type", in: locHeader + "A,R,C,1,2,twon,0,5\n",
			prob: []diag.Problem{hint(e(2, 11, "location_type", `unknown location type "twon" (`+typesList+`)`), `did you mean "town"?`)}},
		{name: "unknown type, no suggestion", in: locHeader + "A,R,C,1,2,refugee_settlement,0,5\n",
			prob: []diag.Problem{e(2, 11, "location_type", `unknown location type "refugee_settlement" (`+typesList+`)`)}},
		{name: "flood_zone", mode: sim.ModeFlee, in: locHeader + "A,R,C,1,2,flood_zone,0,5\n",
			prob: []diag.Problem{e(2, 11, "location_type", `location type "flood_zone" is DFlee's flood model, which Caravan does not implement`)}},
		{name: "empty name", in: locHeader + ",R,C,1,2,town,0,5\n",
			prob: []diag.Problem{e(2, 1, "name", "place name is empty")}},
		{name: "blank name", in: locHeader + "  ,R,C,1,2,town,0,5\n",
			prob: []diag.Problem{e(2, 1, "name", "place name is empty")}},
		{name: "short row", in: locHeader + "A,R,C,1,2\n",
			prob: []diag.Problem{e(2, 9, "lon", "row has 5 fields; need 8: name,region,country,lat,lon,location_type,conflict_date,population")}},
		{name: "cut off", in: locHeader + "A,R,C,1,2,town,0,5\nB,R,C,1,2,to",
			prob: []diag.Problem{hint(e(3, 11, "location_type", "row has 6 fields; need 8: name,region,country,lat,lon,location_type,conflict_date,population"), "the file ends in the middle of this row; is it truncated?")}},
		{name: "name listed twice", in: locHeader + "A,R,C,1,2,town,0,5\nB,R,C,1,2,town,0,5\nA,R,C,1,2,camp,0,5\n",
			prob: []diag.Problem{e(4, 1, "name", `place "A" is listed twice (first on line 2)`)}},
		{name: "names are case-sensitive", in: locHeader + "A,R,C,1,2,town,0,5\na,R,C,1,2,town,0,5\n",
			places: []string{"A/R/C town pop=5 cap=-1 foreign=false at=1,2", "a/R/C town pop=5 cap=-1 foreign=false at=1,2"}},
		{name: "coordinates", in: locHeader + "A,R,C,91,2,town,0,5\nB,R,C,1,-181,town,0,5\nD,R,C,NaN,inf,town,0,5\nE,R,C,north,2,town,0,5\n",
			prob: []diag.Problem{
				e(2, 7, "lat", "latitude 91 is outside [-90, 90]"),
				e(3, 9, "lon", "longitude -181 is outside [-180, 360]"),
				e(4, 7, "lat", `"NaN" is not a finite number`),
				e(4, 11, "lon", `"inf" is not a finite number`),
				e(5, 7, "lat", `"north" is not a number`),
			}},
		{name: "population", in: locHeader + "A,R,C,1,2,town,0,-5\nB,R,C,1,2,camp,0,2.5\nD,R,C,1,2,town,0,1e12\nE,R,C,1,2,town,0,99999999999\n",
			prob: []diag.Problem{
				e(2, 18, "population", "population or capacity -5 is negative"),
				e(3, 18, "population", `"2.5" is not a whole number`),
				e(4, 18, "population", `"1e12" is not a whole number`),
				e(5, 18, "population", `"99999999999" is out of range (|value| must be below 2^31)`),
			}},
		{name: "conflict_date", in: locHeader + "A,R,C,1,2,conflict_zone,,5\nB,R,C,1,2,conflict_zone,soon,5\nD,R,C,1,2,town,soon,5\n",
			prob: []diag.Problem{
				e(2, 25, "conflict_date", "empty; need a whole number (a conflict_zone needs the day its conflict starts; 0 for from the start)"),
				e(3, 25, "conflict_date", `"soon" is not a number (a conflict_zone needs the day its conflict starts; 0 for from the start)`),
			}},
		{name: "bad attributes", in: "#name,region,country,lat,lon,location_type,conflict_date,population,initial_idps,capacity_per_day,conflict_intensity\nA,R,C,1,2,town,0,5,-3,x,nan\n",
			prob: []diag.Problem{
				e(2, 20, "initial_idps", "initial_idps -3 is negative"),
				e(2, 23, "capacity_per_day", `"x" is not a number`),
				e(2, 25, "conflict_intensity", `"nan" is not a finite number`),
			}},
		{name: "empty file", in: "", prob: []diag.Problem{e(0, 0, "", "no places: the file has no data rows")}},
		{name: "header only", in: locHeader, prob: []diag.Problem{e(0, 0, "", "no places: the file has no data rows")}},
		{name: "BOM and CRLF", in: "\ufeff" + strings.ReplaceAll(locHeader+"A,R,C,1,2,town,0,5\nB,R,C,1,2,town,0,-5\n", "\n", "\r\n"),
			prob: []diag.Problem{e(3, 18, "population", "population or capacity -5 is negative")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTemp(t, "locations.csv", tc.in)
			cfg := DefaultConfig()
			if tc.hasten > 0 {
				cfg.Spawn.Hasten = tc.hasten
			}
			var probs diag.List
			places, lines, ok := readLocations(path, &cfg, tc.mode, &probs)
			checkProblems(t, path, probs.Problems, tc.prob)
			wantOK := !hasErrors(tc.prob)
			if ok != wantOK {
				t.Fatalf("ok = %v, want %v", ok, wantOK)
			}
			if !ok {
				return
			}
			var got []string
			for _, p := range places {
				got = append(got, placeSummary(p))
			}
			if !reflect.DeepEqual(got, tc.places) {
				t.Errorf("places:\n got %q\nwant %q", got, tc.places)
			}
			if len(lines) != len(places) || lines[0] != 2 {
				t.Errorf("lines = %v", lines)
			}
		})
	}
}

func hasErrors(ps []diag.Problem) bool {
	for _, p := range ps {
		if !p.Warning {
			return true
		}
	}
	return false
}

// testIndex is the place index the route, closure and conflict tests use.
func testIndex() ([]scenario.Place, map[string]int, []string) {
	places := []scenario.Place{
		{Name: "Arden", Country: "Valoria"}, {Name: "Bexley", Country: "Valoria"},
		{Name: "Corran", Country: "Valoria"}, {Name: "Greyhaven", Country: "Ostmark", Kind: scenario.Camp},
		{Name: "Holloway", Country: "Sudria", Kind: scenario.Camp},
	}
	index := map[string]int{}
	var names []string
	for i, p := range places {
		index[p.Name] = i
		names = append(names, p.Name)
	}
	return places, index, names
}

const routeHeader = "#name1,name2,distance,forced_redirection\n"

func TestReadRoutes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     string
		mode   sim.Mode
		routes []scenario.Route
		prob   []diag.Problem
	}{
		{name: "good", in: routeHeader + "Arden,Bexley,95,0\nBexley,Greyhaven,150.5\nArden,Corran, 7 ,\n",
			routes: []scenario.Route{{From: 0, To: 1, DistanceKM: 95}, {From: 1, To: 3, DistanceKM: 150.5}, {From: 0, To: 2, DistanceKM: 7}}},
		{name: "link attributes", in: "#name1,name2,distance,forced_redirection,max_move_speed,walk_probability\nArden,Bexley,95,0,100,0.5\nArden,Corran,5,0,,\n",
			routes: []scenario.Route{{From: 0, To: 1, DistanceKM: 95, MaxSpeed: 100, WalkProbability: 0.5}, {From: 0, To: 2, DistanceKM: 5}}},
		// Flee quirk (§2.3): forced_redirection=1 creates the link twice;
		// Caravan marks it (the engine doubles it only in Flee mode) and warns.
		{name: "forced_redirection=1, Flee mode", mode: sim.ModeFlee, in: routeHeader + "Arden,Bexley,95,1\nArden,Corran,5,2\n",
			routes: []scenario.Route{{From: 0, To: 1, DistanceKM: 95, Duplicate: true}, {From: 0, To: 2, DistanceKM: 5}}},
		{name: "forced_redirection=1", in: routeHeader + "Arden,Bexley,95,1\n",
			routes: []scenario.Route{{From: 0, To: 1, DistanceKM: 95, Duplicate: true}},
			prob:   []diag.Problem{w(2, 17, "forced_redirection", "forced_redirection=1 makes Flee create this route twice (doubling its weight); Caravan creates it once")}},
		{name: "repeated route, Flee keeps both", mode: sim.ModeFlee, in: routeHeader + "Arden,Bexley,95\nBexley,Arden,90\n",
			routes: []scenario.Route{{From: 0, To: 1, DistanceKM: 95}, {From: 1, To: 0, DistanceKM: 90}},
			prob:   []diag.Problem{w(3, 0, "name1", "route Bexley-Arden repeats line 2; Flee keeps both, doubling its weight")}},
		{name: "repeated route, Caravan keeps the first", in: routeHeader + "Arden,Bexley,95\nBexley,Arden,90\n",
			routes: []scenario.Route{{From: 0, To: 1, DistanceKM: 95}},
			prob:   []diag.Problem{w(3, 0, "name1", "route Bexley-Arden repeats line 2; Caravan keeps the first")}},
		{name: "unknown places", in: routeHeader + "Ardn,Bexley,95\nArden,Timbuktu,95\n",
			prob: []diag.Problem{
				hint(e(2, 1, "name1", `unknown place "Ardn"`), `did you mean "Arden"?`),
				e(3, 7, "name2", `unknown place "Timbuktu"`),
			}},
		{name: "names are not trimmed", in: routeHeader + "Arden ,Bexley,95\n",
			prob: []diag.Problem{hint(e(2, 1, "name1", `unknown place "Arden "`), `did you mean "Arden"?`)}},
		{name: "distances", in: routeHeader + "Arden,Bexley,0\nArden,Corran,-5\nBexley,Corran,NaN\nBexley,Greyhaven,1e309\nCorran,Greyhaven,50000\nArden,Greyhaven,\n",
			prob: []diag.Problem{
				e(2, 14, "distance", "distance 0 km must be positive"),
				e(3, 14, "distance", "distance -5 km must be positive"),
				e(4, 15, "distance", `"NaN" is not a finite number`),
				e(5, 18, "distance", `"1e309" is out of range`),
				e(6, 18, "distance", "distance 50000 km is longer than the equator"),
				e(7, 17, "distance", "empty; need a number"),
			}},
		{name: "self loop", in: routeHeader + "Arden,Arden,5\n",
			prob: []diag.Problem{e(2, 7, "name2", `route joins "Arden" to itself`)}},
		{name: "short row", in: routeHeader + "Arden,Bexley\n",
			prob: []diag.Problem{e(2, 7, "name2", "row has 2 fields; need at least 3: name1,name2,distance")}},
		{name: "cut off", in: routeHeader + "Arden,Bexley,95\nArden,Cor",
			prob: []diag.Problem{hint(e(3, 7, "name2", "row has 2 fields; need at least 3: name1,name2,distance"), "the file ends in the middle of this row; is it truncated?")}},
		{name: "empty first field", in: routeHeader + ",Bexley,5\n",
			prob: []diag.Problem{e(2, 1, "name1", "place name is empty")}},
		{name: "forced_redirection", in: routeHeader + "Arden,Bexley,95,3\nArden,Corran,5,yes\n",
			prob: []diag.Problem{
				e(2, 17, "forced_redirection", "forced_redirection 3; want 0, 1 or 2"),
				e(3, 16, "forced_redirection", `"yes" is not a number (want 0, 1 or 2)`),
			}},
		{name: "bad link attributes", in: "#name1,name2,distance,forced_redirection,max_move_speed,walk_probability\nArden,Bexley,95,0,-1,2\n",
			prob: []diag.Problem{
				e(2, 19, "max_move_speed", `max_move_speed must be a positive number of km/day, got "-1"`),
				e(2, 22, "walk_probability", `walk_probability must lie in [0, 1], got "2"`),
			}},
		{name: "empty file", in: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTemp(t, "routes.csv", tc.in)
			_, index, names := testIndex()
			var probs diag.List
			routes, ok := readRoutes(path, index, names, tc.mode, &probs)
			checkProblems(t, path, probs.Problems, tc.prob)
			if wantOK := !hasErrors(tc.prob); ok != wantOK {
				t.Fatalf("ok = %v, want %v", ok, wantOK)
			}
			if ok && !reflect.DeepEqual(routes, tc.routes) {
				t.Errorf("routes:\n got %+v\nwant %+v", routes, tc.routes)
			}
		})
	}
}

func eventSummary(evs []scenario.Event) []string {
	var out []string
	for _, ev := range evs {
		s := fmt.Sprintf("%d %v %d %d", ev.Day, ev.Kind, ev.Place, ev.Place2)
		if ev.Country != "" {
			s += " " + ev.Country + "/" + ev.Country2
		}
		if ev.Value != 0 {
			s += fmt.Sprintf(" %v", ev.Value)
		}
		out = append(out, s)
	}
	return out
}

const closureHeader = "#closure_type,name1,name2,closure_start,closure_end\n"

func TestReadClosures(t *testing.T) {
	const types = "want one of country, location, link, camp, idpcamp, remove_forced_redirection"
	for _, tc := range []struct {
		name   string
		in     string
		mode   sim.Mode
		days   int
		events []string
		prob   []diag.Problem
	}{
		{name: "good", days: 10, in: closureHeader + "country,Valoria,Ostmark,3,6\nlocation,Arden,,0,2\ncamp,Greyhaven,,4,-1\nidpcamp,Greyhaven,,1,5\nlink,Arden,Bexley,2,3\n",
			events: []string{
				"3 close_border -1 -1 Valoria/Ostmark", "6 open_border -1 -1 Valoria/Ostmark",
				"0 close_place 0 -1", "2 open_place 0 -1",
				"4 close_camp 3 -1",
				"1 close_camp 3 -1", "5 open_camp 3 -1 1",
				"2 close_route 0 1", "3 open_route 0 1",
			}},
		{name: "ends after the last day", days: 5, in: closureHeader + "location,Arden,,1,9\nlocation,Bexley,,7,9\n",
			events: []string{"1 close_place 0 -1"},
			prob:   []diag.Problem{w(3, 18, "closure_start", "closure starts on day 7, after the last simulated day 4; it has no effect")}},
		// Flee quirk (§12): link closures close nothing for names read from CSV.
		{name: "link, Flee mode", mode: sim.ModeFlee, days: 10, in: closureHeader + "link,Arden,Bexley,2,3\n",
			prob: []diag.Problem{w(2, 1, "closure_type", "Flee's link closures close nothing for names read from CSV (docs/flee-model.md §19.1); ignored in Flee mode")}},
		{name: "remove_forced_redirection", days: 10, in: closureHeader + "remove_forced_redirection,Arden,Bexley,0,0\n",
			prob: []diag.Problem{w(2, 1, "closure_type", "remove_forced_redirection has no effect on movement (in Flee or Caravan)")}},
		{name: "reversed dates", days: 10, in: closureHeader + "location,Arden,,6,3\n",
			prob: []diag.Problem{e(2, 19, "closure_end", "closure_end 3 is before closure_start 6 (use -1 for a closure that never ends)")}},
		{name: "reversed dates, Flee mode", mode: sim.ModeFlee, days: 10, in: closureHeader + "location,Arden,,6,3\n",
			// Flee still runs the reopening on day 3, when nothing is closed.
			events: []string{"6 close_place 0 -1", "3 open_place 0 -1"},
			prob:   []diag.Problem{w(2, 19, "closure_end", "closure_end 3 is before closure_start 6; in Flee the closure then never ends")}},
		{name: "negative start", days: 10, in: closureHeader + "location,Arden,,-1,3\n",
			prob: []diag.Problem{e(2, 17, "closure_start", "closure_start -1 is negative")}},
		{name: "unknown type", days: 10, in: closureHeader + "Country,Valoria,Ostmark,3,6\nborder,Valoria,Ostmark,3,6\n",
			prob: []diag.Problem{
				hint(e(2, 1, "closure_type", `unknown closure type "Country" (`+types+`)`), `did you mean "country"?`),
				e(3, 1, "closure_type", `unknown closure type "border" (`+types+`)`),
			}},
		{name: "unknown type, Flee mode", mode: sim.ModeFlee, days: 10, in: closureHeader + "border,Valoria,Ostmark,3,6\n",
			prob: []diag.Problem{w(2, 1, "closure_type", `unknown closure type "border"; Flee ignores the row`)}},
		{name: "unknown names", days: 10, in: closureHeader + "country,Valoria,Ostmrk,3,6\nlocation,Ardn,,1,2\nlink,Arden,Nowhere,1,2\n",
			prob: []diag.Problem{
				hint(e(2, 17, "name2", `no place lies in country "Ostmrk"`), `did you mean "Ostmark"?`),
				hint(e(3, 10, "name1", `unknown place "Ardn"`), `did you mean "Arden"?`),
				e(4, 12, "name2", `unknown place "Nowhere"`),
			}},
		{name: "bad days", days: 10, in: closureHeader + "location,Arden,,soon,2\nlocation,Arden,,1,2.5\n",
			prob: []diag.Problem{
				e(2, 17, "closure_start", `"soon" is not a number`),
				e(3, 19, "closure_end", `"2.5" is not a whole number`),
			}},
		{name: "short row and empty type", days: 10, in: closureHeader + "location,Arden,,1\n,Arden,,1,2\n",
			prob: []diag.Problem{
				e(2, 17, "closure_start", "row has 4 fields; need 5: closure_type,name1,name2,closure_start,closure_end"),
				e(3, 1, "closure_type", "closure type is empty (want one of country, location, link, camp, idpcamp, remove_forced_redirection)"),
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTemp(t, "closures.csv", tc.in)
			places, index, names := testIndex()
			var probs diag.List
			evs, ok := readClosures(path, places, index, names, tc.days, tc.mode, &probs)
			checkProblems(t, path, probs.Problems, tc.prob)
			if wantOK := !hasErrors(tc.prob); ok != wantOK {
				t.Fatalf("ok = %v, want %v", ok, wantOK)
			}
			if got := eventSummary(evs); ok && !reflect.DeepEqual(got, tc.events) {
				t.Errorf("events:\n got %q\nwant %q", got, tc.events)
			}
		})
	}
}

func TestReadConflicts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     string
		mode   sim.Mode
		days   int
		events []string
		prob   []diag.Problem
	}{
		{name: "good", days: 4, in: "#Day,Arden,Bexley\n0,1,0\n1,1,0\n2,0,0.5\n3,0,0.5\n",
			events: []string{"0 conflict_start 0 -1 1", "2 conflict_end 0 -1", "2 conflict_start 1 -1 0.5"}},
		{name: "names stripped, empty columns ignored", days: 2, in: "#Day, Arden ,,Bexley,\n0,1,x,0,\n1,1,,1,\n",
			events: []string{"0 conflict_start 0 -1 1", "1 conflict_start 1 -1 1"}},
		// Flee ignores a change of intensity while in conflict (§6); Caravan applies it.
		{name: "intensity change", days: 3, in: "#Day,Arden\n0,1\n1,2\n2,2\n",
			events: []string{"0 conflict_start 0 -1 1", "1 conflict_intensity 0 -1 2"}},
		{name: "intensity change, Flee mode", mode: sim.ModeFlee, days: 3, in: "#Day,Arden\n0,1\n1,2\n2,2\n",
			events: []string{"0 conflict_start 0 -1 1"}},
		{name: "rows beyond the simulation are read but unused", days: 2, in: "#Day,Arden\n0,0\n1,0\n2,1\n3\n",
			events: nil},
		{name: "unknown column", days: 1, in: "#Day,Arden,Bexly\n0,1,1\n",
			events: []string{"0 conflict_start 0 -1 1"},
			prob:   []diag.Problem{hint(w(1, 12, "header", `unknown place "Bexly"; its column is ignored`), `did you mean "Bexley"?`)}},
		{name: "place twice", days: 1, in: "#Day,Arden,Bexley,Arden\n0,1,0,0\n",
			prob: []diag.Problem{e(1, 19, "header", `place "Arden" has a second column (column 4; the first is column 2)`)}},
		{name: "place twice, Flee mode", mode: sim.ModeFlee, days: 2, in: "#Day,Arden,Arden\n0,1,0\n1,0,1\n",
			events: []string{"0 conflict_start 0 -1 1", "1 conflict_end 0 -1", "1 conflict_start 0 -1 1"},
			prob:   []diag.Problem{w(1, 12, "header", `place "Arden" has a second column (column 3; the first is column 2); Flee applies both in turn`)}},
		{name: "bad values", days: 3, in: "#Day,Arden,Bexley\n0,-1,0\n1,nan,x\n2,1e999,\n",
			prob: []diag.Problem{
				e(2, 3, "Arden", "conflict intensity -1 is negative"),
				e(3, 3, "Arden", `"nan" is not a finite number`),
				e(3, 7, "Bexley", `"x" is not a number`),
				e(4, 3, "Arden", `"1e999" is out of range`),
				e(4, 9, "Bexley", "empty; need a number"),
			}},
		{name: "cut off", days: 2, in: "#Day,Arden,Bexley\n0,1,0\n1,1",
			prob: []diag.Problem{hint(e(3, 3, "Bexley", `row has 2 fields; no value for "Bexley" (column 3)`), "the file ends in the middle of this row; is it truncated?")}},
		{name: "too few rows", days: 5, in: "#Day,Arden\n0,1\n1,1\n",
			prob: []diag.Problem{e(3, 0, "#Day", "has 2 day rows; the simulation needs 5 (one per day from day 0)")}},
		{name: "header only", days: 1, in: "#Day,Arden\n",
			prob: []diag.Problem{e(1, 0, "#Day", "has 0 day rows; the simulation needs 1 (one per day from day 0)")}},
		{name: "short and long rows", days: 3, in: "#Day,Arden,Bexley\n0,1,0\n1,1\n2,1,0,7\n",
			prob: []diag.Problem{
				e(3, 3, "Bexley", `row has 2 fields; no value for "Bexley" (column 3)`),
				e(4, 7, "", "row has 4 fields but the header has 3"),
			}},
		{name: "empty file", days: 1, in: "",
			prob: []diag.Problem{e(0, 0, "", "file is empty; need a header row #Day,<place>,... and one row per day")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTemp(t, "conflicts.csv", tc.in)
			_, index, names := testIndex()
			var probs diag.List
			evs, ok := readConflicts(path, index, names, tc.days, tc.mode, &probs)
			checkProblems(t, path, probs.Problems, tc.prob)
			if wantOK := !hasErrors(tc.prob); ok != wantOK {
				t.Fatalf("ok = %v, want %v", ok, wantOK)
			}
			if got := eventSummary(evs); ok && !reflect.DeepEqual(got, tc.events) {
				t.Errorf("events:\n got %q\nwant %q", got, tc.events)
			}
		})
	}
}

func TestReadPeriod(t *testing.T) {
	noStart := diag.Problem{Field: "StartDate", Msg: "no StartDate row", Hint: "add a row StartDate,YYYY-MM-DD"}
	noLength := diag.Problem{Field: "Length", Msg: "no Length row", Hint: "add a row Length,<days>"}
	for _, tc := range []struct {
		name   string
		in     string
		start  string
		length int
		prob   []diag.Problem
	}{
		{name: "good", in: "StartDate,2024-03-01\nLength,10\n", start: "2024-03-01", length: 10},
		{name: "keys are case-insensitive, other rows ignored", in: "#comment\n STARTDATE ,2024-3-1\nlength, 7\nEndDate,2025-01-01\n", start: "2024-03-01", length: 7},
		{name: "empty", in: "", prob: []diag.Problem{noStart, noLength}},
		{name: "month 13", in: "StartDate,2024-13-01\nLength,10\n", prob: []diag.Problem{e(1, 11, "StartDate", `"2024-13-01" is not a calendar date`)}},
		{name: "two-digit year", in: "StartDate,24-03-01\nLength,10\n", prob: []diag.Problem{e(1, 11, "StartDate", `"24-03-01": year must have four digits`)}},
		{name: "length zero", in: "StartDate,2024-03-01\nLength,0\n", prob: []diag.Problem{e(2, 8, "Length", "length 0 days is outside 1..100000")}},
		{name: "length huge", in: "StartDate,2024-03-01\nLength,1000000\n", prob: []diag.Problem{e(2, 8, "Length", "length 1000000 days is outside 1..100000")}},
		{name: "length fraction", in: "StartDate,2024-03-01\nLength,7.5\n", prob: []diag.Problem{e(2, 8, "Length", `"7.5" is not a whole number`)}},
		{name: "twice", in: "StartDate,2024-03-01\nLength,10\nStartDate,2024-03-02\n", prob: []diag.Problem{e(3, 1, "StartDate", "given twice (first on line 1)")}},
		{name: "no value", in: "StartDate\nLength,\n", prob: []diag.Problem{
			e(1, 1, "StartDate", "no value; want StartDate,YYYY-MM-DD"),
			e(2, 1, "Length", "no value; want Length,<days>"),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTemp(t, "sim_period.csv", tc.in)
			var probs diag.List
			start, length, ok := readPeriod(path, &probs)
			checkProblems(t, path, probs.Problems, tc.prob)
			if wantOK := !hasErrors(tc.prob); ok != wantOK {
				t.Fatalf("ok = %v, want %v", ok, wantOK)
			}
			if ok && (start.Format("2006-01-02") != tc.start || length != tc.length) {
				t.Errorf("got %s, %d; want %s, %d", start.Format("2006-01-02"), length, tc.start, tc.length)
			}
		})
	}
}

var day0 = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

func TestReadSeriesFile(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     string
		mode   sim.Mode
		hasten int
		points []point
		prob   []diag.Problem
	}{
		{name: "good", in: "Date,Refugee_numbers\n2024-03-01,100\n2024-03-11,250\n", points: []point{{0, 100}, {10, 250}}},
		{name: "DateTime header, dates before the start", in: "DateTime,n\n2024-02-20,5\n2024-03-02,6\n", points: []point{{-10, 5}, {1, 6}}},
		{name: "no header", in: "2024-03-01,1\n", points: []point{{0, 1}}},
		{name: "skipped rows", in: "Date,n\n#note,1\n2024-03-01\n2024-03-02,\n2024-03-03,3,extra\n", points: []point{{2, 3}}},
		{name: "hasten divides as floats", hasten: 4, in: "2024-03-01,10\n", points: []point{{0, 2.5}}},
		{name: "other header", in: "Day,Count\n2024-03-01,1\n", prob: []diag.Problem{
			hint(e(1, 1, "date", `"Day" is not a date (want YYYY-MM-DD)`), "a header row must start with Date or DateTime"),
		}},
		{name: "bad counts", in: "Date,n\n2024-03-01,1.5\n2024-03-02,-3\n2024-03-03,many\n2024-03-04,3000000000\n", prob: []diag.Problem{
			e(2, 12, "count", `"1.5" is not a whole number`),
			e(3, 12, "count", "count -3 is negative"),
			e(4, 12, "count", `"many" is not a number`),
			e(5, 12, "count", `"3000000000" is out of range (|value| must be below 2^31)`),
		}},
		{name: "bad dates", in: "Date,n\n2024-02-30,1\n,2\n01/03/2024,3\n", prob: []diag.Problem{
			e(2, 1, "date", `"2024-02-30" is not a calendar date`),
			e(3, 1, "date", "date is empty"),
			e(4, 1, "date", `"01/03/2024" is not a date (want YYYY-MM-DD)`),
		}},
		{name: "dates go back", in: "2024-03-05,1\n2024-03-01,2\n", prob: []diag.Problem{
			e(2, 1, "date", "date 2024-03-01 is earlier than the row before it; dates must not go back"),
		}},
		{name: "dates go back, Flee mode", mode: sim.ModeFlee, in: "2024-03-05,1\n2024-03-01,2\n", points: []point{{4, 1}, {0, 2}}, prob: []diag.Problem{
			w(2, 1, "date", "date 2024-03-01 is earlier than the row before it; dates must not go back (Flee interpolates them as given)"),
		}},
		{name: "same date twice is allowed", in: "2024-03-01,1\n2024-03-01,2\n", points: []point{{0, 1}, {0, 2}}},
		{name: "empty", in: "", prob: []diag.Problem{e(0, 0, "", "no observations: need rows of YYYY-MM-DD,count")}},
		{name: "header only", in: "Date,n\n", prob: []diag.Problem{e(0, 0, "", "no observations: need rows of YYYY-MM-DD,count")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTemp(t, "camp.csv", tc.in)
			var probs diag.List
			pts, ok := readSeriesFile(path, day0, max(tc.hasten, 1), tc.mode, &probs)
			checkProblems(t, path, probs.Problems, tc.prob)
			if wantOK := !hasErrors(tc.prob); ok != wantOK {
				t.Fatalf("ok = %v, want %v", ok, wantOK)
			}
			if ok && !reflect.DeepEqual(pts, tc.points) {
				t.Errorf("points = %v, want %v", pts, tc.points)
			}
		})
	}
}

// layoutDir writes data_layout.csv and series files into a new folder.
func layoutDir(t *testing.T, layout string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if layout != "\x00" {
		if err := os.WriteFile(filepath.Join(dir, "data_layout.csv"), []byte(layout), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestReadLayout(t *testing.T) {
	series := map[string]string{
		"total.csv": "Date,n\n2024-03-01,10\n2024-03-11,30\n",
		"a.csv":     "Date,n\n2024-03-01,4\n2024-03-11,20\n",
		"b.csv":     "Date,n\n2024-03-06,6\n",
		"bad.csv":   "Date,n\n2024-03-01,x\n",
	}
	for _, tc := range []struct {
		name   string
		layout string
		mode   sim.Mode
		want   []string // name: points
		prob   []func(dir string) diag.Problem
	}{
		{name: "good", layout: "total,total.csv\nA,a.csv\n#B,b.csv\nB,b.csv\n",
			want: []string{"total: [{0 10} {10 30}]", "A: [{0 4} {10 20}]", "B: [{5 6}]"}},
		{name: "two files summed", layout: "total,total.csv\nAB,a.csv,b.csv\n",
			want: []string{"total: [{0 10} {10 30}]", "AB: [{0 10} {5 18} {10 26}]"}},
		// Flee's AddCSVTables (§2.6): b's 6 on day 5 takes a's next value (20);
		// a's later entries are dropped.
		{name: "two files, Flee's merge", mode: sim.ModeFlee, layout: "total,total.csv\nAB,a.csv,b.csv\n",
			want: []string{"total: [{0 10} {10 30}]", "AB: [{0 4} {5 26}]"}},
		{name: "name twice", layout: "total,total.csv\nA,a.csv\nA,b.csv\n", prob: []func(string) diag.Problem{
			at("data_layout.csv", e(3, 1, "name", `"A" is listed twice (first on line 2)`)),
		}},
		{name: "no file", layout: "total,total.csv\nA\nB,,\n", prob: []func(string) diag.Problem{
			at("data_layout.csv", hint(e(2, 1, "file", `row "A" names no file`), "want A,<file>.csv")),
			at("data_layout.csv", hint(e(3, 4, "file", `row "B" names no file`), "want B,<file>.csv")),
		}},
		{name: "empty name", layout: "total,total.csv\n,a.csv\n", prob: []func(string) diag.Problem{
			at("data_layout.csv", e(2, 1, "name", "name is empty")),
		}},
		{name: "outside the folder", layout: "total,total.csv\nA,../a.csv\nB,/etc/passwd\n", prob: []func(string) diag.Problem{
			at("data_layout.csv", e(2, 3, "file", `"../a.csv" must be a file name inside the validation folder`)),
			at("data_layout.csv", e(3, 3, "file", `"/etc/passwd" must be a file name inside the validation folder`)),
		}},
		{name: "missing and bad series", layout: "total,total.csv\nA,nothere.csv\nB,bad.csv\n", prob: []func(string) diag.Problem{
			at("nothere.csv", e(0, 0, "", "file not found")),
			at("bad.csv", e(2, 12, "count", `"x" is not a number`)),
		}},
		{name: "empty", layout: "", prob: []func(string) diag.Problem{
			at("data_layout.csv", e(0, 0, "", "no rows: the first row must be total,<file> and later rows <camp>,<file>")),
		}},
		{name: "missing", layout: "\x00", prob: []func(string) diag.Problem{
			at("data_layout.csv", e(0, 0, "", "file not found")),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := layoutDir(t, tc.layout, series)
			var probs diag.List
			out, _, ok := readLayout(dir, day0, 1, tc.mode, &probs)
			var want []diag.Problem
			for _, f := range tc.prob {
				want = append(want, f(dir))
			}
			checkProblems(t, "", probs.Problems, want)
			if wantOK := !hasErrors(want); ok != wantOK {
				t.Fatalf("ok = %v, want %v", ok, wantOK)
			}
			if !ok {
				return
			}
			var got []string
			for _, s := range out {
				got = append(got, fmt.Sprintf("%s: %v", s.Name, s.points))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("series:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// at sets a problem's file to name inside the test's folder.
func at(name string, p diag.Problem) func(string) diag.Problem {
	return func(dir string) diag.Problem {
		p.File = filepath.Join(dir, name)
		return p
	}
}

func TestApplyCorrections(t *testing.T) {
	mk := func() []*Series {
		return []*Series{
			{Name: "total", points: []point{{0, 100}, {10, 300}}},
			{Name: "A", points: []point{{0, 10}, {5, 20}, {10, 60}}},
			{Name: "Z", points: []point{{0, 0}, {5, 10}}},
		}
	}
	for _, tc := range []struct {
		name string
		in   string
		want string // A's points after
		prob []diag.Problem
	}{
		// §2.7: a correction on entry i rescales entries 0..i-1 by v[i]/v[i-1].
		{name: "good", in: "A,2024-03-11,normalize\n", want: "[{0 30} {5 60} {10 60}]"},
		{name: "two corrections", in: "A,2024-03-06\nA,2024-03-11\n", want: "[{0 60} {5 60} {10 60}]"},
		{name: "before the start is ignored, short rows too", in: "A,2024-02-01\nA\n\n", want: "[{0 10} {5 20} {10 60}]"},
		{name: "empty file", in: "", want: "[{0 10} {5 20} {10 60}]"},
		{name: "unknown series", in: "Aa,2024-03-06\nTimbuktu,2024-03-06\n", prob: []diag.Problem{
			hint(e(1, 1, "camp", `"Aa" is not a row of data_layout.csv`), `did you mean "A"?`),
			e(2, 1, "camp", `"Timbuktu" is not a row of data_layout.csv`),
		}},
		{name: "bad date", in: "A,2024-03-32\n", prob: []diag.Problem{e(1, 3, "date", `"2024-03-32" is not a calendar date`)}},
		{name: "no such observation", in: "A,2024-03-07\nA,2024-03-01\n", prob: []diag.Problem{
			hint(e(1, 3, "date", "2024-03-07 is not a date of A's observations after the first"), "a correction must name the date of the first count under the new registration"),
			hint(e(2, 3, "date", "2024-03-01 is not a date of A's observations after the first"), "a correction must name the date of the first count under the new registration"),
		}},
		{name: "observation before is zero", in: "Z,2024-03-06\n", prob: []diag.Problem{
			e(1, 3, "date", "the observation before 2024-03-06 is 0; a correction needs it to be at least 1"),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTemp(t, "registration_corrections.csv", tc.in)
			series := mk()
			var probs diag.List
			ok := applyCorrections(path, series, day0, &probs)
			checkProblems(t, path, probs.Problems, tc.prob)
			if wantOK := !hasErrors(tc.prob); ok != wantOK {
				t.Fatalf("ok = %v, want %v", ok, wantOK)
			}
			if got := fmt.Sprint(series[1].points); ok && got != tc.want {
				t.Errorf("A = %s, want %s", got, tc.want)
			}
		})
	}
}

// An error elsewhere must not hide a correction's problem (validate lists all).
func TestApplyCorrections_AfterOtherErrors(t *testing.T) {
	path := writeTemp(t, "registration_corrections.csv", "A,2024-03-07\n")
	var probs diag.List
	probs.Errorf("routes.csv", 2, 1, "distance", "earlier problem")
	series := []*Series{{Name: "total", points: []point{{0, 1}}}, {Name: "A", points: []point{{0, 10}, {5, 20}}}}
	if applyCorrections(path, series, day0, &probs) {
		t.Fatal("ok despite a date that matches no observation")
	}
	if len(probs.Problems) != 2 {
		t.Fatalf("problems = %v", probs.Problems)
	}
}

func TestSeriesAt(t *testing.T) {
	for _, tc := range []struct {
		name   string
		points []point
		want   []int // days 0..len-1
	}{
		{"empty", nil, []int{0, 0}},
		// §2.6: the first value before the first date, no clamping to zero.
		{"starts later", []point{{3, 50}}, []int{50, 50, 50, 50, 50}},
		{"interpolation truncates", []point{{0, 0}, {3, 10}, {5, 0}}, []int{0, 3, 6, 10, 5, 0, 0}},
		{"dates before the start", []point{{-10, 0}, {10, 20}}, []int{10, 11, 12}},
		{"fractions from hasten", []point{{0, 2.5}, {2, 3.5}}, []int{2, 3, 3}},
		{"repeated date", []point{{0, 1}, {2, 5}, {2, 9}, {4, 9}}, []int{1, 3, 9, 9, 9}},
		{"dates going back (Flee mode)", []point{{0, 0}, {4, 8}, {2, 100}}, []int{0, 2, 4, 6, 100, 100}},
		{"decreasing counts", []point{{0, 10}, {4, 0}}, []int{10, 7, 5, 2, 0, 0}},
	} {
		s := &Series{points: tc.points}
		var got []int
		for d := range tc.want {
			got = append(got, s.At(d))
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: At = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMerge(t *testing.T) {
	for _, tc := range []struct {
		name       string
		t1, t2     []point
		flee, sum_ []point
	}{
		{name: "same dates",
			t1: []point{{0, 1}, {10, 2}}, t2: []point{{0, 10}, {10, 20}},
			flee: []point{{0, 11}, {10, 22}}, sum_: []point{{0, 11}, {10, 22}}},
		// The second table's date between two first-table dates takes the
		// *next* first-table value; first-table entries after the last
		// second-table date are dropped (§2.6).
		{name: "between and dropped",
			t1: []point{{0, 1}, {10, 2}, {20, 3}}, t2: []point{{5, 10}},
			flee: []point{{0, 1}, {5, 12}}, sum_: []point{{0, 11}, {5, 11.5}, {10, 12}, {20, 13}}},
		// First-table entries before the current second-table date get the
		// last seen second-table value.
		{name: "last seen value",
			t1: []point{{0, 1}, {5, 2}, {10, 3}}, t2: []point{{0, 10}, {12, 20}},
			flee: []point{{0, 11}, {5, 12}, {10, 13}}, sum_: []point{{0, 11}, {5, 12 + 50.0/12}, {10, 3 + 10 + 100.0/12}, {12, 23}}},
		// Repeated dates are possible in Flee's merge. The last seen value
		// is updated only on a matching or earlier date, so here it stays 0
		// (Flee itself would fail indexing its initial last_c2).
		{name: "repeats",
			t1: []point{{0, 1}}, t2: []point{{3, 10}, {6, 20}},
			flee: []point{{0, 1}, {0, 1}}, sum_: []point{{0, 11}, {3, 11}, {6, 21}}},
	} {
		if got := mergeFlee(tc.t1, tc.t2); !pointsClose(got, tc.flee) {
			t.Errorf("%s: mergeFlee = %v, want %v", tc.name, got, tc.flee)
		}
		if got := mergeSum(tc.t1, tc.t2); !pointsClose(got, tc.sum_) {
			t.Errorf("%s: mergeSum = %v, want %v", tc.name, got, tc.sum_)
		}
	}
}

func pointsClose(a, b []point) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].day != b[i].day || math.Abs(a[i].value-b[i].value) > 1e-9 {
			return false
		}
	}
	return true
}

func TestSettings(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		check func(c Config) string // "" when the config is as expected
		prob  []diag.Problem
	}{
		{name: "good", in: "log_levels:\n  agent: 0\nspawn_rules:\n  take_from_population: yes\n  conflict_spawn_decay: [1, 0.5]\nmove_rules:\n  max_move_speed: 200\n  awareness_level: 2\n  camp_weight: 2\noptimisations:\n  hasten: 2.0\n",
			check: func(c Config) string {
				if c.Sim.MaxMoveSpeed != 200 || c.Sim.AwarenessLevel != 2 || c.Sim.CampWeight != 2 || !c.Sim.TakeFromPopulation || c.Spawn.Hasten != 2 || !reflect.DeepEqual(c.Sim.ConflictSpawnDecay, []float64{1, 0.5}) {
					return fmt.Sprintf("%+v", c)
				}
				return ""
			}},
		{name: "BOM and CRLF", in: "\ufeffmove_rules:\r\n  max_move_speed: 200\r\n",
			check: func(c Config) string {
				if c.Sim.MaxMoveSpeed != 200 {
					return fmt.Sprint(c.Sim.MaxMoveSpeed)
				}
				return ""
			}},
		{name: "quoted keys", in: "\"move_rules\":\n  'max_move_speed': 200\n",
			check: func(c Config) string {
				if c.Sim.MaxMoveSpeed != 200 {
					return fmt.Sprint(c.Sim.MaxMoveSpeed)
				}
				return ""
			}},
		{name: "key with a line break", in: "move_rules:\n  \"max\\nspeed\": 2\n", prob: []diag.Problem{
			hint(w(2, 3, `"move_rules.max\nspeed"`, "unknown setting; Flee ignores it, and so does Caravan"), `did you mean "move_rules.max_move_speed"?`),
		}},
		{name: "empty", in: ""},
		{name: "comments only", in: "# nothing\n"},
		{name: "empty sections", in: "move_rules:\nspawn_rules: {}\n"},
		{name: "conflict-driven spawning", in: "spawn_rules:\n  conflict_driven_spawning:\n    spawn_mode: Poisson\n    displaced_per_conflict_day: 20\n",
			check: func(c Config) string {
				if !c.Spawn.ConflictDriven || c.Spawn.ConflictSpawnMode != "poisson" || c.Spawn.PerConflictDay != 20 {
					return fmt.Sprintf("%+v", c.Spawn)
				}
				return ""
			}},
		{name: "not a mapping", in: "- 1\n- 2\n", prob: []diag.Problem{e(1, 1, "", "the settings file must be a mapping of sections (move_rules:, spawn_rules:, ...)")}},
		{name: "tab indent", in: "move_rules:\n\tmax_move_speed: 5\n", prob: []diag.Problem{e(2, 1, "", "invalid YAML: found character '\t' that cannot start any token")}},
		{name: "key twice", in: "move_rules:\n  max_move_speed: 5\n  max_move_speed: 6\n", prob: []diag.Problem{e(3, 3, "", `invalid YAML: mapping key "max_move_speed" already defined at [2:3]`)}},
		{name: "unclosed list", in: "move_rules:\n  camp_weight: [1\n", prob: []diag.Problem{e(2, 16, "", "invalid YAML: sequence end token ']' not found")}},
		{name: "unknown alias", in: "move_rules:\n  camp_weight: *w\n", prob: []diag.Problem{e(2, 3, "move_rules.camp_weight", `invalid value: could not find alias "w"`)}},
		{name: "not UTF-8", in: "move_rules:\n  caf\xe9: 1\n", prob: []diag.Problem{hint(e(2, 6, "", "byte 0xe9 is not valid UTF-8 text"), "save the file as UTF-8")}},
		{name: "unknown keys", in: "move_rules:\n  max_mov_speed: 5\nfoo: 1\n", prob: []diag.Problem{
			hint(w(2, 3, "move_rules.max_mov_speed", "unknown setting; Flee ignores it, and so does Caravan"), `did you mean "move_rules.max_move_speed"?`),
			w(3, 1, "foo", "unknown setting; Flee ignores it, and so does Caravan"),
		}},
		{name: "wrong types", in: "move_rules:\n  max_move_speed: fast\n  awareness_level: 2.5\n  avoid_short_stints: maybe\n  camp_weight: [1]\nspawn_rules:\n  conflict_spawn_decay: 1\n  conflict_driven_spawning:\n    spawn_mode: 3\n", prob: []diag.Problem{
			e(2, 3, "move_rules.max_move_speed", `want a number, got "fast"`),
			e(3, 3, "move_rules.awareness_level", "want a whole number, got 2.5"),
			e(4, 3, "move_rules.avoid_short_stints", `want true or false, got "maybe"`),
			e(5, 3, "move_rules.camp_weight", "want a number, got a list"),
			e(7, 3, "spawn_rules.conflict_spawn_decay", "want a list of numbers, e.g. [1, 1, 0.5], got 1"),
			e(9, 5, "spawn_rules.conflict_driven_spawning.spawn_mode", "want a word, got 3"),
		}},
		{name: "NaN and infinity", in: "move_rules:\n  max_move_speed: .nan\n  camp_weight: -.inf\nspawn_rules:\n  conflict_spawn_decay: [1, .nan]\n", prob: []diag.Problem{
			e(2, 3, "move_rules.max_move_speed", "want a finite number, got NaN"),
			e(3, 3, "move_rules.camp_weight", "want a finite number, got -Inf"),
			e(5, 3, "spawn_rules.conflict_spawn_decay", "list item NaN is not a finite number"),
		}},
		{name: "huge numbers", in: "optimisations:\n  hasten: 99999999999\nmove_rules:\n  softening: 1e400\n", prob: []diag.Problem{
			e(2, 3, "optimisations.hasten", "want a whole number, got 99999999999"),
			e(4, 3, "move_rules.softening", `want a number, got "1e400"`),
		}},
		{name: "unsupported features", in: "spawn_rules:\n  camps_are_sicks: true\n  read_from_agents_csv_file: false\nmove_rules:\n  harvest_months: [6]\n", prob: []diag.Problem{
			e(2, 3, "spawn_rules.camps_are_sicks", "Caravan does not implement this Flee feature yet; remove the key or set it to false"),
			e(5, 3, "move_rules.harvest_months", "Caravan does not implement this Flee feature yet; remove the key or set it to []"),
		}},
		{name: "section given a value", in: "move_rules: 5\noptimisations: [1]\n", prob: []diag.Problem{
			e(1, 1, "move_rules", "want a section of indented key: value lines, got 5"),
			e(2, 1, "optimisations", "want a section of indented key: value lines, got a list"),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const path = "simsetting.yml"
			var probs diag.List
			list, ok := parseSettings(path, []byte(tc.in), &probs)
			c := DefaultConfig()
			if ok {
				applySettings(&c, list, &probs)
			}
			checkProblems(t, path, probs.Problems, tc.prob)
			if !hasErrors(tc.prob) && !ok {
				t.Fatal("not ok")
			}
			if tc.check != nil {
				if msg := tc.check(c); msg != "" {
					t.Errorf("config: %s", msg)
				}
			}
		})
	}
}

func TestParseOverride(t *testing.T) {
	for _, tc := range []struct {
		arg, path string
		value     any
		err       string
	}{
		{"move_rules.max_move_speed=200", "move_rules.max_move_speed", uint64(200), ""},
		{" optimisations.hasten = 2", "optimisations.hasten", uint64(2), ""},
		{"spawn_rules.conflict_spawn_decay=[1, 0.5]", "spawn_rules.conflict_spawn_decay", []any{uint64(1), 0.5}, ""},
		{"move_rules.max_move_speed", "", nil, `--set "move_rules.max_move_speed": want KEY=VALUE, e.g. move_rules.max_move_speed=200`},
		{"=5", "", nil, `--set "=5": want KEY=VALUE, e.g. move_rules.max_move_speed=200`},
		// Found by FuzzSettings: the YAML error used to carry a source excerpt on more lines.
		{`move_rules.camp_weight="`, "", nil, `--set "move_rules.camp_weight=\"": value is not valid YAML: could not find end character of double-quoted text`},
	} {
		s, err := parseOverride(tc.arg)
		if msg := errString(err); msg != tc.err {
			t.Errorf("parseOverride(%q) error %q, want %q", tc.arg, msg, tc.err)
			continue
		}
		if err == nil && (s.path != tc.path || !reflect.DeepEqual(s.value, tc.value) || s.file != "--set "+tc.arg) {
			t.Errorf("parseOverride(%q) = %+v", tc.arg, s)
		}
	}
}
