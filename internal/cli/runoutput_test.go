package cli

// The output folder of `run` appears only when the run succeeded: a run that
// fails, or cannot write, leaves no partial folder and no temporary sibling,
// and an existing folder is replaced only by --force and only on success.

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

var runOutputs = []string{"events.csv", "manifest.json", "network.geojson", "out.csv", "populations.csv", "route_flows.csv", "summary.json"}

// copyCaseDir copies a case folder into dst, passing each file through edit.
func copyCaseDir(t *testing.T, src, dst string, edit func(rel string, data []byte) []byte) string {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if edit != nil {
			data = edit(filepath.ToSlash(rel), data)
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// exhaustingCase is the minimal case with take_from_population and only 50
// people in the places in conflict: it loads, but the run fails on day 1,
// when 80 people are to be displaced.
func exhaustingCase(t *testing.T) string {
	return copyCaseDir(t, goodMinimal, filepath.Join(t.TempDir(), "exhausting"), func(rel string, b []byte) []byte {
		s := string(b)
		switch rel {
		case "input/locations.csv":
			s = strings.Replace(s, "conflict_zone,0,50000", "conflict_zone,0,50", 1)
			s = strings.Replace(s, "conflict_zone,4,20000", "conflict_zone,4,0", 1)
		case "simsetting.yml":
			s = strings.Replace(s, "take_from_population: False", "take_from_population: True", 1)
		}
		return []byte(s)
	})
}

// listDir returns the names in dir, sorted.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func checkListing(t *testing.T, dir string, want ...string) {
	t.Helper()
	if got := listDir(t, dir); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Errorf("%s holds %q, want %q", dir, got, want)
	}
}

// oldResults makes an output folder with one file, as an earlier run would.
func oldResults(t *testing.T, out string) {
	t.Helper()
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "earlier.txt"), []byte("earlier results"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRunOutput_Success(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	code, _, stderr := runCaravan(goodMinimal, "run", "-q", "-o", out, goodMinimal)
	if code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	checkListing(t, parent, "out")
	checkListing(t, out, runOutputs...)
}

func TestRunOutput_FailedRunLeavesNothing(t *testing.T) {
	dir := exhaustingCase(t)
	parent := t.TempDir()
	code, stdout, stderr := runCaravan(dir, "run", "-q", "-o", filepath.Join(parent, "out"), dir)
	if code != 1 || stdout != "" || !strings.HasPrefix(stderr, "error: day 1: ") {
		t.Errorf("exit status %d, stdout %q, stderr %q; want 1 and the day it failed", code, stdout, stderr)
	}
	checkListing(t, parent)
}

func TestRunOutput_ExistingFolderRefused(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	oldResults(t, out)
	code, _, stderr := runCaravan(goodMinimal, "run", "-q", "-o", out, goodMinimal)
	want := "error: output folder " + out + " already exists (use --force to replace it)\nrun 'caravan --help' for usage\n"
	if code != 2 || stderr != want {
		t.Errorf("exit status %d, stderr %q; want 2, %q", code, stderr, want)
	}
	checkListing(t, parent, "out")
	checkListing(t, out, "earlier.txt")
}

func TestRunOutput_ForceReplacesOnlyOnSuccess(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	oldResults(t, out)

	// A run that fails keeps the earlier results, untouched.
	dir := exhaustingCase(t)
	if code, _, stderr := runCaravan(dir, "run", "-q", "--force", "-o", out, dir); code != 1 {
		t.Errorf("failing run: exit status %d: %s", code, stderr)
	}
	// So does bad input.
	bad := filepath.Join(badCorpus, "distance-negative")
	if code, _, stderr := runCaravan(bad, "run", "-q", "--force", "-o", out, bad); code != 2 {
		t.Errorf("bad input: exit status %d: %s", code, stderr)
	}
	checkListing(t, parent, "out")
	checkListing(t, out, "earlier.txt")

	// A run that succeeds replaces them.
	if code, _, stderr := runCaravan(goodMinimal, "run", "-q", "--force", "-o", out, goodMinimal); code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	checkListing(t, parent, "out")
	checkListing(t, out, runOutputs...)
}

func TestRunOutput_CannotWrite(t *testing.T) {
	parent := t.TempDir()
	file := filepath.Join(parent, "afile")
	if err := os.WriteFile(file, []byte("not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, out, want string
	}{
		{"output is a file", file, "error: output " + file + " exists and is not a folder\n"},
		{"parent is a file", filepath.Join(file, "out"), "error: create output folder: mkdir " + file + ": not a directory\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCaravan(goodMinimal, "run", "-q", "--force", "-o", tc.out, goodMinimal)
			if code != 2 || !strings.HasPrefix(stderr, tc.want) {
				t.Errorf("exit status %d, stderr %q; want 2, %q", code, stderr, tc.want)
			}
			checkListing(t, parent, "afile")
			if data, _ := os.ReadFile(file); string(data) != "not a folder" {
				t.Errorf("the file was changed: %q", data)
			}
		})
	}
}

func TestRunOutput_ReadOnlyParent(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root, which may write into read-only folders")
	}
	parent := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(parent, 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(parent, 0o755)
	code, _, stderr := runCaravan(goodMinimal, "run", "-q", "-o", filepath.Join(parent, "out"), goodMinimal)
	if code == 0 || !strings.Contains(stderr, "permission denied") {
		t.Errorf("exit status %d, stderr %q; want a failure naming the permission", code, stderr)
	}
	checkListing(t, parent)
}
