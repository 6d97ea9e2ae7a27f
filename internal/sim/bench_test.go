package sim_test

import (
	"context"
	"os"
	"testing"

	"github.com/caravan-sim/caravan/internal/flee"
	"github.com/caravan-sim/caravan/internal/sim"
)

// peerCase returns the path of a shared Flee case, skipping when ../shared
// is not beside the repository.
func peerCase(tb testing.TB, name string) string {
	p := "../../../shared/peer-cases/flee/" + name
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("shared peer case %s not found", name)
	}
	return p
}

// BenchmarkRunCase runs whole Flee cases in Flee mode; agent-steps/s is the
// engine's headline throughput.
func BenchmarkRunCase(b *testing.B) {
	for _, name := range []string{"mali", "car"} {
		b.Run(name, func(b *testing.B) {
			c, err := flee.Load(peerCase(b, name), flee.Options{Mode: sim.ModeFlee})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var steps int64
			for i := 0; i < b.N; i++ {
				e, err := sim.New(c.Scenario, c.Config.Sim, uint64(i+1))
				if err != nil {
					b.Fatal(err)
				}
				if err := e.Run(context.Background(), nil); err != nil {
					b.Fatal(err)
				}
				steps += e.AgentSteps()
			}
			b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "agent-steps/s")
			b.ReportMetric(float64(steps)/float64(b.N), "agent-steps/op")
		})
	}
}
