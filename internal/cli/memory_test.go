package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseBytes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"8GiB", 8 << 30, true}, {"512MiB", 512 << 20, true}, {"2GB", 2e9, true}, {"1000", 1000, true},
		{"1.5g", 3 << 29, true}, {"0", 0, true}, {"lots", 0, false}, {"-1GiB", 0, false},
	} {
		got, err := parseBytes(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d (ok=%v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// A run estimated to need more memory than allowed is refused before it
// starts, with exit status 2 and nothing written.
func TestRun_RefusesOverMemoryLimit(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	var so, se bytes.Buffer
	code := Main([]string{"run", "--max-memory", "1MiB", "-o", out, "../../examples/toy-flee"}, &so, &se)
	if code != 2 || !strings.Contains(se.String(), "needs about") || !strings.Contains(se.String(), "--max-memory allows 1 MiB") {
		t.Fatalf("exit %d, stderr %q", code, se.String())
	}
	if entries, _ := filepath.Glob(filepath.Join(filepath.Dir(out), "*")); len(entries) != 0 {
		t.Errorf("refused run left %v", entries)
	}
	if code := Main([]string{"run", "-q", "--max-memory", "0", "-o", out, "../../examples/toy-flee"}, &so, &se); code != 0 {
		t.Errorf("--max-memory 0 must turn the check off; exit %d: %s", code, se.String())
	}
}
