package flee_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caravan-sim/caravan/internal/flee"
	"github.com/caravan-sim/caravan/internal/sim"
)

// writeLargeCase writes a Flee case with n places on a grid (every 20th a
// conflict zone, every 20th a camp), routes to grid neighbours, 30 days.
func writeLargeCase(tb testing.TB, n int) string {
	dir := tb.TempDir()
	in, val := filepath.Join(dir, "input"), filepath.Join(dir, "validation")
	os.MkdirAll(in, 0o755)
	os.MkdirAll(val, 0o755)
	side := 1
	for side*side < n {
		side++
	}
	var loc, rt strings.Builder
	loc.WriteString("#name,region,country,lat,lon,location_type,conflict_date,population\n")
	var camps, conflicts []string
	for i := 0; i < n; i++ {
		typ, country, pop := "town", "A", "1000"
		switch {
		case i%20 == 0:
			typ, pop = "conflict_zone", "50000"
			conflicts = append(conflicts, fmt.Sprint("p", i))
		case i%20 == 10:
			typ, country, pop = "camp", "B", ""
			camps = append(camps, fmt.Sprint("p", i))
		}
		fmt.Fprintf(&loc, "p%d,r,%s,%.3f,%.3f,%s,0,%s\n", i, country, float64(i/side)*0.05, float64(i%side)*0.05, typ, pop)
		if (i+1)%side != 0 && i+1 < n {
			fmt.Fprintf(&rt, "p%d,p%d,%d,0\n", i, i+1, 30+i%70)
		}
		if i+side < n {
			fmt.Fprintf(&rt, "p%d,p%d,%d,0\n", i, i+side, 30+i%90)
		}
	}
	os.WriteFile(filepath.Join(in, "locations.csv"), []byte(loc.String()), 0o644)
	os.WriteFile(filepath.Join(in, "routes.csv"), []byte(rt.String()), 0o644)
	os.WriteFile(filepath.Join(in, "closures.csv"), []byte("#type,a,b,start,end\n"), 0o644)
	os.WriteFile(filepath.Join(in, "sim_period.csv"), []byte("StartDate,2020-01-01\nLength,30\n"), 0o644)
	var cf strings.Builder
	cf.WriteString("#Day," + strings.Join(conflicts, ",") + "\n")
	for d := 0; d < 30; d++ {
		cf.WriteString(fmt.Sprint(d) + strings.Repeat(",1", len(conflicts)) + "\n")
	}
	os.WriteFile(filepath.Join(in, "conflicts.csv"), []byte(cf.String()), 0o644)
	var layout strings.Builder
	layout.WriteString("total,total.csv\n")
	os.WriteFile(filepath.Join(val, "total.csv"), []byte("Date,N\n2020-01-01,0\n2020-01-30,100000\n"), 0o644)
	for _, c := range camps {
		fmt.Fprintf(&layout, "%s,%s.csv\n", c, c)
		os.WriteFile(filepath.Join(val, c+".csv"), []byte("Date,N\n2020-01-01,0\n2020-01-30,20\n"), 0o644)
	}
	os.WriteFile(filepath.Join(val, "data_layout.csv"), []byte(layout.String()), 0o644)
	return dir
}

// BenchmarkLoadLarge measures start-up on a 100,000-place case: reading and
// checking every file, then building the engine.
func BenchmarkLoadLarge(b *testing.B) {
	dir := writeLargeCase(b, 100000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := flee.Load(dir, flee.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := sim.New(c.Scenario, c.Config.Sim, 1); err != nil {
			b.Fatal(err)
		}
	}
}
