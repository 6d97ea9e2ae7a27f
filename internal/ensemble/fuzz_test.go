package ensemble

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Parsers of user files must never panic, whatever the input, and their
// errors must name the file.

func FuzzParseParams(f *testing.F) {
	for _, s := range []string{
		"- key: move_rules.max_move_speed\n  min: 100\n  max: 400\n",
		"- {key: move_rules.camp_weight, min: 0.25, max: 8, scale: log}\n",
		"- {key: move_rules.awareness_level, min: 1, max: 3, integer: true, name: awareness}\n",
		"[]", "", "- key: x\n", "- {key: move_rules.max_move_speed, min: 5, max: 1}",
		"- {key: move_rules.camp_weight, min: 0, max: 1, scale: log}", ":\n\t- [",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := ParseParams("params.yml", data)
		if err != nil {
			if !strings.Contains(err.Error(), "params.yml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, p := range ps {
			if !(p.Min <= p.Max) {
				t.Fatalf("accepted a reversed range: %+v", p)
			}
		}
	})
}

func FuzzReadPlan(f *testing.F) {
	f.Add([]byte(`{"format":"caravan-ensemble-plan/1"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[`))
	f.Add([]byte(`{"format":"caravan-ensemble-plan/1","members":[{"index":0,"seed":1}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "plan.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadPlan(path); err != nil && !strings.Contains(err.Error(), "plan.json") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}

func FuzzParseIndices(f *testing.F) {
	for _, s := range []string{"0", "0-9", "3,5,7-8", "", "-1", "9-3", "1,,2", "99999999999999999999"} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n < 0 || n > 1<<16 {
			return
		}
		idx, err := ParseIndices(s, n)
		if err != nil {
			return
		}
		for _, i := range idx {
			if i < 0 || i >= n {
				t.Fatalf("ParseIndices(%q, %d) gave %d, outside [0, %d)", s, n, i, n)
			}
		}
	})
}
