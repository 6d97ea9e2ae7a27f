package cli

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A run killed with SIGKILL at any moment leaves either no output folder or
// a complete one, never a partial one; and the next run cleans up the
// hidden temporary folder the killed run abandoned.
func TestRun_KilledAtRandomMoments(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it 20 times")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "caravan")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/caravan").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	// Time one uninterrupted run to spread the kills over its lifetime.
	outDir := filepath.Join(dir, "out")
	args := []string{"run", "-q", "--compat", "flee", "-o", outDir, "--force", "../../examples/toy-flee"}
	start := time.Now()
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("reference run: %v\n%s", err, out)
	}
	life := time.Since(start)
	want := listing(t, outDir)
	r := rand.New(rand.NewPCG(1, 2))
	complete, absent := 0, 0
	for k := 0; k < 20; k++ {
		os.RemoveAll(outDir)
		cmd := exec.Command(bin, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(r.Float64() * 1.2 * float64(life)))
		cmd.Process.Kill()
		cmd.Wait()
		if _, err := os.Stat(outDir); err != nil {
			absent++
		} else {
			complete++
			if got := listing(t, outDir); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("kill %d left a partial folder: %v, want %v", k, got, want)
			}
			var m map[string]any
			b, err := os.ReadFile(filepath.Join(outDir, "manifest.json"))
			if err != nil || json.Unmarshal(b, &m) != nil {
				t.Fatalf("kill %d: manifest unreadable: %v", k, err)
			}
		}
	}
	t.Logf("20 kills: %d left no folder, %d a complete one (run lifetime %v)", absent, complete, life)
	// A final run removes whatever hidden folders the killed runs abandoned.
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("final run: %v\n%s", err, out)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".out.tmp-*")); len(left) != 0 {
		t.Errorf("abandoned temporary folders not cleaned up: %v", left)
	}
}

func listing(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
