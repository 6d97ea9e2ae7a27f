package spec

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the loader. It must never panic or
// hang; a document it accepts must compile (or fail cleanly), and must read
// back unchanged after being written. Seeds: the example documents, the
// invalid documents and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"testdata/*.yaml", "testdata/invalid/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := parse("fuzz.yaml", data, false)
		if l == nil {
			t.Fatal("nil Loaded")
		}
		if err != nil {
			return
		}
		for _, mode := range []Options{{}, {Mode: 1}} {
			c, err := l.Compile(mode)
			if err == nil && c.Scenario.Check() != nil {
				t.Fatalf("compiled scenario fails its check: %v", c.Scenario.Check())
			}
		}
		out := Marshal(l.Doc, "")
		l2, err := parse("fuzz.yaml", out, false)
		if err != nil {
			t.Fatalf("written document does not load: %v\n%s", err, out)
		}
		if again := Marshal(l2.Doc, ""); string(again) != string(out) {
			t.Fatalf("written twice differently:\n%s\n---\n%s", out, again)
		}
	})
}
