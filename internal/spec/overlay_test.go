package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const overlayBase = `caravan: 1
name: ob
start: 2024-01-01
days: 10
spawning: {mode: drivers}
places:
  - {name: A, kind: origin, country: X, population: 100}
  - {name: B, kind: camp, country: Y}
routes:
  - {from: A, to: B, distance: 10}
drivers:
  - {name: d1, type: war, origins: [A], intensity: [{date: 2024-01-01, value: 5}]}
policies:
  - {name: p1, period: {from: 2024-01-01}, deportation: {country: Y, rate_per_year: 0.1}}
  - {name: gate, period: {from: 2024-01-01}, border: {countries: [X, Y], regime: restricted, pass_probability: 0.9}}
  - {name: p3, period: {from: 2024-01-05}, deportation: {country: Y, rate_per_year: 0.2}}
`

func writeOverlay(t *testing.T, overlay string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "base.yaml"), []byte(overlayBase), 0o644); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "variant.yaml")
	if err := os.WriteFile(p, []byte(overlay), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadOverlay_ReplacesInPlace(t *testing.T) {
	p := writeOverlay(t, `# stricter
base: base.yaml
policies:
  - {name: new, period: {from: 2024-01-02}, border: {crossing: B, regime: closed}}
  - {name: gate, period: {from: 2024-01-01}, border: {countries: [X, Y], regime: restricted, pass_probability: 0.1}}
remove: [p1]
drivers:
  - {name: d1, type: war, origins: [A], intensity: [{date: 2024-01-01, value: 9}]}
`)
	if !IsOverlay(p) || IsOverlay(filepath.Join(filepath.Dir(p), "base.yaml")) {
		t.Fatal("IsOverlay tells the overlay from its base wrongly")
	}
	l, err := LoadOverlay(p)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, q := range l.Doc.Policies {
		names = append(names, q.Name)
	}
	if got := strings.Join(names, " "); got != "gate p3 new" {
		t.Errorf("policies %s, want gate p3 new (p1 removed, gate replaced in place, new added)", got)
	}
	if pp := l.Doc.Policies[0].Border.PassProbability; pp == nil || *pp.Value != 0.1 {
		t.Errorf("gate not replaced: %+v", l.Doc.Policies[0].Border)
	}
	if l.Doc.Policies[0].File != p || strings.Contains(l.Doc.Policies[1].File, os.TempDir()+string(os.PathSeparator)+"caravan-overlay") {
		t.Errorf("node files: %q, %q", l.Doc.Policies[0].File, l.Doc.Policies[1].File)
	}
	if v := l.Doc.Drivers[0].Intensity[0].Value.Value; v == nil || *v != 9 {
		t.Errorf("driver d1 not replaced")
	}
	if l.Doc.Name != "ob-variant" || len(l.Files) != 2 || l.Files[1].Path != p {
		t.Errorf("name %q, files %+v", l.Doc.Name, l.Files)
	}
	if _, err := l.Compile(Options{}); err != nil {
		t.Errorf("the variant does not compile: %v", err)
	}
}

func TestLoadOverlay_Problems(t *testing.T) {
	for name, tc := range map[string]struct{ overlay, want string }{
		"unknown key": {"base: base.yaml\nplaces: []\n", `variant.yaml:2: "places" is not a key of an overlay`},
		"no base":     {"name: x\n", "base: missing"},
		"remove":      {"base: base.yaml\nremove: [nope]\n", `the base has no policy or driver "nope"`},
		"bad entry": {"base: base.yaml\nname: v\npolicies:\n  - {name: gate, period: {from: 2024-01-01}, border: {countries: [X, Q], regime: closed}}\n",
			`variant.yaml:4:`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := LoadOverlay(writeOverlay(t, tc.overlay))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}
