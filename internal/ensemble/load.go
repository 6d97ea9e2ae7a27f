package ensemble

import (
	"os"
	"path/filepath"

	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/flee"
	"github.com/caravan-sim/caravan/internal/spec"
)

// LoadCase loads what `caravan run` accepts: a Flee case folder, or a
// native scenario (a .yaml file, a folder holding scenario.yaml, or an
// overlay), compiled with the same options (mode, days, --set overrides).
func LoadCase(path string, opt flee.Options) (*flee.Case, error) {
	overlay := spec.IsOverlay(path)
	if !overlay && !spec.IsScenario(path) {
		return flee.Load(path, opt)
	}
	c := &flee.Case{Dir: path, Format: "caravan", Mode: opt.Mode, Config: flee.DefaultConfig()}
	if opt.SettingsFile != "" {
		p := diag.Problem{File: opt.SettingsFile, Msg: "--settings applies to Flee case folders; a native scenario holds its settings (use --set to change one)"}
		return c, &diag.Error{Problems: []diag.Problem{p}}
	}
	load := spec.Load
	if overlay {
		load = spec.LoadOverlay
	}
	l, err := load(path)
	if l != nil {
		c.Warnings = append(c.Warnings, l.Warnings...)
	}
	if err != nil {
		return c, err
	}
	comp, err := l.Compile(spec.Options{Mode: opt.Mode, Days: opt.Days, Set: opt.Set})
	if comp != nil {
		c.Warnings = append(c.Warnings, comp.Warnings...)
	}
	if err != nil {
		return c, err
	}
	return flee.CaseFromSpec(path, l, comp, opt.Mode), nil
}

// IsNative reports whether path is a native scenario rather than a Flee
// case folder.
func IsNative(path string) bool { return spec.IsOverlay(path) || spec.IsScenario(path) }

// inputBase is the folder input paths are made relative to: the case
// folder, or the folder holding a scenario file.
func inputBase(path string) string {
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		return filepath.Dir(path)
	}
	return path
}
