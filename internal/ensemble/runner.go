package ensemble

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/caravan-sim/caravan/internal/results"
)

// Event reports progress; the CLI renders it as a bar or a JSON line.
type Event struct {
	Type    string  `json:"type"` // start, member, done
	Done    int     `json:"done"`
	Total   int     `json:"total"`
	Present int     `json:"present,omitempty"` // already done before this run
	Member  int     `json:"member"`
	Seed    uint64  `json:"seed,omitempty"`
	ARD     float64 `json:"ard,omitempty"`
	Seconds float64 `json:"seconds,omitempty"` // this member's wall time
	Elapsed float64 `json:"elapsed"`
}

// RunOptions control Run.
type RunOptions struct {
	Workers int    // default GOMAXPROCS
	CaseDir string // default the plan's case
	// Force reruns members whose files exist.
	Force bool
	// Progress, if set, is called for every event, never concurrently.
	Progress func(Event)
}

// MemberTiming is one member's time split.
type MemberTiming struct {
	Index    int     `json:"index"`
	LoadSec  float64 `json:"load_s"`
	SimSec   float64 `json:"sim_s"`
	WriteSec float64 `json:"write_s"`
}

// RunStats summarises a Run.
type RunStats struct {
	Ran     int            `json:"ran"`
	Present int            `json:"present"`
	Workers int            `json:"workers"`
	Wall    float64        `json:"wall_s"`
	Timings []MemberTiming `json:"timings,omitempty"`
}

// Present reports which of the given members already have a result file.
func Present(p *Plan, dir string, indices []int) []bool {
	out := make([]bool, len(indices))
	for k, i := range indices {
		if st, err := os.Stat(p.MemberPath(dir, i)); err == nil && st.Mode().IsRegular() {
			out[k] = true
		}
	}
	return out
}

// Run simulates the given members of plan p (all when indices is nil) that
// have no result file yet in ensemble folder dir, on a pool of workers, and
// writes each member's file atomically as soon as it is done. Members are
// independent and seeded by the plan, so which worker runs which member
// does not change any result. On error or cancellation the members already
// written stay and a later Run completes the rest.
func Run(ctx context.Context, p *Plan, dir string, indices []int, opt RunOptions) (RunStats, error) {
	start := time.Now()
	if indices == nil {
		indices = make([]int, len(p.Members))
		for i := range indices {
			indices[i] = i
		}
	}
	workers := opt.Workers
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	caseDir := opt.CaseDir
	if caseDir == "" {
		caseDir = p.Case
	}
	if err := os.MkdirAll(filepath.Join(dir, p.Layout.MembersDir), 0o755); err != nil {
		return RunStats{}, err
	}
	var todo []int
	present := Present(p, dir, indices)
	for k, i := range indices {
		if !present[k] || opt.Force {
			todo = append(todo, i)
		}
	}
	stats := RunStats{Present: len(indices) - len(todo), Workers: min(workers, max(1, len(todo)))}
	var mu sync.Mutex
	done := stats.Present
	emit := func(e Event) {
		if opt.Progress == nil {
			return
		}
		e.Total = len(indices)
		e.Elapsed = time.Since(start).Seconds()
		opt.Progress(e)
	}
	emit(Event{Type: "start", Done: done, Present: stats.Present, Member: -1})

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	var firstErr error
	var wg sync.WaitGroup
	for w := 0; w < stats.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var cache CaseCache
			for i := range jobs {
				t0 := time.Now()
				out, tm, err := RunMember(ctx, p, caseDir, i, &cache)
				if err == nil {
					t1 := time.Now()
					err = WriteMember(p.MemberPath(dir, i), out)
					tm.Write = time.Since(t1)
				}
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					cancel()
					mu.Unlock()
					continue
				}
				done++
				stats.Ran++
				stats.Timings = append(stats.Timings, MemberTiming{Index: i, LoadSec: tm.Load.Seconds(),
					SimSec: tm.Sim.Seconds(), WriteSec: tm.Write.Seconds()})
				emit(Event{Type: "member", Done: done, Member: i, Seed: out.Stats.Seed, ARD: out.Stats.ARD,
					Seconds: time.Since(t0).Seconds()})
				mu.Unlock()
			}
		}()
	}
feed:
	for _, i := range todo {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	stats.Wall = time.Since(start).Seconds()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		if errors.Is(firstErr, context.Canceled) {
			return stats, fmt.Errorf("%w after %d of %d members", context.Canceled, done, len(indices))
		}
		return stats, firstErr
	}
	// Sort timings by member for a stable manifest.
	sortTimings(stats.Timings)
	emit(Event{Type: "done", Done: done, Member: -1})
	return stats, nil
}

func sortTimings(t []MemberTiming) {
	for i := 1; i < len(t); i++ {
		for j := i; j > 0 && t[j].Index < t[j-1].Index; j-- {
			t[j], t[j-1] = t[j-1], t[j]
		}
	}
}

// CleanTemps removes the temporary files a killed run left in the members
// folder for the given members (all when indices is nil), and in dir
// itself when indices is nil.
func CleanTemps(p *Plan, dir string, indices []int) error {
	mdir := filepath.Join(dir, p.Layout.MembersDir)
	if indices == nil {
		if _, err := results.RemoveTemps(mdir, nil); err != nil {
			return err
		}
		_, err := results.RemoveTemps(dir, func(name string) bool { return false })
		return err
	}
	mine := map[string]bool{}
	for _, i := range indices {
		mine[filepath.Base(p.MemberPath(dir, i))] = true
	}
	_, err := results.RemoveTemps(mdir, func(name string) bool {
		base := strings.TrimPrefix(name, results.TempPrefix)
		if k := strings.Index(base, results.TempMarker); k >= 0 {
			base = base[:k]
		}
		return !mine[base]
	})
	return err
}

// ParseIndices reads a list like "3", "0-99" or "1,4,10-12".
func ParseIndices(s string, n int) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		a, b, isRange := strings.Cut(part, "-")
		lo, err := strconv.Atoi(a)
		if err != nil {
			return nil, fmt.Errorf("bad index %q", part)
		}
		hi := lo
		if isRange {
			if hi, err = strconv.Atoi(b); err != nil || hi < lo {
				return nil, fmt.Errorf("bad index range %q", part)
			}
		}
		if lo < 0 || hi >= n {
			return nil, fmt.Errorf("index %q out of range 0 to %d", part, n-1)
		}
		for i := lo; i <= hi; i++ {
			out = append(out, i)
		}
	}
	return out, nil
}
