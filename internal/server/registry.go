package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/caravan-sim/caravan/internal/ensemble"
	"github.com/caravan-sim/caravan/internal/flee"
)

// runsDir is where, inside the workspace, the workbench writes runs.
const runsDir = "runs"

// idRe is what an id looks like: ids are made by the server, never paths.
var idRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

func validID(id string) bool { return idRe.MatchString(id) && !strings.Contains(id, "..") }

// slug turns a folder name into an id.
func slug(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	s := strings.Trim(b.String(), "-_")
	if s == "" {
		s = "x"
	}
	if len(s) > 100 {
		s = s[:100]
	}
	return s
}

// scenarioEntry is a registered case folder.
type scenarioEntry struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Origin string `json:"origin"` // argument, workspace, examples
	Dir    string `json:"-"`      // absolute, symlinks resolved

	once sync.Once
	c    *flee.Case
	err  error
}

// load reads the case once (caravan rules, the case's own settings).
func (e *scenarioEntry) load() (*flee.Case, error) {
	e.once.Do(func() { e.c, e.err = flee.Load(e.Dir, flee.Options{}) })
	return e.c, e.err
}

// runEntry is a registered run or ensemble folder.
type runEntry struct {
	ID   string
	Dir  string // absolute, symlinks resolved
	Kind string // run or ensemble
}

type registry struct {
	ws   string
	logf func(string, ...any)

	mu        sync.Mutex
	scenarios []*scenarioEntry
	byCase    map[string]*scenarioEntry // resolved dir → entry
	runs      map[string]*runEntry
	given     []*runEntry // runs given explicitly, in order
	infos     map[string]cachedInfo
}

// cachedInfo is a run's list entry and the time of the file it came from.
type cachedInfo struct {
	info RunInfo
	mod  time.Time
}

func newRegistry(ws string, logf func(string, ...any)) *registry {
	return &registry{ws: ws, logf: logf, byCase: map[string]*scenarioEntry{}, runs: map[string]*runEntry{},
		infos: map[string]cachedInfo{}}
}

