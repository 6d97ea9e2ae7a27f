package server_test

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caravan-sim/caravan/internal/server"
	"github.com/caravan-sim/caravan/web"
)

var (
	loadClients  = flag.Int("load.clients", 32, "concurrent clients of TestLoad_Loopback")
	loadRequests = flag.Int("load.requests", 5000, "requests TestLoad_Loopback sends in all")
)

// loadMix is what a page does: mostly views of runs and scenarios, some
// lists, the page and its script.
func loadMix(t testing.TB, s *testServer, run string) []string {
	js, _ := fs.Glob(web.Dist(), "assets/main-*.js")
	if len(js) != 1 {
		t.Fatalf("bundle script: %v", js)
	}
	var mix []string
	add := func(path string, weight int) {
		for i := 0; i < weight; i++ {
			mix = append(mix, path)
		}
	}
	add("/api/runs/"+run, 8)
	add("/api/scenarios/toy-flee", 4)
	add("/api/runs", 3)
	add("/api/scenarios", 2)
	add("/api/health", 1)
	add("/", 1)
	add("/"+js[0], 1)
	return mix
}

// TestLoad_Loopback holds -load.clients concurrent clients on loopback until
// -load.requests requests are answered, requires every answer to be a 200
// and reports latency percentiles (docs/benchmarks.md quotes them).
func TestLoad_Loopback(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "toy-run")
	if err := cliRun(context.Background(), server.RunRequest{Case: toyCase, Seed: 1}, run, func(int, int) {}); err != nil {
		t.Fatal(err)
	}
	s := start(t, server.Options{Cases: []string{toyCase}, Runs: []string{run}})
	mix := loadMix(t, s, "toy-run")
	clients, total := *loadClients, *loadRequests
	tr := &http.Transport{MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	var next atomic.Int64
	var failed atomic.Int64
	var bytesIn atomic.Int64
	lat := make([]time.Duration, total)
	var firstErr sync.Once
	var errMsg string
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= total {
					return
				}
				path := mix[i%len(mix)]
				t0 := time.Now()
				res, err := client.Get(s.URL + path)
				if err == nil {
					n, _ := io.Copy(io.Discard, res.Body)
					res.Body.Close()
					bytesIn.Add(n)
					if res.StatusCode != http.StatusOK {
						err = fmt.Errorf("GET %s: %s", path, res.Status)
					}
				}
				lat[i] = time.Since(t0)
				if err != nil {
					failed.Add(1)
					firstErr.Do(func() { errMsg = err.Error() })
				}
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	t.Logf("%d requests, %d clients, %d errors in %v: %.0f requests/s, %.1f MiB received; latency p50 %v, p90 %v, p99 %v, max %v",
		total, clients, failed.Load(), wall.Round(time.Millisecond), float64(total)/wall.Seconds(), float64(bytesIn.Load())/(1<<20),
		pct(0.50).Round(time.Microsecond), pct(0.90).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
	if n := failed.Load(); n > 0 {
		t.Fatalf("%d of %d requests failed; first: %s", n, total, errMsg)
	}
	// A generous bound: the machine is shared, but a p99 of seconds means
	// something is serialised that should not be.
	if p := pct(0.99); p > 2*time.Second {
		t.Errorf("p99 latency %v", p)
	}
}

// BenchmarkServe_RunView measures one cached run view answered over
// loopback, gzipped, by parallel clients.
func BenchmarkServe_RunView(b *testing.B) {
	dir := b.TempDir()
	run := filepath.Join(dir, "toy-run")
	if err := cliRun(context.Background(), server.RunRequest{Case: toyCase, Seed: 1}, run, func(int, int) {}); err != nil {
		b.Fatal(err)
	}
	s := start(b, server.Options{Cases: []string{toyCase}, Runs: []string{run}})
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := client.Get(s.URL + "/api/runs/toy-run")
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	})
}
