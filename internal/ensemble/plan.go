package ensemble

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/caravan-sim/caravan/internal/flee"
	"github.com/caravan-sim/caravan/internal/results"
	"github.com/caravan-sim/caravan/internal/sim"
)

// PlanFormat identifies plan.json files.
const PlanFormat = "caravan-ensemble-plan/1"

// PlanFile is the plan's name inside an ensemble folder.
const PlanFile = "plan.json"

// Plan fixes an ensemble completely: the case and its input hashes, how it
// is loaded, the parameters, the design, every member's seed and overrides,
// and where results go. Any process holding the plan can run any member
// (run-task) and the merged results depend on nothing else.
type Plan struct {
	Format string `json:"format"`
	// Case is the case folder (absolute); Inputs are its files, relative to
	// it, with their SHA-256: a member refuses to run if they changed.
	Case    string        `json:"case"`
	Name    string        `json:"name"`
	Inputs  []flee.Input  `json:"inputs"`
	Options LoadOptions   `json:"options"`
	Params  []Param       `json:"params"`
	Design  Design        `json:"design"`
	Members []Member      `json:"members"`
	Layout  Layout        `json:"layout"`
	Outputs []string      `json:"outputs"`
	Extra   *PlanMetadata `json:"extra,omitempty"`
}

// PlanMetadata is free-form information about who made a plan; it does not
// change what the members compute.
type PlanMetadata struct {
	Purpose string `json:"purpose,omitempty"` // e.g. "sensitivity"
}

// LoadOptions are the flee.Options shared by all members.
type LoadOptions struct {
	Mode     string   `json:"mode"`
	Days     int      `json:"days,omitempty"`
	Settings string   `json:"settings,omitempty"` // absolute path, "" for the case's own
	Set      []string `json:"set,omitempty"`
}

// Member is one run of an ensemble.
type Member struct {
	Index     int       `json:"index"`
	Point     int       `json:"point"`
	Replicate int       `json:"replicate"`
	Seed      uint64    `json:"seed"`
	Unit      []float64 `json:"unit,omitempty"`   // design point in [0,1]^d
	Values    []float64 `json:"values,omitempty"` // parameter values, in Params order
	Set       []string  `json:"set,omitempty"`    // the overrides that apply Values
}

// Layout says where results go, relative to the plan's folder.
type Layout struct {
	MembersDir string `json:"members_dir"`
	// MemberFile is the name pattern of member files (fmt, with the index).
	MemberFile string `json:"member_file"`
	// MembersPerTask groups members into tasks for schedulers: task t runs
	// members t*MembersPerTask up to the next task's first.
	MembersPerTask int `json:"members_per_task"`
	Tasks          int `json:"tasks"`
}

// Spec is what a plan is built from.
type Spec struct {
	Case    string
	Options flee.Options
	Params  []Param
	Design  Design
	// MembersPerTask groups members for schedulers (default 1).
	MembersPerTask int
	Purpose        string
}

// Output file names in an ensemble folder.
const (
	SummaryCSV     = "summary.csv"
	SummaryParquet = "summary.parquet"
	MembersCSV     = "members.csv"
	MembersParquet = "members.parquet"
	EnsembleJSON   = "ensemble.json"
	ManifestJSON   = "manifest.json"
	DefaultMembers = "members"
	memberFileFmt  = "%06d.parquet"
)

// NewPlan loads the case once (to check it and hash its inputs) and builds
// the plan. Load problems are returned as from flee.Load.
func NewPlan(spec Spec) (*Plan, *flee.Case, error) {
	dir, err := filepath.Abs(spec.Case)
	if err != nil {
		return nil, nil, err
	}
	opt := spec.Options
	if opt.SettingsFile != "" {
		if opt.SettingsFile, err = filepath.Abs(opt.SettingsFile); err != nil {
			return nil, nil, err
		}
	}
	c, err := LoadCase(dir, opt)
	if err != nil {
		return nil, c, err
	}
	d := spec.Design
	if d.Replicates == 0 {
		d.Replicates = 1
	}
	if d.Kind == "" {
		d.Kind = DesignSeeds
		if len(spec.Params) > 0 {
			d.Kind = DesignLHS
		}
	}
	unit, err := d.Unit(len(spec.Params))
	if err != nil {
		return nil, c, err
	}
	p := &Plan{
		Format: PlanFormat, Case: dir, Name: c.Scenario.Name,
		Options: LoadOptions{Mode: opt.Mode.String(), Days: opt.Days, Settings: opt.SettingsFile, Set: opt.Set},
		Params:  spec.Params, Design: d,
	}
	if spec.Purpose != "" {
		p.Extra = &PlanMetadata{Purpose: spec.Purpose}
	}
	base := inputBase(dir)
	for _, in := range c.Inputs {
		rel, err := filepath.Rel(base, in.Path)
		if err != nil || strings.HasPrefix(rel, "..") {
			rel = in.Path // a settings file outside the case
		}
		p.Inputs = append(p.Inputs, flee.Input{Path: filepath.ToSlash(rel), SHA256: in.SHA256, Bytes: in.Bytes})
	}
	for pt, u := range unit {
		for r := 0; r < d.Replicates; r++ {
			m := Member{Index: len(p.Members), Point: pt, Replicate: r}
			m.Seed = d.SeedBase + uint64(m.Index)
			if d.CRN {
				m.Seed = d.SeedBase + uint64(r)
			}
			if len(spec.Params) > 0 {
				m.Unit = u
				for k, prm := range spec.Params {
					v := prm.Value(u[k])
					m.Values = append(m.Values, v)
					m.Set = append(m.Set, prm.Override(v))
				}
			}
			p.Members = append(p.Members, m)
		}
	}
	k := spec.MembersPerTask
	if k < 1 {
		k = 1
	}
	p.Layout = Layout{MembersDir: DefaultMembers, MemberFile: memberFileFmt, MembersPerTask: k,
		Tasks: (len(p.Members) + k - 1) / k}
	p.Outputs = []string{SummaryCSV, SummaryParquet, MembersCSV, MembersParquet, EnsembleJSON, ManifestJSON}
	return p, c, nil
}

