package calibrate

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/caravan-sim/caravan/internal/flee"
)

// The written settings file, loaded alone, gives the same configuration as
// the case's own settings with the overrides.
func TestWriteSettings_RoundTrip(t *testing.T) {
	for _, dir := range []string{"../../examples/toy-flee", "../../../shared/peer-cases/flee/car"} {
		if _, err := os.Stat(dir); err != nil {
			t.Logf("skip %s: %v", dir, err)
			continue
		}
		set := []string{"move_rules.max_move_speed=123.5", "move_rules.camp_weight=2.25", "move_rules.awareness_level=2",
			"move_rules.softening=7"}
		data, err := WriteSettings(SettingsFile(dir, ""), set, []string{"test"})
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(t.TempDir(), "simsetting.yml")
		os.WriteFile(f, data, 0o644)
		a, err := flee.Load(dir, flee.Options{Set: set})
		if err != nil {
			t.Fatal(err)
		}
		b, err := flee.Load(dir, flee.Options{SettingsFile: f})
		if err != nil {
			t.Fatalf("%v\n%s", err, data)
		}
		if !reflect.DeepEqual(a.Config, b.Config) {
			t.Fatalf("%s: configs differ:\n%+v\n%+v\n%s", dir, a.Config, b.Config, data)
		}
		vals, ok := Defaults(b, nil)
		_ = vals
		_ = ok
	}
}
