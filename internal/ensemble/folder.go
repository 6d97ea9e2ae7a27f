package ensemble

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"

	"github.com/caravan-sim/caravan/internal/flee"
	"github.com/caravan-sim/caravan/internal/results"
)

// ErrOtherPlan is returned by Open when the folder holds another ensemble.
var ErrOtherPlan = errors.New("holds a different ensemble")

// Open prepares ensemble folder dir for plan p and reports whether it
// resumes earlier work. A folder holding the same plan is resumed (member
// files kept, leftovers of killed writes removed); one holding another plan
// is an ErrOtherPlan unless replace, when its contents are deleted; a
// folder that exists without a plan.json must be empty. The caller should
// hold Lock(dir).
func Open(dir string, p *Plan, replace bool) (resumed bool, err error) {
	planPath := filepath.Join(dir, PlanFile)
	old, err := os.ReadFile(planPath)
	switch {
	case err == nil:
		if !replace && SamePlan(old, p) {
			return true, CleanTemps(p, dir, nil)
		}
		if !replace {
			return false, fmt.Errorf("%s %w (its plan.json differs: other case, inputs, settings, parameters or design); use --force to replace it or choose another --out", dir, ErrOtherPlan)
		}
		if err := clearFolder(dir); err != nil {
			return false, err
		}
	case os.IsNotExist(err):
		ents, err := os.ReadDir(dir)
		if err != nil && !os.IsNotExist(err) {
			return false, err
		}
		// What a run killed before plan.json appeared leaves: the lock and
		// a temporary plan file.
		for _, e := range ents {
			if e.Name() != LockFile && !results.IsTempName(e.Name()) {
				return false, fmt.Errorf("%s exists and is not an ensemble folder (no plan.json); choose another --out", dir)
			}
		}
		if _, err := results.RemoveTemps(dir, nil); err != nil {
			return false, err
		}
	default:
		return false, err
	}
	return false, WritePlan(dir, p)
}

// SamePlan reports whether an encoded plan describes the same members and
// layout of results as p; how members are grouped into scheduler tasks and
// free-form metadata do not count.
func SamePlan(encoded []byte, p *Plan) bool {
	if bytes.Equal(encoded, p.Encode()) {
		return true
	}
	var q Plan
	if err := json.Unmarshal(encoded, &q); err != nil {
		return false
	}
	return bytes.Equal(q.identity(), p.identity())
}

func (p *Plan) identity() []byte {
	q := *p
	q.Layout.MembersPerTask, q.Layout.Tasks, q.Extra = 0, 0, nil
	return q.Encode()
}

func clearFolder(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if e.Name() == LockFile {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// Manifest is an ensemble folder's manifest.json: how the results were
// made, with timings. It is the only output that holds timings.
type Manifest struct {
	Tool       string       `json:"tool"`
	Version    string       `json:"version"`
	Command    []string     `json:"command"`
	PlanSHA256 string       `json:"plan_sha256"`
	Case       string       `json:"case"`
	Inputs     []flee.Input `json:"inputs"`
	Members    int          `json:"members"`
	Run        *RunStats    `json:"run,omitempty"`
	// MemberTimes summarises Run.Timings: medians and totals in seconds.
	MemberTimes  *TimeSummary      `json:"member_times,omitempty"`
	MergeSeconds float64           `json:"merge_s"`
	WallSeconds  float64           `json:"wall_s"`
	Outputs      []string          `json:"outputs"`
	Extra        map[string]string `json:"extra,omitempty"`
}

// TimeSummary splits member time into loading the case, simulating and
// writing the member file.
type TimeSummary struct {
	Members     int     `json:"members"`
	MedianLoad  float64 `json:"median_load_s"`
	MedianSim   float64 `json:"median_sim_s"`
	MedianWrite float64 `json:"median_write_s"`
	TotalLoad   float64 `json:"total_load_s"`
	TotalSim    float64 `json:"total_sim_s"`
	TotalWrite  float64 `json:"total_write_s"`
}

// Summarize returns the time split of the members a run simulated.
func Summarize(t []MemberTiming) *TimeSummary {
	if len(t) == 0 {
		return nil
	}
	var l, s, w []float64
	ts := &TimeSummary{Members: len(t)}
	for _, x := range t {
		l, s, w = append(l, x.LoadSec), append(s, x.SimSec), append(w, x.WriteSec)
		ts.TotalLoad += x.LoadSec
		ts.TotalSim += x.SimSec
		ts.TotalWrite += x.WriteSec
	}
	med := func(v []float64) float64 { slices.Sort(v); return Quantile(v, 0.5) }
	ts.MedianLoad, ts.MedianSim, ts.MedianWrite = med(l), med(s), med(w)
	return ts
}

// NewManifest fills the fields of a manifest that come from the plan.
func NewManifest(p *Plan, tool, version string, command []string) Manifest {
	return Manifest{Tool: tool, Version: version, Command: command, PlanSHA256: p.SHA256(), Case: p.Case,
		Inputs: p.Inputs, Members: len(p.Members), Outputs: p.Outputs,
		Extra: map[string]string{"go": runtime.Version(), "gomaxprocs": strconv.Itoa(runtime.GOMAXPROCS(0)),
			"num_cpu": strconv.Itoa(runtime.NumCPU()), "os_arch": runtime.GOOS + "/" + runtime.GOARCH}}
}

// WriteManifest writes dir/manifest.json atomically.
func WriteManifest(dir string, m Manifest) error {
	return results.WriteFileAtomic(filepath.Join(dir, ManifestJSON), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(m)
	})
}
