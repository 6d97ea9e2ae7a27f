package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// update rewrites golden files: go test ./internal/cli -update
var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// The output of a small run is pinned byte for byte: any change to the
// engine's rules, the random streams or the output formats shows here.
func TestRun_Golden(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	var stdout, stderr bytes.Buffer
	code := Main([]string{"run", "-q", "--days", "30", "--seed", "3", "-o", out, "../../examples/toy-flee"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, name := range []string{"out.csv", "populations.csv", "network.geojson", "events.csv"} {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		// events.csv names its source files by the path given on the command line.
		golden := filepath.Join("testdata", "golden", "toy-flee", name)
		if *update {
			os.MkdirAll(filepath.Dir(golden), 0o755)
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s (run with -update if the change is intended)", name, golden)
		}
	}
}

// Runs are byte-identical for the same seed, in both modes, and the Flee
// mode's Date column is a day ahead as in Flee.
func TestRun_Reproducible(t *testing.T) {
	for _, mode := range []string{"caravan", "flee"} {
		var files [2][]byte
		for k := range files {
			out := filepath.Join(t.TempDir(), "run")
			var so, se bytes.Buffer
			if code := Main([]string{"run", "-q", "--compat", mode, "--days", "40", "-o", out, "../../examples/toy-flee"}, &so, &se); code != 0 {
				t.Fatalf("exit %d: %s", code, se.String())
			}
			b, err := os.ReadFile(filepath.Join(out, "out.csv"))
			if err != nil {
				t.Fatal(err)
			}
			files[k] = b
		}
		if !bytes.Equal(files[0], files[1]) {
			t.Errorf("%s mode: two runs with the same seed differ", mode)
		}
		first := bytes.SplitN(files[0], []byte("\n"), 3)[1]
		wantDate := "0,2024-03-01,"
		if mode == "flee" {
			wantDate = "0,2024-03-02,"
		}
		if !bytes.HasPrefix(first, []byte(wantDate)) {
			t.Errorf("%s mode: first row %q, want it to start %q", mode, first[:20], wantDate)
		}
	}
}