// resolve makes dir absolute and resolves symlinks, so that a folder has one
// name however it was given.
func resolve(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// IsCase reports whether dir looks like a Flee case folder.
func IsCase(dir string) bool { return isFile(filepath.Join(dir, "input", "locations.csv")) }

// IsRun reports whether dir looks like the output folder of `caravan run`.
func IsRun(dir string) bool {
	return isFile(filepath.Join(dir, "manifest.json")) && isFile(filepath.Join(dir, "out.csv")) &&
		isFile(filepath.Join(dir, "summary.json"))
}

// IsEnsemble reports whether dir holds a finished ensemble.
func IsEnsemble(dir string) bool {
	return isFile(filepath.Join(dir, ensemble.PlanFile)) && isFile(filepath.Join(dir, ensemble.EnsembleJSON)) &&
		isFile(filepath.Join(dir, ensemble.SummaryCSV))
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func (r *registry) addCase(dir, origin string) (*scenarioEntry, error) {
	res, err := resolve(dir)
	if err != nil {
		return nil, fmt.Errorf("case folder %s: %w", dir, err)
	}
	if !IsCase(res) {
		return nil, fmt.Errorf("%s is not a case folder (no input/locations.csv)", dir)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if e := r.byCase[res]; e != nil {
		return e, nil
	}
	name := filepath.Base(res)
	id := slug(name)
	for k := 2; r.scenarioByIDLocked(id) != nil; k++ {
		id = fmt.Sprintf("%s-%d", slug(name), k)
	}
	e := &scenarioEntry{ID: id, Name: name, Origin: origin, Dir: res}
	r.scenarios = append(r.scenarios, e)
	r.byCase[res] = e
	return e, nil
}

func (r *registry) scenarioByIDLocked(id string) *scenarioEntry {
	for _, e := range r.scenarios {
		if e.ID == id {
			return e
		}
	}
	return nil
}

func (r *registry) scenario(id string) *scenarioEntry {
	if !validID(id) {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.scenarioByIDLocked(id)
}

// scenarioForDir returns the registered scenario whose folder is dir, if
// any. A relative dir is taken from the current folder (where a run
// recorded in its manifest was most likely made).
func (r *registry) scenarioForDir(dir string) *scenarioEntry {
	if dir == "" {
		return nil
	}
	res, err := resolve(dir)
	if err != nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byCase[res]
}

func (r *registry) listScenarios() []*scenarioEntry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*scenarioEntry(nil), r.scenarios...)
}

// scanCases registers the case folders at most three levels below root,
// skipping hidden folders, the workspace's runs and symlinked folders.
func (r *registry) scanCases(root, origin string) {
	res, err := resolve(root)
	if err != nil {
		return // a missing examples/ is normal
	}
	base := strings.Count(res, string(filepath.Separator))
	filepath.WalkDir(res, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if p != res && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if p == filepath.Join(r.ws, runsDir) {
			return filepath.SkipDir
		}
		if IsCase(p) {
			if _, err := r.addCase(p, origin); err != nil {
				r.logf("skip %s: %v", p, err)
			}
			return filepath.SkipDir
		}
		if strings.Count(p, string(filepath.Separator))-base >= 3 {
			return filepath.SkipDir
		}
		return nil
	})
}

// addRun registers a run or ensemble folder given explicitly.
func (r *registry) addRun(dir string) (*runEntry, error) {
	res, err := resolve(dir)
	if err != nil {
		return nil, fmt.Errorf("run folder %s: %w", dir, err)
	}
	kind := ""
	switch {
	case IsRun(res):
		kind = "run"
	case IsEnsemble(res):
		kind = "ensemble"
	default:
		return nil, fmt.Errorf("%s is neither a case folder, a run folder (manifest.json, summary.json, out.csv) nor a finished ensemble folder", dir)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.given {
		if e.Dir == res {
			return e, nil
		}
	}
	id := slug(filepath.Base(res))
	for k := 2; r.runs[id] != nil; k++ {
		id = fmt.Sprintf("%s-%d", slug(filepath.Base(res)), k)
	}
	e := &runEntry{ID: id, Dir: res, Kind: kind}
	r.runs[id] = e
	r.given = append(r.given, e)
	return e, nil
}

// refreshRuns registers the finished runs in the workspace's runs folder
// (folders only, not symlinks; unfinished ones are skipped).
func (r *registry) refreshRuns() {
	dir := filepath.Join(r.ws, runsDir)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, d := range ents {
		name := d.Name()
		if !d.IsDir() || d.Type()&fs.ModeSymlink != 0 || strings.HasPrefix(name, ".") || !validID(name) {
			continue
		}
		r.mu.Lock()
		_, known := r.runs[name]
		r.mu.Unlock()
		if known {
			continue
		}
		p := filepath.Join(dir, name)
		kind := ""
		switch {
		case IsRun(p):
			kind = "run"
		case IsEnsemble(p):
			kind = "ensemble"
		default:
			continue
		}
		r.mu.Lock()
		if _, known := r.runs[name]; !known {
			r.runs[name] = &runEntry{ID: name, Dir: p, Kind: kind}
		}
		r.mu.Unlock()
	}
}

func (r *registry) run(id string) *runEntry {
	if !validID(id) {
		return nil
	}
	r.mu.Lock()
	e := r.runs[id]
	r.mu.Unlock()
	if e == nil {
		r.refreshRuns()
		r.mu.Lock()
		e = r.runs[id]
		r.mu.Unlock()
	}
	return e
}

// RunInfo is a run's line in the list.
type RunInfo struct {
	ID       string  `json:"id"`
	Kind     string  `json:"kind"` // run or ensemble
	Name     string  `json:"name"` // the scenario's name
	Scenario string  `json:"scenario,omitempty"`
	Seed     uint64  `json:"seed"`
	Members  int     `json:"members,omitempty"`
	Mode     string  `json:"mode"`
	Days     int     `json:"days"`
	ARD      float64 `json:"ard"`
	Created  string  `json:"created"`
	Given    bool    `json:"given,omitempty"`
}

// listRuns returns every registered run, newest first.
func (r *registry) listRuns() []RunInfo {
	r.refreshRuns()
	r.mu.Lock()
	ents := make([]*runEntry, 0, len(r.runs))
	for _, e := range r.runs {
		ents = append(ents, e)
	}
	given := map[*runEntry]bool{}
	for _, e := range r.given {
		given[e] = true
	}
	r.mu.Unlock()
	out := make([]RunInfo, 0, len(ents))
	for _, e := range ents {
		info, err := r.cachedInfo(e)
		if err != nil {
			r.logf("run %s: %v", e.ID, err)
			continue
		}
		info.Given = given[e]
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Created != out[j].Created {
			return out[i].Created > out[j].Created
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// cachedInfo returns a run's list entry, read again only when its
// summary (or ensemble.json) changed.
func (r *registry) cachedInfo(e *runEntry) (RunInfo, error) {
	name := "summary.json"
	if e.Kind == "ensemble" {
		name = ensemble.EnsembleJSON
	}
	st, err := os.Stat(filepath.Join(e.Dir, name))
	if err != nil {
		return RunInfo{}, err
	}
	r.mu.Lock()
	c, ok := r.infos[e.ID]
	r.mu.Unlock()
	if ok && c.mod.Equal(st.ModTime()) {
		return c.info, nil
	}
	info, err := r.info(e)
	if err != nil {
		return info, err
	}
	r.mu.Lock()
	r.infos[e.ID] = cachedInfo{info, st.ModTime()}
	r.mu.Unlock()
	return info, nil
}

func (r *registry) info(e *runEntry) (RunInfo, error) {
	info := RunInfo{ID: e.ID, Kind: e.Kind}
	root, err := os.OpenRoot(e.Dir)
	if err != nil {
		return info, err
	}
	defer root.Close()
	if e.Kind == "ensemble" {
		var ens struct {
			Name    string                 `json:"name"`
			Members int                    `json:"members"`
			ARD     struct{ Mean float64 } `json:"ard"`
		}
		var plan struct {
			Case    string `json:"case"`
			Options struct {
				Mode string `json:"mode"`
				Days int    `json:"days"`
			} `json:"options"`
			Design struct {
				SeedBase uint64 `json:"seed_base"`
			} `json:"design"`
		}
		if err := readRootJSON(root, ensemble.EnsembleJSON, &ens); err != nil {
			return info, err
		}
		if err := readRootJSON(root, ensemble.PlanFile, &plan); err != nil {
			return info, err
		}
		info.Name, info.Members, info.ARD, info.Mode = ens.Name, ens.Members, ens.ARD.Mean, plan.Options.Mode
		info.Seed = plan.Design.SeedBase
		info.Days = plan.Options.Days
		if sc := r.scenarioForDir(plan.Case); sc != nil {
			info.Scenario = sc.ID
		}
		if st, err := root.Stat(ensemble.EnsembleJSON); err == nil {
			info.Created = st.ModTime().UTC().Format(time.RFC3339)
		}
		return info, nil
	}
	var sum struct {
		Scenario string  `json:"scenario"`
		Mode     string  `json:"mode"`
		Seed     uint64  `json:"seed"`
		Days     int     `json:"days"`
		ARD      float64 `json:"ard"`
	}
	var man struct {
		Scenario string `json:"scenario"`
	}
	if err := readRootJSON(root, "summary.json", &sum); err != nil {
		return info, err
	}
	if err := readRootJSON(root, "manifest.json", &man); err != nil {
		return info, err
	}
	info.Name, info.Mode, info.Seed, info.Days, info.ARD = sum.Scenario, sum.Mode, sum.Seed, sum.Days, sum.ARD
	if sc := r.scenarioForDir(man.Scenario); sc != nil {
		info.Scenario = sc.ID
	}
	if st, err := root.Stat("manifest.json"); err == nil {
		info.Created = st.ModTime().UTC().Format(time.RFC3339)
	}
	return info, nil
}

// readRootJSON reads a small JSON file inside root (refusing symlinks that
// leave it).
func readRootJSON(root *os.Root, name string, v any) error {
	b, err := readRootFile(root, name, 8<<20)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// errTooLarge is returned for files over a reader's limit.
var errTooLarge = errors.New("file too large")

func readRootFile(root *os.Root, name string, limit int64) ([]byte, error) {
	f, err := root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", name)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: %w (over %d bytes)", name, errTooLarge, limit)
	}
	return b, nil
}