// Mode returns the plan's ruleset.
func (p *Plan) Mode() sim.Mode {
	m, _ := sim.ParseMode(p.Options.Mode)
	return m
}

// LoadOptions returns the flee.Options for member m (nil: the base case).
func (p *Plan) LoadOptions(m *Member) flee.Options {
	o := flee.Options{Mode: p.Mode(), Days: p.Options.Days, SettingsFile: p.Options.Settings}
	o.Set = append(o.Set, p.Options.Set...)
	if m != nil {
		o.Set = append(o.Set, m.Set...)
	}
	return o
}

// TaskMembers returns the member indices of scheduler task t.
func (p *Plan) TaskMembers(t int) (first, end int, err error) {
	if t < 0 || t >= p.Layout.Tasks {
		return 0, 0, fmt.Errorf("task %d out of range: the plan has tasks 0 to %d", t, p.Layout.Tasks-1)
	}
	first = t * p.Layout.MembersPerTask
	return first, min(first+p.Layout.MembersPerTask, len(p.Members)), nil
}

// MemberPath returns member i's result file inside ensemble folder dir.
func (p *Plan) MemberPath(dir string, i int) string {
	return filepath.Join(dir, p.Layout.MembersDir, fmt.Sprintf(p.Layout.MemberFile, i))
}

// Encode returns the plan as indented JSON.
func (p *Plan) Encode() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		panic("ensemble: encode plan: " + err.Error())
	}
	return buf.Bytes()
}

// SHA256 returns the hex SHA-256 of the encoded plan.
func (p *Plan) SHA256() string {
	s := sha256.Sum256(p.Encode())
	return hex.EncodeToString(s[:])
}

// WritePlan writes dir/plan.json atomically, creating dir.
func WritePlan(dir string, p *Plan) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	err := results.WriteFileAtomic(filepath.Join(dir, PlanFile), func(w io.Writer) error {
		_, err := w.Write(p.Encode())
		return err
	})
	if err != nil {
		return err
	}
	return os.MkdirAll(filepath.Join(dir, p.Layout.MembersDir), 0o755)
}

// ReadPlan reads a plan.json.
func ReadPlan(path string) (*Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p Plan
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s: not a Caravan plan: %w", path, err)
	}
	if p.Format != PlanFormat {
		return nil, fmt.Errorf("%s: plan format %q, want %q", path, p.Format, PlanFormat)
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &p, nil
}

func (p *Plan) check() error {
	if len(p.Members) == 0 {
		return fmt.Errorf("the plan has no members")
	}
	for i, m := range p.Members {
		if m.Index != i {
			return fmt.Errorf("member %d has index %d", i, m.Index)
		}
		if len(m.Values) != len(p.Params) {
			return fmt.Errorf("member %d has %d parameter values for %d parameters", i, len(m.Values), len(p.Params))
		}
	}
	if p.Layout.MembersPerTask < 1 || p.Layout.Tasks != (len(p.Members)+p.Layout.MembersPerTask-1)/p.Layout.MembersPerTask {
		return fmt.Errorf("layout: %d tasks of %d members do not cover %d members", p.Layout.Tasks, p.Layout.MembersPerTask, len(p.Members))
	}
	if p.Layout.MembersDir == "" || strings.Contains(p.Layout.MembersDir, "..") || filepath.IsAbs(p.Layout.MembersDir) {
		return fmt.Errorf("layout: bad members_dir %q", p.Layout.MembersDir)
	}
	if _, err := sim.ParseMode(p.Options.Mode); err != nil {
		return err
	}
	return nil
}

// CheckInputs verifies that case c was loaded from the files the plan was
// made from.
func (p *Plan) CheckInputs(c *flee.Case) error {
	want := map[string]flee.Input{}
	for _, in := range p.Inputs {
		want[in.Path] = in
	}
	dir := c.Dir
	base := inputBase(dir)
	for _, in := range c.Inputs {
		rel, err := filepath.Rel(base, in.Path)
		if err != nil || strings.HasPrefix(rel, "..") {
			rel = in.Path
		}
		rel = filepath.ToSlash(rel)
		w, ok := want[rel]
		if !ok {
			continue // e.g. a settings file given by another path
		}
		if w.SHA256 != in.SHA256 {
			return fmt.Errorf("input %s changed since the plan was made (SHA-256 %s…, plan has %s…); make a new plan", rel, in.SHA256[:12], w.SHA256[:12])
		}
	}
	return nil
}
